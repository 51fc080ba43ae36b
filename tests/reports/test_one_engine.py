"""One figure engine: every figure of every coverage table is printed the same, character for
character, on every output: the coverage page, the csv, json, Excel and PDF of `manage.py
coverage_table`, the dashboard ("Tổng quan") and its ranking, and the plan blocks (a table of the
reports app, a table by indicator, the remaining by indicator, the evaluation). Units: Càng Long in
June and May 2023 and Hướng Hóa in December 2019 from the demo data, and a made-up district whose
BHXH is only entered as its two parts, with a target assigned as a count."""

import csv
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from bhxh_portal.numbers import format_number
from campaigns.models import BlockKind, PlanBlock
from campaigns.documents.render.blocks import TablePart
from campaigns.documents.render.document import document_html, render_document
from campaigns.documents.services import document_create_from_starter
from reports.coverage import coverage_table_build, coverage_table_render
from reports.tables.coverage_tables import TABLES
from targets.models import Indicator, Target
from units.models import Unit
from units.services.official_units import OLD_TO  # the demo units end the day before the 2025 mergers
from units.periods import Period
from tests.campaigns.pdfcheck import text_of
from tests.factories import make_demographics, make_target, make_unit
from tests.results.results_fixtures import enter

pytestmark = pytest.mark.django_db

JUNE, MAY, DECEMBER_2019 = Period.month(2023, 6), Period.month(2023, 5), Period.month(2019, 12)
DEMO_CASES = [("CL", JUNE), ("CL", MAY), ("HHOA", DECEMBER_2019)]
# The indicators of the dashboard and the plan blocks, and where the coverage tables print them
# (table, participants, coverage, achievement, remaining; None: that table has no such column).
TABLE_OF = {
    "bhyt": ("bhyt", "participants", "coverage", "achievement", "remaining"),
    "bhtn": ("bhtn", "participants", "coverage", "achievement", "remaining"),
    "bhxh": ("bhxh", "total", "pct_total", "ach_total", None),
    "bhxh_tn": ("bhxh", "voluntary", "pct_voluntary", "ach_voluntary", "left_voluntary"),
    "bhxh_bb": ("bhxh", "compulsory", None, None, "left_compulsory"),
}
REMAINING_CODES = ["bhxh_bb", "bhxh_tn", "bhtn", "bhyt"]  # the columns of the remaining table


# --- reading the outputs back ----------------------------------------------------------------------


class _Tables(HTMLParser):
    """The body rows of every <table> of a page, each cell as its text (whitespace made single)."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            table = {"id": attrs.get("id", ""), "class": attrs.get("class", ""), "rows": [], "in_body": False}
            self._stack.append(table)
            self.tables.append(table)
        elif tag == "tbody" and self._stack:
            self._stack[-1]["in_body"] = True
        elif tag == "tr" and self._stack and self._stack[-1]["in_body"]:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            self._stack[-1]["rows"].append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def xlsx_as_printed(content: bytes, table) -> list[list[str]]:
    """The cells of the Excel file's body rows, written as the page prints them."""
    sheet = load_workbook(io.BytesIO(content)).active
    printed = []
    for r in range(7, 7 + len(table.rows)):
        row = []
        for c, column in enumerate(table.columns, start=1):
            value = sheet.cell(row=r, column=c).value
            places = column.places or 2
            if value is None:
                row.append("")
            elif column.kind == "text":
                row.append(str(value))
            elif column.zero_text and value == 0:
                row.append(column.zero_text)
            elif column.kind == "int":
                row.append(format_number(value, 0, negative_in_parentheses=True))
            elif column.kind in ("percent", "pp"):
                row.append(f"{format_number(Decimal(repr(value)) * 100, places)}%")
            else:
                row.append(format_number(Decimal(repr(value)), places))
        printed.append(row)
    return printed


