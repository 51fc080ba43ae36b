"""Every write of the management pages. Each checks, again, that what it touches lies in the subtrees
the user administers (units.access): a form that limits its choices is not the check."""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from agents.models import Agent, Collector
from units import access
from units import services as unit_services
from units.models import Membership, Role, Unit, UnitLevel
from units.services.official_units import OfficialLoadReport, official_units_load

from . import selectors

log = logging.getLogger("bhxh.administration")

OUTSIDE = "Không thuộc phạm vi quản lý của bạn."
UNIT_CLEAN_EXCLUDE = ["path", "search_name", "predecessors"]


def _require_administers(by, unit: Unit) -> None:
    if not access.can(by, "administration.manage", unit):
        raise PermissionDenied(OUTSIDE)


def _require_membership_change(by, user) -> None:
    if not selectors.is_managed_user(admin=by, user=user):
        raise PermissionDenied(OUTSIDE)
    refusal = selectors.membership_refusal(admin=by, user=user)
    if refusal:
        raise PermissionDenied(refusal)


def _require_account_change(by, user) -> None:
    _require_membership_change(by, user)
    refusal = selectors.account_refusal(admin=by, user=user)
    if refusal:
        raise PermissionDenied(refusal)


def _valid_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": "Vai trò không hợp lệ."})
    return role


# --- users and memberships -----------------------------------------------------------------------

@transaction.atomic
def user_create(*, by, username: str, full_name: str, email: str, password: str, unit: Unit, role: str):
    """A new account with its first membership (an account with none would be out of everyone's sight)."""
    _require_administers(by, unit)
    _valid_role(role)
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "Tên đăng nhập này đã được dùng; hãy chọn tên khác."})
    user = User(username=username, first_name=full_name.strip(), email=email.strip(), is_active=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password", "last_name"])
    user.save()
    Membership.objects.create(user=user, unit=unit, role=role)
    log.info("user %s created by %s with %s on unit %s", user.username, by.username, role, unit.pk)
    return user


@transaction.atomic
def membership_add(*, by, user, unit: Unit, role: str) -> Membership:
    _require_administers(by, unit)
    _require_membership_change(by, user)
    _valid_role(role)
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if not created:
        raise ValidationError(f"{user.username} đã có vai trò {Role(role).label} ở {unit.name}.")
    log.info("membership %s of %s on unit %s added by %s", role, user.username, unit.pk, by.username)
    return membership


@transaction.atomic
def membership_remove(*, by, membership: Membership) -> None:
    _require_administers(by, membership.unit)
    _require_membership_change(by, membership.user)
    log.info("membership %s of %s on unit %s removed by %s", membership.role, membership.user.username,
             membership.unit_id, by.username)
    membership.delete()


@transaction.atomic
def user_set_active(*, by, user, active: bool):
    """Deactivating keeps the account and its history; the user can no longer sign in."""
    _require_account_change(by, user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        log.info("user %s %s by %s", user.username, "activated" if active else "deactivated", by.username)
    return user


# --- units ---------------------------------------------------------------------------------------

def _check_children_end_within(unit: Unit, valid_to: datetime.date | None) -> None:
    if valid_to is None or unit.pk is None:
        return
    open_children = Unit.objects.filter(parent=unit).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_to))
    count = open_children.count()
    if count:
        raise ValidationError({"valid_to": (
            f"{unit.name} còn {count} đơn vị cấp dưới có hiệu lực sau ngày {valid_to:%d/%m/%Y}; "
            "hãy kết thúc hoặc chuyển các đơn vị đó trước.")})


@transaction.atomic
def unit_add_child(*, by, parent: Unit, level: UnitLevel, code: str, name: str, code_is_official: bool,
                   valid_from: datetime.date | None = None) -> Unit:
    _require_administers(by, parent)
    unit = unit_services.unit_create(code=code.strip(), name=name.strip(), level=level, parent=parent,
                                     code_is_official=code_is_official, valid_from=valid_from)
    log.info("unit %s (%s) created under %s by %s", unit.pk, unit.code, parent.pk, by.username)
    return unit


@transaction.atomic
def unit_update(*, by, unit: Unit, name: str, code: str, code_is_official: bool,
                valid_from: datetime.date | None, valid_to: datetime.date | None) -> Unit:
    """Name, code and validity of a unit below the administrator's own (its place in the tree stays)."""
    if not access.can(by, "units.change", unit):
        raise PermissionDenied("Chỉ quản trị viên cấp trên sửa được đơn vị này.")
    unit = Unit.objects.select_for_update(of=("self",)).select_related("level", "parent").get(pk=unit.pk)
    unit.name, unit.code, unit.code_is_official = name.strip(), code.strip(), code_is_official
    unit.valid_from, unit.valid_to = valid_from, valid_to
    _check_children_end_within(unit, valid_to)
    unit.full_clean(exclude=UNIT_CLEAN_EXCLUDE, validate_unique=False)
    unit_services.unit_save(unit=unit)
    log.info("unit %s (%s) changed by %s", unit.pk, unit.code, by.username)
    return unit


