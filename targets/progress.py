"""Progress against a target, and where participant counts come from.

The counts come from the monthly results; while no source is registered every page says that no
results exist yet. The results code registers one function (in its AppConfig.ready):

    from targets.progress import register_participants_source
    register_participants_source(participants_at)

    def participants_at(*, unit_ids, indicator_ids, period) -> dict[tuple[int, int], int]:
        # participants of each (unit_id, indicator_id) at the end of `period` (or the latest
        # month reported within it), in ONE grouped query whatever the number of units.

Formulas (DOMAIN.md section 4): coverage % = participants / denominator × 100; achievement % =
coverage % / target rate × 100 from unrounded values (for a target without a denominator:
participants / target count × 100); remaining = target count − participants (may be negative).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from units.periods import Period

ParticipantsSource = Callable[..., Mapping[tuple[int, int], int]]
_source: ParticipantsSource | None = None


def register_participants_source(source: ParticipantsSource | None) -> ParticipantsSource | None:
    """Install the function that reads participants; returns the previous one (tests restore it)."""
    global _source
    previous, _source = _source, source
    return previous


def has_participants_source() -> bool:
    return _source is not None


def participants_for(*, unit_ids: Iterable[int], indicator_ids: Iterable[int],
                     period: Period) -> dict[tuple[int, int], int]:
    unit_ids, indicator_ids = list(unit_ids), list(indicator_ids)
    if _source is None or not unit_ids or not indicator_ids:
        return {}
    return dict(_source(unit_ids=unit_ids, indicator_ids=indicator_ids, period=period))


@dataclass(frozen=True)
class Progress:
    participants: int
    denominator: int | None
    target_count: int | None
    target_rate: Fraction | None  # exact

    @property
    def coverage_pct(self) -> Fraction | None:
        if not self.denominator:
            return None
        return Fraction(self.participants * 100, self.denominator)

    @property
    def achievement_pct(self) -> Fraction | None:
        coverage = self.coverage_pct
        if coverage is not None and self.target_rate:
            return coverage / self.target_rate * 100
        if self.target_count:
            return Fraction(self.participants * 100, self.target_count)
        return None

    @property
    def remaining(self) -> int | None:
        if self.target_count is None:
            return None
        return self.target_count - self.participants


def progress_against(target, *, participants: int | None, denominator: int | None) -> Progress | None:
    """Progress of a participant count against a Target (or None without results)."""
    if participants is None:
        return None
    if target is None:
        return Progress(participants, denominator, None, None)
    rate = target.exact_rate
    if rate is None and denominator:
        rate = Fraction(target.count * 100, denominator)
    return Progress(participants, denominator, target.count, rate)
