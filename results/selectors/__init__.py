"""Reads of the monthly results, each in a fixed number of queries whatever the size of
the tree: one query over the subtree by path prefix, aggregated bottom-up in Python.

Public API for the reports, the plans and the dashboards (stable; keyword arguments only):

``participants_for_children(*, parent, indicators, month, approved_only=False)``
    -> ``{unit_id: {indicator_code: Figure}}`` for `parent` and each of its children valid in the
    month. `indicators`: codes or Indicator objects; `month`: a month Period (or '2023-06', or a
    date in the month). Two queries (the subtree's units, the subtree's results).

``participants_series(*, unit, indicators, start, end, approved_only=False)``
    -> ``{indicator_code: [(month, Figure), ...]}`` for every month from `start` to `end`
    (month Periods), the unit's own figure each month. Two queries.

``participants_at(*, unit_ids, indicator_ids, period)``
    -> ``{(unit_id, indicator_id): participants}`` at the end of `period` or the latest month
    within it that has a figure; registered as the participants source of targets.progress.

The rule (DOMAIN.md, monthly results): a unit with an entry of its own shows it (BHXH's 132.600 for the
district); a unit without one takes the sum of its children's figures, recursively; a unit's
collection agents count among its children (their targets are part of the unit's split). The
breakdown indicators bhxh_tn_moi and bhxh_tn_tai_tuc are the `new_participants` and `renewing`
fields of bhxh_tn, summed by the same rule field by field.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone

from bhxh_portal.numbers import format_number
from units import access
from targets.models import Demographics, DenominatorKind, Indicator, Target, TargetKind
from results.models import MonthlyReport, MonthlyReportEvent, MonthlyResult, ReportState
from units.models import Membership, Role, Unit
from results.models import display_name
from units.periods import Period, PeriodType
from results.services import (
    BREAKDOWNS,
    FIELD_LABELS,
    FIELDS,
    VILLAGE_LEVELS,
    can_approve_report,
    can_enter_results,
    can_submit_report,
    reporting_unit,
)

OWN = "own"
CHILDREN = "children"
SOURCE_LABELS = {OWN: "tự nhập", CHILDREN: "cộng cấp dưới"}


# --- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """What a unit shows for an indicator and month, and where it comes from."""

    value: int | None = None  # own entry if any, else the children's sum; None when nothing is known
    own: int | None = None  # the unit's own entry
    children_sum: int | None = None  # sum of the children's figures (and the unit's agents)
    source: str | None = None  # OWN | CHILDREN | None
    approved: bool = False  # every entry behind `value` is in an approved report
    reporting_children: int = 0  # how many children (and agents) have a figure
    children: int = 0  # how many children the unit has in the month (agents not counted)
    new: int | None = None  # newly mobilised since the start of the year, same rule
    renewing: int | None = None  # renewing since the start of the year, same rule

    @property
    def is_own(self) -> bool:
        return self.source == OWN

    @property
    def difference(self) -> int | None:
        """Own entry − children's sum, when both exist."""
        if self.own is None or self.children_sum is None:
            return None
        return self.own - self.children_sum

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, "")

    @property
    def incomplete(self) -> bool:
        """A children's sum some children are missing from (they have no figure this month)."""
        return self.source == CHILDREN and self.reporting_children < self.children


EMPTY = Figure()


@dataclass
class _Sum:
    value: int | None
    own: int | None
    children_sum: int | None
    source: str | None
    approved: bool
    reporting_children: int
    children: int


def as_month(month) -> Period:
    if isinstance(month, Period):
        if month.type != PeriodType.MONTH:
            raise ValueError(f"{month.label} không phải là một tháng.")
        return month
    if isinstance(month, datetime.date):
        return Period.containing(month)
    period = Period.parse(str(month))
    if period.type != PeriodType.MONTH:
        raise ValueError(f"'{month}' không phải là một tháng (vd: 2023-06).")
    return period


def previous_month(month: Period) -> Period:
    return Period.month(month.year - 1, 12) if month.number == 1 else Period.month(month.year, month.number - 1)


