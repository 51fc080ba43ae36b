"""An xlsx worksheet read row by row in bounded memory: the zip member inflated in 1 MB steps, never
the whole sheet at once (a 1.000.000-row list is 1 GB of XML).

calamine builds the whole sheet in memory before the first row comes out (379 MB for 100.000 rows,
874 MB for 300.000); a SAX parser (expat) calls back into Python five times a cell, three times
slower. Here most cells go through one C regex per 1 MB of XML (`<c r="B7" t="s"><v>12</v></c>`, the
shape every writer uses for plain values); a chunk with anything else (formulas, rich text, attributes
in another order, cells without a reference) is parsed by expat instead, so nothing is read wrong.

What a row holds, as calamine gave it: numbers (int when written without a decimal point), text
(shared or inline, entities resolved), booleans, dates (`datetime.date`, or `datetime` when the
serial has a time) for numbers whose cell style has a date format. Refused on the way: formulas
(their cells named, up to five), cells spread past the sheet limits (checked as the rows come), a
declared dimension past them, XML with a DOCTYPE (entity expansion), a part that inflates past what
its header declares (a lying zip bomb: zipfile stops on the CRC).
"""

import datetime
import html
import re
import zipfile
import zlib
from array import array
from xml.parsers import expat

from .hostile import (
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    _refuse_extent,
    _xlsx_sheet_member,
    check_sheet_extent,
    max_sheet_cells,
)
from .problems import ImportFileError

_MB = 1024 * 1024
CHUNK = _MB
# Parts read whole (workbook, relationships, styles) are small in every real file.
MAX_SMALL_PART = 16 * _MB
# The shared strings are kept (compactly: one UTF-8 blob and offsets), so their size is bounded.
MAX_SHARED_STRINGS = 256 * _MB
MAX_FORMULAS_NAMED = 5
_MEMO_LIMIT = 50_000  # distinct texts and dates remembered at once (values repeat down a column)

# Built-in number formats that are dates or times (ECMA-376 18.8.30, with the East Asian ones).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_EPOCH_1900 = datetime.datetime(1899, 12, 30)
_EPOCH_1904 = datetime.datetime(1904, 1, 1)

(NUMBER, DATE, SHARED, INLINE, BOOLEAN, TEXT, ERROR) = range(7)


def _fast_cell(prefix: bytes) -> "re.Pattern":
    p = re.escape(prefix)
    return re.compile(
        rb'<' + p + rb'c r="([A-Z]{1,3})([0-9]{1,10})"((?: [a-zA-Z]+="[^"]*")*) ?(?:/>|>(?:<' + p + rb'v>([^<]*)</'
        + p + rb'v>|<' + p + rb'is><' + p + rb't(?: xml:space="preserve")?>([^<]*)</' + p + rb't></' + p
        + rb'is>)?</' + p + rb'c>)')


def is_date_format(code: str) -> bool:
    """A custom number format that shows a date or time (d, m, y, h, s outside quotes and brackets)."""
    stripped = _QUOTED.sub("", code.split(";")[0]).lower()
    return any(letter in stripped for letter in "dmyhs") and "general" not in stripped


