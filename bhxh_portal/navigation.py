"""The menu, by role, in a few sections shown as dropdowns. Each app adds its entries here as its
pages land; a section names the pages (URL names, `namespace:*` patterns) it highlights, so a page
that is not in the menu (the grid, a unit's dashboard) still marks the section it belongs to."""

from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.urls import NoReverseMatch, reverse

from units import access
from units.models import Role


@dataclass(frozen=True)
class MenuSection:
    key: str
    label: str
    pages: tuple[str, ...]  # view names (fnmatch patterns) of the pages that belong here


SECTIONS = [
    MenuSection("home", "Trang chủ", ("home",)),
    MenuSection("units", "Đơn vị & chỉ tiêu", ("units:unit_*", "targets:target_*", "targets:demographics_*",
                                               "targets:import_template")),
    MenuSection("results", "Kết quả", ("targets:results_*", "dashboard:*", "coverage:*")),
    MenuSection("participants", "Người tham gia", ("agents:*",)),
    MenuSection("drive", "Vận động", ("activities:*", "programmes:*", "drive:*")),
    MenuSection("documents", "Kế hoạch & báo cáo", ("campaigns:*", "jobs:*")),
    MenuSection("manage", "Quản lý", ("rules:*", "administration:*", "notices:*", "admin:*")),
]


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    section: str = "home"


MENU = [
    MenuEntry("Trang chủ", "home"),
    MenuEntry("Đơn vị", "units:unit_browser", section="units"),
    MenuEntry("Chỉ tiêu", "targets:target_home", section="units"),
]


def section_of(view_name: str) -> str | None:
    return next((s.key for s in SECTIONS if any(fnmatchcase(view_name, p) for p in s.pages)), None)


def menu_for(user, current_path: str = "", view_name: str = "") -> list[dict]:
    """The user's entries in menu order; an entry is active when it is the page's own, or the page
    lies under its address inside the page's section."""
    if not user.is_authenticated:
        return []
    roles = access.roles_of(user)
    current = section_of(view_name) if view_name else None
    entries = []
    for entry in MENU:
        if entry.roles is not None and not (roles & entry.roles):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        if view_name:
            active = view_name == entry.url_name or (
                entry.section == current and url != "/" and current_path.startswith(url))
        else:
            active = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"label": entry.label, "url": url, "active": active, "section": entry.section})
    if user.is_superuser:  # the Django admin is the superusers' tool (bhxh_portal.admin_site)
        entries.append({"label": "Quản trị", "url": reverse("admin:index"), "active": False, "section": "manage"})
    return entries


def menu_sections(entries: list[dict], view_name: str = "") -> list[dict]:
    """The entries grouped by section, in the sections' order; a section with one entry is shown as
    that entry's link, the others as a dropdown."""
    current = section_of(view_name) if view_name else None
    sections = []
    for section in SECTIONS:
        own = [e for e in entries if e["section"] == section.key]
        if own:
            active = section.key == current or any(e["active"] for e in own)
            sections.append({"label": section.label, "key": section.key, "entries": own, "active": active})
    return sections


ROLE_LABELS = dict(Role.choices)


# Participants, agents and collections.
MENU += [
    MenuEntry("Nhập danh sách", "agents:import_upload", frozenset({Role.BHXH_STAFF, Role.ADMINISTRATOR}),
              "participants"),
    MenuEntry("Đại lý thu", "agents:agent_list", frozenset({Role.COLLECTION_AGENT, Role.BHXH_STAFF}), "participants"),
    MenuEntry("Tính mức đóng", "agents:calculator", frozenset({Role.COLLECTION_AGENT, Role.BHXH_STAFF}),
              "participants"),
]

# Plans and reports: everyone who may see a unit sees its documents; background jobs for everyone.
MENU += [
    MenuEntry("Kế hoạch, báo cáo", "campaigns:document_list", section="documents"),
    MenuEntry("Công việc", "jobs:job_list", section="documents"),
]

# Monthly results: commune officials enter, BHXH staff and leaders approve and follow up.
MENU += [
    MenuEntry("Nhập kết quả", "targets:results_entry_home", frozenset({Role.COMMUNE_OFFICIAL}), "results"),
    MenuEntry("Duyệt kết quả", "targets:results_review", frozenset({Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR}),
              "results"),
    MenuEntry("Tiến độ nộp", "targets:results_progress_home",
              frozenset({Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR}), "results"),
    MenuEntry("Tổng quan", "targets:results_dashboard_home", section="results"),
]

# Drive activities and support programmes.
MENU += [
    MenuEntry("Hoạt động vận động", "activities:activity_list", section="drive"),
    MenuEntry("Chương trình hỗ trợ", "programmes:programme_list",
              frozenset({Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR, Role.COMMUNE_OFFICIAL}), "drive"),
]

# What the dated rules cover and what must be entered when a decree or notice comes out.
MENU += [MenuEntry("Quy tắc tính", "rules:coverage", frozenset({Role.ADMINISTRATOR}), "manage")]
# Administrators manage their subtree's users, units and agents in the portal (administration app).
MENU += [MenuEntry("Tài khoản, đơn vị, đại lý thu", "administration:index", frozenset({Role.ADMINISTRATOR}), "manage")]
# The door-to-door drive: the month's lists, the visits, the funnel.
MENU += [
    MenuEntry("Vận động theo danh sách", "drive:home",
              frozenset({Role.COMMUNE_OFFICIAL, Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR,
                         Role.COLLECTION_AGENT}), "drive"),
]
# Notices by e-mail: each user chooses theirs; administrators set their units' schedule there too.
MENU += [MenuEntry("Thông báo", "notices:preferences", section="manage")]
