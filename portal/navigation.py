"""The menu, by role. Each app adds its entries here as its pages land."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from units import access
from units.models import Role


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in


MENU = [
    MenuEntry("Trang chủ", "home"),
    MenuEntry("Đơn vị", "units:unit_browser"),
    MenuEntry("Chỉ tiêu", "targets:target_home"),
]


def menu_for(user, current_path: str = "") -> list[dict]:
    if not user.is_authenticated:
        return []
    roles = access.roles_of(user)
    entries = []
    for entry in MENU:
        if entry.roles is not None and not (roles & entry.roles):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"label": entry.label, "url": url, "active": active})
    if user.is_superuser:  # the Django admin is the superusers' tool (bhxh_portal.admin_site)
        entries.append({"label": "Quản trị", "url": reverse("admin:index"), "active": False})
    return entries


ROLE_LABELS = dict(Role.choices)


# Participants, agents and collections; background jobs for everyone.
MENU += [
    MenuEntry("Nhập danh sách", "agents:import_upload", frozenset({Role.BHXH_STAFF, Role.ADMINISTRATOR})),
    MenuEntry("Thu tiền", "agents:agent_list", frozenset({Role.COLLECTION_AGENT, Role.BHXH_STAFF})),
    MenuEntry("Tính mức đóng", "agents:calculator", frozenset({Role.COLLECTION_AGENT, Role.BHXH_STAFF})),
    MenuEntry("Công việc", "jobs:job_list"),
]

# Plans and reports: everyone who may see a unit sees its documents.
MENU += [MenuEntry("Kế hoạch, báo cáo", "campaigns:document_list")]

# Monthly results: commune officials enter, BHXH staff and leaders approve and follow up.
MENU += [
    MenuEntry("Nhập kết quả", "results:results_entry_home", frozenset({Role.COMMUNE_OFFICIAL})),
    MenuEntry("Duyệt kết quả", "results:results_review", frozenset({Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR})),
    MenuEntry("Tiến độ nộp", "results:results_progress_home",
              frozenset({Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR})),
    MenuEntry("Tổng quan", "results:results_dashboard_home"),
]

# Drive activities and support programmes.
MENU += [
    MenuEntry("Hoạt động vận động", "activities:activity_list"),
    MenuEntry("Chương trình hỗ trợ", "programmes:programme_list",
              frozenset({Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR, Role.COMMUNE_OFFICIAL})),
]

# What the dated rules cover and what must be entered when a decree or notice comes out.
MENU += [MenuEntry("Quy tắc tính", "rules:coverage", frozenset({Role.ADMINISTRATOR}))]
# Administrators manage their subtree's users, units and agents in the portal (administration app).
MENU += [MenuEntry("Quản lý", "administration:index", frozenset({Role.ADMINISTRATOR}))]
# The door-to-door drive: the month's lists, the visits, the funnel.
MENU += [
    MenuEntry("Vận động theo danh sách", "drive:home",
              frozenset({Role.COMMUNE_OFFICIAL, Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR,
                         Role.COLLECTION_AGENT})),
]
# Notices by e-mail: each user chooses theirs; administrators set their units' schedule there too.
MENU += [MenuEntry("Thông báo", "notices:preferences")]
