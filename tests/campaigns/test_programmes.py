"""Support programmes (Bắc Ninh, Nghị quyết 03/2021/NQ-HĐND): beneficiary lists on the forms, the
5-working-day deadline and the overdue list, changes, the budget estimate, refusals."""

import datetime

import pytest
import tablib
from django.core.exceptions import PermissionDenied

from campaigns.programmes.demo import load_programmes_demo
from campaigns.programmes.importers import export_beneficiary_list, import_beneficiary_list
from campaigns.models import Beneficiary, BeneficiaryGroup, BeneficiaryList, BeneficiaryState, SupportProgramme
from campaigns.programmes.selectors import budget_estimate, overdue_beneficiaries, yearly_report_status
from campaigns.programmes.services import beneficiary_change_record, beneficiary_issue_card
from bhxh_portal.imports import load_dataset
from units.models import Role
from tests.factories import make_member, make_unit

D = datetime.date
HEADERS_01 = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Mã số BHXH", "Mã xã",
              "Nơi thường trú", "Ngày nhập ngũ", "Ngày xuất ngũ", "Ghi chú"]


@pytest.fixture
def bac_ninh(db):
    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    commune = make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    load_programmes_demo()
    programme = SupportProgramme.objects.get(province=province)
    return programme, province, district, commune


@pytest.fixture
def staff(bac_ninh):
    return make_member(bac_ninh[2], Role.BHXH_STAFF)


def xlsx(headers, lines) -> bytes:
    dataset = tablib.Dataset(headers=headers)
    for line in lines:
        dataset.append(line)
    return dataset.export("xlsx")


def soldiers(n: int, *, start: int = 1) -> list[list]:
    return [[i, f"Nguyễn Văn {i}", "12/05/1960", "Nam", f"027060{i:06d}", "", "BN-YP01", "Đông Phong, Yên Phong",
             "15/03/1979", "20/06/1982", ""] for i in range(start, start + n)]


def import_soldiers(programme, district, staff, lines, received_on=D(2024, 8, 29)):
    group = programme.groups.get(form="01/NQ-03")
    return import_beneficiary_list(xlsx(HEADERS_01, lines), filename="mau-01.xlsx", group=group, unit=district,
                                   received_on=received_on, user=staff)


def test_list_on_form_01_is_imported_with_the_working_day_deadline(bac_ninh, staff):
    programme, _, district, commune = bac_ninh
    report = import_soldiers(programme, district, staff, soldiers(3))
    assert report.ok, report.messages()
    beneficiary = Beneficiary.objects.get(personal_id="027060000001")
    # received Thu 29/8/2024; Mon 2/9 and Tue 3/9 are holidays (seeded data) → 5th working day Mon 9/9
    assert beneficiary.due_on == D(2024, 9, 9)
    assert beneficiary.state == BeneficiaryState.SUBMITTED
    assert beneficiary.details == {"enlisted_on": "1979-03-15", "discharged_on": "1982-06-20"}
    assert beneficiary.commune == commune


