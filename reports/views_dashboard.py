"""The unit dashboard ("Tổng quan"): thin, its figures are reports.dashboard's (the coverage
tables'); the pictures are SVG drawn on the server (reports.charts)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from bhxh_portal.numbers import format_number
from units import access
from units.models import Unit
from units.periods import Period, PeriodType
from targets.selectors import results as results_selectors
from units.selectors.tree import unit_breadcrumbs

from . import charts
from .dashboard import unit_dashboard


def _month_or_404(key: str) -> Period:
    try:
        period = Period.parse(key)
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    if period.type != PeriodType.MONTH:
        raise Http404("Kết quả được xem theo tháng (vd 2023-06).")
    return period


def _pct(value) -> str:
    return f"{format_number(value, 2)}%"


def dashboard_charts(dashboard) -> dict:
    """The SVG pictures of a dashboard (also usable by a PDF renderer): one line per indicator,
    participants against the target path, and the children ranked by achievement."""
    labels = [f"T{m.number}" for m in (dashboard.rows[0].months if dashboard.rows else [])]
    lines = {}
    for row in dashboard.rows:
        series = [charts.Series("Số người tham gia", row.values)]
        if any(v is not None for v in row.path):
            series.append(charts.Series("Lộ trình chỉ tiêu", row.path, color="#b3261e", dashed=True, markers=False))
        lines[row.indicator.code] = mark_safe(charts.line_chart(
            labels=labels, series=series, title=f"{row.indicator.short_name} năm {dashboard.month.year}",
            width=560, height=240))
    ranking = ""
    if dashboard.ranking:
        bars = [charts.Bar(r.unit.name, r.achievement, note=f"({format_number(r.participants)} người)"
                           if r.participants is not None else "") for r in dashboard.ranking]
        title = f"Tỷ lệ đạt so với chỉ tiêu — {dashboard.ranking_indicator.short_name}"
        if dashboard.ranking_month:
            title += f", {dashboard.ranking_month.label.lower()}"
        ranking = mark_safe(charts.bar_chart(bars=bars, title=title, value_format=_pct, reference=100,
                                             reference_label="100%", width=720))
    return {"lines": lines, "ranking": ranking}


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
    })


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
