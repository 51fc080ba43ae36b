from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views import defaults

from units import access


@login_required
def home(request):
    grants = access.grants_of(request.user)
    return render(request, "home.html", {
        "top_units": access.top_units(request.user).order_by("code"),
        "memberships": request.user.memberships.select_related("unit", "unit__level").order_by("unit__path"),
        "grant_count": len(grants),
        "administers": access.can_any(request.user, "administration.manage"),
    })


def health(request):
    """For the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LogoutView(auth_views.LogoutView):
    """Logging out stays a POST (a link or a prefetch must not end a session), but a GET, from a
    bookmark or an old link, gets a page with the button instead of a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, "registration/logout.html")


def bad_request(request, exception):
    """400: a view's own refusal (BadRequest: a month that is not one...) says what is wrong, on the
    site's layout. Any other (a forged host, a broken multipart body) gets the plain page: its text is
    for the log, and the request may be too odd to draw the layout for."""
    if isinstance(exception, BadRequest):
        return render(request, "400.html", {"exception": str(exception)}, status=400)
    return defaults.bad_request(request, exception, template_name="400_plain.html")
