"""Every write in agents (the bulk participant import lives in agents.importers)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from bhxh_portal.numbers import BIGINT_MAX, format_number
from targets import access

from .contributions import ContributionError, IncomeError, RuleBook
from .models import Agent, Collection, Collector, Enrolment, Participant, Product
from .selectors import can_collect


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
                      collector: Collector | None = None) -> Recorded:
    """Record a receipt. The amount is kept as collected; the amount the rules give for the
    participant's enrolment is stored beside it and a difference is returned as a warning."""
    if not can_collect(by, agent):
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
    enrolment = (Enrolment.objects.filter(participant=participant, product=product, valid_from__lte=collected_on)
                 .order_by("-valid_from").first()
                 or Enrolment.objects.filter(participant=participant, product=product).order_by("valid_from").first())
    expected, warning = None, ""
    try:
        quote = RuleBook.load().quote(
            product=product, on=collected_on, income=enrolment.chosen_income if enrolment else None, months=months,
            group=enrolment.support_group if enrolment else "other",
            member_order=enrolment.household_member_order if enrolment else None, unit_path=participant.commune.path)
        expected = quote.total_due
        if expected != amount:
            warning = (f"Số tiền {format_number(amount)} đ khác số phải đóng theo quy định {format_number(expected)} đ "
                       f"({format_number(quote.monthly_due)} đ/tháng × {months} tháng).")
    except IncomeError:
        warning = "Chưa có mức thu nhập của người này nên chưa kiểm tra được số tiền."
    except ContributionError as exc:
        warning = f"Chưa kiểm tra được số tiền: {exc}"
    collection = Collection(agent=agent, receipt_number=receipt_number, collected_on=collected_on,
                            participant=participant, product=product, months=months, amount=amount,
                            expected_amount=expected, collector=collector, enrolment=enrolment, recorded_by=by)
    collection._history_user = by
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError as exc:
        if Collection.objects.filter(agent=agent, receipt_number=receipt_number).exists():
            raise ValidationError({"receipt_number": f"Số biên lai {receipt_number} đã được dùng ở {agent.name}."}) from exc
        raise
    return Recorded(collection=collection, warning=warning)


# --- who looked at whose personal data -----------------------------------------------------------

def personal_data_access_record(*, user, requested_id: int, participant: Participant | None, outcome: str,
                                meta: dict, path: str, beneficiary=None) -> "PersonalDataAccess":
    """One line of the access log (agents.models.PersonalDataAccess); `meta` is the request's META."""
    from .models import PersonalDataAccess

    # An id past the column (/nguoi-tham-gia/99999999999999999999/) is still a refusal to record: it is
    # kept as 0, never a record's id, and the path keeps what was asked.
    if not 0 <= requested_id <= BIGINT_MAX:
        requested_id = 0
    return PersonalDataAccess.objects.create(
        user=user, username=user.get_username()[:150], participant=participant, beneficiary=beneficiary,
        requested_id=requested_id,
        outcome=outcome, ip_address=meta.get("REMOTE_ADDR") or None,
        forwarded_for=str(meta.get("HTTP_X_FORWARDED_FOR", ""))[:200],
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300], path=path[:300],
    )
