"""The yearly evaluation of Hướng Hóa (2019 against 2018 and its plan, the targets of 2020) from the
demo data, through the coverage registry: the CLI csv against the plan's printed figures, the page
and its access rule, a unit without data, and the same figures in the district-yearly plan."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from units.demo import load_units
from bhxh_portal.numbers import format_number
from reports.coverage import coverage_table_build
from reports.tables.coverage_tables import TABLE_LABELS, TABLES
from reports.tables.evaluation import EvaluationInputs, evaluation_report_table, load_evaluation_inputs
from reports.tables.inputs import load_inputs
from targets.demo import load_targets_demo
from results.demo import load_results_demo
from targets.models import Demographics, Indicator
from units.models import Role, Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from units.periods import Period
from tests.factories import make_member, make_unit
from tests.reports.test_evaluation_table import TYPOS, golden

pytestmark = pytest.mark.django_db

DECEMBER_2019 = Period.month(2019, 12)
LABELS = {"bhxh": "BHXH", "bhxh_bb": "BHXH bắt buộc", "bhxh_tn": "BHXH tự nguyện", "bhtn": "BHTN"}
# golden column -> the csv column of the table (header "group - header" when grouped)
PRINTED = {
    "printed_increase": "So với năm trước - Tăng (người)",
    "printed_increase_pct": "So với năm trước - Tăng (%)",
    "printed_pct_of_plan": "% kế hoạch",
    "printed_pct_of_labour_force": "% LLLĐ",
    "printed_pct_of_required": "% đối tượng phải tham gia",
    "printed_target_pct_of_labour_force": "Năm 2020 - % LLLĐ",
    "printed_target_pct_of_required": "Năm 2020 - % đối tượng phải tham gia",
    "printed_growth_2020_pct": "Năm 2020 - Tốc độ phát triển (%)",
}


@pytest.fixture
def huong_hoa():
    load_units()
    load_targets_demo()
    load_results_demo()
    return Unit.objects.valid_on(OLD_TO).get(code="HHOA")


def _csv(capsys, *args) -> list[dict]:
    call_command("coverage_table", *args)
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")  # UTF-8 with BOM
    return list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))


def at_plan_precision(ours: str, printed: str) -> str:
    """The table prints percentages with two decimals ("93,91%"); the plan prints one or two
    decimals, or none, varying by line: round our printed figure half up to the plan's places."""
    places = len(printed.split(",")[1]) if "," in printed else 0
    value = Decimal(ours) * 100  # the csv holds the plain ratio: 0.9391 is the printed 93,91%
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:f}".replace(".", ",")


def test_the_demo_has_the_plans_inputs(huong_hoa, client):
    record = Demographics.objects.get(unit=huong_hoa, year=2019)
    assert (record.labour_force, record.required_to_join, record.voluntary_eligible, record.bhtn_required) == (
        49923, 5400, 45079, 4427)
    client.force_login(make_member(huong_hoa.parent, Role.BHXH_STAFF))
    html = client.get(reverse("targets:demographics_edit", args=[huong_hoa.pk, 2019])).content.decode()
    assert "<th>Thuộc diện tham gia BHTN</th>" in html
    assert f'name="{huong_hoa.pk}-bhtn_required" value="4427"' in html


def test_coverage_table_csv_prints_every_figure_of_the_plan(huong_hoa, capsys):
    rows = _csv(capsys, "--unit", "HHOA", "--table", "evaluation", "--period", "2019-12", "--format", "csv")
    by_label = {r["Chỉ tiêu"]: r for r in rows}
    assert list(by_label) == list(LABELS.values())
    checked = 0
    for plan in golden():
        ours = by_label[LABELS[plan["indicator"]]]
        assert ours["Số người tham gia - Năm 2018"] == str(int(plan['participants_2018']))
        assert ours["Số người tham gia - Năm 2019"] == str(int(plan['participants_2019']))
        assert ours["Kế hoạch năm 2019"] == str(int(plan['plan_2019']))
        assert ours["Năm 2020 - Chỉ tiêu (người)"] == str(int(plan['target_2020']))
        for column, header in PRINTED.items():
            printed = plan[column]
            if not printed:
                continue
            expected = TYPOS.get((plan["indicator"], column), printed)
            if column == "printed_increase":
                as_printed = format_number(int(ours[header]), negative_in_parentheses=True)
                assert as_printed == expected, (plan["indicator"], column)
            else:
                assert at_plan_precision(ours[header], expected) == expected, (plan["indicator"], column, ours[header])
            checked += 1
    assert checked == 26  # every printed figure of the golden file (the four typos at their right value)


def test_the_two_decimal_figures_as_the_table_prints_them(huong_hoa, capsys):
    rows = {r["Chỉ tiêu"]: r for r in _csv(capsys, "--unit", "HHOA", "--table", "evaluation",
                                            "--period", "2019-12", "--format", "csv")}
    bhxh, bb, tn, bhtn = (rows[LABELS[c]] for c in ("bhxh", "bhxh_bb", "bhxh_tn", "bhtn"))
    assert (bhxh["So với năm trước - Tăng (%)"], bhxh["% kế hoạch"], bhxh["% LLLĐ"]) == ("0.0638", "0.9391", "0.1026")
    assert (bb["% kế hoạch"], bb["% đối tượng phải tham gia"], bb["Năm 2020 - Tốc độ phát triển (%)"]) == (
        "1.0037", "0.8970", "1.073")  # growth with one decimal, as in the plan (5.200 / 4.844 = 107,349)
    assert (tn["% kế hoạch"], tn["% đối tượng phải tham gia"], tn["Năm 2020 - % đối tượng phải tham gia"]) == (
        "0.4427", "0.0062", "0.0277")
    # BHTN: 3.871 − 3.681 = 190 (the plan prints 186, 5,05%); 4.342 / 4.427 = 98,08% (printed 96%)
    assert (bhtn["So với năm trước - Tăng (người)"], bhtn["So với năm trước - Tăng (%)"]) == ("190", "0.0516")
    assert (bhtn["% đối tượng phải tham gia"], bhtn["Năm 2020 - % đối tượng phải tham gia"]) == ("0.8744", "0.9808")
    assert bhxh["% đối tượng phải tham gia"] == ""  # BHXH as a whole has no "required" denominator


