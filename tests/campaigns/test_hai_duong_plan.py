"""The 2021 plan of xã Hải Dương (reference plan 162/KH-UBND), built from the demo data in one click."""

import pytest
from django.urls import reverse

from campaigns.models import BlockKind, PlanDocument
from campaigns.documents.render.document import render_document
from campaigns.documents.render.pdf import document_pdf
from tests.campaigns.conftest import user
from tests.campaigns.pdfcheck import A4, MM, fonts_of, pieces, reader, text_of, word_boxes

pytestmark = pytest.mark.django_db

TOP, BOTTOM, LEFT, RIGHT = 20 * MM, 20 * MM, 30 * MM, 15 * MM  # the margins the document uses


@pytest.fixture
def plan_pdf(hai_duong, client):
    """What a commune official gets: one click on the commune-drive starting point, then the PDF."""
    client.force_login(user("canbo.haiduong"))
    response = client.post(reverse("campaigns:document_start"),
                           {"starter": "commune-drive", "unit": hai_duong.pk, "year": 2021})
    assert response.status_code == 302
    document = PlanDocument.objects.filter(unit=hai_duong, created_by__username="canbo.haiduong").get()
    # The number and the date are the clerk's: as printed on the reference plan.
    client.post(reverse("campaigns:document_edit", args=[document.pk]), {
        **_header_post(document), "number": "162", "issued_on": "2021-03-19",
    })
    document.refresh_from_db()
    assert document.number_symbol == "162/KH-UBND"
    response = client.get(reverse("campaigns:document_pdf", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return document, response.content


def _header_post(document) -> dict:
    from campaigns.documents.forms import HeaderForm

    form = HeaderForm(instance=document)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        value = field.prepare_value(value) if hasattr(field, "prepare_value") else value
        data[name] = "" if value is None else value
    data["issued_on"] = document.issued_on.isoformat() if document.issued_on else ""
    data["signer"] = document.signer_id or ""
    return data


def test_commune_official_gets_the_2021_hai_duong_plan_from_the_demo_data(plan_pdf):
    document, content = plan_pdf
    text = text_of(content)
    # the header lines
    for line in ["UBND THỊ XÃ HƯƠNG TRÀ", "ỦY BAN NHÂN DÂN", "XÃ HẢI DƯƠNG", "Số: 162/KH-UBND",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Hải Dương, ngày 19 tháng 3 năm 2021", "KẾ HOẠCH",
                 "Triển khai vận động tham gia bảo hiểm xã hội tự nguyện và bảo hiểm y tế năm 2021"]:
        assert line in text, line
    # the legal basis comes from the decision that set the targets
    assert "Thực hiện Quyết định số 324/QĐ-UBND ngày 15 tháng 3 năm 2021 của UBND thị xã Hương Trà" in text
    # the targets and their allocation, read from targets.Target: 6 × 5 + 10 = 40
    assert "BHYT hộ gia đình: 3.300 người" in text
    assert "BHYT cận nghèo: 152 người" in text
    assert "BHXH tự nguyện: 115 người; trong đó: vận động mới 37 người, tái tục 78 người" in text
    assert "Thị xã giao: 37 người" in text and "Xã phấn đấu: 40 người" in text
    for village in ["Thôn Vĩnh Trị", "Thôn TDT Đông", "Thôn TDT Tây", "Thôn TDH Bắc", "Thôn TDH Trung",
                    "Thôn TDH Nam"]:
        assert f"{village} 5" in text, village
    assert "Đại lý BHYT, BHXH xã Hải Dương 10" in text
    assert "Tổng cộng 40" in text
    assert "Tổng số phân bổ: 6 × 5 + 10 = 40 người. Đã phân bổ đủ chỉ tiêu." in text
    # the timeline, the recipients and the signature block
    assert "Từ ngày 21/03/2021 đến ngày 25/03/2021: Hội nghị triển khai kế hoạch" in text
    assert "Nơi nhận: - UBND thị xã; - Phòng LĐ-TBXH thị xã;" in text
    assert "- Lưu: VT, BHXH." in text
    assert "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text
    assert "PHÓ CHỦ TỊCH Nguyễn Hữu Danh" in text
    assert document.signer.username == "lanhdao.huongtra"


def test_the_plan_is_a4_portrait_with_the_decree_margins_and_embedded_fonts(plan_pdf, tmp_path):
    _, content = plan_pdf
    pdf = reader(content)
    assert len(pdf.pages) >= 3
    for number, page in enumerate(pdf.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(A4[0], abs=1) and height == pytest.approx(A4[1], abs=1)
        fonts = fonts_of(page)
        assert fonts and all(fonts.values()), f"page {number}: fonts not embedded: {fonts}"
        assert all("Liberation-Serif" in name for name in fonts), fonts
        for piece in pieces(page):
            in_top_margin = piece.y > height - TOP
            if in_top_margin and piece.text == "DỰ THẢO":  # a draft's mark, in the header of every page
                assert piece.x > width / 2 and piece.x < width - RIGHT, piece
                continue
            if in_top_margin:
                # otherwise only the page number lives there: from page 2, centred between the margins
                assert number > 1, f"page 1 has text in the top margin: {piece}"
                assert piece.text == str(number)
                assert piece.x == pytest.approx((LEFT + width - RIGHT) / 2, abs=6)
                continue
            assert piece.x >= LEFT - 0.5, f"page {number}: {piece} left of the 30 mm margin"
            assert piece.x < width - RIGHT, f"page {number}: {piece} right of the 15 mm margin"
            assert piece.y >= BOTTOM - 0.5, f"page {number}: {piece} in the 20 mm bottom margin"
    # the decree's ranges: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm
    assert 20 * MM <= TOP <= 25 * MM and 20 * MM <= BOTTOM <= 25 * MM
    assert 30 * MM <= LEFT <= 35 * MM and 15 * MM <= RIGHT <= 20 * MM
    boxes = word_boxes(content, tmp_path)
    if boxes is not None:  # every word ends inside the right margin too (Poppler's word boxes)
        for page_no, x_min, y_min, x_max, y_max, word in boxes:
            assert x_min >= LEFT - 0.5 and x_max <= A4[0] - RIGHT + 0.5, (page_no, word, x_min, x_max)
            assert y_max <= A4[1] - BOTTOM + 0.5, (page_no, word, y_max)


def test_the_header_is_two_columns_with_bodies_left_and_motto_right(plan_pdf):
    _, content = plan_pdf
    first = {p.text: p for p in pieces(reader(content).pages[0])}
    middle = A4[0] * 0.45
    assert first["UBND THỊ XÃ HƯƠNG TRÀ"].x < middle
    assert first["Số: 162/KH-UBND"].x < middle
    assert first["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"].x > middle
    assert first["Hải Dương, ngày 19 tháng 3 năm 2021"].x > middle
    assert first["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"].y == pytest.approx(first["UBND THỊ XÃ HƯƠNG TRÀ"].y, abs=2)
    assert first["KẾ HOẠCH"].y < first["Số: 162/KH-UBND"].y
    assert first["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"].size == pytest.approx(12, abs=0.1)
    assert first["Độc lập - Tự do - Hạnh phúc"].size == pytest.approx(13, abs=0.1)


def test_the_demo_carries_the_hai_duong_plan_numbered_as_printed(hai_duong):
    document = PlanDocument.objects.get(unit=hai_duong, starter="commune-drive", year=2021)
    assert document.number_symbol == "162/KH-UBND"
    assert document.date_line == "Hải Dương, ngày 19 tháng 3 năm 2021"
    kinds = [b.kind for b in document.blocks.all()]
    assert BlockKind.ALLOCATION in kinds and BlockKind.PHASES in kinds and BlockKind.ASSIGNMENTS in kinds
    text = text_of(document_pdf(render_document(document)).content)
    assert "6 × 5 + 10 = 40" in text


def test_the_allocation_block_is_live_until_approval(hai_duong):
    from agents.models import Agent
    from targets.models import Indicator, Target
    from units.periods import Period
    from targets.services import target_allocate

    document = PlanDocument.objects.get(unit=hai_duong, starter="commune-drive", year=2021)
    own = Target.objects.for_period(Period.of_year(2021)).get(
        unit=hai_duong, indicator=Indicator.objects.get(code="bhxh_tn_moi"), kind="phan_dau")
    agent = Agent.objects.get(unit=hai_duong)
    target_allocate(parent=own, shares={agent: 13})
    text = text_of(document_pdf(render_document(document)).content)
    assert "6 × 5 + 13 = 43" in text and "Vượt 3 người so với chỉ tiêu." in text
