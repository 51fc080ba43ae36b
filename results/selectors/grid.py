"""The entry grid of one reporting unit and month: its columns, rows (the unit, its villages, its
collection agents), the targets and denominators beside each value, the warnings, the foot, and the
participant registry's counts."""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q

from bhxh_portal.compiled import value_rows
from bhxh_portal.numbers import format_number
from units import access
from bhxh_portal import memo
from targets.models import (
    INDICATORS, TARGETS, Demographics, DenominatorKind, Indicator, Target, TargetKind, active_indicators,
)
from results.models import MonthlyReport, MonthlyReportEvent, MonthlyResult, ReportState
from units.models import UNITS, Unit
from units.periods import Period, PeriodType
from results.services import (
    BREAKDOWNS,
    FIELD_LABELS,
    VILLAGE_LEVELS,
    reporting_unit,
)

from .figures import EMPTY, Figure, is_future, participants_for_children, previous_month


# --- targets and denominators ----------------------------------------------------------------------

_PERIOD_RANK = {PeriodType.MONTH: 0, PeriodType.QUARTER: 1, PeriodType.HALF: 2, PeriodType.YEAR: 3}


@dataclass(frozen=True)
class TargetFigure:
    assigned: int | None
    self_set: int | None
    period: Period | None

    @property
    def count(self) -> int | None:
        return self.assigned if self.assigned is not None else self.self_set


def targets_for_month(*, unit_ids: list[int], agent_ids: list[int], codes: list[str], month: Period
                      ) -> dict[tuple[str, int, str], TargetFigure]:
    """{("u"|"a", id, code): TargetFigure}: for each unit or agent, the target of the most specific
    period that contains the month (month, quarter, half, year). One query."""
    qs = Target.objects.filter(year=month.year, indicator__code__in=codes).filter(
        Q(unit_id__in=unit_ids, agent__isnull=True) | Q(agent_id__in=agent_ids))
    best: dict[tuple[str, int, str], dict] = {}
    for t in qs.values("unit_id", "agent_id", "indicator__code", "period_type", "period_number", "kind", "count"):
        period = Period.from_fields(t["period_type"], month.year, t["period_number"])
        if not period.contains(month):
            continue
        key = ("a", t["agent_id"], t["indicator__code"]) if t["agent_id"] else ("u", t["unit_id"], t["indicator__code"])
        rank = _PERIOD_RANK[period.type]
        slot = best.setdefault(key, {"rank": 99})
        if rank < slot["rank"]:
            slot.clear()
            slot.update(rank=rank, period=period)
        if rank == slot["rank"]:
            slot[t["kind"]] = t["count"]
    return {key: TargetFigure(s.get(TargetKind.ASSIGNED), s.get(TargetKind.SELF_SET), s.get("period"))
            for key, s in best.items()}


def denominator_label(indicator: Indicator) -> str:
    return DenominatorKind(indicator.denominator).label.lower()


def cell_warnings(*, field_name: str, value: int | None, last_month: int | None, month: Period,
                  denominator: int | None = None, denominator_name: str = "", participants: int | None = None
                  ) -> list[str]:
    """What the grid flags beside a value: a drop from last month, more than the denominator."""
    if value is None:
        return []
    warnings = []
    cumulative = field_name != "participants"
    if last_month is not None and value < last_month and not (cumulative and month.number == 1):
        warnings.append(f"Giảm {format_number(last_month - value)} so với tháng trước ({format_number(last_month)}).")
    if field_name == "participants" and denominator is not None and value > denominator:
        warnings.append(f"Vượt {denominator_name} ({format_number(denominator)}).")
    if cumulative and participants is not None and value > participants:
        warnings.append(f"Lớn hơn số người tham gia ({format_number(participants)}).")
    return warnings


# --- the entry grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridColumn:
    indicator: Indicator
    field: str

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def key(self) -> str:
        return f"{self.indicator.code}-{self.field}"

    @property
    def label(self) -> str:
        return self.indicator.short_name if self.field == "participants" else FIELD_LABELS[self.field].capitalize()

    @property
    def target_code(self) -> str:
        for code, (whole, field_name) in BREAKDOWNS.items():
            if whole == self.indicator.code and field_name == self.field:
                return code
        return self.indicator.code


