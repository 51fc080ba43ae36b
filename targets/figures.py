"""The arithmetic of a figure against a target: coverage %, the rate a target is computed with, the
target count, achievement %. Pure functions on exact values (int, Fraction, Decimal), no queries.

The rule they implement is documented once, in the docstring of `reports.tables.figures` (which
re-exports them): every coverage table, the dashboard, the evaluation and the targets pages
(`targets.progress`) compute with these functions, so a figure cannot differ between them.
"""

from decimal import Decimal
from fractions import Fraction

from targets.rates import EnteredAs, count_from_rate


def percent(part: int | None, whole: int | None) -> Fraction | None:
    """part / whole × 100, exact (coverage % = participants / denominator × 100)."""
    if part is None or not whole:
        return None
    return Fraction(part * 100, whole)


def ratio_pct(value: Fraction | None, target: Fraction | Decimal | None) -> Fraction | None:
    if value is None or not target:
        return None
    return value * 100 / Fraction(target)


def computing_rate(target) -> Fraction | Decimal | None:
    """The rate a target is computed with: as entered, or the exact count / denominator of a count."""
    if target is None:
        return None
    if target.entered_as == EnteredAs.RATE and target.rate_pct is not None:
        return Decimal(target.rate_pct).normalize()
    return target.exact_rate


def assigned_count(target) -> int | None:
    """The count of a target assigned as a count; None for one assigned as a rate."""
    if target is None or target.entered_as != EnteredAs.COUNT:
        return None
    return target.count


def target_count(rate_pct: Decimal | Fraction | None, denominator: int | None) -> int | None:
    """Rate × denominator, rounded half up to a whole person."""
    if rate_pct is None or denominator is None:
        return None
    return count_from_rate(rate_pct, denominator)


def target_count_of(*, rate: Decimal | Fraction | None, assigned: int | None, denominator: int | None) -> int | None:
    return assigned if assigned is not None else target_count(rate, denominator)


def achievement_pct(*, participants: int | None, denominator: int | None, rate: Decimal | Fraction | None,
                    assigned: int | None) -> Fraction | None:
    """Achievement against the target: participants / count for a count assigned, coverage / rate for
    a rate; exact."""
    if participants is None:
        return None
    if assigned:
        return Fraction(participants * 100, assigned)
    return ratio_pct(percent(participants, denominator), rate)
