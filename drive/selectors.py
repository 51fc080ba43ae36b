"""Reads for the drive: each list is one query over the registry (subtree by path prefix), each
page one query for its rows, whatever the number of people; nothing is read per person."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from agents.models import Collector, Enrolment
from bhxh_portal.months import add_months, month_end, month_start  # noqa: F401  (month_start: drive.services)
from bhxh_portal import memo
from bhxh_portal.personal_ids import mask_personal_id
from units import access
from units.models import MEMBERSHIPS, UNITS, Unit

from . import tally
from .models import CLOSING_OUTCOMES, DRIVE, Contact, ListKind, Outcome, Resident, WorkItem

# Who organises the commune's drive (makes the lists, splits them, imports the population list),
# who reads every list and the funnel: units.access.ACTIONS["drive.manage"], ["drive.oversee"];
# collection agents see only the people given to them.


def drive_products() -> list[str]:
    return list(settings.DRIVE_PRODUCTS)


def items_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Work items in the user's subtree; where the user is only a collection agent, only the people
    given to their agent (as its collector) or to them by name."""
    qs = WorkItem.objects.all() if queryset is None else queryset
    qs = access.scope_by_unit(user, qs, "commune")
    if not user.is_authenticated or user.is_superuser:
        return qs
    own = Q(collector__user=user) | Q(agent__in=Collector.objects.filter(user=user, is_active=True).values("agent"))
    return qs.filter(access.action_q(user, "drive.oversee", "commune") | own)


# --- the lists, from the registry ------------------------------------------------------------------

@dataclass
class ListRow:
    kind: str
    commune_id: int
    village_id: int | None
    village_name: str
    participant_id: int | None
    resident_id: int | None
    full_name: str
    bhxh_code: str
    personal_id: str  # masked
    birth_date: datetime.date | None
    household_code: str
    product_id: int | None
    product_name: str
    last_valid_to: datetime.date | None
    item_id: int | None = None
    assigned_to: str = ""
    last_outcome: str = ""
    next_date: datetime.date | None = None

    @property
    def person_key(self) -> tuple:
        return ("p", self.participant_id) if self.participant_id else ("r", self.resident_id)


def _place(unit: Unit, prefix: str) -> Q:
    if unit.level.code == "thon":
        return Q(**{f"{prefix}village": unit})
    return Q(**{f"{prefix}commune__path__startswith": unit.path})


def _closed_participants() -> Exists:
    return Exists(Contact.objects.filter(item__participant=OuterRef("participant_id"), outcome__in=CLOSING_OUTCOMES))


def _later_same_product() -> Exists:
    return Exists(Enrolment.objects.filter(participant=OuterRef("participant_id"), product=OuterRef("product_id"),
                                           valid_from__gt=OuterRef("valid_to")))


def _enrolment_rows(kind: str, queryset: QuerySet) -> list[ListRow]:
    rows = (queryset.filter(product__code__in=drive_products())
            .filter(~_later_same_product(), ~_closed_participants())
            .values("participant_id", "participant__commune_id", "participant__village_id",
                    "participant__village__name", "participant__full_name", "participant__bhxh_code",
                    "participant__personal_id", "participant__birth_date", "participant__household_code",
                    "product_id", "product__short_name", "valid_to")
            .order_by("participant__village__name", "participant__full_name", "participant_id", "-valid_to"))
    seen, result = set(), []
    for r in rows:
        # One line a person: the product whose enrolment ends last (a person is on one list).
        if r["participant_id"] in seen:
            continue
        seen.add(r["participant_id"])
        result.append(ListRow(
            kind=kind, commune_id=r["participant__commune_id"], village_id=r["participant__village_id"],
            village_name=r["participant__village__name"] or "", participant_id=r["participant_id"], resident_id=None,
            full_name=r["participant__full_name"], bhxh_code=r["participant__bhxh_code"] or "",
            personal_id=mask_personal_id(r["participant__personal_id"]), birth_date=r["participant__birth_date"],
            household_code=r["participant__household_code"], product_id=r["product_id"],
            product_name=r["product__short_name"], last_valid_to=r["valid_to"],
        ))
    return result


