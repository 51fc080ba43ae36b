"""Reading uploaded spreadsheets and reporting import problems in Vietnamese.

Every importer (units, demographics, targets, results) reads its file through
`load_dataset`, and a django-import-export resource runs through `run_resource_import`:
all rows or none are written, and each problem names the file, the line and the column.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS

from .numbers import parse_number

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt"}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Vietnamese."""


@dataclass
class RowProblem:
    line: int | None
    column: str | None
    message: str

    def describe(self, filename: str = "") -> str:
        where = [f"Tệp {filename}"] if filename else []
        if self.line is not None:
            where.append(f"dòng {self.line}")
        if self.column:
            where.append(f"cột {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ImportReport:
    filename: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [p.describe(self.filename) for p in self.problems]

    def summary(self) -> str:
        if not self.ok:
            return f"Tệp {self.filename}: có {len(self.problems)} lỗi, không dòng nào được ghi."
        verb = "sẽ" if self.dry_run else "đã"
        return (
            f"Tệp {self.filename}: {self.total} dòng; {verb} thêm {self.created}, "
            f"{verb} cập nhật {self.updated}, không đổi {self.unchanged}."
        )


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


def load_dataset(source, *, filename: str | None = None) -> tablib.Dataset:
    """Read a csv or spreadsheet (path, bytes or file object) into a Dataset with its header row."""
    if isinstance(source, (str, Path)):
        filename = filename or Path(source).name
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    filename = filename or "tệp tải lên"
    if len(data) > max_upload_bytes():
        raise ImportFileError(
            f"Tệp {filename} quá lớn ({len(data) / 1048576:.1f} MB); giới hạn là {settings.IMPORT_MAX_UPLOAD_MB} MB."
        )
    suffix = Path(filename).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        rows = _read_spreadsheet(data, filename)
    elif suffix in TEXT_SUFFIXES:
        rows = _read_csv(data, filename)
    else:
        raise ImportFileError(f"Tệp {filename} không phải là bảng tính (chỉ nhận .xlsx, .xls, .ods hoặc .csv).")
    rows = [r for r in rows if any(_is_filled(v) for v in r)]
    if not rows:
        raise ImportFileError(f"Tệp {filename} không có dữ liệu.")
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for row in rows[1:]:
        row = list(row[:width]) + [None] * (width - len(row))
        dataset.append([_clean_cell(v) for v in row])
    return dataset


def _is_filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _clean_cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def _read_csv(data: bytes, filename: str) -> list[list]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(f"Tệp {filename} không đọc được: bảng mã không phải UTF-8.")
    if "\x00" in text:
        raise ImportFileError(f"Tệp {filename} không phải là tệp văn bản csv.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _read_spreadsheet(data: bytes, filename: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise ImportFileError(f"Tệp {filename} không có trang tính nào.")
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except ImportFileError:
        raise
    except Exception as exc:  # calamine raises its own error types for corrupt or encrypted files
        raise ImportFileError(
            f"Tệp {filename} bị hỏng, có mật khẩu hoặc không phải là bảng tính ({type(exc).__name__})."
        ) from exc


def rename_headers(dataset: tablib.Dataset, aliases: dict[str, list[str]], *, required: list[str],
                   filename: str) -> None:
    """Map the headers people write (Mã đơn vị, Tên, ...) to canonical names; refuse missing columns."""
    from targets.models import fold_text

    lookup = {}
    for canonical, names in aliases.items():
        for name in [canonical, *names]:
            lookup[fold_text(name).replace("_", " ")] = canonical
    renamed = [lookup.get(fold_text(h).replace("_", " "), h) for h in dataset.headers]
    dataset.headers = renamed
    missing = [c for c in required if c not in renamed]
    if missing:
        raise ImportFileError(
            f"Tệp {filename} thiếu cột: {', '.join(missing)} (dòng tiêu đề có: {', '.join(h for h in renamed if h)})."
        )


def run_resource_import(resource, dataset: tablib.Dataset, *, filename: str, dry_run: bool = False,
                        **kwargs) -> ImportReport:
    """Run a django-import-export resource; any problem rolls the whole file back."""
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True,
        filename=filename, **kwargs,
    )
    report = ImportReport(filename=filename, total=len(dataset), dry_run=dry_run)
    line_of = getattr(resource, "line_numbers", None) or {}
    columns = {f.attribute: f.column_name for f in resource.get_fields() if f.attribute}
    for invalid in result.invalid_rows:
        line = line_of.get(invalid.number, invalid.number + 1)
        for attribute, messages in invalid.error_dict.items():
            column = None if attribute == NON_FIELD_ERRORS else columns.get(attribute, attribute)
            for message in messages:
                report.problems.append(RowProblem(line, column, message))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(RowProblem(line_of.get(number, number + 1), None, str(error.error)))
    for error in result.base_errors:
        report.problems.append(RowProblem(None, None, str(error.error)))
    report.problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    if report.ok:
        report.created = result.totals.get("new", 0)
        report.updated = result.totals.get("update", 0)
        report.unchanged = result.totals.get("skip", 0)
    return report


def parse_date(value, *, label: str = "ngày") -> datetime.date | None:
    """dd/mm/yyyy, yyyy-mm-dd, an Excel date cell, or an Excel date serial number."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise ValueError(f"{label} '{value}' không hợp lệ")
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{label} '{text}' không đúng dạng dd/mm/yyyy")


__all__ = [
    "ImportFileError", "ImportReport", "RowProblem", "load_dataset", "parse_date", "parse_number",
    "rename_headers", "run_resource_import",
]
