"""Working days for deadlines ("cấp thẻ trong 05 ngày làm việc"): holidays are data, the arithmetic
is a pure function.

Public bodies in Vietnam work Monday to Friday. Public holidays, Tết and the compensatory days off
are rows of PublicHoliday (seeded for 2021–2026 by migration, imported or edited in the admin when
the year's calendar is announced); a Saturday worked in exchange for a bridge day off is a row with
`is_working_day` set. A year counts as known only once its calendar has been entered as a whole
(HolidayYear): a deadline that runs through a year without one is still computed, weekends only,
and says so (`working_deadline(...).warning`) instead of silently treating holidays as working days.
"""

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import models

WEEKEND = frozenset({5, 6})  # Saturday, Sunday


class PublicHoliday(models.Model):
    day = models.DateField("ngày", unique=True)
    name = models.CharField("tên ngày nghỉ", max_length=200)
    is_working_day = models.BooleanField(
        "ngày làm bù", default=False,
        help_text="Chọn khi đây là ngày cuối tuần phải đi làm bù (không phải ngày nghỉ)",
    )
    source = models.CharField("căn cứ", max_length=300, blank=True,
                              help_text="Điều luật hoặc thông báo quyết định ngày nghỉ, ngày làm bù này")

    class Meta:
        app_label = "campaigns"
        ordering = ["day"]
        verbose_name = "ngày nghỉ lễ, Tết"
        verbose_name_plural = "ngày nghỉ lễ, Tết"

    def __str__(self):
        return f"{self.day:%d/%m/%Y} — {self.name}"


class HolidayYear(models.Model):
    """The calendar of a year has been entered as a whole, from that year's notices."""

    year = models.PositiveSmallIntegerField("năm", unique=True)
    source = models.CharField("căn cứ", max_length=500,
                              help_text="Các thông báo lịch nghỉ lễ, Tết của năm (Bộ LĐ-TB&XH, Bộ Nội vụ, VPCP)")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    entered_at = models.DateTimeField("nhập lúc", auto_now=True)

    class Meta:
        app_label = "campaigns"
        ordering = ["year"]
        verbose_name = "lịch nghỉ lễ, Tết của năm"
        verbose_name_plural = "lịch nghỉ lễ, Tết theo năm"

    def __str__(self):
        return f"Lịch nghỉ năm {self.year}"


def is_working_day(day: datetime.date, holidays: Collection[datetime.date] = (),
                   extra_working_days: Collection[datetime.date] = ()) -> bool:
    if day in extra_working_days:
        return True
    return day.weekday() not in WEEKEND and day not in holidays


def add_working_days(start: datetime.date, days: int, holidays: Collection[datetime.date] = (),
                     extra_working_days: Collection[datetime.date] = ()) -> datetime.date:
    """The `days`-th working day after `start` (the day of receipt is not counted).

    add_working_days(Thu 29/8/2024, 5, {2/9, 3/9}) = Mon 9/9/2024.
    """
    if days < 0:
        raise ValueError("Số ngày làm việc không được âm.")
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays, extra_working_days):
            counted += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, holidays: Collection[datetime.date] = (),
                         extra_working_days: Collection[datetime.date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays, extra_working_days):
            count += 1
    return count


def calendar_between(start: datetime.date, end: datetime.date) -> tuple[set[datetime.date], set[datetime.date]]:
    """(holidays, make-up working days) stored for the span: one query."""
    holidays, extra = set(), set()
    for day, working in PublicHoliday.objects.filter(day__gte=start, day__lte=end).values_list("day", "is_working_day"):
        (extra if working else holidays).add(day)
    return holidays, extra


def known_calendar_years() -> frozenset[int]:
    """The years whose calendar has been entered (one query)."""
    return frozenset(HolidayYear.objects.values_list("year", flat=True))


def years_without_calendar(start: datetime.date, end: datetime.date,
                           known: Collection[int] | None = None) -> tuple[int, ...]:
    """The years of the days counted after `start` up to `end` that have no calendar."""
    if end <= start:
        return ()
    if known is None:
        known = known_calendar_years()
    first = (start + datetime.timedelta(days=1)).year
    return tuple(year for year in range(first, end.year + 1) if year not in known)


