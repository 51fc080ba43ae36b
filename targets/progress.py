"""Progress against a target, and where participant counts come from.

The counts come from the monthly results; while no source is registered every page says that no
results exist yet. The results code registers one function (in its AppConfig.ready):

    from targets.progress import register_participants_source
    register_participants_source(participants_at)

    def participants_at(*, unit_ids, indicator_ids, period) -> dict[tuple[int, int], int]:
        # participants of each (unit_id, indicator_id) at the end of `period` (or the latest
        # month reported within it), in ONE grouped query whatever the number of units.

The figures (coverage %, achievement %, target count, remaining) follow the one figure rule of the
coverage tables: the functions of targets.figures, the rule documented in reports.tables.figures.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from targets import figures
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
    """A unit's participants against its target, computed with targets.figures (the rule of every
    coverage table, documented in reports.tables.figures), so the targets pages print the tables' figures."""

    participants: int
    denominator: int | None
    rate: Fraction | Decimal | None  # figures.computing_rate of the target
    assigned: int | None  # figures.assigned_count of the target

    @property
    def coverage_pct(self) -> Fraction | None:
        return figures.percent(self.participants, self.denominator)

    @property
    def target_count(self) -> int | None:
        return figures.target_count_of(rate=self.rate, assigned=self.assigned, denominator=self.denominator)

    @property
    def achievement_pct(self) -> Fraction | None:
        return figures.achievement_pct(participants=self.participants, denominator=self.denominator,
                                       rate=self.rate, assigned=self.assigned)

    @property
    def remaining(self) -> int | None:
        count = self.target_count
        return None if count is None else count - self.participants


def progress_against(target, *, participants: int | None, denominator: int | None) -> Progress | None:
    """Progress of a participant count against a Target (or None without results)."""
    if participants is None:
        return None
    return Progress(participants, denominator, figures.computing_rate(target), figures.assigned_count(target))