def csv_as_printed(lines: list[list[str]], table) -> list[list[str]]:
    """The csv's plain numbers (13737, -75, 0.9308), written as the page prints them."""
    printed = []
    for line in lines:
        row = []
        for text, column in zip(line, table.columns):
            places = column.places or 2
            try:
                value = Decimal(text)
            except ArithmeticError:
                row.append(text)  # text, an empty cell, or a note in a figure's place
                continue
            if column.kind == "text":
                row.append(text)
            elif column.zero_text and value == 0:
                row.append(column.zero_text)
            elif column.kind == "int":
                row.append(format_number(value, 0, negative_in_parentheses=True))
            elif column.kind in ("percent", "pp"):
                row.append(f"{format_number(value * 100, places)}%")
            else:
                row.append(format_number(value, places))
        printed.append(row)
    return printed


def cli(capsys, code: str, table: str, month: Period, fmt: str) -> str:
    call_command("coverage_table", "--unit", code, "--table", table, "--period", month.key, "--format", fmt)
    return capsys.readouterr().out


def pct(text: str) -> str:
    """'83,27' and '83,27%' print the same figure (the BHXH table's columns carry no % sign)."""
    return shown(text).rstrip("%")


def shown(text: str) -> str:
    """The dashboard prints '—' where a table leaves the cell empty."""
    return "" if text == "—" else text


# --- the comparison --------------------------------------------------------------------------------


class Mismatches(list):
    def check(self, where: str, ours, expected):
        if ours != expected:
            self.append(f"{where}: {ours!r} != {expected!r}")


def every_output_agrees(*, unit: Unit, month: Period, client, capsys, tmp_path) -> dict:
    """Every table of the unit and month on every output; returns the printed tables."""
    wrong = Mismatches()
    printed = {}
    for key in TABLES:
        table = coverage_table_build(unit=unit, table=key, month=month)
        rows = printed[key] = table.formatted_rows()
        where = f"{unit.code} {month.key} {key}"
        page = client.get(reverse("coverage:page", args=[unit.pk]), {"table": key, "period": month.key})
        assert page.status_code == 200
        report = [t for t in html_tables(page.content.decode()) if "report" in t["class"]]
        wrong.check(f"{where} page", report[0]["rows"], rows)
        lines = list(csv.reader(io.StringIO(cli(capsys, unit.code, key, month, "csv"))))
        wrong.check(f"{where} csv", csv_as_printed(lines[1:], table), rows)
        as_json = json.loads(cli(capsys, unit.code, key, month, "json"))
        wrong.check(f"{where} json", [[r[c.key] for c in table.columns] for r in as_json["rows"]], rows)
        out = tmp_path / f"{key}.xlsx"
        call_command("coverage_table", "--unit", unit.code, "--table", key, "--period", month.key,
                     "--format", "xlsx", "--output", str(out))
        capsys.readouterr()
        wrong.check(f"{where} xlsx", xlsx_as_printed(out.read_bytes(), table), rows)
        pdf = text_of(coverage_table_render(table=table, unit=unit, month=month, fmt="pdf"))
        for row in rows:
            numbers = " ".join(v for c, v in zip(table.columns, row) if c.kind != "text" and v)
            if numbers and numbers not in pdf:
                wrong.append(f"{where} pdf: {numbers!r} not in the text")
    assert not wrong, "\n".join(wrong)
    return printed


def _by_name(rows: list[list[str]], name_index: int = 1) -> dict[str, list[str]]:
    return {r[name_index]: r for r in rows}


