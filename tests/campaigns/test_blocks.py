"""Text markup and live blocks: safe HTML, parameters, figures from the database."""

import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.documents import services
from campaigns.models import BlockKind, PlanDocument
from campaigns.documents.render.blocks import parse_assignments, parse_phases, parse_reporting, spec_for
from campaigns.documents.render.document import render_document
from campaigns.documents.render.docx import document_docx
from campaigns.documents.render.markup import to_html, to_plain_text
from campaigns.documents.render.pdf import document_pdf
from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.campaigns.conftest import user
from tests.campaigns.pdfcheck import text_of

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "cang_long_2023-06_bhyt.csv"


def test_markup_keeps_headings_lists_bold_italics_and_escapes_html():
    html = to_html("# Mục I\n\n- **đậm** và *nghiêng*\n- Xã <b>A</b> <script>x()</script> [l](javascript:x)")
    assert "<h1>Mục I</h1>" in html and "<strong>đậm</strong>" in html and "<em>nghiêng</em>" in html
    assert "<b>" not in html and "<script>" not in html and "href" not in html
    assert "Xã &lt;b&gt;A&lt;/b&gt;" in html


def test_the_plain_text_of_a_block_drops_headings_bullets_and_emphasis():
    assert to_plain_text("## I. MỤC ĐÍCH\n\n- **Tăng** số người *tham gia*\n- Xã <b>A</b>") == (
        "I. MỤC ĐÍCH Tăng số người tham gia Xã <b>A</b>")
    assert to_plain_text("  ") == ""


@pytest.mark.django_db
def test_the_block_list_shows_a_plain_text_preview(client, demo):
    commune = Unit.objects.valid_on(OLD_TO).get(code="HDUONG")
    document = PlanDocument.objects.get(unit=commune, starter="commune-drive")
    services.block_add(document=document, kind=BlockKind.TEXT, text="## II. YÊU CẦU\n\n- *Đúng* hạn")
    client.force_login(user("canbo.haiduong"))
    page = client.get(reverse("campaigns:document_detail", args=[document.pk])).content.decode()
    blocks_list = page.split('id="khoi"')[1].split("</ol>")[0]
    assert "II. YÊU CẦU Đúng hạn" in blocks_list
    assert "##" not in blocks_list and "*Đúng*" not in blocks_list


@pytest.mark.django_db
def test_a_unit_name_with_html_prints_as_text(client, demo):
    commune = Unit.objects.valid_on(OLD_TO).get(code="HDUONG")
    commune.name = "Xã <i>Hải</i> Dương"
    commune.save()
    document = PlanDocument.objects.get(unit=commune, starter="commune-drive")
    services.block_add(document=document, kind=BlockKind.TEXT, text="Ghi chú <u>gạch</u>")
    client.force_login(user("canbo.haiduong"))
    page = client.get(reverse("campaigns:document_detail", args=[document.pk])).content.decode()
    assert "Ghi chú &lt;u&gt;gạch&lt;/u&gt;" in page and "<u>gạch</u>" not in page
    assert "<i>Hải</i>" not in page
    text = text_of(document_pdf(render_document(document)).content)
    assert "Ghi chú <u>gạch</u>" in text


