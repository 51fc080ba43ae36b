"""Periods of a drive: a year, a half-year, a quarter or a month, as a small value type.

Stored on a model as three columns (period_type, year, period_number); a year has number 1.
Targets and monthly results both use it, so that "6 tháng cuối năm 2023"
means the same months everywhere.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import BadRequest
from django.db import models


class PeriodType(models.TextChoices):
    YEAR = "year", "Năm"
    HALF = "half", "6 tháng"
    QUARTER = "quarter", "Quý"
    MONTH = "month", "Tháng"


MONTHS_IN = {PeriodType.YEAR: 12, PeriodType.HALF: 6, PeriodType.QUARTER: 3, PeriodType.MONTH: 1}
COUNT_IN_YEAR = {PeriodType.YEAR: 1, PeriodType.HALF: 2, PeriodType.QUARTER: 4, PeriodType.MONTH: 12}
_RANK = {PeriodType.YEAR: 0, PeriodType.HALF: 1, PeriodType.QUARTER: 2, PeriodType.MONTH: 3}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Period:
    type: str
    year: int
    number: int = 1

    def __post_init__(self):
        # Plain str and ints, so that a Period built from an enum member hashes like one read from the database.
        object.__setattr__(self, "type", str(self.type))
        object.__setattr__(self, "year", int(self.year))
        object.__setattr__(self, "number", int(self.number))
        if self.type not in COUNT_IN_YEAR:
            raise ValueError(f"Loại kỳ '{self.type}' không hợp lệ (năm, 6 tháng, quý, tháng).")
        if not 1900 <= int(self.year) <= 2200:
            raise ValueError(f"Năm {self.year} không hợp lệ.")
        if not 1 <= int(self.number) <= COUNT_IN_YEAR[self.type]:
            label = PeriodType(self.type).label.lower()
            raise ValueError(f"{label.capitalize()} thứ {self.number} không có trong một năm.")

    # constructors -------------------------------------------------------------------------
    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(PeriodType.YEAR, year, 1)

    @classmethod
    def half(cls, year: int, number: int) -> "Period":
        return cls(PeriodType.HALF, year, number)

    @classmethod
    def quarter(cls, year: int, number: int) -> "Period":
        return cls(PeriodType.QUARTER, year, number)

    @classmethod
    def month(cls, year: int, number: int) -> "Period":
        return cls(PeriodType.MONTH, year, number)

    @classmethod
    def from_fields(cls, period_type: str, year: int, number: int) -> "Period":
        return cls(str(period_type), int(year), int(number))

    @classmethod
    def containing(cls, day: datetime.date, period_type: str = PeriodType.MONTH) -> "Period":
        months = MONTHS_IN[period_type]
        return cls(period_type, day.year, (day.month - 1) // months + 1)

    @classmethod
    def parse(cls, key: str) -> "Period":
        """The URL/storage key: '2021', '2023-H2', '2023-Q3', '2023-06'."""
        text = str(key).strip().upper()
        match = re.fullmatch(r"(\d{4})(?:-(H|Q)?(\d{1,2}))?", text)
        if not match:
            raise ValueError(f"Kỳ '{key}' không hợp lệ (vd: 2023, 2023-H2, 2023-Q3, 2023-06).")
        year, letter, number = match.groups()
        if number is None:
            return cls.of_year(int(year))
        kind = {"H": PeriodType.HALF, "Q": PeriodType.QUARTER, None: PeriodType.MONTH}[letter]
        return cls(kind, int(year), int(number))

    # derived values -----------------------------------------------------------------------
    @property
    def key(self) -> str:
        if self.type == PeriodType.YEAR:
            return f"{self.year}"
        if self.type == PeriodType.HALF:
            return f"{self.year}-H{self.number}"
        if self.type == PeriodType.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @property
    def first_month(self) -> int:
        return (self.number - 1) * MONTHS_IN[self.type] + 1

    @property
    def last_month(self) -> int:
        return self.first_month + MONTHS_IN[self.type] - 1

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.first_month, 1)

    @property
    def end(self) -> datetime.date:
        month = self.last_month
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def months(self) -> list["Period"]:
        return [Period.month(self.year, m) for m in range(self.first_month, self.last_month + 1)]

    @property
    def label(self) -> str:
        if self.type == PeriodType.YEAR:
            return f"Năm {self.year}"
        if self.type == PeriodType.HALF:
            return f"6 tháng {'đầu' if self.number == 1 else 'cuối'} năm {self.year}"
        if self.type == PeriodType.QUARTER:
            return f"Quý {self.number} năm {self.year}"
        return f"Tháng {self.number}/{self.year}"

    @property
    def short_label(self) -> str:
        """Without the year, for a column in a file that has a year column beside it."""
        return self.label.replace(f" năm {self.year}", "").replace(f"/{self.year}", "").replace(f" {self.year}", "")

    @property
    def sort_key(self) -> tuple:
        return (self.year, self.first_month, _RANK[self.type])

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, start: datetime.date | None, end: datetime.date | None) -> bool:
        return (start is None or start <= self.end) and (end is None or end >= self.start)

    def __str__(self) -> str:
        return self.label


def periods_of_year(year: int) -> list[Period]:
    """Every period of a year, the year first, then halves, quarters and months."""
    return [Period(t, year, n) for t in COUNT_IN_YEAR for n in range(1, COUNT_IN_YEAR[t] + 1)]


# --- periods asked for in a URL -----------------------------------------------------------------

# The years a page may be asked for: Period's own range with a year to spare on each side, so that the
# month and the year before and after, which pages link to and compare with, exist too.
FIRST_YEAR, LAST_YEAR = 1901, 2199


class InvalidPeriodParam(BadRequest, ValueError):
    """A month, year or period asked for in a URL that is not one. A view lets it go: the page answers
    400 with the message (portal.views.bad_request); code that reads periods sees a ValueError."""


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:20] + "…"


def month_param(value, *, default: Period | None = None, name: str = "thang") -> Period:
    """The month of a query parameter or a path segment: '2023-06'. Empty: `default` when given."""
    text = "" if value is None else str(value).strip()
    if not text and default is not None:
        return default
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not match or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR or not 1 <= int(match[2]) <= 12:
        raise InvalidPeriodParam(f"Tháng không hợp lệ ({name}={_shown(text)}): ghi dạng YYYY-MM, vd 2023-06, "
                                 f"năm từ {FIRST_YEAR} đến {LAST_YEAR}.")
    return Period.month(int(match[1]), int(match[2]))


def year_param(value, *, default: int | None = None, name: str = "nam") -> int:
    """The year of a query parameter or a path segment: '2023'. Empty: `default` when given."""
    text = "" if value is None else str(value).strip()
    if not text and default is not None:
        return default
    if not re.fullmatch(r"\d{4}", text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise InvalidPeriodParam(f"Năm không hợp lệ ({name}={_shown(text)}): ghi bốn chữ số, từ {FIRST_YEAR} "
                                 f"đến {LAST_YEAR}.")
    return int(text)


def period_param(value, *, default: Period | None = None, name: str = "ky") -> Period:
    """A period key of a query parameter: '2023', '2023-H2', '2023-Q3', '2023-06'. Empty: `default`."""
    text = "" if value is None else str(value).strip()
    if not text and default is not None:
        return default
    try:
        period = Period.parse(text)
    except ValueError:
        period = None
    if period is None or not FIRST_YEAR <= period.year <= LAST_YEAR:
        raise InvalidPeriodParam(f"Kỳ không hợp lệ ({name}={_shown(text)}): ghi vd 2023, 2023-H2, 2023-Q3 "
                                 f"hoặc 2023-06.")
    return period


def parse_period_text(value, *, year: int) -> Period:
    """What people write in a 'Kỳ' column: empty or 'năm' for the year; '6 tháng đầu', 'H2';
    'quý 3', 'Quý III', 'Q3'; 'tháng 6', 'T6'; or a full key ('2023-Q3')."""
    from bhxh_portal.search import fold_text  # the accent folding of the unit search

    if value is None or str(value).strip() == "":
        return Period.of_year(year)
    text = fold_text(str(value)).replace(".", " ").strip()
    if re.fullmatch(r"\d{4}(-[hq]?\d{1,2})?", text):
        period = Period.parse(text)
        if period.year != year:
            raise ValueError(f"Kỳ '{value}' thuộc năm {period.year}, không phải năm {year}.")
        return period
    if text in {"nam", "ca nam", "y", "year"}:
        return Period.of_year(year)
    halves = {"6 thang dau": 1, "6 thang dau nam": 1, "h1": 1, "6 thang cuoi": 2, "6 thang cuoi nam": 2, "h2": 2}
    if text in halves:
        return Period.half(year, halves[text])
    match = re.fullmatch(r"(?:quy|q)\s*(\d|i{1,3}|iv)", text)
    if match:
        raw = match.group(1)
        return Period.quarter(year, int(raw) if raw.isdigit() else _ROMAN[raw])
    match = re.fullmatch(r"(?:thang|t|m)\s*(\d{1,2})", text)
    if match:
        return Period.month(year, int(match.group(1)))
    raise ValueError(f"Kỳ '{value}' không hợp lệ: ghi Năm, 6 tháng đầu, 6 tháng cuối, Quý 1..4 hoặc Tháng 1..12.")
