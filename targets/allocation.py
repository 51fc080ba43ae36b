"""Splitting a parent's target across its recipients: pure functions, exact arithmetic.

Every helper returns whole people whose sum is exactly the total (largest-remainder method on
Fractions, never floats). The people left over after rounding down go to the largest remainders;
equal remainders are broken by `tie_break` (the unit code, so the same input always gives the
same split). Recipients are any hashable keys.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from bhxh_portal.numbers import round_half_up

K = TypeVar("K", bound=Hashable)
Weight = int | Decimal | Fraction


class AllocationError(ValueError):
    """A helper cannot split as asked; the message says why, in Vietnamese."""


def _identity(key):
    return key


def split_by_weight(total: int, weights: Mapping[K, Weight], *,
                    tie_break: Callable[[K], Any] | None = None) -> dict[K, int]:
    """Shares of `total` in proportion to `weights`, summing exactly to `total`."""
    if total < 0:
        raise AllocationError("Tổng cần chia không được âm.")
    if not weights:
        raise AllocationError("Không có đơn vị nào để chia.")
    exact = {k: Fraction(w) for k, w in weights.items()}
    if any(w < 0 for w in exact.values()):
        raise AllocationError("Trọng số để chia không được âm.")
    weight_sum = sum(exact.values())
    if weight_sum == 0:
        raise AllocationError("Tất cả trọng số bằng 0: không chia theo tỷ lệ được.")
    tie = tie_break or _identity
    quotas = {k: total * w / weight_sum for k, w in exact.items()}
    shares = {k: q.numerator // q.denominator for k, q in quotas.items()}
    left = total - sum(shares.values())
    # Largest remainder first; equal remainders in tie-break order (e.g. by unit code).
    order = sorted(quotas, key=lambda k: (-(quotas[k] - shares[k]), tie(k)))
    for key in order[:left]:
        shares[key] += 1
    return shares


def split_equal(total: int, keys: Iterable[K], *, tie_break: Callable[[K], Any] | None = None) -> dict[K, int]:
    """Equal shares; the remainder goes one each to the first recipients in tie-break order."""
    return split_by_weight(total, {k: 1 for k in keys}, tie_break=tie_break)


def coverage_gaps(*, benchmark: Mapping[K, int], participants: Mapping[K, int]) -> dict[K, int]:
    """People still to mobilise per recipient: benchmark − participants, never below zero."""
    return {k: max(0, b - participants.get(k, 0)) for k, b in benchmark.items()}


def split_by_gap(total: int, *, benchmark: Mapping[K, int], participants: Mapping[K, int],
                 tie_break: Callable[[K], Any] | None = None) -> dict[K, int]:
    """In proportion to what each recipient still has to mobilise to reach the benchmark
    (for instance the parent's rate applied to the recipient's population)."""
    gaps = coverage_gaps(benchmark=benchmark, participants=participants)
    if not any(gaps.values()):
        raise AllocationError("Các đơn vị đều đã đạt mức chuẩn: không còn khoảng cách để chia theo.")
    return split_by_weight(total, gaps, tie_break=tie_break)


def counts_at_rate(rate_pct: Weight, denominators: Mapping[K, int]) -> dict[K, int]:
    """The same rate for every recipient: rate × its own denominator, rounded half up each.

    These do not in general add up to the parent's count (Càng Long 2023: the communes at 95%
    add up to 141.365 while the district's own 95% of 148.806 is 141.366)."""
    rate = Fraction(rate_pct)
    return {k: int(round_half_up(rate * d / 100)) for k, d in denominators.items()}


@dataclass(frozen=True)
class SplitCheck:
    """The running total of a split against the parent's target."""

    target: int | None
    allocated: int

    @property
    def difference(self) -> int | None:
        return None if self.target is None else self.allocated - self.target

    @property
    def status(self) -> str:
        """'under' (warn), 'exact' or 'over' (allowed, shown); 'none' when the parent has no target."""
        if self.target is None:
            return "none"
        if self.allocated < self.target:
            return "under"
        return "exact" if self.allocated == self.target else "over"

    @property
    def message(self) -> str:
        if self.target is None:
            return f"Đã phân bổ {self.allocated:,} người; đơn vị chưa có chỉ tiêu để đối chiếu.".replace(",", ".")
        diff = abs(self.difference)
        text = f"{diff:,}".replace(",", ".")
        if self.status == "under":
            return f"Còn thiếu {text} người so với chỉ tiêu."
        if self.status == "over":
            return f"Vượt {text} người so với chỉ tiêu."
        return "Đã phân bổ đủ chỉ tiêu."


def check_split(target: int | None, shares: Iterable[int | None]) -> SplitCheck:
    return SplitCheck(target=target, allocated=sum(s for s in shares if s))
