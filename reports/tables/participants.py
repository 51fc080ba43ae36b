"""Participants per unit and indicator for a month, from the monthly results (own entry, else the
children's sum), in a fixed number of queries. The results app owns the rule; this only adapts."""

from units.models import Unit
from units.periods import Period


def participants_by_unit(*, parent: Unit, units: list[Unit], indicator_codes: list[str],
                         month: Period) -> dict[tuple[int, str], int]:
    from results.selectors import participant_values

    # Only the values: the sources, new and renewing are not printed in these tables.
    values = participant_values(parent=parent, indicators=indicator_codes, month=month)
    wanted = {u.pk for u in units}
    return {key: value for key, value in values.items() if key[0] in wanted}