@dataclass
class GridCell:
    row_key: str
    column: GridColumn
    value: int | None
    version: int
    last_month: int | None
    target: TargetFigure | None
    denominator: int | None
    warnings: list[str]
    editable: bool
    figure: Figure | None = None  # for a unit: its figure for the column's indicator
    computed: int | None = None  # the unit's figure for this field: own entry, else its children's sum
    row_name: str = ""
    error: str = ""
    attempted: str = ""  # what the user typed, kept in the input when it could not be read

    @property
    def name(self) -> str:
        return f"c-{self.row_key}-{self.column.code}-{self.column.field}"

    @property
    def original_name(self) -> str:
        return f"o-{self.row_key}-{self.column.code}-{self.column.field}"

    @property
    def version_id(self) -> str:
        return f"v-{self.row_key}-{self.column.code}"

    @property
    def dom_id(self) -> str:
        return f"cell-{self.row_key}-{self.column.code}-{self.column.field}"

    @property
    def shown(self) -> str:
        return "" if self.value is None else format_number(self.value)

    @property
    def from_children(self) -> int | None:
        """The children's sum the unit takes while its own cell is empty."""
        return self.computed if self.value is None else None


@dataclass
class GridRow:
    key: str
    kind: str  # "owner" | "village" | "agent"
    unit: Unit
    agent: object | None
    name: str
    cells: list[GridCell]
    versions: dict[str, int]

    def version_id(self, code: str) -> str:
        return f"v-{self.key}-{code}"

    @property
    def version_inputs(self) -> list[tuple[str, int]]:
        return [(self.version_id(code), version) for code, version in self.versions.items()]


@dataclass
class GridFootCell:
    column: GridColumn
    children_sum: int | None
    difference: int | None


@dataclass
class EntryGrid:
    unit: Unit  # the reporting unit
    month: Period
    report: MonthlyReport | None
    columns: list[GridColumn]
    rows: list[GridRow]
    foot: list[GridFootCell]
    other_indicators: list[Indicator]
    events: list[MonthlyReportEvent]
    may_enter: bool
    may_submit: bool
    may_approve: bool
    future: bool
    registry: list = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.report.state if self.report else ReportState.DRAFT

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else "Chưa nhập"

    @property
    def editable(self) -> bool:
        return self.may_enter and not self.future and self.state == ReportState.DRAFT

    @property
    def has_children_rows(self) -> bool:
        return len(self.rows) > 1

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(c.code for c in self.columns))

    def cell(self, row_key: str, code: str, field_name: str) -> GridCell | None:
        for row in self.rows:
            if row.key == row_key:
                return next((c for c in row.cells if c.column.code == code and c.column.field == field_name), None)
        return None

    def row(self, row_key: str) -> GridRow | None:
        return next((r for r in self.rows if r.key == row_key), None)


def _agents_of(unit: Unit, with_results: set[int]) -> list:
    """The unit's collection agents: the active ones, and any other with a result in the grid's months."""
    from agents.models import Agent

    return [a for a in Agent.objects.filter(unit=unit).order_by("name", "pk")
            if a.is_active or a.pk in with_results]


def grid_columns(*, unit_ids: list[int], month: Period, codes: list[str] | None, indicators: list[Indicator]
                 ) -> list[GridColumn]:
    """The indicators of the grid: those asked for; else those with a target this year or a result
    this month or last for the rows; else the three headline ones. Breakdown indicators are the
    'new' and 'renewing' columns of their whole."""
    by_code = {i.code: i for i in indicators}
    if codes:
        chosen = [c for c in codes if c in by_code]
    else:
        used = set(Target.objects.filter(unit_id__in=unit_ids, year=month.year).order_by().values_list(
            "indicator__code", flat=True).distinct())
        before = previous_month(month)
        used |= set(MonthlyResult.objects.filter(unit_id__in=unit_ids).filter(
            Q(year=month.year, month=month.number) | Q(year=before.year, month=before.number)).order_by().values_list(
            "indicator__code", flat=True).distinct())
        chosen = [i.code for i in indicators if i.code in used] or [
            i.code for i in indicators if i.part_of_id is None]
    wholes = []
    for code in chosen:
        whole = BREAKDOWNS[code][0] if code in BREAKDOWNS else code
        if whole in by_code and whole not in wholes:
            wholes.append(whole)
    wholes.sort(key=lambda c: (by_code[c].display_order, c))
    breakdown_wholes = {w for w, _ in BREAKDOWNS.values()}
    columns = []
    for code in wholes:
        columns.append(GridColumn(by_code[code], "participants"))
        if code in breakdown_wholes:
            columns += [GridColumn(by_code[code], "new_participants"), GridColumn(by_code[code], "renewing")]
    return columns


class _StoredResult(NamedTuple):
    unit_id: int
    agent_id: int | None
    indicator_id: int
    year: int
    month: int
    participants: int
    new_participants: int | None
    renewing: int | None
    version: int


