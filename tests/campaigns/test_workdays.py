"""Working-day deadlines: weekends and public holidays (holidays as data)."""

import datetime

import pytest

from campaigns.workdays import PublicHoliday, add_working_days, deadline_after, working_days_between

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
