"""The one place that decides what a user may see and do.

A user sees exactly the subtree of the units they belong to (through Membership) and
acts there according to their role there. Superusers see everything. Every view and
queryset that touches units goes through here; no view re-derives the rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Role, Unit


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str


def grants_of(user) -> list[Grant]:
    """The user's memberships, loaded once per user object (one query)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_bhxh_grants", None)
    if cached is None:
        cached = [
            Grant(unit_id=m["unit_id"], path=m["unit__path"], role=m["role"])
            for m in Membership.objects.filter(user=user).values("unit_id", "unit__path", "role")
        ]
        user._bhxh_grants = cached
    return cached


def forget_grants(user) -> None:
    if hasattr(user, "_bhxh_grants"):
        del user._bhxh_grants


def roles_of(user) -> set[str]:
    if user.is_authenticated and user.is_superuser:
        return set(Role.values)
    return {g.role for g in grants_of(user)}


def _subtree_filter(paths: Iterable[str], field: str = "path") -> Q:
    condition = Q(pk__in=[])
    for path in _outermost(paths):
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _outermost(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by an ancestor path, so the SQL stays short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def visible_units(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = Unit.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(_subtree_filter(g.path for g in grants_of(user)))


def scope_by_unit(user, queryset: QuerySet, unit_field: str = "unit") -> QuerySet:
    """Restrict any queryset with a foreign key to Unit to the user's subtrees."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(_subtree_filter((g.path for g in grants_of(user)), field=f"{unit_field}__path"))


def visible_history(user, queryset: QuerySet | None = None) -> QuerySet:
    """Ended units outside the user's subtrees whose territory now lies inside them: an old unit
    (before a merger) is seen by whoever sees one of its successors, so a person who still knows
    a commune by its old name or code finds where it went. Only named, never opened: its page,
    its old parent and its other successors stay outside the user's scope."""
    qs = Unit.objects.all() if queryset is None else queryset
    qs = qs.filter(valid_to__isnull=False)
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(_subtree_filter((g.path for g in grants_of(user)), field="successors__path")).distinct()


def can_view(user, unit: Unit) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(unit.path.startswith(g.path) for g in grants_of(user))


def can_name(user, unit: Unit) -> bool:
    """May a message name this unit? Only one the user sees or works under (their own district,
    province); any other is refused as 'outside your scope', never by its name."""
    if can_view(user, unit):
        return True
    return user.is_authenticated and any(g.path.startswith(unit.path) for g in grants_of(user))


def has_role(user, unit: Unit, roles: Iterable[str], *, strictly_above: bool = False) -> bool:
    """True if the user holds one of `roles` on `unit` or on one of its ancestors.

    With strictly_above, the grant must be on an ancestor (the level above assigns, approves).
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    wanted = set(roles)
    for grant in grants_of(user):
        if grant.role not in wanted or not unit.path.startswith(grant.path):
            continue
        if strictly_above and grant.path == unit.path:
            continue
        return True
    return False


def can_administer(user, unit: Unit) -> bool:
    return has_role(user, unit, [Role.ADMINISTRATOR])


def _administrator_paths(user) -> list[str]:
    return [g.path for g in grants_of(user) if g.role == Role.ADMINISTRATOR]


def administers_any(user) -> bool:
    """Whether the user administers some unit (the portal's management pages, /quan-ly/)."""
    return user.is_authenticated and (user.is_superuser or bool(_administrator_paths(user)))


def administered_units(user, queryset: QuerySet | None = None) -> QuerySet:
    """The subtrees of the user's administrator memberships only: a user who is BHXH staff of one
    province and administrator of a district manages that district, nothing more."""
    qs = Unit.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(_subtree_filter(_administrator_paths(user)))


def scope_by_administered(user, queryset: QuerySet, unit_field: str = "unit") -> QuerySet:
    """Any queryset with a foreign key to Unit, restricted to the subtrees the user administers."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(_subtree_filter(_administrator_paths(user), field=f"{unit_field}__path"))


def get_visible_unit_or_404(user, pk: int) -> Unit:
    """The unit, if the user may see it; otherwise 404, so nothing leaks about its existence."""
    unit = Unit.objects.select_related("level", "parent").filter(pk=pk).first()
    if unit is None or not can_view(user, unit):
        raise Http404("Không tìm thấy đơn vị hoặc bạn không có quyền xem đơn vị này.")
    return unit


def top_units(user) -> QuerySet:
    """The units at the top of what the user sees (their membership units, or the roots)."""
    if user.is_superuser:
        return Unit.objects.filter(parent__isnull=True).select_related("level")
    paths = _outermost(g.path for g in grants_of(user))
    return Unit.objects.filter(path__in=paths).select_related("level")


# --- Targets: who assigns, who sets their own, who splits, who enters denominators ----

TARGET_ASSIGNER_ROLES = frozenset({Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR})
TARGET_OWNER_ROLES = frozenset({Role.COMMUNE_OFFICIAL, Role.BHXH_STAFF, Role.LEADER, Role.ADMINISTRATOR})


def can_assign_target(user, unit: Unit) -> bool:
    """An assigned target (giao) comes from the level above: BHXH staff, leaders, administrators
    of an ancestor unit."""
    return has_role(user, unit, TARGET_ASSIGNER_ROLES, strictly_above=True)


def can_set_own_target(user, unit: Unit) -> bool:
    """A unit's self-set target (phấn đấu): its own officials, or anyone above who may act there."""
    return has_role(user, unit, TARGET_OWNER_ROLES)


def can_allocate_targets(user, unit: Unit) -> bool:
    """Splitting the unit's target across its own children and its collection agents."""
    return has_role(user, unit, TARGET_OWNER_ROLES)


def can_edit_demographics(user, unit: Unit) -> bool:
    """Population and labour force: BHXH staff, leaders, administrators of the unit or above;
    a commune official for the villages of the commune."""
    return has_role(user, unit, TARGET_ASSIGNER_ROLES) or has_role(
        user, unit, [Role.COMMUNE_OFFICIAL], strictly_above=True
    )


# --- Schools: the schools of a commune and their pupils' BHYT --------------------------


def can_edit_schools(user, commune: Unit) -> bool:
    """The schools of a commune and their figures: its own officials, BHXH staff, leaders and
    administrators of the commune or above."""
    return has_role(user, commune, TARGET_OWNER_ROLES)
