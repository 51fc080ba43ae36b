"""The streaming reader (`open_sheet`) gives the values calamine gives, from files written by openpyxl and
our write-only writer (inline strings), as Excel writes them (shared strings), as LibreOffice and others may
(rich text, phonetic runs, prefixed XML, cells without references, custom date formats), in
bounded memory, and refuses what the other readers refuse: formulas, far-flung cells, zip bombs, entity
declarations, shared strings too large to keep."""

import datetime
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from bhxh_portal.importing import xlsx_stream
from bhxh_portal.importing.hostile import OLE_MAGIC
from bhxh_portal.importing.streaming import open_sheet
from bhxh_portal.importing.xlsx_writer import write_xlsx_rows
from bhxh_portal.imports import ImportFileError, read_raw_sheet
from tests.bhxh_portal.test_hostile_files import HOSTILE, ROOT, far_cell, repeated_ods, rewrite_sheet, small_xlsx
from tests.bhxh_portal.test_import_limits import NAMES, participant_list

D = datetime.date
SHEET = "xl/worksheets/sheet1.xml"


def rows_of(data: bytes, filename: str = "ds.xlsx") -> list[tuple[int, list]]:
    return [(line, _trimmed(row)) for line, row in open_sheet(data, filename=filename).rows()]


def _trimmed(row: list) -> list:
    while row and row[-1] is None:
        row = row[:-1]
    return row


def openpyxl_file() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách & <mẫu>"
    sheet.append(["Mã số BHXH", "Họ và tên", "Ngày sinh", "Số tiền", "Đúng", "Giờ"])
    sheet.append(["0101000001", "Nguyễn Thị Ánh & <Hoa>", D(1980, 5, 3), 138600, True,
                  datetime.datetime(2024, 9, 1, 8, 30)])
    sheet.append([101000002, None, "03/05/1981", 1.5, False, None])
    sheet.append([])
    sheet.append([None, None, None, None, None, None, "xa"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_openpyxl_workbook_reads_as_calamine_reads_it():
    data = openpyxl_file()
    got = rows_of(data)
    assert got == [
        (1, ["Mã số BHXH", "Họ và tên", "Ngày sinh", "Số tiền", "Đúng", "Giờ"]),
        (2, ["0101000001", "Nguyễn Thị Ánh & <Hoa>", D(1980, 5, 3), 138600, True,
             datetime.datetime(2024, 9, 1, 8, 30)]),
        (3, [101000002, None, "03/05/1981", 1.5, False]),
        (5, [None, None, None, None, None, None, "xa"]),
    ]
    assert open_sheet(data, filename="ds.xlsx").sheet_name == "Danh sách & <mẫu>"
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    for line, row in got:
        assert [("" if v is None else v) for v in row] == _trimmed_text(calamine[line - 1])


def with_shared_strings(data: bytes) -> bytes:
    """The same workbook with its text in a shared strings table, as Excel saves it."""
    strings: dict[bytes, int] = {}

    def shared(match):
        index = strings.setdefault(match.group(2), len(strings))
        return match.group(1) + b't="s"><v>' + str(index).encode() + b"</v></c>"

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == SHEET:
                body = re.sub(rb'(<c r="[A-Z]+[0-9]+" (?:s="[0-9]+" )?)t="inlineStr"><is><t>([^<]*)</t></is></c>',
                              shared, body)
            target.writestr(info.filename, body)
        target.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                        b'main">' + b"".join(b"<si><t>" + text + b"</t></si>" for text in strings) + b"</sst>")
    return out.getvalue()


def test_shared_strings_read_as_the_inline_ones_and_as_calamine_reads_them():
    data = with_shared_strings(openpyxl_file())
    assert b't="s"' in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert rows_of(data) == rows_of(openpyxl_file())
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [("" if v is None else v) for v in rows_of(data)[1][1][:2]] == calamine[1][:2]


def _trimmed_text(row: list) -> list:
    while row and row[-1] == "":
        row = row[:-1]
    return [int(v) if isinstance(v, float) and v.is_integer() else v for v in row]


def test_the_write_only_writer_reads_back_with_dates_and_leading_zeros(tmp_path):
    path = tmp_path / "ds.xlsx"
    write_xlsx_rows(path, [["STT", "Mã"], [1, "0012"], [2, D(2024, 9, 1)], [None, ""], [4, "a\tb < c"]])
    assert rows_of(path.read_bytes()) == [(1, ["STT", "Mã"]), (2, [1, "0012"]), (3, [2, D(2024, 9, 1)]),
                                          (5, [4, "a\tb < c"])]


LIBREOFFICE_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:C3"/>'
    b'<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t xml:space="preserve"> M\xc3\xa3 </x:t></x:is>'
    b'</x:c><x:c r="B1" t="inlineStr"><x:is><x:r><x:t>H\xe1\xbb\x8d </x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>t'
    b'\xc3\xaan</x:t></x:r></x:is></x:c></x:row><x:row><x:c t="s"><x:v>0</x:v></x:c><x:c/><x:c s="1"><x:v>45536'
    b'</x:v></x:c></x:row><x:row r="3"><x:c r="A3" t="e"><x:v>#N/A</x:v></x:c><x:c r="C3" s="1"><x:v>45536.5'
    b'</x:v></x:c></x:row></x:sheetData></x:worksheet>')
