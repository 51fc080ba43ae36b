"""The figure rule: which target a figure is measured against, how achievement, the target count and
a composite indicator are computed, and when numbers are rounded. Every coverage figure of the portal
(the coverage page, its Excel, PDF and csv, `manage.py coverage_table`, the dashboard and its charts,
the plan blocks and the yearly evaluation) is computed by the table modules of reports/tables, and
they take these rules from here and nowhere else.

Which target applies (`applicable_targets`)
    The unit's own target (not its collection agents') for the indicator, of the year of the month,
    or of the half-year containing the month when the year has none. The assigned one (giao) before
    the unit's own (phấn đấu): a unit with no assigned target is measured against its own. A plan
    block that names its target period (`target_period: 2023`) takes the targets of that period.

Achievement (`achievement_pct`), from unrounded values (DOMAIN.md section 4)
    - a target assigned as a rate (95,00% of the population): coverage % / rate × 100, where
      coverage % = participants / denominator × 100 with the table's denominator;
    - a target assigned as a count (628 people): participants / count × 100. Its rate is the exact
      count / denominator, never the rate stored with two decimals: 278 / 628 = 44,27%, where
      0,5569% / 1,26% (the rounded rate) would print 44,20%.
    The yearly evaluation's "% of plan" is this achievement, so it agrees with the tables and the
    dashboard to the last digit (Càng Long BHXH TN, June 2023: 74,68%, not 3.497 / 4.682 = 74,69%).

Target count (`target_count_of`)
    The count assigned, for a target assigned as a count; else the rate × the denominator, rounded
    half up to a whole person (95% of 13.737 = 13.050,15 → 13.050). The part of a composite with no
    target of its own gets the whole's count minus the other parts' (BHXH bắt buộc = BHXH − BHXH TN).
    Remaining = target count − participants (negative when over target).

Composite indicators (`COMPOSITES`, `complete_composites`)
    BHXH is BHXH bắt buộc + BHXH tự nguyện. Where a unit has no BHXH figure (neither its own entry
    nor its children's sum), its BHXH is the sum of its parts when both are known; where it has BHXH
    and only one part, the other part is the difference. The same on every output: the BHXH table,
    the dashboard (Càng Long, June 2023: 10.841 + 3.497 = 14.338) and the evaluation.

Rounding
    Every figure is kept exact (int, Fraction, the Decimal of an entered rate) until it is printed;
    a printed percentage is rounded half up (away from zero) to two decimals (Column.format and the
    `phan_tram` filter, bhxh_portal.numbers.round_half_up), a count to a whole person. Nothing is
    computed from a printed (rounded) figure.

Printed plan figures this cannot reproduce (they do not follow from the plan's own inputs):
    - Càng Long 2023, BHXH table, total row: the plan prints 74,72 / 1.695 / 1.186 (BHXH TN
      achievement, BHXH BB and TN remaining) where the rule gives 74,68 / 1.696 / 1.185; its text
      prints 18,88% and 83,25% where its own table prints 18,89 and 83,27.
    - Hướng Hóa 2019 evaluation (golden/README.md): BHTN increase 186 (5,05%) where 3.871 − 3.681 =
      190 (5,16%); BHTN 2020 target 96% of those required where 4.342 / 4.427 = 98,08%; BHXH increase
      6,37% where 307 / 4.815 = 6,376% rounds half up to 6,38%. The plan also prints one decimal or
      none on some lines (93,9%; 96%): the portal prints two (growth rates one, as the plan does).
"""

from collections.abc import Iterable, Mapping

# The arithmetic of the rule above (coverage %, the computing rate, target count, achievement) lives in
# targets.figures, below targets' own pages, which use it too; the table modules take it from here.
from targets.figures import (
    achievement_pct, assigned_count, computing_rate, percent, ratio_pct, target_count, target_count_of,
)
from units.periods import Period, PeriodType

