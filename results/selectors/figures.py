"""The figures of the monthly results: a unit's own entry or the sum of its children, per month,
in a fixed number of queries (one over the subtree by path prefix, aggregated bottom-up in Python);
the reporting months and their deadlines; the dashboard's target path."""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, Max, Min, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Length, Substr
from django.utils import timezone

from bhxh_portal import memo
from units import access
from targets.models import INDICATORS, Indicator
from results.models import RESULTS, MonthlyReport, MonthlyResult, ReportState, results_month
from units.models import UNITS, Unit
from units.periods import Period, PeriodType
from results.services import BREAKDOWNS, FIELDS

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
    """Every unit under the roots valid at some time between start and end: one query, remembered
    until a unit is written (bhxh_portal.memo)."""
    ids = {u.pk for u in roots}
    paths = sorted(u.path for u in roots)
    key = "tree:" + hashlib.sha1(f"{paths}|{sorted(ids)}|{start}|{end}".encode()).hexdigest()
    return memo.remember(key, (UNITS,), lambda: _tree_of(list(
        Unit.objects.filter(_paths_q(paths)).filter(Q(pk__in=ids) | _valid_between(start, end))
        .values_list("id", "parent_id", "depth", "path")), ids))


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


def _load_rows(roots: list[Unit] | list[str], codes: list[str] | None, start: Period, end: Period,
               approved_only: bool) -> list[dict]:
    """`codes` None: every indicator's rows."""
    paths = [getattr(r, "path", r) for r in roots]
    qs = MonthlyResult.objects.filter(_paths_q(paths, "unit__path"), _months_q(start, end))
    if codes is not None:
        qs = qs.filter(indicator__code__in=codes)
    if approved_only:
        qs = qs.filter(report__state=ReportState.APPROVED)
    # Tuples, not dicts (a district's year is 15.000 rows), in the order of ROW_COLUMNS; no ORDER BY
    # (the model's ordering by path would sort every row; the callers group them).
    return list(qs.order_by().values_list(*ROW_COLUMNS))