@dataclass(frozen=True)
class _GridData:
    """What every row of the grid reads from: loaded once for the whole grid."""

    month: Period
    before: Period
    columns: list
    stored: dict
    now: dict
    last: dict
    targets: dict
    demographics: dict
    editable: bool


def _grid_row(data: _GridData, key: str, kind: str, row_unit: Unit, agent, name: str) -> GridRow:
    """One row of the grid (the unit, a village or an agent): its cells, their versions and warnings."""
    cells, versions = [], {}
    record = None if agent is not None else data.demographics.get(row_unit.pk)
    for column in data.columns:
        indicator = column.indicator
        current = data.stored.get((key, indicator.pk, data.month.year, data.month.number))
        previous = data.stored.get((key, indicator.pk, data.before.year, data.before.number))
        versions[column.code] = current.version if current else 0
        value = getattr(current, column.field) if current else None
        figure, computed = None, None
        if agent is None:
            figure_now = data.now.get(row_unit.pk, {}).get(column.code, EMPTY)
            figure_before = data.last.get(row_unit.pk, {}).get(column.code, EMPTY)
            last_value = {"participants": figure_before.value, "new_participants": figure_before.new,
                          "renewing": figure_before.renewing}[column.field]
            figure = figure_now
            computed = {"participants": figure_now.value, "new_participants": figure_now.new,
                        "renewing": figure_now.renewing}[column.field]
        else:
            last_value = getattr(previous, column.field) if previous else None
        target = data.targets.get(("a", agent.pk, column.target_code) if agent is not None
                                  else ("u", row_unit.pk, column.target_code))
        denominator = record.value_of(indicator.denominator) if record and column.field == "participants" else None
        cells.append(GridCell(
            row_key=key, column=column, value=value, version=versions[column.code], last_month=last_value,
            target=target, denominator=denominator, editable=data.editable, figure=figure, row_name=name,
            computed=computed,
            warnings=cell_warnings(field_name=column.field, value=value, last_month=last_value, month=data.month,
                                   denominator=denominator, denominator_name=denominator_label(indicator),
                                   participants=current.participants if current else None),
        ))
    return GridRow(key=key, kind=kind, unit=row_unit, agent=agent, name=name, cells=cells, versions=versions)


def _foot_cell(column: GridColumn, figure: Figure, own: int | None, parts: list[int]) -> GridFootCell:
    """The foot of a column: the children's sum beside the unit's own entry (the participants from
    the unit's figure, the cumulative fields from the children rows' values)."""
    if column.field == "participants":
        children_sum, own = figure.children_sum, figure.own
    else:
        children_sum = sum(parts) if parts else None
    difference = None if own is None or children_sum is None else own - children_sum
    return GridFootCell(column=column, children_sum=children_sum, difference=difference)


def _grid_foot(columns: list, rows: list[GridRow], now: dict, owner: Unit) -> list[GridFootCell]:
    """The foot of each column of the grid."""
    return [_foot_cell(column, now.get(owner.pk, {}).get(column.code, EMPTY), rows[0].cells[index].value,
                       [c.value for r in rows[1:] for c in r.cells if c.column == column and c.value is not None])
            for index, column in enumerate(columns)]


def _villages(owner: Unit, month: Period) -> list[Unit]:
    """The owner's villages in the month; one list per process, which its callers only read."""
    return memo.remember(f"villages:{owner.pk}:{month.key}", (UNITS,), lambda: list(
        Unit.objects.filter(parent=owner, level__code__in=VILLAGE_LEVELS).valid_on(month.end)
        .select_related("level").order_by("code")), shared=True)


def _months_of(month: Period, before: Period) -> Q:
    return _two_months(month.year, month.number, before.year, before.number)


def _two_months(year: int, month: int, year_before: int, month_before: int) -> Q:
    return Q(year=year, month=month) | Q(year=year_before, month=month_before)


