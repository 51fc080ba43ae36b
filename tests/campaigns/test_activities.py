"""Drive activities: the Bình Định October 2024 plan imported from xlsx reproduces the plan's
figures; bad imports are refused with row messages and nothing written; the direct-work
classification adds up."""

import datetime

import pytest
import tablib
from django.core.exceptions import PermissionDenied, ValidationError

from agents.models import Product
from campaigns.activities.demo import DISTRICT_OFFICES, binh_dinh_rows, plan_file_rows
from campaigns.activities.importers import import_activities
from campaigns.models import ActivityKind, DriveActivity, Employer
from campaigns.activities.selectors import classification_totals, monthly_plan
from campaigns.activities.services import (
    activity_create,
    activity_record_held,
    direct_work_record_save,
)
from units.models import Role
from tests.factories import make_member, make_unit

D = datetime.date
DISTRICT_NAMES = {"BD-AN": "Thị xã An Nhơn", "BD-HN": "Thị xã Hoài Nhơn", "BD-AL": "Huyện An Lão",
                  "BD-HA": "Huyện Hoài Ân", "BD-PC": "Huyện Phù Cát", "BD-PM": "Huyện Phù Mỹ",
                  "BD-TS": "Huyện Tây Sơn", "BD-TP": "Huyện Tuy Phước", "BD-VC": "Huyện Vân Canh",
                  "BD-VT": "Huyện Vĩnh Thạnh"}


@pytest.fixture
def binh_dinh(db):
    province = make_unit("Tỉnh Bình Định", level_code="tinh", code="52")
    districts = {code: make_unit(name, level_code="huyen", parent=province, code=code)
                 for code, name in DISTRICT_NAMES.items()}
    return province, districts


@pytest.fixture
def province_staff(binh_dinh):
    return make_member(binh_dinh[0], Role.BHXH_STAFF)


def xlsx(headers, lines) -> bytes:
    dataset = tablib.Dataset(headers=headers)
    for line in lines:
        dataset.append(line)
    return dataset.export("xlsx")


def plan_file() -> bytes:
    return xlsx(*plan_file_rows(binh_dinh_rows(2024, 10)))


def test_imported_binh_dinh_plan_reproduces_the_plans_figures(binh_dinh, province_staff,
                                                             django_assert_max_num_queries):
    province, _ = binh_dinh
    report = import_activities(plan_file(), filename="ke-hoach-10-2024.xlsx", user=province_staff)
    assert report.ok, report.messages()
    assert report.created == DriveActivity.objects.count() == 1 + 5 + 4 * (1 + 10)

    with django_assert_max_num_queries(2):
        plan = monthly_plan(office=province, year=2024, month=10)

    conferences = plan.kind(ActivityKind.EMPLOYER_CONFERENCE)
    assert (conferences.planned_by_office, conferences.planned_below) == (1, 5)
    assert (conferences.invited, conferences.expected_attendance) == (100 + 300, 130 + 350)
    direct = plan.kind(ActivityKind.DIRECT_WORK)
    assert (direct.planned, direct.expected["bhxh_bb"]) == (144, 1110)
    prospects = plan.kind(ActivityKind.PROSPECT_CONFERENCE)
    assert prospects.planned_by_office == 7
    assert {line.planned for line in prospects.lines if not line.is_office} == {5}
    assert len([line for line in prospects.lines if not line.is_office]) == len(DISTRICT_OFFICES)
    assert (prospects.expected["bhxh_tn"], prospects.expected["bhyt_hgd"]) == (360, 770)
    small = plan.kind(ActivityKind.SMALL_GROUP)
    assert (small.planned_below, small.planned_by_office) == (88, 28)
    assert (small.expected["bhxh_tn"], small.expected["bhyt_hgd"]) == (145, 440)
    inspections = plan.kind(ActivityKind.INSPECTION)
    assert (inspections.planned, inspections.expected["bhxh_bb"]) == (15, 350)
    assert all(k.held == 0 for k in plan.kinds)


