"""The unit dashboard ("Tổng quan"): thin, its figures are reports.dashboard's (the coverage
tables'); the pictures are SVG drawn on the server (reports.charts)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from bhxh_portal.fragments import fragment

from units import access
from units.models import Unit
from units.periods import Period, month_param
from results import selectors as results_selectors
from units.selectors.tree import unit_breadcrumbs, units_by_ids

from .dashboard import dashboard_charts, unit_dashboard

# Panels that apps above reports add to the dashboard (the drive's funnel): context name -> function
# (user, unit, month Period) -> what the template shows, or None. Registered in their AppConfig.ready.
DASHBOARD_PANELS: dict = {}


def register_dashboard_panel(name: str, panel) -> None:
    DASHBOARD_PANELS[name] = panel


@login_required
def results_dashboard(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    key = request.GET.get("thang")
    if key:
        period, opened_on = month_param(key), ""
    else:
        period, opened_on = results_selectors.month_to_open(unit=unit)
    dashboard = unit_dashboard(unit=unit, month=period, ranking_code=request.GET.get("chi-tieu") or None)
    pictures = dashboard_charts(dashboard)
    rows = [(row, pictures["lines"].get(row.indicator.code, "")) for row in dashboard.rows]
    return render(request, "reports/dashboard.html", {
        "unit": unit, "month": period, "breadcrumbs": unit_breadcrumbs(unit=unit, user=request.user),
        "dashboard": dashboard, "rows": rows, "ranking_chart": pictures["ranking"],
        "indicator_rows": [_indicator_row(row) for row in dashboard.rows],
        "ranking": _ranking_rows(dashboard.ranking, period),
        "previous": results_selectors.previous_month(period), "next": results_selectors.next_month(period),
        "child_figures": _child_figures(unit, period, dashboard), "opened_on": opened_on,
        **{name: panel(request.user, unit, period) for name, panel in DASHBOARD_PANELS.items()},
    })


# The tables' rows are rendered by content (bhxh_portal.fragments): after a save one row of a page
# changes, and the others print as they did. Each row's template sees only the plain values below.

def _indicator_row(row) -> str:
    target, progress, figure = row.target, row.progress, row.figure
    return fragment(
        "reports/_dashboard_indicator_row.html", short_name=row.indicator.short_name,
        has_target=target is not None, target_count=target.count if target else None,
        target_rate_pct=target.rate_pct if target else None, denominator=row.denominator, value=row.value,
        latest_month=row.latest_month.label if row.latest_month else "", source_label=row.source_label,
        incomplete=figure.incomplete, reporting_children=figure.reporting_children, children=figure.children,
        from_parts=row.from_parts, approved=figure.approved, history_note=row.history_note,
        coverage_pct=progress.coverage_pct if progress else None,
        achievement_pct=progress.achievement_pct if progress else None,
        remaining=progress.remaining if progress else None,
    )


# An id no unit has, that the URL pattern accepts: the ranking's links are reversed once per page
# with it and completed per row (reverse() walks the resolver each time: ~0,1 ms a row).
_PK_MARKER = 2_147_483_647


def _ranking_rows(ranking: list, period: Period) -> list:
    """Each ranked child, with the link to its dashboard in the same month."""
    head, tail = reverse("dashboard:unit", args=[_PK_MARKER]).split(str(_PK_MARKER))
    return [fragment(
        "reports/_dashboard_ranking_row.html", rank=rank, link=f"{head}{r.unit.pk}{tail}?thang={period.key}",
        name=r.unit.name, participants=r.participants, source_label=r.figure.source_label,
        difference=r.figure.difference, children_sum=r.figure.children_sum, denominator=r.denominator,
        target=r.target, coverage_pct=r.progress.coverage_pct if r.progress else None, achievement=r.achievement,
        remaining=r.progress.remaining if r.progress else None,
    ) for rank, r in enumerate(ranking, 1)]


def _child_figures(unit: Unit, period: Period, dashboard) -> list:
    """The unit and its children for the ranking indicator: own entry or children's sum, and the
    difference between the two where a unit has both."""
    if dashboard.ranking_indicator is None:
        return []
    code = dashboard.ranking_indicator.code
    month = dashboard.ranking_month or period
    figures = results_selectors.participants_for_children(parent=unit, indicators=[code], month=month)
    children = {c.pk: c for c in units_by_ids(ids=figures)}
    rows = [(children[pk], figures[pk][code]) for pk in figures if pk in children and pk != unit.pk]
    rows.sort(key=lambda r: r[0].code)
    return [fragment(
        "reports/_dashboard_source_row.html", own=index == 0, name=u.name, value=f.value, source_label=f.source_label,
        incomplete=f.incomplete, reporting_children=f.reporting_children, children=f.children,
        children_sum=f.children_sum, difference=f.difference,
    ) for index, (u, f) in enumerate([(unit, figures[unit.pk][code]), *rows])]
