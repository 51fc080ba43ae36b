"""Figures across the 1/7/2025 mergers: a table or dashboard for a month before a unit existed reads
its predecessors' summed figures and says so; a unit formed from part of a split one is flagged and
left empty, never divided by guess; a table can be laid out under the boundaries of another day."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports.coverage import CoverageRequestError, coverage_table_build, coverage_table_render
from reports.dashboard import unit_dashboard
from targets.models import Demographics
from units.periods import Period
from units.selectors import unit_counterpart_on
from tests.factories import make_unit
from tests.results.results_fixtures import enter

pytestmark = pytest.mark.django_db

JUNE_2023 = Period.month(2023, 6)
OLD_TO = datetime.date(2025, 6, 30)
NEW_FROM = datetime.date(2025, 7, 1)
TODAY = datetime.date(2026, 1, 1)


@pytest.fixture
def tree():
    """An old province with communes A, B, C (2023 figures 500, 300, 200); from 1/7/2025 a new
    province whose commune Xã Mới is A + B, and C split between Xã Đông and Xã Tây."""
    old = make_unit("Tỉnh Cũ", level_code="tinh", code="90", valid_to=OLD_TO)
    a, b, c = (make_unit(name, parent=old, code=code, valid_to=OLD_TO)
               for name, code in (("Xã A", "90001"), ("Xã B", "90002"), ("Xã C", "90003")))
    for unit, value in ((a, 500), (b, 300), (c, 200)):
        enter(unit, value, month=JUNE_2023)
        Demographics.objects.create(unit=unit, year=2023, population=value * 2)
    new = make_unit("Tỉnh Mới", level_code="tinh", code="91", valid_from=NEW_FROM)
    new.predecessors.set([old])
    merged = make_unit("Xã Mới", parent=new, code="91001", valid_from=NEW_FROM)
    merged.predecessors.set([a, b])
    east = make_unit("Xã Đông", parent=new, code="91002", valid_from=NEW_FROM)
    west = make_unit("Xã Tây", parent=new, code="91003", valid_from=NEW_FROM)
    east.predecessors.set([c])
    west.predecessors.set([c])
    return {"old": old, "new": new, "merged": merged, "east": east, "west": west, "a": a, "b": b, "c": c}


SPLIT_NOTE = ("Chưa có số liệu: đơn vị hình thành từ một phần của Xã C (bị chia), "
              "không chia số liệu theo ước tính")
SUM_NOTE = "(số liệu của các đơn vị trước sắp xếp: Xã A, Xã B)"


def test_2023_under_todays_boundaries_sums_the_merged_commune_and_flags_the_split_one(tree):
    table = coverage_table_build(unit=tree["old"], table="bhyt", month=JUNE_2023, boundaries=TODAY)

    by_name = {r.values["unit"]: r for r in table.rows}
    assert list(by_name) == ["Xã Mới", "Xã Đông", "Xã Tây", "Tổng cộng (Tỉnh Mới)"]
    merged = by_name["Xã Mới"]
    assert (merged.values["population"], merged.values["participants"]) == (1600, 800)
    assert merged.note == SUM_NOTE
    for name in ("Xã Đông", "Xã Tây"):
        assert by_name[name].values["participants"] is None and by_name[name].values["population"] is None
        assert by_name[name].note == SPLIT_NOTE
    total = by_name["Tổng cộng (Tỉnh Mới)"]
    assert total.values["participants"] == 1000  # the whole old province: nothing is lost at the top
    assert total.note == "(số liệu của các đơn vị trước sắp xếp: Tỉnh Cũ)"
    assert "theo ranh giới đơn vị ngày 01/01/2026" in table.subtitle
    assert [m for m, _, _ in table.notes] == ["(1)", "(2)", "(3)", "(4)"]


def test_without_the_option_the_old_province_keeps_its_own_communes(tree):
    table = coverage_table_build(unit=tree["old"], table="bhyt", month=JUNE_2023)

    assert [r.values["unit"] for r in table.rows][:3] == ["Xã A", "Xã B", "Xã C"]
    assert not table.notes


def test_todays_province_for_2023_reads_the_same_rows_without_the_option(tree):
    """A unit formed after the month lists its children of its first day, read from predecessors."""
    plain = coverage_table_build(unit=tree["new"], table="bhyt", month=JUNE_2023)
    bounded = coverage_table_build(unit=tree["old"], table="bhyt", month=JUNE_2023, boundaries=TODAY)
    assert [r.values for r in plain.rows] == [r.values for r in bounded.rows]
    assert [r.note for r in plain.rows] == [r.note for r in bounded.rows]


def test_every_table_prints_the_marking(tree):
    for key in ("bhxh", "bhtn", "remaining"):
        table = coverage_table_build(unit=tree["new"], table=key, month=JUNE_2023)
        assert [r.note for r in table.rows][:3] == [SUM_NOTE, SPLIT_NOTE, SPLIT_NOTE], key


def test_html_csv_and_xlsx_agree(tree, admin_client):
    table = coverage_table_build(unit=tree["old"], table="bhyt", month=JUNE_2023, boundaries=TODAY)

    page = admin_client.get(reverse("coverage:page", args=[tree["old"].pk]),
                            {"table": "bhyt", "period": "2023-06", "ranh-gioi": "2026-01-01"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Xã Mới <sup class=\"history-marker\">(1)</sup>" in html
    assert f"(1) Xã Mới: {SUM_NOTE}" in html and SPLIT_NOTE in html
    assert 'name="ranh-gioi" value="2026-01-01"' in html

    rows = list(csv.reader(io.StringIO(coverage_table_render(
        table=table, unit=tree["old"], month=JUNE_2023, fmt="csv").decode("utf-8-sig"))))
    assert rows[0][-1] == "Nguồn số liệu (lịch sử đơn vị)"
    assert rows[1][1:4] == ["Xã Mới", "1600", "800"] and rows[1][-1] == SUM_NOTE
    assert rows[2][3] == "" and rows[2][-1] == SPLIT_NOTE

    sheet = load_workbook(io.BytesIO(coverage_table_render(
        table=table, unit=tree["old"], month=JUNE_2023, fmt="xlsx"))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Xã Mới (1)" in cells and 1600 in cells and 800 in cells
    assert f"(1) Xã Mới: {SUM_NOTE}" in cells
    assert f"(2) Xã Đông: {SPLIT_NOTE}" in cells


def test_a_bad_boundaries_day_is_said_not_a_500(tree, admin_client):
    page = admin_client.get(reverse("coverage:page", args=[tree["old"].pk]),
                            {"table": "bhyt", "period": "2023-06", "ranh-gioi": "2026-13-45"}, follow=True)
    assert page.status_code == 200
    assert "không phải một ngày dạng NNNN-TT-NN" in page.content.decode()


def test_a_unit_pieced_together_has_no_single_counterpart_before_its_merger(tree):
    assert unit_counterpart_on(unit=tree["merged"], on=JUNE_2023.end) is None
    assert unit_counterpart_on(unit=tree["old"], on=TODAY) == tree["new"]
    assert unit_counterpart_on(unit=tree["new"], on=JUNE_2023.end) == tree["old"]
    with pytest.raises(CoverageRequestError, match="không có một đơn vị nào tương ứng"):
        coverage_table_build(unit=tree["merged"], table="bhyt", month=JUNE_2023, boundaries=JUNE_2023.end)


def test_old_boundaries_for_a_later_month_flag_the_ended_communes(tree):
    """Today's figures are not divided back onto the old communes."""
    enter(tree["merged"], 900, month=Period.month(2025, 12))
    table = coverage_table_build(unit=tree["new"], table="bhyt", month=Period.month(2025, 12),
                                 boundaries=JUNE_2023.end)
    first = table.rows[0]
    assert first.values["unit"] == "Xã A" and first.values["participants"] is None
    assert "đã sắp xếp vào Xã Mới" in first.note


