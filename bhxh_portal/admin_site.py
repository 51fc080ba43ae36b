"""The Django admin is the superusers' tool, nothing else.

Its screens (changelists, forms, history and revert, import and export, autocomplete, list filters)
were never built to follow the subtree rule of the pages, so no one below a superuser may open
them: every view of the site, those added by django-import-export and django-simple-history
included, is wrapped by `admin_view`, which asks `has_permission`. Administrators of a unit work
in the portal instead (`administration`, /quan-ly/).
"""

from functools import update_wrapper

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError


def is_admin_user(user) -> bool:
    return bool(user is not None and user.is_active and user.is_superuser)


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form does not open a session for anyone but a superuser."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                "Trang quản trị hệ thống chỉ dành cho quản trị viên toàn hệ thống. "
                "Hãy đăng nhập tại trang chính của cổng.",
                code="invalid_login",
            )


class SuperuserAdminSite(AdminSite):
    site_header = "BHXH Portal — Quản trị hệ thống"
    site_title = "BHXH Portal"
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request):
        return is_admin_user(getattr(request, "user", None))

    def admin_view(self, view, cacheable=False):
        """Someone signed in who is not a superuser gets a plain 403 (the portal's page) rather than
        the admin's login form; anonymous visitors are still sent to log in."""
        inner = super().admin_view(view, cacheable)

        def refuse_signed_in(request, *args, **kwargs):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("Trang quản trị hệ thống chỉ dành cho quản trị viên toàn hệ thống.")
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_signed_in, inner)