def _read_small(archive: zipfile.ZipFile, name: str, *, filename: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_SMALL_PART:
        raise ImportFileError(f"phần {name} của bảng tính lớn bất thường; không đọc tệp này.", filename=filename)
    return _inflate(archive, name, filename=filename)


def _inflate(archive: zipfile.ZipFile, name: str, *, filename: str) -> bytes:
    try:
        with archive.open(name) as stream:
            return stream.read()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _corrupt(filename) from exc


def _corrupt(filename: str) -> ImportFileError:
    return ImportFileError("tệp bị hỏng hoặc không phải là bảng tính hợp lệ; hãy mở thử bằng Excel, lưu lại rồi "
                           "tải lên lại.", filename=filename)


def _refuse_doctype(xml: bytes, filename: str) -> None:
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise ImportFileError("bảng tính có khai báo DOCTYPE/ENTITY (không có trong tệp Excel thật); không đọc "
                              "tệp này.", filename=filename)


def date_styles(styles: bytes | None) -> set[int]:
    """Indexes of the cell formats (cellXfs) whose number format is a date or time."""
    if not styles:
        return set()
    custom = {int(m.group(1)): html.unescape(m.group(2).decode("utf-8", "replace")) for m in re.finditer(
        rb'<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId="([0-9]+)"[^>]*?\bformatCode="([^"]*)"', styles)}
    custom.update({int(m.group(2)): html.unescape(m.group(1).decode("utf-8", "replace")) for m in re.finditer(
        rb'<(?:\w+:)?numFmt\b[^>]*?\bformatCode="([^"]*)"[^>]*?\bnumFmtId="([0-9]+)"', styles)})
    cell_xfs = re.search(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.S)
    found = set()
    if cell_xfs is None:
        return found
    for index, xf in enumerate(re.finditer(rb"<(?:\w+:)?xf\b([^>]*)>", cell_xfs.group(0))):
        number = re.search(rb'\bnumFmtId="([0-9]+)"', xf.group(1))
        format_id = int(number.group(1)) if number else 0
        if format_id in _DATE_FORMAT_IDS or (format_id in custom and is_date_format(custom[format_id])):
            found.add(index)
    return found


class SharedStrings:
    """The workbook's shared strings as one UTF-8 blob and their offsets: 3.000.000 strings of a million-row
    list take some 60 MB this way, 250 MB as Python strings."""

    _SI = re.compile(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>|<(?:\w+:)?si/>", re.S)
    _PLAIN = re.compile(rb"<(?:\w+:)?t(?: xml:space=\"preserve\")?>([^<]*)</(?:\w+:)?t>")
    _RUN_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>([^<]*)</(?:\w+:)?t>")
    _PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)

    def __init__(self, archive: zipfile.ZipFile | None = None, *, filename: str = ""):
        self.blob = bytearray()
        self.offsets = array("Q", [0])
        if archive is None:
            return
        try:
            info = archive.getinfo("xl/sharedStrings.xml")
        except KeyError:
            return
        if info.file_size > MAX_SHARED_STRINGS:
            raise ImportFileError(
                f"bảng chuỗi dùng chung của bảng tính quá lớn ({info.file_size // _MB} MB; tối đa "
                f"{MAX_SHARED_STRINGS // _MB} MB); hãy chép phần dữ liệu sang tệp mới rồi tải lên lại.",
                filename=filename)
        self._load(archive, filename)

    def _load(self, archive: zipfile.ZipFile, filename: str) -> None:
        tail, closings = b"", None
        try:
            with archive.open("xl/sharedStrings.xml") as stream:
                while chunk := stream.read(CHUNK):
                    buffer = tail + chunk
                    if closings is None:
                        _refuse_doctype(buffer, filename)
                        root = re.search(rb"<(\w+:)?sst\b", buffer[:8192])
                        prefix = (root.group(1) or b"") if root else b""
                        closings = (b"</" + prefix + b"si>", b"<" + prefix + b"si/>")
                    ends = [at + len(tag) for tag in closings if (at := buffer.rfind(tag)) >= 0]
                    end = max(ends, default=0)
                    self._add(buffer, end)
                    tail = buffer[end:]
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise _corrupt(filename) from exc

    def _add(self, buffer: bytes, end: int) -> None:
        blob, offsets, plain, runs, phonetic = self.blob, self.offsets, self._PLAIN, self._RUN_TEXT, self._PHONETIC
        for item in self._SI.finditer(buffer, 0, end):
            body = item.group(1) or b""
            simple = plain.fullmatch(body)
            if simple is not None:
                text = simple.group(1)
            else:
                text = b"".join(runs.findall(phonetic.sub(b"", body)))
            if b"&" in text:
                text = html.unescape(text.decode("utf-8", "replace")).encode("utf-8")
            blob += text
            offsets.append(len(blob))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        return self.blob[self.offsets[index]:self.offsets[index + 1]].decode("utf-8", "replace")


class XlsxSheet:
    """One worksheet of an open xlsx package; `rows()` yields (line, values) for every row with a cell."""

    def __init__(self, archive: zipfile.ZipFile, *, filename: str, sheet_name: str | None = None):
        self.archive, self.filename = archive, filename
        workbook = _read_small(archive, "xl/workbook.xml", filename=filename)
        if workbook is None:
            raise _corrupt(filename)
        self.sheet_name = sheet_name if sheet_name is not None else _first_visible_name(workbook)
        self.member = _xlsx_sheet_member(archive, self.sheet_name or None) if workbook else None
        if self.member is None or self.member not in archive.namelist():
            names = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if not names:
                raise ImportFileError("không có trang tính nào.", filename=filename)
            self.member = sorted(names)[0]
        self.epoch = _EPOCH_1904 if re.search(rb'date1904="(?:1|true)"', workbook) else _EPOCH_1900
        self.date_styles = date_styles(_read_small(archive, "xl/styles.xml", filename=filename))
        self.strings = SharedStrings(archive, filename=filename)
        self.formulas: list[str] = []
        self.rows_seen = self.widest = self.last_line = self.row_width = 0
        self.max_cells = max_sheet_cells()
        self._kinds: dict[bytes, int] = {}
        self._columns: dict[bytes, int] = {}
        self._texts: dict[bytes, str] = {}
        self._dates: dict[bytes, object] = {}

    # -- the rows ---------------------------------------------------------------------------------
    def rows(self):
        """(line, values) for every row holding a cell, in order; values[i] is column i (None where empty)."""
        try:
            stream = self.archive.open(self.member)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as exc:
            raise _corrupt(self.filename) from exc
        with stream:
            yield from self._rows_of(stream)
        if self.formulas:
            self._refuse_formulas()

    def _rows_of(self, stream):
        tail, prefix, fast, started = b"", None, None, False
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise _corrupt(self.filename) from exc
            buffer = tail + chunk
            if not started:
                if not chunk or len(buffer) > 8 * _MB or b"sheetData" in buffer:
                    prefix, buffer = self._start(buffer)
                    fast, close_row, started = _fast_cell(prefix), b"</" + prefix + b"row>", True
                    if buffer is None:
                        return
                else:
                    tail = buffer
                    continue
            end_data = buffer.find(b"</" + prefix + b"sheetData>")
            if end_data >= 0:
                buffer = buffer[:end_data]
            end = buffer.rfind(close_row)
            end = len(buffer) if end_data >= 0 or not chunk else (end + len(close_row) if end >= 0 else 0)
            if end:
                yield from self._chunk_rows(buffer, end, prefix, fast)
            if end_data >= 0 or not chunk:
                return
            tail = buffer[end:]

    def _start(self, buffer: bytes) -> tuple[bytes, bytes | None]:
        """The namespace prefix of the sheet's elements and the XML after <sheetData>, once the extent the
        sheet declares is checked; None for a sheet without data."""
        _refuse_doctype(buffer, self.filename)
        root = re.search(rb"<(\w+:)?worksheet\b", buffer[:8192])
        prefix = (root.group(1) or b"") if root else b""
        position = buffer.find(b"<" + prefix + b"sheetData")
        if position < 0:
            return prefix, None
        check_sheet_extent(buffer[:position], filename=self.filename, sheet_name=self.sheet_name)
        opening = buffer.find(b">", position)
        if buffer[opening - 1:opening] == b"/":
            return prefix, None
        return prefix, buffer[opening + 1:]

    def _chunk_rows(self, buffer: bytes, end: int, prefix: bytes, fast) -> list:
        cells = fast.findall(buffer, 0, end)
        if len(cells) == buffer.count(b"<" + prefix + b"c", 0, end):
            return self._fast_rows(cells)
        rows = self._expat_rows(buffer[:end], prefix)  # something else than plain values: parse it all
        if len(self.formulas) >= MAX_FORMULAS_NAMED:
            self._refuse_formulas()
        return rows

    def _fast_rows(self, cells: list) -> list:
        """Rows from the regex's (column, row, attributes, value, inline text) tuples. The hot loop of a
        million-row import (20.000.000 cells): each row starts as wide as the widest seen, so a cell is one
        store; kinds, columns, texts and dates are looked up in small dicts."""
        out, row, current, line = [], None, None, 0
        kinds, columns, texts, dates = self._kinds, self._columns, self._texts, self._dates
        blob, offsets = self.strings.blob, self.strings.offsets
        for letters, digits, attrs, number, inline in cells:
            if digits != current:
                if row is not None:
                    out.append((line, row))
                current, line = digits, int(digits)
                if line > self.last_line:
                    self._extent(line, 0)
                row = [None] * self.row_width
            try:
                index = columns[letters]
            except KeyError:
                index = self._column(letters, line)
            try:
                kind = kinds[attrs]
            except KeyError:
                kind = self._kind(attrs)
            if kind is INLINE:
                try:
                    value = texts[inline]
                except KeyError:
                    value = self._text(inline)
            elif not number:
                continue
            elif kind is SHARED:
                at = int(number)
                value = blob[offsets[at]:offsets[at + 1]].decode("utf-8", "replace")
            elif kind is NUMBER:
                value = int(number) if number.isdigit() else _number(number)
            elif kind is DATE:
                try:
                    value = dates[number]
                except KeyError:
                    value = self._date(number)
            else:
                value = self._other(kind, number)
            try:
                row[index] = value
            except IndexError:
                row.extend([None] * (index + 1 - len(row)))
                row[index] = value
        if row is not None:
            out.append((line, row))
        return out

    # -- one value --------------------------------------------------------------------------------
    def _column(self, letters: bytes, line: int) -> int:
        number = 0
        for letter in letters:
            number = number * 26 + letter - 64
        self._extent(line, number)
        self._columns[letters] = number - 1
        return number - 1

    def _kind(self, attrs: bytes) -> int:
        kind_of = re.search(rb'\bt="([^"]*)"', attrs)
        style = re.search(rb'\bs="([0-9]+)"', attrs)
        kind = {b"s": SHARED, b"inlineStr": INLINE, b"b": BOOLEAN, b"str": TEXT, b"e": ERROR,
                b"d": TEXT}.get(kind_of.group(1) if kind_of else b"n", NUMBER)
        if kind == NUMBER and style is not None and int(style.group(1)) in self.date_styles:
            kind = DATE
        self._kinds[attrs] = kind
        return kind

    def _text(self, raw: bytes) -> str:
        text = raw.decode("utf-8", "replace")
        if "&" in text:
            text = html.unescape(text)
        if len(self._texts) > _MEMO_LIMIT:
            self._texts.clear()
        if "&" in text or len(raw) < 64:  # worth remembering: entities to resolve, or a short repeated value
            self._texts[raw] = text
        return text

    def _date(self, raw: bytes):
        serial = float(raw)
        try:
            # to the millisecond, as Excel shows it: 8:30 is stored as 45536.354166666664
            moment = self.epoch + datetime.timedelta(milliseconds=round(serial * 86_400_000))
        except (OverflowError, ValueError):
            return serial  # not a date any calendar holds: the importer says the value is wrong
        value = moment.date() if serial.is_integer() else moment
        if len(self._dates) > _MEMO_LIMIT:
            self._dates.clear()
        self._dates[raw] = value
        return value

    def _other(self, kind: int, raw: bytes):
        if kind == BOOLEAN:
            return raw.strip() in (b"1", b"true")
        text = raw.decode("utf-8", "replace")
        return html.unescape(text) if "&" in text else text

    def _extent(self, line: int, columns: int) -> None:
        """Refuse the sheet once its cells span more than the limits (rows × columns seen so far)."""
        if line > self.rows_seen:
            self.rows_seen = line
        if columns > self.widest:
            self.widest = columns
        rows, widest = self.rows_seen, max(self.widest, 1)
        if rows > MAX_SHEET_ROWS or widest > MAX_SHEET_COLUMNS or rows * widest > self.max_cells:
            raise _refuse_extent(self.filename, self.sheet_name, rows, widest)
        # Below this line, no row can break a limit with the columns seen so far: not checked again.
        self.last_line = min(MAX_SHEET_ROWS, self.max_cells // widest)
        self.row_width = min(self.widest, 256)  # a far-flung cell widens only its own rows

    def _refuse_formulas(self) -> None:
        raise ImportFileError(
            f"Tệp {self.filename}, trang {self.sheet_name}: ô {', '.join(self.formulas)} chứa công thức thay cho "
            "giá trị. Hãy chép cả trang rồi dán dạng giá trị (Dán đặc biệt → Giá trị), lưu lại rồi tải lên lại.")

    # -- anything else: expat ---------------------------------------------------------------------
    def _expat_rows(self, xml: bytes, prefix: bytes) -> list:
        """Rows of a chunk the regex did not fully read, parsed as XML (the chunk is whole <row> elements)."""
        return _ExpatRows(self, prefix.decode()).parse(xml)


def _number(raw: bytes):
    try:
        return int(raw)
    except ValueError:
        return float(raw)


def _first_visible_name(workbook: bytes) -> str:
    for sheet in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = sheet.group(1)
        if b'state="hidden"' in attrs or b'state="veryHidden"' in attrs:
            continue
        name = re.search(rb'\bname="([^"]*)"', attrs)
        return html.unescape(name.group(1).decode("utf-8", "replace")) if name else ""
    return ""


class _ExpatRows:
    """The general path: a chunk of <row> elements through expat, into the same (line, values) rows."""

    def __init__(self, sheet: XlsxSheet, prefix: str):
        self.sheet, self.prefix = sheet, prefix
        self.out: list = []
        self.row: list | None = None
        self.line = 0
        self.cell = None  # [column, attrs bytes, text parts, in formula, in phonetic]
        self.next_column = 0

    def parse(self, xml: bytes) -> list:
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.text
        try:
            parser.Parse(b"<chunk>" + xml + b"</chunk>", True)
        except expat.ExpatError as exc:
            raise ImportFileError(f"trang tính không phải XML hợp lệ ({exc}).", filename=self.sheet.filename) from exc
        return self.out

    def start(self, name: str, attrs: dict) -> None:
        name = name.rpartition(":")[2]
        if name == "row":
            self.line = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.line + 1
            self.row, self.next_column = [], 0
            self.sheet._extent(self.line, 0)
        elif name == "c" and self.row is not None:
            ref = attrs.get("r", "")
            letters = ref.rstrip("0123456789").encode()
            column = (self.sheet._column(letters, self.line) if letters.isalpha() and letters.isupper()
                      else self.next_column)
            kind = " ".join(f'{k}="{v}"' for k, v in attrs.items() if k in ("s", "t"))
            self.cell = [column, kind, [], False, False, ref or f"?{self.line}"]
        elif self.cell is not None:
            if name == "f":
                self.cell[3] = True
                if len(self.sheet.formulas) < MAX_FORMULAS_NAMED and self.cell[5] not in self.sheet.formulas:
                    self.sheet.formulas.append(self.cell[5])
            elif name == "rPh":
                self.cell[4] = True

    def end(self, name: str) -> None:
        name = name.rpartition(":")[2]
        if name == "row" and self.row is not None:
            if self.row:
                self.out.append((self.line, self.row))
            self.row = None
        elif name == "c" and self.cell is not None:
            self._store()
            self.cell = None
        elif name in ("f", "rPh") and self.cell is not None:
            self.cell[3 if name == "f" else 4] = False

    def text(self, data: str) -> None:
        if self.cell is not None and not self.cell[3] and not self.cell[4]:
            self.cell[2].append(data)

    def _store(self) -> None:
        column, attrs, parts, _, _, _ = self.cell
        self.next_column = column + 1
        raw = "".join(parts)
        if raw == "" and 't="inlineStr"' not in attrs:
            return
        sheet = self.sheet
        kind = sheet._kinds.get(attrs.encode())
        if kind is None:
            kind = sheet._kind(attrs.encode())
        if kind == INLINE or kind in (TEXT, ERROR):
            value = raw
        elif kind == SHARED:
            value = sheet.strings[int(raw)]
        elif kind == BOOLEAN:
            value = raw.strip() in ("1", "true")
        elif kind == DATE:
            value = sheet._date(raw.strip().encode())
        else:
            value = _number(raw.strip().encode())
        row = self.row
        if column >= len(row):
            row.extend([None] * (column - len(row)))
            row.append(value)
        else:
            row[column] = value
