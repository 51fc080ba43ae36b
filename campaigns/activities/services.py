"""Writes for drive activities: plan an activity, record it as held (attendance, sign-ups per
product, minutes, attachments), classify an employer's workers after direct work, link the
participants who signed up. Each checks the rule in campaigns.activities.selectors (built on
units.access) and writes inside a transaction; django-simple-history keeps who changed what."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agents.models import Participant, Product
from bhxh_portal.files import original_name, validate_office_document
from units import access
from units.models import Unit

from ..models.activities import (
    CATEGORY_FIELDS,
    ActivityAttachment,
    ActivityKind,
    ActivitySignUp,
    ActivityStatus,
    DirectWorkRecord,
    DriveActivity,
    Employer,
)
from .signals import participants_linked

REFUSED_PLAN = "Bạn không có quyền lập kế hoạch hoạt động cho đơn vị {unit}."
REFUSED_EDIT = "Bạn không có quyền cập nhật kết quả hoạt động của {unit}."


def activity_create(*, kind: str, organiser: Unit, planned_start: datetime.date, planned_end: datetime.date,
                    planned_count: int = 1, organiser_detail: str = "", title: str = "", place: str = "",
                    invited_count: int | None = None, invitees_note: str = "",
                    invited_employers: list[Employer] = (), employer: Employer | None = None,
                    expected_attendance: int | None = None, expected_sign_ups: dict[Product, int] | None = None,
                    by=None, check: bool = True) -> DriveActivity:
    if check and by is not None and not access.can(by, "activities.import", organiser):
        raise PermissionDenied(REFUSED_PLAN.format(unit=organiser))
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": f"Loại hoạt động '{kind}' không có trong danh mục."})
    activity = DriveActivity(
        kind=kind, organiser=organiser, organiser_detail=organiser_detail, title=title, place=place,
        planned_start=planned_start, planned_end=planned_end, planned_count=planned_count,
        invited_count=invited_count, invitees_note=invitees_note, employer=employer,
        expected_attendance=expected_attendance, created_by=by,
    )
    activity.full_clean()
    with transaction.atomic():
        activity._history_user = by
        activity.save()
        if invited_employers:
            activity.invited_employers.set(invited_employers)
        ActivitySignUp.objects.bulk_create([
            ActivitySignUp(activity=activity, product=product, expected=count)
            for product, count in (expected_sign_ups or {}).items() if count
        ])
    return activity


PLAN_FIELDS = ["place", "planned_count", "invited_count", "invitees_note", "expected_attendance"]


def activity_plan_update(*, activity: DriveActivity, values: dict, expected_sign_ups: dict[Product, int],
                         by=None) -> bool:
    """The plan figures of an existing line, as a plan imported again gives them (what was held is
    left alone). False when nothing differs: nothing is written, no history entry."""
    changed = {f: values[f] for f in PLAN_FIELDS if f in values and getattr(activity, f) != values[f]}
    wanted = {p.pk: n for p, n in expected_sign_ups.items() if n}
    current = {s.product_id: s for s in activity.sign_ups.all()}
    sign_ups_changed = {pk for pk in set(wanted) | set(current)
                        if wanted.get(pk, 0) != (current[pk].expected if pk in current else 0)}
    if not changed and not sign_ups_changed:
        return False
    with transaction.atomic():
        if changed:
            for name, value in changed.items():
                setattr(activity, name, value)
            activity.full_clean(validate_unique=False, validate_constraints=False)
            activity._history_user = by
            activity.save(update_fields=list(changed))
        for pk in sign_ups_changed:
            ActivitySignUp.objects.update_or_create(activity=activity, product_id=pk,
                                                    defaults={"expected": wanted.get(pk, 0)})
    return True


def activity_record_held(*, activity: DriveActivity, held_on: datetime.date, held_count: int | None = None,
                         attendance: int | None = None, actual_sign_ups: dict[Product, int] | None = None,
                         minutes: str = "", by) -> DriveActivity:
    """Record the activity as held. The held count defaults to the planned count; actual sign-ups
    are stored per product (a product not planned gets a row with 0 expected)."""
    if not access.can(by, "activities.plan", activity.organiser):
        raise PermissionDenied(REFUSED_EDIT.format(unit=activity.organiser))
    held_count = activity.planned_count if held_count is None else held_count
    errors = {}
    if held_count < 0:
        errors["held_count"] = "Số cuộc đã tổ chức không được âm."
    if activity.employer_id and held_count > 1:
        errors["held_count"] = "Làm việc với một đơn vị cụ thể là 01 cuộc."
    if held_on < activity.planned_start - datetime.timedelta(days=31):
        errors["held_on"] = "Ngày tổ chức sớm hơn kế hoạch quá một tháng; hãy kiểm tra lại."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity.status = ActivityStatus.HELD
        activity.held_on = held_on
        activity.held_count = held_count
        activity.attendance = attendance
        if minutes:
            activity.minutes = minutes
        activity._history_user = by
        activity.save()
        for product, count in (actual_sign_ups or {}).items():
            if count is None:
                continue
            ActivitySignUp.objects.update_or_create(activity=activity, product=product, defaults={"actual": count})
    return activity


def activity_cancel(*, activity: DriveActivity, reason: str = "", by) -> DriveActivity:
    if not access.can(by, "activities.plan", activity.organiser):
        raise PermissionDenied(REFUSED_EDIT.format(unit=activity.organiser))
    if activity.status == ActivityStatus.CANCELLED:
        return activity  # cancelled already (a second click): nothing to write, no second history entry
    activity.status = ActivityStatus.CANCELLED
    activity.held_count = 0
    if reason:
        activity.minutes = reason
    activity._history_user = by
    activity.save()
    return activity


def activity_attach(*, activity: DriveActivity, file, description: str = "", by) -> ActivityAttachment:
    """Attach a document (PDF, DOCX, XLSX, JPG, PNG: checked by extension and content); it is stored
    under a name the portal makes, the uploader's name kept for display and download."""
    if not access.can(by, "activities.plan", activity.organiser):
        raise PermissionDenied(REFUSED_EDIT.format(unit=activity.organiser))
    validate_office_document(file)
    return ActivityAttachment.objects.create(activity=activity, file=file, original_name=original_name(file.name),
                                             description=description, uploaded_by=by)


