"""Drive-activity pages through the HTTP client: the monthly plan of Bình Định, the calendar, the
import, and the refusals (another province's activity or unit answers 404)."""

import datetime

import pytest
import tablib
from django.urls import reverse

from campaigns.activities.demo import load_activities_demo
from campaigns.models import ActivityKind, DriveActivity
from units.models import Role
from tests.campaigns.test_activities import DISTRICT_NAMES
from tests.factories import make_member, make_unit


@pytest.fixture
def binh_dinh(db):
    province = make_unit("Tỉnh Bình Định", level_code="tinh", code="52")
    for code, name in DISTRICT_NAMES.items():
        make_unit(name, level_code="huyen", parent=province, code=code)
    load_activities_demo()
    return province


@pytest.fixture
def other_province(db):
    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    activity = DriveActivity.objects.create(kind=ActivityKind.SMALL_GROUP, organiser=province,
                                            planned_start=datetime.date(2024, 10, 3),
                                            planned_end=datetime.date(2024, 10, 3))
    return province, activity


def test_monthly_plan_page_shows_the_binh_dinh_figures(client, binh_dinh):
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    response = client.get(reverse("activities:monthly_plan", args=[binh_dinh.pk]), {"thang": "2024-10"})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(k.kind, k.planned_by_office, k.planned_below) for k in plan.kinds] == [
        ("employer_conference", 1, 5), ("direct_work", 34, 110), ("prospect_conference", 7, 50),
        ("small_group", 28, 88), ("inspection", 5, 10)]
    assert plan.kind("direct_work").expected["bhxh_bb"] == 1110
    assert plan.kind("employer_conference").held == 1
    html = response.content.decode()
    assert "Tỉnh Bình Định: 1 + đơn vị trực thuộc: 5" in html
    assert "1.110" in html


def test_calendar_lists_the_provinces_conference_on_25_october(client, binh_dinh):
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    response = client.get(reverse("activities:calendar", args=[binh_dinh.pk]), {"thang": "2024-10"})
    assert response.status_code == 200
    day = next(d for week in response.context["weeks"] for d in week if d["day"] == datetime.date(2024, 10, 25))
    assert [a.kind for a in day["activities"] if a.planned_start == day["day"]] == ["employer_conference"]


def test_another_provinces_activity_and_unit_answer_404(client, binh_dinh, other_province):
    province, activity = other_province
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    assert client.get(reverse("activities:activity_detail", args=[activity.pk])).status_code == 404
    assert client.get(reverse("activities:monthly_plan", args=[province.pk])).status_code == 404
    assert client.get(reverse("activities:calendar", args=[province.pk])).status_code == 404
    listed = client.get(reverse("activities:activity_list"), {"thang": "2024-10"}).context["activities"]
    assert activity not in listed and len(listed) == 50


def test_district_staff_sees_its_activities_but_cannot_edit_the_provinces(client, binh_dinh):
    district = binh_dinh.children.get(code="BD-PC")
    client.force_login(make_member(district, Role.BHXH_STAFF))
    province_conference = DriveActivity.objects.get(organiser=binh_dinh, kind=ActivityKind.EMPLOYER_CONFERENCE)
    assert client.get(reverse("activities:activity_detail", args=[province_conference.pk])).status_code == 404
    own = DriveActivity.objects.get(organiser=district, kind=ActivityKind.EMPLOYER_CONFERENCE)
    response = client.post(reverse("activities:activity_detail", args=[own.pk]), {
        "action": "held", "held_on": "18/10/2024", "held_count": "1", "attendance": "64", "signup_bhxh_bb": "12"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.status, own.attendance, own.sign_ups.get(product__code="bhxh_bb").actual) == ("held", 64, 12)


def test_collection_agent_cannot_record_results(client, binh_dinh):
    agent = make_member(binh_dinh, Role.COLLECTION_AGENT)
    client.force_login(agent)
    activity = DriveActivity.objects.filter(organiser=binh_dinh).first()
    response = client.post(reverse("activities:activity_detail", args=[activity.pk]),
                           {"action": "held", "held_on": "18/10/2024"})
    assert response.status_code == 403
    assert client.get(reverse("activities:activity_import")).status_code == 403


def test_import_page_refuses_a_bad_file_and_writes_nothing(client, binh_dinh):
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    data = tablib.Dataset(headers=["Loại hoạt động", "Mã đơn vị tổ chức", "Từ ngày", "Đến ngày", "Số cuộc"])
    data.append(["nhóm nhỏ", "52", "01/11/2024", "30/11/2024", 28])
    data.append(["nhóm nhỏ", "27", "01/11/2024", "30/11/2024", 9])
    upload = tablib_file(data, "thang-11.xlsx")
    before = DriveActivity.objects.count()
    response = client.post(reverse("activities:activity_import"), {"file": upload, "write": "on"})
    assert response.status_code == 400
    assert "Tệp thang-11.xlsx, dòng 3, cột Mã đơn vị tổ chức: không có đơn vị mang mã &#x27;27&#x27;." \
        in response.content.decode()
    assert DriveActivity.objects.count() == before

    good = tablib.Dataset(headers=["Loại hoạt động", "Mã đơn vị tổ chức", "Từ ngày", "Đến ngày", "Số cuộc"])
    good.append(["nhóm nhỏ", "52", "01/11/2024", "30/11/2024", 28])
    response = client.post(reverse("activities:activity_import"), {"file": tablib_file(good, "t11.xlsx")})
    assert response.status_code == 200 and DriveActivity.objects.count() == before  # checked only
    response = client.post(reverse("activities:activity_import"), {"file": tablib_file(good, "t11.xlsx"),
                                                                   "write": "on"})
    assert DriveActivity.objects.count() == before + 1


def tablib_file(dataset, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, dataset.export("xlsx"))


def test_menu_offers_the_activities_page(client, binh_dinh):
    client.force_login(make_member(binh_dinh, Role.BHXH_STAFF))
    html = client.get(reverse("activities:activity_list")).content.decode()
    assert "Hoạt động vận động" in html and "Chương trình hỗ trợ" in html