def test_phases_assignments_and_reporting_are_written_one_per_line():
    assert parse_phases("- 21/03/2021 - 25/03/2021: Hội nghị\n01/04/2021 đến 31/07/2021: Vận động") == {
        "phases": [{"start": "2021-03-21", "end": "2021-03-25", "text": "Hội nghị"},
                   {"start": "2021-04-01", "end": "2021-07-31", "text": "Vận động"}]}
    with pytest.raises(ValidationError, match="Dòng 1: ngày 31/02/2021 không có thật"):
        parse_phases("31/02/2021: Sai")
    assert parse_assignments("đánh số: 1\nBHXH huyện:\n- Thu\n- Chi") == {
        "numbering": "1", "items": [{"body": "BHXH huyện", "duties": ["Thu", "Chi"]}]}
    with pytest.raises(ValidationError, match="nằm dưới tên một cơ quan"):
        parse_assignments("- Việc không có ai làm")
    assert parse_reporting("Báo cáo | UBND huyện | trước 30/11") == {
        "items": [{"what": "Báo cáo", "to": "UBND huyện", "by": "trước 30/11"}]}
    with pytest.raises(ValidationError, match="gửi ai"):
        parse_reporting("Báo cáo | UBND huyện")
    coverage = spec_for(BlockKind.COVERAGE)
    params = coverage.params_from_text("indicator: bhyt\nas_of: 2023-6\nchange: không")
    assert params == {"indicator": "bhyt", "as_of": "2023-06", "change": False}
    assert coverage.params_from_text(coverage.params_to_text(params)) == params
    with pytest.raises(ValidationError, match="không phải 'tên: giá trị'"):
        coverage.params_from_text("chi_tieu: bhyt")


@pytest.mark.django_db
def test_a_block_with_an_unknown_indicator_says_so_and_blocks_submission(demo):
    document = PlanDocument.objects.get(unit__code="HDUONG", starter="commune-drive")
    services.block_add(document=document, kind=BlockKind.ALLOCATION, params={"indicator": "khong_co"})
    rendered = render_document(document)
    assert rendered.errors == ["Không có chỉ tiêu mã 'khong_co'."]
    with pytest.raises(ValidationError, match="khối nội dung lỗi"):
        services.document_submit(document=document, by=user("canbo.haiduong"))


def golden_rows() -> dict[str, int]:
    with GOLDEN.open(encoding="utf-8") as f:
        return {r["local_code"]: int(r["bhyt_participants"]) for r in csv.DictReader(f)}


@pytest.fixture
def golden_participants(db, monkeypatch):
    """Stand in for the monthly results with the golden Càng Long figures where the reports app's
    tables read them: the coverage block has no other source of figures."""
    rows = golden_rows()

    def by_unit(*, parent, units, indicator_codes, month):
        if month.key != "2023-06":
            return {}
        return {(u.pk, "bhyt"): rows[u.code] for u in units if u.code in rows and "bhyt" in indicator_codes}

    monkeypatch.setattr("reports.tables.participants.participants_by_unit", by_unit)


@pytest.mark.django_db
def test_the_coverage_block_prints_the_golden_cang_long_table(demo, golden_participants):
    document = PlanDocument.objects.get(unit__code="CL", starter="district-half-year")
    text = text_of(document_pdf(render_document(document)).content)
    assert ("Tính đến ngày 30/06/2023, toàn huyện có 132.600 người tham gia BHYT, tỷ lệ bao phủ 89,11%, bằng "
            "93,80% chỉ tiêu được giao. Đến cuối năm 2023 còn phải phát triển 8.766 người") in text
    assert "Xã An Trường A 7.707 7.397 95,98% 95,00% 101,03%" in text and "(75)" in text
    assert "148.806 132.600 89,11% 95,00% 93,80%" in text
    assert "8.766" in text and "2.362" in text


@pytest.mark.django_db
def test_docx_export_has_the_header_table_and_the_allocation(demo):
    import io

    import docx

    document = PlanDocument.objects.get(unit__code="HDUONG", starter="commune-drive")
    word = docx.Document(io.BytesIO(document_docx(render_document(document))))
    header = word.tables[0].rows[0].cells
    assert "XÃ HẢI DƯƠNG" in header[0].text and "Số: 162/KH-UBND" in header[0].text
    assert "Độc lập - Tự do - Hạnh phúc" in header[1].text
    allocation = [[c.text for c in r.cells] for r in word.tables[1].rows]
    assert allocation[-1] == ["", "Tổng cộng", "40"]
    section = word.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30
    assert "Nguyễn Hữu Danh" in word.tables[-1].rows[0].cells[1].text
