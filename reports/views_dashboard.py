"""The unit dashboard ("Tổng quan"): thin, its figures are reports.dashboard's (the coverage
tables'); the pictures are SVG drawn on the server (reports.charts)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from units import access
from units.models import Unit
from units.periods import Period, PeriodType
from results import selectors as results_selectors
from units.selectors.tree import unit_breadcrumbs

from .dashboard import dashboard_charts, unit_dashboard


def _month_or_404(key: str) -> Period:
    try:
        period = Period.parse(key)
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    if period.type != PeriodType.MONTH:
        raise Http404("Kết quả được xem theo tháng (vd 2023-06).")
    return period


@login_required
def results_dashboard(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    key = request.GET.get("thang")
    period = _month_or_404(key) if key else results_selectors.default_month()
    dashboard = unit_dashboard(unit=unit, month=period, ranking_code=request.GET.get("chi-tieu") or None)
    pictures = dashboard_charts(dashboard)
    rows = [(row, pictures["lines"].get(row.indicator.code, "")) for row in dashboard.rows]
    return render(request, "reports/dashboard.html", {
        "unit": unit, "month": period, "breadcrumbs": unit_breadcrumbs(unit=unit, user=request.user),
        "dashboard": dashboard, "rows": rows, "ranking_chart": pictures["ranking"],
        "previous": results_selectors.previous_month(period), "next": results_selectors.next_month(period),
        "child_figures": _child_figures(unit, period, dashboard),
        "drive_funnel": _drive_funnel(request.user, unit, period),
    })


def _drive_funnel(user, unit: Unit, period: Period) -> list | None:
    """The door-to-door drive of the month beside the targets, for those who work or oversee it."""
    from drive import selectors as drive_selectors

    if not drive_selectors.can_open_drive(user, unit):
        return None
    return drive_selectors.funnel_summary(user=user, unit=unit, month=period.start)


def _child_figures(unit: Unit, period: Period, dashboard) -> list:
    """The unit and its children for the ranking indicator: own entry or children's sum, and the
    difference between the two where a unit has both."""
    if dashboard.ranking_indicator is None:
        return []
    code = dashboard.ranking_indicator.code
    month = dashboard.ranking_month or period
    figures = results_selectors.participants_for_children(parent=unit, indicators=[code], month=month)
    children = {c.pk: c for c in Unit.objects.filter(pk__in=list(figures)).order_by("code")}
    rows = [(children[pk], figures[pk][code]) for pk in figures if pk in children and pk != unit.pk]
    rows.sort(key=lambda r: r[0].code)
    return [(unit, figures[unit.pk][code]), *rows]
