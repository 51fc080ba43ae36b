"""Reading uploaded spreadsheets and reporting import problems in Vietnamese.

Every importer (units, demographics, targets, results) reads its file through
`load_dataset`, and a django-import-export resource runs through `run_resource_import`:
all rows or none are written, and each problem names the file, the line and the column.
"""

import csv
import datetime
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from .exports import unescape_cell
from .numbers import format_number, parse_number

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt"}


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


class ImportFileError(Exception):
    """The file as a whole cannot be used; the message says why, in Vietnamese, naming the file
    (and the line and column when one is to blame, e.g. a missing column in the header line)."""

    def __init__(self, message: str, *, filename: str = "", line: int | None = None, column: str | None = None):
        self.problem = RowProblem(line, column, message)
        self.filename = filename
        super().__init__(self.problem.describe(filename))


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
    if not data:
        raise ImportFileError("tệp rỗng (0 byte).", filename=filename)
    if len(data) > max_upload_bytes():
        raise ImportFileError(
            f"tệp quá lớn ({len(data) / 1048576:.1f} MB); giới hạn là {settings.IMPORT_MAX_UPLOAD_MB} MB.",
            filename=filename,
        )
    suffix = Path(filename).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        rows = _read_spreadsheet(data, filename)
    elif suffix in TEXT_SUFFIXES:
        rows = _read_csv(data, filename)
    else:
        raise ImportFileError("không phải là bảng tính (chỉ nhận .xlsx, .xls, .ods hoặc .csv).", filename=filename)
    rows = [r for r in rows if any(_is_filled(v) for v in r)]
    if not rows:
        raise ImportFileError("không có dữ liệu.", filename=filename)
    if len(rows) == 1:
        raise ImportFileError("chỉ có dòng tiêu đề, không có dòng dữ liệu nào.", filename=filename)
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
        value = unescape_cell(nfc(value.strip()))  # "'=x" written by one of our exports is "=x" again
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def _read_csv(data: bytes, filename: str) -> list[list]:
    text = decode_csv(data, filename=filename)
    if "\x00" in text:
        raise ImportFileError("không phải là tệp văn bản csv.", filename=filename)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


# --- the encodings a csv arrives in ---------------------------------------------------------------
# Excel saves "CSV UTF-8" (with a BOM), "Unicode text" (UTF-16 LE with a BOM, tab-separated) and plain
# "CSV" in the Windows code page, which on Vietnamese Windows is 1258: there "ộ" is "o" + a combining
# dot below + a circumflex, so the text is composed (NFC) once decoded. The order matters: a BOM says
# what the file is; UTF-8 decodes strictly (a Windows-1258 file with accents is practically never valid UTF-8);
# Windows-1258 decodes nearly any byte, so it comes last and only for a file that reads as text.
# A statistical detector (charset-normalizer) would guess among dozens of code pages an office here
# never uses, and could take a short 1258 file for Latin-1 and store wrong letters without a word.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ENCODING_REFUSED = ("tệp CSV không đọc được bằng mã UTF-8, UTF-16 hay Windows-1258; hãy lưu lại dạng CSV UTF-8 "
                    "(Excel: Lưu thành → CSV UTF-8) rồi tải lên lại.")


def looks_like_utf16(data: bytes) -> bool:
    """A BOM, or (saved without one) a NUL in every other byte of the start, as ASCII text in UTF-16 has."""
    if data[:2] in _UTF16_BOMS:
        return True
    head = data[:4096]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return (odd.count(0) > 0.9 * len(odd) and 0 not in even) or (even.count(0) > 0.9 * len(even) and 0 not in odd)