def test_the_dashboard_of_the_new_commune_for_2023_shows_the_summed_figure(tree, admin_client):
    dashboard = unit_dashboard(unit=tree["merged"], month=JUNE_2023)
    bhyt = next(r for r in dashboard.rows if r.indicator.code == "bhyt")
    assert bhyt.value == 800 and bhyt.denominator == 1600
    assert bhyt.values[5] == 800
    assert bhyt.history_note == SUM_NOTE

    page = admin_client.get(reverse("dashboard:unit", args=[tree["merged"].pk]), {"thang": "2023-06"})
    assert page.status_code == 200 and SUM_NOTE in page.content.decode()

    split = unit_dashboard(unit=tree["east"], month=JUNE_2023)
    assert all(r.value is None for r in split.rows)


def test_cli_takes_the_boundaries_option(tree, capsys):
    call_command("coverage_table", unit="91", table="bhyt", period="2023-06", boundaries="2026-01-01")
    out = capsys.readouterr().out
    assert "Xã Mới,1600,800" in out and SUM_NOTE in out


def test_the_pdf_prints_the_notes_under_the_table(tree):
    from tests.campaigns.pdfcheck import text_of

    table = coverage_table_build(unit=tree["old"], table="bhyt", month=JUNE_2023, boundaries=TODAY)
    text = text_of(coverage_table_render(table=table, unit=tree["old"], month=JUNE_2023, fmt="pdf"))
    assert "Xã Mới (1)" in text
    assert "(1) Xã Mới: (số liệu của các đơn vị trước sắp xếp: Xã A, Xã B)" in text
    assert "(2) Xã Đông: Chưa có số liệu" in text


def test_a_plan_table_marks_the_rows_too(tree):
    from campaigns.documents.selectors import coverage_table
    from targets.models import Indicator

    table = coverage_table(unit=tree["new"], indicator=Indicator.objects.get(code="bhyt"), as_of=JUNE_2023)
    table = getattr(table, "table", table)
    assert [(name, note) for _, name, note in table.notes][:2] == [("Xã Mới", SUM_NOTE), ("Xã Đông", SPLIT_NOTE)]


def test_the_download_job_keeps_the_boundaries(tree):
    from types import SimpleNamespace

    from reports.exports import coverage_export_job

    job = SimpleNamespace(params={"unit_id": tree["old"].pk, "table": "bhyt", "period": "2023-06",
                                  "format": "csv", "boundaries": "2026-01-01"})
    outcome = coverage_export_job(job=job, progress=lambda *a: None)
    assert outcome.output_name == "bang-bhyt-90-2023-06-ranh-gioi-20260101.csv"
    assert SUM_NOTE in outcome.output_bytes.decode("utf-8-sig")