def entry_grid(*, unit: Unit, month: Period, user, codes: list[str] | None = None,
               with_registry: bool = True) -> EntryGrid:
    """The grid of a reporting unit for a month: the unit, its villages, its collection agents; for
    each cell the stored value and version, last month's figure, the target and the warnings.
    A fixed number of queries whatever the number of villages and agents."""
    owner = reporting_unit(unit)
    before = previous_month(month)
    all_indicators = active_indicators()
    indicators = [i for i in all_indicators if i.code not in BREAKDOWNS]
    villages = _villages(owner, month)
    row_units = [owner, *villages]
    unit_ids = [u.pk for u in row_units]
    # The stored values as plain rows (a grid reads a few hundred; a model instance each costs more
    # than the rest of the row's work).
    results = [_StoredResult(*row) for row in MonthlyResult.objects.filter(unit_id__in=unit_ids).filter(
        _months_of(month, before)).order_by().values_list(*_StoredResult._fields)]
    agent_ids_with_results = {r.agent_id for r in results if r.agent_id}
    agents = _agents_of(owner, agent_ids_with_results)
    columns = grid_columns(unit_ids=unit_ids, month=month, codes=codes, indicators=all_indicators)
    column_codes = list(dict.fromkeys(c.code for c in columns))
    target_codes = list(dict.fromkeys(c.target_code for c in columns))
    agent_ids = [a.pk for a in agents]
    targets, demographics = memo.remember(
        f"grid-reference:{owner.pk}:{month.key}:{','.join(target_codes)}:{','.join(map(str, agent_ids))}",
        (UNITS, TARGETS, INDICATORS),
        lambda: (targets_for_month(unit_ids=unit_ids, agent_ids=agent_ids, codes=target_codes, month=month),
                 {d.unit_id: d for d in Demographics.objects.filter(unit_id__in=unit_ids, year=month.year)}))
    now = participants_for_children(parent=owner, indicators=column_codes, month=month)
    last = participants_for_children(parent=owner, indicators=column_codes, month=before)
    stored: dict[tuple, _StoredResult] = {}
    for r in results:
        row_key = f"a{r.agent_id}" if r.agent_id else f"u{r.unit_id}"
        stored[(row_key, r.indicator_id, r.year, r.month)] = r
    by_code = {i.code: i for i in all_indicators}
    report = MonthlyReport.objects.select_related("submitted_by", "approved_by", "returned_by", "reopened_by").filter(
        unit=owner, year=month.year, month=month.number).order_by("pk").first()
    future = is_future(month)
    may_enter = access.can(user, "results.enter", owner)
    editable = may_enter and not future and (report is None or report.is_editable)
    data = _GridData(month=month, before=before, columns=columns, stored=stored, now=now, last=last,
                     targets=targets, demographics=demographics, editable=editable)
    rows = [_grid_row(data, f"u{owner.pk}", "owner", owner, None, owner.name)]
    rows += [_grid_row(data, f"u{v.pk}", "village", v, None, v.name) for v in villages]
    rows += [_grid_row(data, f"a{a.pk}", "agent", owner, a, a.name) for a in agents]
    foot = _grid_foot(columns, rows, now, owner)
    shown = {c.code for c in columns}
    other = [by_code[i.code] for i in indicators if i.code not in shown]
    registry = []
    if with_registry:
        entered = {c.target_code: rows[0].cells[i].computed if rows[0].cells[i].value is None
                   else rows[0].cells[i].value for i, c in enumerate(columns)}
        registry = _registry(owner, month, entered, {i.code: i.short_name for i in all_indicators})
    return EntryGrid(
        unit=owner, month=month, report=report, columns=columns, rows=rows, foot=foot, other_indicators=other,
        events=list(report.events.select_related("by").order_by("-at", "-id")) if report else [],
        may_enter=may_enter, may_submit=access.can(user, "results.submit", owner),
        may_approve=access.can(user, "results.approve", owner),
        future=future, registry=registry,
    )


@dataclass
class CellAnswer:
    """What the grid's answer to the save of one cell shows: the cell, the unit's own cell of the
    column's indicator (its placeholder is the children's sum) and the foot of the indicator's columns."""

    unit: Unit  # the reporting unit
    cell: GridCell
    row: GridRow
    own_cell: GridCell | None
    foot: list[GridFootCell]
    has_children_rows: bool


def _stored_of(*, units: tuple[int, ...], indicator: int, year: int, month: int, year_before: int,
               month_before: int):
    """The stored rows of one indicator of these units, in a month and the month before."""
    return MonthlyResult.objects.filter(unit_id__in=units, indicator_id=indicator).filter(
        _two_months(year, month, year_before, month_before)).order_by().values_list(*_StoredResult._fields)


