"""Month arithmetic on dates, in one place (knows no domain): the first and last day of a month, months added."""

import calendar
import datetime


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, count: int, *, clamp: bool = False) -> datetime.date:
    """The same day `count` months later (earlier if negative). The day must exist in the target
    month unless `clamp`, which takes the month's last day instead (31/01 + 1 -> 28/02)."""
    index = day.year * 12 + day.month - 1 + count
    year, month = index // 12, index % 12 + 1
    if clamp:
        return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return day.replace(year=year, month=month)


def add_months_to_first(day: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months from the month of `day`."""
    return add_months(day.replace(day=1), count)


def period_end(start: datetime.date, months: int) -> datetime.date:
    """The last day covered by `months` months from `start` (23/07/2021 + 12 months -> 22/07/2022)."""
    return add_months(start, months, clamp=True) - datetime.timedelta(days=1)
