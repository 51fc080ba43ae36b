"""The rule coverage page: for each dated rule, the periods it covers, its gaps, overlaps and open end
(administrators only)."""

import datetime
from decimal import Decimal

import pytest

from agents.models import FundReturnRate, ReferenceAmount
from campaigns.rules.coverage import rule_coverage
from campaigns.holidays.workdays import HolidayYear
from units.models import Role
from tests.factories import UserFactory, make_member

D = datetime.date
pytestmark = pytest.mark.django_db
URL = "/tinh-muc-dong/quy-tac/"


def series(title_start: str, rule: str = "", key: str = "", today=D(2026, 6, 1)):
    group = next(g for g in rule_coverage(today=today) if g.title.startswith(title_start))
    return next(s for s in group.series if (not rule or s.rule == rule) and (not key or s.key == key))


def test_the_seeded_rates_run_without_a_gap_and_say_which_are_still_open():
    rates = series("Tỷ lệ đóng", key="BHXH tự nguyện")
    assert rates.gaps == []
    assert [s.label for s in rates.spans] == ["01/01/2016 – 30/06/2025", "01/07/2025 – không thời hạn"]
    assert rates.open_end and "chưa có ngày kết thúc" in rates.end_text


def test_the_base_salary_before_july_2018_is_missing():
    # The portal holds figures from 2018; lương cơ sở is seeded from 1/7/2018 (1.390.000).
    assert series("Mức chuẩn", rule="Lương cơ sở").gaps == ["Thiếu từ 01/01/2018 đến 30/06/2018."]


def test_a_gap_and_an_overlap_between_rows_are_named():
    ReferenceAmount.objects.filter(kind="base_salary", valid_from=D(2023, 7, 1)).delete()
    ReferenceAmount.objects.create(kind="rural_poverty_line", amount=2_000_000, valid_from=D(2026, 1, 1))
    assert "Thiếu từ 01/07/2023 đến 30/06/2024." in series("Mức chuẩn", rule="Lương cơ sở").gaps
    poverty = series("Mức chuẩn", rule="Chuẩn hộ nghèo khu vực nông thôn").gaps
    assert any(g.startswith("Chồng lấn: dòng từ 01/01/2022 chưa có ngày kết thúc mà đã có dòng từ 01/01/2026")
               for g in poverty)


def test_an_ended_rule_with_nothing_after_it_must_be_replaced():
    ReferenceAmount.objects.filter(kind="base_salary", valid_to__isnull=True).update(valid_to=D(2026, 3, 31))
    assert "Hết hiệu lực từ 01/04/2026: chưa có quy định thay thế." in series("Mức chuẩn", rule="Lương cơ sở").gaps


def test_a_local_programme_that_ends_is_not_a_gap_but_its_rules_must_cover_its_period():
    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.models import SupportRule
    from tests.factories import make_unit

    make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    load_programmes_demo()
    group = next(g for g in rule_coverage(today=D(2026, 6, 1)) if g.title.startswith("Mức hỗ trợ của chương trình"))
    assert group.series and all(s.gaps == [] for s in group.series)
    rule = SupportRule.objects.order_by("valid_from").first()
    rule.valid_to = D(2023, 12, 31)
    rule.save()
    key = f"{rule.group.programme.name} — {rule.group.name}"
    gaps = series("Mức hỗ trợ của chương trình", key=key).gaps
    assert gaps == [f"Thiếu từ 01/01/2024 đến {rule.group.programme.valid_to:%d/%m/%Y}."]


def test_the_return_rate_lists_the_years_still_to_enter():
    FundReturnRate.objects.create(year=2024, monthly_rate_pct=Decimal("0.45"), source="Công văn thử")
    rate = series("Lãi suất đầu tư quỹ", today=D(2026, 6, 1))
    assert rate.missing == [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2025]
    assert "khoản đóng năm 2026 dùng lãi suất năm 2025" in rate.end_text


def test_holiday_calendars_are_known_from_2021_and_the_next_year_is_announced_later():
    calendars = series("Ngày nghỉ lễ", today=D(2026, 12, 6))
    assert calendars.gaps == []
    assert "lịch năm 2027: nhập khi có thông báo" in calendars.end_text
    HolidayYear.objects.filter(year=2023).delete()
    assert series("Ngày nghỉ lễ", today=D(2026, 12, 6)).gaps == ["Thiếu năm 2023."]


def test_the_page_is_for_administrators(client, province):
    client.force_login(make_member(province, Role.ADMINISTRATOR))
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quy tắc tính và thời gian áp dụng" in html
    for title in ("Tỷ lệ đóng", "Mức Nhà nước hỗ trợ", "Lãi suất đầu tư quỹ BHXH bình quân tháng",
                  "Ngày nghỉ lễ, Tết", "Đóng một lần", "Hỗ trợ thêm của địa phương"):
        assert title in html
    assert "Thiếu từ 01/01/2018 đến 30/06/2018." in html
    assert 'href="/quan-tri/agents/fundreturnrate/"' in html


def test_superusers_see_it_and_others_are_refused(client, province):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(URL).status_code == 200
    client.force_login(make_member(province, Role.BHXH_STAFF))
    response = client.get(URL)
    assert response.status_code == 403 and "quản trị viên" in response.content.decode()
    client.logout()
    assert client.get(URL).status_code == 302
