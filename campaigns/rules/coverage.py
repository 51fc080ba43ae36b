"""Which periods each dated rule covers, its gaps, overlaps and open end, so that what must be
entered when a new decree or notice comes out is visible (page /tinh-muc-dong/quy-tac/).

One list names every dated reference model of the project (`RULES`); this module lives in the top
layer (campaigns) because it reads the rules of agents and of campaigns alike. Two queries per model.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from agents.models import (
    ContributionRate,
    FundReturnRate,
    HouseholdDiscount,
    LocalTopUp,
    LumpSumRule,
    ReferenceAmount,
    ReferenceKind,
    StateSupportLevel,
    SupportGroup,
)
from bhxh_portal.numbers import format_number

from ..models.programmes import SupportRule
from ..holidays.workdays import HolidayYear, PublicHoliday

# The earliest day the portal is asked about: the oldest figures it holds are of December 2018 and
# the state support of BHXH tự nguyện starts on 1/1/2018.
COVERAGE_FROM = datetime.date(2018, 1, 1)
# Working-day deadlines arise in the support programmes, the first of which starts in 2021 (and the
# Labour Code 2019 holidays apply from 2021).
CALENDAR_FROM_YEAR = 2021
ONE_DAY = datetime.timedelta(days=1)


def _d(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


@dataclass(frozen=True)
class Span:
    start: datetime.date
    end: datetime.date | None
    value: str
    basis: str = ""

    @property
    def label(self) -> str:
        return f"{_d(self.start)} – {_d(self.end) if self.end else 'không thời hạn'}"


@dataclass
class Series:
    """One rule as time goes: its rows sorted by start; what is wrong or missing with them."""

    rule: str
    key: str
    spans: list[Span]
    since: datetime.date | None = None  # must be covered from this day (None: from its first row)
    until: datetime.date | None = None  # must be covered up to this day (None: for ever, if continuous)
    continuous: bool = True  # an end with nothing after it is a gap
    today: datetime.date = field(default_factory=datetime.date.today)

    def __post_init__(self):
        self.spans = sorted(self.spans, key=lambda s: s.start)

    @property
    def gaps(self) -> list[str]:
        found = []
        if not self.spans:
            return [f"Chưa có dòng nào{f' (cần từ {_d(self.since)})' if self.since else ''}."]
        first = self.spans[0]
        if self.since and first.start > self.since:
            found.append(f"Thiếu từ {_d(self.since)} đến {_d(first.start - ONE_DAY)}.")
        for a, b in zip(self.spans, self.spans[1:]):
            if a.end is None:
                found.append(f"Chồng lấn: dòng từ {_d(a.start)} chưa có ngày kết thúc mà đã có dòng từ {_d(b.start)} "
                             f"(áp dụng dòng bắt đầu sau); ghi ngày kết thúc {_d(b.start - ONE_DAY)} cho dòng trước.")
            elif b.start > a.end + ONE_DAY:
                found.append(f"Thiếu từ {_d(a.end + ONE_DAY)} đến {_d(b.start - ONE_DAY)}.")
            elif b.start <= a.end:
                found.append(f"Chồng lấn từ {_d(b.start)} đến {_d(min(a.end, b.end) if b.end else a.end)} "
                             "(áp dụng dòng bắt đầu sau).")
        last = max(self.spans, key=lambda s: (s.end is None, s.end or s.start))
        if last.end is not None:
            if self.until and last.end < self.until:
                found.append(f"Thiếu từ {_d(last.end + ONE_DAY)} đến {_d(self.until)}.")
            elif self.until is None and self.continuous and last.end < self.today:
                found.append(f"Hết hiệu lực từ {_d(last.end + ONE_DAY)}: chưa có quy định thay thế.")
        return found

    @property
    def open_end(self) -> bool:
        return any(s.end is None for s in self.spans)

    @property
    def end_text(self) -> str:
        if not self.spans:
            return ""
        if self.open_end:
            return "còn hiệu lực, chưa có ngày kết thúc: nhập dòng mới khi có văn bản thay thế"
        end = max(s.end for s in self.spans)
        return f"kết thúc {_d(end)}"


@dataclass
class YearSeries:
    """A rule kept per year (holiday calendars, the fund's return rate)."""

    rule: str
    key: str
    years: dict[int, str]  # year -> value and source shown
    first_year: int
    last_year: int  # required up to this year
    next_note: str = ""

    @property
    def missing(self) -> list[int]:
        return [y for y in range(self.first_year, self.last_year + 1) if y not in self.years]

    @property
    def gaps(self) -> list[str]:
        if not self.missing:
            return []
        return [f"Thiếu năm {', '.join(str(y) for y in self.missing)}."]

    @property
    def spans(self) -> list[Span]:
        return [Span(datetime.date(y, 1, 1), datetime.date(y, 12, 31), text) for y, text in sorted(self.years.items())]

    @property
    def end_text(self) -> str:
        return self.next_note


@dataclass
class RuleGroup:
    title: str
    admin_url: str
    series: list
    explanation: str = ""

    @property
    def problem_count(self) -> int:
        return sum(1 for s in self.series if s.gaps)


def _group_by(rows, key: Callable, span: Callable) -> dict[str, list[Span]]:
    grouped: dict[str, list[Span]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(span(row))
    return grouped


def _admin(name: str) -> str:
    return reverse(f"admin:{name}_changelist")


def _money(value) -> str:
    return f"{format_number(value)} đ"


def rule_coverage(*, today: datetime.date | None = None) -> list[RuleGroup]:
    today = today or datetime.date.today()
    return [
        _reference_amounts(today), _contribution_rates(today), _state_support_levels(today),
        _household_discounts(today), _local_top_ups(today), _lump_sum_rules(today), _fund_return_rates(today),
        _programme_support_rules(today), _holiday_calendars(today),
    ]


def _reference_amounts(today: datetime.date) -> RuleGroup:
    amounts = ReferenceAmount.objects.all()
    series = []
    for kind, label in ReferenceKind.choices:
        since = datetime.date(2025, 7, 1) if kind == ReferenceKind.REFERENCE_LEVEL else COVERAGE_FROM
        spans = [Span(r.valid_from, r.valid_to, _money(r.amount), r.legal_basis) for r in amounts if r.kind == kind]
        series.append(Series(label, "", spans, since=since, today=today))
    return RuleGroup("Mức chuẩn (chuẩn hộ nghèo nông thôn, lương cơ sở, mức tham chiếu)",
                     _admin("agents_referenceamount"), series,
                     "Thu nhập thấp nhất, cao nhất của BHXH tự nguyện; mức đóng BHYT hộ gia đình.")


def _contribution_rates(today: datetime.date) -> RuleGroup:
    rates = _group_by(ContributionRate.objects.select_related("product"), lambda r: str(r.product),
                      lambda r: Span(r.valid_from, r.valid_to, f"{format_number(r.rate_pct, 1 if r.rate_pct % 1 else 0)}%"
                                     f" × {r.get_base_display().lower()}", r.legal_basis))
    return RuleGroup("Tỷ lệ đóng", _admin("agents_contributionrate"),
                     [Series("Tỷ lệ đóng", key, spans, since=COVERAGE_FROM, today=today)
                      for key, spans in sorted(rates.items())])


def _state_support_levels(today: datetime.date) -> RuleGroup:
    group_labels = dict(SupportGroup.choices)
    supports = _group_by(
        StateSupportLevel.objects.select_related("product"),
        lambda r: f"{r.product} — {group_labels.get(r.group, 'mọi đối tượng') if r.group else 'mọi đối tượng'}",
        lambda r: Span(r.valid_from, r.valid_to, f"{format_number(r.percent)}% {r.get_basis_display().lower()}"
                       + (f", tối đa {r.max_years} năm" if r.max_years else ""), r.legal_basis))
    return RuleGroup("Mức Nhà nước hỗ trợ", _admin("agents_statesupportlevel"),
                     [Series("Nhà nước hỗ trợ", key, spans, today=today) for key, spans in sorted(supports.items())],
                     "Mỗi nhóm tính từ dòng đầu tiên của nhóm đó.")


def _household_discounts(today: datetime.date) -> RuleGroup:
    discounts = _group_by(HouseholdDiscount.objects.select_related("product"),
                          lambda r: f"{r.product} — thành viên thứ {r.member_order}",
                          lambda r: Span(r.valid_from, r.valid_to, f"{format_number(r.ratio_pct)}% người thứ nhất",
                                         r.legal_basis))
    return RuleGroup("Giảm trừ theo thành viên hộ gia đình", _admin("agents_householddiscount"),
                     [Series("Giảm trừ", key, spans, today=today) for key, spans in sorted(discounts.items())])


def _local_top_ups(today: datetime.date) -> RuleGroup:
    top_ups = _group_by(
        LocalTopUp.objects.select_related("province", "product"),
        lambda r: f"{r.province.name} — {r.product} — {r.programme}",
        lambda r: Span(r.valid_from, r.valid_to, _money(r.amount) if r.amount is not None
                       else f"{format_number(r.percent)}% {r.get_basis_display().lower()}", r.legal_basis))
    return RuleGroup("Hỗ trợ thêm của địa phương", _admin("agents_localtopup"),
                     [Series("Địa phương hỗ trợ", key, spans, continuous=False, today=today)
                      for key, spans in sorted(top_ups.items())],
                     "Mỗi chương trình có thời hạn riêng: hết hạn không phải là thiếu.")


def _lump_sum_rules(today: datetime.date) -> RuleGroup:
    lump = _group_by(LumpSumRule.objects.select_related("product"), lambda r: str(r.product),
                     lambda r: Span(r.valid_from, r.valid_to,
                                    f"trước {r.ahead_min_months}–{r.ahead_max_months} tháng; bù tối đa "
                                    f"{r.missing_max_months} tháng cho đủ {r.pension_months} tháng", r.legal_basis))
    return RuleGroup("Đóng một lần (trước nhiều năm, bù thời gian còn thiếu)", _admin("agents_lumpsumrule"),
                     [Series("Đóng một lần", key, spans, today=today) for key, spans in sorted(lump.items())])


def _fund_return_rates(today: datetime.date) -> RuleGroup:
    rates_by_year = {r.year: f"{format_number(r.monthly_rate_pct, 4)}%/tháng — {r.source}"
                     for r in FundReturnRate.objects.all()}
    return RuleGroup(
        "Lãi suất đầu tư quỹ BHXH bình quân tháng", _admin("agents_fundreturnrate"),
        [YearSeries("Lãi suất đầu tư quỹ", "", rates_by_year, COVERAGE_FROM.year - 1, today.year - 1,
                    f"khoản đóng năm {today.year} dùng lãi suất năm {today.year - 1}")],
        "Đóng trước nhiều năm và đóng bù dùng lãi suất của năm trước liền kề năm đóng, do BHXH Việt Nam công bố.")


def _programme_support_rules(today: datetime.date) -> RuleGroup:
    programme_rules = _group_by(
        SupportRule.objects.select_related("group__programme"),
        lambda r: f"{r.group.programme.name} — {r.group.name}",
        lambda r: Span(r.valid_from, r.valid_to, f"{_money(r.amount_per_month)}/tháng", r.description))
    periods = {f"{r.group.programme.name} — {r.group.name}": (r.group.programme.valid_from, r.group.programme.valid_to)
               for r in SupportRule.objects.select_related("group__programme")}
    return RuleGroup(
        "Mức hỗ trợ của chương trình địa phương", _admin("campaigns_supportprogramme"),
        [Series("Chương trình", key, spans, since=periods[key][0], until=periods[key][1], continuous=False, today=today)
         for key, spans in sorted(programme_rules.items())],
        "Mỗi nhóm phải có mức hỗ trợ cho cả thời gian thực hiện chương trình.")


def _holiday_calendars(today: datetime.date) -> RuleGroup:
    counts = defaultdict(int)
    for day in PublicHoliday.objects.values_list("day", flat=True):
        counts[day.year] += 1
    calendars = {y.year: f"{counts.get(y.year, 0)} ngày — {y.source}" for y in HolidayYear.objects.all()}
    next_year = today.year + 1
    return RuleGroup(
        "Ngày nghỉ lễ, Tết (hạn tính theo ngày làm việc)", _admin("campaigns_holidayyear"),
        [YearSeries("Lịch nghỉ", "", calendars, CALENDAR_FROM_YEAR, today.year,
                    "lịch năm sau đã nhập" if next_year in calendars
                    else f"lịch năm {next_year}: nhập khi có thông báo (thường vào tháng 11)")],
        "Một năm chỉ được coi là có lịch khi đã nhập đủ lịch nghỉ của năm (nhập tệp tại Quản trị → Ngày nghỉ lễ, "
        "Tết). Hạn tính qua năm chưa có lịch được ghi chú trên các trang.")
