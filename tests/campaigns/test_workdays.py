"""Working-day deadlines: weekends and public holidays (holidays as data)."""

import datetime

import pytest

from campaigns.holidays.workdays import PublicHoliday, add_working_days, deadline_after, working_days_between

D = datetime.date


def test_five_working_days_skip_the_weekend():
    assert add_working_days(D(2024, 10, 10), 5) == D(2024, 10, 17)  # Thu → next Thu


def test_five_working_days_skip_a_weekend_and_the_national_day_holiday():
    # Thu 29/8/2024: Fri 30/8 (1), weekend, Mon 2/9 and Tue 3/9 holidays, Wed 4/9 (2) ... Mon 9/9 (5)
    holidays = {D(2024, 9, 2), D(2024, 9, 3)}
    assert add_working_days(D(2024, 8, 29), 5, holidays) == D(2024, 9, 9)
    assert add_working_days(D(2024, 8, 29), 5) == D(2024, 9, 5)


def test_a_make_up_saturday_counts_as_a_working_day():
    holidays = {D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 1)}
    # Fri 26/4: Thu 2/5 (1), Fri 3/5 (2), Sat 4/5 worked (3), Mon 6/5 (4), Tue 7/5 (5)
    assert add_working_days(D(2024, 4, 26), 5, holidays, {D(2024, 5, 4)}) == D(2024, 5, 7)
    assert add_working_days(D(2024, 4, 26), 5, holidays) == D(2024, 5, 8)


def test_working_days_between_counts_after_the_start_day():
    assert working_days_between(D(2024, 8, 29), D(2024, 9, 9), {D(2024, 9, 2), D(2024, 9, 3)}) == 5
    assert working_days_between(D(2024, 9, 9), D(2024, 9, 9)) == 0


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2024, 1, 1), -1)


@pytest.mark.django_db
def test_the_seeded_calendar_knows_tet_2025():
    # Fri 24/1/2025: Tết Ất Tỵ 25/1–2/2; Mon 3/2 (1) ... Fri 7/2 (5)
    assert PublicHoliday.objects.filter(day__year=2025, name__contains="Tết Nguyên đán").count() == 9
    assert deadline_after(D(2025, 1, 24), 5) == D(2025, 2, 7)


@pytest.mark.django_db
def test_a_holiday_added_in_the_admin_moves_the_deadline():
    before = deadline_after(D(2027, 3, 1), 5)  # no holidays stored for 2027
    PublicHoliday.objects.create(day=D(2027, 3, 3), name="Ngày nghỉ thử")
    assert deadline_after(D(2027, 3, 1), 5) == before + datetime.timedelta(days=1)


# --- the seeded calendar of 2021–2026 and real holiday seasons --------------------------------------

@pytest.mark.django_db
def test_every_year_from_2021_to_2026_has_a_calendar_and_every_day_says_what_decides_it():
    from campaigns.holidays.workdays import HolidayYear, known_calendar_years

    assert {2021, 2022, 2023, 2024, 2025, 2026} <= known_calendar_years()
    assert not PublicHoliday.objects.filter(day__year__gte=2021, source="").exists()
    assert all(y.source for y in HolidayYear.objects.all())
    assert not PublicHoliday.objects.filter(name__contains="dự kiến").exists()


@pytest.mark.django_db
def test_tet_2022_moves_a_five_working_day_deadline_by_a_week():
    # Thu 27/1/2022: Fri 28/1 (1); Tết Nhâm Dần Sat 29/1 – Sun 6/2; Mon 7/2 (2) … Thu 10/2 (5).
    assert deadline_after(D(2022, 1, 27), 5) == D(2022, 2, 10)
    assert add_working_days(D(2022, 1, 27), 5) == D(2022, 2, 3)  # what was computed before: Tết as working days


@pytest.mark.django_db
def test_30_april_and_1_may_2021_with_the_day_off_for_the_saturday():
    # Wed 28/4/2021: Thu 29/4 (1); Fri 30/4 holiday; Sat 1/5 holiday → Mon 3/5 off; Tue 4/5 (2) … Fri 7/5 (5).
    assert deadline_after(D(2021, 4, 28), 5) == D(2021, 5, 7)


@pytest.mark.django_db
def test_national_day_2021_takes_2_and_3_september():
    # Tue 31/8/2021: Wed 1/9 (1); Thu 2/9 and Fri 3/9 off; Mon 6/9 (2) … Thu 9/9 (5).
    assert deadline_after(D(2021, 8, 31), 5) == D(2021, 9, 9)