def _due_enrolments(place: Q, start: datetime.date) -> QuerySet:
    return Enrolment.objects.filter(place, valid_to__gte=start, valid_to__lte=month_end(start))


def _lapsed_enrolments(place: Q, start: datetime.date) -> QuerySet:
    return Enrolment.objects.filter(place, valid_to__gte=add_months(start, -settings.DRIVE_LAPSED_MONTHS),
                                    valid_to__lt=start)


def due_rows(*, unit: Unit, month: datetime.date) -> list[ListRow]:
    """Đến hạn: an enrolment of a drive product ends within the month, and no later one of the same
    product has been filed."""
    return _enrolment_rows(ListKind.DUE, _due_enrolments(_place(unit, "participant__"), month_start(month)))


def lapsed_rows(*, unit: Unit, month: datetime.date) -> list[ListRow]:
    """Dừng đóng: the last enrolment of a drive product ended in the DRIVE_LAPSED_MONTHS months
    before the month, and the person has not joined that product again."""
    return _enrolment_rows(ListKind.LAPSED, _lapsed_enrolments(_place(unit, "participant__"), month_start(month)))


def participant_rows(*, participant_ids: list[int], month: datetime.date) -> dict[int, ListRow]:
    """The list row of the month (đến hạn first, then dừng đóng) of each of these people who is on
    one, by participant id: where a sign-up at a conference belongs (two queries)."""
    start, place = month_start(month), Q(participant_id__in=participant_ids)
    found: dict[int, ListRow] = {}
    for row in [*_enrolment_rows(ListKind.DUE, _due_enrolments(place, start)),
                *_enrolment_rows(ListKind.LAPSED, _lapsed_enrolments(place, start))]:
        found.setdefault(row.participant_id, row)
    return found


def drive_product_in_force(*, participant_ids: list[int], day: datetime.date) -> set[int]:
    return set(Enrolment.objects.filter(participant_id__in=participant_ids, product__code__in=drive_products(),
                                        valid_from__lte=day)
               .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).values_list("participant_id", flat=True))


