"""What the funnel counts of each person on a list, kept on the work item by the writes.

The funnel of a province reads hundreds of thousands of people; finding for each one, at read time,
their contacts and whether the registry shows them (re-)joined took seconds. So each work item
carries four facts, set here and only here (the rules below are the funnel's own):

- contacted: any contact recorded; promised: a contact hẹn đóng or đã đóng; promised_at_activity:
  such a contact recorded from a conference or small-group session;
- enrolled: the registry shows the person (re-)joined after the list was drawn: a later enrolment
  of the same product (valid_from after the end of the one on the list), or, for a person of the
  population list, an enrolment of a drive product in force during the month, found by số định danh.

They are recomputed (one UPDATE with correlated subqueries, never a loop per person) whenever what
they depend on is written: the item itself, its contacts, the person's enrolments, a participant's
or resident's số định danh. ORM saves and deletes reach `drive.signals`; the writes that bypass them
(bulk_create, COPY, the registry import's bulk changes, which send agents.signals.registry_changed)
call these functions themselves. A changed DRIVE_PRODUCTS setting needs `refresh_all()`.
"""

import datetime
import itertools
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from agents.models import Enrolment
from bhxh_portal.months import month_end

from .models import PROMISED_OUTCOMES, Contact, Resident, WorkItem

CHUNK = 2000


def _facts(month: datetime.date) -> dict:
    """The four facts of the month's items, as expressions an UPDATE of those items sets."""
    later_same_product = Exists(Enrolment.objects.filter(
        participant_id=OuterRef("participant_id"), product_id=OuterRef("product_id"),
        valid_from__gt=OuterRef("last_valid_to")))
    resident_id = Subquery(Resident.objects.filter(pk=OuterRef(OuterRef("resident_id"))).values("personal_id")[:1])
    in_force = Exists(Enrolment.objects.filter(
        participant__personal_id=resident_id, product__code__in=list(settings.DRIVE_PRODUCTS),
        valid_from__lte=month_end(month)).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month)))
    contacts = Contact.objects.filter(item_id=OuterRef("pk"))
    promised = contacts.filter(outcome__in=PROMISED_OUTCOMES)
    return {
        "contacted": Exists(contacts),
        "promised": Exists(promised),
        "promised_at_activity": Exists(promised.filter(activity__isnull=False)),
        "enrolled": Case(When(participant__isnull=False, then=later_same_product), default=in_force),
    }


def refresh(items: QuerySet) -> int:
    """Recompute the facts of these work items (one UPDATE a month they span); only the rows whose
    facts change are written (most refreshes change nothing, and a written row costs an entry in
    each of the table's indexes). Returns how many changed."""
    done = 0
    for month in items.order_by().values_list("month", flat=True).distinct():
        facts = _facts(month)
        stale = Q()
        for name, value in facts.items():
            stale |= ~Q(**{name: value})
        done += WorkItem.objects.filter(pk__in=items.filter(month=month).values("pk")).filter(stale).update(**facts)
    return done


def _chunks(values: Iterable) -> Iterable[list]:
    values = sorted({v for v in values if v is not None})
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def refresh_items(item_ids: Iterable[int]) -> None:
    for chunk in _chunks(item_ids):
        refresh(WorkItem.objects.filter(pk__in=chunk))


def _listed(values: Iterable, cast: str) -> RawSQL | None:
    """A subquery of these values (None and empty left out), sent as one comma-joined text the server
    splits: a million ids cost one parameter, not a million placeholders (PostgreSQL). Joined a piece at
    a time, so a million ids never sit in memory as a million strings; None when there are none."""
    values, pieces = iter(values), []
    while chunk := list(itertools.islice(values, CHUNK)):
        if piece := ",".join(str(v) for v in chunk if v):
            pieces.append(piece)
    return RawSQL(f"SELECT unnest(string_to_array(%s, ','))::{cast}", [",".join(pieces)]) if pieces else None


def refresh_people(*, participant_ids: Iterable[int] = (), personal_ids: Iterable[str] = ()) -> None:
    """After the registry changed for these people: their own items, and the items of the residents
    who bear one of these số định danh (the participants' current ones are added here; pass the
    former ones of a number that changed).

    `participant_ids`: any iterable of ids, iterated once, or on PostgreSQL a subquery of them (RawSQL: an
    import's, the temporary table where it noted every participant it wrote). On PostgreSQL the people
    are one set however many they are (an import sends a million): two refreshes, one for their items
    and one for the residents' items, each a query for the months and an UPDATE a month, whatever the
    number of people."""
    from agents.models import Participant

    if connection.vendor == "postgresql":
        # Repeated values do no harm in a subquery: the sender's list is taken as it is, not copied into a set.
        people = participant_ids if isinstance(participant_ids, RawSQL) else _listed(participant_ids, "bigint")
        if people is not None:
            refresh(WorkItem.objects.filter(participant_id__in=people))
            current = Participant.objects.filter(pk__in=people).exclude(personal_id=None).values("personal_id")
            refresh(WorkItem.objects.filter(resident__personal_id__in=current))
        if (former := _listed(personal_ids, "text")) is not None:
            refresh(WorkItem.objects.filter(resident__personal_id__in=former))
        return
    participant_ids = list(participant_ids)
    personal_ids = set(personal_ids)
    for chunk in _chunks(participant_ids):
        refresh(WorkItem.objects.filter(participant_id__in=chunk))
        personal_ids |= set(Participant.objects.filter(pk__in=chunk).exclude(personal_id=None)
                            .values_list("personal_id", flat=True))
    for chunk in _chunks(personal_ids):
        refresh(WorkItem.objects.filter(resident__personal_id__in=chunk))


def refresh_all() -> int:
    return refresh(WorkItem.objects.all())


def totals(items: QuerySet, key_fields: tuple[str, ...]) -> list[dict]:
    """The funnel's counters of `items` per value of `key_fields`, from the kept facts: one grouped
    query over the items alone."""
    def count_if(condition: Q):
        return Coalesce(Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())), 0)

    due = Q(kind="due")
    # Named apart from the model's fields (an annotation may not shadow one), renamed below.
    counters = {"listed": Count("pk"), "n_contacted": count_if(Q(contacted=True)),
                "n_promised": count_if(Q(promised=True)), "from_activity": count_if(Q(promised_at_activity=True)),
                "n_enrolled": count_if(Q(enrolled=True)), "due": count_if(due),
                "renewed": count_if(due & Q(enrolled=True))}
    return [{key.removeprefix("n_"): value for key, value in row.items()}
            for row in items.order_by().values(*key_fields).annotate(**counters)]