def test_excel_numbers_get_their_leading_zeros_back(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    lines = soldiers(1)
    lines[0][4] = 27060000001  # Excel turned 027060000001 into a number
    assert import_soldiers(programme, district, staff, lines).ok
    assert Beneficiary.objects.get().personal_id == "027060000001"


def test_bad_list_is_refused_with_row_messages_and_nothing_written(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    lines = soldiers(5)
    lines[0][8] = "10/05/1990"  # enlisted after 31/8/1989
    lines[1][4] = "12345"  # not 12 digits
    lines[2][4] = lines[3][4]  # duplicate in the file
    lines[4][1] = ""  # no name
    report = import_soldiers(programme, district, staff, lines)
    messages = report.messages()
    assert messages[0] == ("Tệp mau-01.xlsx, dòng 2, cột Ngày nhập ngũ: chỉ hỗ trợ cựu quân nhân nhập ngũ sau ngày "
                           "30/4/1975 đến 31/8/1989; ngày nhập ngũ là 10/05/1990.")
    assert "Tệp mau-01.xlsx, dòng 3, cột Số định danh cá nhân: số định danh '12345' phải gồm đúng 12 chữ số." \
        in messages
    assert "Tệp mau-01.xlsx, dòng 5, cột Số định danh cá nhân: trùng với dòng 4 trong tệp." in messages
    assert "Tệp mau-01.xlsx, dòng 6, cột Họ và tên: thiếu họ và tên." in messages
    assert BeneficiaryList.objects.count() == Beneficiary.objects.count() == 0


def test_a_person_already_listed_is_refused_in_a_second_list(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    assert import_soldiers(programme, district, staff, soldiers(2)).ok
    report = import_soldiers(programme, district, staff, soldiers(2, start=2))
    assert "dòng 2, cột Số định danh cá nhân: người này đã có trong danh sách" in report.messages()[0]
    assert Beneficiary.objects.count() == 2


def test_form_03_accepts_only_buddhist_and_catholic_dignitaries(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    group = programme.groups.get(form="03/NQ-03")
    headers = ["Họ và tên", "Số định danh cá nhân", "Tôn giáo", "Chức sắc, chức việc"]
    report = import_beneficiary_list(
        xlsx(headers, [["Thích Minh A", "027070000001", "Phật giáo", "Trụ trì"],
                       ["Nguyễn B", "027070000002", "Cao Đài", "Chức việc"]]),
        filename="mau-03.xlsx", group=group, unit=district, received_on=D(2024, 3, 1), user=staff)
    assert report.messages() == ["Tệp mau-03.xlsx, dòng 3, cột Tôn giáo: tôn giáo 'Cao Đài': chương trình hỗ trợ "
                                 "chức sắc, chức việc, nhà tu hành của Phật giáo và Công giáo."]


def test_export_gives_the_form_back_and_imports_again(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    import_soldiers(programme, district, staff, soldiers(2))
    data = export_beneficiary_list(BeneficiaryList.objects.get())
    dataset = load_dataset(data, filename="xuat.xlsx")
    assert dataset.headers[:2] == ["STT", "Họ và tên"] and "Ngày nhập ngũ" in dataset.headers
    # the số định danh masked, as on the list's page
    assert dataset[0][4] == "0270****0001" and dataset[0][dataset.headers.index("Hạn cấp thẻ")] == "09/09/2024"
    other = make_unit("Huyện Gia Bình", level_code="huyen", parent=bac_ninh[1], code="BN-GB")
    Beneficiary.objects.all().delete()
    group = programme.groups.get(form="01/NQ-03")
    again = import_beneficiary_list(data, filename="xuat.xlsx", group=group, unit=other, received_on=D(2024, 9, 10),
                                    user=make_member(other, Role.BHXH_STAFF))
    assert again.problems[0].message.startswith("không có xã mang mã 'BN-YP01'")  # not a commune of Gia Bình
    assert any(p.message.startswith("số định danh '0270****0001' đã bị che") for p in again.problems)


def test_card_issue_and_the_overdue_list(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    import_soldiers(programme, district, staff, soldiers(3))
    first, second, _ = Beneficiary.objects.order_by("line")
    beneficiary_issue_card(beneficiary=first, card_number="HT2272720000001", issued_on=D(2024, 9, 6), by=staff)

    overdue = overdue_beneficiaries(user=staff, programme=programme, today=D(2024, 9, 10))
    assert [b.line for b in overdue] == [3, 4]
    assert list(overdue_beneficiaries(user=staff, programme=programme, today=D(2024, 9, 9))) == []
    other_district = make_unit("Huyện Gia Bình", level_code="huyen", parent=bac_ninh[1], code="BN-GB")
    outsider = make_member(other_district, Role.BHXH_STAFF)
    assert list(overdue_beneficiaries(user=outsider, programme=programme, today=D(2024, 9, 10))) == []
    with pytest.raises(PermissionDenied):
        beneficiary_issue_card(beneficiary=second, card_number="X", issued_on=D(2024, 9, 6), by=outsider)
    official = make_member(district, Role.COMMUNE_OFFICIAL)
    with pytest.raises(PermissionDenied):
        beneficiary_issue_card(beneficiary=second, card_number="X", issued_on=D(2024, 9, 6), by=official)


def test_budget_estimate_is_beneficiaries_times_support_times_months(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    import_soldiers(programme, district, staff, soldiers(10), received_on=D(2021, 8, 2))
    budget = budget_estimate(programme=programme, year=2021)
    soldiers_line = next(line for line in budget.lines if line.group.form == "01/NQ-03")
    # support from the day of receipt, 02/8/2021: August to December = 5 months × 10 × 67.050 đ
    assert soldiers_line.beneficiary_months == 50
    assert soldiers_line.amount == 10 * 67_050 * 5 == 3_352_500
    assert budget.amount == 3_352_500
    full_year = budget_estimate(programme=programme, year=2022)
    assert full_year.amount == 10 * 67_050 * 12

    # one leaves from 01/7/2022: supported January to June
    leaver = Beneficiary.objects.order_by("line").first()
    beneficiary_change_record(beneficiary=leaver, kind="removed", effective_on=D(2022, 7, 1),
                              notified_on=D(2022, 7, 5), note="Chuyển đi tỉnh khác", by=staff)
    leaver.refresh_from_db()
    assert (leaver.state, leaver.support_to) == (BeneficiaryState.REMOVED, D(2022, 6, 30))
    assert budget_estimate(programme=programme, year=2022).amount == (9 * 12 + 6) * 67_050
    assert budget_estimate(programme=programme, year=2026).amount == 0  # after the programme


def test_yearly_report_is_due_before_30_november(bac_ninh, staff):
    programme, _, district, _ = bac_ninh
    import_soldiers(programme, district, staff, soldiers(1))
    [status] = yearly_report_status(user=staff, programme=programme, year=2024)
    assert status.due == D(2024, 11, 30)
    assert not status.overdue(D(2024, 11, 29)) and status.overdue(D(2024, 11, 30))


def test_groups_have_their_dated_support(bac_ninh):
    programme = bac_ninh[0]
    tn = BeneficiaryGroup.objects.get(programme=programme, code="bhxh_tn")
    assert tn.rules.get().amount_per_month == 46_200
