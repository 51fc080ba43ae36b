"""The uploaded sheet given back with its problems: 'Lỗi' and 'Cảnh báo' columns beside every row.

The rows' messages wait in a temporary file (a million rows' messages are not kept in memory), in line
order as the batches leave them; the copy reads the sheet again and walks both together."""

import csv
import io
import tempfile
from pathlib import Path

from bhxh_portal.exports import safe_row
from bhxh_portal.importing.streaming import SheetStream

from .columns import Header
from .rows import Row


class ProblemLines:
    """(line, errors, warnings) of the rows that have any, in line order, on disk."""

    def __init__(self):
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
        self.count = 0

    def add(self, rows: list[Row]) -> None:
        for row in rows:
            if row.errors or row.warnings:
                errors = "; ".join(f"{c}: {m}" if c else m for c, m in row.errors)
                self.file.write(f"{row.line}\t{_flat(errors)}\t{_flat('; '.join(row.warnings))}\n")
                self.count += 1

    def __iter__(self):
        self.file.seek(0)
        for entry in self.file:
            line, errors, warnings = entry.rstrip("\n").split("\t")
            yield int(line), errors, warnings

    def close(self) -> None:
        self.file.close()


def _flat(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ")


def _with_problems(sheet: SheetStream, header: Header, problems: ProblemLines, width: int):
    """Every line of the sheet up to its last row (empty where the file has none), padded to `width`,
    with its two extra cells."""
    pending = iter(problems)
    waiting = next(pending, None)
    expected = 1
    for line, raw in sheet.rows():
        while expected < line:  # rows the file leaves empty keep their place
            yield [None] * width + ["", ""]  # the two cells written even when empty: every row as wide
            expected += 1
        extra = ["", ""]
        if line == header.line:
            extra = ["Lỗi", "Cảnh báo"]
        while waiting is not None and waiting[0] < line:
            waiting = next(pending, None)
        if waiting is not None and waiting[0] == line:
            extra = [waiting[1], waiting[2]]
        cells = [None if v == "" else v for v in raw[:width]] + [None] * (width - len(raw))
        yield cells + extra
        expected = line + 1


def build_error_copy(sheet: SheetStream, header: Header, problems: ProblemLines, *, width: int) -> bytes:
    """The uploaded sheet as it was, plus 'Lỗi' and 'Cảnh báo' columns (xlsx; csv for a csv)."""
    rows = _with_problems(sheet, header, problems, width)
    if sheet.from_text:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(safe_row(["" if v is None else v for v in row]))
        return buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # rows go to a temporary file as they come
    worksheet = workbook.create_sheet(sheet.sheet_name[:31] or "Danh sách")
    for row in rows:
        worksheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_copy_name(filename: str) -> str:
    path = Path(filename)
    suffix = ".csv" if path.suffix.lower() in (".csv", ".txt") else ".xlsx"
    return f"{path.stem}-loi{suffix}"
