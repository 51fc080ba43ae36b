"""Blocks that print a schedule: the month's activities and the phases of a drive."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.html import format_html

from reports.tables.base import Column, Row, Table

from ... import selectors
from ....models import PlanBlock, PlanDocument
from .common import _DATE, HtmlPart, Part, TablePart, _dmy, _iso, _lead, _list, _note, _parse_range


# --- activities ----------------------------------------------------------------------------------
_ACTIVITY_KEYS = ("activity", "organiser", "count", "place", "dates", "invitees", "attendance", "expected")


def parse_activities(text: str) -> dict:
    rows = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > len(_ACTIVITY_KEYS):
            raise ValidationError(f"Dòng {line_no}: nhiều hơn {len(_ACTIVITY_KEYS)} cột.")
        cells += [""] * (len(_ACTIVITY_KEYS) - len(cells))
        values = dict(zip(_ACTIVITY_KEYS, cells))
        if not values["activity"]:
            raise ValidationError(f"Dòng {line_no}: thiếu tên hoạt động.")
        start, end = _parse_range(values.pop("dates"), line_no)
        for key in ("count", "attendance"):
            if values[key] and not values[key].replace(".", "").isdigit():
                raise ValidationError(f"Dòng {line_no}: cột {key} phải là số.")
            values[key] = int(values[key].replace(".", "")) if values[key] else None
        rows.append({**values, "start": _iso(start), "end": _iso(end)})
    return {"rows": rows}


def _range_text(start: str | None, end: str | None) -> str:
    if not start:
        return ""
    if not end or end == start:
        return _dmy(start)
    return f"{_dmy(start)} - {_dmy(end)}"


def format_activities(params: dict) -> str:
    lines = []
    for row in params.get("rows", []):
        cells = [row.get("activity", ""), row.get("organiser", ""), _num(row.get("count")), row.get("place", ""),
                 _range_text(row.get("start"), row.get("end")), row.get("invitees", ""),
                 _num(row.get("attendance")), row.get("expected", "")]
        lines.append(" | ".join(str(c) for c in cells).rstrip(" |"))
    return "\n".join(lines)


def _num(value) -> str:
    return "" if value in (None, "") else str(value)


def render_activities(block: PlanBlock, document: PlanDocument) -> list[Part]:
    rows = selectors.activity_rows(unit=document.unit, period=document.period) + list(block.params.get("rows", []))
    table = Table(key="activities", title="Lịch hoạt động", columns=[
        Column("stt", "STT", "A", "text"), Column("activity", "Hoạt động", "B", "text"),
        Column("organiser", "Đơn vị tổ chức", "C", "text"), Column("count", "Số cuộc", "1"),
        Column("place", "Địa điểm", "D", "text"), Column("dates", "Thời gian", "E", "text"),
        Column("invitees", "Thành phần mời", "F", "text"), Column("attendance", "Số người dự (dự kiến)", "2"),
        Column("expected", "Dự kiến người tham gia mới", "G", "text"),
    ])
    for index, row in enumerate(rows, start=1):
        start, end = row.get("start"), row.get("end")
        if isinstance(start, datetime.date):
            start, end = _iso(start), _iso(end)
        table.rows.append(Row({**row, "stt": str(index), "dates": _range_text(start, end)}))
    parts = _lead(block)
    if not rows:
        return [*parts, _note("Chưa có hoạt động nào trong kỳ.")]
    return [*parts, TablePart(table, landscape=block.params.get("landscape", True))]


# --- phases --------------------------------------------------------------------------------------
_PHASE = re.compile(rf"^\s*({_DATE}(?:\s*(?:-|–|đến)\s*{_DATE})?)\s*:\s*(.+)$")


def parse_phases(text: str) -> dict:
    phases = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().removeprefix("- ").strip()
        if not line or line.startswith("#"):
            continue
        match = _PHASE.match(line)
        if not match:
            raise ValidationError(
                f"Dòng {line_no}: ghi 'dd/mm/yyyy - dd/mm/yyyy: việc làm trong giai đoạn' (vd: "
                "21/03/2021 - 25/03/2021: Hội nghị triển khai kế hoạch)."
            )
        start, end = _parse_range(match.group(1), line_no)
        phases.append({"start": _iso(start), "end": _iso(end), "text": match.group(match.lastindex).strip()})
    return {"phases": phases}


def format_phases(params: dict) -> str:
    return "\n".join(f"{_range_text(p.get('start'), p.get('end'))}: {p.get('text', '')}"
                     for p in params.get("phases", []))


def phase_dates(start: str | None, end: str | None) -> str:
    """'Từ ngày 01/04/2021 đến ngày 31/07/2021' or 'Ngày 25/10/2024'."""
    if not start:
        return ""
    if not end or end == start:
        return f"Ngày {_dmy(start)}"
    return f"Từ ngày {_dmy(start)} đến ngày {_dmy(end)}"


def render_phases(block: PlanBlock, document: PlanDocument) -> list[Part]:
    items = [format_html("{}: {}", phase_dates(p.get("start"), p.get("end")), p.get("text", ""))
             for p in block.params.get("phases", [])]
    return [*_lead(block), HtmlPart(_list(items))]
