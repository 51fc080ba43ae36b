"""The drive's outputs: the month's list (CSV, Excel, the A4 sheet for the door-to-door round) and
the funnel as a printed table (reports.tables.base.Table, so the HTML, Excel and CSV lay out the
same figures)."""

import csv
import datetime
import io
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Font

from bhxh_portal.exports import safe_cell
from reports.tables.base import Column, Row, Table

from .models import ListKind, RefusalReason
from .selectors import FunnelLine, ListRow

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"

LIST_HEADERS = ["STT", "Mã số BHXH", "Số định danh", "Họ và tên", "Ngày sinh", "Hộ", "Thôn", "Loại hình",
                "Hạn cuối", "Người phụ trách", "Kết quả gần nhất", "Hẹn lần sau"]


def _day(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def list_lines(rows: list[ListRow]) -> list[list[str]]:
    return [[str(i), r.bhxh_code, r.personal_id, r.full_name, _day(r.birth_date), r.household_code, r.village_name,
             r.product_name, _day(r.last_valid_to), r.assigned_to, r.last_outcome, _day(r.next_date)]
            for i, r in enumerate(rows, start=1)]


def list_csv(rows: list[ListRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LIST_HEADERS)
    for line in list_lines(rows):
        writer.writerow([safe_cell(v) for v in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 with the accents


def list_xlsx(rows: list[ListRow], *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append([safe_cell(title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(LIST_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for line in list_lines(rows):
        ws.append([safe_cell(v) for v in line])
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def list_title(*, kind: str, unit_name: str, month: datetime.date) -> str:
    return f"Danh sách {ListKind(kind).label.lower()} tháng {month:%m/%Y} — {unit_name}"


def list_pdf(rows: list[ListRow], *, title: str) -> bytes:
    """The A4 sheet agents carry door to door: who, where, until when, and blank columns to fill by
    hand (date met, outcome, promised date, signature)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string("drive/list_pdf.html", {
        "title": title, "rows": rows, "fonts": FONTS_DIR.as_uri(), "printed_on": datetime.date.today(),
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=FontConfiguration())


# --- the funnel as a table ----------------------------------------------------------------------

BY_LABELS = {"commune": "Xã", "village": "Thôn", "agent": "Đại lý thu"}


def funnel_table(lines: list[FunnelLine], *, by: str, title: str) -> Table:
    reasons = list(RefusalReason)
    columns = [
        Column("stt", "STT", "A", kind="text"),
        Column("unit", BY_LABELS[by], "B", kind="text"),
        Column("listed", "Trong danh sách", "1"),
        Column("contacted", "Đã tiếp xúc", "2"),
        Column("promised", "Hẹn đóng", "3"),
        Column("from_activity", "Trong đó: đăng ký tại hội nghị", "4"),
        Column("enrolled", "Đã tham gia", "5"),
        Column("due", "Đến hạn", "6", group="Duy trì"),
        Column("renewed", "Đã tái tục", "7", group="Duy trì"),
        Column("retention", "Tỷ lệ duy trì", "8=7/6", kind="percent", group="Duy trì"),
        *[Column(f"refused_{r.value}", r.label, str(9 + i), group="Lý do từ chối") for i, r in enumerate(reasons)],
    ]
    table = Table(key="funnel", title=title, columns=columns)
    for index, line in enumerate(lines, start=1):
        is_total = line.key is None
        values = {"stt": "" if is_total else str(index), "unit": line.label, "listed": line.listed,
                  "contacted": line.contacted, "promised": line.promised, "from_activity": line.from_activity, "enrolled": line.enrolled,
                  "due": line.due, "renewed": line.renewed, "retention": line.retention_pct}
        for r in reasons:
            values[f"refused_{r.value}"] = line.refusals.get(r.value, 0)
        table.rows.append(Row(values, is_total=is_total))
    return table
