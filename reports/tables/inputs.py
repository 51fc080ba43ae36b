"""Everything a coverage table needs for one parent unit and month, loaded in a fixed number of
queries whatever the number of children: children, denominators, the targets that apply, participants
this month and last month (own entry, else the children's sum; a composite, the sum of its parts).
Which target applies and how a composite adds up are reports.tables.figures' rules."""

from dataclasses import dataclass, field
from decimal import Decimal

from targets.models import Demographics, Unit
from targets.periods import Period
from targets.selectors.results import previous_month

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
    targets: dict[tuple[int, str], object] = field(default_factory=dict)  # the Target that applies
    denominator_kinds: dict[str, str] = field(default_factory=dict)  # indicator code -> Demographics field

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


def load_inputs(*, parent: Unit, month: Period, indicator_codes: list[str] | None = None,
                target_period: Period | None = None, change_codes=CHANGE_INDICATORS) -> CoverageInputs:
    """`target_period`: measure against the targets of that period (a plan block's), instead of the
    rule's year or half-year; `change_codes`: the indicators whose last month is read (the tables
    that print the change since last month)."""
    from targets.models import Indicator

    from .participants import participants_by_unit

    codes = figures.with_parts(indicator_codes or TABLE_INDICATORS)
    day = month.end
    children = list(
        Unit.objects.filter(parent=parent).valid_on(day).select_related("level").order_by("code")
    )
    units = [*children, parent]
    ids = [u.pk for u in units]
    before = previous_month(month)
    years = {month.year, before.year}
    demographics = {}
    previous_demographics = {}
    for record in Demographics.objects.filter(unit_id__in=ids, year__in=years):
        if record.year == month.year:
            demographics[record.unit_id] = record
        if record.year == before.year:
            previous_demographics[record.unit_id] = record
    targets = figures.applicable_targets(unit_ids=ids, codes=codes, month=month, period=target_period)
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
    kinds = dict(Indicator.objects.filter(code__in=codes).values_list("code", "denominator"))
    return CoverageInputs(parent=parent, children=children, month=month, demographics=demographics,
                          target_rates=rates, target_counts=counts, participants=participants,
                          previous_participants=previous, previous_demographics=previous_demographics,
                          targets=targets, denominator_kinds=kinds)