def unit_end(*, by, unit: Unit, valid_to: datetime.date) -> Unit:
    """The unit's last day of validity (dissolved, merged away); its history stays."""
    return unit_update(by=by, unit=unit, name=unit.name, code=unit.code, code_is_official=unit.code_is_official,
                       valid_from=unit.valid_from, valid_to=valid_to)


def official_units_load_for_province(*, by, province: Unit, before_2025: bool = False) -> OfficialLoadReport:
    """The official unit list of one province the user administers as a whole, by that province's own
    code: the same load as `manage.py load_official_units --province`, so loading twice adds nothing."""
    if not selectors.official_load_provinces(admin=by).filter(pk=province.pk).exists():
        raise PermissionDenied(
            "Chỉ quản trị viên cấp tỉnh nạp được danh mục đơn vị hành chính chính thức của tỉnh mình.")
    report = official_units_load(province=province.code, before_2025=before_2025)
    log.info("official units of province %s (%s) loaded by %s: %s", province.pk, province.code, by.username,
             " ".join(line.strip() for line in report.lines()[1:]))
    return report


# --- agents and collectors -----------------------------------------------------------------------

def _check_agent_units(by, unit: Unit, communes) -> None:
    _require_administers(by, unit)
    for commune in communes:
        _require_administers(by, commune)
        if not commune.is_in_subtree_of(unit):
            raise ValidationError({"communes": f"{commune.name} không thuộc {unit.name}."})


@transaction.atomic
def agent_create(*, by, unit: Unit, name: str, kind: str, code: str = "", communes=()) -> Agent:
    _check_agent_units(by, unit, communes)
    agent = Agent(unit=unit, name=name.strip(), kind=kind, code=code.strip(), is_active=True)
    agent.full_clean()
    agent.save()
    agent.communes.set(communes)
    log.info("agent %s created on unit %s by %s", agent.pk, unit.pk, by.username)
    return agent


@transaction.atomic
def agent_update(*, by, agent: Agent, unit: Unit, name: str, kind: str, code: str = "", communes=(),
                 is_active: bool = True) -> Agent:
    _require_administers(by, agent.unit)
    _check_agent_units(by, unit, communes)
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    agent.unit, agent.name, agent.kind, agent.code, agent.is_active = unit, name.strip(), kind, code.strip(), is_active
    agent.full_clean()
    agent.save()
    agent.communes.set(communes)
    log.info("agent %s changed by %s", agent.pk, by.username)
    return agent


@transaction.atomic
def agent_set_active(*, by, agent: Agent, active: bool) -> Agent:
    _require_administers(by, agent.unit)
    if agent.is_active != active:
        agent.is_active = active
        agent.save(update_fields=["is_active"])
        log.info("agent %s %s by %s", agent.pk, "activated" if active else "deactivated", by.username)
    return agent


def _check_collector_account(by, user, *, current_id: int | None = None) -> None:
    """A collector's account: one of the users the administrator manages (or the one already linked)."""
    if user is None or user.pk == current_id:
        return
    if not selectors.is_managed_user(admin=by, user=user):
        raise PermissionDenied(OUTSIDE)


@transaction.atomic
def collector_create(*, by, agent: Agent, full_name: str, phone: str = "", user=None) -> Collector:
    _require_administers(by, agent.unit)
    _check_collector_account(by, user)
    collector = Collector(agent=agent, full_name=full_name.strip(), phone=phone.strip(), user=user, is_active=True)
    collector.full_clean()
    collector.save()
    log.info("collector %s of agent %s created by %s", collector.pk, agent.pk, by.username)
    return collector


@transaction.atomic
def collector_update(*, by, collector: Collector, full_name: str, phone: str = "", user=None,
                     is_active: bool = True) -> Collector:
    _require_administers(by, collector.agent.unit)
    _check_collector_account(by, user, current_id=collector.user_id)
    collector.full_name, collector.phone, collector.user, collector.is_active = (
        full_name.strip(), phone.strip(), user, is_active)
    collector.full_clean()
    collector.save()
    log.info("collector %s changed by %s", collector.pk, by.username)
    return collector