def calendar_warning(years: Iterable[int]) -> str:
    years = sorted(years)
    if not years:
        return ""
    listed = ", ".join(str(y) for y in years)
    return (f"Chưa có lịch nghỉ lễ, Tết năm {listed}: hạn được tính như thể không có ngày nghỉ lễ nào trong "
            f"năm {listed} (chỉ trừ thứ Bảy, Chủ nhật), có thể sớm hơn thực tế. Quản trị viên cần nhập lịch "
            "nghỉ của năm đó.")


@dataclass(frozen=True)
class Deadline:
    day: datetime.date
    missing_years: tuple[int, ...] = ()

    @property
    def checked(self) -> bool:
        return not self.missing_years

    @property
    def warning(self) -> str:
        return calendar_warning(self.missing_years)


def working_deadline(start: datetime.date, days: int, *, known: Collection[int] | None = None) -> Deadline:
    """The `days`-th working day after `start` with the stored calendar, and the years it ran
    through without one (looks ahead generously: 5 working days never span more than the longest
    Tết break plus a few weekends)."""
    holidays, extra = calendar_between(start, start + datetime.timedelta(days=days * 3 + 30))
    day = add_working_days(start, days, holidays, extra)
    return Deadline(day, years_without_calendar(start, day, known))


def deadline_after(start: datetime.date, days: int) -> datetime.date:
    """The day only; `working_deadline` also says whether every year on the way had a calendar."""
    return working_deadline(start, days).day


# Vietnamese public holidays for public bodies, 2024–2026 (Labour Code 2019 art. 112 and the yearly
# notices of the Ministry of Labour / Home Affairs). Rows marked "dự kiến" should be checked against
# the notice for that year and edited in the admin.
HOLIDAYS_2024_2026 = [
    ("2024-01-01", "Tết Dương lịch", False),
    *[(f"2024-02-{d:02d}", "Tết Nguyên đán Giáp Thìn", False) for d in (8, 9, 10, 11, 12, 13, 14)],
    ("2024-04-18", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False),
    ("2024-04-29", "Nghỉ hoán đổi dịp 30/4 (làm bù thứ Bảy 04/5)", False),
    ("2024-04-30", "Ngày Chiến thắng", False),
    ("2024-05-01", "Ngày Quốc tế Lao động", False),
    ("2024-05-04", "Làm bù cho ngày nghỉ 29/4", True),
    ("2024-09-02", "Quốc khánh", False),
    ("2024-09-03", "Quốc khánh (ngày liền kề)", False),
    ("2025-01-01", "Tết Dương lịch", False),
    *[(f"2025-01-{d:02d}", "Tết Nguyên đán Ất Tỵ", False) for d in (25, 26, 27, 28, 29, 30, 31)],
    ("2025-02-01", "Tết Nguyên đán Ất Tỵ", False),
    ("2025-02-02", "Tết Nguyên đán Ất Tỵ", False),
    ("2025-04-07", "Giỗ Tổ Hùng Vương (10/3 âm lịch)", False),
    ("2025-04-30", "Ngày Chiến thắng", False),
    ("2025-05-01", "Ngày Quốc tế Lao động", False),
    ("2025-05-02", "Nghỉ hoán đổi dịp 30/4 (làm bù thứ Bảy 26/4)", False),
    ("2025-04-26", "Làm bù cho ngày nghỉ 02/5", True),
    ("2025-09-01", "Quốc khánh (ngày liền kề)", False),
    ("2025-09-02", "Quốc khánh", False),
    ("2026-01-01", "Tết Dương lịch", False),
    *[(f"2026-02-{d:02d}", "Tết Nguyên đán Bính Ngọ (dự kiến)", False) for d in range(14, 23)],
    ("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương (26/4 là Chủ nhật)", False),
    ("2026-04-30", "Ngày Chiến thắng", False),
    ("2026-05-01", "Ngày Quốc tế Lao động", False),
    ("2026-09-01", "Quốc khánh (ngày liền kề, dự kiến)", False),
    ("2026-09-02", "Quốc khánh", False),
]
