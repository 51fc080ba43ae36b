"""Reads in agents: one grouped query each, over a subtree by path prefix, never a loop per child."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Expression, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractMonth

from bhxh_portal.imports import nfc
from bhxh_portal.months import month_end
from bhxh_portal.search import folded_words_q
from units import access
from units.models import Unit
from targets.models import Target

from .contributions import ContributionError, ContributionQuote, IncomeError, RuleBook
from .registry_tally import registry_tally
from .models import Agent, Collection, Enrolment, Participant, PaymentMode, Product

# Indicators that count part of a product's participants: the newly mobilised and the renewing
# BHXH TN participants (targets.Indicator bhxh_tn_moi / bhxh_tn_tai_tuc, parts of bhxh_tn).
NEW_OR_RENEWING = {"bhxh_tn_moi": ("bhxh_tn", True), "bhxh_tn_tai_tuc": ("bhxh_tn", False)}


def _in_subtree(unit: Unit, prefix: str = "participant__") -> Q:
    if unit.level.code == "thon":
        return Q(**{f"{prefix}village": unit})
    return Q(**{f"{prefix}commune__path__startswith": unit.path})


def active_enrolment_counts(*, unit: Unit, month: datetime.date) -> dict[str, int]:
    """Participants with an enrolment in force on the last day of `month`, in the unit's subtree,
    keyed by the indicator each product counts for (bhxh_tn, bhyt_hgd, bhyt_can_ngheo, ...).

    Above a village, read from the per-commune tally (agents.registry_tally: a few hundred rows for
    a province, kept current by the database on every write); a village, one grouped query over its
    participants. A product without an indicator is keyed by its own code.
    """
    if unit.level.code == "thon":
        day = month_end(month)
        rows = (Enrolment.objects.filter(_in_subtree(unit), valid_from__lte=day)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
                .values("product_id", "is_new").annotate(people=Count("participant_id", distinct=True)))
        people = {(row["product_id"], row["is_new"]): row["people"] for row in rows}
    else:
        people = registry_tally(unit=unit, month=month)
    keys = {pk: indicator or code for pk, code, indicator in
            Product.objects.filter(pk__in={product for product, _ in people})
            .values_list("pk", "code", "indicator__code")}
    counts: dict[str, int] = {}
    for (product, is_new), n in sorted(people.items()):
        if not n:
            continue
        key = keys[product]
        counts[key] = counts.get(key, 0) + n
        for part, (whole, new) in NEW_OR_RENEWING.items():
            if key == whole and is_new == new:
                counts[part] = counts.get(part, 0) + n
    return counts


@dataclass
class RegistryLine:
    indicator: str
    registry: int
    entered: int | None

    @property
    def difference(self) -> int | None:
        return None if self.entered is None else self.entered - self.registry


def registry_comparison(*, unit: Unit, month: datetime.date, entered: dict[str, int | None]) -> list[RegistryLine]:
    """The registry's count beside the figure a commune entered, with the difference (entered − registry)."""
    counts = active_enrolment_counts(unit=unit, month=month)
    codes = list(dict.fromkeys([*entered, *counts]))
    return [RegistryLine(code, counts.get(code, 0), entered.get(code)) for code in codes]


def agents_visible_to(user) -> QuerySet:
    return access.scope_by_unit(user, Agent.objects.select_related("unit"), "unit")


def agent_for_user_or_404(*, user, pk: int) -> Agent:
    from django.http import Http404

    agent = agents_visible_to(user).filter(pk=pk).first()
    if agent is None:
        raise Http404("Không tìm thấy đại lý thu hoặc bạn không có quyền xem.")
    return agent


def enrolment_for_collection(*, participant: Participant, product: Product,
                             collected_on: datetime.date) -> Enrolment | None:
    """The enrolment a receipt pays for: the latest started by the day, else the first one."""
    return (Enrolment.objects.filter(participant=participant, product=product, valid_from__lte=collected_on)
            .order_by("-valid_from").first()
            or Enrolment.objects.filter(participant=participant, product=product).order_by("valid_from").first())


def collection_quote(*, participant: Participant, product: Product, collected_on: datetime.date, months: int,
                     payment_mode: str | None = None,
                     enrolment: Enrolment | None = None) -> tuple[ContributionQuote | None, str]:
    """What the rules give for a receipt (the participant's enrolment: income, group, member), or
    why they cannot say. Paying several years ahead or for missing months (the receipt's mode, else
    the enrolment's) is discounted or compounded month by month."""
    if enrolment is None:
        enrolment = enrolment_for_collection(participant=participant, product=product, collected_on=collected_on)
    mode = payment_mode or (enrolment.payment_mode if enrolment else None)
    if mode not in (PaymentMode.YEARS_AHEAD, PaymentMode.LUMP_SUM):
        mode = None
    try:
        quote = RuleBook.load().quote(
            product=product, on=collected_on, income=enrolment.chosen_income if enrolment else None, months=months,
            group=enrolment.support_group if enrolment else "other",
            member_order=enrolment.household_member_order if enrolment else None,
            unit_path=participant.commune.path, mode=mode)
    except IncomeError:
        return None, "Chưa có mức thu nhập của người này nên chưa kiểm tra được số tiền."
    except ContributionError as exc:
        return None, f"Chưa kiểm tra được số tiền: {exc}"
    return quote, ""