def dashboard_agrees(*, unit: Unit, month: Period, printed: dict, client) -> dict[str, list[str]]:
    """The dashboard's figure of each indicator is the table's total row; its ranking, the table's
    child rows. Returns the dashboard's rows by indicator code."""
    wrong = Mismatches()
    url = reverse("dashboard:unit", args=[unit.pk])
    html = client.get(url, {"thang": month.key}).content.decode()
    codes = dict(Indicator.objects.values_list("short_name", "code"))  # the page names, it prints no codes
    rows = {codes.get(r[0].strip()): r for r in next(t for t in html_tables(html) if t["id"] == "indicators")["rows"]}
    for code, (table, participants, coverage, achievement, remaining) in TABLE_OF.items():
        columns = [c.key for c in coverage_table_build(unit=unit, table=table, month=month).columns]
        total = printed[table][-1]
        row = rows.get(code)
        if row is None:
            wrong.check(f"dashboard {code}", None, total[columns.index(participants)] or None)
            continue
        label = f"{unit.code} {month.key} dashboard {code}"
        latest = row[3].split(" ")[0] if month.label in row[3] else ""
        wrong.check(f"{label} participants", latest, total[columns.index(participants)])
        if coverage:
            wrong.check(f"{label} coverage", pct(row[4]), pct(total[columns.index(coverage)]))
        if achievement:
            wrong.check(f"{label} achievement", pct(row[5]), pct(total[columns.index(achievement)]))
        if remaining:
            wrong.check(f"{label} remaining", shown(row[6]), total[columns.index(remaining)])
    for code in ("bhyt", "bhtn"):
        html = client.get(url, {"thang": month.key, "chi-tieu": code}).content.decode()
        ranking = next((t for t in html_tables(html) if t["id"] == "ranking"), {"rows": []})["rows"]
        table = printed[code]
        if not any(r[3] for r in table[:-1]):  # no child has a figure
            continue
        columns = [c.key for c in coverage_table_build(unit=unit, table=code, month=month).columns]
        children = _by_name(table[:-1])
        for r in ranking:
            child = children[r[1]]
            label = f"{unit.code} {month.key} ranking {code} {r[1]}"
            wrong.check(f"{label} participants", shown(r[2]), child[columns.index("participants")])
            wrong.check(f"{label} coverage", shown(r[6]), child[columns.index("coverage")])
            wrong.check(f"{label} achievement", shown(r[7]), child[columns.index("achievement")])
            wrong.check(f"{label} remaining", shown(r[8]), child[columns.index("remaining")])
    assert not wrong, "\n".join(wrong)
    return rows


def blocks_agree(*, unit: Unit, month: Period, printed: dict) -> dict[str, list[list[str]]]:
    """The plan blocks print the tables' figures: the reports tables as they are, the tables by
    indicator and the remaining by indicator the same figures, the evaluation the same table."""
    wrong = Mismatches()
    kind = "district-half-year" if unit.level.code == "huyen" else "monthly-report"
    document = document_create_from_starter(kind=kind, unit=unit, year=month.year, month=month.number)
    specs = [(BlockKind.COVERAGE, {"table": t, "as_of": month.key}) for t in ("bhyt", "bhxh", "bhtn", "students")]
    specs += [(BlockKind.REMAINING, {"as_of": month.key})]
    specs += [(BlockKind.COVERAGE, {"indicator": c, "as_of": month.key, "change": c == "bhyt"})
              for c in ("bhyt", "bhtn", "bhxh", "bhxh_tn")]
    specs += [(BlockKind.REMAINING, {"indicators": REMAINING_CODES, "as_of": month.key})]
    specs += [(BlockKind.EVALUATION, {"indicators": ["bhxh", "bhxh_bb", "bhxh_tn", "bhtn"], "year": month.year})]
    blocks = [PlanBlock(document=document, position=n, kind=k, params=p) for n, (k, p) in enumerate(specs, 1)]
    rendered = render_document(document, blocks)
    assert rendered.errors == []
    tables = [next(p.table for p in b.parts if isinstance(p, TablePart)) for b in rendered.blocks]
    html_rows = [t["rows"] for t in html_tables(document_html(rendered, for_pdf=False)) if "report" in t["class"]]
    wrong.check("block html", html_rows, [t.formatted_rows() for t in tables])
    found = {}
    for (block_kind, params), table in zip(specs, tables):
        rows = table.formatted_rows()
        name = params.get("table") or params.get("indicator") or block_kind
        found[name] = rows
        label = f"{unit.code} {month.key} block {name}"
        if "table" in params or (block_kind == BlockKind.REMAINING and "indicators" not in params):
            wrong.check(label, rows, printed[params.get("table", "remaining")])
        elif block_kind == BlockKind.EVALUATION:
            wrong.check(label, rows, printed["evaluation"])
        elif block_kind == BlockKind.REMAINING:
            source = printed["remaining"]
            wrong.check(label, [r[2:6] for r in rows], [r[2:6] for r in source])
        else:
            table_key, participants, coverage, achievement, remaining = TABLE_OF[params["indicator"]]
            columns = [c.key for c in coverage_table_build(unit=unit, table=table_key, month=month).columns]
            for ours, theirs in zip(rows, printed[table_key]):
                wrong.check(f"{label} {theirs[1]} participants", ours[3], theirs[columns.index(participants)])
                wrong.check(f"{label} {theirs[1]} coverage", pct(ours[4]), pct(theirs[columns.index(coverage)]))
                wrong.check(f"{label} {theirs[1]} achievement", pct(ours[6]),
                            pct(theirs[columns.index(achievement)]))
                if remaining:
                    wrong.check(f"{label} {theirs[1]} remaining", ours[-1], theirs[columns.index(remaining)])
            wrong.check(f"{label} rows", len(rows), len(printed[table_key]))
    assert not wrong, "\n".join(wrong)
    return found


