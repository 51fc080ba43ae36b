"""The coverage arithmetic of DOMAIN.md section 4, checked digit for digit against Càng Long 2023.

- coverage % = participants / denominator × 100
- achievement % = coverage % / target rate × 100, from unrounded values
- target count = target rate × denominator, rounded half up to a whole person
- remaining = target count − participants (negative when over target)
- change vs last month = coverage % now − coverage % last month, in percentage points
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bhxh_portal.numbers import round_half_up

from .base import percent, ratio_pct


@dataclass(frozen=True)
class CoverageFigures:
    denominator: int | None
    participants: int | None
    target_rate: Decimal | None
    coverage_pct: Fraction | None
    achievement_pct: Fraction | None
    target_count: int | None
    remaining: int | None
    change_pp: Fraction | None


def target_count(rate_pct: Decimal | Fraction | None, denominator: int | None) -> int | None:
    if rate_pct is None or denominator is None:
        return None
    return int(round_half_up(Fraction(rate_pct) * denominator / 100))


def coverage_figures(*, denominator: int | None, participants: int | None, target_rate: Decimal | None,
                     previous_coverage_pct: Fraction | None = None,
                     target_count_override: int | None = None) -> CoverageFigures:
    coverage = percent(participants, denominator)
    count = target_count_override if target_count_override is not None else target_count(target_rate, denominator)
    return CoverageFigures(
        denominator=denominator,
        participants=participants,
        target_rate=target_rate,
        coverage_pct=coverage,
        achievement_pct=ratio_pct(coverage, target_rate),
        target_count=count,
        remaining=None if count is None or participants is None else count - participants,
        change_pp=None if coverage is None or previous_coverage_pct is None else coverage - previous_coverage_pct,
    )
