"""The uploaded sheet given back with its problems: 'Lỗi' and 'Cảnh báo' columns beside every row."""

import csv
import io
from pathlib import Path

from bhxh_portal.exports import safe_row
from bhxh_portal.importing import RawSheet

from .columns import Header
from .rows import Row


def build_error_copy(sheet: RawSheet, header: Header, rows: list[Row]) -> bytes:
    """The uploaded sheet as it was, plus 'Lỗi' and 'Cảnh báo' columns (xlsx; csv for a csv)."""
    by_line = {row.line: row for row in rows}
    width = max((len(r) for r in sheet.rows), default=0)

    def extra(line: int) -> list[str]:
        if line == header.line:
            return ["Lỗi", "Cảnh báo"]
        row = by_line.get(line)
        if row is None:
            return ["", ""]
        errors = "; ".join(f"{c}: {m}" if c else m for c, m in row.errors)
        return [errors, "; ".join(row.warnings)]

    if sheet.from_text:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for index, raw in enumerate(sheet.rows):
            writer.writerow(safe_row([*(list(raw) + [""] * (width - len(raw))), *extra(index + 1)]))
        return buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.sheet_name[:31] or "Danh sách")
    for index, raw in enumerate(sheet.rows):
        cells = [None if v == "" else v for v in raw] + [None] * (width - len(raw))
        worksheet.append(safe_row([*cells, *extra(index + 1)]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_copy_name(filename: str) -> str:
    path = Path(filename)
    suffix = ".csv" if path.suffix.lower() in (".csv", ".txt") else ".xlsx"
    return f"{path.stem}-loi{suffix}"
