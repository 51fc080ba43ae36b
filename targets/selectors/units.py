"""Reads of the unit tree: one query each, whatever the size of the tree."""

import datetime

from django.db.models import Count, Q, QuerySet

from targets import access
from targets.models import Unit, fold_text


def unit_subtree(*, unit: Unit, include_self: bool = True, on: datetime.date | None = None) -> QuerySet:
    qs = Unit.objects.subtree_of(unit, include_self=include_self)
    return qs.valid_on(on) if on else qs


def unit_children(*, unit: Unit, on: datetime.date | None = None) -> QuerySet:
    qs = Unit.objects.filter(parent=unit).select_related("level").annotate(child_count=Count("children"))
    qs = qs.valid_on(on) if on else qs
    return qs.order_by("valid_to", "code")


def unit_breadcrumbs(*, unit: Unit, user) -> list[Unit]:
    """The unit's ancestors the user may see, top first, then the unit itself."""
    ancestors = Unit.objects.filter(pk__in=unit.ancestor_ids)
    ordered = sorted(access.visible_units(user, ancestors), key=lambda u: u.depth)
    return [*ordered, unit]


def unit_search(*, user, text: str, limit: int = 50) -> QuerySet:
    """Search by name or code, without needing the Vietnamese accents ('hai duong' finds 'Hải Dương')."""
    folded = fold_text(text)
    if not folded:
        return Unit.objects.none()
    condition = Q(code__iexact=text.strip()) | Q(code__istartswith=text.strip())
    words = Q()
    for word in folded.split():
        words &= Q(search_name__contains=word)
    qs = access.visible_units(user).filter(condition | words)
    return qs.select_related("level", "parent").order_by("depth", "code")[:limit]
