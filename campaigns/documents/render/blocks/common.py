"""What every block kind shares: the parts a renderer returns, the settings it reads and how
they are parsed from the editor's text."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from bhxh_portal.numbers import format_number
from reports.tables.base import Table
from units.periods import Period

from ... import selectors
from ....models import BlockKind, PlanBlock, PlanDocument
from ..markup import to_html


@dataclass
class HtmlPart:
    html: SafeString


@dataclass
class TablePart:
    table: Table
    landscape: bool = False
    note: str = ""


Part = HtmlPart | TablePart


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    type: str = "str"  # str | int | list | bool | period
    required: bool = False


@dataclass(frozen=True)
class BlockSpec:
    kind: str
    help: str
    render: Callable[[PlanBlock, PlanDocument], list[Part]]
    settings: tuple[Setting, ...] = ()
    parse: Callable[[str], dict] | None = None
    format: Callable[[dict], str] | None = None
    example: str = ""

    @property
    def label(self) -> str:
        return BlockKind(self.kind).label

    def params_from_text(self, text: str) -> dict:
        if self.parse is not None:
            return self.parse(text)
        return _parse_settings(text, self.settings)

    def params_to_text(self, params: dict) -> str:
        if self.format is not None:
            return self.format(params)
        return _format_settings(params, self.settings)


# --- parsing helpers -----------------------------------------------------------------------------
_TRUE = {"có", "co", "true", "1", "yes", "x"}
_FALSE = {"không", "khong", "false", "0", "no", ""}
_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"


def _parse_date(text: str, line_no: int) -> datetime.date:
    match = re.fullmatch(_DATE, text.strip())
    if not match:
        raise ValidationError(f"Dòng {line_no}: ngày '{text.strip()}' không đúng dạng dd/mm/yyyy.")
    day, month, year = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(f"Dòng {line_no}: ngày {text.strip()} không có thật.") from exc


def _parse_range(text: str, line_no: int) -> tuple[datetime.date | None, datetime.date | None]:
    text = text.strip()
    if not text:
        return None, None
    pieces = re.split(r"\s+-\s+|\s*–\s*|\s+đến\s+", text)
    start = _parse_date(pieces[0], line_no)
    end = _parse_date(pieces[1], line_no) if len(pieces) > 1 else None
    if end is not None and end < start:
        raise ValidationError(f"Dòng {line_no}: ngày kết thúc trước ngày bắt đầu.")
    return start, end


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _dmy(value: str | None) -> str:
    day = _date(value)
    return f"{day:%d/%m/%Y}" if day else ""


def _parse_settings(text: str, settings: tuple[Setting, ...]) -> dict:
    by_key = {s.key: s for s in settings}
    params: dict = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in by_key:
            keys = ", ".join(by_key) or "(không có)"
            raise ValidationError(f"Dòng {line_no}: '{line}' không phải 'tên: giá trị' với tên là một trong: {keys}.")
        setting = by_key[key]
        if setting.type == "int":
            if not (value.isascii() and value.isdigit()):
                raise ValidationError(f"Dòng {line_no}: {setting.label} phải là số.")
            params[key] = int(value)
        elif setting.type == "list":
            params[key] = [v.strip() for v in value.split(",") if v.strip()]
        elif setting.type == "bool":
            if value.lower() not in _TRUE | _FALSE:
                raise ValidationError(f"Dòng {line_no}: {setting.label} ghi 'có' hoặc 'không'.")
            params[key] = value.lower() in _TRUE
        elif setting.type == "period":
            try:
                params[key] = Period.parse(value).key
            except ValueError as exc:
                raise ValidationError(f"Dòng {line_no}: {exc}") from exc
        else:
            params[key] = value
    missing = [s.label for s in settings if s.required and s.key not in params]
    if missing:
        raise ValidationError(f"Thiếu: {', '.join(missing)}.")
    return params


def _format_settings(params: dict, settings: tuple[Setting, ...]) -> str:
    lines = []
    for setting in settings:
        if setting.key not in params:
            continue
        value = params[setting.key]
        if setting.type == "list":
            value = ", ".join(value)
        elif setting.type == "bool":
            value = "có" if value else "không"
        lines.append(f"{setting.key}: {value}")
    return "\n".join(lines)


def _period(value: str | None, default: Period) -> Period:
    return Period.parse(value) if value else default


def _indicator(code: str):
    try:
        return selectors.indicator_by_code(code)
    except LookupError as exc:
        raise ValidationError(str(exc)) from exc


def _lead(block: PlanBlock) -> list[Part]:
    return [HtmlPart(to_html(block.text))] if block.text.strip() else []


def _list(items: list[SafeString]) -> SafeString:
    if not items:
        return mark_safe("")
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


def _note(text: str) -> HtmlPart:
    return HtmlPart(format_html('<p class="note"><em>{}</em></p>', text))


def _people(count: int | None) -> str:
    return f"{format_number(count)} người" if count is not None else ""
