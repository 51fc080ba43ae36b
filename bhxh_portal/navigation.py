"""The menu, by role. Each app adds its entries here as its pages land."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from targets import access
from targets.models import Role


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in


MENU = [
    MenuEntry("Trang chủ", "home"),
    MenuEntry("Đơn vị", "targets:unit_browser"),
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
    if user.is_staff:
        entries.append({"label": "Quản trị", "url": reverse("admin:index"), "active": False})
    return entries


ROLE_LABELS = dict(Role.choices)
