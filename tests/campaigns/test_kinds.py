"""The five kinds of the reference plans and the two reports, rendered from the demo data."""

import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import DocumentType, PlanDocument
from campaigns.documents.render.document import render_document
from campaigns.documents.render.pdf import document_pdf
from campaigns.documents.starters import PLAN_KINDS, StarterError, build_draft
from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from tests.campaigns.pdfcheck import A4, reader, text_of

pytestmark = pytest.mark.django_db

# kind, unit code, year, --period, what the first page must say
CASES = [
    ("commune-drive", "HDUONG", 2021, None, ["ỦY BAN NHÂN DÂN", "XÃ HẢI DƯƠNG", "KẾ HOẠCH"]),
    ("district-half-year", "CL", 2023, "2023-06", ["UBND HUYỆN CÀNG LONG", "BAN CHỈ ĐẠO", "Số: 295/KH-BCĐ",
                                                  "06 tháng cuối năm 2023"]),
    ("district-yearly", "HHOA", 2020, None, ["ỦY BAN NHÂN DÂN", "HUYỆN HƯỚNG HÓA",
                                             "I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN NĂM 2019"]),
    ("province-monthly", "52", 2024, "2024-10", ["BẢO HIỂM XÃ HỘI VIỆT NAM", "TỈNH BÌNH ĐỊNH", "/KH-BHXH",
                                                 "tháng 10 năm 2024"]),
    ("programme", "27", 2021, None, ["ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH",
                                     "Triển khai thực hiện Nghị quyết số 03/2021/NQ-HĐND ngày 16/7/2021",
                                     "tương ứng 46.200 đồng/tháng",
                                     "Từ ngày 01/08/2021 đến ngày 31/12/2025"]),
]


@pytest.mark.parametrize("kind,code,year,period,expected", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_the_reference_plans_renders_from_the_demo_data(demo, kind, code, year, period, expected,
                                                                    tmp_path):
    document = PlanDocument.objects.get(unit__code=code, starter=kind, year=year)
    rendered = render_document(document)
    assert rendered.errors == []
    output = document_pdf(rendered)
    pdf = reader(output.content)
    assert len(pdf.pages) == output.pages >= 2
    first = pdf.pages[0]
    assert float(first.mediabox.width) == pytest.approx(A4[0], abs=1)
    assert float(first.mediabox.height) == pytest.approx(A4[1], abs=1)
    text = text_of(output.content)
    for line in [*expected, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Nơi nhận:"]:
        assert line in text, line
    assert output.signature_box is not None and output.signature_box.page == output.pages - 1
    if shutil.which("pdftoppm"):  # it also rasterises: what was looked at as pictures
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(output.content)
        subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(path), str(tmp_path / kind)],
                       check=True, capture_output=True)
        assert list(tmp_path.glob(f"{kind}*.png"))


def test_the_half_year_plan_puts_its_coverage_tables_on_landscape_pages(demo):
    document = PlanDocument.objects.get(unit__code="CL", starter="district-half-year")
    pdf = reader(document_pdf(render_document(document)).content)
    orientations = ["landscape" if float(p.mediabox.width) > float(p.mediabox.height) else "portrait"
                    for p in pdf.pages]
    assert orientations[0] == "portrait" and "landscape" in orientations and orientations[-1] == "portrait"
    text = text_of(document_pdf(render_document(document)).content)
    assert "Dân số (người)" in text and "3=2/1" in text and "148.806" in text and "95,00%" in text
    assert "BHYT: 95,00% dân số, tương ứng 141.366 người" in text
    assert "BHXH: 22,69% lực lượng lao động trong độ tuổi, tương ứng 17.219 người; trong đó: " \
           "BHXH tự nguyện 6,17% lực lượng lao động trong độ tuổi, tương ứng 4.682 người" in text
    # The plan's appendix: students' BHYT by school, with the sentence of its section III.4.
    assert "Về BHYT học sinh: tính đến ngày 30/06/2023, toàn huyện có 26.417/26.564 học sinh tham gia BHYT " \
           "chiếm 99,45% tổng số học sinh, vẫn còn 147 em chưa tham gia BHYT" in text
    assert "Học sinh tham gia tại trường" in text and "23.714" in text


@pytest.mark.parametrize("kind,code,year,month", [("monthly-report", "HDUONG", 2021, 6),
                                                  ("monthly-report", "CL", 2023, 6),
                                                  ("programme-report", "27", 2022, None)])
