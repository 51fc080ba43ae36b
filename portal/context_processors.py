from units import access

from .navigation import ROLE_LABELS, menu_for, menu_sections


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = sorted(access.roles_of(user))
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    return {
        "menu": menu_sections(menu_for(user, request.path, view_name), view_name),
        "user_roles": [ROLE_LABELS[r] for r in roles if r in ROLE_LABELS],
    }
