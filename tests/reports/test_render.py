"""Renderers lay out a Table without computing: the same printed figures in every output."""

import io
import os
import shutil
import subprocess
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from reports.render import as_csv, as_json
from reports.render.pdf import as_pdf
from reports.render.xlsx import as_xlsx
from reports.tables.base import Column, Row, Table

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def table():
    columns = [
        Column("stt", "STT", "A", kind="text"),
        Column("unit", "Xã, phường", "B", kind="text"),
        Column("population", "Dân số", "1"),
        Column("participants", "Tổng số người tham gia BHYT", "2"),
        Column("coverage", "Tỷ lệ bao phủ", "3=2/1", kind="percent", group="Tỷ lệ (%)"),
        Column("achievement", "Tỷ lệ đạt so với giao", "5=3/4", kind="percent", group="Tỷ lệ (%)"),
        Column("remaining", "Số người còn phải vận động", "7"),
    ]
    return Table(key="bhyt", title="Bảng BHYT", columns=columns, rows=[
        Row({"stt": "1", "unit": "Xã An Trường A", "population": 7707, "participants": 7397,
             "coverage": Fraction(739700, 7707), "achievement": Fraction(739700, 7707) / 95 * 100,
             "remaining": -75}),
        Row({"stt": "", "unit": "=HYPERLINK(\"x\")", "population": 148806, "participants": 132600,
             "coverage": Fraction(13260000, 148806), "achievement": None, "remaining": 8766}, is_total=True),
    ])


def test_csv_holds_plain_numbers_and_escapes_formulas(table):
    lines = as_csv(table).splitlines()
    assert lines[1] == "1,Xã An Trường A,7707,7397,0.9598,1.0103,-75"  # printed 7.707, 95,98%, (75)
    assert lines[2].startswith(',"\'=HYPERLINK')
    assert lines[2].endswith(",148806,132600,0.8911,,8766")


def test_json_has_printed_values(table):
    assert '"remaining": "(75)"' in as_json(table)


def test_xlsx_has_merged_headers_formula_row_and_formats(table):
    wb = load_workbook(io.BytesIO(as_xlsx(table, unit_name="Huyện Càng Long")))
    ws = wb.active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "E4:F4" in merged and "A4:A5" in merged
    assert ws["E4"].value == "Tỷ lệ (%)" and ws["E5"].value == "Tỷ lệ bao phủ"
    assert [ws.cell(row=6, column=i).value for i in range(1, 8)] == ["A", "B", "1", "2", "3=2/1", "5=3/4", "7"]
    assert ws["C7"].value == 7707 and ws["C7"].number_format == "#,##0;(#,##0)"
    assert ws["G7"].value == -75
    assert ws["E7"].value == pytest.approx(0.9598) and ws["E7"].number_format == "0.00%"
    assert ws["C8"].font.bold and ws["B8"].value.startswith("'=")
    assert ws.freeze_panes == "C7"
    assert ws.page_setup.orientation == "landscape"
    # STT narrow and a number; a typeface on title and headers; long names wrapped
    assert ws["A7"].value == 1 and ws.column_dimensions["A"].width <= 8
    assert ws["A1"].font.name == ws["A4"].font.name == ws["E5"].font.name == "Times New Roman"
    assert ws["A2"].font.italic and ws["A1"].font.bold
    assert ws["B7"].alignment.wrap_text


def test_pdf_embeds_liberation_serif_and_keeps_vietnamese_text(table, tmp_path):
    pdf = as_pdf(table, unit_name="Huyện Càng Long")
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "Tổng số người tham gia BHYT" in text and "Xã An Trường A" in text and "(75)" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:  # WeasyPrint writes Type0 fonts
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded, not referenced
            fonts.add(str(font["/BaseFont"]))
    assert fonts and all("Liberation-Serif" in f for f in fonts), fonts


@pytest.mark.skipif(shutil.which("pdftoppm") is None and not IN_CI, reason="cần pdftoppm (gói poppler-utils)")
def test_pdf_page_renders_to_an_image_with_ink_on_it(table, tmp_path):
    (tmp_path / "bang.pdf").write_bytes(as_pdf(table, unit_name="Huyện Càng Long"))
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(tmp_path / "bang.pdf"),
                    str(tmp_path / "trang")], check=True, capture_output=True, timeout=60)
    (image,) = tmp_path.glob("trang*.pgm")
    magic, size, depth, pixels = image.read_bytes().split(b"\n", 3)
    width, height = map(int, size.split())
    assert magic == b"P5" and width > height  # A4 landscape
    dark = sum(1 for value in pixels if value < 128)
    assert 0.01 < dark / len(pixels) < 0.5  # text and rules, neither a blank nor a black page
