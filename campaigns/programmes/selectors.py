"""Reads for support programmes: who sees what, the overdue list, the yearly budget estimate
(beneficiaries × support × months, one grouped query) and the yearly report status."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from units import access
from units.models import Unit

from ..models.programmes import (
    Beneficiary,
    BeneficiaryGroup,
    BeneficiaryList,
    BeneficiaryState,
    ProgrammeYearReport,
    SupportProgramme,
    SupportRule,
)
from ..holidays.workdays import calendar_warning, known_calendar_years, years_without_calendar
from ..activities.selectors import month_bounds

def _touches(user, unit: Unit) -> bool:
    """The user sees the unit, or holds a grant inside it (a district official sees the province's
    programme, though not the province's other data)."""
    if access.can_view(user, unit):
        return True
    return any(g.path.startswith(unit.path) for g in access.grants_of(user))


def programmes_for(user) -> list[SupportProgramme]:
    return [p for p in SupportProgramme.objects.select_related("province") if _touches(user, p.province)]


def get_programme_or_404(user, pk: int) -> SupportProgramme:
    programme = SupportProgramme.objects.select_related("province").filter(pk=pk).first()
    if programme is None or not _touches(user, programme.province):
        raise Http404("Không tìm thấy chương trình hoặc bạn không có quyền xem chương trình này.")
    return programme


def lists_for(user, programme: SupportProgramme) -> QuerySet:
    return access.scope_by_unit(user, programme.lists.all(), "unit").select_related("unit", "group").annotate(
        count=Count("beneficiaries"),
        issued=Count("beneficiaries", filter=Q(beneficiaries__state=BeneficiaryState.CARD_ISSUED)),
        pending=Count("beneficiaries", filter=Q(beneficiaries__state=BeneficiaryState.SUBMITTED)),
        due=Max("beneficiaries__due_on"),
    )


def latest_programme_year(*, user, programme: SupportProgramme, up_to: int) -> int | None:
    """The latest year, up to `up_to`, in which the programme received a list the user sees (one query)."""
    latest = (access.scope_by_unit(user, programme.lists.all(), "unit").filter(received_on__year__lte=up_to)
              .aggregate(latest=Max("received_on"))["latest"])
    return latest.year if latest else None


# --- deadlines counted through a year without a holiday calendar ----------------------------------


def mark_calendar_gaps(rows, *, received_on=lambda row: row.beneficiary_list.received_on,
                       due_on=lambda row: row.due_on) -> tuple[list, str]:
    """Sets `calendar_gap` (years between receipt and deadline without a holiday calendar) on each
    row; returns the rows and the page's warning (empty when every year was known). One query."""
    known = known_calendar_years()
    rows = list(rows)
    missing: set[int] = set()
    for row in rows:
        due = due_on(row)
        row.calendar_gap = years_without_calendar(received_on(row), due, known) if due else ()
        missing.update(row.calendar_gap)
    return rows, calendar_warning(missing)


def get_list_or_404(user, pk: int) -> BeneficiaryList:
    found = access.scope_by_unit(user, BeneficiaryList.objects.all(), "unit").select_related(
        "unit", "group", "programme").filter(pk=pk).first()
    if found is None:
        raise Http404("Không tìm thấy danh sách hoặc bạn không có quyền xem danh sách này.")
    return found


def beneficiaries_for(user) -> QuerySet:
    return access.scope_by_unit(user, Beneficiary.objects.all(), "beneficiary_list__unit")


def get_beneficiary_or_404(user, pk: int) -> Beneficiary:
    found = beneficiaries_for(user).select_related("beneficiary_list__unit", "beneficiary_list__programme",
                                                   "beneficiary_list__group").filter(pk=pk).first()
    if found is None:
        raise Http404("Không tìm thấy đối tượng hoặc bạn không có quyền xem.")
    return found


def overdue_beneficiaries(*, user, programme: SupportProgramme, today: datetime.date) -> QuerySet:
    """Still waiting for a card after the deadline (5 working days from receipt)."""
    return beneficiaries_for(user).filter(
        beneficiary_list__programme=programme, state=BeneficiaryState.SUBMITTED, due_on__lt=today,
    ).select_related("beneficiary_list__unit", "beneficiary_list__group").order_by("due_on", "pk")


def issued_late(*, user, programme: SupportProgramme) -> QuerySet:
    return beneficiaries_for(user).filter(beneficiary_list__programme=programme,
                                          state=BeneficiaryState.CARD_ISSUED,
                                          card_issued_on__gt=F("due_on"))


# --- budget estimate -----------------------------------------------------------------------------


@dataclass
class BudgetLine:
    group: BeneficiaryGroup
    months: list[tuple[int, int, int]] = field(default_factory=list)  # (month, beneficiaries, support per month)

    @property
    def beneficiary_months(self) -> int:
        return sum(n for _, n, _ in self.months)

    @property
    def amount(self) -> int:
        return sum(n * a for _, n, a in self.months)

    @property
    def beneficiaries(self) -> int:
        return max((n for _, n, _ in self.months), default=0)


@dataclass
class Budget:
    programme: SupportProgramme
    year: int
    lines: list[BudgetLine]

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


def _rule_amount(rules: list[SupportRule], day: datetime.date) -> int:
    for rule in rules:
        if rule.valid_from <= day and (rule.valid_to is None or rule.valid_to >= day):
            return rule.amount_per_month
    return 0


def budget_estimate(*, programme: SupportProgramme, year: int, unit: Unit | None = None) -> Budget:
    """Yearly estimate (dự toán): for each group and each month of the year inside the programme's
    period, the beneficiaries supported that month × the support per month in force on its first
    day. Rejected beneficiaries are left out; a removed one counts until its support ends.
    One grouped query for the counts, one for the groups, one for the rules."""
    months = []
    for month in range(1, 13):
        first, last = month_bounds(year, month)
        if last < programme.valid_from or first > programme.valid_to:
            continue
        months.append((month, max(first, programme.valid_from), last))
    annotations = {
        f"m{month}": Count("pk", filter=Q(support_from__lte=last) & (Q(support_to__isnull=True)
                                                                     | Q(support_to__gte=first)))
        for month, first, last in months
    }
    qs = Beneficiary.objects.filter(beneficiary_list__programme=programme).exclude(state=BeneficiaryState.REJECTED)
    if unit is not None:
        qs = qs.filter(beneficiary_list__unit__path__startswith=unit.path)
    counts = {row["beneficiary_list__group_id"]: row
              for row in qs.values("beneficiary_list__group_id").annotate(**annotations)} if months else {}
    groups = list(programme.groups.select_related("product"))
    rules: dict[int, list[SupportRule]] = {}
    for rule in SupportRule.objects.filter(group__programme=programme).order_by("valid_from"):
        rules.setdefault(rule.group_id, []).append(rule)
    lines = []
    for group in groups:
        row = counts.get(group.pk, {})
        line = BudgetLine(group)
        for month, first, _ in months:
            line.months.append((month, row.get(f"m{month}", 0), _rule_amount(rules.get(group.pk, []), first)))
        lines.append(line)
    return Budget(programme, year, lines)


# --- yearly report ---------------------------------------------------------------------------------


@dataclass
class ReportStatus:
    unit: Unit
    sent_on: datetime.date | None
    due: datetime.date

    @property
    def on_time(self) -> bool:
        return self.sent_on is not None and self.sent_on < self.due

    def overdue(self, today: datetime.date) -> bool:
        return self.sent_on is None and today >= self.due


def yearly_report_status(*, user, programme: SupportProgramme, year: int) -> list[ReportStatus]:
    """The units that sent lists to the programme (in the user's view) and whether their yearly
    report has been sent before the due day (30/11)."""
    due = programme.report_due(year)
    unit_ids = set(access.scope_by_unit(user, programme.lists.all(), "unit").values_list("unit_id", flat=True))
    sent = {r.unit_id: r.sent_on for r in ProgrammeYearReport.objects.filter(programme=programme, year=year)}
    units = Unit.objects.filter(pk__in=unit_ids).order_by("path")
    return [ReportStatus(u, sent.get(u.pk), due) for u in units]


def yearly_summary(*, user, programme: SupportProgramme, year: int) -> list[dict]:
    """Per group: lists received in the year, beneficiaries, cards issued (on time, late), waiting,
    removed — one grouped query."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rows = beneficiaries_for(user).filter(
        beneficiary_list__programme=programme, beneficiary_list__received_on__range=(first, last),
    ).values("beneficiary_list__group__name", "beneficiary_list__group__display_order").annotate(
        total=Count("pk"),
        issued=Count("pk", filter=Q(state=BeneficiaryState.CARD_ISSUED)),
        late=Count("pk", filter=Q(state=BeneficiaryState.CARD_ISSUED, card_issued_on__gt=F("due_on"))),
        waiting=Count("pk", filter=Q(state=BeneficiaryState.SUBMITTED)),
        removed=Count("pk", filter=Q(state=BeneficiaryState.REMOVED)),
        rejected=Count("pk", filter=Q(state=BeneficiaryState.REJECTED)),
    ).order_by("beneficiary_list__group__display_order")
    return [{"group": r["beneficiary_list__group__name"], **{k: r[k] for k in
             ("total", "issued", "late", "waiting", "removed", "rejected")}} for r in rows]


def beneficiary_name_of(id_field: str) -> Subquery:
    """The full name of the beneficiary whose id is in `id_field` of the outer query (NULL once it is
    deleted): agents' access log names the people it logged with it (CampaignsConfig.ready)."""
    return Subquery(Beneficiary.objects.filter(pk=OuterRef(id_field)).values("full_name")[:1])
