"""The menu: one list of entries, in a few sections shown as dropdowns. Each entry names an action of
units.access.ACTIONS and shows iff the user may do it somewhere (access.can_any), so the menu never
offers a page that answers 403. A section names the pages (URL names, `namespace:*` patterns) it
highlights, so a page that is not in the menu (the grid, a unit's dashboard) still marks its section."""

import functools
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from units import access
from units.models import Role


@dataclass(frozen=True)
class MenuSection:
    key: str
    label: str
    pages: tuple[str, ...]  # view names (fnmatch patterns) of the pages that belong here


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    action: str | None = None  # a key of units.access.ACTIONS; None: everyone signed in
    section: str = "home"


SECTIONS = [
    MenuSection("home", "Trang chủ", ("home",)),
    MenuSection("units", "Đơn vị & chỉ tiêu", ("units:unit_*", "targets:target_*", "targets:demographics_*",
                                               "targets:import_template")),
    MenuSection("results", "Kết quả", ("results:results_*", "dashboard:*", "coverage:*")),
    MenuSection("participants", "Người tham gia", ("agents:*",)),
    MenuSection("drive", "Vận động", ("activities:*", "programmes:*", "drive:*")),
    MenuSection("documents", "Kế hoạch & báo cáo", ("campaigns:*", "jobs:*")),
    MenuSection("manage", "Quản lý", ("rules:*", "administration:*", "notices:*", "admin:*")),
]

MENU = [
    MenuEntry("Trang chủ", "home"),
    MenuEntry("Đơn vị", "units:unit_browser", section="units"),
    MenuEntry("Chỉ tiêu", "targets:target_home", section="units"),
    # Participants, agents and collections.
    MenuEntry("Nhập danh sách", "agents:import_upload", "participants.import", "participants"),
    MenuEntry("Đại lý thu", "agents:agent_list", "collections.record", "participants"),
    MenuEntry("Tính mức đóng", "agents:calculator", "contributions.calculate", "participants"),
    # Plans and reports: everyone who may see a unit sees its documents; background jobs for everyone.
    MenuEntry("Kế hoạch, báo cáo", "campaigns:document_list", section="documents"),
    MenuEntry("Công việc", "jobs:job_list", section="documents"),
    # Monthly results: whoever may enter them enters; the level above approves and follows up.
    MenuEntry("Nhập kết quả", "results:results_entry_home", "results.enter", "results"),
    MenuEntry("Duyệt kết quả", "results:results_review", "results.approve", "results"),
    MenuEntry("Tiến độ nộp", "results:results_progress_home", "results.approve", "results"),
    MenuEntry("Tổng quan", "results:results_dashboard_home", section="results"),
    # Drive activities, support programmes, the door-to-door lists.
    MenuEntry("Hoạt động vận động", "activities:activity_list", section="drive"),
    MenuEntry("Chương trình hỗ trợ", "programmes:programme_list", "programmes.view", "drive"),
    MenuEntry("Vận động theo danh sách", "drive:home", "drive.open", "drive"),
    # What the dated rules cover; the administrators' pages; notices by e-mail.
    MenuEntry("Quy tắc tính", "rules:coverage", "rules.view", "manage"),
    MenuEntry("Tài khoản, đơn vị, đại lý thu", "administration:index", "administration.manage", "manage"),
    MenuEntry("Thông báo", "notices:preferences", section="manage"),
]


@functools.lru_cache(maxsize=512)
def section_of(view_name: str) -> str | None:
    return next((s.key for s in SECTIONS if any(fnmatchcase(view_name, p) for p in s.pages)), None)


def _address(url_name: str) -> str | None:
    """The entry's address: fixed for a given URL configuration and prefix, so computed once."""
    return _reverse(url_name, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _reverse(url_name: str, *configuration) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def menu_for(user, current_path: str = "", view_name: str = "") -> list[dict]:
    """The user's entries in menu order; an entry is active when it is the page's own, or the page
    lies under its address inside the page's section."""
    if not user.is_authenticated:
        return []
    current = section_of(view_name) if view_name else None
    entries = []
    for entry in MENU:
        if entry.action is not None and not access.can_any(user, entry.action):
            continue
        url = _address(entry.url_name)
        if url is None:
            continue
        if view_name:
            active = view_name == entry.url_name or (
                entry.section == current and url != "/" and current_path.startswith(url))
        else:
            active = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"label": entry.label, "url": url, "active": active, "section": entry.section})
    if access.can_any(user, "admin_site.use"):  # the Django admin is the superusers' tool (bhxh_portal.admin_site)
        entries.append({"label": "Quản trị", "url": _address("admin:index"), "active": False, "section": "manage"})
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