def direct_work_record_save(*, activity: DriveActivity, counts: dict[str, int], workers_registered: int,
                            recorded_on: datetime.date | None = None, by) -> DirectWorkRecord:
    """The classification of the employer's workers (seven categories) and the result.

    Refused: an activity that is not direct work (or inspection) with a named employer; more workers
    classified than the employer employs; more registered than were not participating."""
    if not access.can(by, "activities.plan", activity.organiser):
        raise PermissionDenied(REFUSED_EDIT.format(unit=activity.organiser))
    if activity.kind not in (ActivityKind.DIRECT_WORK, ActivityKind.INSPECTION) or activity.employer_id is None:
        raise ValidationError("Chỉ phân loại lao động cho buổi làm việc trực tiếp (hoặc thanh tra) với một đơn vị "
                              "cụ thể.")
    unknown = set(counts) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError(f"Nhóm phân loại không có: {', '.join(sorted(unknown))}.")
    values = {f: int(counts.get(f) or 0) for f in CATEGORY_FIELDS}
    if any(v < 0 for v in values.values()) or workers_registered < 0:
        raise ValidationError("Số lao động không được âm.")
    total = sum(values.values())
    employer = activity.employer
    if employer.employees and total > employer.employees:
        raise ValidationError(
            f"Tổng số lao động đã phân loại ({total}) lớn hơn số lao động của {employer.name} ({employer.employees})."
        )
    not_participating = total - values["already_participating"]
    if workers_registered > not_participating:
        raise ValidationError(
            f"Số lao động đăng ký tham gia ({workers_registered}) lớn hơn số lao động chưa tham gia "
            f"({not_participating})."
        )
    with transaction.atomic():
        record = DirectWorkRecord.objects.filter(activity=activity).first() or DirectWorkRecord(activity=activity)
        for name, value in values.items():
            setattr(record, name, value)
        record.workers_registered = workers_registered
        record.recorded_on = recorded_on or activity.held_on
        record._history_user = by
        record.save()
    return record


@transaction.atomic
def activity_link_participants(*, activity: DriveActivity, identifiers: list[str], by) -> tuple[int, list[str]]:
    """Link the participants (by mã số BHXH or số định danh) who signed up at the activity, once
    their list has been imported; they enter the drive's lists of the month as promised contacts
    (signal participants_linked, received by drive.services.activity_sign_ups_record, in this
    transaction). Returns (linked, identifiers not found)."""
    if not access.can(by, "activities.plan", activity.organiser):
        raise PermissionDenied(REFUSED_EDIT.format(unit=activity.organiser))
    wanted = {i.strip() for i in identifiers if i and i.strip()}
    # Only people of the user's subtree: one registered elsewhere is "not found", as for an unknown code.
    people = access.scope_by_unit(by, Participant.objects.all(), "commune")
    found = list(people.filter(bhxh_code__in=wanted)) + list(people.filter(personal_id__in=wanted))
    keys = {p.bhxh_code for p in found} | {p.personal_id for p in found}
    activity.participants.add(*found)
    participants_linked.send(sender=DriveActivity, activity=activity,
                             participants=list({p.pk: p for p in found}.values()), by=by)
    return len({p.pk for p in found}), sorted(wanted - keys)


def employer_save(*, tax_code: str, name: str, unit: Unit, employees: int = 0, address: str = "") -> Employer:
    employer = Employer.objects.filter(tax_code=tax_code).first() or Employer(tax_code=tax_code)
    employer.name, employer.unit, employer.employees, employer.address = name, unit, employees, address
    employer.full_clean()
    employer.save()
    return employer
