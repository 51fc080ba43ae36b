"""The contribution calculator: amount due, state support and local support, from dated rules.

    book = RuleBook.load()                      # every rule row, a few dozen, in one go
    quote = book.quote(product=bhxh_tn, on=date(2021, 9, 1), income=700_000, months=1)
    quote.monthly_contribution  # 154.000 = 22% × 700.000
    quote.state_support_monthly #  15.400 = 10% × 154.000 (others, 2021)

`contribution_quote(...)` is the one-off service; the import keeps one RuleBook for a whole
file so 100.000 rows cost no queries. All money is whole đồng, rounded half up per month.

Paying several years ahead and making up missing months (BHXH tự nguyện) are not face value:

    quote = book.quote(product=bhxh_tn, on=date(2026, 3, 2), income=1_500_000, months=24,
                       mode=PaymentMode.YEARS_AHEAD)
    quote.schedule.months[i]    # month i: contribution, supports, factor 1/(1+r)^(i-1), due

Ahead: Σ_{i=1..n} P_i / (1+r)^(i-1); missing: Σ_{i=1..n} P_i × (1+r)^i, where r is the fund's
average monthly investment return of the year before the payment (FundReturnRate) and the limits
and eligibility are dated rows (LumpSumRule): Decree 134/2015 art. 9–10 with Circular 01/2016,
from 1/7/2025 Decree 159/2025 art. 6–7. Each month is exact (fractions); the totals are rounded
once, so the rounded months shown may differ from the total by a few đồng.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from bhxh_portal.months import add_months
from bhxh_portal.numbers import format_number, round_half_up
from units.models import Unit

from .models import (
    MODE_MONTHS,
    ContributionRate,
    FundReturnRate,
    HouseholdDiscount,
    IncomeBase,
    LocalTopUp,
    LumpSumRule,
    PaymentMode,
    Product,
    ReferenceAmount,
    ReferenceKind,
    StateSupportLevel,
    SupportBasis,
    SupportGroup,
)


class ContributionError(ValueError):
    """The rules cannot give an amount (no rate on that day, income out of range ...); in Vietnamese."""


class IncomeError(ContributionError):
    """The chosen income is missing or outside the bounds of the day."""


@dataclass(frozen=True)
class QuoteLine:
    label: str
    amount: int


@dataclass(frozen=True)
class ScheduleMonth:
    """One month of a payment several years ahead or of a lump sum for missing months."""

    index: int  # i = 1..n
    month: datetime.date | None  # the month covered (ahead); None for a missing month
    contribution: int
    state_support: int
    local_support: int
    factor: Fraction  # 1/(1+r)^(i-1) ahead, (1+r)^i for missing months

    @property
    def paid_by_participant(self) -> int:
        return max(0, self.contribution - self.state_support - self.local_support)

    @property
    def due_exact(self) -> Fraction:
        return self.paid_by_participant * self.factor

    @property
    def due(self) -> int:
        return _money(self.due_exact)

    @property
    def factor_text(self) -> str:
        return format_number(self.factor, 6)


@dataclass(frozen=True)
class Schedule:
    mode: str
    rate_year: int
    rate_pct: Decimal
    rate_source: str
    legal_basis: str
    months: tuple[ScheduleMonth, ...]
    notes: tuple[str, ...] = ()

    @property
    def is_ahead(self) -> bool:
        return self.mode == PaymentMode.YEARS_AHEAD

    @property
    def formula(self) -> str:
        if self.is_ahead:
            return "Σ (mức đóng tháng i) / (1 + r)^(i − 1), i = 1…n"
        return "Σ (mức đóng tháng i) × (1 + r)^i, i = 1…n"

    def _sum(self, attribute: str) -> int:
        return _money(sum((getattr(m, attribute) * m.factor for m in self.months), Fraction(0)))

    @property
    def total_contribution(self) -> int:
        return self._sum("contribution")

    @property
    def total_state_support(self) -> int:
        return self._sum("state_support")

    @property
    def total_local_support(self) -> int:
        return self._sum("local_support")

    @property
    def total_due(self) -> int:
        return max(0, self.total_contribution - self.total_state_support - self.total_local_support)

    @property
    def face_value(self) -> int:
        """What the months would cost one by one, without discount or interest."""
        return sum(m.paid_by_participant for m in self.months)


@dataclass(frozen=True)
class ContributionQuote:
    product_code: str
    product_name: str
    on: datetime.date
    months: int
    group: str
    rate_pct: Decimal
    base_label: str
    base_amount: int
    member_order: int | None
    member_ratio_pct: Decimal | None
    monthly_contribution: int
    state_support_pct: Decimal
    state_support_monthly: int
    local_support_monthly: int
    local_programmes: tuple[str, ...]
    lines: tuple[QuoteLine, ...] = field(default=())
    # (amount per month, last day of the programme or None) of each local top-up applied
    local_parts: tuple[tuple[int, datetime.date | None], ...] = field(default=())
    schedule: Schedule | None = None

    @property
    def monthly_due(self) -> int:
        return max(0, self.monthly_contribution - self.state_support_monthly - self.local_support_monthly)

    @property
    def total_contribution(self) -> int:
        return self.schedule.total_contribution if self.schedule else self.monthly_contribution * self.months

    @property
    def total_state_support(self) -> int:
        return self.schedule.total_state_support if self.schedule else self.state_support_monthly * self.months

    @property
    def total_local_support(self) -> int:
        return self.schedule.total_local_support if self.schedule else self.local_support_monthly * self.months

    @property
    def total_due(self) -> int:
        return self.schedule.total_due if self.schedule else self.monthly_due * self.months


def months_for(mode: str, months: int | None = None) -> int:
    """How many months one payment covers: 1, 3, 6, 12, or as given for years ahead / lump sum."""
    if mode in MODE_MONTHS:
        fixed = MODE_MONTHS[PaymentMode(mode)]
        if months not in (None, fixed):
            raise ContributionError(f"Phương thức '{PaymentMode(mode).label}' là {fixed} tháng, không phải {months}.")
        return fixed
    if mode == PaymentMode.YEARS_AHEAD:
        # How many years ahead at most is dated (LumpSumRule), checked by RuleBook.quote.
        if not months or months % 12 or months < 12:
            raise ContributionError("Đóng trước nhiều năm: số tháng phải là bội số của 12 (cả năm).")
        return months
    if mode == PaymentMode.LUMP_SUM:
        if not months or months < 1:
            raise ContributionError("Đóng một lần cho những năm còn thiếu: cần số tháng còn thiếu.")
        return months
    raise ContributionError(f"Không có phương thức đóng '{mode}'.")


def _valid(row, day: datetime.date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or row.valid_to >= day)


def _pct(value: Decimal) -> Fraction:
    return Fraction(value) / 100


def _money(value: Fraction) -> int:
    return int(round_half_up(value))


def _formed_from_paths(unit_path: str) -> tuple[str, ...]:
    """The paths of the units the nearest linked unit on `unit_path` (itself, else its closest
    ancestor with predecessors) was formed from; empty when none was formed by a merger. One query."""
    return _formed_from_many([unit_path])[unit_path]


def _formed_from_many(unit_paths) -> dict[str, tuple[str, ...]]:
    """`_formed_from_paths` of each path, in one query."""
    ids_of = {path: [int(p) for p in path.strip("/").split("/") if p] for path in unit_paths}
    every_id = {i for ids in ids_of.values() for i in ids}
    links = Unit.predecessors.through.objects.filter(from_unit_id__in=every_id).values_list(
        "from_unit_id", "to_unit__path")
    by_unit: dict[int, list[str]] = {}
    for new_id, path in links:
        by_unit.setdefault(new_id, []).append(path)
    formed: dict[str, tuple[str, ...]] = {}
    for path, ids in ids_of.items():
        formed[path] = next((tuple(by_unit[i]) for i in reversed(ids) if i in by_unit), ())
    return formed


class RuleBook:
    """All contribution rules in memory; `quote` is pure computation (memoised)."""

    def __init__(self, *, products, amounts, rates, supports, discounts, top_ups, return_rates=(),
                 lump_sum_rules=()):
        self.products = {p.pk: p for p in products}
        self.amounts = list(amounts)
        self.rates = list(rates)
        self.supports = list(supports)
        self.discounts = list(discounts)
        self.top_ups = list(top_ups)
        self.return_rates = {r.year: r for r in return_rates}
        self.lump_sum_rules = list(lump_sum_rules)
        self._memo: dict[tuple, ContributionQuote] = {}
        self._days: dict[tuple, tuple] = {}
        self._day_ids: dict[tuple, int] = {}
        self._applied: dict[tuple, tuple] = {}
        self._old_paths: dict[str, tuple[str, ...]] = {}

    @classmethod
    def load(cls) -> "RuleBook":
        return cls(
            products=Product.objects.all(),
            amounts=ReferenceAmount.objects.all(),
            rates=ContributionRate.objects.all(),
            supports=StateSupportLevel.objects.all(),
            discounts=HouseholdDiscount.objects.all(),
            top_ups=LocalTopUp.objects.select_related("province"),
            return_rates=FundReturnRate.objects.all(),
            lump_sum_rules=LumpSumRule.objects.all(),
        )

    def reference(self, kind: str, day: datetime.date) -> int:
        rows = [r for r in self.amounts if r.kind == kind and _valid(r, day)]
        if not rows:
            raise ContributionError(f"Chưa có {ReferenceKind(kind).label.lower()} áp dụng ngày {day:%d/%m/%Y}.")
        return max(rows, key=lambda r: r.valid_from).amount

    def income_bounds(self, product: Product, day: datetime.date) -> tuple[int | None, int | None]:
        rate = self._rate(product, day)
        low = self.reference(rate.min_income_kind, day) if rate.min_income_kind else None
        high = (rate.max_income_multiple * self.reference(rate.max_income_kind, day)
                if rate.max_income_multiple and rate.max_income_kind else None)
        return low, high

    def _rate(self, product: Product, day: datetime.date) -> ContributionRate:
        rows = [r for r in self.rates if r.product_id == product.pk and _valid(r, day)]
        if not rows:
            raise ContributionError(f"Chưa có tỷ lệ đóng {product} áp dụng ngày {day:%d/%m/%Y}.")
        return max(rows, key=lambda r: r.valid_from)

    def _day(self, product_id: int, on: datetime.date) -> tuple[int, tuple]:
        """(an id for the set of rule rows applying to the product that day, that day's top-ups)."""
        signature = (
            product_id,
            tuple(r.pk for r in self.rates if r.product_id == product_id and _valid(r, on)),
            tuple(r.pk for r in self.amounts if _valid(r, on)),
            tuple(r.pk for r in self.supports if r.product_id == product_id and _valid(r, on)),
            tuple(r.pk for r in self.discounts if r.product_id == product_id and _valid(r, on)),
        )
        top_ups = tuple(r for r in self.top_ups if r.product_id == product_id and _valid(r, on))
        signature += (tuple(t.pk for t in top_ups),)
        return self._day_ids.setdefault(signature, len(self._day_ids)), top_ups

    def in_territory(self, unit_path: str, province) -> bool:
        """Does the unit at `unit_path` lie in the territory of `province` (a rule's province)?

        A rule set for a province that has since been merged (Bắc Ninh to 30/6/2025) keeps applying
        to its territory for its dated period, whatever the units there are called now: a unit of
        today's tree lies in it when the units it was formed from (those of its nearest linked
        ancestor-or-self: the commune of a village) all lie in the old province. A unit formed partly
        from elsewhere (the new province of Bắc Ninh, which took in Bắc Giang) is not, as its residents
        cannot be told apart."""
        if unit_path.startswith(province.path):
            return True
        if province.valid_to is None:
            return False  # a province in force: its territory is its subtree
        olds = self._old_paths.get(unit_path)
        if olds is None:
            olds = self._old_paths[unit_path] = _formed_from_paths(unit_path)
        return bool(olds) and all(path.startswith(province.path) for path in olds)

    def learn_territories(self, unit_paths) -> None:
        """What `in_territory` asks the database about these units, asked now in one query (none when no
        rule belongs to a province since merged): the quotes of a whole file after it ask nothing."""
        if any(r.province.valid_to is not None for r in self.top_ups):
            wanted = [p for p in unit_paths if p not in self._old_paths]
            self._old_paths.update(_formed_from_many(wanted))

    def monthly_quote(self, *, product: Product, on: datetime.date, income: int | None = None,
                      group: str = SupportGroup.OTHER, member_order: int | None = None,
                      unit_path: str | None = None) -> ContributionQuote:
        """The amounts for one month, memoised on the rules in force (not on the day): 100.000 rows
        of a list cost a few dozen computations. The quote's `on` is a day with the same rules; use
        `quote` for a quote dated as asked and for several months.
        """
        group = group or SupportGroup.OTHER
        product_id = product.id  # not .pk: a property, a tenth of this call's time over a million rows
        day = self._days.get((product_id, on))
        if day is None:
            day = self._days[(product_id, on)] = self._day(product_id, on)
        day_id, top_ups = day
        applied = ()
        if top_ups and unit_path:
            where = (day_id, unit_path, group)
            applied = self._applied.get(where)
            if applied is None:
                applied = self._applied[where] = tuple(
                    t.pk for t in top_ups if t.group in ("", group) and self.in_territory(unit_path, t.province))
        key = (day_id, applied, income, group, member_order)
        cached = self._memo.get(key)
        if cached is None:
            cached = self._memo[key] = self._quote(product, on, income, 1, group, member_order, unit_path)
        return cached

    def quote(self, *, product: Product, on: datetime.date, income: int | None = None, months: int = 1,
              group: str = SupportGroup.OTHER, member_order: int | None = None,
              unit_path: str | None = None, mode: str | None = None, months_contributed: int | None = None,
              reached_pension_age: bool | None = None) -> ContributionQuote:
        """The amount due for `months` months paid on `on`. With mode YEARS_AHEAD or LUMP_SUM the
        months are discounted or compounded (see the module's docstring) within the dated limits;
        for LUMP_SUM, `months_contributed` and `reached_pension_age` are checked when given (the
        calculator asks for them; a receipt does not know them and says so in the notes).
        """
        if mode in (PaymentMode.YEARS_AHEAD, PaymentMode.LUMP_SUM):
            if mode == PaymentMode.LUMP_SUM and not months and months_contributed is not None:
                months = 0  # worked out from the months already contributed
            elif months < 1:
                raise ContributionError("Số tháng phải từ 1 trở lên.")
            return self._lump_sum_quote(product=product, on=on, income=income, months=months, group=group,
                                        member_order=member_order, unit_path=unit_path, mode=mode,
                                        months_contributed=months_contributed,
                                        reached_pension_age=reached_pension_age)
        if months < 1:
            raise ContributionError("Số tháng phải từ 1 trở lên.")
        monthly = self.monthly_quote(product=product, on=on, income=income, group=group, member_order=member_order,
                                     unit_path=unit_path)
        return replace(monthly, on=on, months=months)

    # --- several years ahead, missing months ------------------------------------------------------

    def lump_sum_rule(self, product: Product, day: datetime.date) -> LumpSumRule | None:
        rows = [r for r in self.lump_sum_rules if r.product_id == product.pk and _valid(r, day)]
        return max(rows, key=lambda r: r.valid_from) if rows else None

    def return_rate(self, day: datetime.date) -> FundReturnRate:
        """The rate of the year before the payment's year."""
        rate = self.return_rates.get(day.year - 1)
        if rate is None:
            raise ContributionError(
                f"Chưa có lãi suất đầu tư quỹ BHXH bình quân tháng của năm {day.year - 1} (năm trước liền kề "
                f"năm đóng {day.year}) do BHXH Việt Nam công bố, nên chưa tính được số tiền đóng "
                "trước nhiều năm hoặc đóng bù. Quản trị viên cần nhập lãi suất này (Quản trị → Lãi suất đầu tư "
                "quỹ BHXH bình quân tháng) theo văn bản công bố.")
        return rate

    def _lump_sum_quote(self, *, product, on, income, months, group, member_order, unit_path, mode,
                        months_contributed, reached_pension_age) -> ContributionQuote:
        label = PaymentMode(mode).label
        rule = self.lump_sum_rule(product, on)
        if rule is None:
            raise ContributionError(
                f"Phương thức '{label}' không áp dụng cho {product} tại ngày {on:%d/%m/%Y} "
                "(chưa có quy định đóng một lần của loại hình này).")
        notes: list[str] = []
        if mode == PaymentMode.YEARS_AHEAD:
            if months % 12:
                raise ContributionError(f"{label}: số tháng phải là số năm tròn (bội số của 12), không phải {months}.")
            if months < rule.ahead_min_months:
                raise ContributionError(
                    f"{label}: ít nhất {rule.ahead_min_months} tháng; đóng {months} tháng một lần là phương thức "
                    f"'{months} tháng một lần', không được chiết khấu ({rule.legal_basis}).")
            if months > rule.ahead_max_months:
                raise ContributionError(
                    f"{label}: nhiều nhất {rule.ahead_max_months} tháng ({rule.ahead_max_months // 12} năm) một lần, "
                    f"không phải {months} tháng ({rule.legal_basis}).")
        else:
            if reached_pension_age is False and rule.missing_needs_pension_age:
                raise ContributionError(
                    f"{label}: chỉ người đã đủ tuổi nghỉ hưu mới được đóng một lần cho thời gian còn thiếu "
                    f"({rule.legal_basis}).")
            if reached_pension_age is None and rule.missing_needs_pension_age:
                notes.append("Chưa kiểm tra điều kiện đã đủ tuổi nghỉ hưu của người tham gia.")
            if months_contributed is not None:
                if months_contributed < 0:
                    raise ContributionError("Số tháng đã đóng BHXH không được âm.")
                missing = rule.pension_months - months_contributed
                if missing <= 0:
                    raise ContributionError(
                        f"{label}: đã đóng {months_contributed} tháng, đủ {rule.pension_months} tháng để hưởng lương "
                        "hưu, không còn thời gian thiếu.")
                if missing > rule.missing_max_months:
                    raise ContributionError(
                        f"{label}: còn thiếu {missing} tháng so với {rule.pension_months} tháng để hưởng lương hưu, "
                        f"quá {rule.missing_max_months} tháng được đóng một lần ({rule.legal_basis}).")
                if months and months != missing:
                    raise ContributionError(
                        f"{label}: đóng cho đủ {rule.pension_months} tháng, tức {missing} tháng còn thiếu, "
                        f"không phải {months} tháng.")
                months = missing
            else:
                notes.append(f"Chưa kiểm tra số tháng đã đóng (cần còn thiếu không quá {rule.missing_max_months} "
                             f"tháng so với {rule.pension_months} tháng).")
            if not months:
                raise ContributionError(f"{label}: cần số tháng còn thiếu.")
            if months > rule.missing_max_months:
                raise ContributionError(
                    f"{label}: nhiều nhất {rule.missing_max_months} tháng còn thiếu, không phải {months} tháng "
                    f"({rule.legal_basis}).")
        rate = self.return_rate(on)
        r = Fraction(rate.monthly_rate_pct) / 100
        monthly = self.monthly_quote(product=product, on=on, income=income, group=group, member_order=member_order,
                                     unit_path=unit_path)
        rows = []
        first = on.replace(day=1)
        for i in range(1, months + 1):
            if mode == PaymentMode.YEARS_AHEAD:
                month = add_months(first, i - 1)
                local = sum(amount for amount, until in monthly.local_parts if until is None or month <= until)
                rows.append(ScheduleMonth(i, month, monthly.monthly_contribution, monthly.state_support_monthly,
                                          local, 1 / (1 + r) ** (i - 1)))
            else:
                # Missing months are not supported by the state nor by local programmes.
                rows.append(ScheduleMonth(i, None, monthly.monthly_contribution, 0, 0, (1 + r) ** i))
        if mode == PaymentMode.LUMP_SUM and (monthly.state_support_monthly or monthly.local_support_monthly):
            notes.append("Đóng bù thời gian còn thiếu không được Nhà nước và địa phương hỗ trợ.")
        schedule = Schedule(mode=mode, rate_year=rate.year, rate_pct=rate.monthly_rate_pct, rate_source=rate.source,
                            legal_basis=rule.legal_basis, months=tuple(rows), notes=tuple(notes))
        return replace(monthly, on=on, months=months, schedule=schedule)

    def _quote(self, product, on, income, months, group, member_order, unit_path) -> ContributionQuote:
        if months < 1:
            raise ContributionError("Số tháng phải từ 1 trở lên.")
        rate = self._rate(product, on)
        rate_f = _pct(rate.rate_pct)
        lines: list[QuoteLine] = []
        if rate.base == IncomeBase.CHOSEN_INCOME:
            if not income:
                raise IncomeError(f"{product}: cần mức thu nhập lựa chọn.")
            low, high = self.income_bounds(product, on)
            if low is not None and income < low:
                raise IncomeError(
                    f"Mức thu nhập {format_number(income)} đ thấp hơn mức tối thiểu {format_number(low)} đ "
                    f"(chuẩn hộ nghèo nông thôn tại {on:%d/%m/%Y}).")
            if high is not None and income > high:
                raise IncomeError(
                    f"Mức thu nhập {format_number(income)} đ cao hơn mức tối đa {format_number(high)} đ "
                    f"({rate.max_income_multiple} lần {ReferenceKind(rate.max_income_kind).label.lower()}).")
            base_amount, base_label = income, "Mức thu nhập lựa chọn"
        else:
            base_amount = self.reference(rate.base, on)
            base_label = IncomeBase(rate.base).label
        contribution = rate_f * base_amount
        ratio = None
        discounts = [d for d in self.discounts if d.product_id == product.pk and _valid(d, on)]
        if discounts:
            order = member_order or 1
            applicable = [d for d in discounts if d.member_order <= order] or [min(discounts, key=lambda d: d.member_order)]
            ratio = max(applicable, key=lambda d: d.member_order).ratio_pct
            contribution *= _pct(ratio)
        monthly = _money(contribution)
        lines.append(QuoteLine(
            f"Mức đóng: {format_number(rate.rate_pct, 1 if rate.rate_pct % 1 else 0)}% × {base_label.lower()} "
            f"{format_number(base_amount)} đ" + (f" × {format_number(ratio)}% (thành viên thứ {member_order or 1})"
                                                 if ratio is not None and ratio != 100 else ""),
            monthly))

        poverty_contribution = None

        def support_amount(percent: Decimal, basis: str) -> int:
            nonlocal poverty_contribution
            if basis == SupportBasis.POVERTY_LINE_CONTRIBUTION:
                if poverty_contribution is None:
                    poverty_contribution = rate_f * self.reference(ReferenceKind.RURAL_POVERTY_LINE, on)
                return _money(_pct(percent) * poverty_contribution)
            return _money(_pct(percent) * contribution)

        levels = [s for s in self.supports if s.product_id == product.pk and _valid(s, on) and s.group in ("", group)]
        state_pct, state = Decimal(0), 0
        if levels:
            best = max(levels, key=lambda s: s.percent)  # the highest applicable rate only
            state_pct, state = best.percent, support_amount(best.percent, best.basis)
            lines.append(QuoteLine(f"Nhà nước hỗ trợ {format_number(best.percent)}% "
                                   f"({SupportBasis(best.basis).label.lower()})", -state))
        local, programmes, parts = 0, [], []
        if unit_path:
            for top_up in self.top_ups:
                if (top_up.product_id == product.pk and _valid(top_up, on) and top_up.group in ("", group)
                        and self.in_territory(unit_path, top_up.province)):
                    amount = top_up.amount if top_up.amount is not None else support_amount(top_up.percent,
                                                                                           top_up.basis)
                    local += amount
                    programmes.append(top_up.programme)
                    parts.append((amount, top_up.valid_to))
                    lines.append(QuoteLine(f"Địa phương hỗ trợ: {top_up.programme}", -amount))
        quote = ContributionQuote(
            product_code=product.code, product_name=str(product), on=on, months=months, group=group,
            rate_pct=rate.rate_pct, base_label=base_label, base_amount=base_amount, member_order=member_order,
            member_ratio_pct=ratio, monthly_contribution=monthly, state_support_pct=state_pct,
            state_support_monthly=state, local_support_monthly=local, local_programmes=tuple(programmes),
            lines=tuple(lines), local_parts=tuple(parts),
        )
        return quote


@dataclass(frozen=True)
class ContributionTerms:
    """The rule of a product on a day, as a plan prints it: 22% of the chosen income, between the
    rural poverty line and 20 × lương cơ sở (or the mức tham chiếu, from 1/7/2025)."""

    product_code: str
    on: datetime.date
    rate_pct: Decimal
    min_income: int | None
    max_income: int | None
    max_income_multiple: int | None
    max_income_kind: str

    @property
    def rate_text(self) -> str:
        """'22' (or '4,5'): the rate as the rule states it."""
        return format_number(self.rate_pct, 1 if self.rate_pct % 1 else 0)

    @property
    def max_income_basis(self) -> str:
        """'20 lần lương cơ sở'."""
        if not self.max_income_multiple or not self.max_income_kind:
            return ""
        return f"{self.max_income_multiple} lần {ReferenceKind(self.max_income_kind).label.lower()}"


def contribution_terms(*, product_code: str, on: datetime.date) -> ContributionTerms:
    """The dated rule of a product (rate, lowest and highest income) in force on the day; raises
    ContributionError (Vietnamese) when the product or a rule for the day is missing."""
    product = Product.objects.filter(code=product_code).first()
    if product is None:
        raise ContributionError(f"Chưa có loại hình '{product_code}'.")
    book = RuleBook(products=[product], amounts=ReferenceAmount.objects.valid_on(on),
                    rates=ContributionRate.objects.filter(product=product).valid_on(on), supports=[], discounts=[],
                    top_ups=[])
    rate = book._rate(product, on)
    low, high = book.income_bounds(product, on) if rate.base == IncomeBase.CHOSEN_INCOME else (None, None)
    return ContributionTerms(product_code=product.code, on=on, rate_pct=rate.rate_pct, min_income=low,
                             max_income=high, max_income_multiple=rate.max_income_multiple,
                             max_income_kind=rate.max_income_kind)


def contribution_quote(*, product: Product, on: datetime.date, income: int | None = None, months: int = 1,
                       group: str = SupportGroup.OTHER, member_order: int | None = None,
                       unit=None, mode: str | None = None, months_contributed: int | None = None,
                       reached_pension_age: bool | None = None) -> ContributionQuote:
    """Amount due and the state and local support for one participant, product, mode and date."""
    return RuleBook.load().quote(product=product, on=on, income=income, months=months, group=group,
                                 member_order=member_order, unit_path=unit.path if unit is not None else None,
                                 mode=mode, months_contributed=months_contributed,
                                 reached_pension_age=reached_pension_age)