def evaluation_agrees(*, unit: Unit, month: Period, printed: dict, dashboard: dict) -> None:
    """The evaluation's participants and % of plan are the table's and the dashboard's figures."""
    wrong = Mismatches()
    evaluation = {r[0]: r for r in printed["evaluation"]}
    labels = {"bhxh": "BHXH", "bhxh_tn": "BHXH tự nguyện", "bhxh_bb": "BHXH bắt buộc", "bhtn": "BHTN"}
    for code, label in labels.items():
        table, participants, _, achievement, _ = TABLE_OF[code]
        columns = [c.key for c in coverage_table_build(unit=unit, table=table, month=month).columns]
        total = printed[table][-1]
        if month.number == 12 or total[columns.index(participants)]:  # the year's latest month is this one
            wrong.check(f"{unit.code} evaluation {code} participants", evaluation[label][2],
                        total[columns.index(participants)])
        if achievement and evaluation[label][6]:
            wrong.check(f"{unit.code} evaluation {code} % of plan", pct(evaluation[label][6]),
                        pct(total[columns.index(achievement)]))
            if code in dashboard:
                wrong.check(f"{unit.code} dashboard {code} vs evaluation", pct(dashboard[code][5]),
                            pct(evaluation[label][6]))
    assert not wrong, "\n".join(wrong)


# --- the units -------------------------------------------------------------------------------------


@pytest.fixture
def demo_data(db):
    from units.demo import load_units
    from targets.demo import load_targets_demo
    from results.demo import load_results_demo
    from targets.schools.demo import load_schools_demo

    load_units()
    load_targets_demo()
    load_results_demo()
    load_schools_demo()


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("quantri", "qt@example.org", "x"))
    return client


def test_every_figure_of_the_demo_units_is_printed_alike_everywhere(demo_data, admin_client, capsys, tmp_path):
    for code, month in DEMO_CASES:
        unit = Unit.objects.valid_on(OLD_TO).get(code=code)
        printed = every_output_agrees(unit=unit, month=month, client=admin_client, capsys=capsys, tmp_path=tmp_path)
        dashboard = dashboard_agrees(unit=unit, month=month, printed=printed, client=admin_client)
        blocks_agree(unit=unit, month=month, printed=printed)
        if month.number in (6, 12):  # the months whose year has no later figure in the demo
            evaluation_agrees(unit=unit, month=month, printed=printed, dashboard=dashboard)


