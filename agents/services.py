"""Every write in agents (the bulk participant import lives in agents.importers)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from bhxh_portal.idempotency import Repeated, when
from bhxh_portal.numbers import BIGINT_MAX, format_number
from units import access

from .models import Agent, Collection, Collector, Participant, PaymentMode, Product, RegistrySheet, RegistryVersion
from .selectors import collection_quote, enrolment_for_collection


@dataclass
class Recorded:
    collection: Collection
    warning: str = ""


def _participant_served(agent: Agent, participant: Participant) -> bool:
    commune = participant.commune
    if commune.path.startswith(agent.unit.path):
        return True
    return agent.communes.filter(Q(pk=commune.pk) | Q(pk__in=commune.ancestor_ids)).exists()


def collection_record(*, agent: Agent, participant: Participant, product: Product, receipt_number: str,
                      collected_on: datetime.date, months: int, amount: int, by,
                      collector: Collector | None = None, payment_mode: str | None = None) -> Recorded:
    """Record a receipt. The amount is kept as collected; the amount the rules give for the
    participant's enrolment is stored beside it and a difference is returned as a warning.
    `payment_mode` (else the enrolment's) decides whether months paid several years ahead are
    discounted or missing months compounded (agents.contributions)."""
    if not access.can(by, "collections.record", agent.unit):
        raise PermissionDenied(f"Bạn không có quyền ghi biên lai cho {agent.name}.")
    if not access.can_view(by, participant.commune):
        raise PermissionDenied("Người tham gia này ngoài phạm vi của bạn.")
    errors = {}
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        errors["receipt_number"] = "Cần số biên lai."
    if not agent.is_active:
        errors["agent"] = f"{agent.name} đã ngừng hoạt động."
    if not _participant_served(agent, participant):
        errors["participant"] = f"{participant.full_name} ở {participant.commune.name}, ngoài địa bàn của {agent.name}."
    if months < 1 or months > 600:
        errors["months"] = "Số tháng phải từ 1 đến 600."
    if amount < 0:
        errors["amount"] = "Số tiền không được âm."
    if collected_on > datetime.date.today():
        errors["collected_on"] = "Ngày thu không được sau hôm nay."
    if collector is not None and collector.agent_id != agent.pk:
        errors["collector"] = "Nhân viên thu không thuộc đại lý này."
    if errors:
        raise ValidationError(errors)
    enrolment = enrolment_for_collection(participant=participant, product=product, collected_on=collected_on)
    quote, warning = collection_quote(participant=participant, product=product, collected_on=collected_on,
                                      months=months, payment_mode=payment_mode, enrolment=enrolment)
    expected = quote.total_due if quote is not None else None
    if quote is not None and expected != amount:
        if quote.schedule is not None:
            schedule = quote.schedule
            warning = (f"Số tiền {format_number(amount)} đ khác số phải đóng theo quy định {format_number(expected)} đ "
                       f"({PaymentMode(schedule.mode).label.lower()} {months} tháng, lãi suất đầu tư quỹ năm "
                       f"{schedule.rate_year} {format_number(schedule.rate_pct, 4)}%/tháng; nếu đóng từng tháng là "
                       f"{format_number(schedule.face_value)} đ).")
        else:
            warning = (f"Số tiền {format_number(amount)} đ khác số phải đóng theo quy định {format_number(expected)} đ "
                       f"({format_number(quote.monthly_due)} đ/tháng × {months} tháng).")
    if quote is not None and quote.schedule is not None and quote.schedule.notes:
        warning = " ".join([warning, *quote.schedule.notes]).strip()
    collection = Collection(agent=agent, receipt_number=receipt_number, collected_on=collected_on,
                            participant=participant, product=product, months=months, amount=amount,
                            expected_amount=expected, collector=collector, enrolment=enrolment, recorded_by=by)
    collection._history_user = by
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError as exc:
        # The receipt number is unique per agent (the database's constraint): of two clicks, or two
        # tabs, the second insert waits for the first and fails here.
        earlier = Collection.objects.filter(agent=agent, receipt_number=receipt_number).first()
        if earlier is None:
            raise
        if (earlier.participant_id, earlier.product_id, earlier.collected_on, earlier.months, earlier.amount) == (
                participant.pk, product.pk, collected_on, months, amount):
            raise Repeated(f"Biên lai {receipt_number} đã được ghi lúc {when(earlier.created_at)} (lần gửi trước); "
                           "không ghi lại lần nữa.", obj=earlier) from None
        raise ValidationError({"receipt_number": f"Số biên lai {receipt_number} đã được dùng ở {agent.name}."}) from exc
    return Recorded(collection=collection, warning=warning)


# --- who looked at whose personal data -----------------------------------------------------------

def personal_data_access_record(*, user, requested_id: int, participant: Participant | None, outcome: str,
                                meta: dict, path: str, beneficiary=None) -> "PersonalDataAccess":
    """One line of the access log (agents.models.PersonalDataAccess); `meta` is the request's META,
    `beneficiary` a programme's campaigns.Beneficiary (its id is logged)."""
    from .models import PersonalDataAccess

    # An id past the column (/nguoi-tham-gia/99999999999999999999/) is still a refusal to record: it is
    # kept as 0, never a record's id, and the path keeps what was asked.
    if not 0 <= requested_id <= BIGINT_MAX:
        requested_id = 0
    return PersonalDataAccess.objects.create(
        user=user, username=user.get_username()[:150], participant=participant,
        beneficiary_id=beneficiary.pk if beneficiary is not None else None,
        requested_id=requested_id,
        outcome=outcome, ip_address=meta.get("REMOTE_ADDR") or None,
        forwarded_for=str(meta.get("HTTP_X_FORWARDED_FOR", ""))[:200],
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300], path=path[:300],
    )


def registry_tally_forget(*, commune_ids: list[int]) -> None:
    """Drops the registry tally of communes removed with their whole registry (their sheets and
    versions), for a loader that removes them with the tally's triggers off."""
    RegistrySheet.objects.filter(commune_id__in=commune_ids).delete()
    RegistryVersion.objects.filter(commune_id__in=commune_ids).delete()
