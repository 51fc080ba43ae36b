"""The coverage arithmetic of DOMAIN.md section 4, checked digit for digit against Càng Long 2023;
the rules themselves (achievement, target count, rounding) are reports.tables.figures'.

- coverage % = participants / denominator × 100
- achievement % = coverage % / target rate × 100, from unrounded values (participants / count for a
  target assigned as a count)
- target count = target rate × denominator, rounded half up to a whole person (or the count assigned)
- remaining = target count − participants (negative when over target)
- change vs last month = coverage % now − coverage % last month, in percentage points
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .figures import achievement_pct, percent, target_count, target_count_of


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


def coverage_figures(*, denominator: int | None, participants: int | None, target_rate: Decimal | None,
                     previous_coverage_pct: Fraction | None = None,
                     target_count_override: int | None = None) -> CoverageFigures:
    """`target_count_override`: the count of a target assigned as a count (None for a rate)."""
    coverage = percent(participants, denominator)
    count = target_count_of(rate=target_rate, assigned=target_count_override, denominator=denominator)
    return CoverageFigures(
        denominator=denominator,
        participants=participants,
        target_rate=target_rate,
        coverage_pct=coverage,
        achievement_pct=achievement_pct(participants=participants, denominator=denominator, rate=target_rate,
                                        assigned=target_count_override),
        target_count=count,
        remaining=None if count is None or participants is None else count - participants,
        change_pp=None if coverage is None or previous_coverage_pct is None else coverage - previous_coverage_pct,
    )


__all__ = ["CoverageFigures", "coverage_figures", "target_count"]
