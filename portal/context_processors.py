from units import access

from .navigation import ROLE_LABELS, menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = sorted(access.roles_of(user))
    return {
        "menu": menu_for(user, request.path),
        "user_roles": [ROLE_LABELS[r] for r in roles if r in ROLE_LABELS],
    }
