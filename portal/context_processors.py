from django.utils.functional import SimpleLazyObject

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
    return {
        "menu": SimpleLazyObject(lambda: menu_sections(menu_for(user, request.path, view_name), view_name)),
        "user_roles": SimpleLazyObject(
            lambda: [ROLE_LABELS[r] for r in sorted(access.roles_of(user)) if r in ROLE_LABELS]),
    }
