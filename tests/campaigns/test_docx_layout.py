"""The plan DOCX as Word reads it: grid widths equal to the cells', header rows repeated on each
page, headings kept with what follows, page numbers on every section's pages, Vietnamese as the
language, and file properties that name the issuing body. (scripts/convert_docs.sh shows the pages.)"""

import datetime
import io

import docx
import pytest
from docx.oxml.ns import qn

from campaigns.models import PlanDocument
from campaigns.documents.render.document import render_document
from campaigns.documents.render.docx import document_docx

pytestmark = pytest.mark.django_db


def word_of(unit_code: str):
    document = PlanDocument.objects.get(unit__code=unit_code)
    return document, docx.Document(io.BytesIO(document_docx(render_document(document))))


def grid_and_cells(table) -> tuple[list[int], list[list[int]]]:
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    cells = []
    for tr in table._tbl.findall(qn("w:tr")):
        cells.append([int(tc.find(qn("w:tcPr")).find(qn("w:tcW")).get(qn("w:w"))) for tc in tr.findall(qn("w:tc"))])
    return grid, cells


def test_every_table_s_grid_agrees_with_its_cells_and_stt_is_narrow(demo):
    _, word = word_of("CL")
    for table in word.tables:
        grid, rows = grid_and_cells(table)
        for row in rows:
            assert sum(row) == sum(grid)  # merged cells carry their columns' sum
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    header_grid, header_cells = grid_and_cells(word.tables[0])
    assert header_grid == header_cells[0] and [round(w / 567, 1) for w in header_grid] == [7.0, 9.5]
    data = word.tables[1]
    grid, _ = grid_and_cells(data)
    assert data.cell(0, 0).text == "STT" and grid[0] < grid[1] / 2  # STT narrow, names wide


def test_data_tables_repeat_their_header_rows_and_headings_stay_with_the_text(demo):
    _, word = word_of("CL")
    data = word.tables[1]
    flags = [tr.find(qn("w:trPr")) is not None and tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
             for tr in data._tbl.findall(qn("w:tr"))]
    header_rows = flags.index(False)
    assert header_rows in (2, 3) and not any(flags[header_rows:])  # the headers and the formula row
    headings = [p for p in word.paragraphs if p.text.startswith("III. KẾT QUẢ")]
    assert headings and all(p.paragraph_format.keep_with_next for p in headings)


def test_the_title_and_issuing_body_are_not_squeezed_by_their_rules(demo):
    _, word = word_of("HDUONG")
    title = next(p for p in word.paragraphs if p.text.startswith("Triển khai vận động"))
    assert title.paragraph_format.left_indent in (None, 0) and title.paragraph_format.right_indent in (None, 0)
    body = next(p for p in word.tables[0].rows[0].cells[0].paragraphs if p.text == "XÃ HẢI DƯƠNG")
    assert body.paragraph_format.left_indent in (None, 0)
    rules = [p for p in word.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]
    assert rules and not rules[0].text.strip()


def test_later_sections_number_their_first_page(demo):
    _, word = word_of("CL")
    assert len(word.sections) > 1
    assert word.sections[0].different_first_page_header_footer
    assert not any(s.different_first_page_header_footer for s in word.sections[1:])


def test_vietnamese_language_and_properties_of_the_issuing_body(demo):
    document, word = word_of("HDUONG")
    lang = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "vi-VN"
    assert b"en-US" not in word.styles.element.xml.encode()
    core = word.core_properties
    assert core.author == f"{document.issuing_body_line} (BHXH Portal)" and "python-docx" not in core.author
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert abs(core.created.replace(tzinfo=None) - now) < datetime.timedelta(minutes=5)
    assert core.language == "vi-VN" and core.title.startswith("KẾ HOẠCH")