def _load_reduced_rows(root: Unit, keep: set[int], keys: list[tuple[str, str]] | None, start: Period, end: Period,
                       approved_only: bool) -> tuple[list[tuple], list[tuple]]:
    """The subtree's results in one query, the leaves already added up per parent by the database:
    (rows in the order of ROW_COLUMNS for the units that are not leaves, or are in `keep`;
    partials (parent_id, code, year, month, then sum, count, all approved for each of FIELDS)).
    `keys` None: every indicator and field. A leaf's figure is its own entry when it has one, else
    the sum of its agents', field by field, as in _aggregate; the leaves outside the tree (not valid
    in the months) count nowhere, as there."""
    sql, params = _reduced_rows_query(connection.vendor, root.path, tuple(sorted(keep)),
                                      None if keys is None else tuple(keys), start, end, approved_only)
    width = len(ROW_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = [r[1:width + 1] for r in found if r[0] == 0]
    partials = [(r[1], r[3], r[4], r[5], *r[width + 1:]) for r in found if r[0] == 1]  # integers (see below)
    return rows, partials


# The query's text and parameters depend on the arguments alone, never on the data: building them
# through the ORM (five querysets compiled, ~5 ms) cost more than the query itself, and the same few
# hundred subtrees and months are asked again after every save.
@lru_cache(maxsize=1024)
def _reduced_rows_query(vendor: str, root_path: str, keep: tuple[int, ...], keys: tuple[tuple[str, str], ...] | None,
                        start: Period, end: Period, approved_only: bool) -> tuple[str, tuple]:
    """_load_reduced_rows's SQL and parameters (`vendor`: the connection's, part of the key only)."""
    valid_from, valid_to = start.start, end.end
    summed = list(FIELDS) if keys is None else [f for f in FIELDS if any(f == k for _, k in keys)]
    base = MonthlyResult.objects.filter(_months_q(start, end))
    if keys is not None:
        base = base.filter(indicator__code__in=list({c for c, _ in keys}))
    if approved_only:
        base = base.filter(report__state=ReportState.APPROVED)
    has_child = Exists(Unit.objects.filter(parent_id=OuterRef("pk")).filter(_valid_between(valid_from, valid_to)))
    subtree = Unit.objects.filter(_paths_q([root_path]))
    # The subtree's units that keep their rows, and its leaves, are chosen first (a province: a few
    # hundred and 1.300), then their rows: not a test per result row (125.000 a year).
    kept = subtree.filter(Q(pk__in=keep) | has_child).values("pk")
    leaves = (subtree.filter(_valid_between(valid_from, valid_to)).exclude(pk__in=keep).exclude(has_child)
              .order_by().values(l_unit=F("pk"), l_parent=F("parent_id")))
    rest = base.filter(unit_id__in=kept).order_by().values_list(*ROW_COLUMNS)
    approved = Case(When(report__state=ReportState.APPROVED, then=Value(1)), default=Value(0),
                    output_field=IntegerField())
    # A leaf's own entries go straight into its parent's sums (one per leaf, indicator and month:
    # nothing to group per leaf; grouping every row per leaf first sorted the 125.000 rows of a
    # province's year, on disk past work_mem). Only the agents' entries are grouped per leaf, and
    # count where the leaf has no own entry for the field. The own entries' reports are read once
    # their entries are summed per report (a commune's thôn share their commune's), not per entry.
    key_columns = (("unit", "unit_id"), ("code", "indicator_id"), ("year", "year"), ("month", "month"))
    own = (base.filter(agent__isnull=True).order_by()
           .values(**{f"o_{c}": F(f) for c, f in key_columns}, **{f"o_{n}": F(n) for n in summed},
                   o_report=F("report_id")))
    # The agents' entries and the own entries looked up beside them are those of the subtree: the
    # database would otherwise group, or hash, the whole country's.
    in_subtree = _paths_q([root_path], "unit__path")
    agents = (base.filter(in_subtree, agent__isnull=False).order_by()
              .values(**{f"a_{c}": F(f) for c, f in key_columns})
              .annotate(**{f"a_{n}": Sum(n, filter=Q(**{f"{n}__isnull": False})) for n in summed},
                        **{f"ak_{n}": Min(approved, filter=Q(**{f"{n}__isnull": False})) for n in summed}))
    q = connection.ops.quote_name
    own_sql, own_params = own.query.sql_with_params()
    beside_sql, beside_params = own.filter(in_subtree).query.sql_with_params()
    agents_sql, agents_params = agents.query.sql_with_params()
    leaves_sql, leaves_params = leaves.query.sql_with_params()
    rest_sql, rest_params = rest.query.sql_with_params()
    group = [q(c) for c in ("r_parent", "r_code", "r_year", "r_month")]
    # Each leaf's figure (v_) with its report (an own entry's) or whether it is approved (k_, the
    # agents'): integers, as PostgreSQL adds integers up in a bigint but bigints in a numeric,
    # several times slower (and read as Decimal).
    own_values = ", ".join(f"o.{q('o_' + n)} AS {q('v_' + n)}, NULL AS {q('k_' + n)}" for n in summed)
    agent_values = ", ".join(f"CASE WHEN m.{q('o_' + n)} IS NULL THEN CAST(a.{q('a_' + n)} AS INTEGER) END, "
                             f"a.{q('ak_' + n)}" for n in summed)
    same_leaf = " AND ".join(f"m.{q('o_' + c)} = a.{q('a_' + c)}" for c, _ in key_columns)
    figures = (f"SELECT lo.{q('l_parent')} AS {group[0]}, o.{q('o_code')} AS {group[1]}, "
               f"o.{q('o_year')} AS {group[2]}, o.{q('o_month')} AS {group[3]}, o.{q('o_report')} AS {q('r_report')}, "
               f"{own_values} FROM ({own_sql}) o INNER JOIN ({leaves_sql}) lo ON lo.{q('l_unit')} = o.{q('o_unit')} "
               f"UNION ALL SELECT la.{q('l_parent')}, a.{q('a_code')}, a.{q('a_year')}, a.{q('a_month')}, NULL, "
               f"{agent_values} FROM ({agents_sql}) a INNER JOIN ({leaves_sql}) la "
               f"ON la.{q('l_unit')} = a.{q('a_unit')} LEFT JOIN ({beside_sql}) m ON {same_leaf}")
    figures_params = [*own_params, *leaves_params, *agents_params, *leaves_params, *beside_params]
    # Summed per parent, indicator, month and report, then per parent, indicator and month, each
    # report's state read once: for each field its sum, how many leaves have it, all approved.
    per_report, per_month = [], []
    report = MonthlyReport._meta
    state_approved = f"CASE WHEN p.{q(report.get_field('state').column)} = %s THEN 1 ELSE 0 END"
    state_params = []
    for name in FIELDS:
        value, ok = q(f"v_{name}"), q(f"k_{name}")
        total, count, all_ok = q(f"s_{name}"), q(f"n_{name}"), q(f"ok_{name}")
        if name not in summed:
            per_month.append("NULL, 0, NULL")
            continue
        per_report.append(f"CAST(SUM({value}) AS INTEGER) AS {total}, CAST(COUNT({value}) AS INTEGER) AS {count}, "
                          f"MIN(CASE WHEN {value} IS NOT NULL THEN {ok} END) AS {all_ok}")
        per_month.append(f"SUM({total}), SUM({count}), MIN(CASE WHEN {count} > 0 THEN "
                         f"(CASE WHEN g.{q('r_report')} IS NULL THEN {all_ok} ELSE {state_approved} END) END)")
        state_params.append(ReportState.APPROVED)
    width = len(ROW_COLUMNS)
    blanks = ", ".join(["NULL"] * (3 * len(FIELDS)))
    # Grouped by indicator id, its code read at the end.
    code_of = (f"(SELECT {q('code')} FROM {q(Indicator._meta.db_table)} "
               f"WHERE {q(Indicator._meta.pk.column)} = g.{group[1]})")
    sql = (f"SELECT 0, rest.*, {blanks} FROM ({rest_sql}) rest UNION ALL "
           f"SELECT 1, g.{group[0]}, NULL, {code_of}, g.{group[2]}, g.{group[3]}, "
           f"{', '.join(['NULL'] * (width - 5))}, {', '.join(per_month)} "
           f"FROM (SELECT {', '.join(group)}, {q('r_report')}, {', '.join(per_report)} FROM ({figures}) f "
           f"GROUP BY {', '.join(group)}, {q('r_report')}) g "
           f"LEFT JOIN {q(report.db_table)} p ON p.{q(report.pk.column)} = g.{q('r_report')} "
           f"GROUP BY {', '.join('g.' + c for c in group)}")
    return sql, (*rest_params, *state_params, *figures_params)


def _aggregate(tree: _Tree, rows: list[tuple], keys: list[tuple[str, str]],
               only: set[int] | None = None, partials: Iterable[tuple] = ()) -> dict[tuple, _Sum]:
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

    for unit_id, code, _, _, *figures in partials:  # leaves the database has already added up
        for field_name in wanted.get(code, ()):
            at = 3 * FIELDS.index(field_name)
            total, count, all_approved = figures[at:at + 3]
            if count:
                found = partial[unit_id].get((code, field_name))
                if found is None:
                    partial[unit_id][(code, field_name)] = [total, bool(all_approved), count]
                else:
                    found[0] += total
                    found[1] = found[1] and bool(all_approved)
                    found[2] += count
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


def _figure(sums: dict[tuple, _Sum], unit_id: int, code: str, new_too: bool = True,
            renewing_too: bool = True) -> Figure:
    """The figure of a unit and code; `new_too`, `renewing_too` False: those two left None (a
    caller that asked for some fields only)."""
    if code in BREAKDOWNS:
        whole, field_name = BREAKDOWNS[code]
        s = sums.get((unit_id, whole, field_name))
        return Figure(s.value, s.own, s.children_sum, s.source, s.approved, s.reporting_children,
                      s.children) if s else EMPTY
    s = sums.get((unit_id, code, "participants"))
    new = sums.get((unit_id, code, "new_participants")) if new_too else None
    renewing = sums.get((unit_id, code, "renewing")) if renewing_too else None
    if s is None:
        return Figure(new=new.value if new else None, renewing=renewing.value if renewing else None)
    return Figure(s.value, s.own, s.children_sum, s.source, s.approved, s.reporting_children, s.children,
                  new.value if new else None, renewing.value if renewing else None)


def _by_month(rows: list[tuple], year_at: int = _YEAR) -> dict[tuple[int, int], list[tuple]]:
    grouped: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[(row[year_at], row[year_at + 1])].append(row)
    return grouped


def _figures_scopes(month: Period, unit: Unit) -> tuple[str, ...]:
    """What the month's figures of a unit's subtree are remembered under (bhxh_portal.memo): the
    month's results and reports in the subtree (a write moves on its unit's and its ancestors'
    month), any write of many results, the tree, the indicators' codes."""
    return RESULTS, results_month(month.year, month.number, unit.pk), UNITS, INDICATORS


def _figures_key(kind: str, unit: Unit, codes: list[str], approved_only: bool, fields) -> str:
    asked = f"{unit.path}|{','.join(codes)}|{approved_only}|{','.join(fields) if fields is not None else '*'}"
    return f"{kind}:{unit.pk}:{hashlib.sha1(asked.encode()).hexdigest()}"


def participants_for_children(*, parent: Unit, indicators: Iterable, month, approved_only: bool = False,
                              fields: Iterable[str] | None = None) -> dict[int, dict[str, Figure]]:
    """For `parent` and each child valid in the month: {unit_id: {code: Figure}} (see the module).
    `fields` limits the sums to some of FIELDS (the coverage tables need only the participants);
    the others are then None in the figures. Remembered until a result or report of the month,
    or a unit, is written."""
    return _month_figures(parent=parent, codes=_codes(indicators), month=as_month(month),
                          approved_only=approved_only, fields=fields)


def participant_values(*, parent: Unit, indicators: Iterable, month, approved_only: bool = False
                       ) -> dict[tuple[int, str], int]:
    """The figures' values alone, from the same remembered month as participants_for_children:
    {(unit_id, code): value} for `parent` and each child valid in the month, where a value is known
    (a coverage table prints nothing else, for hundreds of units and codes)."""
    month = as_month(month)
    shown, sums = _remembered_month(parent=parent, month=month, approved_only=approved_only)
    sum_keys = [(code, BREAKDOWNS[code] if code in BREAKDOWNS else (code, "participants"))
                for code in _codes(indicators)]
    values = {}
    for unit_id in shown:
        for code, (whole, field_name) in sum_keys:
            s = sums.get((unit_id, whole, field_name))
            if s is not None and s.value is not None:
                values[(unit_id, code)] = s.value
    return values


def _remembered_month(*, parent: Unit, month: Period, approved_only: bool) -> tuple[list[int], dict[tuple, _Sum]]:
    # Every indicator and field of the month at once, shared by the callers of a page (a dashboard
    # asks for the month three times, for different indicators) and by the pages that follow until
    # a write; each caller gets the figures it asked for.
    key = f"{_figures_key('children', parent, ['*'], approved_only, None)}:{month.key}"
    return memo.remember(key, _figures_scopes(month, parent), lambda: _month_sums(
        parent=parent, month=month, approved_only=approved_only), shared=True)  # only read by the callers


def _month_figures(*, parent: Unit, codes: list[str], month: Period, approved_only: bool,
                   fields: Iterable[str] | None, units: Iterable[int] | None = None) -> dict[int, dict[str, Figure]]:
    """participants_for_children's figures, for `units` only if given (of the parent and its children)."""
    shown, sums = _remembered_month(parent=parent, month=month, approved_only=approved_only)
    fields = None if fields is None else set(fields)
    new_too = fields is None or "new_participants" in fields
    renewing_too = fields is None or "renewing" in fields
    wanted = shown if units is None else [unit_id for unit_id in units if unit_id in shown]
    return {unit_id: {code: _figure(sums, unit_id, code, new_too, renewing_too) for code in codes}
            for unit_id in wanted}


def _month_sums(*, parent: Unit, month: Period, approved_only: bool) -> tuple[list[int], dict[tuple, _Sum]]:
    """The parent and its children valid in the month, and the sums of every indicator and field
    (_aggregate's) for them: one query for the tree, one for the rows (every indicator's), the
    leaves among them added up per parent by the database (a province's month: its communes'
    rows and 1.000 sums instead of its 10.000 thôn rows)."""
    tree = _load_tree([parent], month.start, month.end)
    shown = [parent.pk, *tree.children.get(parent.pk, [])]
    rows, partials = _load_reduced_rows(parent, set(shown), None, month, month, approved_only)
    keys = sorted({(row[_CODE], name) for row in rows for name in FIELDS}
                  | {(partial[1], name) for partial in partials for name in FIELDS})
    return shown, _aggregate(tree, rows, keys, only=set(shown), partials=partials)


def participants_series(*, unit: Unit, indicators: Iterable, start, end, approved_only: bool = False,
                        fields: Iterable[str] | None = None) -> dict[str, list[tuple[Period, Figure]]]:
    """The unit's figure for each month from start to end, per indicator code (`fields` as in
    participants_for_children)."""
    start, end = as_month(start), as_month(end)
    codes = _codes(indicators)
    fields = None if fields is None else list(fields)
    # Month by month as remembered (bhxh_portal.memo); the months written since are read again, in
    # one query from the first to the last of them.
    base = _figures_key("series", unit, codes, approved_only, fields)
    months = months_between(start, end)
    found = dict(zip(months, memo.recall_many((f"{base}:{m.key}", _figures_scopes(m, unit)) for m in months)))
    missing = [m for m in months if found[m][0] is memo.MISSING]
    if len(missing) == 1:  # the month being written: the unit's figure among its children's, shared
        month = missing[0]
        figures = _month_figures(parent=unit, codes=codes, month=month, approved_only=approved_only,
                                 fields=None, units=[unit.pk])[unit.pk]
        memo.keep(found[month][1], figures)
        found[month] = (figures, None)
    elif missing:
        computed = _participants_series(unit=unit, codes=codes, start=missing[0], end=missing[-1],
                                        approved_only=approved_only, fields=fields)
        for month in missing:
            figures = {code: computed[code][(month.year, month.number)] for code in codes}
            memo.keep(found[month][1], figures)
            found[month] = (figures, None)
    return {code: [(m, found[m][0][code]) for m in months] for code in codes}


def _participants_series(*, unit: Unit, codes: list[str], start: Period, end: Period, approved_only: bool,
                         fields: list[str] | None) -> dict[str, dict[tuple[int, int], Figure]]:
    keys = _stored_keys(codes, fields)
    tree = _load_tree([unit], start.start, end.end)
    rows, partials = (_load_reduced_rows(unit, {unit.pk}, keys, start, end, approved_only)
                      if keys else ([], []))
    rows, partials = _by_month(rows), _by_month(partials, year_at=2)
    series: dict[str, dict[tuple[int, int], Figure]] = {code: {} for code in codes}
    for month in months_between(start, end):
        at = (month.year, month.number)
        sums = _aggregate(tree, rows.get(at, []), keys, only={unit.pk}, partials=partials.get(at, ())) if keys else {}
        for code in codes:
            series[code][at] = _figure(sums, unit.pk, code)
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


def latest_result_month(*, unit: Unit, up_to: Period) -> Period | None:
    """The latest month, up to `up_to`, with a result anywhere in the unit's subtree (one query)."""
    row = (MonthlyResult.objects.filter(unit__path__startswith=unit.path)
           .filter(Q(year__lt=up_to.year) | Q(year=up_to.year, month__lte=up_to.number))
           .order_by("-year", "-month").values_list("year", "month").first())
    return Period.month(*row) if row else None


def month_to_open(*, unit: Unit, today: datetime.date | None = None) -> tuple[Period, str]:
    """The month a page opens on when none is asked: the month being reported, or, when the subtree
    has nothing for it yet, the latest month that has results; with the sentence that says so."""
    reported = default_month(today)
    latest = latest_result_month(unit=unit, up_to=reported)
    if latest is None or latest == reported:
        return reported, ""
    return latest, f"Đang xem tháng {latest.number:02d}/{latest.year} — tháng gần nhất có số liệu " \
                   f"({reported.label.lower()} chưa có)."


def is_future(month: Period, today: datetime.date | None = None) -> bool:
    return month.start > (today or timezone.localdate())


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
