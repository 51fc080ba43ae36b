"""Bulk upload of a month's results, through the web (BHXH staff) and `manage.py import_data
results FILE`: the same checks and history as the grid; a bad row refuses the whole file with a
message naming the row, and nothing is written."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from results.models import MonthlyReport, MonthlyResult, ReportState
from results import services as services
from tests.factories import make_collection_agent

from .results_fixtures import JUNE, build_district, enter

pytestmark = pytest.mark.django_db

HEADER = "unit_code,period,indicator,participants,new,renewing\n"


@pytest.fixture
def tree():
    return build_district(communes=2, villages=2)


def upload(client, user, content: str | bytes, name: str = "ket_qua.csv"):
    client.force_login(user)
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(reverse("results:results_import"), {"action": "check",
                                                           "file": SimpleUploadedFile(name, data)})


def confirm(client, response):
    token = response.context["pending"]["token"]
    return client.post(reverse("results:results_import"), {"action": "confirm", "token": token})


def problems(response) -> list[str]:
    return response.context["report"].messages()


def test_bhxh_staff_upload_a_month_checked_first_then_written_with_history(client, tree):
    a, b = tree.communes
    village = tree.villages[a.pk][0]
    content = HEADER + (f"{village.code},2023-06,bhyt,1.234,,\n"
                        f"{a.code},06/2023,bhxh_tn,40,12,28\n"
                        f"{b.code},2023-06,BHYT,\"2.500\",,\n")
    response = upload(client, tree.users["district_staff"], content)
    assert response.status_code == 200
    assert response.context["report"].ok, problems(response)
    assert not MonthlyResult.objects.exists()  # checked, nothing written yet

    response = confirm(client, response)
    assert response.status_code == 302
    assert MonthlyResult.objects.count() == 3
    assert MonthlyResult.objects.get(unit=a).values() == (40, 12, 28)
    record = MonthlyResult.objects.get(unit=village).history.get()
    assert (record.history_user, record.participants, record.history_change_reason) == (
        tree.users["district_staff"], 1234, "Nhập từ tệp ket_qua.csv")
    assert set(MonthlyReport.objects.values_list("unit__code", "state")) == {
        (a.code, ReportState.DRAFT), (b.code, ReportState.DRAFT)}


@pytest.mark.parametrize("row, expected", [
    ("CK01,2023-06,bhyt,10,,", "dòng 3, cột unit_code: Không có đơn vị mã 'CK01' trong phạm vi của bạn."),
    ("CL01,2023-06,bhyt,mười,,", "dòng 3, cột participants: Số người tham gia: 'mười' không phải là số hợp lệ."),
    ("CL01,2200-01,bhyt,10,,", "dòng 3, cột period: Tháng 01/2200 chưa đến"),
    ("CL02,2023-06,bhyt,10,,", "dòng 3, cột period: Kết quả tháng 06/2023 của Xã 2 đã được"),
    ("CL01,2023-13,bhyt,10,,", "dòng 3, cột period: Tháng '2023-13' không hợp lệ"),
    ("CL01,2023-06,bhyt,-3,,", "dòng 3, cột participants: Số người tham gia -3 không được âm."),
    ("CL01,2023-06,bhxh_tn_moi,3,,", "dòng 3, cột indicator: Chỉ tiêu bhxh_tn_moi ghi ở cột Vận động mới"),
    ("CL01,2023-06,bhyt,11,,", "dòng 3, cột indicator: Trùng với dòng 2"),
])
def test_a_bad_row_refuses_the_file_naming_the_row_and_nothing_is_written(client, tree, row, expected):
    locked = tree.communes[1]
    enter(locked, 5)
    services.report_submit(unit=locked, month=JUNE)
    services.report_approve(report=services.find_report(unit=locked, month=JUNE))
    before = list(MonthlyResult.objects.values_list("pk", "participants", "version"))
    content = HEADER + "CL01,2023-06,bhyt,10,,\n" + row + "\n"

    response = upload(client, tree.users["district_staff"], content)

    report = response.context["report"]
    assert not report.ok and response.context.get("pending") is None
    assert any(m.startswith("Tệp ket_qua.csv, ") and expected in m for m in problems(response)), problems(response)
    assert "không dòng nào được ghi" in report.summary()
    assert list(MonthlyResult.objects.values_list("pk", "participants", "version")) == before


def test_all_bad_rows_are_reported_at_once(client, tree):
    content = HEADER + "CK01,2023-06,bhyt,10,,\nCL01,2023-06,bhyt,abc,,\nCL01,2200-01,bhyt,1,,\n"
    response = upload(client, tree.users["district_staff"], content)
    lines = [m.split(",")[1].strip() for m in problems(response)]
    assert lines == ["dòng 2", "dòng 3", "dòng 4"]


def test_a_commune_official_cannot_upload_and_staff_of_another_district_cannot_reach_these_units(client, tree):
    client.force_login(tree.users["official"])
    assert client.get(reverse("results:results_import")).status_code == 403
    response = upload(client, tree.users["other_staff"], HEADER + "CL01,2023-06,bhyt,10,,\n")
    assert "Không có đơn vị mã 'CL01' trong phạm vi của bạn." in " ".join(problems(response))
    assert not MonthlyResult.objects.exists()


def test_uploading_the_same_figures_into_a_locked_month_changes_nothing_and_is_not_refused(client, tree):
    commune = tree.communes[0]
    enter(commune, 10)
    services.report_submit(unit=commune, month=JUNE)
    response = upload(client, tree.users["district_staff"], HEADER + "CL01,2023-06,bhyt,10,,\n")
    assert response.context["report"].ok
    assert "không đổi 1" in response.context["report"].summary()


def test_an_xlsx_with_vietnamese_headers_and_an_agent_column(client, tree):
    commune = tree.communes[0]
    agent = make_collection_agent(commune, "Bưu điện xã 1")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Mã đơn vị", "Tháng", "Chỉ tiêu", "Số người tham gia", "Vận động mới", "Tái tục", "Đại lý thu"])
    sheet.append([commune.code, "2023-06", "bhxh_tn", 8, 8, 0, "Bưu điện xã 1"])
    sheet.append([commune.code, JUNE.start, "bhyt", "1.500", None, None, None])  # a date cell, as Excel makes it
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, tree.users["district_staff"], buffer.getvalue(), "thang6.xlsx")
    assert response.context["report"].ok, problems(response)
    confirm(client, response)
    assert MonthlyResult.objects.get(agent=agent).values() == (8, 8, 0)
    assert MonthlyResult.objects.get(agent__isnull=True).participants == 1500


def test_the_command_line_import_has_the_same_checks(tmp_path, tree):
    good = tmp_path / "ket_qua.csv"
    good.write_text(HEADER + "CL01,2023-06,bhyt,1.234,,\n", encoding="utf-8")
    call_command("import_data", "results", str(good))
    result = MonthlyResult.objects.get()
    assert result.participants == 1234
    assert result.history.get().history_change_reason == "Nhập từ tệp ket_qua.csv"

    services.report_submit(unit=tree.communes[0], month=JUNE)
    bad = tmp_path / "sai.csv"
    bad.write_text(HEADER + "CL02,2023-06,bhyt,5,,\nCL01,2023-06,bhyt,1.300,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="có 1 lỗi, không dòng nào được ghi"):
        call_command("import_data", "results", str(bad))
    assert MonthlyResult.objects.count() == 1 and MonthlyResult.objects.get().participants == 1234


def test_the_month_downloads_in_the_upload_columns(client, tree):
    commune = tree.communes[0]
    enter(commune, 1234)
    enter(tree.villages[commune.pk][0], 600, code="bhxh_tn", new=4, renewing=596)
    client.force_login(tree.users["official"])
    response = client.get(reverse("results:results_export", args=[commune.pk, JUNE.key, "csv"]))
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "unit_code,unit_name,period,indicator,participants,new,renewing,agent"
    assert f"{commune.code},{commune.name},2023-06,bhyt,1234,,," in text
    template = client.get(reverse("results:results_import_template", args=["xlsx"]))
    assert template.status_code == 200
