"""Where a unit's territory was before it existed, and where it went: the predecessor links read
across mergers, so that a figure of an earlier date can be found under today's unit."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from targets.models import Unit


@dataclass(frozen=True)
class Predecessor:
    unit: Unit
    # the old unit went into several new ones: only part of its figures belong here, and they are
    # not divided by guess
    split: bool


def with_successor_count(qs: QuerySet) -> QuerySet:
    """Annotate successor_count, counted apart from any join the queryset filters on (a unit's
    `predecessors` manager joins the same table, which a plain Count would reuse and count 1)."""
    links = (Unit.predecessors.through.objects.filter(to_unit_id=OuterRef("pk")).order_by()
             .values("to_unit_id").annotate(n=Count("from_unit_id")).values("n"))
    return qs.annotate(successor_count=Coalesce(Subquery(links, output_field=IntegerField()), 0))


def _valid_on(unit: Unit, day: datetime.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or unit.valid_to >= day)


def unit_predecessors_on(*, unit: Unit, on: datetime.date) -> list[Predecessor]:
    """The units in force on `on` whose territory makes up `unit`: the unit itself if it existed
    then, else its predecessors (followed back through several mergers), each flagged when split.
    One query per generation of mergers."""
    if unit.valid_from is None or unit.valid_from <= on:
        return [Predecessor(unit=unit, split=False)]
    found: dict[int, Predecessor] = {}
    frontier = {unit.pk: False}  # unit id -> whether a split lies on the way to it
    while frontier:
        through = Unit.predecessors.through.objects.filter(from_unit_id__in=list(frontier))
        links = list(through.values_list("from_unit_id", "to_unit_id"))
        olds = Unit.objects.filter(pk__in={b for _, b in links}).select_related("level").annotate(
            successor_count=Count("successors"))
        by_id = {u.pk: u for u in olds}
        next_frontier: dict[int, bool] = {}
        for new_id, old_id in links:
            old = by_id[old_id]
            split = frontier[new_id] or old.successor_count > 1
            if _valid_on(old, on):
                previous = found.get(old_id)
                found[old_id] = Predecessor(unit=old, split=split or bool(previous and previous.split))
            elif old.valid_from is not None and old.valid_from > on:
                next_frontier[old_id] = next_frontier.get(old_id, False) or split
        frontier = next_frontier
    return sorted(found.values(), key=lambda p: (p.unit.code, p.unit.pk))


@dataclass
class Lineage:
    predecessors: list[Predecessor]
    successors: list[Predecessor]


def unit_lineage(*, unit: Unit) -> Lineage:
    """The unit's direct predecessors and successors, each flagged when it was split."""
    predecessors = with_successor_count(unit.predecessors.select_related("level", "parent"))
    successors = list(unit.successors.select_related("level", "parent").order_by("code"))
    return Lineage(
        predecessors=[Predecessor(unit=u, split=u.successor_count > 1) for u in predecessors.order_by("code")],
        successors=[Predecessor(unit=u, split=len(successors) > 1) for u in successors],
    )
