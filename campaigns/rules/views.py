"""The rule coverage page, for administrators."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from units import access
from units.models import Role

from .coverage import rule_coverage


def can_see_rule_coverage(user) -> bool:
    return user.is_authenticated and Role.ADMINISTRATOR in access.roles_of(user)


@login_required
def coverage(request):
    if not can_see_rule_coverage(request.user):
        raise PermissionDenied("Trang này dành cho quản trị viên.")
    groups = rule_coverage()
    return render(request, "campaigns/rules_coverage.html", {
        "groups": groups, "today": datetime.date.today(),
        "problems": sum(g.problem_count for g in groups),
    })