def decode_csv(data: bytes, *, filename: str = "") -> str:
    """The text of a csv as NFC, from UTF-8 (with or without BOM), UTF-16 or Windows-1258; or a refusal."""
    if data[:3] == b"\xef\xbb\xbf":
        encodings = ["utf-8-sig"]
    elif looks_like_utf16(data):
        encodings = ["utf-16"] if data[:2] in _UTF16_BOMS else [
            "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"]
    else:
        encodings = ["utf-8", "cp1258"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1258" and _CONTROL.search(text):
            break  # control characters: a binary file, not text in the Windows code page
        return nfc(text)
    raise ImportFileError(ENCODING_REFUSED, filename=filename)


def nfc(text: str) -> str:
    """Composed Unicode (NFC): 'ộ' as one character whatever keyboard or code page typed it, so the same
    name is the same text in the database, in a search and in a second import."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _read_spreadsheet(data: bytes, filename: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        if data[:4] == ZIP_MAGIC:
            check_package_extent(data, filename=filename)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise ImportFileError("không có trang tính nào.", filename=filename)
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except ImportFileError:
        raise
    except Exception as exc:  # calamine raises its own error types for corrupt or encrypted files
        raise ImportFileError(
            f"tệp bị hỏng, có mật khẩu hoặc không phải là bảng tính ({type(exc).__name__}).", filename=filename,
        ) from exc


def rename_headers(dataset: tablib.Dataset, aliases: dict[str, list[str]], *, required: list[str],
                   filename: str) -> dict[str, str]:
    """Map the headers people write (Mã đơn vị, Tên, ...) to canonical names; refuse missing columns.

    Returns {canonical name: header as written in the file}, so messages can name the column
    the way the user wrote it.
    """
    from bhxh_portal.search import fold_text

    lookup = {}
    for canonical, names in aliases.items():
        for name in [canonical, *names]:
            lookup[fold_text(name).replace("_", " ")] = canonical
    written = [str(h) if h is not None else "" for h in (dataset.headers or [])]
    renamed = [lookup.get(fold_text(h).replace("_", " "), h) for h in written]
    labels: dict[str, str] = {}
    for canonical, original in zip(renamed, written):
        if canonical in labels and canonical in aliases:
            raise ImportFileError(
                f"cột này cùng nghĩa với cột {labels[canonical]}; hãy bỏ một cột.",
                filename=filename, line=1, column=original,
            )
        labels.setdefault(canonical, original)
    dataset.headers = renamed
    missing = [c for c in required if c not in renamed]
    if missing:
        expected = ", ".join(f"{aliases[c][0].capitalize()} ({c})" if aliases.get(c) else c for c in missing)
        found = ", ".join(h for h in written if h) or "không có"
        raise ImportFileError(f"thiếu cột {expected}. Dòng tiêu đề có: {found}.", filename=filename, line=1)
    return labels


class StorableImportMixin:
    """For django-import-export resources: text composed (NFC) before any row is read, and a row holding
    what its table cannot store (too long, too large, a date out of range) refused as invalid, with
    the column, before anything is saved (see `check_fits`)."""

    # Model fields filled from a column of another name (decision_number from "decision"), for messages.
    limit_columns: dict[str, str] = {}

    def limit_errors(self, instance) -> dict[str, list[str]]:
        """What the instance holds that its table cannot store, keyed by the column as the file wrote it."""
        labels = getattr(self, "column_labels", None) or {}
        by_attribute = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        errors: dict[str, list[str]] = {}
        for name, message in instance_limit_errors(instance).items():
            canonical = self.limit_columns.get(name) or by_attribute.get(name) or name
            errors.setdefault(labels.get(canonical, canonical), []).append(message)
        return errors

    def refuse_unstorable(self, instance, import_validation_errors=None) -> None:
        """Raise the row's errors with what cannot be stored added, if anything cannot."""
        too_big = self.limit_errors(instance)
        if too_big:
            errors = {k: list(v) if isinstance(v, list) else [v] for k, v in (import_validation_errors or {}).items()}
            for column, messages in too_big.items():
                errors.setdefault(column, []).extend(messages)
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        self.refuse_unstorable(instance, import_validation_errors)
        return super().validate_instance(instance, import_validation_errors, validate_unique)

    def import_data(self, dataset, **kwargs):
        compose_dataset(dataset)
        return super().import_data(dataset, **kwargs)


def compose_dataset(dataset: tablib.Dataset) -> None:
    """Every text cell and header of the dataset in NFC (a dataset from the admin's own reader)."""
    headers = [nfc(h) if isinstance(h, str) else h for h in (dataset.headers or [])]
    rows, changed = [], headers != list(dataset.headers or [])
    for row in dataset:
        composed = [nfc(v) if isinstance(v, str) else v for v in row]
        changed = changed or composed != list(row)
        rows.append(composed)
    if changed:
        dataset.wipe()
        dataset.headers = headers or None
        for row in rows:
            dataset.append(row)


class CheckedImportMixin(StorableImportMixin):
    """For django-import-export resources, in the admin and in `run_resource_import` alike.

    - headers as people write them (`header_aliases`), and the `required_columns` checked before
      any row is read: a file with a missing column gives one clear message, not one per row;
    - a resource may reorder the rows in `before_import` (parents first) as long as it fills
      `self.source_rows` {position after reordering: position in the file}; the row numbers in
      the result are then the file's own again (1 = first row under the header).
    """

    header_aliases: dict[str, list[str]] = {}
    required_columns: list[str] = []

    def import_data(self, dataset, **kwargs):
        filename = kwargs.get("filename") or kwargs.get("file_name") or "tệp tải lên"
        self.source_rows = {}
        compose_dataset(dataset)
        try:
            self.column_labels = rename_headers(dataset, self.header_aliases, required=self.required_columns,
                                                filename=filename)
        except ImportFileError as exc:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.append_base_error(self.get_error_result_class()(exc))
            return result
        result = super().import_data(dataset, **kwargs)
        origin = self.source_rows
        if origin:
            for invalid in result.invalid_rows:
                invalid.number = origin.get(invalid.number, invalid.number)
            for error_row in result.error_rows:
                error_row.number = origin.get(error_row.number, error_row.number)
                for error in error_row.errors:
                    error.number = error_row.number
            result.invalid_rows.sort(key=lambda r: r.number)
            result.error_rows.sort(key=lambda r: r.number)
        return result


def run_resource_import(resource, dataset: tablib.Dataset, *, filename: str, dry_run: bool = False,
                        **kwargs) -> ImportReport:
    """Run a django-import-export resource; any problem rolls the whole file back.

    Row n of the result is line n + 1 of the file (the header is line 1).
    """
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True,
        filename=filename, **kwargs,
    )
    report = ImportReport(filename=filename, total=len(dataset), dry_run=dry_run)
    labels = getattr(resource, "column_labels", None) or {}
    columns = {f.attribute: labels.get(f.column_name, f.column_name) for f in resource.fields.values() if f.attribute}
    for error in result.base_errors:
        if isinstance(error.error, ImportFileError):
            report.problems.append(error.error.problem)
        else:
            report.problems.append(RowProblem(None, None, f"Lỗi không mong đợi khi nhập tệp: {error.error}"))
    if report.problems:
        return report  # the file as a whole is wrong; row messages would only repeat it
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = None if attribute == NON_FIELD_ERRORS else columns.get(attribute, attribute)
            for message in messages:
                report.problems.append(RowProblem(invalid.number + 1, column, message))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(
                RowProblem(number + 1, None, f"Lỗi không mong đợi khi ghi dòng này: {error.error}")
            )
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