@pytest.fixture
def made_up_district(db):
    """Tỉnh → huyện with three xã: BHYT by rate, BHXH by rate with BHXH TN assigned as a count, BHTN;
    the communes enter BHXH only as its two parts, one commune has no June figure."""
    province = make_unit("Tỉnh Thử", level_code="tinh", code="99")
    district = make_unit("Huyện Thử", level_code="huyen", parent=province, code="TH")
    make_demographics(district, 2023, population=30000, labour_force=16000)
    make_target(district, "bhyt", year=2023, rate_pct="92.5")
    make_target(district, "bhxh", year=2023, rate_pct="21.37")
    make_target(district, "bhxh_tn", year=2023, count=1003)
    make_target(district, "bhtn", year=2023, rate_pct="14.2")
    figures = [(9000, 5000, 24, 7001, 3313, 187), (11000, 6000, 11, 10002, 4009, 233), (10000, 5000, 7, 9199, 2987, 0)]
    for n, (population, labour, rate_tn, bhyt, bb, tn) in enumerate(figures, start=1):
        commune = make_unit(f"Xã Thử {n}", level_code="xa", parent=district, code=f"TH{n:02d}")
        make_demographics(commune, 2023, population=population, labour_force=labour)
        make_target(commune, "bhyt", year=2023, rate_pct="92.5")
        make_target(commune, "bhxh", year=2023, rate_pct="21.37")
        make_target(commune, "bhxh_tn", year=2023, count=rate_tn * 10 + 3)
        make_target(commune, "bhtn", year=2023, rate_pct="14.2")
        for month, scale in ((MAY, 0.97), (JUNE, 1)):
            if n == 3 and month == JUNE:
                continue
            enter(commune, int(bhyt * scale), code="bhyt", month=month)
            enter(commune, int(bb * scale), code="bhxh_bb", month=month)
            enter(commune, int(tn * scale), code="bhxh_tn", month=month)
            enter(commune, int(bb * scale * 0.8), code="bhtn", month=month)
    return district


def test_every_figure_of_a_made_up_district_is_printed_alike_everywhere(made_up_district, admin_client, capsys,
                                                                       tmp_path):
    dashboards = {}
    for month in (JUNE, MAY):
        printed = every_output_agrees(unit=made_up_district, month=month, client=admin_client, capsys=capsys,
                                      tmp_path=tmp_path)
        dashboards[month] = dashboard_agrees(unit=made_up_district, month=month, printed=printed, client=admin_client)
        blocks_agree(unit=made_up_district, month=month, printed=printed)
        if month == JUNE:
            evaluation_agrees(unit=made_up_district, month=month, printed=printed, dashboard=dashboards[month])
    # BHXH was only entered as its parts: the district's BHXH is their sum on the table and the dashboard
    total = coverage_table_build(unit=made_up_district, table="bhxh", month=JUNE).rows[-1].values
    assert total["total"] == total["compulsory"] + total["voluntary"] == 7322 + 420
    assert dashboards[JUNE]["bhxh"][3].startswith("7.742 Tháng 6/2023, cộng bắt buộc và tự nguyện")


# --- the regressions -------------------------------------------------------------------------------


def test_huong_hoa_2019_voluntary_achievement_is_44_27_on_the_table_the_block_and_the_evaluation(demo_data):
    unit = Unit.objects.valid_on(OLD_TO).get(code="HHOA")
    table = coverage_table_build(unit=unit, table="bhxh", month=DECEMBER_2019).formatted_rows()[-1]
    blocks = blocks_agree(unit=unit, month=DECEMBER_2019,
                          printed={k: coverage_table_build(unit=unit, table=k, month=DECEMBER_2019).formatted_rows()
                                   for k in TABLES})
    evaluation = {r[0]: r for r in blocks[BlockKind.EVALUATION]}
    assert table[11] == "44,27"  # 278 / 628, not 0,5569% / 1,26% (the rounded rate) = 44,20
    assert blocks["bhxh_tn"][-1][6] == "44,27%"
    assert evaluation["BHXH tự nguyện"][6] == "44,27%"
    assert table[10] == "93,91" and evaluation["BHXH"][6] == "93,91%"  # 5.122 / 5.454


