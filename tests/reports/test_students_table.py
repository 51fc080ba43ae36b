"""Students' BHYT by school (the appendix of the Càng Long 2023 plan): figures, formula row, total
row, the csv of coverage_table against the plan, the page and its downloads, the query count."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.coverage import coverage_table_build
from jobs.models import Job
from reports.tables.coverage_tables import TABLE_LABELS, TABLES
from reports.tables.students import StudentInputs, students_table
from reports.tables.inputs import load_inputs
from units.models import Role
from targets.models import School, SchoolFigures
from units.periods import Period
from targets.services import school_figures_set, school_prepare, school_save
from tests.factories import make_member, make_tree, make_unit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPENDIX = Path(__file__).with_name("cang_long_2023_students_appendix.tsv")
COMMUNES = ["Thị trấn Càng Long", "Xã Mỹ Cẩm", "Xã An Trường A", "Xã An Trường", "Xã Huyền Hội", "Xã Tân An",
            "Xã Tân Bình", "Xã Bình Phú", "Xã Phương Thạnh", "Xã Đại Phúc", "Xã Đại Phước", "Xã Nhị Long Phú",
            "Xã Nhị Long", "Xã Đức Mỹ"]
JUNE_2023 = Period.month(2023, 6)


def plan_rows() -> list[list[str]]:
    lines = [line for line in APPENDIX.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [line.split("\t") for line in lines]


def printed(text: str) -> str:
    """The plan's printed figure as the csv holds it: plain numbers (1.251 and 1251 -> 1251,
    98,89 -> 98.89, "-" -> 0); the printed form is the Excel file's and the PDF's."""
    if text == "-":
        return "0"
    return text.replace(",", ".") if "," in text else str(int(text.replace(".", "")))


@pytest.fixture
def cang_long():
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="CL")
    for index, name in enumerate(COMMUNES, start=1):
        make_unit(name, parent=district, code=f"CL{index:02d}")
    return district


@pytest.fixture
def appendix_loaded(cang_long):
    """The demo files, through the command people use."""
    call_command("import_data", "schools", str(ROOT / "fixtures" / "demo_schools.csv"))
    call_command("import_data", "school_figures", str(ROOT / "fixtures" / "demo_school_figures.csv"))
    return cang_long


def _csv(capsys, *args) -> list[list[str]]:
    call_command("coverage_table", *args)
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")  # UTF-8 with BOM
    return list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))


def test_coverage_table_csv_prints_the_plans_appendix_row_for_row(appendix_loaded, capsys):
    lines = _csv(capsys, "--unit", "CL", "--table", "students", "--period", "2023-06", "--format", "csv")
    header, body = lines[0], lines[1:]
    assert header == ["STT", "Tên trường", "Tổng số học sinh", "Tổng số học sinh đã tham gia BHYT",
                      "Trong đó - Học sinh tham gia theo nhóm người khác", "Trong đó - Học sinh tham gia tại trường",
                      "Tổng số học sinh còn lại phải tham gia BHYT", "Tỷ lệ % so với tổng số học sinh"]
    plan_total, *plan_schools = plan_rows()
    assert len(plan_schools) == 44
    # the 44 schools of the plan, in the plan's order (ranked by rate), every printed figure
    for line, row in zip(body, plan_schools):
        assert line[0] == row[0] and line[1] == row[1]
        assert line[2:] == [printed(v) for v in row[2:]], row[1]
    assert body[37] == ["38", "Trường TH Huyện Hội B", "452", "447", "53", "394", "5", "98.89"]
    assert body[22][5] == "1251"
    # the made-up school that carries what the appendix's excerpt leaves out, then the total row
    assert body[44] == ["45", "Các trường khác (số liệu không có trong phần phụ lục trích dẫn)",
                        "909", "849", "464", "385", "60", "93.40"]
    assert body[45][1] == "Tổng cộng (Huyện Càng Long)"
    assert body[45][2:] == [printed(v) for v in plan_total[2:]] == ["26564", "26417", "2703", "23714", "147", "99.45"]
    assert len(body) == 46


def test_formula_row_headers_and_groups_are_the_plans(appendix_loaded):
    table = coverage_table_build(unit=appendix_loaded, table="students", month=JUNE_2023)
    assert [c.formula for c in table.columns] == ["A", "B", "1", "2=3+4", "3", "4", "5=1-2", "6=2/1"]
    assert table.header_groups() == [("STT", 1), ("Tên trường", 1), ("Tổng số học sinh", 1),
                                     ("Tổng số học sinh đã tham gia BHYT", 1), ("Trong đó", 2),
                                     ("Tổng số học sinh còn lại phải tham gia BHYT", 1),
                                     ("Tỷ lệ % so với tổng số học sinh", 1)]
    assert table.title == "Danh sách học sinh các trường tham gia BHYT học sinh năm học 2022-2023"
    assert table.rows[-1].is_total and not any(r.is_total for r in table.rows[:-1])


def test_a_commune_lists_its_own_schools_only(appendix_loaded, capsys):
    lines = _csv(capsys, "--unit", "CL02", "--table", "students", "--period", "2023-06")
    assert lines[1:] == [
        ["1", "Trường TH Mỹ Cẩm", "431", "431", "18", "413", "0", "100.00"],
        ["2", "Trường THCS Mỹ Cẩm", "258", "258", "21", "237", "0", "100.00"],
        ["", "Tổng cộng (Xã Mỹ Cẩm)", "689", "689", "39", "650", "0", "100.00"],
    ]


def _school(code, name, commune, **kwargs):
    return school_save(school=school_prepare(school=None, code=code, name=name, commune=commune, **kwargs))


def test_total_row_is_computed_from_the_totals_and_unreported_schools_come_last_blank(cang_long):
    town, my_cam = cang_long.children.order_by("code")[:2]
    a = _school("S1", "Trường A", town)
    b = _school("S2", "Trường B", my_cam)
    _school("S3", "Trường C chưa báo cáo", my_cam)
    _school("S0", "Trường đã giải thể", town, valid_to=JUNE_2023.start)  # closed before 30/6: not listed
    other_district = make_unit("Huyện khác", level_code="huyen", parent=cang_long.parent)
    _school("S9", "Trường huyện khác", make_unit("Xã khác", parent=other_district))
    school_figures_set(school=a, school_year=2022, pupils=3, insured_other_group=0, insured_at_school=1)
    school_figures_set(school=b, school_year=2022, pupils=7, insured_other_group=2, insured_at_school=5)
    school_figures_set(school=b, school_year=2021, pupils=100, insured_at_school=1)  # another school year
    rows = coverage_table_build(unit=cang_long, table="students", month=JUNE_2023).formatted_rows()
    assert rows == [
        ["1", "Trường B", "7", "7", "2", "5", "-", "100,00"],
        ["2", "Trường A", "3", "1", "0", "1", "2", "33,33"],
        ["3", "Trường C chưa báo cáo", "", "", "", "", "", ""],
        # 8 / 10 = 80,00, not the mean of 100,00 and 33,33
        ["", "Tổng cộng (Huyện Càng Long)", "10", "8", "2", "6", "2", "80,00"],
    ]


def test_the_month_chooses_the_school_year(cang_long):
    school = _school("S1", "Trường A", cang_long.children.first())
    school_figures_set(school=school, school_year=2022, pupils=10, insured_at_school=10)
    school_figures_set(school=school, school_year=2023, pupils=12, insured_at_school=9)
    june = coverage_table_build(unit=cang_long, table="students", month=JUNE_2023)
    september = coverage_table_build(unit=cang_long, table="students", month=Period.month(2023, 9))
    assert june.rows[0].values["pupils"] == 10 and june.subtitle == "Năm học 2022-2023"
    assert september.rows[0].values["pupils"] == 12 and september.subtitle == "Năm học 2023-2024"
    assert september.formatted_rows()[0][6:] == ["3", "75,00"]


def test_a_district_without_schools_prints_only_an_empty_total_row(cang_long):
    table = coverage_table_build(unit=cang_long, table="students", month=JUNE_2023)
    assert table.formatted_rows() == [["", "Tổng cộng (Huyện Càng Long)", "", "", "", "", "", ""]]


def test_the_registry_builder_also_takes_coverage_inputs(appendix_loaded):
    """bench_reports and other callers may hand any table the coverage inputs."""
    assert "students" in TABLES and TABLE_LABELS["students"] == "BHYT học sinh theo trường"
    from_coverage_inputs = TABLES["students"](load_inputs(parent=appendix_loaded, month=JUNE_2023))
    direct = students_table(students_table.load_inputs(parent=appendix_loaded, month=JUNE_2023))
    assert isinstance(students_table.load_inputs(parent=appendix_loaded, month=JUNE_2023), StudentInputs)
    assert from_coverage_inputs.formatted_rows() == direct.formatted_rows()


# --- the page and its downloads ------------------------------------------------------------------


def test_district_staff_see_the_table_on_the_coverage_page(client, appendix_loaded):
    client.force_login(make_member(appendix_loaded, Role.BHXH_STAFF))
    response = client.get(reverse("coverage:page", args=[appendix_loaded.pk]), {"table": "students", "period": "2023-06"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Danh sách học sinh các trường tham gia BHYT học sinh năm học 2022-2023" in html
    assert "Trường TH Huyện Hội B" in html and "26.564" in html and "99,45" in html
    assert "5=1-2" in html and "6=2/1" in html
    assert '<option value="students" selected>' in html


def test_a_user_of_another_branch_gets_404_on_the_page_and_the_download(client, appendix_loaded):
    other = make_unit("Huyện Cầu Kè", level_code="huyen", parent=appendix_loaded.parent)
    client.force_login(make_member(other, Role.BHXH_STAFF))
    page = client.get(reverse("coverage:page", args=[appendix_loaded.pk]), {"table": "students", "period": "2023-06"})
    commune = client.get(reverse("coverage:page", args=[appendix_loaded.children.first().pk]), {"table": "students"})
    download = client.post(reverse("coverage:download", args=[appendix_loaded.pk]),
                           {"table": "students", "period": "2023-06", "format": "xlsx"})
    assert (page.status_code, commune.status_code, download.status_code) == (404, 404, 404)
    assert not Job.objects.exists()


def test_the_excel_download_is_built_by_the_job_with_the_plans_layout(client, appendix_loaded,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(make_member(appendix_loaded, Role.BHXH_STAFF))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("coverage:download", args=[appendix_loaded.pk]),
                               {"table": "students", "period": "2023-06", "format": "xlsx"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.state == "succeeded", job.message
    assert job.result["rows"] == 46
    sheet = openpyxl.load_workbook(io.BytesIO(job.output_file.read())).active
    assert sheet["E4"].value == "Trong đó" and "E4:F4" in {str(r) for r in sheet.merged_cells.ranges}
    assert [sheet.cell(row=6, column=c).value for c in range(1, 9)] == ["A", "B", "1", "2=3+4", "3", "4", "5=1-2",
                                                                      "6=2/1"]
    first, total = 7, 7 + 45
    assert [sheet.cell(row=first, column=c).value for c in range(1, 9)] == [
        1, "Trường TH TT Cang Long B", 703, 703, 90, 613, 0, 100.0]  # STT stored as a number
    assert sheet.cell(row=first, column=7).number_format == '#,##0;(#,##0);"-"'
    assert [sheet.cell(row=total, column=c).value for c in range(3, 9)] == [26564, 26417, 2703, 23714, 147, 99.45]
    assert sheet.cell(row=total, column=3).font.bold


def test_the_pdf_download_prints_the_vietnamese_headers(appendix_loaded, tmp_path):
    import subprocess

    output = tmp_path / "hoc-sinh.pdf"
    call_command("coverage_table", "--unit", "CL", "--table", "students", "--period", "2023-06", "--format", "pdf",
                 "--output", str(output))
    text = subprocess.run(["pdftotext", str(output), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())  # header cells wrap over lines
    assert "Học sinh tham gia theo nhóm người khác" in text and "Trường THCS Thái Bình" in text
    assert "26.564" in text and "99,45" in text


# --- a fixed number of queries whatever the number of schools and units --------------------------


def _with_schools(province, per_commune: int):
    from units.models import Unit

    n = 0
    for commune in Unit.objects.filter(path__startswith=province.path, level__code="xa"):
        for _ in range(per_commune):
            n += 1
            school = _school(f"{province.code}-{n}", f"Trường {n}", commune)
            if n % 3:
                school_figures_set(school=school, school_year=2022, pupils=100 + n, insured_at_school=90)
    return province


def _build(province):
    return coverage_table_build(unit=province, table="students", month=JUNE_2023)


def test_query_count_is_the_same_for_a_small_and_a_large_tree(django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = _with_schools(make_tree(districts=3, communes=1, villages=2), per_commune=1)  # 10 units, 3 schools
    large = _with_schools(make_tree(districts=10, communes=10, villages=9), per_commune=3)  # 1.111 units, 300 schools
    with CaptureQueriesContext(connection) as captured:
        small_table = _build(small)
    with django_assert_max_num_queries(len(captured)):
        large_table = _build(large)
    assert len(captured) <= 3
    # A province prints its districts (3 and 10), each the sum of its schools, then the total.
    assert len(small_table.rows) == 4 and len(large_table.rows) == 11
    assert SchoolFigures.objects.count() == 2 + 200 and School.objects.count() == 303
    district = large.children.order_by("code").first()
    with django_assert_max_num_queries(len(captured)):
        district_table = _build(district)
    assert len(district_table.rows) == 30 + 1  # a district lists its schools, as the plan's appendix


def test_a_province_prints_one_row_per_district_with_its_schools_summed(cang_long):
    province = cang_long.parent
    other = make_unit("Huyện Châu Thành", level_code="huyen", parent=province, code="CT")
    quiet = make_unit("Huyện Cầu Kè", level_code="huyen", parent=province, code="CK")
    town, my_cam = cang_long.children.order_by("code")[:2]
    for code, commune, pupils, other_group, at_school in [("S1", town, 100, 10, 80), ("S2", my_cam, 50, 0, 50),
                                                           ("S3", make_unit("Xã Hòa Lợi", parent=other), 40, 4, 30)]:
        school = _school(code, f"Trường {code}", commune)
        school_figures_set(school=school, school_year=2022, pupils=pupils, insured_other_group=other_group,
                           insured_at_school=at_school)
    _school("S4", "Trường chưa báo cáo", make_unit("Xã Tam Ngãi", parent=quiet))
    table = coverage_table_build(unit=province, table="students", month=JUNE_2023)
    assert table.columns[1].header == "Đơn vị"
    assert table.formatted_rows() == [
        ["1", "Huyện Cầu Kè", "", "", "", "", "", ""],  # code order: CK, CL, CT
        ["2", "Huyện Càng Long", "150", "140", "10", "130", "10", "93,33"],
        ["3", "Huyện Châu Thành", "40", "34", "4", "30", "6", "85,00"],
        ["", "Tổng cộng (Tỉnh Trà Vinh)", "190", "174", "14", "160", "16", "91,58"],
    ]