# A composite indicator is the sum of its parts (DOMAIN.md section 4: "bhxh: BB + TN"). BHYT's
# groups (hộ gia đình, cận nghèo, học sinh) are part of BHYT but do not add up to it: not listed.
__all__ = [
    "COMPOSITES", "TARGET_PERIODS", "achievement_pct", "applicable_targets", "assigned_count", "complete_composites",
    "complete_composites_by_unit", "computing_rate", "part_target_count", "percent", "ratio_pct", "target_count",
    "target_count_of", "with_parts",
]

COMPOSITES: dict[str, tuple[str, ...]] = {"bhxh": ("bhxh_bb", "bhxh_tn")}
# The periods a coverage figure is measured against, most preferred first.
TARGET_PERIODS = (PeriodType.YEAR, PeriodType.HALF)


def with_parts(codes: Iterable[str]) -> list[str]:
    """The codes and the codes a composite among them (or the whole of a part) needs."""
    found = list(dict.fromkeys(codes))
    for whole, parts in COMPOSITES.items():
        if whole in found or any(p in found for p in parts):
            found += [c for c in (whole, *parts) if c not in found]
    return found


def complete_composites(values: Mapping[str, int | None]) -> dict[str, int | None]:
    """One unit's participants by indicator code, with each composite the sum of its parts where it
    has no figure, and a missing part the difference where the whole and the other parts are known."""
    done = dict(values)
    for whole, parts in COMPOSITES.items():
        known = [done.get(p) for p in parts]
        if done.get(whole) is None:
            if parts and all(v is not None for v in known):
                done[whole] = sum(known)
        else:
            missing = [p for p, v in zip(parts, known) if v is None]
            if len(missing) == 1 and any(p in done for p in parts):
                others = sum(v for v in known if v is not None)
                done[missing[0]] = done[whole] - others
    return done


def complete_composites_by_unit(values: dict[tuple[int, str], int]) -> dict[tuple[int, str], int]:
    """complete_composites for {(unit_id, code): participants}; only the codes present are considered."""
    codes = {c for _, c in values}
    if not any(whole in codes or any(p in codes for p in parts) for whole, parts in COMPOSITES.items()):
        return values
    by_unit: dict[int, dict[str, int | None]] = {}
    for (unit_id, code), value in values.items():
        by_unit.setdefault(unit_id, {})[code] = value
    done: dict[tuple[int, str], int] = {}
    for unit_id, unit_values in by_unit.items():
        for code, value in complete_composites(unit_values).items():
            if value is not None:
                done[(unit_id, code)] = value
    return done


# --- which target applies ------------------------------------------------------------------------


def applicable_targets(*, unit_ids: Iterable[int], codes: Iterable[str], month: Period,
                       period: Period | None = None) -> dict[tuple[int, str], object]:
    """{(unit_id, code): Target} of the target each unit's figure for the month is measured against
    (see the module). One query."""
    from targets.models import Target, TargetKind

    unit_ids, codes = list(unit_ids), list(codes)
    if not unit_ids or not codes:
        return {}
    qs = Target.objects.of_units().filter(unit_id__in=unit_ids, indicator__code__in=codes)
    if period is not None:
        qs = qs.for_period(period)
    else:
        qs = qs.filter(year=month.year, period_type__in=TARGET_PERIODS)
    chosen: dict[tuple[int, str], tuple[tuple, object]] = {}
    for target in qs.select_related("indicator"):
        own_period = target.period
        if period is None and not own_period.contains(month):
            continue
        rank = (target.kind != TargetKind.ASSIGNED, TARGET_PERIODS.index(own_period.type)
                if own_period.type in TARGET_PERIODS else len(TARGET_PERIODS))
        key = (target.unit_id, target.indicator.code)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, target)
    return {key: target for key, (_, target) in chosen.items()}


def part_target_count(code: str, count_of) -> int | None:
    """The target count of a composite's part without a target of its own: the whole's count minus
    the other parts' (`count_of(code)` gives a code's own count or None)."""
    for whole, parts in COMPOSITES.items():
        if code in parts:
            whole_count = count_of(whole)
            others = [count_of(p) for p in parts if p != code]
            if whole_count is not None and all(o is not None for o in others):
                return whole_count - sum(others)
    return None
