"""Reads of the unit tree: one query each, whatever the size of the tree."""

import datetime
import hashlib

from django.db.models import Count, F, Q, QuerySet

from bhxh_portal import memo
from bhxh_portal.search import folded_words_q
from units import access
from units.models import UNITS, Unit


def unit_subtree(*, unit: Unit, include_self: bool = True, on: datetime.date | None = None) -> QuerySet:
    qs = Unit.objects.subtree_of(unit, include_self=include_self)
    return qs.valid_on(on) if on else qs


def _as_tree_nodes(qs: QuerySet) -> QuerySet:
    """Units as nodes of the browser tree: with their level and how many children they have;
    current units first (NULL valid_to, the same on SQLite and PostgreSQL), then by code."""
    return (
        qs.select_related("level")
        .annotate(child_count=Count("children"))
        .order_by(F("valid_to").desc(nulls_first=True), "code")
    )


def unit_children(*, unit: Unit, on: datetime.date | None = None) -> QuerySet:
    qs = Unit.objects.filter(parent=unit)
    return _as_tree_nodes(qs.valid_on(on) if on else qs)


def unit_tree_roots(*, user) -> QuerySet:
    """Where the user's tree starts: the units they belong to (or the provinces, for a superuser)."""
    return _as_tree_nodes(access.top_units(user))


def unit_subtree_counts(*, unit: Unit, on: datetime.date | None = None) -> list[dict]:
    """How many units of each level lie under the unit: [{"level": "Xã", "count": 14}, ...], one query."""
    qs = unit_subtree(unit=unit, include_self=False, on=on)
    rows = qs.values("level__rank", "level__name").annotate(count=Count("pk")).order_by("level__rank")
    return [{"level": r["level__name"], "count": r["count"]} for r in rows]


def unit_breadcrumbs(*, unit: Unit, user) -> list[Unit]:
    """The unit's ancestors the user may see, top first, then the unit itself."""
    ancestors = units_by_ids(ids=unit.ancestor_ids)
    ordered = sorted((u for u in ancestors if access.can_view(user, u)), key=lambda u: u.depth)
    return [*ordered, unit]


def units_by_ids(*, ids) -> list[Unit]:
    """The units with these ids (and their levels), in code order; remembered until a unit is written
    (bhxh_portal.memo): the rows of a dashboard, the breadcrumbs of every unit page."""
    ids = sorted(set(ids))
    if not ids:
        return []
    key = "units:" + hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()
    return memo.remember(key, (UNITS,), lambda: list(
        Unit.objects.filter(pk__in=ids).select_related("level").order_by("code")))


def unit_search(*, user, text: str, limit: int = 50) -> list[Unit]:
    """Search by name or code, without needing the Vietnamese accents ('hai duong' finds 'Hải Dương').

    Old names and codes count too: an ended unit the user sees, or one outside their subtrees whose
    successor they see (access.visible_history), is found with `now_in`, today's units its territory
    went into that the user sees, and `openable`, whether its own page is theirs to open."""
    words = folded_words_q(text, "search_name")
    if words is None:
        return []
    condition = Q(code__istartswith=text.strip())
    found = list(access.visible_units(user).filter(condition | words)
                 .select_related("level", "parent").order_by("depth", "code")[:limit])
    seen = {u.pk for u in found}
    history = (access.visible_history(user, Unit.objects.filter(condition | words)).exclude(pk__in=seen)
               .select_related("level").order_by("depth", "code")[:max(limit - len(found), 0)])
    history = list(history)
    for unit in found:
        unit.openable, unit.parent_shown = True, unit.parent
    for unit in history:
        # the old parent may hold other units outside the user's scope: not named
        unit.openable, unit.parent_shown = False, None
    by_old: dict[int, list[Unit]] = {}
    ended = [u for u in (*found, *history) if u.valid_to is not None]
    if ended:
        links = Unit.predecessors.through.objects.filter(to_unit_id__in=[u.pk for u in ended])
        successors = access.visible_units(user, Unit.objects.filter(
            pk__in=links.values("from_unit_id"))).select_related("level").order_by("code")
        succ_by_id = {u.pk: u for u in successors}
        for new_id, old_id in links.values_list("from_unit_id", "to_unit_id"):
            if new_id in succ_by_id:
                by_old.setdefault(old_id, []).append(succ_by_id[new_id])
    for unit in (*found, *history):
        unit.now_in = sorted(by_old.get(unit.pk, []), key=lambda u: u.code) if unit.valid_to else []
    return [*found, *history]
