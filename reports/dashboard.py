"""The unit dashboard ("Tổng quan", /don-vi/<id>/tong-quan/): per indicator the year's target, the
latest figure, coverage, achievement and remaining; a month-by-month line against the target path;
the children ranked by achievement.

Every figure is the coverage tables' (reports.tables.indicator on the inputs of
reports.tables.inputs, with the rules of reports.tables.figures): the dashboard of a unit in a
month prints what the coverage page, its downloads and the plans print for that unit and month. The
latest figure of an indicator is the unit's figure of the latest month of the year, up to the month
asked, that has one; BHXH, where the unit has no figure of its own, is BHXH bắt buộc + tự nguyện.
A fixed number of queries whatever the number of children.
"""

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from django.utils.safestring import mark_safe

from bhxh_portal.numbers import format_number
from bhxh_portal import memo
from targets.models import INDICATORS, TARGETS, Indicator, Target, TargetKind, active_indicators, indicators_by_code
from units.models import Unit
from units.periods import Period, PeriodType
from results.selectors import EMPTY, Figure, participants_for_children, participants_series, target_path

from . import charts
from .tables.coverage import CoverageFigures
from .tables.figures import COMPOSITES, complete_composites, with_parts
from .tables.indicator import indicator_figures
from .tables.inputs import history_note, load_inputs, predecessor_participants

PARTS_LABEL = "cộng bắt buộc và tự nguyện"


@dataclass
class ChildRank:
    unit: Unit
    figure: Figure
    denominator: int | None
    target: int | None
    progress: CoverageFigures | None

    @property
    def participants(self) -> int | None:
        return self.progress.participants if self.progress else None

    @property
    def achievement(self) -> Fraction | None:
        return self.progress.achievement_pct if self.progress else None


@dataclass
class DashboardRow:
    indicator: Indicator
    target: Target | None
    denominator: int | None
    latest_month: Period | None
    figure: Figure
    progress: CoverageFigures | None  # coverage_pct, achievement_pct, remaining
    months: list[Period]
    values: list[int | None]
    path: list[int | None]  # the target path, month by month
    from_parts: bool = False  # a composite shown as the sum of its parts
    history_note: str = ""  # the latest figure is the predecessors' sum (or left empty: a split one)

    @property
    def value(self) -> int | None:
        return self.progress.participants if self.progress else self.figure.value

    @property
    def source_label(self) -> str:
        return PARTS_LABEL if self.from_parts else self.figure.source_label


@dataclass
class Dashboard:
    unit: Unit
    month: Period
    rows: list[DashboardRow]
    ranking_indicator: Indicator | None
    ranking: list[ChildRank]
    ranking_month: Period | None
    indicators: list[Indicator]


def _monthly_targets(unit: Unit, year: int) -> dict[str, dict[int, int]]:
    def load():
        found: dict[str, dict[int, int]] = {}
        for t in Target.objects.filter(unit=unit, agent__isnull=True, year=year, period_type=PeriodType.MONTH,
                                       kind=TargetKind.ASSIGNED).values("indicator__code", "period_number", "count"):
            found.setdefault(t["indicator__code"], {})[t["period_number"]] = t["count"]
        return found

    return memo.remember(f"monthly-targets:{unit.pk}:{year}", (TARGETS, INDICATORS), load)


def _series_values(series: dict[str, list[tuple[Period, Figure]]], codes: list[str]
                   ) -> tuple[dict[str, list[int | None]], set[tuple[str, int]]]:
    """Month by month values per code, with the composites completed; and the (code, month index)
    whose value is the sum of the parts."""
    months = len(next(iter(series.values()), []))
    values = {code: [f.value for _, f in series.get(code, [])] for code in codes}
    from_parts: set[tuple[str, int]] = set()
    for index in range(months):
        done = complete_composites({code: values[code][index] for code in codes})
        for whole in COMPOSITES:
            if whole in values and values[whole][index] is None and done.get(whole) is not None:
                from_parts.add((whole, index))
        for code in codes:
            values[code][index] = done.get(code)
    return values, from_parts


def _fill_from_predecessors(unit: Unit, series: dict[str, list[tuple[Period, Figure]]],
                            indicators: list[Indicator]) -> dict[int, str]:
    """Months before the unit existed read its predecessors' summed figures, as the tables do
    (reports.tables.inputs.predecessor_participants); a unit formed partly from a split one stays
    empty. Returns the note of each month index so read."""
    from units.selectors.lineage import unit_predecessors_on

    notes: dict[int, str] = {}
    if not unit.valid_from:
        return notes
    months = [p for p, _ in next(iter(series.values()), [])]
    indicator_ids = {i.pk: i.code for i in indicators if i.code in series}
    for index, month in enumerate(months):
        if unit.valid_from <= month.end:
            continue
        parts = unit_predecessors_on(unit=unit, on=month.end)
        split = any(p.split for p in parts)
        notes[index] = history_note(parts, split=split)
        if split or not parts:
            continue
        summed = predecessor_participants(parts={unit.pk: [p.unit.pk for p in parts]},
                                          indicator_ids=indicator_ids, period=month)
        for code in series:
            value = summed.get((unit.pk, code))
            if value is not None:
                series[code][index] = (month, Figure(value=value))
    return notes