LIBREOFFICE_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<si><r><t>0012</t></r><r><t>345</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si><si/></sst>')
LIBREOFFICE_STYLES = (
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1">'
    b'<numFmt numFmtId="170" formatCode="DD/MM/YYYY;@"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
    b'<xf numFmtId="170" applyNumberFormat="1"/></cellXfs></styleSheet>')


def test_prefixed_xml_rich_text_cells_without_references_and_custom_date_formats():
    def change(name, body):
        return {SHEET: LIBREOFFICE_SHEET, "xl/sharedStrings.xml": LIBREOFFICE_STRINGS,
                "xl/styles.xml": LIBREOFFICE_STYLES}.get(name, body)

    source = zipfile.ZipFile(io.BytesIO(small_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
        if "xl/sharedStrings.xml" not in source.namelist():
            target.writestr("xl/sharedStrings.xml", LIBREOFFICE_STRINGS)
    assert rows_of(out.getvalue()) == [(1, [" Mã ", "Họ tên"]), (2, ["0012345", None, D(2024, 9, 1)]),
                                       (3, ["#N/A", None, datetime.datetime(2024, 9, 1, 12, 0)])]


def test_date_formats_are_told_from_number_formats():
    assert xlsx_stream.is_date_format("dd/mm/yyyy") and xlsx_stream.is_date_format("[$-42A]d mmmm yyyy")
    assert xlsx_stream.is_date_format("h:mm:ss")
    assert not xlsx_stream.is_date_format('#,##0 "đồng"') and not xlsx_stream.is_date_format("0.00E+00")
    assert not xlsx_stream.is_date_format("General") and not xlsx_stream.is_date_format("[Red]0")


def test_formulas_are_refused_naming_their_cells():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã", "Số tiền"])
    sheet.append(["01", "=1+1"])
    sheet.append(["02", 5])
    sheet.append(["03", "=SUM(B2:B3)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError, match=r"ô B2, B4 chứa công thức thay cho giá trị"):
        rows_of(buffer.getvalue())


def test_entity_declarations_are_refused():
    bomb = rewrite_sheet(lambda xml: xml.replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><worksheet', 1))
    with pytest.raises(ImportFileError, match="DOCTYPE"):
        rows_of(bomb)


def test_shared_strings_too_large_to_keep_are_refused(monkeypatch):
    data = with_shared_strings(openpyxl_file())
    monkeypatch.setattr(xlsx_stream, "MAX_SHARED_STRINGS", 100)
    with pytest.raises(ImportFileError, match="bảng chuỗi dùng chung của bảng tính quá lớn"):
        rows_of(data)


def test_cells_spread_past_the_limits_are_refused_as_they_come(settings):
    assert rows_of(far_cell("AD250000"))[-1][0] == 250_000
    settings.IMPORT_MAX_CELLS = 1_000_000
    with pytest.raises(ImportFileError, match="250.000 dòng × 30 cột"):
        rows_of(far_cell("AD250000"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "utf-16"])
def test_a_csv_streams_as_it_reads_whole(encoding):
    text = "Mã số BHXH;Họ và tên\r\n0101000001;Nguyễn Thị Ánh\r\n;\r\n\"0101000002\";\"Lê\nBình\"\r\n"
    data = text.encode(encoding)
    whole = read_raw_sheet(data, filename="ds.csv").rows
    assert [row for _, row in open_sheet(data, filename="ds.csv").rows()] == whole
    assert whole[1] == ["0101000001", "Nguyễn Thị Ánh"] and whole[3] == ["0101000002", "Lê\nBình"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1258", "utf-8"])
def test_each_encoding_of_a_participant_list_streams_composed(encoding):
    rows = [row for _, row in open_sheet(participant_list(encoding), filename="ds.csv").rows()]
    assert [row[2] for row in rows[1:]] == NAMES


CHILD = r"""
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings.test")
import django
django.setup()
from bhxh_portal.importing.streaming import open_sheet
from bhxh_portal.imports import ImportFileError
path = sys.argv[1]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
message, count = None, 0
try:
    with open(path, "rb") as stream:
        for _ in open_sheet(stream, filename=os.path.basename(path)).rows():
            count += 1
except ImportFileError as exc:
    message = str(exc)
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"message": message, "rows": count, "grown_mb": grown}))
"""


def _child(path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", [n for n in HOSTILE if n.endswith(".xlsx")])
def test_a_hostile_spreadsheet_is_refused_by_the_streaming_reader_too(name, tmp_path):
    make, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    outcome = _child(path)
    assert outcome["message"] is not None and expected in outcome["message"], outcome
    assert outcome["grown_mb"] < 100


def test_a_long_list_is_read_in_memory_that_does_not_grow_with_it(tmp_path):
    """200.000 rows × 12 columns: 40 MB of XML; what the reader holds stays a few MB."""
    path = tmp_path / "ds.xlsx"
    row = ["0101000001", "Nguyễn Thị Ánh", D(1980, 5, 3), "Nữ", "00001", "X1-T1", "BHXH TN", 700_000,
           "Hằng tháng", 12, "Mới", 138_600]
    write_xlsx_rows(path, ([n, *row] for n in range(200_000)))
    outcome = _child(path)
    assert outcome["message"] is None and outcome["rows"] == 200_000
    assert outcome["grown_mb"] < 40


@pytest.mark.parametrize("filename", ["ds.ods", "ds.xls"])
def test_a_legacy_sheet_above_the_whole_sheet_limit_is_refused_naming_the_formats_to_use(settings, filename):
    settings.IMPORT_MAX_WHOLE_SHEET_MB = 0
    # An .xls is refused on its size alone, before calamine reads it: a Compound File header is enough here.
    data = repeated_ods(10, 2) if filename.endswith(".ods") else OLE_MAGIC + bytes(4096)
    with pytest.raises(ImportFileError) as refused:
        open_sheet(data, filename=filename)
    message = str(refused.value)
    assert message.startswith(f"Tệp {filename}: bảng tính .{filename.split('.')[1]} phải đọc cả tệp vào bộ nhớ "
                              "một lúc, nên chỉ nhận đến 0 MB dữ liệu (tệp này 0")
    assert "lưu lại dưới dạng .xlsx (Sổ làm việc Excel) hoặc .csv (UTF-8)" in message


def test_a_legacy_sheet_within_the_whole_sheet_limit_is_read():
    rows = list(open_sheet(repeated_ods(3, 2), filename="ds.ods").rows())
    assert rows[:2] == [(1, ["Mã đơn vị", "Năm"]), (2, ["x", "x"])] and len(rows) == 4
