"""Refusing what no reader should see: zip bombs, sheets whose cells are spread over billions of positions,
and formulas in place of values (measured from the XML, before calamine sees the file)."""

import html
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from bhxh_portal.numbers import format_number

from .problems import ImportFileError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
_FORMULA_TAG = rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]"  # <f>, <f t="shared" .../>, <x:f>; not <formula>
_CELL_REF = rb'<(?:[A-Za-z0-9_]+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"'

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


def open_package(data, *, filename: str) -> "zipfile.ZipFile":
    """The zip inside an xlsx/xlsm/ods, refused if it would inflate past the limit (a zip bomb).

    The sizes are the ones the package declares; both readers (Python's zipfile and calamine's Rust zip)
    stop with an error when a member inflates past its declared size, so a package cannot lie its way in.
    """
    if isinstance(data, (bytes, bytearray)):
        size, data = len(data), io.BytesIO(data)
    else:  # a seekable file: the stored upload, read from disk rather than held in memory
        size = data.seek(0, io.SEEK_END)
        data.seek(0)
    try:
        archive = zipfile.ZipFile(data)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ImportFileError("tệp bị hỏng (không mở được gói dữ liệu của bảng tính).", filename=filename) from exc
    if len(members) > MAX_PACKAGE_MEMBERS:
        raise ImportFileError(f"gói bảng tính có {len(members)} tệp con, bất thường; không đọc tệp này.",
                              filename=filename)
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_unpacked_bytes() or (unpacked > 100 * _MB and unpacked > 100 * size):
        raise ImportFileError(
            f"giải nén ra {format_number(unpacked // _MB)} MB từ {format_number(Decimal(size) / _MB, 1)} MB "
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