def test_monthly_plan_counts_held_activities_and_actual_sign_ups(binh_dinh, province_staff):
    province, districts = binh_dinh
    import_activities(plan_file(), filename="kh.xlsx", user=province_staff)
    conference = DriveActivity.objects.get(kind=ActivityKind.EMPLOYER_CONFERENCE, organiser=province)
    bb = Product.objects.get(code="bhxh_bb")
    activity_record_held(activity=conference, held_on=D(2024, 10, 25), attendance=126, actual_sign_ups={bb: 42},
                         by=province_staff)

    plan = monthly_plan(office=province, year=2024, month=10)
    conferences = plan.kind(ActivityKind.EMPLOYER_CONFERENCE)
    assert (conferences.planned, conferences.held, conferences.attendance) == (6, 1, 126)
    assert conferences.actual == {"bhxh_bb": 42}
    # a district office sees only its own lines
    district_plan = monthly_plan(office=districts["BD-PC"], year=2024, month=10)
    assert district_plan.kind(ActivityKind.EMPLOYER_CONFERENCE).planned == 1
    assert district_plan.kind(ActivityKind.SMALL_GROUP).planned == 9
    assert monthly_plan(office=province, year=2024, month=11).kinds == []


def test_bad_plan_file_is_refused_with_row_messages_and_nothing_written(binh_dinh, province_staff):
    headers, lines = plan_file_rows(binh_dinh_rows(2024, 10))
    lines[2][0] = "hội thảo"  # unknown kind
    lines[3][1] = "BD-XX"  # unknown unit
    lines[4][4] = "31/02/2024"  # impossible date
    lines[5][6] = "năm"  # not a number
    lines[6][5] = "01/10/2024"  # ends before it starts (starts 05/10)
    report = import_activities(xlsx(headers, lines), filename="ke-hoach.xlsx", user=province_staff)

    assert not report.ok
    messages = report.messages()
    assert messages[0].startswith("Tệp ke-hoach.xlsx, dòng 4, cột Loại hoạt động: loại hoạt động 'hội thảo'")
    assert any("dòng 5, cột Mã đơn vị tổ chức: không có đơn vị mang mã 'BD-XX'" in m for m in messages)
    assert any("dòng 6, cột Từ ngày" in m and "31/02/2024" in m for m in messages)
    assert any("dòng 7, cột Số cuộc: 'năm' không phải là số nguyên không âm" in m for m in messages)
    assert any("dòng 8, cột Đến ngày: ngày kết thúc trước ngày bắt đầu" in m for m in messages)
    assert "không dòng nào được ghi" in report.summary()
    assert DriveActivity.objects.count() == 0


def test_a_file_without_the_dates_column_is_refused_as_a_whole(binh_dinh, province_staff):
    report = import_activities(xlsx(["Loại hoạt động", "Mã đơn vị tổ chức"], [["nhóm nhỏ", "52"]]),
                               filename="thieu.xlsx", user=province_staff)
    assert report.messages() == [report.problems[0].describe("thieu.xlsx")]
    assert "thiếu cột" in report.messages()[0] and "dòng 1" in report.messages()[0]
    assert DriveActivity.objects.count() == 0


def test_district_staff_cannot_import_the_provinces_lines(binh_dinh):
    _, districts = binh_dinh
    district_staff = make_member(districts["BD-PC"], Role.BHXH_STAFF)
    report = import_activities(plan_file(), filename="kh.xlsx", user=district_staff)
    assert not report.ok
    assert "dòng 2, cột Mã đơn vị tổ chức: bạn không có quyền lập kế hoạch cho đơn vị Tỉnh Bình Định (52)" \
        in report.messages()[0]
    assert DriveActivity.objects.count() == 0


def test_commune_official_cannot_import_a_plan(binh_dinh):
    province, _ = binh_dinh
    official = make_member(province, Role.COMMUNE_OFFICIAL)
    report = import_activities(plan_file(), filename="kh.xlsx", user=official)
    assert not report.ok and DriveActivity.objects.count() == 0


