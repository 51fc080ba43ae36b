"""Support-programme pages through the HTTP client: import on a form, export, card issue, the
overdue list, the budget, and refusals (another province's programme or list answers 404)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.programmes.demo import load_programmes_demo
from campaigns.models import Beneficiary, BeneficiaryList, BeneficiaryState, SupportProgramme
from units.models import Role
from tests.campaigns.test_programmes import HEADERS_01, soldiers, xlsx
from tests.factories import make_member, make_unit


@pytest.fixture
def bac_ninh(db):
    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    load_programmes_demo()
    return SupportProgramme.objects.get(province=province), province, district


def upload(client, programme, district, lines, *, write=True, received="29/08/2024"):
    group = programme.groups.get(form="01/NQ-03")
    data = {"group": group.pk, "unit": district.pk, "received_on": received,
            "file": SimpleUploadedFile("mau-01.xlsx", xlsx(HEADERS_01, lines))}
    if write:
        data["write"] = "on"
    return client.post(reverse("programmes:list_import", args=[programme.pk]), data)


def test_staff_imports_a_list_exports_it_and_issues_a_card(client, bac_ninh):
    programme, _, district = bac_ninh
    staff = make_member(district, Role.BHXH_STAFF)
    client.force_login(staff)
    response = upload(client, programme, district, soldiers(3))
    batch = BeneficiaryList.objects.get()
    assert response.status_code == 302 and response.url == reverse("programmes:list_detail", args=[batch.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and "Nguyễn Văn 1" in page.content.decode()
    exported = client.get(reverse("programmes:list_export", args=[batch.pk]))
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    first = Beneficiary.objects.order_by("line").first()
    client.post(reverse("programmes:beneficiary_issue", args=[first.pk]),
                {"card_number": "HT2272720000001", "issued_on": "2024-09-05"})
    first.refresh_from_db()
    assert (first.state, first.card_issued_on) == (BeneficiaryState.CARD_ISSUED, datetime.date(2024, 9, 5))
    overdue = client.get(reverse("programmes:overdue", args=[programme.pk])).context["beneficiaries"]
    assert [b.line for b in overdue] == [3, 4]  # deadline 9/9/2024 long past
    detail = client.get(reverse("programmes:programme_detail", args=[programme.pk]), {"nam": "2024"})
    assert detail.status_code == 200
    # received 29/8/2024: September to December for the 3 former soldiers (support from 29/8: August too)
    assert detail.context["budget"].amount == 3 * 67_050 * 5


def test_bad_list_upload_answers_400_with_row_messages_and_writes_nothing(client, bac_ninh):
    programme, _, district = bac_ninh
    client.force_login(make_member(district, Role.BHXH_STAFF))
    lines = soldiers(2)
    lines[1][8] = "01/01/1970"
    response = upload(client, programme, district, lines)
    assert response.status_code == 400
    assert "dòng 3, cột Ngày nhập ngũ: chỉ hỗ trợ cựu quân nhân" in response.content.decode()
    assert Beneficiary.objects.count() == 0 and BeneficiaryList.objects.count() == 0


def test_commune_official_cannot_import_or_issue_cards(client, bac_ninh):
    programme, _, district = bac_ninh
    staff = make_member(district, Role.BHXH_STAFF)
    client.force_login(staff)
    upload(client, programme, district, soldiers(1))
    official = make_member(district, Role.COMMUNE_OFFICIAL)
    client.force_login(official)
    response = upload(client, programme, district, soldiers(1, start=5))
    assert response.status_code == 400 and "bạn không có quyền nhận danh sách" in response.content.decode()
    beneficiary = Beneficiary.objects.get()
    assert client.post(reverse("programmes:beneficiary_issue", args=[beneficiary.pk]),
                       {"card_number": "X"}).status_code == 403


def test_another_provinces_programme_and_list_answer_404(client, bac_ninh):
    programme, _, district = bac_ninh
    client.force_login(make_member(district, Role.BHXH_STAFF))
    upload(client, programme, district, soldiers(1))
    batch = BeneficiaryList.objects.get()
    stranger = make_member(make_unit("Tỉnh Bình Định", level_code="tinh", code="52"), Role.BHXH_STAFF)
    client.force_login(stranger)
    assert client.get(reverse("programmes:programme_detail", args=[programme.pk])).status_code == 404
    assert client.get(reverse("programmes:list_detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("programmes:list_export", args=[batch.pk])).status_code == 404
    beneficiary = Beneficiary.objects.get()
    assert client.post(reverse("programmes:beneficiary_issue", args=[beneficiary.pk]),
                       {"card_number": "X"}).status_code == 404
    assert client.get(reverse("programmes:programme_list")).context["programmes"] == []


def test_form_templates_download(client, bac_ninh):
    client.force_login(make_member(bac_ninh[2], Role.BHXH_STAFF))
    response = client.get(reverse("programmes:list_template", args=["01-NQ-03"]))
    assert response.status_code == 200
    assert client.get(reverse("programmes:list_template", args=["99-XX"])).status_code == 404