# --- what the database can store --------------------------------------------------------------------
# Every importer checks each value it will write against the model field it goes to, while checking
# the rows: a name longer than the column, a count past the integer column, a date in year 1 or
# 9999 is refused there with the row, the column and the reason, instead of being cut (SQLite keeps
# any length), overflowing at write time (OverflowError on SQLite, DataError on PostgreSQL: a 500),
# or passing as a date nobody meant. The limits are read from the model, never typed again; the
# integer ranges are PostgreSQL's, enforced on SQLite too, so a file that checks on one checks on both.

DATE_RANGE = (datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))
_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


@dataclass(frozen=True)
class FieldLimits:
    label: str
    kind: str  # "text", "integer", "decimal", "date" or "" (nothing to check)
    max_length: int | None = None
    low: int | None = None
    high: int | None = None
    whole_digits: int | None = None
    decimal_places: int | None = None


@functools.cache
def field_limits(model, field_name: str) -> FieldLimits:
    field = model._meta.get_field(field_name)
    label = str(getattr(field, "verbose_name", field_name) or field_name)
    label = label[:1].upper() + label[1:]
    if isinstance(field, models.ForeignKey):
        return FieldLimits(label, "")
    internal = field.get_internal_type()
    if internal in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[internal]
        return FieldLimits(label, "integer", low=low, high=high)
    if isinstance(field, models.DecimalField):
        return FieldLimits(label, "decimal", whole_digits=field.max_digits - field.decimal_places,
                           decimal_places=field.decimal_places)
    if isinstance(field, (models.DateField, models.DateTimeField)):
        return FieldLimits(label, "date")
    if isinstance(field, (models.CharField, models.TextField)):
        return FieldLimits(label, "text", max_length=field.max_length)
    return FieldLimits(label, "")