def test_reports_to_the_level_above_use_the_same_machinery(demo, kind, code, year, month):
    from campaigns.documents import services

    unit = Unit.objects.valid_on(OLD_TO).get(code=code)
    document = services.document_create_from_starter(kind=kind, unit=unit, year=year, month=month)
    assert document.doc_type == DocumentType.REPORT and document.number_symbol.endswith("/BC-UBND")
    text = text_of(document_pdf(render_document(document)).content)
    assert "BÁO CÁO" in text and "Nơi nhận:" in text


def test_a_starter_refuses_a_unit_of_the_wrong_level(demo):
    with pytest.raises(StarterError, match="dành cho đơn vị cấp xa"):
        build_draft(kind="commune-drive", unit=Unit.objects.valid_on(OLD_TO).get(code="CL"), year=2023)
    with pytest.raises(StarterError, match="cần --period"):
        build_draft(kind="province-monthly", unit=Unit.objects.valid_on(OLD_TO).get(code="52"), year=2024)


@pytest.mark.parametrize("kind", PLAN_KINDS)
def test_make_plan_renders_each_kind_by_unit_code(demo, kind, tmp_path):
    code, year, period = {c[0]: (c[1], c[2], c[3]) for c in CASES}[kind]
    out = tmp_path / f"{kind}.pdf"
    args = ["make_plan", "--kind", kind, "--unit", code, "--year", str(year), "--output", str(out)]
    if period:
        args += ["--period", period]
    call_command(*args)
    assert out.read_bytes().startswith(b"%PDF")


def test_make_plan_takes_a_full_unit_name_and_writes_the_hai_duong_plan(demo, tmp_path, capsys):
    out = tmp_path / "kh.pdf"
    before = PlanDocument.objects.count()
    call_command("make_plan", "--kind", "commune-drive", "--unit", "Xã Hải Dương", "--year", "2021",
                 "--number", "162", "--date", "19/03/2021", "--output", str(out))
    text = text_of(out.read_bytes())
    assert "Số: 162/KH-UBND" in text and "6 × 5 + 10 = 40" in text
    assert PlanDocument.objects.count() == before  # rendered, not saved
    assert "Đã ghi" in capsys.readouterr().out
    docx = tmp_path / "kh.docx"
    call_command("make_plan", "--kind", "commune-drive", "--unit", "xa hai duong", "--year", "2021",
                 "--output", str(docx))
    assert docx.read_bytes()[:2] == b"PK"


def test_make_plan_explains_unknown_or_ambiguous_units(demo, tmp_path):
    from tests.factories import make_unit

    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("make_plan", "--kind", "commune-drive", "--unit", "Xã Không Có", "--year", "2021",
                     "--output", str(tmp_path / "x.pdf"))
    make_unit("Xã Hải Dương", parent=Unit.objects.valid_on(OLD_TO).get(code="HHOA"), code="HD2", valid_to=OLD_TO)
    with pytest.raises(CommandError, match="hãy ghi mã đơn vị"):
        call_command("make_plan", "--kind", "commune-drive", "--unit", "Xã Hải Dương", "--year", "2021",
                     "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("make_plan", "--kind", "province-monthly", "--unit", "52", "--year", "2024",
                     "--period", "10/2024", "--output", str(tmp_path / "x.pdf"))


def test_the_yearly_plan_prints_the_2019_evaluation_of_huong_hoa(demo, tmp_path):
    """Section I of the Hướng Hóa 2020 plan from the demo data (golden/huong_hoa_2019_evaluation.csv):
    the table of reports.tables.evaluation, two decimals (growth one), the plan's typos at their right value."""
    out = tmp_path / "hhoa.pdf"
    call_command("make_plan", "--kind", "district-yearly", "--unit", "HHOA", "--year", "2020", "--output", str(out))
    text = text_of(out.read_bytes())
    assert "I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN NĂM 2019" in text and "Chưa có số liệu kết quả" not in text
    for figure in ("4.815", "5.122", "307", "6,38%", "5.454", "93,91%", "10,26%", "6.450", "12,92%", "125,9%",
                   "4.700", "4.844", "144", "3,06%", "4.826", "100,37%", "89,70%", "5.200", "96,30%", "107,3%",
                   "115", "278", "163", "141,74%", "628", "44,27%", "0,62%", "1.250", "2,77%", "449,6%",
                   "3.681", "3.871", "190", "5,16%", "3.851", "100,52%", "7,75%", "87,44%", "4.342", "8,70%",
                   "98,08%", "112,2%"):
        assert figure in text, figure
    assert "Kế hoạch số 1086/KH-UBND ngày 18 tháng 3 năm 2020 của UBND tỉnh Quảng Trị" in text