def test_unknown_product_column_is_refused(binh_dinh, province_staff):
    report = import_activities(
        xlsx(["Loại hoạt động", "Mã đơn vị tổ chức", "Từ ngày", "Đến ngày", "Dự kiến bảo hiểm xe máy"],
             [["nhóm nhỏ", "52", "01/10/2024", "31/10/2024", 5]]), filename="kh.xlsx", user=province_staff)
    assert "dòng 1, cột Dự kiến bảo hiểm xe máy: không nhận ra loại hình" in report.messages()[0]


# --- direct work: the seven categories -------------------------------------------------------------


def direct_work(organiser, employer, by):
    return activity_create(kind=ActivityKind.DIRECT_WORK, organiser=organiser, employer=employer,
                           planned_start=D(2024, 10, 8), planned_end=D(2024, 10, 8), by=by)


def test_classification_totals_add_up_over_the_office(binh_dinh, province_staff):
    province, districts = binh_dinh
    a = Employer.objects.create(name="Công ty TNHH May Phù Cát", tax_code="4101234567", unit=districts["BD-PC"],
                                employees=120)
    b = Employer.objects.create(name="Công ty CP Gỗ Tây Sơn", tax_code="4109876543-001", unit=districts["BD-TS"],
                                employees=60)
    first = direct_work(districts["BD-PC"], a, province_staff)
    second = direct_work(districts["BD-TS"], b, province_staff)
    direct_work_record_save(activity=first, by=province_staff, workers_registered=30, counts={
        "under_1_month": 4, "from_1_to_3_months": 10, "from_3_months": 25, "left_job": 6, "pensioner": 2,
        "already_participating": 70, "other": 3})
    direct_work_record_save(activity=second, by=province_staff, workers_registered=12, counts={
        "under_1_month": 1, "from_1_to_3_months": 2, "from_3_months": 14, "left_job": 0, "pensioner": 1,
        "already_participating": 40, "other": 2})

    totals = classification_totals(unit=province, start=D(2024, 10, 1), end=D(2024, 10, 31))
    assert [value for _, _, value in totals["categories"]] == [5, 12, 39, 6, 3, 110, 5]
    assert (totals["employers"], totals["total"], totals["not_participating"], totals["workers_registered"]) == \
        (2, 180, 70, 42)
    only_phu_cat = classification_totals(unit=districts["BD-PC"], start=D(2024, 10, 1), end=D(2024, 10, 31))
    assert (only_phu_cat["total"], only_phu_cat["workers_registered"]) == (120, 30)


def test_classification_refuses_more_workers_than_the_employer_has(binh_dinh, province_staff):
    _, districts = binh_dinh
    employer = Employer.objects.create(name="Công ty A", tax_code="4100000001", unit=districts["BD-AN"], employees=10)
    activity = direct_work(districts["BD-AN"], employer, province_staff)
    with pytest.raises(ValidationError, match="lớn hơn số lao động của Công ty A"):
        direct_work_record_save(activity=activity, counts={"from_3_months": 11}, workers_registered=0,
                                by=province_staff)
    with pytest.raises(ValidationError, match="lớn hơn số lao động chưa tham gia"):
        direct_work_record_save(activity=activity, counts={"from_3_months": 3, "already_participating": 5},
                                workers_registered=4, by=province_staff)


def test_other_districts_staff_cannot_record_results(binh_dinh, province_staff):
    _, districts = binh_dinh
    employer = Employer.objects.create(name="Công ty B", tax_code="4100000002", unit=districts["BD-AN"], employees=10)
    activity = direct_work(districts["BD-AN"], employer, province_staff)
    outsider = make_member(districts["BD-PC"], Role.BHXH_STAFF)
    with pytest.raises(PermissionDenied):
        direct_work_record_save(activity=activity, counts={"from_3_months": 1}, workers_registered=1, by=outsider)
    with pytest.raises(PermissionDenied):
        activity_record_held(activity=activity, held_on=D(2024, 10, 8), by=outsider)