def next_month(month: Period) -> Period:
    return Period.month(month.year + 1, 1) if month.number == 12 else Period.month(month.year, month.number + 1)


def months_between(start: Period, end: Period) -> list[Period]:
    months, current = [], as_month(start)
    end = as_month(end)
    while current.sort_key <= end.sort_key:
        months.append(current)
        current = next_month(current)
    return months


def _codes(indicators: Iterable) -> list[str]:
    return list(dict.fromkeys(getattr(i, "code", i) for i in indicators))


def _stored_keys(codes: Iterable[str], fields: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The (stored indicator, field) pairs behind the codes asked for (`fields`: of FIELDS, for the
    codes that are not breakdowns; all by default)."""
    fields = FIELDS if fields is None else [f for f in FIELDS if f in set(fields)]
    keys: list[tuple[str, str]] = []
    for code in codes:
        if code in BREAKDOWNS:
            keys.append(BREAKDOWNS[code])
        else:
            keys.extend((code, f) for f in fields)
    return list(dict.fromkeys(keys))


def _months_q(start: Period, end: Period) -> Q:
    if start.year == end.year:
        return Q(year=start.year, month__gte=start.number, month__lte=end.number)
    return (Q(year=start.year, month__gte=start.number) | Q(year__gt=start.year, year__lt=end.year)
            | Q(year=end.year, month__lte=end.number))


def _paths_q(paths: Iterable[str], field_name: str = "path") -> Q:
    condition = Q(pk__in=[])
    for path in access._outermost(paths):
        condition |= Q(**{f"{field_name}__startswith": path})
    return condition


@dataclass
class _Tree:
    children: dict[int, list[int]]
    order: list[int]  # deepest first
    paths: dict[int, str] = field(default_factory=dict)  # of the roots


def _valid_between(start: datetime.date, end: datetime.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=end)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=start))


def _tree_of(rows: list[tuple], root_ids: set[int]) -> _Tree:
    present = {r[0] for r in rows}
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id, _, _ in rows:
        if parent_id in present:
            children[parent_id].append(pk)
    order = [r[0] for r in sorted(rows, key=lambda r: -r[2])]
    return _Tree(children=children, order=order, paths={r[0]: r[3] for r in rows if r[0] in root_ids})


def _load_tree(roots: list[Unit], start: datetime.date, end: datetime.date) -> _Tree:
    """Every unit under the roots valid at some time between start and end: one query."""
    ids = {u.pk for u in roots}
    rows = list(Unit.objects.filter(_paths_q(u.path for u in roots))
                .filter(Q(pk__in=ids) | _valid_between(start, end))
                .values_list("id", "parent_id", "depth", "path"))
    return _tree_of(rows, ids)


def _load_tree_of_ids(unit_ids: set[int], start: datetime.date, end: datetime.date) -> _Tree:
    """The same from unit ids alone, roots included: one query (a unit belongs when the path of one
    of the roots is a prefix of its own)."""
    root_is_prefix = Unit.objects.filter(pk__in=unit_ids, path=Substr(OuterRef("path"), 1, Length("path")))
    rows = list(Unit.objects.filter(Exists(root_is_prefix))
                .filter(Q(pk__in=unit_ids) | _valid_between(start, end))
                .values_list("id", "parent_id", "depth", "path"))
    return _tree_of(rows, unit_ids)


ROW_COLUMNS = ("unit_id", "agent_id", "indicator__code", "year", "month", *FIELDS, "report__state")
_UNIT, _AGENT, _CODE, _YEAR, _MONTH = range(5)
_FIELD = {name: 5 + i for i, name in enumerate(FIELDS)}
_STATE = 5 + len(FIELDS)


def _load_rows(roots: list[Unit] | list[str], codes: list[str], start: Period, end: Period, approved_only: bool
               ) -> list[dict]:
    paths = [getattr(r, "path", r) for r in roots]
    qs = MonthlyResult.objects.filter(_paths_q(paths, "unit__path"), _months_q(start, end),
                                      indicator__code__in=codes)
    if approved_only:
        qs = qs.filter(report__state=ReportState.APPROVED)
    # Tuples, not dicts (a district's year is 15.000 rows), in the order of ROW_COLUMNS; no ORDER BY
    # (the model's ordering by path would sort every row; the callers group them).
    return list(qs.order_by().values_list(*ROW_COLUMNS))


def _aggregate(tree: _Tree, rows: list[tuple], keys: list[tuple[str, str]],
               only: set[int] | None = None) -> dict[tuple, _Sum]:
    """Bottom-up over the tree, for one month: {(unit_id, code, field): _Sum} for the units in
    `only` (every unit by default). Each unit's figure is added to its parent's running sum as soon
    as it is known (deepest units first), and a unit is only looked at for the (code, field) pairs
    it has figures for: one pass over what exists. The units outside `only` pass their figure up
    without a _Sum of their own (a dashboard needs one unit's figures, not its 1.500 villages')."""
    own: dict[int, dict[tuple, tuple[int, bool]]] = defaultdict(dict)
    # unit_id -> {(code, field): [sum, all approved, count]} of its children's figures and its agents'
    partial: dict[int, dict[tuple, list]] = defaultdict(dict)
    wanted = defaultdict(list)
    for code, field_name in keys:
        wanted[code].append(field_name)

    def add(unit_id: int, key: tuple, value: int, approved: bool) -> None:
        found = partial[unit_id].get(key)
        if found is None:
            partial[unit_id][key] = [value, approved, 1]
        else:
            found[0] += value
            found[1] = found[1] and approved
            found[2] += 1

    for row in rows:
        approved = row[_STATE] == ReportState.APPROVED
        code = row[_CODE]
        for field_name in wanted.get(code, ()):
            value = row[_FIELD[field_name]]
            if value is None:
                continue
            if row[_AGENT]:
                add(row[_UNIT], (code, field_name), value, approved)
            else:
                own[row[_UNIT]][(code, field_name)] = (value, approved)
    parent_of = {kid: pk for pk, kids in tree.children.items() for kid in kids}
    sums: dict[tuple, _Sum] = {}
    for unit_id in tree.order:
        mine_here, parts_here = own.get(unit_id), partial.get(unit_id)
        if not mine_here and not parts_here:
            continue
        parent = parent_of.get(unit_id)
        keep = only is None or unit_id in only
        kids = len(tree.children.get(unit_id, ())) if keep else 0
        present = (mine_here or {}).keys() | (parts_here or {}).keys()
        for key in present:
            parts = parts_here.get(key) if parts_here else None
            mine = mine_here.get(key) if mine_here else None
            if not keep:  # only its figure matters, to its parent
                if parent is not None:
                    if mine is not None:
                        add(parent, key, mine[0], mine[1])
                    elif parts is not None:
                        add(parent, key, parts[0], parts[1])
                continue
            if parts is None:
                children_sum, children_approved, reporting = None, True, 0
            else:
                children_sum, children_approved, reporting = parts
            if mine is not None:
                found = _Sum(mine[0], mine[0], children_sum, OWN, mine[1], reporting, kids)
            else:
                found = _Sum(children_sum, None, children_sum, CHILDREN, children_approved, reporting, kids)
            sums[(unit_id, *key)] = found
            if parent is not None and found.value is not None:
                add(parent, key, found.value, found.approved)
    return sums


def _figure(sums: dict[tuple, _Sum], unit_id: int, code: str) -> Figure:
    if code in BREAKDOWNS:
        whole, field_name = BREAKDOWNS[code]
        s = sums.get((unit_id, whole, field_name))
        return Figure(s.value, s.own, s.children_sum, s.source, s.approved, s.reporting_children,
                      s.children) if s else EMPTY
    s = sums.get((unit_id, code, "participants"))
    new = sums.get((unit_id, code, "new_participants"))
    renewing = sums.get((unit_id, code, "renewing"))
    if s is None:
        return Figure(new=new.value if new else None, renewing=renewing.value if renewing else None)
    return Figure(s.value, s.own, s.children_sum, s.source, s.approved, s.reporting_children, s.children,
                  new.value if new else None, renewing.value if renewing else None)


def _by_month(rows: list[tuple]) -> dict[tuple[int, int], list[tuple]]:
    grouped: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        grouped[(row[_YEAR], row[_MONTH])].append(row)
    return grouped


def participants_for_children(*, parent: Unit, indicators: Iterable, month, approved_only: bool = False,
                              fields: Iterable[str] | None = None) -> dict[int, dict[str, Figure]]:
    """For `parent` and each child valid in the month: {unit_id: {code: Figure}} (see the module).
    `fields` limits the sums to some of FIELDS (the coverage tables need only the participants);
    the others are then None in the figures."""
    month = as_month(month)
    codes = _codes(indicators)
    keys = _stored_keys(codes, fields)
    tree = _load_tree([parent], month.start, month.end)
    rows = _load_rows([parent], list({c for c, _ in keys}), month, month, approved_only) if keys else []
    shown = [parent.pk, *tree.children.get(parent.pk, [])]
    sums = _aggregate(tree, rows, keys, only=set(shown))
    return {unit_id: {code: _figure(sums, unit_id, code) for code in codes} for unit_id in shown}


def participants_series(*, unit: Unit, indicators: Iterable, start, end, approved_only: bool = False,
                        fields: Iterable[str] | None = None) -> dict[str, list[tuple[Period, Figure]]]:
    """The unit's figure for each month from start to end, per indicator code (`fields` as in
    participants_for_children)."""
    start, end = as_month(start), as_month(end)
    codes = _codes(indicators)
    keys = _stored_keys(codes, fields)
    tree = _load_tree([unit], start.start, end.end)
    rows = _by_month(_load_rows([unit], list({c for c, _ in keys}), start, end, approved_only) if keys else [])
    series: dict[str, list[tuple[Period, Figure]]] = {code: [] for code in codes}
    for month in months_between(start, end):
        sums = _aggregate(tree, rows.get((month.year, month.number), []), keys, only={unit.pk}) if keys else {}
        for code in codes:
            series[code].append((month, _figure(sums, unit.pk, code)))
    return series


def participants_at(*, unit_ids, indicator_ids, period: Period) -> dict[tuple[int, int], int]:
    """The participants source of targets.progress: at the end of the period, or the latest month
    within it that has a figure. Three queries whatever the number of units."""
    unit_ids = set(unit_ids)
    indicators = dict(Indicator.objects.filter(pk__in=list(indicator_ids)).values_list("code", "pk"))
    if not unit_ids or not indicators:
        return {}
    months = period.months if period.type != PeriodType.MONTH else [period]
    keys = _stored_keys(indicators)
    tree = _load_tree_of_ids(unit_ids, months[0].start, months[-1].end)
    if not tree.paths:
        return {}
    rows = _by_month(_load_rows(list(tree.paths.values()), list({c for c, _ in keys}), months[0], months[-1],
                                False))
    units = sorted(tree.paths)
    found: dict[tuple[int, int], int] = {}
    for month in reversed(months):  # latest first
        month_rows = rows.get((month.year, month.number))
        if not month_rows:
            continue
        sums = _aggregate(tree, month_rows, keys, only=set(units))
        for unit_id in units:
            for code, indicator_id in indicators.items():
                if (unit_id, indicator_id) in found:
                    continue
                value = _figure(sums, unit_id, code).value
                if value is not None:
                    found[(unit_id, indicator_id)] = value
        if len(found) == len(units) * len(indicators):  # every figure found: the earlier months do not matter
            break
    return found


# --- months and deadlines --------------------------------------------------------------------------


def due_day() -> int:
    """Results of a month are due on this day of the next month (setting RESULTS_DUE_DAY, default 5)."""
    return int(getattr(settings, "RESULTS_DUE_DAY", 5))


def due_date(month: Period) -> datetime.date:
    following = next_month(month)
    return datetime.date(following.year, following.number, min(due_day(), 28))


def default_month(today: datetime.date | None = None) -> Period:
    """The month being reported: last month until its due day, then the month in progress."""
    today = today or timezone.localdate()
    current = Period.containing(today)
    return previous_month(current) if today.day <= due_day() else current


def is_future(month: Period, today: datetime.date | None = None) -> bool:
    return month.start > (today or timezone.localdate())


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


def entry_grid(*, unit: Unit, month: Period, user, codes: list[str] | None = None,
               with_registry: bool = True) -> EntryGrid:
    """The grid of a reporting unit for a month: the unit, its villages, its collection agents; for
    each cell the stored value and version, last month's figure, the target and the warnings.
    A fixed number of queries whatever the number of villages and agents."""
    owner = reporting_unit(unit)
    before = previous_month(month)
    all_indicators = list(Indicator.objects.filter(is_active=True))
    indicators = [i for i in all_indicators if i.code not in BREAKDOWNS]
    villages = list(Unit.objects.filter(parent=owner, level__code__in=VILLAGE_LEVELS).valid_on(month.end)
                    .select_related("level").order_by("code"))
    row_units = [owner, *villages]
    unit_ids = [u.pk for u in row_units]
    results = list(MonthlyResult.objects.filter(unit_id__in=unit_ids).filter(
        Q(year=month.year, month=month.number) | Q(year=before.year, month=before.number)))
    agent_ids_with_results = {r.agent_id for r in results if r.agent_id}
    agents = _agents_of(owner, agent_ids_with_results)
    columns = grid_columns(unit_ids=unit_ids, month=month, codes=codes, indicators=all_indicators)
    column_codes = list(dict.fromkeys(c.code for c in columns))
    target_codes = list(dict.fromkeys(c.target_code for c in columns))
    targets = targets_for_month(unit_ids=unit_ids, agent_ids=[a.pk for a in agents], codes=target_codes, month=month)
    demographics = {d.unit_id: d for d in Demographics.objects.filter(unit_id__in=unit_ids, year=month.year)}
    now = participants_for_children(parent=owner, indicators=column_codes, month=month)
    last = participants_for_children(parent=owner, indicators=column_codes, month=before)
    stored: dict[tuple, MonthlyResult] = {}
    for r in results:
        row_key = f"a{r.agent_id}" if r.agent_id else f"u{r.unit_id}"
        stored[(row_key, r.indicator_id, r.year, r.month)] = r
    by_code = {i.code: i for i in all_indicators}
    report = MonthlyReport.objects.select_related("submitted_by", "approved_by", "returned_by", "reopened_by").filter(
        unit=owner, year=month.year, month=month.number).first()
    future = is_future(month)
    may_enter = can_enter_results(user, owner)
    editable = may_enter and not future and (report is None or report.is_editable)

    def make_row(key: str, kind: str, row_unit: Unit, agent, name: str) -> GridRow:
        cells, versions = [], {}
        record = None if agent is not None else demographics.get(row_unit.pk)
        for column in columns:
            indicator = column.indicator
            current = stored.get((key, indicator.pk, month.year, month.number))
            previous = stored.get((key, indicator.pk, before.year, before.number))
            versions[column.code] = current.version if current else 0
            value = getattr(current, column.field) if current else None
            figure, computed = None, None
            if agent is None:
                figure_now = now.get(row_unit.pk, {}).get(column.code, EMPTY)
                figure_before = last.get(row_unit.pk, {}).get(column.code, EMPTY)
                last_value = {"participants": figure_before.value, "new_participants": figure_before.new,
                              "renewing": figure_before.renewing}[column.field]
                figure = figure_now
                computed = {"participants": figure_now.value, "new_participants": figure_now.new,
                            "renewing": figure_now.renewing}[column.field]
            else:
                last_value = getattr(previous, column.field) if previous else None
            target = targets.get(("a", agent.pk, column.target_code) if agent is not None
                                 else ("u", row_unit.pk, column.target_code))
            denominator = record.value_of(indicator.denominator) if record and column.field == "participants" else None
            cells.append(GridCell(
                row_key=key, column=column, value=value, version=versions[column.code], last_month=last_value,
                target=target, denominator=denominator, editable=editable, figure=figure, row_name=name,
                computed=computed,
                warnings=cell_warnings(field_name=column.field, value=value, last_month=last_value, month=month,
                                       denominator=denominator, denominator_name=denominator_label(indicator),
                                       participants=current.participants if current else None),
            ))
        return GridRow(key=key, kind=kind, unit=row_unit, agent=agent, name=name, cells=cells, versions=versions)

    rows = [make_row(f"u{owner.pk}", "owner", owner, None, owner.name)]
    rows += [make_row(f"u{v.pk}", "village", v, None, v.name) for v in villages]
    rows += [make_row(f"a{a.pk}", "agent", owner, a, a.name) for a in agents]
    foot = []
    for column in columns:
        figure = now.get(owner.pk, {}).get(column.code, EMPTY)
        if column.field == "participants":
            children_sum, own = figure.children_sum, figure.own
        else:
            parts = [c.value for r in rows[1:] for c in r.cells if c.column == column and c.value is not None]
            children_sum = sum(parts) if parts else None
            own = rows[0].cells[columns.index(column)].value
        difference = None if own is None or children_sum is None else own - children_sum
        foot.append(GridFootCell(column=column, children_sum=children_sum, difference=difference))
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
        may_enter=may_enter, may_submit=can_submit_report(user, owner), may_approve=can_approve_report(user, owner),
        future=future, registry=registry,
    )


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


# --- history ---------------------------------------------------------------------------------------

_ACTIONS = {"+": "Nhập", "~": "Sửa", "-": "Xóa"}


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    action: str
    row: str
    indicator: str
    changes: list[tuple[str, str, str]]
    reason: str
    workflow: bool = False


def _shown(value) -> str:
    return "" if value is None else format_number(value)


def results_history(*, unit: Unit, month: Period, limit: int = 500) -> list[HistoryEntry]:
    """Every change to the figures of a reporting unit's month (who, when, old → new) and every
    step of its workflow, newest first. Two queries."""
    owner = reporting_unit(unit)
    records = list(MonthlyResult.history.filter(report__unit=owner, year=month.year, month=month.number)
                   .select_related("history_user", "unit", "agent", "indicator")
                   .order_by("id", "history_date", "history_id"))
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        if previous is not None and previous.id != record.id:
            previous = None
        changes = []
        for name in FIELDS:
            new = getattr(record, name)
            old = getattr(previous, name) if previous is not None else None
            if record.history_type == "-":
                if new is not None:
                    changes.append((FIELD_LABELS[name], _shown(new), ""))
            elif previous is None:
                if new is not None:
                    changes.append((FIELD_LABELS[name], "", _shown(new)))
            elif old != new:
                changes.append((FIELD_LABELS[name], _shown(old), _shown(new)))
        entries.append(HistoryEntry(
            when=record.history_date, who=display_name(record.history_user),
            action=_ACTIONS.get(record.history_type, record.history_type),
            row=record.agent.name if record.agent_id and record.agent else record.unit.name,
            indicator=str(record.indicator), changes=changes, reason=record.history_change_reason or "",
        ))
        previous = record
    for event in MonthlyReportEvent.objects.filter(report__unit=owner, report__year=month.year,
                                                   report__month=month.number).select_related("by"):
        entries.append(HistoryEntry(
            when=event.at, who=display_name(event.by), action=event.get_action_display(), row=owner.name,
            indicator="", changes=[("trạng thái", ReportState(event.from_state).label,
                                    ReportState(event.to_state).label)],
            reason=event.reason, workflow=True,
        ))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


# --- completeness ----------------------------------------------------------------------------------


@dataclass
class CompletenessRow:
    unit: Unit
    report: MonthlyReport | None
    results: int
    late: bool
    submitted_late: bool
    officials: list

    @property
    def state(self) -> str:
        return self.report.state if self.report else "none"

    @property
    def state_label(self) -> str:
        if self.report is None:
            return "Chưa nhập"
        if self.report.was_returned:
            return "Bị trả lại, đang sửa"
        return self.report.get_state_display()


@dataclass
class Completeness:
    unit: Unit
    month: Period
    due: datetime.date
    rows: list[CompletenessRow]

    @property
    def submitted(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state in (ReportState.SUBMITTED, ReportState.APPROVED)]

    @property
    def approved(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state == ReportState.APPROVED]

    @property
    def waiting(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state == ReportState.SUBMITTED]

    @property
    def missing(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state not in (ReportState.SUBMITTED, ReportState.APPROVED)]

    @property
    def late(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.late]

    def reminder_text(self) -> str:
        names = ", ".join(r.unit.name for r in self.late)
        return (f"Đề nghị {names} nhập và nộp kết quả vận động tham gia BHXH, BHYT tháng "
                f"{self.month.number:02d}/{self.month.year} trên BHXH Portal (hạn nộp {self.due:%d/%m/%Y}, "
                "đã quá hạn).") if self.late else ""


def completeness(*, unit: Unit, month: Period, today: datetime.date | None = None) -> Completeness:
    """Which of the unit's reporting children (the communes of a district) have submitted their
    month, which are late, and whom to remind. Four queries whatever the number of children."""
    today = today or timezone.localdate()
    due = due_date(month)
    children = list(Unit.objects.filter(parent=unit).exclude(level__code__in=VILLAGE_LEVELS)
                    .valid_on(month.end).select_related("level").order_by("code"))
    units = children or [reporting_unit(unit)]
    reports = {r.unit_id: r for r in MonthlyReport.objects.filter(
        unit__in=units, year=month.year, month=month.number).select_related(
        "submitted_by", "approved_by").annotate(result_count=Count("results"))}
    officials: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(unit__in=units, role=Role.COMMUNE_OFFICIAL).select_related(
            "user").order_by("user__username"):
        officials[membership.unit_id].append(membership.user)
    past_due = today > due
    rows = []
    for child in units:
        report = reports.get(child.pk)
        done = report is not None and report.state in (ReportState.SUBMITTED, ReportState.APPROVED)
        submitted_late = bool(done and report.submitted_at and timezone.localtime(report.submitted_at).date() > due)
        rows.append(CompletenessRow(unit=child, report=report, results=getattr(report, "result_count", 0) or 0,
                                    late=past_due and not done, submitted_late=submitted_late,
                                    officials=officials.get(child.pk, [])))
    return Completeness(unit=unit, month=month, due=due, rows=rows)


def reports_to_review(*, user, limit: int = 200) -> list[MonthlyReport]:
    """Submitted reports the user may approve or return, oldest first. One query (grants cached)."""
    qs = access.scope_by_unit(user, MonthlyReport.objects.filter(state=ReportState.SUBMITTED), "unit")
    reports = qs.select_related("unit__level", "unit__parent", "submitted_by").annotate(
        result_count=Count("results")).order_by("submitted_at", "id")[:limit]
    return [r for r in reports if can_approve_report(user, r.unit)]


# --- the dashboard's target path (the dashboard itself is reports.dashboard) --------------------------


def target_path(*, baseline: int | None, target: int | None, monthly: dict[int, int] | None = None) -> list[int | None]:
    """Where the unit should be at the end of each month to reach the yearly target: a monthly
    target where one is set, else a straight line from last December's figure to the target (a flat
    line at the target without last December's figure)."""
    monthly = monthly or {}
    path: list[int | None] = []
    for number in range(1, 13):
        if number in monthly:
            path.append(monthly[number])
        elif target is None:
            path.append(None)
        elif baseline is None:
            path.append(target)
        else:
            path.append(baseline + round((target - baseline) * number / 12))
    return path