def entry_cell(*, unit: Unit, month: Period, user, row_key: str, code: str, field_name: str, row_unit: Unit,
               agent=None, report: MonthlyReport | None = None) -> CellAnswer | None:
    """One cell of the grid as entry_grid shows it (same rows, rules and figures), read from the
    cell's own row, the unit's row and the unit's sums instead of the whole grid: the answer to a
    save. `report`: the month's report if the caller has just read it (the save, under its lock).
    None when the grid has no such cell."""
    owner = reporting_unit(unit)
    before = previous_month(month)
    columns = grid_columns(unit_ids=[], month=month, codes=[code], indicators=active_indicators())
    if not any(c.field == field_name for c in columns):
        return None
    indicator = columns[0].indicator
    villages = _villages(owner, month)
    village_ids = {v.pk for v in villages}
    owner_key = f"u{owner.pk}"
    if agent is None and row_unit.pk != owner.pk and row_unit.pk not in village_ids:
        return None
    # Compiled once per shape (bhxh_portal.compiled): every grid save reads it.
    results = [_StoredResult(*row) for row in value_rows(
        _stored_of, units=(owner.pk, *sorted(village_ids)), indicator=indicator.pk, year=month.year,
        month=month.number, year_before=before.year, month_before=before.number)]
    stored = {(f"a{r.agent_id}" if r.agent_id else f"u{r.unit_id}", r.indicator_id, r.year, r.month): r
              for r in results}
    agents_shown = None
    if agent is not None or not villages:  # the agents' rows matter: is the row in the grid, has it children rows
        with_results = set(MonthlyResult.objects.filter(unit=owner, agent__isnull=False).filter(
            _months_of(month, before)).order_by().values_list("agent_id", flat=True).distinct())
        agents_shown = {a.pk for a in _agents_of(owner, with_results)}
        if agent is not None and agent.pk not in agents_shown:
            return None
    unit_ids = list(dict.fromkeys([owner.pk, row_unit.pk]))
    agent_ids = [agent.pk] if agent is not None else []
    targets, demographics = memo.remember(
        f"cell-reference:{owner.pk}:{month.key}:{','.join(c.target_code for c in columns)}:{row_key}",
        (UNITS, TARGETS, INDICATORS),
        lambda: (targets_for_month(unit_ids=unit_ids, agent_ids=agent_ids,
                                   codes=list(dict.fromkeys(c.target_code for c in columns)), month=month),
                 {d.unit_id: d for d in Demographics.objects.filter(unit_id__in=unit_ids, year=month.year)}))
    now = participants_for_children(parent=owner, indicators=[code], month=month)
    last = participants_for_children(parent=owner, indicators=[code], month=before)
    if report is None:
        state = MonthlyReport.objects.filter(unit=owner, year=month.year, month=month.number).order_by(
            "pk").values_list("state", flat=True).first()
    else:
        state = report.state
    may_enter = access.can(user, "results.enter", owner)
    editable = may_enter and not is_future(month) and state in (None, ReportState.DRAFT)
    data = _GridData(month=month, before=before, columns=columns, stored=stored, now=now, last=last,
                     targets=targets, demographics=demographics, editable=editable)
    owner_row = _grid_row(data, owner_key, "owner", owner, None, owner.name)
    if row_key == owner_key:
        row = owner_row
    elif agent is not None:
        row = _grid_row(data, row_key, "agent", owner, agent, agent.name)
    else:
        row = _grid_row(data, row_key, "village", row_unit, None, row_unit.name)
    cell = next(c for c in row.cells if c.column.field == field_name)
    own_cell = owner_row.cells[0]  # the participants column comes first
    if own_cell is cell or own_cell.from_children is None:
        own_cell = None
    children = [r for key, r in stored.items() if key != (owner_key, indicator.pk, month.year, month.number)
                and key[2:] == (month.year, month.number)
                and (r.unit_id == owner.pk if r.agent_id else r.unit_id in village_ids)]
    foot = [_foot_cell(column, now.get(owner.pk, {}).get(code, EMPTY), owner_row.cells[index].value,
                       [v for r in children if (v := getattr(r, column.field)) is not None])
            for index, column in enumerate(columns)]
    return CellAnswer(unit=owner, cell=cell, row=row, own_cell=own_cell, foot=foot,
                      has_children_rows=bool(villages) or bool(agents_shown))


@dataclass(frozen=True)
class RegistryLine:
    label: str
    registry: int
    entered: int | None

    @property
    def difference(self) -> int | None:
        return None if self.entered is None else self.entered - self.registry


def _registry(unit: Unit, month: Period, entered: dict[str, int | None], labels: dict[str, str]
              ) -> list[RegistryLine]:
    """The participant registry's count (people with an enrolment in force at the end of the
    month, agents.selectors) beside the figures of the grid; one query."""
    try:
        from agents.selectors import active_enrolment_counts
    except ImportError:  # the agents app without its selectors
        return []
    counts = active_enrolment_counts(unit=unit, month=month.start)
    codes = [c for c in labels if c in counts or entered.get(c) is not None]
    return [RegistryLine(labels[c], counts.get(c, 0), entered.get(c)) for c in codes
            if counts.get(c) or entered.get(c) is not None]