def _day(value: datetime.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def check_fits(model, field_name: str, value) -> str | None:
    """Why `value` cannot be stored in `model.field_name` (Vietnamese), or None if it can.

    Empty values pass: whether a value is required is the importer's own check.
    """
    if value is None or value == "":
        return None
    limits = field_limits(model, field_name)
    kind = limits.kind
    if kind == "text":
        if not isinstance(value, str):
            return None
        if limits.max_length is not None and len(value) > limits.max_length:
            return (f"{limits.label} dài {format_number(len(value))} ký tự, vượt quá "
                    f"{format_number(limits.max_length)} ký tự được phép; hãy rút gọn.")
        if "\x00" in value:  # PostgreSQL text cannot hold it
            return f"{limits.label} có ký tự không hợp lệ (ký tự rỗng NUL); hãy gõ lại ô này."
        return None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return None
        if value < limits.low:
            if limits.low == 0:
                return f"{limits.label} {format_number(value)} không được âm."
            return f"{limits.label} {format_number(value)} nhỏ hơn mức nhỏ nhất lưu được ({format_number(limits.low)})."
        if value > limits.high:
            return f"{limits.label} {format_number(value)} quá lớn (tối đa {format_number(limits.high)})."
        return None
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
            return None
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return f"{limits.label} '{value}' không phải là số hợp lệ."
        if number.copy_abs() >= 10 ** limits.whole_digits:
            return (f"{limits.label} {format_number(number, limits.decimal_places)} quá lớn (tối đa "
                    f"{limits.whole_digits} chữ số phần nguyên).")
        _, digits, exponent = number.as_tuple()
        places = -exponent
        while places > limits.decimal_places and digits and digits[-1] == 0:
            digits, places = digits[:-1], places - 1
        if places > limits.decimal_places:
            return f"{limits.label} {value} có quá {limits.decimal_places} chữ số thập phân."
        return None
    if kind == "date":
        day = value.date() if isinstance(value, datetime.datetime) else value
        if isinstance(day, datetime.date) and not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
            return (f"{limits.label} {_day(day)} ngoài khoảng cho phép ({_day(DATE_RANGE[0])}–"
                    f"{_day(DATE_RANGE[1])}).")
        return None
    return None


def instance_limit_errors(instance, *, fields=None) -> dict[str, str]:
    """{field name: reason} for each concrete field of `instance` whose value cannot be stored."""
    errors = {}
    meta = instance._meta
    for model_field in meta.concrete_fields:
        if model_field.primary_key or (fields is not None and model_field.name not in fields):
            continue
        problem = check_fits(type(instance), model_field.name, getattr(instance, model_field.attname, None))
        if problem:
            errors[model_field.name] = problem
    return errors


__all__ = [
    "CheckedImportMixin", "ImportFileError", "ImportReport", "RowProblem", "StorableImportMixin", "check_fits",
    "decode_csv", "field_limits", "instance_limit_errors", "load_dataset", "nfc", "parse_date", "parse_number",
    "rename_headers", "run_resource_import",
]


# --- Raw sheet reading for bulk imports (participant lists of 100.000 rows) -------------------
# `read_raw_sheet` gives the first visible sheet's cells as the reader returns them (no tablib,
# no per-cell cleaning: the importer converts each column once), after refusing, with a
# Vietnamese message, what cannot be imported safely: a file that is not a spreadsheet, a
# password-protected or corrupt file, a file over the size limit, formulas in place of values.

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_FORMULA_TAG = rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]"  # <f>, <f t="shared" .../>, <x:f>; not <formula>
_CELL_REF = rb'<(?:[A-Za-z0-9_]+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"'