def test_registered_like_the_other_tables(huong_hoa):
    assert TABLES["evaluation"] is evaluation_report_table and "evaluation" in TABLE_LABELS
    inputs = evaluation_report_table.load_inputs(parent=huong_hoa, month=DECEMBER_2019)
    assert isinstance(inputs, EvaluationInputs) and inputs.year == 2019 and inputs.has_results
    built = coverage_table_build(unit=huong_hoa, table="evaluation", month=DECEMBER_2019)
    # bench_reports hands every builder the coverage inputs: the builder loads its own
    from_coverage_inputs = TABLES["evaluation"](load_inputs(parent=huong_hoa, month=DECEMBER_2019))
    assert from_coverage_inputs.formatted_rows() == built.formatted_rows()
    assert built.title == "Đánh giá kết quả năm 2019 và chỉ tiêu năm 2020"


def test_the_plan_block_reads_the_same_inputs(huong_hoa):
    from campaigns.documents.selectors import evaluation_table

    indicators = [Indicator.objects.get(code=c) for c in LABELS]
    data = evaluation_table(unit=huong_hoa, indicators=indicators, year=2019)
    assert data.has_results
    built = coverage_table_build(unit=huong_hoa, table="evaluation", month=DECEMBER_2019)
    assert data.table.formatted_rows() == built.formatted_rows()


def test_a_unit_without_data_prints_blank_rows(django_assert_max_num_queries):
    province = make_unit("Tỉnh Trống", level_code="tinh", code="TT")
    empty = make_unit("Huyện Trống", level_code="huyen", parent=province, code="TRONG")
    with django_assert_max_num_queries(12):
        table = coverage_table_build(unit=empty, table="evaluation", month=DECEMBER_2019)
    assert [row[0] for row in table.formatted_rows()] == list(LABELS.values())
    assert all(cell == "" for row in table.formatted_rows() for cell in row[1:])
    assert not load_evaluation_inputs(parent=empty, month=DECEMBER_2019).has_results
    assert TABLES["evaluation"](load_inputs(parent=empty, month=DECEMBER_2019)).formatted_rows() == \
        table.formatted_rows()


def test_the_year_of_the_month_is_the_evaluated_year(huong_hoa):
    june_2020 = coverage_table_build(unit=huong_hoa, table="evaluation", month=Period.month(2020, 6))
    assert june_2020.title == "Đánh giá kết quả năm 2020 và chỉ tiêu năm 2021"
    bhxh = june_2020.formatted_rows()[0]
    assert bhxh[:3] == ["BHXH", "5.122", ""]  # 2019 is now last year; no 2020 results yet


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("member_of", ["45", "HHOA"])
def test_the_page_renders_for_a_user_of_quang_tri_or_huong_hoa(client, huong_hoa, member_of):
    client.force_login(make_member(Unit.objects.valid_on(OLD_TO).get(code=member_of), Role.BHXH_STAFF))
    response = client.get(reverse("coverage:page", args=[huong_hoa.pk]), {"table": "evaluation", "period": "2019-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đánh giá kết quả năm 2019 và chỉ tiêu năm 2020" in html
    assert '<option value="evaluation" selected>' in html
    for figure in ("5.122", "4.815", "5.454", "93,91", "10,26", "89,70", "44,27", "449,6%", "6.450"):
        assert figure in html, figure


def test_a_user_of_another_branch_gets_404(client, huong_hoa):
    client.force_login(make_member(Unit.objects.valid_on(OLD_TO).get(code="CL"), Role.BHXH_STAFF))
    page = client.get(reverse("coverage:page", args=[huong_hoa.pk]), {"table": "evaluation", "period": "2019-12"})
    download = client.post(reverse("coverage:download", args=[huong_hoa.pk]),
                           {"table": "evaluation", "period": "2019-12", "format": "xlsx"})
    assert (page.status_code, download.status_code) == (404, 404)


def test_the_excel_and_pdf_files_carry_the_figures(huong_hoa):
    import openpyxl

    from reports.coverage import coverage_table_render
    from tests.campaigns.pdfcheck import text_of

    table = coverage_table_build(unit=huong_hoa, table="evaluation", month=DECEMBER_2019)
    xlsx = coverage_table_render(table=table, unit=huong_hoa, month=DECEMBER_2019, fmt="xlsx")
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True) for c in row]
    assert 5122 in cells and 4815 in cells and 6450 in cells and "BHXH tự nguyện" in cells
    pdf = coverage_table_render(table=table, unit=huong_hoa, month=DECEMBER_2019, fmt="pdf")
    text = text_of(pdf)
    for figure in ("ĐÁNH GIÁ KẾT QUẢ NĂM 2019 VÀ CHỈ TIÊU NĂM 2020", "Số liệu đến ngày 31/12/2019", "5.122", "93,91%",
                   "449,6%", "98,08%"):
        assert figure in text, figure
