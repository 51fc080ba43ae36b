"""Every write to targets: setting one, splitting one down the tree, deleting one, re-deriving.

`by` is the user acting (None for the system: the CLI import and the demo). With a user, the
rules of units.access apply and a refusal raises PermissionDenied with a Vietnamese message.
Every save records who, when, the old and the new values (django-simple-history), with a reason.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from units import access
from targets.allocation import SplitCheck, check_split
from targets.decisions import Decision
from targets.models import Demographics, DenominatorKind, EnteredAs, Indicator, Target, TargetKind
from units.models import Unit
from units.periods import Period
from targets.rates import count_from_rate, derive, rate_from_count

# The values a change is judged by (and shown in the history).
TRACKED_FIELDS = ("kind", "entered_as", "rate_pct", "count", "denominator", "decision_number",
                  "decision_date", "decision_issuer", "note")


def can_edit_target(user, *, unit: Unit, kind: str, agent=None) -> bool:
    """The one rule for writing a target; `unit` is the target's unit (for an agent's target,
    the unit that allocates to the agent)."""
    if agent is not None:
        return kind == TargetKind.ASSIGNED and access.can(user, "targets.allocate", unit)
    if kind == TargetKind.SELF_SET:
        return access.can(user, "targets.set_own", unit)
    # Assigned: by the level above, or by the parent unit splitting its own target
    # (who may allocate on the parent).
    return access.can(user, "targets.assign", unit) or (
        unit.parent is not None and access.can(user, "targets.allocate", unit.parent)
    )


def denominator_label(indicator: Indicator, unit: Unit, year: int) -> str:
    label = DenominatorKind(indicator.denominator).label.lower()
    return f"{label} năm {year} của {unit.name}"


def denominator_of(*, unit: Unit, indicator: Indicator, year: int) -> int | None:
    record = Demographics.objects.filter(unit=unit, year=year).first()
    return record.value_of(indicator.denominator) if record else None


def refusal_message(*, unit: Unit, kind: str, agent=None) -> str:
    if agent is not None:
        return f"Bạn không có quyền phân bổ chỉ tiêu của {unit.name} cho đại lý thu."
    if kind == TargetKind.SELF_SET:
        return f"Bạn không có quyền đặt chỉ tiêu phấn đấu của {unit.name}."
    return (f"Bạn không có quyền giao chỉ tiêu cho {unit.name}: chỉ tiêu giao do cấp trên "
            "(cơ quan BHXH, lãnh đạo, quản trị cấp trên, hoặc đơn vị cấp trên khi phân bổ) đặt.")


def _check_agent(agent, unit: Unit) -> None:
    if agent is not None and agent.unit_id != unit.pk:
        raise ValidationError({"agent": f"Đại lý {agent.name} không thuộc {unit.name}."})


def target_prepare(*, target: Target | None, unit: Unit, indicator: Indicator, period: Period, kind: str,
                   rate_pct: Decimal | None = None, count: int | None = None, entered_as: str | None = None,
                   agent=None, decision: Decision | None = None, note: str | None = None,
                   denominator: int | None | bool = False, by=None) -> Target:
    """Validate and fill a target (new when `target` is None) without saving it.

    `denominator` may be passed when the caller already read it (False: read it here).
    Raises ValidationError keyed by field, or PermissionDenied.
    """
    if by is not None and not can_edit_target(by, unit=unit, kind=kind, agent=agent):
        raise PermissionDenied(refusal_message(unit=unit, kind=kind, agent=agent))
    if kind not in TargetKind.values:
        raise ValidationError({"kind": f"Loại chỉ tiêu '{kind}' không hợp lệ (giao hoặc phấn đấu)."})
    if agent is not None and kind != TargetKind.ASSIGNED:
        raise ValidationError({"kind": "Đại lý thu chỉ nhận chỉ tiêu giao, không có chỉ tiêu phấn đấu."})
    _check_agent(agent, unit)
    if not indicator.is_active:
        raise ValidationError({"indicator": f"Chỉ tiêu {indicator.code} đã ngừng sử dụng."})
    if not period.overlaps(unit.valid_from, unit.valid_to):
        raise ValidationError({"unit": f"{unit.name} không còn hiệu lực trong {period.label.lower()}."})
    if agent is not None:
        denominator = None  # an agent has no population of its own: its targets are counts
    elif denominator is False:
        denominator = denominator_of(unit=unit, indicator=indicator, year=period.year)
    derived = derive(rate_pct=rate_pct, count=count, denominator=denominator, entered_as=entered_as,
                     denominator_label=denominator_label(indicator, unit, period.year),
                     rate_allowed=agent is None)
    target = target if target is not None else Target()
    target.unit, target.agent, target.indicator = unit, agent, indicator
    target.period = period
    target.kind = kind
    target.entered_as = derived.entered_as
    target.rate_pct = derived.rate_pct
    target.count = derived.count
    target.denominator = derived.denominator
    if decision is not None:
        target.decision_number = decision.number
        target.decision_date = decision.date
        target.decision_issuer = decision.issuer
    if note is not None:
        target.note = note
    return target


def target_save(*, target: Target, by=None, reason: str = "") -> Target:
    """Save with the audit fields (who and why); the history row holds the new values."""
    target._history_user = by
    target._change_reason = reason or None
    with transaction.atomic():
        target.save()
    return target


def _snapshot(target: Target) -> tuple:
    return tuple(getattr(target, f) for f in TRACKED_FIELDS)


def find_target(*, unit: Unit, indicator: Indicator, period: Period, kind: str, agent=None) -> Target | None:
    return Target.objects.for_period(period).filter(
        unit=unit, indicator=indicator, kind=kind, agent=agent
    ).first()


@transaction.atomic
def target_set(*, unit: Unit, indicator: Indicator, period: Period, kind: str, by=None,
               rate_pct: Decimal | None = None, count: int | None = None, entered_as: str | None = None,
               agent=None, decision: Decision | None = None, note: str | None = None,
               reason: str = "") -> Target:
    """Create or change the target of (unit or agent, indicator, period, kind). Unchanged: not saved."""
    existing = find_target(unit=unit, indicator=indicator, period=period, kind=kind, agent=agent)
    before = _snapshot(existing) if existing else None
    target = target_prepare(target=existing, unit=unit, indicator=indicator, period=period, kind=kind,
                            rate_pct=rate_pct, count=count, entered_as=entered_as, agent=agent,
                            decision=decision, note=note, by=by)
    if before is None or _snapshot(target) != before:
        target_save(target=target, by=by, reason=reason)
    return target


@transaction.atomic
def target_delete(*, target: Target, by=None, reason: str = "") -> None:
    if by is not None and not can_edit_target(by, unit=target.unit, kind=target.kind, agent=target.agent):
        raise PermissionDenied(refusal_message(unit=target.unit, kind=target.kind, agent=target.agent))
    _delete_recorded(target, by=by, reason=reason)


def _delete_recorded(target: Target, *, by, reason: str) -> None:
    target._history_user = by
    target._change_reason = reason or None
    target.delete()


@dataclass
class AllocationOutcome:
    check: SplitCheck
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    targets: list[Target] = field(default_factory=list)

    def summary(self) -> str:
        return (f"Đã lưu phân bổ: thêm {self.created}, sửa {self.updated}, xóa {self.deleted}, "
                f"không đổi {self.unchanged}. {self.check.message}")


@transaction.atomic
def target_allocate(*, parent: Target, shares: Mapping, by=None, decision: Decision | None = None,
                    reason: str = "") -> AllocationOutcome:
    """Split `parent` (a unit's own target) across its child units and its collection agents.

    `shares` maps a child Unit or an Agent of parent.unit to a count of people, or to None to
    remove that recipient's target. Each share becomes the recipient's assigned (giao) target for
    the same indicator and period; a share equal to the recipient's current target leaves it as it
    is (a target entered as a rate stays a rate). The split may fall short of the parent's target
    (the page warns) or exceed it (a self-set target may be higher than the assigned one).
    """
    unit = parent.unit
    if parent.agent_id is not None:
        raise ValidationError("Chỉ tiêu của đại lý thu không phân bổ tiếp được.")
    if by is not None and not access.can(by, "targets.allocate", unit):
        raise PermissionDenied(f"Bạn không có quyền phân bổ chỉ tiêu của {unit.name}.")
    period, indicator = parent.period, parent.indicator
    child_units = [r for r in shares if isinstance(r, Unit)]
    agents = [r for r in shares if not isinstance(r, Unit)]
    for child in child_units:
        if child.parent_id != unit.pk:
            raise ValidationError(f"{child.name} không phải đơn vị cấp dưới trực tiếp của {unit.name}.")
    for agent in agents:
        _check_agent(agent, unit)
    for recipient, share in shares.items():
        if share is not None and share < 0:
            raise ValidationError(f"Số người phân bổ cho {recipient} không được âm.")
    existing = {}
    for target in Target.objects.for_period(period).filter(indicator=indicator, kind=TargetKind.ASSIGNED).filter(
        unit__in=child_units, agent__isnull=True
    ).select_related("unit"):
        existing[("u", target.unit_id)] = target
    for target in Target.objects.for_period(period).filter(
        indicator=indicator, kind=TargetKind.ASSIGNED, unit=unit, agent__in=agents
    ):
        existing[("a", target.agent_id)] = target
    denominators = {
        d.unit_id: d.value_of(indicator.denominator)
        for d in Demographics.objects.filter(unit__in=child_units, year=period.year)
    }
    reason = reason or f"Phân bổ từ chỉ tiêu {parent.get_kind_display().lower()} của {unit.name}"
    outcome = AllocationOutcome(check=check_split(parent.count, shares.values()))
    for recipient, share in shares.items():
        is_unit = isinstance(recipient, Unit)
        key = ("u", recipient.pk) if is_unit else ("a", recipient.pk)
        current = existing.get(key)
        if share is None:
            if current is not None:
                _delete_recorded(current, by=by, reason=reason)
                outcome.deleted += 1
            continue
        if current is not None and current.count == share and (decision is None or current.decision == decision):
            outcome.unchanged += 1
            outcome.targets.append(current)
            continue
        before = _snapshot(current) if current else None
        target = target_prepare(
            target=current, unit=recipient if is_unit else unit, indicator=indicator, period=period,
            kind=TargetKind.ASSIGNED, count=share, entered_as=EnteredAs.COUNT,
            agent=None if is_unit else recipient, decision=decision,
            denominator=denominators.get(recipient.pk) if is_unit else None,
        )
        if before is not None and _snapshot(target) == before:
            outcome.unchanged += 1
        else:
            target_save(target=target, by=by, reason=reason)
            if current is None:
                outcome.created += 1
            else:
                outcome.updated += 1
        outcome.targets.append(target)
    return outcome


@transaction.atomic
def targets_rederive(*, unit: Unit, year: int, by=None, reason: str = "") -> int:
    """After the unit's denominators for `year` changed: a rate entered keeps its rate and gets a
    new count; a count entered keeps its count and gets a new rate. Returns how many changed."""
    record = Demographics.objects.filter(unit=unit, year=year).first()
    changed = 0
    for target in Target.objects.filter(unit=unit, year=year, agent__isnull=True).select_related("indicator"):
        denominator = record.value_of(target.indicator.denominator) if record else None
        before = _snapshot(target)
        target.denominator = denominator or None
        if target.entered_as == EnteredAs.RATE:
            if not denominator:
                continue  # keep the last count rather than lose the target; the page shows the gap
            target.count = count_from_rate(target.rate_pct, denominator)
        else:
            target.rate_pct = rate_from_count(target.count, denominator) if denominator else None
        if _snapshot(target) != before:
            target_save(target=target, by=by,
                        reason=reason or f"Tính lại theo mẫu số mới năm {year} của {unit.name}")
            changed += 1
    return changed