@dataclass
class RawSheet:
    filename: str
    sheet_name: str
    rows: list  # rows of cell values; rows[i] is line i + 1 of the sheet
    from_text: bool = False  # csv: every cell is text


def _refuse_password(filename: str) -> ImportFileError:
    return ImportFileError(
        f"Tệp {filename} được đặt mật khẩu nên không đọc được. Hãy mở tệp trong Excel, bỏ mật khẩu "
        "(Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu: để trống), lưu lại rồi tải lên lại."
    )


def check_spreadsheet_bytes(data: bytes, *, filename: str) -> str:
    """Refuse what is not a readable spreadsheet before any reader sees it; returns the suffix."""
    if not data:
        raise ImportFileError(f"Tệp {filename} rỗng (0 byte).")
    if len(data) > max_upload_bytes():
        raise ImportFileError(
            f"Tệp {filename} quá lớn ({len(data) / 1048576:.1f} MB); giới hạn là {settings.IMPORT_MAX_UPLOAD_MB} MB."
        )
    suffix = Path(filename).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES | TEXT_SUFFIXES:
        raise ImportFileError(
            f"Tệp {filename} không phải là bảng tính (chỉ nhận .xlsx, .xls, .ods hoặc .csv)."
        )
    head = data[:8]
    if head == OLE_MAGIC:
        if _ENCRYPTION_STREAM in data[:65536] or _ENCRYPTION_STREAM in data[-65536:] or suffix != ".xls":
            # An Office file saved with a password is an encrypted package inside a Compound File.
            raise _refuse_password(filename)
        return suffix
    if suffix in {".xlsx", ".xlsm", ".ods"} and head[:4] != ZIP_MAGIC:
        raise ImportFileError(
            f"Tệp {filename} không phải là bảng tính {suffix} (nội dung không đúng định dạng; có thể là tệp "
            "khác bị đổi tên)."
        )
    if suffix == ".xls" and head[:4] == ZIP_MAGIC:
        suffix = ".xlsx"  # an .xlsx saved with the old extension: read it as what it is
    if suffix in TEXT_SUFFIXES and (head[:4] == ZIP_MAGIC or (b"\x00" in data[:4096] and not looks_like_utf16(data))):
        raise ImportFileError(f"Tệp {filename} không phải là tệp văn bản csv (có thể là bảng tính bị đổi đuôi).")
    if head[:4] == ZIP_MAGIC:
        archive = open_package(data, filename=filename)
        if "content.xml" in archive.namelist():
            check_ods_extent(archive, filename=filename)
    return suffix


# --- hostile packages: zip bombs and sheets whose cells are spread over billions of positions ---------
# calamine allocates the whole rectangle from the first to the last cell before returning anything,
# and aborts the process (not an exception) when that fails: a 5 KB xlsx with a cell in A1 and one in
# XFD1048576 asks for 550 GB; an .ods row "repeated" a million times over a thousand columns expands
# in memory. Both are measured here from the XML, before calamine sees the file.

