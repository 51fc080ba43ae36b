"""Every upload refuses what lies outside the uploader's subtree and writes nothing.

Already covered elsewhere, and not repeated here: results (tests/results/test_results_import.py
::test_a_commune_official_cannot_upload_and_staff_of_another_district_cannot_reach_these_units), targets
(tests/targets/test_targets_import.py::test_web_import_refuses_rows_the_user_may_not_write), schools
(tests/targets/test_schools_import.py::test_web_upload_checks_first_and_refuses_another_branch_writing_nothing),
participant rows (tests/agents/test_import_participants.py::test_a_row_outside_the_uploaders_subtree_is_refused...),
activities of another province (tests/campaigns/test_activities_pages.py::test_import_page_refuses_a_bad_file...),
units (the admin import: administrators only, tests/targets/test_targets_admin.py).
"""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from targets.models import Demographics
from units.models import Role
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def branches():
    """A province with two districts; staff of the first one."""
    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    own = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    make_unit("Xã Đông Phong", level_code="xa", parent=own, code="BN-YP01")
    other = make_unit("Huyện Gia Bình", level_code="huyen", parent=province, code="BN-GB")
    make_unit("Xã Đại Bái", level_code="xa", parent=other, code="BN-GB01")
    return province, own, other, make_member(own, Role.BHXH_STAFF)


def xlsx_upload(name: str, headers: list[str], rows: list[list]) -> SimpleUploadedFile:
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return SimpleUploadedFile(name, dataset.export("xlsx"))


def test_participant_upload_for_a_unit_of_another_branch_is_refused(client, branches):
    from jobs.models import Job

    _, own, other, staff = branches
    client.force_login(staff)
    upload = xlsx_upload("ds.xlsx", ["Mã số BHXH", "Họ và tên", "Ngày sinh", "Mã xã"],
                         [["0112345678", "Nguyễn Văn An", "03/05/1980", "BN-GB01"]])
    response = client.post("/nguoi-tham-gia/nhap/", {"unit": other.pk, "file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert Job.objects.count() == 0


def test_demographics_upload_with_a_unit_of_another_branch_is_refused(client, branches):
    _, own, other, staff = branches
    client.force_login(staff)
    upload = xlsx_upload("dan-so.xlsx", ["Mã đơn vị", "Năm", "Dân số"],
                         [["BN-YP01", 2024, 12000], ["BN-GB01", 2024, 9000]])
    response = client.post("/don-vi/chi-tieu/nhap/", {"action": "check", "kind": "demographics", "file": upload})
    report = response.context["report"]
    assert not report.ok
    assert any("dòng 3" in m and "BN-GB01" in m for m in report.messages()), report.messages()
    assert not Demographics.objects.exists()


def programme_of(province):
    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.models import SupportProgramme

    load_programmes_demo()
    return SupportProgramme.objects.get(province=province)


SOLDIER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Mã số BHXH", "Mã xã",
           "Nơi thường trú", "Ngày nhập ngũ", "Ngày xuất ngũ"]


def test_programme_list_for_a_unit_or_commune_of_another_branch_is_refused(client, branches):
    from campaigns.programmes.importers import import_beneficiary_list
    from campaigns.models import Beneficiary

    province, own, other, staff = branches
    programme = programme_of(province)
    group = programme.groups.get(form="01/NQ-03")
    line = [1, "Nguyễn Văn Một", "12/05/1960", "Nam", "027060000001", "", "BN-GB01", "Đại Bái", "15/03/1979",
            "20/06/1982"]
    client.force_login(staff)
    # the page offers only the user's units
    response = client.post(f"/chuong-trinh/{programme.pk}/nhap/", {
        "group": group.pk, "unit": other.pk, "received_on": "29/08/2024", "write": "on",
        "file": xlsx_upload("mau-01.xlsx", SOLDIER, [line])})
    assert response.context["form"].errors["unit"]
    # the service refuses it too, whoever calls it
    report = import_beneficiary_list(xlsx_upload("mau-01.xlsx", SOLDIER, [line]).read(), filename="mau-01.xlsx",
                                     group=group, unit=other, received_on=datetime.date(2024, 8, 29), user=staff)
    assert report.messages() == ["Tệp mau-01.xlsx: bạn không có quyền nhận danh sách của đơn vị này: đơn vị ngoài "
                                 "phạm vi của bạn."]
    # and a commune of the other branch in a list of the user's own district
    report = import_beneficiary_list(xlsx_upload("mau-01.xlsx", SOLDIER, [line]).read(), filename="mau-01.xlsx",
                                     group=group, unit=own, received_on=datetime.date(2024, 8, 29), user=staff)
    assert not report.ok and "BN-GB01" in report.messages()[0]
    assert not Beneficiary.objects.exists()


def test_activity_plan_for_a_sibling_district_is_refused(client, branches):
    from campaigns.models import DriveActivity

    province, own, other, staff = branches
    client.force_login(staff)
    upload = xlsx_upload("ke-hoach.xlsx", ["Loại hoạt động", "Mã đơn vị tổ chức", "Từ ngày", "Đến ngày", "Số cuộc"],
                         [["nhóm nhỏ", "BN-YP", "01/11/2024", "30/11/2024", 3],
                          ["nhóm nhỏ", "BN-GB", "01/11/2024", "30/11/2024", 2]])
    response = client.post("/hoat-dong/nhap/", {"file": upload, "write": "on"})
    assert response.status_code == 400
    assert "dòng 3, cột Mã đơn vị tổ chức" in response.content.decode()
    assert not DriveActivity.objects.exists()
