"""Everything a coverage table needs for one parent unit and month, loaded in a fixed number of
queries whatever the number of children: children, denominators, the targets that apply, participants
this month and last month (own entry, else the children's sum; a composite, the sum of its parts).
Which target applies and how a composite adds up are reports.tables.figures' rules."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from bhxh_portal import memo
from targets.models import INDICATORS, TARGETS, Demographics
from units.models import UNITS, Unit
from units.periods import Period
from results.selectors import previous_month

from . import figures

# Indicators each table reads; the BHXH compulsory part is total − voluntary (DOMAIN.md section 4).
TABLE_INDICATORS = ["bhyt", "bhxh", "bhxh_bb", "bhxh_tn", "bhtn"]
# Indicators whose change since last month a table prints (BHYT table, column 6).
CHANGE_INDICATORS = ["bhyt"]


@dataclass
class CoverageInputs:
    parent: Unit
    children: list[Unit]
    month: Period
    demographics: dict[int, Demographics] = field(default_factory=dict)
    target_rates: dict[tuple[int, str], Decimal] = field(default_factory=dict)
    target_counts: dict[tuple[int, str], int] = field(default_factory=dict)
    participants: dict[tuple[int, str], int] = field(default_factory=dict)
    previous_participants: dict[tuple[int, str], int] = field(default_factory=dict)
    previous_demographics: dict[int, Demographics] = field(default_factory=dict)
    # units that did not exist yet in the month: their figures are their predecessors' sums
    from_predecessors: dict[int, list] = field(default_factory=dict)
    # ... and those of them formed partly from a split unit: left empty, never divided by guess
    split_units: set[int] = field(default_factory=set)
    # units that had ended by the month (other boundaries): where their territory went, no figure
    merged_into: dict[int, list] = field(default_factory=dict)
    targets: dict[tuple[int, str], object] = field(default_factory=dict)  # the Target that applies
    denominator_kinds: dict[str, str] = field(default_factory=dict)  # indicator code -> Demographics field
    # the rows are the units in force on this day ("ranh giới ngày D"), not those of the month
    boundaries: datetime.date | None = None

    @property
    def units(self) -> list[Unit]:
        return [*self.children, self.parent]

    def denominator(self, unit: Unit, kind: str, *, previous: bool = False) -> int | None:
        source = self.previous_demographics if previous else self.demographics
        record = source.get(unit.pk)
        return getattr(record, kind) if record else None

    def value(self, unit: Unit, code: str, *, previous: bool = False) -> int | None:
        source = self.previous_participants if previous else self.participants
        return source.get((unit.pk, code))

    def rate(self, unit: Unit, code: str) -> Decimal | None:
        """The rate to compute with: as entered, or the exact count / denominator (figures.computing_rate)."""
        return self.target_rates.get((unit.pk, code))

    def assigned_count(self, unit: Unit, code: str) -> int | None:
        """The count of a target assigned as a count; None where it was assigned as a rate."""
        return self.target_counts.get((unit.pk, code))

    def history_note(self, unit: Unit) -> str:
        """Where the unit's figures come from when it did not exist in the month (history_note)."""
        if unit.pk in self.merged_into:
            names = ", ".join(u.name for u in self.merged_into[unit.pk]) or "đơn vị khác"
            return (f"Chưa có số liệu: đơn vị đã sắp xếp vào {names} trước tháng này, "
                    "không tách số liệu theo ước tính")
        return history_note(self.from_predecessors.get(unit.pk), split=unit.pk in self.split_units)


def history_note(parts, *, split: bool) -> str:
    """The marking every table, dashboard and plan prints for a unit read from its predecessors: which
    old units were summed, or, where one was split, that nothing is shown rather than a guessed share."""
    if not parts:
        return ""
    if split:
        names = ", ".join(p.unit.name for p in parts if p.split)
        return (f"Chưa có số liệu: đơn vị hình thành từ một phần của {names} (bị chia), "
                "không chia số liệu theo ước tính")
    return f"(số liệu của các đơn vị trước sắp xếp: {', '.join(p.unit.name for p in parts)})"


def load_inputs(*, parent: Unit, month: Period, indicator_codes: list[str] | None = None,
                target_period: Period | None = None, change_codes=CHANGE_INDICATORS,
                boundaries: datetime.date | None = None) -> CoverageInputs:
    """`target_period`: measure against the targets of that period (a plan block's), instead of the
    rule's year or half-year; `change_codes`: the indicators whose last month is read (the tables
    that print the change since last month); `boundaries`: the rows are the parent's children in
    force on that day (the parent must be in force then: units.selectors.unit_counterpart_on), the
    month's figures mapped onto them through their lineage."""
    from .participants import participants_by_unit

    codes = figures.with_parts(indicator_codes or TABLE_INDICATORS)
    before = previous_month(month)
    key = (f"inputs:{parent.pk}:{month.key}:{','.join(codes)}:{target_period.key if target_period else ''}:"
           f"{boundaries or ''}")
    # Shared by the requests of this process (the instances are only read): each gets its own
    # containers, which _add_predecessor_figures may fill.
    children, demographics, previous_demographics, targets, kinds = memo.remember(
        key, (UNITS, TARGETS, INDICATORS),
        lambda: _reference(parent=parent, month=month, codes=codes, target_period=target_period,
                           boundaries=boundaries), shared=True)
    children, demographics, previous_demographics = list(children), dict(demographics), dict(previous_demographics)
    targets, kinds = dict(targets), dict(kinds)
    units = [*children, parent]
    rates = {key: rate for key, t in targets.items() if (rate := figures.computing_rate(t)) is not None}
    counts = {key: count for key, t in targets.items() if (count := figures.assigned_count(t)) is not None}
    participants = figures.complete_composites_by_unit(
        participants_by_unit(parent=parent, units=units, indicator_codes=codes, month=month))
    # Last month only where a table prints the change since last month (BHYT): the province's
    # subtree is read once less per indicator (bench_reports).
    previous_codes = [c for c in codes if c in change_codes]
    previous = figures.complete_composites_by_unit(
        participants_by_unit(parent=parent, units=units, indicator_codes=previous_codes, month=before)) \
        if previous_codes else {}
    inputs = CoverageInputs(parent=parent, children=children, month=month, demographics=demographics,
                            target_rates=rates, target_counts=counts, participants=participants,
                            previous_participants=previous, previous_demographics=previous_demographics,
                            targets=targets, denominator_kinds=kinds, boundaries=boundaries)
    _add_predecessor_figures(inputs, codes=codes, previous_codes=previous_codes)
    return inputs