@pytest.mark.django_db
def test_new_year_2026_swaps_friday_2_january_for_saturday_10_january():
    # Wed 31/12/2025: Thu 1/1 and Fri 2/1 off; Mon 5/1 (1) … Fri 9/1 (5).
    assert deadline_after(D(2025, 12, 31), 5) == D(2026, 1, 9)
    # Tue 6/1/2026: Wed 7 (1), Thu 8 (2), Fri 9 (3), Sat 10/1 worked (4), Mon 12/1 (5).
    assert deadline_after(D(2026, 1, 6), 5) == D(2026, 1, 12)


@pytest.mark.django_db
def test_a_deadline_through_a_year_without_a_calendar_says_so():
    from campaigns.holidays.workdays import working_deadline

    checked = working_deadline(D(2026, 3, 2), 5)
    assert (checked.day, checked.checked, checked.warning) == (D(2026, 3, 9), True, "")
    unchecked = working_deadline(D(2026, 12, 29), 5)  # Wed 30, Thu 31/12, then 2027
    assert unchecked.day == D(2027, 1, 5) and unchecked.missing_years == (2027,)
    assert "Chưa có lịch nghỉ lễ, Tết năm 2027" in unchecked.warning


@pytest.mark.django_db
def test_a_year_with_a_few_holidays_but_no_calendar_is_still_unchecked():
    from campaigns.holidays.workdays import working_deadline

    PublicHoliday.objects.create(day=D(2027, 1, 1), name="Tết Dương lịch", source="Bộ luật Lao động 2019")
    assert working_deadline(D(2026, 12, 29), 5).missing_years == (2027,)


# --- importing a year's calendar ----------------------------------------------------------------------

CALENDAR_2027 = """Ngày,Tên ngày nghỉ,Loại,Căn cứ
01/01/2027,Tết Dương lịch,Nghỉ,"Bộ luật Lao động 2019, Điều 112"
02/01/2027,Làm bù,Làm bù,Thông báo thử
30/04/2027,Ngày Chiến thắng,,"Bộ luật Lao động 2019, Điều 112"
01/05/2027,Ngày Quốc tế Lao động,Nghỉ,"Bộ luật Lao động 2019, Điều 112"
02/09/2027,Quốc khánh,Nghỉ,"Bộ luật Lao động 2019, Điều 112"
"""


def _import(tmp_path, text, name="lich-2027.csv"):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    try:
        call_command("import_data", "holidays", str(path))
    except CommandError as exc:
        return str(exc)
    return ""


@pytest.mark.django_db
def test_a_years_calendar_is_imported_and_the_year_becomes_known(tmp_path):
    from campaigns.holidays.workdays import HolidayYear, working_deadline

    assert _import(tmp_path, CALENDAR_2027) == ""
    assert PublicHoliday.objects.filter(day__year=2027).count() == 5
    assert PublicHoliday.objects.get(day=D(2027, 1, 2)).is_working_day
    assert "Thông báo thử" in HolidayYear.objects.get(year=2027).source
    # Tue 29/12/2026: Wed 30 (1), Thu 31 (2), Fri 1/1 off, Sat 2/1 worked (3), Mon 4 (4), Tue 5/1 (5).
    deadline = working_deadline(D(2026, 12, 29), 5)
    assert (deadline.day, deadline.checked) == (D(2027, 1, 5), True)


@pytest.mark.django_db
def test_a_calendar_file_is_checked_first_and_refused_whole(tmp_path, capsys):
    bad = CALENDAR_2027.replace("02/01/2027,Làm bù,Làm bù", "04/01/2027,Làm bù,Làm bù").replace(
        '30/04/2027,Ngày Chiến thắng,,"Bộ luật Lao động 2019, Điều 112"', "31/02/2027,Ngày Chiến thắng,,")
    assert _import(tmp_path, bad)
    errors = capsys.readouterr().err
    assert "dòng 3, cột Loại: Ngày làm bù 04/01/2027 là thứ Hai" in errors
    assert "dòng 4, cột Ngày: Ngày '31/02/2027' không đúng dạng dd/mm/yyyy" in errors
    assert "dòng 4, cột Căn cứ: Thiếu căn cứ" in errors
    assert not PublicHoliday.objects.filter(day__year=2027).exists()