def uninsured_rows(*, unit: Unit, month: datetime.date) -> list[ListRow]:
    """Chưa tham gia: people of the commune's population list with no enrolment (any product) in
    force on the month's last day, matched by số định danh."""
    day = month_end(month_start(month))
    in_force = Enrolment.objects.filter(participant__personal_id=OuterRef("personal_id"), valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    closed = Contact.objects.filter(item__resident=OuterRef("pk"), outcome__in=CLOSING_OUTCOMES)
    rows = (Resident.objects.filter(_place(unit, ""))
            .filter(~Exists(in_force), ~Exists(closed))
            .values("pk", "commune_id", "village_id", "village__name", "full_name", "personal_id", "birth_date",
                    "household_code")
            .order_by("village__name", "household_code", "full_name", "pk"))
    return [ListRow(
        kind=ListKind.UNINSURED, commune_id=r["commune_id"], village_id=r["village_id"],
        village_name=r["village__name"] or "", participant_id=None, resident_id=r["pk"], full_name=r["full_name"],
        bhxh_code="", personal_id=mask_personal_id(r["personal_id"]), birth_date=r["birth_date"],
        household_code=r["household_code"], product_id=None, product_name="", last_valid_to=None,
    ) for r in rows]


LIST_READERS = {ListKind.DUE: due_rows, ListKind.LAPSED: lapsed_rows, ListKind.UNINSURED: uninsured_rows}


def list_rows(*, unit: Unit, month: datetime.date, kind: str) -> list[ListRow]:
    return LIST_READERS[kind](unit=unit, month=month)


# --- the lists as worked: the rows with who has them and the last contact -----------------------

def _assignee_label(item: dict) -> str:
    parts = [item["collector__full_name"], item["agent__name"], item["village__name"]]
    return " · ".join(p for p in parts if p)


def work_rows(*, user, unit: Unit, month: datetime.date, kind: str) -> list[ListRow]:
    """The month's list for the page, the print and the command: the registry's rows joined with
    the work items (two queries, plus one for the last contacts). A collection agent sees only the
    rows of the people given to them."""
    start = month_start(month)
    rows = list_rows(unit=unit, month=start, kind=kind)
    items = items_visible_to(user, WorkItem.objects.filter(month=start)).filter(_place(unit, "")).values(
        "pk", "participant_id", "resident_id", "kind", "village__name", "agent__name", "collector__full_name",
        "commune_id", "village_id", "participant__full_name", "participant__bhxh_code", "participant__personal_id",
        "participant__birth_date", "participant__household_code")
    by_person = {("p", i["participant_id"]) if i["participant_id"] else ("r", i["resident_id"]): i for i in items}
    last = {}
    for c in (Contact.objects.filter(item_id__in=[i["pk"] for i in by_person.values()])
              .order_by("item_id", "-contacted_on", "-pk").values("item_id", "outcome", "next_date")):
        last.setdefault(c["item_id"], c)
    only_assigned = not access.can(user, "drive.oversee", unit)
    result = []
    for row in rows:
        item = by_person.get(row.person_key)
        if item is not None and item["kind"] != kind:
            continue  # on another list this month
        if item is None and only_assigned:
            continue
        if item is not None:
            row.item_id = item["pk"]
            row.assigned_to = _assignee_label(item)
            contact = last.get(item["pk"])
            if contact:
                row.last_outcome = Outcome(contact["outcome"]).label
                row.next_date = contact["next_date"]
        result.append(row)
    if kind == ListKind.UNINSURED:
        # People of the registry put on this list without a row of the population list (signed up
        # at a conference while no drive product was in force): shown after the list's own rows.
        shown = {r.person_key for r in result}
        for key, item in by_person.items():
            if item["kind"] == kind and key[0] == "p" and key not in shown:
                result.append(_item_row(item, kind, last.get(item["pk"])))
    return result


def _item_row(item: dict, kind: str, contact: dict | None) -> ListRow:
    return ListRow(
        kind=kind, commune_id=item["commune_id"], village_id=item["village_id"], village_name=item["village__name"] or "",
        participant_id=item["participant_id"], resident_id=None, full_name=item["participant__full_name"],
        bhxh_code=item["participant__bhxh_code"] or "", personal_id=mask_personal_id(item["participant__personal_id"]),
        birth_date=item["participant__birth_date"], household_code=item["participant__household_code"],
        product_id=None, product_name="", last_valid_to=None, item_id=item["pk"], assigned_to=_assignee_label(item),
        last_outcome=Outcome(contact["outcome"]).label if contact else "",
        next_date=contact["next_date"] if contact else None)


def item_for_user_or_none(*, user, pk: int) -> WorkItem | None:
    return (items_visible_to(user, WorkItem.objects.select_related(
        "participant", "resident", "product", "village", "agent", "collector", "commune", "commune__level"))
        .filter(pk=pk).first())


def paid_contact_enrolment(*, contact: Contact) -> Enrolment | None:
    """The enrolment that a 'đã đóng' contact announced, once the registry has it: an enrolment of
    the item's product (any drive product for a person of the population list) starting after the
    last one ended and in force on or after the contact date."""
    item = contact.item
    qs = Enrolment.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=contact.contacted_on))
    if item.participant_id:
        qs = qs.filter(participant_id=item.participant_id)
    else:
        qs = qs.filter(participant__personal_id=item.resident.personal_id)
    if item.product_id:
        qs = qs.filter(product_id=item.product_id)
    else:
        qs = qs.filter(product__code__in=drive_products())
    if item.last_valid_to:
        qs = qs.filter(valid_from__gt=item.last_valid_to)
    return qs.order_by("valid_from").first()


# --- the funnel --------------------------------------------------------------------------------------

@dataclass
class FunnelLine:
    key: object
    label: str
    listed: int = 0
    contacted: int = 0
    promised: int = 0
    from_activity: int = 0  # promised at a conference or small-group session
    enrolled: int = 0
    due: int = 0
    renewed: int = 0
    refusals: dict = field(default_factory=lambda: defaultdict(int))

    @property
    def retention_pct(self):
        from fractions import Fraction

        return Fraction(self.renewed * 100, self.due) if self.due else None


BY = {"commune": ("commune_id", "commune__name"), "village": ("village_id", "village__name"),
      "agent": ("agent_id", "agent__name")}


