"""The menu, derived from units.access.ACTIONS: an entry shows iff the user may do its action
somewhere (access.can_any), so it never offers a page that answers 403."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from units import access
from units.models import Role


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    action: str | None = None  # a key of units.access.ACTIONS; None: everyone signed in


MENU = [
    MenuEntry("Trang chủ", "home"),
    MenuEntry("Đơn vị", "units:unit_browser"),
    MenuEntry("Chỉ tiêu", "targets:target_home"),
]


def menu_for(user, current_path: str = "") -> list[dict]:
    if not user.is_authenticated:
        return []
    entries = []
    for entry in MENU:
        if entry.action is not None and not access.can_any(user, entry.action):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"label": entry.label, "url": url, "active": active})
    if access.can_any(user, "admin_site.use"):  # the Django admin is the superusers' tool (bhxh_portal.admin_site)
        entries.append({"label": "Quản trị", "url": reverse("admin:index"), "active": False})
    return entries


ROLE_LABELS = dict(Role.choices)


# Participants, agents and collections; background jobs for everyone.
MENU += [
    MenuEntry("Nhập danh sách", "agents:import_upload", "participants.import"),
    MenuEntry("Thu tiền", "agents:agent_list", "collections.record"),
    MenuEntry("Tính mức đóng", "agents:calculator", "contributions.calculate"),
    MenuEntry("Công việc", "jobs:job_list"),
]

# Plans and reports: everyone who may see a unit sees its documents.
MENU += [MenuEntry("Kế hoạch, báo cáo", "campaigns:document_list")]

# Monthly results: whoever may enter them enters; the level above approves and follows up.
MENU += [
    MenuEntry("Nhập kết quả", "targets:results_entry_home", "results.enter"),
    MenuEntry("Duyệt kết quả", "targets:results_review", "results.approve"),
    MenuEntry("Tiến độ nộp", "targets:results_progress_home", "results.approve"),
    MenuEntry("Tổng quan", "targets:results_dashboard_home"),
]

# Drive activities and support programmes.
MENU += [
    MenuEntry("Hoạt động vận động", "activities:activity_list"),
    MenuEntry("Chương trình hỗ trợ", "programmes:programme_list", "programmes.view"),
]

# What the dated rules cover and what must be entered when a decree or notice comes out.
MENU += [MenuEntry("Quy tắc tính", "rules:coverage", "rules.view")]
# Administrators manage their subtree's users, units and agents in the portal (administration app).
MENU += [MenuEntry("Quản lý", "administration:index", "administration.manage")]
# The door-to-door drive: the month's lists, the visits, the funnel.
MENU += [
    MenuEntry("Vận động theo danh sách", "drive:home", "drive.open"),
]
# Notices by e-mail: each user chooses theirs; administrators set their units' schedule there too.
MENU += [MenuEntry("Thông báo", "notices:preferences")]
