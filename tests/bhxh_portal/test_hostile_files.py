"""Spreadsheets built to exhaust the server are refused quickly, with a clear message, in bounded memory.

calamine allocates the whole rectangle from a sheet's first to its last cell and *aborts the process*
when that fails, so a 5 KB xlsx with cells in A1 and XFD1048576 (550 GB) would kill a worker; an .ods
row repeated a million times expands in memory; a zip bomb inflates hundreds of MB from a few KB.
`bhxh_portal.imports` measures these from the XML before calamine sees the file. Every reading path
shares that code: `load_dataset` (units, demographics, targets, results, activities, programme lists)
and `read_raw_sheet` (participant lists).

The reads run in a child process with its address space capped at 1,5 GB: if a guard ever regressed,
the child would die (and the test fail) instead of the test run or the machine.
"""

import io
import json
import re
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from bhxh_portal.imports import ImportFileError, load_dataset, read_raw_sheet

ROOT = Path(__file__).resolve().parents[2]
SHEET = "xl/worksheets/sheet1.xml"


def small_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã đơn vị", "Năm", "Dân số"])
    sheet.append(["00001", 2024, 1200])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(change, *, data: bytes | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data or small_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, change(body) if info.filename == SHEET else body)
    return out.getvalue()


def far_cell(ref: str) -> bytes:
    row = re.sub(r"[A-Z]", "", ref)
    return rewrite_sheet(lambda xml: xml.replace(
        b"</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode()))


def billion_row_dimension() -> bytes:
    return rewrite_sheet(lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:C1000000000"/>', xml))


def zip_bomb(megabytes: int = 300) -> bytes:
    """A real sheet padded with spaces inside <sheetData>: some 300 MB of XML in a few hundred KB."""
    return rewrite_sheet(lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes << 20)))


def lying_zip_bomb() -> bytes:
    """The same bomb whose headers claim the sheet inflates to 1.000 bytes."""
    data = bytearray(zip_bomb(200))
    real = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET).file_size
    needle, position = struct.pack("<I", real), 0
    while (position := data.find(needle, position)) != -1:
        data[position:position + 4] = struct.pack("<I", 1000)
    return bytes(data)


def repeated_ods(rows: int, columns: int) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="DS">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Mã đơn vị</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>Năm</text:p></table:table-cell></table:table-row>'
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated='
        f'"{columns}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        # what LibreOffice writes after the data: empty repeated rows, which cost nothing
        '<table:table-row table:number-rows-repeated="1000"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
        '</table:table></office:spreadsheet></office:body></office:document-content>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", content)
        package.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'))
    return out.getvalue()


HOSTILE = {
    "a-cell-in-XFD1048576.xlsx": (lambda: far_cell("XFD1048576"), "vùng dữ liệu quá lớn (1.048.576 dòng × 16.384 cột"),
    "a-cell-in-row-1e9.xlsx": (lambda: far_cell("A1000000000"), "vùng dữ liệu quá lớn (1.000.000.000 dòng"),
    "billion-row-dimension.xlsx": (billion_row_dimension, "vùng dữ liệu quá lớn (1.000.000.000 dòng × 3 cột"),
    "a-cell-in-ZZ900000.xlsx": (lambda: far_cell("ZZ900000"), "vùng dữ liệu quá lớn (900.000 dòng × 702 cột"),
    "zip-bomb.xlsx": (zip_bomb, "bom nén"),
    "lying-zip-bomb.xlsx": (lying_zip_bomb, "bị hỏng"),
    "repeated-rows.ods": (lambda: repeated_ods(1_000_000, 20), "vùng dữ liệu quá lớn (1.000.001 dòng × 20 cột"),
}

CHILD = r"""
import json, os, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings.test")
import django
django.setup()
from bhxh_portal.imports import ImportFileError, load_dataset, read_raw_sheet
path = sys.argv[1]
data = open(path, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcome = {}
for reader in (load_dataset, read_raw_sheet):
    started = time.perf_counter()
    try:
        reader(data, filename=os.path.basename(path))
        message = None
    except ImportFileError as exc:
        message = str(exc)
    outcome[reader.__name__] = {"message": message, "seconds": time.perf_counter() - started}
outcome["grown_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(outcome))
"""


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_spreadsheet_is_refused_quickly_in_bounded_memory(name, tmp_path):
    make, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    assert path.stat().st_size < 2 << 20  # all of them are small uploads
    result = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.splitlines()[-1])
    for reader in ("load_dataset", "read_raw_sheet"):
        message = outcome[reader]["message"]
        assert message is not None, f"{reader} read {name}"
        assert message.startswith(f"Tệp {name}"), message
        assert expected in message, message
        assert outcome[reader]["seconds"] < 1.0
    assert outcome["grown_mb"] < 100


def test_the_refusals_say_what_to_do():
    with pytest.raises(ImportFileError) as refused:
        load_dataset(far_cell("XFD1048576"), filename="ds.xlsx")
    assert "hãy xóa các dòng, cột thừa" in str(refused.value)
    with pytest.raises(ImportFileError, match=r"giải nén ra 300 MB .*giới hạn 1\.000 MB, nén không quá 100 lần"):
        read_raw_sheet(zip_bomb(), filename="ds.xlsx")


def test_ordinary_files_near_the_limits_still_read(settings):
    """A sheet with 30 columns and a last row of 250.000 (sparse, exact check) and an .ods with trailing
    empty rows are within the limits; the lowered IMPORT_MAX_CELLS then refuses the first."""
    data = far_cell("AD250000")
    assert len(load_dataset(data, filename="ds.xlsx")) == 2
    assert len(read_raw_sheet(data, filename="ds.xlsx").rows) == 250_000
    ods = repeated_ods(3, 2)
    assert load_dataset(ods, filename="ds.ods").dict[-1] == {"Mã đơn vị": "x", "Năm": "x"}
    settings.IMPORT_MAX_CELLS = 1_000_000
    with pytest.raises(ImportFileError, match="250.000 dòng × 30 cột"):
        read_raw_sheet(data, filename="ds.xlsx")


def test_a_zip_bomb_under_a_lowered_limit_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_MB = 10
    with pytest.raises(ImportFileError, match="giới hạn 10 MB"):
        load_dataset(zip_bomb(20), filename="ds.xlsx")


# --- through the upload pages and jobs: the same refusal, nothing written --------------------------------

@pytest.mark.django_db
def test_participant_upload_of_a_sparse_sheet_fails_the_job_with_the_reason(
        client, django_capture_on_commit_callbacks):
    from agents.importers import participant_import_start
    from agents.models import Participant
    from units.models import Role
    from tests.factories import make_member, make_unit

    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    staff = make_member(district, Role.BHXH_STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        job = participant_import_start(user=staff, unit=district, filename="ds.xlsx", data=far_cell("XFD1048576"))
    job.refresh_from_db()
    assert job.state == "failed"
    assert "vùng dữ liệu quá lớn" in job.message
    assert Participant.objects.count() == 0


@pytest.mark.django_db
def test_results_upload_of_a_zip_bomb_is_refused_on_the_page(client):
    from results.models import MonthlyResult
    from units.models import Role
    from tests.factories import make_member, make_unit

    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    client.force_login(make_member(district, Role.BHXH_STAFF))
    upload = SimpleUploadedFile("kq.xlsx", zip_bomb())
    started = time.perf_counter()
    response = client.post("/don-vi/ket-qua/nhap-tep/", {"file": upload}, follow=True)
    assert time.perf_counter() - started < 2
    assert "bom nén" in response.content.decode()
    assert MonthlyResult.objects.count() == 0
