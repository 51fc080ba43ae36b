"""Reading uploaded spreadsheets: `load_dataset` (a tablib Dataset with its header row, every cell cleaned)
for the row-by-row importers, `read_raw_sheet` (the cells as the reader returns them) for bulk lists."""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.conf import settings

from bhxh_portal.exports import unescape_cell

from .hostile import OLE_MAGIC, ZIP_MAGIC, check_ods_extent, check_package_extent, find_formula_cells, open_package
from .problems import ImportFileError

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt"}


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


# --- Raw sheet reading for bulk imports (participant lists of 100.000 rows) -------------------
# `read_raw_sheet` gives the first visible sheet's cells as the reader returns them (no tablib,
# no per-cell cleaning: the importer converts each column once), after refusing, with a
# Vietnamese message, what cannot be imported safely: a file that is not a spreadsheet, a
# password-protected or corrupt file, a file over the size limit, formulas in place of values.

_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


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
    return check_spreadsheet(data, filename=filename)


def check_spreadsheet(source, *, filename: str) -> str:
    """`check_spreadsheet_bytes` for bytes or a seekable binary file (read from disk: only its first and
    last 64 KB and the zip directory are read here)."""
    if isinstance(source, (bytes, bytearray)):
        size, head, tail = len(source), bytes(source[:65536]), bytes(source[-65536:])
    else:
        size = source.seek(0, io.SEEK_END)
        source.seek(max(0, size - 65536))
        tail = source.read()
        source.seek(0)
        head = source.read(65536)
        source.seek(0)
    if not size:
        raise ImportFileError(f"Tệp {filename} rỗng (0 byte).")
    if size > max_upload_bytes():
        raise ImportFileError(
            f"Tệp {filename} quá lớn ({size / 1048576:.1f} MB); giới hạn là {settings.IMPORT_MAX_UPLOAD_MB} MB."
        )
    suffix = Path(filename).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES | TEXT_SUFFIXES:
        raise ImportFileError(
            f"Tệp {filename} không phải là bảng tính (chỉ nhận .xlsx, .xls, .ods hoặc .csv)."
        )
    magic = head[:8]
    if magic == OLE_MAGIC:
        if _ENCRYPTION_STREAM in head or _ENCRYPTION_STREAM in tail or suffix != ".xls":
            # An Office file saved with a password is an encrypted package inside a Compound File.
            raise _refuse_password(filename)
        return suffix
    if suffix in {".xlsx", ".xlsm", ".ods"} and magic[:4] != ZIP_MAGIC:
        raise ImportFileError(
            f"Tệp {filename} không phải là bảng tính {suffix} (nội dung không đúng định dạng; có thể là tệp "
            "khác bị đổi tên)."
        )
    if suffix == ".xls" and magic[:4] == ZIP_MAGIC:
        suffix = ".xlsx"  # an .xlsx saved with the old extension: read it as what it is
    if suffix in TEXT_SUFFIXES and (magic[:4] == ZIP_MAGIC or (b"\x00" in head[:4096] and not looks_like_utf16(head))):
        raise ImportFileError(f"Tệp {filename} không phải là tệp văn bản csv (có thể là bảng tính bị đổi đuôi).")
    if magic[:4] == ZIP_MAGIC:
        archive = open_package(source, filename=filename)
        if "content.xml" in archive.namelist():
            check_ods_extent(archive, filename=filename)
    return suffix

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