@pytest.mark.django_db
def test_a_calendar_without_its_fixed_holidays_is_refused(tmp_path, capsys):
    from campaigns.holidays.workdays import HolidayYear

    partial = "\n".join(line for line in CALENDAR_2027.splitlines() if "Quốc khánh" not in line) + "\n"
    assert _import(tmp_path, partial)
    assert "thiếu 02/09/2027 (Quốc khánh)" in capsys.readouterr().err
    assert not PublicHoliday.objects.filter(day__year=2027).exists()
    assert not HolidayYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_importing_a_calendar_moves_the_card_deadlines_counted_through_it(tmp_path):
    from agents.models import Product
    from campaigns.models import Beneficiary, BeneficiaryGroup, BeneficiaryList, SupportProgramme
    from tests.factories import make_unit

    province = make_unit("Tỉnh Thử", level_code="tinh", code="99")
    programme = SupportProgramme.objects.create(name="Chương trình thử", province=province, legal_basis="NQ thử",
                                                valid_from=D(2026, 1, 1), valid_to=D(2027, 12, 31))
    group = BeneficiaryGroup.objects.create(programme=programme, code="g", name="Nhóm", form="chung",
                                            product=Product.objects.get(code="bhyt_hgd"))
    batch = BeneficiaryList.objects.create(programme=programme, group=group, unit=province, received_on=D(2026, 12, 29))
    person = Beneficiary.objects.create(beneficiary_list=batch, full_name="Người Thử", personal_id="001090012345",
                                        support_from=D(2027, 1, 1), due_on=deadline_after(D(2026, 12, 29), 5))
    assert person.due_on == D(2027, 1, 5)  # no 2027 calendar: 1/1 counted as a working day
    calendar = CALENDAR_2027.replace("02/01/2027,Làm bù,Làm bù,Thông báo thử\n", "")
    assert _import(tmp_path, calendar) == ""
    person.refresh_from_db()
    assert person.due_on == D(2027, 1, 6)  # Wed 30, Thu 31, Mon 4, Tue 5, Wed 6


# --- the programme pages: the card deadline and the warning ------------------------------------------

@pytest.mark.django_db
def test_the_programme_pages_warn_when_a_deadline_ran_through_a_year_without_a_calendar(client):
    from django.urls import reverse

    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.models import Beneficiary, BeneficiaryList, SupportProgramme
    from campaigns.holidays.workdays import HolidayYear
    from units.models import Role
    from tests.campaigns.test_programmes import soldiers
    from tests.campaigns.test_programmes_pages import upload
    from tests.factories import make_member, make_unit

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    load_programmes_demo()
    programme = SupportProgramme.objects.get(province=province)
    client.force_login(make_member(district, Role.BHXH_STAFF))

    upload(client, programme, district, soldiers(2), received="27/01/2022")  # just before Tết Nhâm Dần
    batch = BeneficiaryList.objects.get()
    assert set(Beneficiary.objects.values_list("due_on", flat=True)) == {D(2022, 2, 10)}
    page = client.get(reverse("programmes:list_detail", args=[batch.pk])).content.decode()
    assert "10/02/2022" in page and "calendar-warning" not in page

    HolidayYear.objects.filter(year=2022).delete()  # as if 2022's calendar had never been entered
    page = client.get(reverse("programmes:list_detail", args=[batch.pk])).content.decode()
    assert 'id="calendar-warning"' in page and "Chưa có lịch nghỉ lễ, Tết năm 2022" in page
    assert "⚠ chưa có lịch nghỉ năm 2022" in page
    detail = client.get(reverse("programmes:programme_detail", args=[programme.pk]), {"nam": 2022}).content.decode()
    assert "<th>Hạn cấp thẻ</th>" in detail and "⚠ chưa có lịch nghỉ năm 2022" in detail
    overdue = client.get(reverse("programmes:overdue", args=[programme.pk])).content.decode()
    assert "⚠ chưa có lịch nghỉ năm 2022" in overdue
    checked = upload(client, programme, district, soldiers(1, start=50), write=False, received="27/01/2022")
    html = checked.content.decode()
    assert "Hạn cấp thẻ: 10/02/2022" in html and "Chưa có lịch nghỉ lễ, Tết năm 2022" in html


# --- whatever the cells hold, the calendar import writes the file or refuses it whole ----------------

def _calendar_state():
    from campaigns.holidays.workdays import HolidayYear

    return (list(PublicHoliday.objects.order_by("pk").values()), list(HolidayYear.objects.order_by("pk").values()))


def test_the_calendar_import_never_crashes_and_is_all_or_nothing(db):
    from django.db import transaction
    from hypothesis import given

    from bhxh_portal.imports import ImportFileError, load_dataset, run_resource_import
    from campaigns.holidays.importers import PublicHolidayResource
    from tests.bhxh_portal.test_importers_properties import PROPERTY, files

    @PROPERTY
    @given(upload=files(["Ngày", "Tên ngày nghỉ", "Loại", "Căn cứ"]))
    def run(upload):
        name, data = upload
        with transaction.atomic():
            before = _calendar_state()
            try:
                report = run_resource_import(PublicHolidayResource(), load_dataset(data, filename=name), filename=name)
                ok = report.ok
                assert ok or all(m.strip() for m in report.messages())
            except ImportFileError as exc:
                assert str(exc).strip()
                ok = False
            if not ok:
                assert _calendar_state() == before, "a refused file wrote something"
            transaction.set_rollback(True)

    run()
