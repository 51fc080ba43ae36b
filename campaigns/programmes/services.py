"""Writes for support programmes: issue a card (submitted → card issued), refuse a beneficiary,
record a notified change (tăng, giảm, thay đổi), record the yearly report. Every write checks
units.access.ACTIONS["programmes.manage"]."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bhxh_portal.idempotency import Repeated, when
from units import access
from units.models import Unit

from ..models.programmes import (
    Beneficiary,
    BeneficiaryChange,
    BeneficiaryList,
    BeneficiaryState,
    ChangeKind,
    ProgrammeYearReport,
    SupportProgramme,
)

REFUSED = "Bạn không có quyền xử lý danh sách của {unit}."


def _check(user, beneficiary: Beneficiary):
    unit = beneficiary.beneficiary_list.unit
    if not access.can(user, "programmes.manage", unit):
        raise PermissionDenied(REFUSED.format(unit=unit))


def _locked(beneficiary: Beneficiary) -> Beneficiary:
    """Re-read the row under a lock (into the caller's object): of two clicks, the second sees the first's write."""
    beneficiary.refresh_from_db(from_queryset=Beneficiary.objects.select_for_update())
    return beneficiary


@transaction.atomic
def beneficiary_issue_card(*, beneficiary: Beneficiary, card_number: str, issued_on: datetime.date,
                           by) -> Beneficiary:
    _check(by, beneficiary)
    _locked(beneficiary)
    if (beneficiary.state == BeneficiaryState.CARD_ISSUED and beneficiary.card_number == (card_number or "").strip()
            and beneficiary.card_issued_on == issued_on):
        raise Repeated(f"Đã ghi cấp thẻ {beneficiary.card_number} cho {beneficiary.full_name} (lần bấm trước); "
                       "không ghi lại lần nữa.", obj=beneficiary)
    if beneficiary.state != BeneficiaryState.SUBMITTED:
        raise ValidationError(f"Chỉ cấp thẻ cho đối tượng đang chờ cấp thẻ; {beneficiary.full_name} đang ở trạng "
                              f"thái '{beneficiary.get_state_display()}'.")
    if not beneficiary.beneficiary_list.group.issues_cards:
        raise ValidationError("Nhóm đối tượng này không được cấp thẻ BHYT theo chương trình.")
    card_number = (card_number or "").strip()
    if not card_number:
        raise ValidationError({"card_number": "Cần số thẻ BHYT."})
    if issued_on < beneficiary.beneficiary_list.received_on:
        raise ValidationError({"issued_on": "Ngày cấp thẻ trước ngày nhận danh sách."})
    beneficiary.state = BeneficiaryState.CARD_ISSUED
    beneficiary.card_number = card_number
    beneficiary.card_issued_on = issued_on
    beneficiary._history_user = by
    beneficiary.save()
    return beneficiary


def beneficiary_reject(*, beneficiary: Beneficiary, reason: str, by) -> Beneficiary:
    _check(by, beneficiary)
    if beneficiary.state != BeneficiaryState.SUBMITTED:
        raise ValidationError("Chỉ từ chối đối tượng đang chờ cấp thẻ.")
    if not reason.strip():
        raise ValidationError({"note": "Cần ghi lý do không đủ điều kiện."})
    beneficiary.state = BeneficiaryState.REJECTED
    beneficiary.note = reason.strip()[:300]
    beneficiary._history_user = by
    beneficiary.save()
    return beneficiary


def beneficiary_change_record(*, beneficiary: Beneficiary, kind: str, effective_on: datetime.date,
                              notified_on: datetime.date, note: str = "", by) -> BeneficiaryChange:
    """A change notified by the compiling body. A decrease (giảm) ends the support the day before
    it takes effect and marks the beneficiary removed; an increase comes as a new list."""
    _check(by, beneficiary)
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": "Loại biến động không hợp lệ."})
    if kind == ChangeKind.ADDED:
        raise ValidationError({"kind": "Đối tượng tăng mới được nhập bằng một danh sách mới."})
    with transaction.atomic():
        _locked(beneficiary)
        earlier = BeneficiaryChange.objects.filter(beneficiary=beneficiary, kind=kind, effective_on=effective_on,
                                                   note=note).first()
        if earlier is not None:
            raise Repeated(f"Biến động này đã được ghi lúc {when(earlier.recorded_at)}; không ghi lại lần nữa.",
                           obj=earlier)
        if kind == ChangeKind.REMOVED:
            if beneficiary.state == BeneficiaryState.REMOVED:
                raise ValidationError("Đối tượng đã được giảm trước đó.")
            if effective_on <= beneficiary.support_from:
                raise ValidationError({"effective_on": "Ngày giảm phải sau ngày bắt đầu hưởng hỗ trợ."})
            beneficiary.state = BeneficiaryState.REMOVED
            beneficiary.support_to = effective_on - datetime.timedelta(days=1)
            beneficiary._history_user = by
            beneficiary.save()
        return BeneficiaryChange.objects.create(beneficiary=beneficiary, kind=kind, effective_on=effective_on,
                                                notified_on=notified_on, note=note, recorded_by=by)


def programme_report_record(*, programme: SupportProgramme, unit: Unit, year: int, sent_on: datetime.date,
                            note: str = "", by) -> ProgrammeYearReport:
    if not access.can(by, "programmes.manage", unit):
        raise PermissionDenied(REFUSED.format(unit=unit))
    report, _ = ProgrammeYearReport.objects.update_or_create(
        programme=programme, unit=unit, year=year, defaults={"sent_on": sent_on, "note": note})
    return report


def beneficiary_deadlines_recompute(*, years) -> int:
    """After the holidays of some years change: the card deadlines counted through those years are
    worked out again (a list received in late December counts into January). Returns how many
    beneficiaries got a new deadline; the deadline is derived, so no history entry is written."""
    from ..holidays.workdays import deadline_after

    years = set(years)
    if not years:
        return 0
    first, last = datetime.date(min(years) - 1, 12, 1), datetime.date(max(years), 12, 31)
    changed = 0
    for batch in BeneficiaryList.objects.filter(received_on__range=(first, last)).select_related("programme"):
        due = deadline_after(batch.received_on, batch.programme.card_issue_working_days)
        changed += Beneficiary.objects.filter(beneficiary_list=batch).exclude(due_on=due).update(due_on=due)
    return changed
