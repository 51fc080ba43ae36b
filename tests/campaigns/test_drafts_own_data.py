"""A draft carries only its unit's data: the province monthly plan lists the activities planned for
that province and month (campaigns.activities.selectors.monthly_plan), and the contribution rate and
income bounds printed in a plan are the dated rules of the plan's date, not figures written in code."""

import datetime
from decimal import Decimal

import pytest

from agents.models import ContributionRate, Product, ReferenceKind
from campaigns.models import BlockKind, PlanDocument
from campaigns.documents.render.document import render_document
from campaigns.documents.render.pdf import document_pdf
from campaigns.documents.services import document_create_from_starter
from campaigns.documents.starters import build_draft
from campaigns.documents.starters.programme import provincial_programme
from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.campaigns.pdfcheck import text_of

pytestmark = pytest.mark.django_db

# What Bình Định's October 2024 activities add up to (reference plan 2024, demo data).
BINH_DINH_FIGURES = ["144", "1.110", "360", "770", "145", "440", "350", "116"]


def _activities(draft):
    return next(b for b in draft.blocks if b.kind == BlockKind.ACTIVITIES)


def test_a_province_without_activities_says_so_and_prints_none_of_binh_dinhs_numbers(demo):
    tra_vinh = Unit.objects.valid_on(OLD_TO).get(code="84")
    block = _activities(build_draft(kind="province-monthly", unit=tra_vinh, year=2024, month=10))
    assert block.params == {"rows": []}
    sentence = "Chưa có hoạt động vận động nào được lên kế hoạch cho Tỉnh Trà Vinh trong tháng 10/2024."
    assert sentence in block.text
    document = document_create_from_starter(kind="province-monthly", unit=tra_vinh, year=2024, month=10)
    text = text_of(document_pdf(render_document(document)).content)
    assert sentence in text
    for figure in [*BINH_DINH_FIGURES, "Quy Nhơn", "Phòng Quản lý Thu - Sổ, Thẻ;"]:
        assert f" {figure} " not in f" {text} ", figure


def test_binh_dinhs_own_plan_lists_its_october_2024_activities(demo):
    document = PlanDocument.objects.get(unit__code="52", starter="province-monthly", year=2024)
    rows = {r["activity"]: r for r in _activities(build_draft(
        kind="province-monthly", unit=document.unit, year=2024, month=10)).params["rows"]}
    direct = rows["Làm việc trực tiếp với đơn vị sử dụng lao động"]
    assert (direct["count"], direct["expected"]) == (144, "1.110 BHXH bắt buộc")
    assert direct["organiser"] == "Văn phòng BHXH tỉnh: 34; BHXH các huyện, thị xã: 110"
    assert (direct["start"], direct["end"]) == ("2024-10-05", "2024-10-31")
    assert rows["Hội nghị khách hàng tiềm năng"]["expected"] == "360 BHXH tự nguyện; 770 BHYT hộ gia đình"
    assert rows["Tuyên truyền theo nhóm nhỏ"]["count"] == 116
    text = text_of(document_pdf(render_document(document)).content)
    for figure in BINH_DINH_FIGURES:
        assert figure in text, figure
    assert "Chưa có hoạt động vận động nào" not in text


def test_another_month_of_the_same_province_has_its_own_activities(demo):
    from campaigns.activities.services import activity_create

    binh_dinh = Unit.objects.valid_on(OLD_TO).get(code="52")
    block = _activities(build_draft(kind="province-monthly", unit=binh_dinh, year=2024, month=11))
    assert block.params["rows"] == [] and "tháng 11/2024" in block.text
    activity_create(kind="small_group", organiser=binh_dinh, organiser_detail="Phòng Truyền thông",
                    place="Chợ Lớn", planned_start=datetime.date(2024, 11, 4), planned_end=datetime.date(2024, 11, 8),
                    planned_count=3, invited_count=None, invitees_note="", expected_attendance=40,
                    expected_sign_ups={Product.objects.get(code="bhxh_tn"): 9}, check=False)
    rows = _activities(build_draft(kind="province-monthly", unit=binh_dinh, year=2024, month=11)).params["rows"]
    assert rows == [{"activity": "Tuyên truyền theo nhóm nhỏ", "organiser": "Văn phòng BHXH tỉnh: 3", "count": 3,
                     "place": "", "start": "2024-11-04", "end": "2024-11-08", "invitees": "", "attendance": 40,
                     "expected": "9 BHXH tự nguyện"}]


def _contribution_text(draft) -> str:
    return next(b.text for b in draft.blocks if "Mức đóng" in b.text)


def test_the_commune_plan_prints_the_rate_and_income_bounds_of_the_rules_on_its_date(demo):
    hai_duong = Unit.objects.valid_on(OLD_TO).get(code="HDUONG")
    text = _contribution_text(build_draft(kind="commune-drive", unit=hai_duong, year=2021))
    # 2021: the rural poverty line 700.000 đ, 20 × lương cơ sở 1.490.000 đ, 22%
    assert "thấp nhất theo mức thu nhập 700.000 đồng/tháng, cao nhất 29.800.000 đồng/tháng" in text
    assert "bằng 22% mức thu nhập tháng" in text
    # a rule of another day: 25% up to 30 × the mức tham chiếu, from 2030
    ContributionRate.objects.create(
        product=Product.objects.get(code="bhxh_tn"), rate_pct=Decimal("25"), base="chosen_income",
        min_income_kind=ReferenceKind.RURAL_POVERTY_LINE, max_income_multiple=30,
        max_income_kind=ReferenceKind.REFERENCE_LEVEL, valid_from=datetime.date(2030, 1, 1))
    text = _contribution_text(build_draft(kind="commune-drive", unit=hai_duong, year=2030))
    assert "thấp nhất theo mức thu nhập 1.500.000 đồng/tháng, cao nhất 70.200.000 đồng/tháng" in text
    assert "bằng 25% mức thu nhập tháng" in text and "22%" not in text


def test_the_programme_amount_is_computed_with_the_rate_of_the_rules(demo):
    bac_ninh = Unit.objects.valid_on(OLD_TO).get(code="27")
    assert provincial_programme(bac_ninh, 2021).monthly_amount == 46_200  # 30% × 22% × 700.000
    rate = ContributionRate.objects.filter(product__code="bhxh_tn", valid_from__lte=datetime.date(2021, 8, 1)).latest(
        "valid_from")
    rate.rate_pct = Decimal("20")
    rate.save()
    assert provincial_programme(bac_ninh, 2021).monthly_amount == 42_000  # 30% × 20% × 700.000
