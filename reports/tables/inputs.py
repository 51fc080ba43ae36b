"""Everything a coverage table needs for one parent unit and month, loaded in a fixed number of
queries whatever the number of children: children, denominators, assigned targets, participants
this month and last month (own entry, else the children's sum)."""

from dataclasses import dataclass, field
from decimal import Decimal

from targets.models import Demographics, Unit
from targets.periods import Period
from targets.selectors.results import previous_month

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
        return self.target_rates.get((unit.pk, code))

    def assigned_count(self, unit: Unit, code: str) -> int | None:
        """The count of a target assigned as a count; None where it was assigned as a rate."""
        return self.target_counts.get((unit.pk, code))


def load_inputs(*, parent: Unit, month: Period, indicator_codes: list[str] | None = None) -> CoverageInputs:
    from targets.models.targets import Target, TargetKind

    from .participants import participants_by_unit

    codes = indicator_codes or TABLE_INDICATORS
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
    rates: dict[tuple[int, str], Decimal] = {}
    counts: dict[tuple[int, str], int] = {}
    # The yearly assigned target; a half-year one where no yearly target exists.
    targets = (Target.objects.of_units()
               .filter(unit_id__in=ids, indicator__code__in=codes, kind=TargetKind.ASSIGNED, year=month.year,
                       period_type__in=["year", "half"])
               .values("unit_id", "indicator__code", "period_type", "period_number", "rate_pct", "count",
                       "entered_as"))
    half = 1 if month.number <= 6 else 2
    for t in sorted(targets, key=lambda t: 0 if t["period_type"] == "half" else 1):
        if t["period_type"] == "half" and t["period_number"] != half:
            continue
        key = (t["unit_id"], t["indicator__code"])
        if t["rate_pct"] is not None:
            rates[key] = Decimal(t["rate_pct"]).normalize()
        if t["entered_as"] == "count":  # a count assigned by decision is kept as assigned
            counts[key] = t["count"]
    participants = participants_by_unit(parent=parent, units=units, indicator_codes=codes, month=month)
    # Last month only where a table prints the change since last month (BHYT): the province's
    # subtree is read once less per indicator (bench_reports).
    previous_codes = [c for c in codes if c in CHANGE_INDICATORS]
    previous = participants_by_unit(parent=parent, units=units, indicator_codes=previous_codes, month=before) \
        if previous_codes else {}
    return CoverageInputs(parent=parent, children=children, month=month, demographics=demographics,
                          target_rates=rates, target_counts=counts, participants=participants,
                          previous_participants=previous, previous_demographics=previous_demographics)
