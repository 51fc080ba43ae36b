from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from units import access


@login_required
def home(request):
    grants = access.grants_of(request.user)
    return render(request, "home.html", {
        "top_units": access.top_units(request.user).order_by("code"),
        "memberships": request.user.memberships.select_related("unit", "unit__level").order_by("unit__path"),
        "grant_count": len(grants),
        "administers": access.administers_any(request.user),
    })


def health(request):
    """For the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