def participants_visible_to(user) -> QuerySet:
    return access.scope_by_unit(user, Participant.objects.select_related("commune", "village"), "commune")


def participant_search(*, user, text: str, limit: int = 30) -> QuerySet:
    """By code (mã số BHXH or số định danh, from the first digits) or by words of the name, with or
    without accents, as the unit browser searches ('nguyen van' finds 'Nguyễn Văn')."""
    text = nfc(text.strip())
    qs = participants_visible_to(user)
    if not text:
        return qs.none()
    if text.isdigit():
        return qs.filter(Q(bhxh_code__startswith=text) | Q(personal_id__startswith=text))[:limit]
    words = folded_words_q(text, "search_name")
    if words is None:
        return qs.none()
    return qs.filter(words).order_by("full_name")[:limit]


@dataclass
class MonthRow:
    month: int
    receipts: int = 0
    amount: int = 0
    people: dict[str, int] = field(default_factory=dict)     # indicator → participants collected this month
    cumulative: dict[str, int] = field(default_factory=dict)  # indicator → since January


@dataclass
class AgentYear:
    agent: Agent
    year: int
    indicators: list[tuple[str, str]]          # (code, label) shown as columns
    targets: dict[str, int]                    # indicator → the agent's yearly target (count)
    monthly_targets: dict[tuple[str, int], int]  # (indicator, month) → a monthly target when one is set
    months: list[MonthRow]

    def achieved_pct(self, code: str) -> float | None:
        target = self.targets.get(code)
        if not target:
            return None
        return self.months[-1].cumulative.get(code, 0) * 100 / target if self.months else 0.0


def agent_year(*, agent: Agent, year: int) -> AgentYear:
    """Collections of an agent per month (receipts, amount, distinct participants per indicator,
    and the running total since January) against the targets allocated to the agent for the year."""
    products = {p.code: (p.indicator.code if p.indicator else p.code, str(p.indicator or p))
                for p in Product.objects.select_related("indicator")}
    base = Collection.objects.filter(agent=agent, collected_on__year=year)
    by_month = {
        r["m"]: r for r in base.annotate(m=ExtractMonth("collected_on")).values("m").annotate(
            receipts=Count("id"), amount=Sum("amount"))
    }
    people = (base.annotate(m=ExtractMonth("collected_on")).values("m", "product__code", "enrolment__is_new")
              .annotate(n=Count("participant_id", distinct=True)))
    # A person collected twice in the year counts once in the running total: first month seen.
    firsts = base.values("participant_id", "product__code", "enrolment__is_new").annotate(
        first=ExtractMonth(Min("collected_on")))
    targets: dict[str, int] = {}
    monthly: dict[tuple[str, int], int] = {}
    labels: dict[str, str] = {}
    for target in Target.objects.filter(agent=agent, year=year).select_related("indicator"):
        code = target.indicator.code
        labels[code] = str(target.indicator)
        if target.period_type == "year":
            targets[code] = targets.get(code, 0) + target.count
        elif target.period_type == "month":
            monthly[(code, target.period_number)] = target.count
    months = [MonthRow(month=m) for m in range(1, 13)]
    for m, row in by_month.items():
        months[m - 1].receipts, months[m - 1].amount = row["receipts"], row["amount"] or 0

    def codes_of(row) -> list[str]:
        """The product's indicator, and the new/renewing part of it when the agent has a target for that part."""
        code, label = products.get(row["product__code"], (row["product__code"], row["product__code"]))
        labels.setdefault(code, label)
        parts = [part for part, (whole, is_new) in NEW_OR_RENEWING.items()
                 if whole == code and row["enrolment__is_new"] == is_new and part in targets]
        return [code, *parts]

    for row in people:
        for code in codes_of(row):
            months[row["m"] - 1].people[code] = months[row["m"] - 1].people.get(code, 0) + row["n"]
    new_per_month: dict[tuple[str, int], int] = {}
    for row in firsts:
        for code in codes_of(row):
            new_per_month[(code, row["first"])] = new_per_month.get((code, row["first"]), 0) + 1
    running: dict[str, int] = {}
    for month in months:
        for code in labels:
            running[code] = running.get(code, 0) + new_per_month.get((code, month.month), 0)
            month.cumulative[code] = running[code]
    order = [code for code, _ in sorted(labels.items(), key=lambda item: (item[0] not in targets, item[0]))]
    return AgentYear(agent=agent, year=year, indicators=[(c, labels[c]) for c in order], targets=targets,
                     monthly_targets=monthly, months=months)


# --- the access log's names ---------------------------------------------------------------------

# campaigns sits above agents: it registers, from CampaignsConfig.ready, the expression naming a
# logged beneficiary id (a subquery on its Beneficiary), so the log's list reads the names in its own query.
_beneficiary_name: Callable[[str], Expression] | None = None


def register_beneficiary_name(expression_of: Callable[[str], Expression] | None) -> None:
    """`expression_of(id_field)`: the beneficiary's full name for the id in that field, "" or NULL if none."""
    global _beneficiary_name
    _beneficiary_name = expression_of


def access_log_named(queryset: QuerySet) -> QuerySet:
    """PersonalDataAccess rows with `beneficiary_name`: the name of the logged beneficiary while it
    exists (NULL once deleted: the row keeps its id)."""
    name = _beneficiary_name("beneficiary_id") if _beneficiary_name else Value(None, output_field=CharField())
    return queryset.annotate(beneficiary_name=name)
