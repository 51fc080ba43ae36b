"""Writes for the drive: drawing a month's list, giving people to thôn, agents and collectors,
recording what came of a visit. Keyword-only, each inside one transaction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from agents.models import Agent, Collector, PersonalDataAccess
from agents.models.access_log import AccessOutcome
from units import access
from units.models import Unit

from . import selectors, tally
from .models import Contact, ListKind, Outcome, WorkItem


@transaction.atomic
def work_list_draw(*, unit: Unit, month: datetime.date, kind: str, by) -> int:
    """Put the people of the month's list (selectors.list_rows) on work items, each given to the
    thôn they live in. Safe to run twice: people already on a list of the month stay where they
    are (on that list, with that assignee). Returns how many were added."""
    if not access.can(by, "drive.manage", unit):
        raise PermissionDenied("Đơn vị này nằm ngoài phạm vi của bạn.")
    start = selectors.month_start(month)
    rows = selectors.list_rows(unit=unit, month=start, kind=kind)
    taken = set()
    for participant_id, resident_id in WorkItem.objects.filter(month=start).values_list("participant_id",
                                                                                        "resident_id"):
        taken.add(("p", participant_id) if participant_id else ("r", resident_id))
    new = [WorkItem(month=start, kind=kind, commune_id=r.commune_id, participant_id=r.participant_id,
                    resident_id=r.resident_id, product_id=r.product_id, last_valid_to=r.last_valid_to,
                    village_id=r.village_id, assigned_by=by)
           for r in rows if r.person_key not in taken]
    last = WorkItem.objects.aggregate(last=Max("pk"))["last"] or 0
    # A double click drawing the same list twice: the unique constraints keep one item a person.
    WorkItem.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    tally.refresh(WorkItem.objects.filter(month=start, kind=kind, pk__gt=last))  # bulk_create sends no signal
    return len(new)


def _serves(agent: Agent, commune: Unit) -> bool:
    return (agent.unit_id == commune.pk or commune.path.startswith(agent.unit.path)
            or agent.communes.filter(pk=commune.pk).exists())


@transaction.atomic
def work_item_assign(*, item: WorkItem, by, village: Unit | None = None, agent: Agent | None = None,
                     collector: Collector | None = None) -> WorkItem:
    """Give a person to a thôn of their commune, an agent serving the commune, or one of its
    collectors (the collector's agent goes with them)."""
    if not access.can(by, "drive.manage", item.commune):
        raise PermissionDenied("Người này nằm ngoài phạm vi của bạn.")
    errors = {}
    if village is not None and village.parent_id != item.commune_id:
        errors["village"] = "Thôn không thuộc xã của người này."
    if collector is not None:
        agent = collector.agent
        if not collector.is_active:
            errors["collector"] = "Nhân viên thu này đã nghỉ."
    if agent is not None and not _serves(agent, item.commune):
        errors["agent"] = "Đại lý này không phục vụ xã của người này."
    if errors:
        raise ValidationError(errors)
    item.village = village if village is not None else item.village
    item.agent = agent
    item.collector = collector
    item.assigned_by = by
    item.save(update_fields=["village", "agent", "collector", "assigned_by"])
    return item


@transaction.atomic
def work_item_move(*, item: WorkItem, kind: str, by) -> WorkItem:
    """Move a person to another list of the same month (a person is on one list at a time)."""
    if not access.can(by, "drive.manage", item.commune):
        raise PermissionDenied("Người này nằm ngoài phạm vi của bạn.")
    item.kind = kind
    item.save(update_fields=["kind"])
    return item


def can_record(user, item: WorkItem) -> bool:
    return selectors.items_visible_to(user, WorkItem.objects.filter(pk=item.pk)).exists()


def contact_errors(*, contacted_on: datetime.date | None, outcome: str, refusal_reason: str = "",
                   next_date: datetime.date | None = None) -> dict[str, str]:
    """What is wrong with a contact, by field (the phone page and the upload of the printed round
    say the same). `refusal_reason_unused`: a reason given with another outcome."""
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Hãy chọn kết quả."
    if outcome == Outcome.REFUSED and not refusal_reason:
        errors["refusal_reason"] = "Hãy chọn lý do từ chối."
    if outcome != Outcome.REFUSED and refusal_reason:
        errors["refusal_reason_unused"] = "Lý do từ chối chỉ ghi khi kết quả là Từ chối."
    if contacted_on is None:
        errors["contacted_on"] = "Hãy ghi ngày gặp."
    elif contacted_on > datetime.date.today():
        errors["contacted_on"] = "Ngày gặp không được sau hôm nay."
    if next_date is not None and contacted_on is not None and next_date < contacted_on:
        errors["next_date"] = "Ngày hẹn lần sau phải từ ngày gặp trở đi."
    return errors


@transaction.atomic
def contact_record(*, item: WorkItem, by, contacted_on: datetime.date, outcome: str, refusal_reason: str = "",
                   note: str = "", next_date: datetime.date | None = None) -> Contact:
    if not can_record(by, item):
        raise PermissionDenied("Người này nằm ngoài phạm vi của bạn.")
    errors = contact_errors(contacted_on=contacted_on, outcome=outcome, refusal_reason=refusal_reason,
                            next_date=next_date)
    errors.pop("refusal_reason_unused", None)  # the phone form drops a reason left from a change of mind
    if outcome != Outcome.REFUSED:
        refusal_reason = ""
    if errors:
        raise ValidationError(errors)
    try:
        return Contact.objects.create(item=item, contacted_on=contacted_on, outcome=outcome,
                                      refusal_reason=refusal_reason, note=note.strip()[:500], next_date=next_date,
                                      recorded_by=by)
    except IntegrityError as exc:  # the database's own check, should the rules above drift
        raise ValidationError({"refusal_reason": "Lý do từ chối chỉ ghi khi người dân từ chối."}) from exc


def person_rows_viewed(*, user, rows, meta: dict, path: str) -> None:
    """One line of the personal-data access log per person shown in a list (one INSERT for all);
    numbers are masked in lists, so each line says so. A resident of the population list, who is not
    in the registry, is logged by their row id under the list's path (…#cu-dan-<id>)."""
    entries = []
    for row in rows:
        participant_id = getattr(row, "participant_id", None)
        resident_id = getattr(row, "resident_id", None)
        entries.append(PersonalDataAccess(
            user=user, username=user.get_username()[:150], participant_id=participant_id,
            requested_id=participant_id or resident_id, outcome=AccessOutcome.SHOWN_MASKED,
            ip_address=meta.get("REMOTE_ADDR") or None, forwarded_for=str(meta.get("HTTP_X_FORWARDED_FOR", ""))[:200],
            user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
            path=(path if participant_id else f"{path}#cu-dan-{resident_id}")[:300],
        ))
    PersonalDataAccess.objects.bulk_create(entries, batch_size=500)


# Sessions where residents sign up for the drive's products (not the employer conferences).
SIGN_UP_KINDS = ("prospect_conference", "small_group", "commune_launch")


@transaction.atomic
def activity_sign_ups_record(*, activity, by, participants=None) -> int:
    """The people who signed up at a conference or small-group session (the activity's recorded
    participants, or those just linked) enter the month's lists as promised contacts noting the
    activity: each on the list they belong to (đến hạn, then dừng đóng), else on "chưa tham gia"
    when no drive product is in force; already insured people are skipped. Safe to run twice
    (one contact a person and activity). Returns how many promises were recorded."""
    if activity.kind not in SIGN_UP_KINDS:
        return 0
    day = min(activity.held_on or activity.planned_start, datetime.date.today())
    start = selectors.month_start(day)
    people = list(participants if participants is not None else activity.participants.all())
    ids = [p.pk for p in people]
    items = {i.participant_id: i for i in WorkItem.objects.filter(month=start, participant_id__in=ids)}
    rows = selectors.participant_rows(participant_ids=ids, month=start)
    insured = selectors.drive_product_in_force(participant_ids=ids, day=day)
    new = []
    for person in people:
        if person.pk in items:
            continue
        row = rows.get(person.pk)
        if row is None and person.pk in insured:
            continue
        new.append(WorkItem(
            month=start, kind=row.kind if row else ListKind.UNINSURED, commune_id=person.commune_id,
            participant_id=person.pk, product_id=row.product_id if row else None,
            last_valid_to=row.last_valid_to if row else None, village_id=person.village_id, assigned_by=by))
    WorkItem.objects.bulk_create(new, ignore_conflicts=True)
    items = WorkItem.objects.filter(month=start, participant_id__in=ids)
    note = f"Đăng ký tại {activity.get_kind_display().lower()}: {activity.title or activity.place}"[:500]
    done = set(Contact.objects.filter(activity=activity, item__in=items).values_list("item_id", flat=True))
    contacts = [Contact(item=item, contacted_on=day, outcome=Outcome.PROMISED, note=note, activity=activity,
                        recorded_by=by) for item in items if item.pk not in done]
    Contact.objects.bulk_create(contacts, ignore_conflicts=True)  # a double click: the constraint keeps one
    tally.refresh(items)  # bulk_create sends no signal
    return len(contacts)


def activity_sign_ups_received(sender, *, activity, participants, by, **kwargs) -> None:
    """Receiver of campaigns' participants_linked (connected in DriveConfig.ready)."""
    activity_sign_ups_record(activity=activity, participants=participants, by=by)