COUNTERS = ("listed", "contacted", "promised", "from_activity", "enrolled", "due", "renewed")


def _month_items(*, user, unit: Unit, month: datetime.date) -> QuerySet:
    items = items_visible_to(user, WorkItem.objects.filter(month=month_start(month)))
    if unit.level.code == "thon":
        return items.filter(_place(unit, ""))
    if unit.level.code == "xa":
        return items.filter(commune=unit)
    # Above a commune, the subtree's communes read first, then their items through the (commune, month) index: joined
    # to the units instead, the planner reads the whole country's items of the month (10 million
    # people: 416.000 items, four times over for the funnel), 0,7 s instead of 0,3 s for a province.
    communes = list(Unit.objects.filter(path__startswith=unit.path).exclude(level__code="thon")
                    .values_list("pk", flat=True))
    return items.filter(commune_id__in=communes)


def _funnel_rows(items: QuerySet, month: datetime.date, key_fields: tuple[str, ...], live: bool) -> list[dict]:
    if live:
        from .funnel_live import funnel_rows_live

        return funnel_rows_live(items, month, key_fields)
    return tally.totals(items, key_fields)


def funnel(*, user, unit: Unit, month: datetime.date, by: str = "village", live: bool = False) -> list[FunnelLine]:
    """listed → contacted → promised → enrolled per commune, thôn or agent, for the month's items
    in the unit's subtree, with the retention rate (renewed ÷ due) and the refusal reasons.

    One grouped query over the items for the counters (the facts each item keeps, drive.tally), one
    for the refusal reasons; the total line is the sum. `live`: the counters found in the contacts
    and the registry at read time instead (the reference the kept facts are checked against)."""
    key_field, label_field = BY[by]
    items = _month_items(user=user, unit=unit, month=month)
    rows = _funnel_rows(items, month, (key_field, label_field), live)
    lines: dict = {}
    total = FunnelLine(key=None, label="Tổng cộng")
    for r in rows:
        key = r[key_field]
        line = lines.setdefault(key, FunnelLine(key=key, label=r[label_field] or "(chưa phân công)"))
        for name in COUNTERS:
            setattr(line, name, getattr(line, name) + r[name])
            setattr(total, name, getattr(total, name) + r[name])
    refusals = (Contact.objects.filter(item__in=items, outcome=Outcome.REFUSED)
                .values(f"item__{key_field}", "refusal_reason").annotate(people=Count("item_id", distinct=True)))
    for r in refusals:
        line = lines.get(r[f"item__{key_field}"])
        if line is not None:
            line.refusals[r["refusal_reason"]] += r["people"]
        total.refusals[r["refusal_reason"]] += r["people"]
    return [*sorted(lines.values(), key=lambda line: line.label), total]


def funnel_summary(*, user, unit: Unit, month: datetime.date, live: bool = False) -> list[FunnelLine]:
    """The compact funnel of the dashboard: one line a list (đến hạn, dừng đóng, chưa tham gia) and
    the total, from one grouped query."""
    items = _month_items(user=user, unit=unit, month=month)
    found = {r["kind"]: r for r in _funnel_rows(items, month, ("kind",), live)}
    total = FunnelLine(key=None, label="Tổng cộng")
    lines = []
    for kind in ListKind:
        line = FunnelLine(key=kind.value, label=kind.label)
        for name in COUNTERS:
            value = found.get(kind.value, {}).get(name, 0)
            setattr(line, name, value)
            setattr(total, name, getattr(total, name) + value)
        lines.append(line)
    return [*lines, total]


def dashboard_funnel(user, unit, period) -> list | None:
    """The door-to-door drive of the month beside the targets, for those who work or oversee it
    (a panel of the unit dashboard, reports.views_dashboard)."""
    if not access.can(user, "drive.open", unit):
        return None
    # Remembered until a work item or a collector is written, or the user's memberships or the tree
    # change (which items the user sees).
    key = f"funnel-summary:{user.pk}:{user.is_superuser}:{unit.pk}:{period.start}"
    return memo.remember(key, (DRIVE, MEMBERSHIPS, UNITS),
                         lambda: funnel_summary(user=user, unit=unit, month=period.start))
