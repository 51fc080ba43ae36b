"""Participants per unit and indicator for a month, from the monthly results (own entry, else the
children's sum), in a fixed number of queries. The results app owns the rule; this only adapts."""

from units.models import Unit
from units.periods import Period


def participants_by_unit(*, parent: Unit, units: list[Unit], indicator_codes: list[str],
                         month: Period) -> dict[tuple[int, str], int]:
    from results.selectors import participants_for_children

    # Only the participants: the new/renewing sums are not printed in these tables.
    figures = participants_for_children(parent=parent, indicators=indicator_codes, month=month,
                                        fields=["participants"])
    wanted = {u.pk for u in units}
    values: dict[tuple[int, str], int] = {}
    for (unit_id, code), figure in _items(figures):
        if unit_id in wanted and figure is not None:
            values[(unit_id, code)] = figure
    return values


def _items(figures):
    """Accept {unit_id: {code: Figure|int}} or {(unit_id, code): Figure|int}."""
    for key, value in figures.items():
        if isinstance(key, tuple):
            yield key, _number(value)
        else:
            for code, figure in value.items():
                yield (key, getattr(code, "code", code)), _number(figure)


def _number(figure):
    if figure is None or isinstance(figure, int):
        return figure
    return getattr(figure, "value", None)
