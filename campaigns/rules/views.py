"""The rule coverage page, for administrators."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from units import access

from .coverage import rule_coverage


@login_required
def coverage(request):
    if not access.can_any(request.user, "rules.view"):
        raise PermissionDenied("Trang này dành cho quản trị viên.")
    groups = rule_coverage()
    return render(request, "campaigns/rules_coverage.html", {
        "groups": groups, "today": datetime.date.today(),
        "problems": sum(g.problem_count for g in groups),
    })