MAX_SHEET_ROWS = 1_048_576  # Excel's own limits
MAX_SHEET_COLUMNS = 16_384
MAX_PACKAGE_MEMBERS = 10_000
# The settings IMPORT_MAX_UNPACKED_MB and IMPORT_MAX_CELLS bound what a package unpacks to and a sheet spans.
_MB = 1024 * 1024
# A cell or row reference that needs an exact look: two or three letters (column > Z) or a row number
# of 200.000 and more. Sheets without one (nearly all) have at most 26 columns × 199.999 rows. Two
# searches with a literal prefix: 0,06 s + 0,18 s on the 100 MB of XML of a 100.000-row list (one
# alternation: 0,38 s).
_WIDE_REF = re.compile(rb' r="[A-Z]{2,3}[0-9]')
_FAR_REF = re.compile(rb' r="[A-Z]{0,3}(?:[2-9][0-9]{5}|[0-9]{7})')
_ANY_REF = re.compile(rb' r="([A-Z]{0,3})([0-9]+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')


def max_unpacked_bytes() -> int:
    return settings.IMPORT_MAX_UNPACKED_MB * _MB


def max_sheet_cells() -> int:
    return settings.IMPORT_MAX_CELLS


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _refuse_extent(filename: str, sheet_name: str, rows: int, columns: int) -> ImportFileError:
    where = f"trang {sheet_name}: " if sheet_name else ""
    return ImportFileError(
        f"{where}vùng dữ liệu quá lớn ({format_number(rows)} dòng × {format_number(columns)} cột; tối đa "
        f"{format_number(MAX_SHEET_ROWS)} dòng, {format_number(MAX_SHEET_COLUMNS)} cột và "
        f"{format_number(max_sheet_cells())} ô). Có thể bảng tính có ô ở rất xa phía dưới hoặc bên phải: hãy xóa "
        "các dòng, cột thừa (hoặc chép phần dữ liệu sang tệp mới), lưu lại rồi tải lên lại.",
        filename=filename,
    )