def _reference(*, parent: Unit, month: Period, codes: list[str], target_period: Period | None,
               boundaries: datetime.date | None) -> tuple:
    """What load_inputs sets beside the month's figures, which the results do not change: the rows
    (children), their denominators this year and last month's year, the targets that apply, the
    denominator of each indicator. Remembered until a unit, a target or a denominator is written."""
    from targets.models import Indicator

    day = month.end
    # a parent formed after the month (a merged province) lists its children of its first day
    children_day = boundaries or max(day, parent.valid_from or day)
    children = list(
        Unit.objects.filter(parent=parent).valid_on(children_day).select_related("level").order_by("code")
    )
    ids = [u.pk for u in [*children, parent]]
    before = previous_month(month)
    demographics, previous_demographics = {}, {}
    for record in Demographics.objects.filter(unit_id__in=ids, year__in={month.year, before.year}):
        if record.year == month.year:
            demographics[record.unit_id] = record
        if record.year == before.year:
            previous_demographics[record.unit_id] = record
    targets = figures.applicable_targets(unit_ids=ids, codes=codes, month=month, period=target_period)
    kinds = dict(Indicator.objects.filter(code__in=codes).values_list("code", "denominator"))
    return children, demographics, previous_demographics, targets, kinds


def _add_predecessor_figures(inputs: CoverageInputs, *, codes: list[str], previous_codes: list[str]) -> None:
    """Units formed after the month (mergers of 1/7/2025) read the summed figures of the units their
    territory belonged to then; a unit formed partly from a split one gets none (flagged instead).
    Under other boundaries, a unit that had already ended by the month has no figure of its own any
    more, and its successor's is not divided: flagged too."""
    from targets.models import Indicator
    from units.selectors.lineage import unit_predecessors_on
    from results.selectors import participants_at

    month = inputs.month
    ended = [u.pk for u in inputs.units if u.valid_to and u.valid_to < month.start]
    if ended:
        for unit in ended:
            inputs.merged_into[unit] = []
        links = Unit.predecessors.through.objects.filter(to_unit_id__in=ended).select_related("from_unit")
        for link in links.order_by("from_unit__code"):
            inputs.merged_into[link.to_unit_id].append(link.from_unit)
    newer = [u for u in inputs.units if u.valid_from and u.valid_from > month.end]
    if not newer:
        return
    before = previous_month(month)
    for unit in newer:
        parts = unit_predecessors_on(unit=unit, on=month.end)
        inputs.from_predecessors[unit.pk] = parts
        if any(p.split for p in parts):
            inputs.split_units.add(unit.pk)
    whole = {pk: [p.unit.pk for p in parts] for pk, parts in inputs.from_predecessors.items()
             if pk not in inputs.split_units and parts}
    old_ids = {i for ids in whole.values() for i in ids}
    if not old_ids:
        return
    indicator_ids = dict(Indicator.objects.filter(code__in=codes).values_list("pk", "code"))
    years = {month.year, before.year}
    records = {(d.unit_id, d.year): d for d in Demographics.objects.filter(unit_id__in=old_ids, year__in=years)}
    kinds = ["population", "labour_force", "pupils", "required_to_join", "voluntary_eligible", "bhtn_required"]
    for pk, ids in whole.items():
        for year, target in ((month.year, inputs.demographics), (before.year, inputs.previous_demographics)):
            found = [records[(i, year)] for i in ids if (i, year) in records]
            if found and len(found) == len(ids):  # a sum missing a part would understate: none
                target[pk] = Demographics(unit_id=pk, year=year, **{
                    k: sum(getattr(r, k) for r in found) if all(getattr(r, k) is not None for r in found) else None
                    for k in kinds})
    inputs.participants.update(predecessor_participants(parts=whole, indicator_ids=indicator_ids, period=month))
    if previous_codes:
        inputs.previous_participants.update(predecessor_participants(
            parts=whole, indicator_ids={i: c for i, c in indicator_ids.items() if c in previous_codes},
            period=before))


def predecessor_participants(*, parts: dict[int, list[int]], indicator_ids: dict[int, str],
                             period: Period) -> dict[tuple[int, str], int]:
    """(new unit id, indicator code) -> the sum of its predecessors' participants in the period, where
    every predecessor has a figure (a sum missing a part would understate: none). The one rule the
    tables and the dashboard read history by."""
    from results.selectors import participants_at

    old_ids = {i for ids in parts.values() for i in ids}
    if not old_ids or not indicator_ids:
        return {}
    found = participants_at(unit_ids=old_ids, indicator_ids=list(indicator_ids), period=period)
    summed = {}
    for pk, ids in parts.items():
        for indicator_id, code in indicator_ids.items():
            values = [found.get((i, indicator_id)) for i in ids]
            if ids and all(v is not None for v in values):
                summed[(pk, code)] = sum(values)
    return summed
