"""Every write to the unit tree and to memberships goes through here."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from units.models import Membership, Unit
from bhxh_portal.search import fold_text


def unit_placement_errors(*, unit: Unit) -> dict[str, str]:
    """Whether the unit's level fits its parent's; messages in Vietnamese, keyed by field."""
    errors: dict[str, str] = {}
    level = unit.level
    allowed = list(level.parent_levels.all())
    if unit.parent_id is None:
        if allowed:
            names = ", ".join(lv.name for lv in allowed)
            errors["parent"] = f"Đơn vị cấp {level.name} phải có đơn vị cấp trên ({names})."
        return errors
    parent = unit.parent
    if parent.level_id not in {lv.pk for lv in allowed}:
        errors["parent"] = (
            f"Đơn vị cấp {level.name} không thể trực thuộc đơn vị cấp {parent.level.name} ({parent.name})."
        )
    elif unit.pk and parent.path.startswith(unit.path or "\0"):
        errors["parent"] = "Không thể chọn đơn vị cấp dưới của chính đơn vị này làm đơn vị cấp trên."
    elif parent.valid_to and (unit.valid_to is None or unit.valid_to > parent.valid_to):
        errors["parent"] = f"Đơn vị cấp trên {parent.name} đã hết hiệu lực từ {parent.valid_to:%d/%m/%Y}."
    return errors


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Create or update a unit, keeping the materialised path of it and its subtree right."""
    errors = unit_placement_errors(unit=unit)
    if errors:
        raise ValidationError(errors)
    unit.search_name = fold_text(f"{unit.name} {unit.code}")[: Unit._meta.get_field("search_name").max_length]
    parent_path = unit.parent.path if unit.parent_id else "/"
    if unit.pk is None:
        unit.path = ""
        unit.save()
        unit.path = f"{parent_path}{unit.pk}/"
        unit.depth = unit.path.count("/") - 1
        Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
        return unit
    old_path = Unit.objects.filter(pk=unit.pk).values_list("path", flat=True).get()
    new_path = f"{parent_path}{unit.pk}/"
    unit.path, unit.depth = new_path, new_path.count("/") - 1
    unit.save()
    if new_path != old_path:
        depth_change = new_path.count("/") - old_path.count("/")
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
    return unit


def unit_create(*, code: str, name: str, level, parent: Unit | None = None, code_is_official: bool = True,
                valid_from: datetime.date | None = None, valid_to: datetime.date | None = None) -> Unit:
    unit = Unit(code=code, name=name, level=level, parent=parent, code_is_official=code_is_official,
                valid_from=valid_from, valid_to=valid_to)
    unit.full_clean(exclude=["path", "search_name", "predecessors"], validate_unique=False)
    return unit_save(unit=unit)


@transaction.atomic
def unit_merge(*, predecessors: list[Unit], code: str, name: str, level, parent: Unit | None,
               effective: datetime.date, code_is_official: bool = True) -> Unit:
    """Merge units from `effective` on: the predecessors close the day before, their children
    move under the new unit, and the new unit keeps links to them so that history adds up.

    The new unit may keep the code of the predecessor that hosts the committee.
    """
    if not predecessors:
        raise ValidationError("Cần ít nhất một đơn vị trước sáp nhập.")
    closing = effective - datetime.timedelta(days=1)
    for old in predecessors:
        if old.valid_to is not None and old.valid_to < closing:
            raise ValidationError(f"Đơn vị {old.name} đã hết hiệu lực từ {old.valid_to:%d/%m/%Y}.")
        if old.valid_from is not None and old.valid_from > closing:
            raise ValidationError(
                f"Đơn vị {old.name} bắt đầu hiệu lực từ {old.valid_from:%d/%m/%Y}, "
                f"không thể sáp nhập từ ngày {effective:%d/%m/%Y}."
            )
    Unit.objects.filter(pk__in=[u.pk for u in predecessors]).update(valid_to=closing)
    for old in predecessors:
        old.valid_to = closing
    successor = unit_create(code=code, name=name, level=level, parent=parent, code_is_official=code_is_official,
                            valid_from=effective)
    successor.predecessors.set(predecessors)
    for child in Unit.objects.filter(parent__in=predecessors, valid_to__isnull=True).select_related("level"):
        child.parent = successor
        unit_save(unit=child)
    return successor


def membership_grant(*, user, unit: Unit, role: str) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return membership
