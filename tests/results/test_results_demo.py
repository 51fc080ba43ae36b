"""The demo data of the monthly results: Càng Long May and June 2023 reproduce the printed BHYT table (with
the change vs last month), the district's own 132.600 and its BHXH and BHTN totals; Hải Dương 2021; safe to run twice."""

import csv

import pytest

from portal.demo import STEPS
from units.demo import load_units
from bhxh_portal.numbers import format_number
from reports.tables.coverage_tables import bhtn_table, bhxh_table, bhyt_table
from reports.tables.inputs import load_inputs
from targets.demo import load_targets_demo
from results.demo import load_results_demo
from results.models import MonthlyReport, MonthlyResult, ReportState
from units.models import Unit
from units.periods import Period
from results.selectors import OWN, participants_for_children

from tests.targets.targets_fixtures import golden_rows

pytestmark = pytest.mark.django_db

JUNE, MAY = Period.month(2023, 6), Period.month(2023, 5)


@pytest.fixture
def demo():
    load_units()
    load_targets_demo()
    return load_results_demo()


def state():
    return (sorted(map(repr, MonthlyResult.objects.values_list("pk", "unit__code", "agent__name", "indicator__code",
                                                               "year", "month", "participants", "new_participants",
                                                               "renewing", "version"))),
            sorted(MonthlyReport.objects.values_list("unit__code", "year", "month", "state")))


def test_the_loader_runs_right_after_the_targets_and_a_second_run_changes_nothing(demo):
    assert STEPS.index(load_results_demo) == STEPS.index(load_targets_demo) + 1
    first, history = state(), MonthlyResult.history.count()
    summary = load_results_demo()
    assert state() == first and MonthlyResult.history.count() == history
    assert "không đổi 67" in summary and "0 bước" in summary


def test_the_june_and_may_figures_reproduce_the_printed_table_with_its_change_vs_last_month(demo):
    district = Unit.objects.get(code="CL")
    table = bhyt_table(load_inputs(parent=district, month=JUNE))
    printed = {r["unit"] if r["local_code"] != "CL" else "Tổng cộng": r for r in golden_rows()}
    for row in table.rows:
        values = row.values
        name = "Tổng cộng" if row.is_total else values["unit"]
        golden = printed[name]
        assert format_number(values["participants"]) == format_number(int(golden["bhyt_participants"])), name
        assert format_number(values["change"], 2) == golden["printed_change_vs_last_month_pp"], name
        assert format_number(values["remaining"], negative_in_parentheses=True).replace(".", "") == golden[
            "printed_remaining"].replace(".", ""), name
    june = participants_for_children(parent=district, indicators=["bhyt"], month=JUNE)[district.pk]["bhyt"]
    assert (june.value, june.source, june.children_sum, june.difference) == (132600, OWN, 132600, 0)
    may = participants_for_children(parent=district, indicators=["bhyt"], month=MAY)[district.pk]["bhyt"]
    assert may.value == 131647 and not may.is_own


def test_the_districts_own_june_entries_print_the_bhxh_and_bhtn_total_rows_of_the_plan(demo):
    district = Unit.objects.get(code="CL")
    inputs = load_inputs(parent=district, month=JUNE)
    bhxh = bhxh_table(inputs).formatted_rows()[-1]
    # The plan prints 74,72 / 1.695 / 1.186 in the last three places: it divides the rounded 4,61% by
    # 6,17% and rounds the voluntary target up, which DOMAIN.md section 4 does not (unrounded values,
    # half up); every other figure of its total row is reproduced.
    assert bhxh[2:] == ["75.890", "22,69%", "6,17%", "10.841", "3.497", "14.338", "18,89", "4,61", "83,27", "74,68",
                        "1.696", "1.185"]
    assert bhtn_table(inputs).formatted_rows()[-1][2:] == ["75.890", "10.561", "13,92%", "15,66%", "88,86%", "1.323"]


def test_the_workflow_states_of_the_demo(demo):
    states = dict(((code, year, month), state) for code, year, month, state in state()[1])
    assert all(states[(f"CL{n:02d}", 2023, 5)] == ReportState.APPROVED for n in range(1, 15))
    assert states[("CL13", 2023, 6)] == ReportState.SUBMITTED
    assert states[("CL14", 2023, 6)] == ReportState.DRAFT
    assert states[("CL", 2023, 6)] == ReportState.APPROVED
    assert states[("HDUONG", 2021, 6)] == ReportState.DRAFT


def test_hai_duong_2021_sums_its_villages_and_agent_against_the_split_target(demo):
    commune = Unit.objects.get(code="HDUONG")
    figure = participants_for_children(parent=commune, indicators=["bhxh_tn", "bhxh_tn_moi"],
                                       month=Period.month(2021, 6))[commune.pk]
    assert figure["bhxh_tn"].reporting_children == 7  # six thôn and the commune's agent
    assert figure["bhxh_tn_moi"].value == 4 + 5 + 3 + 5 + 4 + 3 + 8
    with open("fixtures/demo_results.csv", encoding="utf-8") as f:
        assert sum(1 for row in csv.DictReader(f) if row["unit_code"].startswith("HD")) == 3 * 9


def test_the_bhxh_and_bhtn_tables_name_the_rows_the_plan_gives_no_figures_for(demo):
    """The plan prints only the district's BHXH and BHTN totals: the demo invents no commune figures,
    and the tables say their commune rows are empty on purpose; the BHYT table has every row."""
    inputs = load_inputs(parent=Unit.objects.get(code="CL"), month=JUNE)
    note = "Chưa có số người tham gia BHXH của từng đơn vị cấp dưới, chỉ có số của Huyện Càng Long"
    assert bhxh_table(inputs).subtitle == f"Số liệu đến ngày 30/06/2023 · {note}"
    assert "BHTN của từng đơn vị cấp dưới" in bhtn_table(inputs).subtitle
    assert bhyt_table(inputs).subtitle == "Số liệu đến ngày 30/06/2023"
    MonthlyResult.objects.filter(unit__code="CL02", year=2023, month=6).delete()
    assert bhyt_table(load_inputs(parent=Unit.objects.get(code="CL"), month=JUNE)).subtitle.endswith(
        "Chưa có số người tham gia BHYT của 1 đơn vị: Xã Mỹ Cẩm")


def test_a_commune_leader_is_told_who_approves_the_commune_s_results(client, demo):
    from units.demo import load_users
    from django.contrib.auth import get_user_model

    load_users()
    client.force_login(get_user_model().objects.get(username="lanhdao.huongtra"))
    page = client.get("/don-vi/ket-qua/duyet/").content.decode()
    assert "Kết quả hằng tháng của Xã Hải Dương do Thị xã Hương Trà duyệt" in page
    client.force_login(get_user_model().objects.get(username="lanhdao.canglong"))
    page = client.get("/don-vi/ket-qua/duyet/")
    assert [r.unit.code for r in page.context["reports"]] == ["CL13"]
    assert 'id="approved-above"' not in page.content.decode()