def test_cang_long_june_2023_dashboard_shows_bhxh_as_the_sum_of_its_parts(demo_data, admin_client):
    unit = Unit.objects.valid_on(OLD_TO).get(code="CL")
    html = admin_client.get(reverse("dashboard:unit", args=[unit.pk]), {"thang": "2023-06"}).content.decode()
    codes = dict(Indicator.objects.values_list("short_name", "code"))  # the page names, it prints no codes
    rows = {codes.get(r[0].strip()): r for r in next(t for t in html_tables(html) if t["id"] == "indicators")["rows"]}
    assert rows["bhxh"][3].startswith("14.338 Tháng 6/2023, cộng bắt buộc và tự nguyện")
    assert "chưa có" not in rows["bhxh"][3]
    assert (rows["bhxh"][4], rows["bhxh"][5], rows["bhxh"][6]) == ("18,89%", "83,27%", "2.881")
    assert rows["bhxh_bb"][3].startswith("10.841 ") and rows["bhxh_tn"][3].startswith("3.497 ")


def test_cang_long_june_2023_evaluation_dashboard_and_table_agree_to_the_last_digit(demo_data, admin_client):
    unit = Unit.objects.valid_on(OLD_TO).get(code="CL")
    bhxh = coverage_table_build(unit=unit, table="bhxh", month=JUNE).formatted_rows()[-1]
    evaluation = {r[0]: r for r in coverage_table_build(unit=unit, table="evaluation", month=JUNE).formatted_rows()}
    html = admin_client.get(reverse("dashboard:unit", args=[unit.pk]), {"thang": "2023-06"}).content.decode()
    codes = dict(Indicator.objects.values_list("short_name", "code"))  # the page names, it prints no codes
    dashboard = {codes.get(r[0].strip()): r for r in next(t for t in html_tables(html) if t["id"] == "indicators")["rows"]}
    # coverage 4,608% / 6,17% = 74,684%, where 3.497 / 4.682 (the count derived from the rate) = 74,69%
    assert (bhxh[11], evaluation["BHXH tự nguyện"][6], dashboard["bhxh_tn"][5]) == ("74,68", "74,68%", "74,68%")
    assert (bhxh[7], evaluation["BHXH"][2]) == ("14.338", "14.338")
    assert (bhxh[10], evaluation["BHXH"][6], dashboard["bhxh"][5]) == ("83,27", "83,27%", "83,27%")
    bhtn = coverage_table_build(unit=unit, table="bhtn", month=JUNE).formatted_rows()[-1]
    assert (bhtn[6], evaluation["BHTN"][6], dashboard["bhtn"][5]) == ("88,86%", "88,86%", "88,86%")


def test_huong_hoa_2019_targets_page_prints_the_tables_achievement_for_a_target_assigned_as_a_count(
        demo_data, admin_client):
    unit = Unit.objects.valid_on(OLD_TO).get(code="HHOA")
    # The 628 people were assigned against an earlier labour force (1,26% of 49.841), corrected since to
    # 49.923: achievement is still 278 / 628, not the coverage over the count's old rate (44,19).
    Target.objects.filter(unit=unit, indicator__code="bhxh_tn", year=2019).update(denominator=49841)
    table = coverage_table_build(unit=unit, table="bhxh", month=DECEMBER_2019).formatted_rows()[-1]
    html = admin_client.get(reverse("targets:target_overview", args=[unit.pk, 2019])).content.decode()
    names = dict(Indicator.objects.values_list("short_name", "code"))
    page = {names.get(r[0].strip()): r for r in next(t for t in html_tables(html) if t["id"] == "targets")["rows"]}
    assert (table[11], page["bhxh_tn"][7]) == ("44,27", "44,27%")
    assert page["bhxh_tn"][5:9] == ["278", "0,56%", "44,27%", "350"]  # participants, coverage, achievement, remaining
