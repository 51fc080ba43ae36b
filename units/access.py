"""The one place that decides what a user may see and do.

A user sees exactly the subtree of the units they belong to (through Membership) and
acts there according to their role there. Superusers see everything. Every view and
queryset that touches units goes through here; no view re-derives the rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from bhxh_portal import memo

from .models import MEMBERSHIPS, UNITS, Membership, Role, Unit


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str


def grants_of(user) -> list[Grant]:
    """The user's memberships, loaded once per user object (one query, or none while they are
    remembered: bhxh_portal.memo)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_bhxh_grants", None)
    if cached is None:
        # Across requests too, until a membership or a unit (its path) is written.
        cached = memo.remember(f"grants:{user.pk}", (MEMBERSHIPS, UNITS), lambda: [
            Grant(unit_id=m["unit_id"], path=m["unit__path"], role=m["role"])
            for m in Membership.objects.filter(user=user).values("unit_id", "unit__path", "role")
        ])
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
    return can(user, "units.view", unit)


def can_name(user, unit: Unit) -> bool:
    """May a message name this unit? Only one the user sees or works under (their own district,
    province); any other is refused as 'outside your scope', never by its name."""
    if can_view(user, unit):
        return True
    return user.is_authenticated and any(g.path.startswith(unit.path) for g in grants_of(user))


def has_role(user, unit: Unit, roles: Iterable[str], *, strictly_above: bool = False) -> bool:
    """True if the user holds one of `roles` on `unit` or on one of its ancestors. The primitive
    under can(): the portal's code asks can(user, action, unit), whose rules are in ACTIONS.

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


def administered_units(user, queryset: QuerySet | None = None) -> QuerySet:
    """The subtrees of the user's administrator memberships only: a user who is BHXH staff of one
    province and administrator of a district manages that district, nothing more."""
    qs = Unit.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(_subtree_filter(_rule_paths(user, "administration.manage")))


def scope_by_administered(user, queryset: QuerySet, unit_field: str = "unit") -> QuerySet:
    """Any queryset with a foreign key to Unit, restricted to the subtrees the user administers."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(_subtree_filter(_rule_paths(user, "administration.manage"), field=f"{unit_field}__path"))


def unit_by_pk(pk: int) -> Unit | None:
    """The unit with its level and parent (every unit page opens with it), remembered until a unit
    is written."""
    return memo.remember(f"unit:{int(pk)}", (UNITS,),
                         lambda: Unit.objects.select_related("level", "parent").filter(pk=pk).first())


def get_visible_unit_or_404(user, pk: int) -> Unit:
    """The unit, if the user may see it; otherwise 404, so nothing leaks about its existence."""
    unit = unit_by_pk(pk)
    if unit is None or not can_view(user, unit):
        raise Http404("Không tìm thấy đơn vị hoặc bạn không có quyền xem đơn vị này.")
    return unit


def top_units(user) -> QuerySet:
    """The units at the top of what the user sees (their membership units, or the roots)."""
    if user.is_superuser:
        return Unit.objects.filter(parent__isnull=True).select_related("level")
    paths = _outermost(g.path for g in grants_of(user))
    return Unit.objects.filter(path__in=paths).select_related("level")