def unit_dashboard(*, unit: Unit, month: Period, ranking_code: str | None = None) -> Dashboard:
    """For each indicator with a target or a figure this year: the target, the latest figure up to
    `month`, coverage, achievement, remaining and the month-by-month line; the children ranked by
    achievement for one indicator."""
    year = month.year
    indicators = active_indicators()
    codes = [i.code for i in indicators]
    loaded = with_parts(codes)
    series = participants_series(unit=unit, indicators=loaded, start=Period.month(year - 1, 12), end=month,
                                 fields=["participants"])
    catalogue = indicators_by_code()
    notes = _fill_from_predecessors(unit, series, [catalogue[c] for c in loaded if c in catalogue])
    values, from_parts = _series_values(series, loaded)
    # the latest month of the year with a figure, per indicator
    latest: dict[str, int] = {}
    for code in codes:
        for index in range(len(values[code]) - 1, 0, -1):  # index 0 is last December
            if values[code][index] is not None:
                latest[code] = index
                break
    months_in = [p for p, _ in next(iter(series.values()), [])]
    inputs_by_month = {}
    for index in sorted(set(latest.values())):
        inputs_by_month[index] = load_inputs(parent=unit, month=months_in[index], indicator_codes=codes, change_codes=())
    # the targets that apply in the month asked, where no figure has been reported this year
    asked = load_inputs(parent=unit, month=month, indicator_codes=codes, change_codes=()) \
        if len(latest) < len(codes) or not inputs_by_month else None
    monthly_targets = _monthly_targets(unit, year)
    rows = []
    for indicator in indicators:
        code = indicator.code
        index = latest.get(code)
        inputs = inputs_by_month[index] if index is not None else asked
        target = inputs.targets.get((unit.pk, code))
        if target is None and index is None:
            continue
        figures = indicator_figures(inputs, unit, code) if index is not None else None
        kind = inputs.denominator_kinds.get(code, indicator.denominator)
        points = series.get(code, [])
        year_values = values[code][1:] + [None] * (12 - len(values[code][1:]))
        rows.append(DashboardRow(
            indicator=indicator, target=target, denominator=inputs.denominator(unit, kind),
            latest_month=months_in[index] if index is not None else None,
            figure=points[index][1] if index is not None else EMPTY, progress=figures,
            months=[Period.month(year, n) for n in range(1, 13)], values=year_values,
            path=target_path(baseline=values[code][0] if values[code] else None,
                             target=target.count if target else None, monthly=monthly_targets.get(code)),
            from_parts=index is not None and (code, index) in from_parts,
            history_note=notes.get(index if index is not None else len(months_in) - 1, ""),
        ))
    by_code = {i.code: i for i in indicators}
    ranking_indicator = by_code.get(ranking_code) if ranking_code else None
    if ranking_indicator is None and rows:
        ranking_indicator = next((r.indicator for r in rows if r.target), rows[0].indicator)
    ranking: list[ChildRank] = []
    ranking_month = None
    if ranking_indicator is not None:
        row = next((r for r in rows if r.indicator == ranking_indicator), None)
        ranking_month = row.latest_month if row and row.latest_month else month
        inputs = next((i for i in inputs_by_month.values() if i.month == ranking_month), None) or asked
        if inputs is None or inputs.month != ranking_month:
            inputs = load_inputs(parent=unit, month=ranking_month, indicator_codes=codes, change_codes=())
        if inputs.children:
            code = ranking_indicator.code
            sources = participants_for_children(parent=unit, indicators=[code], month=ranking_month,
                                                fields=["participants"])
            for child in inputs.children:
                figures = indicator_figures(inputs, child, code)
                ranking.append(ChildRank(
                    unit=child, figure=sources.get(child.pk, {}).get(code, EMPTY), denominator=figures.denominator,
                    target=figures.target_count, progress=figures if figures.participants is not None else None,
                ))
            ranking.sort(key=lambda r: (r.achievement is None, -(r.achievement or 0), r.unit.code))
    return Dashboard(unit=unit, month=month, rows=rows, ranking_indicator=ranking_indicator, ranking=ranking,
                     ranking_month=ranking_month, indicators=indicators)


def _pct(value) -> str:
    return f"{format_number(value, 2)}%"


# The pictures of the last few thousand sets of figures drawn by this process: a save changes one
# indicator's line of its units, and the other lines of a dashboard are drawn again as they were.
# Pure functions of their (hashable) arguments.
@lru_cache(maxsize=4096)
def _line_svg(labels: tuple, series: tuple, title: str) -> str:
    return charts.line_chart(labels=labels, series=series, title=title, width=560, height=240)


@lru_cache(maxsize=1024)
def _bar_svg(bars: tuple, title: str) -> str:
    return charts.bar_chart(bars=bars, title=title, value_format=_pct, reference=100, reference_label="100%",
                            width=720)


def dashboard_charts(dashboard) -> dict:
    """The SVG pictures of a dashboard (also usable by a PDF renderer): one line per indicator,
    participants against the target path, and the children ranked by achievement."""
    labels = tuple(f"T{m.number}" for m in (dashboard.rows[0].months if dashboard.rows else []))
    lines = {}
    for row in dashboard.rows:
        series = [charts.Series("Số người tham gia", tuple(row.values))]
        if any(v is not None for v in row.path):
            series.append(charts.Series("Lộ trình chỉ tiêu", tuple(row.path), color="#b3261e", dashed=True,
                                        markers=False))
        lines[row.indicator.code] = mark_safe(_line_svg(
            labels, tuple(series), f"{row.indicator.short_name} năm {dashboard.month.year}"))
    ranking = ""
    if dashboard.ranking:
        bars = tuple(charts.Bar(r.unit.name, r.achievement, note=f"({format_number(r.participants)} người)"
                                if r.participants is not None else "") for r in dashboard.ranking)
        title = f"Tỷ lệ đạt so với chỉ tiêu — {dashboard.ranking_indicator.short_name}"
        if dashboard.ranking_month:
            title += f", {dashboard.ranking_month.label.lower()}"
        ranking = mark_safe(_bar_svg(bars, title))
    return {"lines": lines, "ranking": ranking}