def open_package(data: bytes, *, filename: str) -> "zipfile.ZipFile":
    """The zip inside an xlsx/xlsm/ods, refused if it would inflate past the limit (a zip bomb).

    The sizes are the ones the package declares; both readers (Python's zipfile and calamine's Rust zip)
    stop with an error when a member inflates past its declared size, so a package cannot lie its way in.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ImportFileError("tệp bị hỏng (không mở được gói dữ liệu của bảng tính).", filename=filename) from exc
    if len(members) > MAX_PACKAGE_MEMBERS:
        raise ImportFileError(f"gói bảng tính có {len(members)} tệp con, bất thường; không đọc tệp này.",
                              filename=filename)
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_unpacked_bytes() or (unpacked > 100 * _MB and unpacked > 100 * len(data)):
        raise ImportFileError(
            f"giải nén ra {format_number(unpacked // _MB)} MB từ {format_number(Decimal(len(data)) / _MB, 1)} MB "
            f"(giới hạn {format_number(max_unpacked_bytes() // _MB)} MB, nén không quá 100 lần): tệp bất thường "
            "(có thể là \"bom nén\"), không đọc tệp này.",
            filename=filename,
        )
    return archive


def read_member(archive: "zipfile.ZipFile", name: str) -> bytes:
    """A member inflated in 1 MB steps: never more than it declares (checked by `open_package`), whereas
    `archive.read` would inflate a member that understates its size in one go before noticing."""
    chunks = []
    with archive.open(name) as stream:
        while chunk := stream.read(_MB):
            chunks.append(chunk)
    return b"".join(chunks)


def check_sheet_extent(xml: bytes, *, filename: str, sheet_name: str = "") -> None:
    """Refuse a worksheet (xlsx XML) whose cells span more than the limits, or that declares such a span."""
    dimension = _DIMENSION.search(xml, 0, 8192)
    if dimension:
        for ref in dimension.group(1).split(b":"):
            found = re.fullmatch(rb"\$?([A-Z]+)\$?([0-9]+)", ref)
            if found:
                declared_rows, declared_columns = int(found.group(2)[:18]), _column_number(found.group(1)[:8])
                if declared_rows > MAX_SHEET_ROWS or declared_columns > MAX_SHEET_COLUMNS:
                    raise _refuse_extent(filename, sheet_name, declared_rows, declared_columns)
    if _WIDE_REF.search(xml) is None and _FAR_REF.search(xml) is None:
        return
    rows = columns = 0
    letters_seen: set[bytes] = set()
    for letters, digits in _ANY_REF.findall(xml):
        if len(digits) > 7:
            raise _refuse_extent(filename, sheet_name, int(digits[:18]), max(columns, 1))
        rows = max(rows, int(digits))
        if letters and letters not in letters_seen:
            letters_seen.add(letters)
            columns = max(columns, _column_number(letters))
    columns = max(columns, 1)
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS or rows * columns > max_sheet_cells():
        raise _refuse_extent(filename, sheet_name, rows, columns)


_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)\b([^>]*?)(/?)>")
_ODS_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]+)"')
_ODS_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]+)"')


def check_ods_extent(archive: "zipfile.ZipFile", *, filename: str) -> None:
    """An OpenDocument sheet repeats rows and cells by count: refuse one that expands past the limits.

    Repeated empty rows and cells (LibreOffice writes a million of them after the data) cost nothing;
    rows and cells with a value are counted as the reader will expand them.
    """
    xml = read_member(archive, "content.xml")
    limit = max_sheet_cells()
    rows = extent_rows = widest = 0
    row_repeat, width, valued_width = 1, 0, 0
    for closing, tag, attrs, empty in _ODS_TAG.findall(xml):
        if tag == b"table":
            rows = extent_rows = widest = 0  # each sheet on its own
        elif tag == b"table-row":
            if not closing:
                repeated = _ODS_ROWS_REPEATED.search(attrs)
                row_repeat, width, valued_width = int(repeated.group(1)) if repeated else 1, 0, 0
            if closing or empty:
                rows += row_repeat
                if valued_width:
                    extent_rows, widest = rows, max(widest, valued_width)
                    if extent_rows > MAX_SHEET_ROWS or widest > MAX_SHEET_COLUMNS or extent_rows * widest > limit:
                        raise _refuse_extent(filename, "", extent_rows, widest)
        elif tag in (b"table-cell", b"covered-table-cell") and not closing:
            repeated = _ODS_COLUMNS_REPEATED.search(attrs)
            width += int(repeated.group(1)) if repeated else 1
            if not empty or b"office:value-type" in attrs:
                valued_width = width


def check_package_extent(data: bytes, *, filename: str) -> None:
    """Every worksheet of an xlsx/xlsm/ods package within the limits (small files: all sheets are checked)."""
    archive = open_package(data, filename=filename)
    names = archive.namelist()
    if "content.xml" in names:
        check_ods_extent(archive, filename=filename)
        return
    for name in names:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            check_sheet_extent(read_member(archive, name), filename=filename, sheet_name=Path(name).stem)


def find_formula_cells(data: bytes, *, filename: str, sheet_name: str | None = None, limit: int = 5) -> list[str]:
    """Cells holding formulas in the sheet to import (xlsx/xlsm/ods), without loading the workbook.

    calamine returns only values, so the sheet's XML is scanned for formula elements.
    """
    import re
    import zipfile

    archive = open_package(data, filename=filename)
    names = set(archive.namelist())
    if "content.xml" in names:  # OpenDocument
        with archive.open("content.xml") as stream:
            return ["(một hoặc nhiều ô)"] if _scan(stream, re.compile(rb"table:formula="), None, 1) else []
    member = _xlsx_sheet_member(archive, sheet_name)
    if member is None:
        return []
    xml = read_member(archive, member)  # a 100.000-row sheet is some 100 MB of XML
    check_sheet_extent(xml, filename=filename, sheet_name=sheet_name or "")
    if b"<f" not in xml and b":f" not in xml:
        return []
    return _scan(io.BytesIO(xml), re.compile(_FORMULA_TAG), re.compile(_CELL_REF), limit)


def _scan(stream, pattern, cell_ref, limit: int) -> list[str]:
    import re

    found: list[str] = []
    tail = b""
    plain = None  # sheets without a namespace prefix (nearly all): a plain byte search is 5× faster
    while len(found) < limit:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        buffer = tail + chunk
        if plain is None:
            plain = cell_ref is not None and re.search(rb"<[A-Za-z0-9_]+:worksheet\b", buffer[:4096]) is None
        begin = max(0, len(tail) - 64)
        if plain:
            positions = []
            position = buffer.find(b"<f", begin)
            while position != -1 and len(positions) < limit:
                if buffer[position + 2:position + 3] in (b">", b" ", b"/", b"\t", b"\n", b"\r"):
                    positions.append(position)
                position = buffer.find(b"<f", position + 2)
        else:
            positions = [m.start() for m in pattern.finditer(buffer, begin)]
        for start in positions:
            ref = "?"
            if cell_ref is not None:
                refs = list(cell_ref.finditer(buffer, max(0, start - 2048), start))
                ref = refs[-1].group(1).decode() if refs else "?"
            if ref not in found:
                found.append(ref)
            if len(found) >= limit:
                break
        tail = buffer[-4096:]
    return found


def _xlsx_sheet_member(archive, sheet_name: str | None) -> str | None:
    import html
    import re

    try:
        workbook = read_member(archive, "xl/workbook.xml")
        rels = read_member(archive, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    targets = {m.group(1): m.group(2) for m in re.finditer(
        rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(
        rb'<Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"', rels)})
    for sheet in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = sheet.group(1)
        name = re.search(rb'\bname="([^"]*)"', attrs)
        rid = re.search(rb'\br:id="([^"]+)"', attrs) or re.search(rb'\b\w+:id="([^"]+)"', attrs)
        if rid is None:
            continue
        decoded = html.unescape(name.group(1).decode("utf-8", "replace")) if name else ""
        if sheet_name is not None and decoded != sheet_name:
            continue
        if sheet_name is None and (b'state="hidden"' in attrs or b'state="veryHidden"' in attrs):
            continue
        target = targets.get(rid.group(1), b"").decode()
        if not target:
            return None
        return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def read_raw_sheet(data: bytes, *, filename: str) -> RawSheet:
    """The first visible worksheet as rows of raw values (calamine), or a csv as rows of text."""
    suffix = check_spreadsheet_bytes(data, filename=filename)
    if suffix in TEXT_SUFFIXES:
        return RawSheet(filename, Path(filename).stem, _read_csv(data, filename), from_text=True)
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [m for m in workbook.sheets_metadata
                  if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet
                  ] or workbook.sheets_metadata
        if not sheets:
            raise ImportFileError(f"Tệp {filename} không có trang tính nào.")
        sheet_name = sheets[0].name
        if suffix in {".xlsx", ".xlsm", ".ods"}:
            formulas = find_formula_cells(data, filename=filename, sheet_name=sheet_name)
            if formulas:
                raise ImportFileError(
                    f"Tệp {filename}, trang {sheet_name}: ô {', '.join(formulas)} chứa công thức thay cho giá trị. "
                    "Hãy chép cả trang rồi dán dạng giá trị (Dán đặc biệt → Giá trị), lưu lại rồi tải lên lại."
                )
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except ImportFileError:
        raise
    except PasswordError as exc:
        raise _refuse_password(filename) from exc
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise ImportFileError(
            f"Tệp {filename} bị hỏng hoặc không phải là bảng tính hợp lệ ({type(exc).__name__}); "
            "hãy mở thử bằng Excel, lưu lại rồi tải lên lại."
        ) from exc
    return RawSheet(filename, sheet_name, rows)


__all__ += ["RawSheet", "check_package_extent", "check_sheet_extent", "check_spreadsheet_bytes", "find_formula_cells",
            "open_package", "read_raw_sheet"]
