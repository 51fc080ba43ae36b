"""Where a unit's territory was before it existed, and where it went: the predecessor links read
across mergers, so that a figure of an earlier date can be found under today's unit."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from units import access
from units.models import Unit


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


def unit_counterpart_on(*, unit: Unit, on: datetime.date) -> Unit | None:
    """The one unit in force on `on` that holds `unit`'s territory: the unit itself, the one unit it
    went into (followed forward through several mergers: a merged province's territory lies within
    the new one) or its one predecessor; None when lineage names several (a divided territory, or one
    pieced together from several: no single unit of that day holds it)."""
    current = unit
    seen = set()
    while not _valid_on(current, on) and current.pk not in seen:
        seen.add(current.pk)
        later = current.valid_to is not None and current.valid_to < on
        linked = list((current.successors if later else current.predecessors).select_related("level", "parent"))
        if len(linked) != 1:
            return None
        current = linked[0]
    return current if _valid_on(current, on) else None


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


@dataclass(frozen=True)
class CodeLookup:
    unit: Unit | None
    error: str = ""  # why the code names no unit the row may use, in Vietnamese
    ended: bool = False  # the code is known, but its unit had ended before the date


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} (mã {unit.code})"


def unit_for_code(*, code: str, start: datetime.date, end: datetime.date | None = None, user=None,
                  kind: str = "đơn vị") -> CodeLookup:
    """The unit a code names on a date, or over the period start..end: every import that takes a
    unit code asks here.

    A code names one unit per era: 46 is Thừa Thiên Huế to 30/6/2025 and Thành phố Huế since, and a
    commune code kept by the new commune names the old commune for earlier dates. A period across
    the change (the year 2025) takes the unit in force at its end. An old code used for a date after
    its unit ended is refused with where the territory went ("mã xã cũ, nay thuộc …, hãy dùng mã …").
    A code with no unit of the date but a current one (a unit entered without its history) names the
    current one. With `user`, a unit outside what they see is answered as unknown, and a successor is
    named only if they see it (access.visible_history)."""
    end = end or start
    units = list(Unit.objects.filter(code=code).select_related("level", "parent"))
    in_force = [u for u in units if (u.valid_from is None or u.valid_from <= end)
                and (u.valid_to is None or u.valid_to >= start)]
    unknown = CodeLookup(None, f"Không có {kind} mã '{code}'" + (" trong phạm vi của bạn." if user else "."))
    if in_force:
        unit = max(in_force, key=lambda u: u.valid_from or datetime.date.min)
    else:
        ended = sorted((u for u in units if u.valid_to is not None and u.valid_to < start), key=lambda u: u.valid_to)
        if ended:
            return _ended_code(ended[-1], code=code, user=user, unknown=unknown)
        unit = next((u for u in units if u.valid_to is None), None)
    if unit is None or (user is not None and not access.can_view(user, unit)):
        return unknown
    return CodeLookup(unit)


def _ended_code(old: Unit, *, code: str, user, unknown: CodeLookup) -> CodeLookup:
    successors = list(old.successors.select_related("level").order_by("code"))
    if user is not None:
        successors = [s for s in successors if access.can_view(user, s)]
        if not successors and not access.can_view(user, old):
            return unknown
    what = f"'{code}' là mã {old.level.name.lower()} cũ ({old.name}, hết hiệu lực {old.valid_to:%d/%m/%Y})"
    if not successors:
        return CodeLookup(None, ended=True, error=f"{what}; không dùng được cho thời kỳ sau ngày đó.")
    if len(successors) == 1:
        now = successors[0]
        return CodeLookup(None, ended=True, error=f"{what}, nay thuộc {now.name}, hãy dùng mã {now.code}.")
    return CodeLookup(None, ended=True, error=f"{what}, nay thuộc {', '.join(_unit_label(s) for s in successors)}; "
                            "hãy dùng mã của đơn vị mới đúng với địa bàn.")