# --- What each role may do: one table, one check -------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Who may do an action on a unit: a role held on the unit or on one of its ancestors.

    strictly_above: only a grant on an ancestor counts (the level above assigns, approves).
    above_roles: roles that count only on an ancestor, next to `roles` that count anywhere up
    the path (a commune official enters the population of the commune's villages, not the
    commune's own). An empty rule is for superusers only.
    """

    roles: frozenset[str]
    strictly_above: bool = False
    above_roles: frozenset[str] = frozenset()
    label: str = ""


_CO, _STAFF, _AGENT, _LEADER, _ADMIN = (Role.COMMUNE_OFFICIAL, Role.BHXH_STAFF, Role.COLLECTION_AGENT,
                                        Role.LEADER, Role.ADMINISTRATOR)
_ANYONE = frozenset(Role.values)
_UNIT_WORK = frozenset({_CO, _STAFF, _LEADER, _ADMIN})  # those who plan and report for a unit
_ABOVE = frozenset({_STAFF, _LEADER, _ADMIN})  # those who assign and approve from the level above

ACTIONS: dict[str, Rule] = {
    # The tree and its administration.
    "units.view": Rule(_ANYONE, label="xem đơn vị và cây đơn vị cấp dưới"),
    "units.change": Rule(frozenset({_ADMIN}), strictly_above=True, label="thêm, sửa, kết thúc đơn vị cấp dưới"),
    "administration.manage": Rule(frozenset({_ADMIN}), label="quản lý người dùng, đơn vị, đại lý"),
    "notices.configure": Rule(frozenset({_ADMIN}), label="đặt lịch thông báo của đơn vị"),
    "rules.view": Rule(frozenset({_ADMIN}), label="xem phạm vi quy tắc tính mức đóng"),
    "admin_site.use": Rule(frozenset(), label="trang quản trị Django (chỉ quản trị hệ thống)"),
    # Targets and denominators.
    "targets.assign": Rule(_ABOVE, strictly_above=True, label="giao chỉ tiêu cho cấp dưới"),
    "targets.set_own": Rule(_UNIT_WORK, label="đặt chỉ tiêu phấn đấu"),
    "targets.allocate": Rule(_UNIT_WORK, label="phân bổ chỉ tiêu cho cấp dưới và đại lý"),
    "targets.import": Rule(_UNIT_WORK, label="nhập chỉ tiêu, dân số, trường học từ tệp"),
    "demographics.enter": Rule(_ABOVE, above_roles=frozenset({_CO}), label="nhập dân số, lao động"),
    "schools.edit": Rule(_UNIT_WORK, label="sửa trường học và số học sinh tham gia BHYT"),
    # Monthly results (on the reporting unit: a village reports inside its commune).
    "results.enter": Rule(frozenset({_CO, _STAFF, _ADMIN}), label="nhập kết quả tháng"),
    "results.submit": Rule(frozenset({_CO, _STAFF, _ADMIN}), label="nộp kết quả tháng"),
    "results.approve": Rule(_ABOVE, strictly_above=True, label="duyệt kết quả tháng"),
    "results.return": Rule(_ABOVE, strictly_above=True, label="trả lại kết quả tháng"),
    "results.reopen": Rule(_ABOVE, strictly_above=True, label="mở lại kết quả tháng đã duyệt"),
    "results.import": Rule(frozenset({_STAFF, _ADMIN}), label="tải tệp kết quả tháng"),
    # Participants, agents and collections.
    "participants.import": Rule(frozenset({_STAFF, _ADMIN}), label="nhập danh sách người tham gia"),
    "participants.view_full_id": Rule(frozenset({_STAFF, _AGENT, _ADMIN}), label="xem đầy đủ số định danh"),
    "collections.record": Rule(frozenset({_AGENT, _STAFF, _ADMIN}), label="ghi biên lai thu tiền"),
    "contributions.calculate": Rule(frozenset({_AGENT, _STAFF, _ADMIN}), label="tính mức đóng"),
    # Drive activities, support programmes, plan documents.
    "activities.plan": Rule(_UNIT_WORK, label="lập, sửa hoạt động vận động"),
    "activities.import": Rule(frozenset({_STAFF, _ADMIN}), label="nhập kế hoạch hoạt động từ tệp"),
    "programmes.view": Rule(_UNIT_WORK, label="xem chương trình hỗ trợ"),
    "programmes.manage": Rule(frozenset({_STAFF, _ADMIN}), label="quản lý danh sách chương trình hỗ trợ"),
    "programmes.import": Rule(frozenset({_STAFF, _ADMIN}), label="nhập danh sách chương trình hỗ trợ"),
    "documents.create": Rule(_UNIT_WORK, label="soạn kế hoạch, báo cáo"),
    "documents.edit": Rule(_UNIT_WORK, label="sửa bản nháp"),
    "documents.submit": Rule(_UNIT_WORK, label="trình văn bản"),
    "documents.approve": Rule(frozenset({_LEADER}), label="duyệt văn bản"),
    "documents.return": Rule(frozenset({_LEADER}), label="trả lại văn bản"),
    "documents.sign": Rule(frozenset({_LEADER}), label="ký số văn bản"),
    "documents.issue": Rule(_UNIT_WORK, label="ban hành văn bản"),
    # The door-to-door drive: open its pages; organise it (lists, split, residents); read every list.
    "drive.open": Rule(_ANYONE, label="mở trang vận động theo danh sách"),
    "drive.manage": Rule(frozenset({_CO, _STAFF, _ADMIN}), label="lập, chia danh sách vận động"),
    "drive.oversee": Rule(frozenset({_CO, _STAFF, _ADMIN, _LEADER}), label="xem mọi danh sách vận động"),
}


def _rule(action: str) -> Rule:
    try:
        return ACTIONS[action]
    except KeyError:
        raise LookupError(f"Unknown action {action!r}: add it to units.access.ACTIONS.") from None


def can(user, action: str, unit: Unit) -> bool:
    """May the user do `action` on `unit`? The one check every view, service and menu entry calls."""
    rule = _rule(action)
    return has_role(user, unit, rule.roles, strictly_above=rule.strictly_above) or bool(
        rule.above_roles and has_role(user, unit, rule.above_roles, strictly_above=True))


def can_any(user, action: str) -> bool:
    """Whether the user may do `action` somewhere (a menu entry, a page without a unit)."""
    rule = _rule(action)
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(g.role in rule.roles | rule.above_roles for g in grants_of(user))


def _rule_paths(user, action: str) -> list[str]:
    """The paths of the grants that give the action on their subtree (rules not strictly above)."""
    rule = _rule(action)
    return [g.path for g in grants_of(user) if g.role in rule.roles]


def action_q(user, action: str, unit_field: str | None = None) -> Q:
    """A filter for the rows (units, or rows with a foreign key `unit_field` to Unit) on whose unit
    `can(user, action, unit)` holds."""
    rule = _rule(action)
    path = f"{unit_field}__path" if unit_field else "path"
    if user.is_authenticated and user.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    for grant in grants_of(user):
        if grant.role in rule.roles and not rule.strictly_above:
            condition |= Q(**{f"{path}__startswith": grant.path})
        elif grant.role in rule.roles | rule.above_roles:
            condition |= Q(**{f"{path}__startswith": grant.path}) & ~Q(**{path: grant.path})
    return condition


def units_where(user, action: str, queryset: QuerySet | None = None) -> QuerySet:
    """The units on which `can(user, action, unit)` holds, as one query."""
    qs = Unit.objects.all() if queryset is None else queryset
    return qs.filter(action_q(user, action))
