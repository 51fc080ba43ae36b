from django.utils.functional import SimpleLazyObject

from bhxh_portal.fragments import fragment
from units import access

from .navigation import ROLE_LABELS, menu_for, menu_sections


def navigation(request):
    """The menu and the user's roles, computed only when a template shows them (the layout; an
    HTMX answer, a cell of the grid, does not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    menu = SimpleLazyObject(lambda: menu_sections(menu_for(user, request.path, view_name), view_name))
    return {
        "menu": menu,
        # A template calls it where it prints the menu: rendered once per content (the same for most
        # pages of a user).
        "menu_html": lambda: _menu_html(menu),
        "user_roles": SimpleLazyObject(
            lambda: [ROLE_LABELS[r] for r in sorted(access.roles_of(user)) if r in ROLE_LABELS]),
    }


def _menu_html(menu) -> str:
    return fragment("_menu.html", sections=tuple(
        (section["label"], section["active"], tuple((e["label"], e["url"], e["active"]) for e in section["entries"]))
        for section in menu))
