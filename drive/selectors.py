"""Reads for the drive: each list is one query over the registry (subtree by path prefix), each
page one query for its rows, whatever the number of people; nothing is read per person."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from agents.models import Collector, Enrolment
from bhxh_portal.months import add_months, month_end, month_start  # noqa: F401  (month_start: drive.services)
from bhxh_portal.personal_ids import mask_personal_id
from targets import access
from targets.models import Role, Unit

from .models import CLOSING_OUTCOMES, PROMISED_OUTCOMES, Contact, ListKind, Outcome, Resident, WorkItem

# Who organises the commune's drive (makes the lists, splits them, imports the population list);
# who reads every list and the funnel; collection agents see only the people given to them.
MANAGE_ROLES = frozenset({Role.COMMUNE_OFFICIAL, Role.BHXH_STAFF, Role.ADMINISTRATOR})
OVERSEE_ROLES = MANAGE_ROLES | {Role.LEADER}
FIELD_ROLES = frozenset({Role.COLLECTION_AGENT})
DRIVE_ROLES = OVERSEE_ROLES | FIELD_ROLES


def drive_products() -> list[str]:
    return list(settings.DRIVE_PRODUCTS)


# --- who may do what ---------------------------------------------------------------------------

def can_manage(user, unit: Unit) -> bool:
    return access.has_role(user, unit, MANAGE_ROLES)


def can_oversee(user, unit: Unit) -> bool:
    return access.has_role(user, unit, OVERSEE_ROLES)


def can_open_drive(user, unit: Unit) -> bool:
    return access.has_role(user, unit, DRIVE_ROLES)


def items_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Work items in the user's subtree; where the user is only a collection agent, only the people
    given to their agent (as its collector) or to them by name."""
    qs = WorkItem.objects.all() if queryset is None else queryset
    qs = access.scope_by_unit(user, qs, "commune")
    if not user.is_authenticated or user.is_superuser:
        return qs
    overseen = [g.path for g in access.grants_of(user) if g.role in OVERSEE_ROLES]
    own = Q(collector__user=user) | Q(agent__in=Collector.objects.filter(user=user, is_active=True).values("agent"))
    wide = Q(pk__in=[])
    for path in overseen:
        wide |= Q(commune__path__startswith=path)
    return qs.filter(wide | own)


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


def due_rows(*, unit: Unit, month: datetime.date) -> list[ListRow]:
    """Đến hạn: an enrolment of a drive product ends within the month, and no later one of the same
    product has been filed."""
    start = month_start(month)
    return _enrolment_rows(ListKind.DUE, Enrolment.objects.filter(
        _place(unit, "participant__"), valid_to__gte=start, valid_to__lte=month_end(start)))


def lapsed_rows(*, unit: Unit, month: datetime.date) -> list[ListRow]:
    """Dừng đóng: the last enrolment of a drive product ended in the DRIVE_LAPSED_MONTHS months
    before the month, and the person has not joined that product again."""
    start = month_start(month)
    since = add_months(start, -settings.DRIVE_LAPSED_MONTHS)
    return _enrolment_rows(ListKind.LAPSED, Enrolment.objects.filter(
        _place(unit, "participant__"), valid_to__gte=since, valid_to__lt=start))


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
        "pk", "participant_id", "resident_id", "kind", "village__name", "agent__name", "collector__full_name")
    by_person = {("p", i["participant_id"]) if i["participant_id"] else ("r", i["resident_id"]): i for i in items}
    last = {}
    for c in (Contact.objects.filter(item_id__in=[i["pk"] for i in by_person.values()])
              .order_by("item_id", "-contacted_on", "-pk").values("item_id", "outcome", "next_date")):
        last.setdefault(c["item_id"], c)
    only_assigned = not (user.is_superuser or can_oversee(user, unit))
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
    return result


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


def funnel(*, user, unit: Unit, month: datetime.date, by: str = "village") -> list[FunnelLine]:
    """listed → contacted → promised → enrolled per commune, thôn or agent, for the month's items
    in the unit's subtree, with the retention rate (renewed ÷ due) and the refusal reasons.

    One query for the items with their flags, one for the refusal reasons."""
    start = month_start(month)
    key_field, label_field = BY[by]
    items = items_visible_to(user, WorkItem.objects.filter(month=start)).filter(_place(unit, ""))
    # Enrolled: the registry shows the person (re-)joined after the list was drawn: a later
    # enrolment of the same product, or, for the population list, any drive product in force.
    by_participant = Enrolment.objects.filter(
        participant=OuterRef("participant_id"), product=OuterRef("product_id"),
        valid_from__gt=OuterRef("last_valid_to"))
    by_resident = Enrolment.objects.filter(
        participant__personal_id=OuterRef("resident__personal_id"), product__code__in=drive_products(),
        valid_from__lte=month_end(start)).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    rows = items.annotate(
        has_contact=Exists(Contact.objects.filter(item=OuterRef("pk"))),
        has_promise=Exists(Contact.objects.filter(item=OuterRef("pk"), outcome__in=PROMISED_OUTCOMES)),
        enrolled_p=Exists(by_participant), enrolled_r=Exists(by_resident),
    ).values(key_field, label_field, "kind", "participant_id", "has_contact", "has_promise", "enrolled_p",
             "enrolled_r").order_by(label_field)
    lines: dict = {}
    total = FunnelLine(key=None, label="Tổng cộng")
    for r in rows:
        key = r[key_field]
        line = lines.setdefault(key, FunnelLine(key=key, label=r[label_field] or "(chưa phân công)"))
        enrolled = r["enrolled_p"] if r["participant_id"] else r["enrolled_r"]
        for target in (line, total):
            target.listed += 1
            target.contacted += r["has_contact"]
            target.promised += r["has_promise"]
            target.enrolled += enrolled
            if r["kind"] == ListKind.DUE:
                target.due += 1
                target.renewed += enrolled
    refusals = (Contact.objects.filter(item__in=items, outcome=Outcome.REFUSED)
                .values(f"item__{key_field}", "refusal_reason", "item_id").distinct())
    for r in refusals:
        line = lines.get(r[f"item__{key_field}"])
        if line is not None:
            line.refusals[r["refusal_reason"]] += 1
        total.refusals[r["refusal_reason"]] += 1
    return [*sorted(lines.values(), key=lambda line: line.label), total]
