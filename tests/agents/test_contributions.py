"""The contribution calculator reproduces the plans' figures from the dated reference data."""

import datetime

import pytest

from agents.contributions import ContributionError, IncomeError, RuleBook, contribution_quote, months_for
from agents.demo import _bac_ninh_top_up
from agents.models import PaymentMode, Product, ReferenceAmount
from tests.factories import make_member, make_unit

D = datetime.date
pytestmark = pytest.mark.django_db


def product(code: str) -> Product:
    return Product.objects.get(code=code)


def test_voluntary_2021_is_22_percent_of_700000_with_10_percent_state_support():
    """Seed plan Hải Dương 2021: 22% × 700.000 = 154.000; the state pays 10% of it."""
    quote = contribution_quote(product=product("bhxh_tn"), on=D(2021, 3, 19), income=700_000)
    assert quote.monthly_contribution == 154_000
    assert quote.state_support_pct == 10
    assert quote.state_support_monthly == 15_400
    assert quote.local_support_monthly == 0
    assert quote.monthly_due == 138_600


def test_voluntary_support_is_a_share_of_the_poverty_line_contribution_not_of_the_chosen_income():
    quote = contribution_quote(product=product("bhxh_tn"), on=D(2021, 3, 19), income=2_000_000, group="poor")
    assert quote.monthly_contribution == 440_000
    assert quote.state_support_monthly == 46_200  # 30% × 22% × 700.000
    assert quote.monthly_due == 393_800


def test_bac_ninh_adds_46200_a_month_from_august_2021_to_2025():
    bac_ninh = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    commune = make_unit("Xã Thử", level_code="xa", parent=make_unit("Huyện Thử", level_code="huyen", parent=bac_ninh))
    _bac_ninh_top_up()
    tn = product("bhxh_tn")

    quote = contribution_quote(product=tn, on=D(2021, 9, 1), income=700_000, unit=commune)
    assert quote.local_support_monthly == 46_200
    assert quote.state_support_monthly == 15_400
    assert quote.monthly_due == 154_000 - 15_400 - 46_200 == 92_400
    assert quote.local_programmes == ("Nghị quyết 03/2021/NQ-HĐND tỉnh Bắc Ninh: hỗ trợ người tham gia BHXH tự nguyện",)

    assert contribution_quote(product=tn, on=D(2021, 7, 31), income=700_000, unit=commune).local_support_monthly == 0
    assert contribution_quote(product=tn, on=D(2026, 1, 1), income=1_500_000, unit=commune).local_support_monthly == 0
    # "theo từng thời kỳ": 30% of the contribution on the poverty line of the day (1.500.000 from 2022).
    assert contribution_quote(product=tn, on=D(2022, 3, 1), income=1_500_000, unit=commune).local_support_monthly == 99_000
    elsewhere = make_unit("Tỉnh Khác", level_code="tinh", code="28")
    assert contribution_quote(product=tn, on=D(2021, 9, 1), income=700_000, unit=elsewhere).local_support_monthly == 0


def test_household_bhyt_first_member_105300_second_73710_and_so_on():
    hgd = product("bhyt_hgd")
    amounts = [contribution_quote(product=hgd, on=D(2024, 9, 1), member_order=n).monthly_contribution
               for n in range(1, 7)]
    assert amounts == [105_300, 73_710, 63_180, 52_650, 42_120, 42_120]


def test_household_bhyt_follows_the_base_salary_of_the_day():
    hgd = product("bhyt_hgd")
    assert contribution_quote(product=hgd, on=D(2021, 6, 1)).monthly_contribution == 67_050     # 4,5% × 1.490.000
    assert contribution_quote(product=hgd, on=D(2023, 7, 1)).monthly_contribution == 81_000     # 4,5% × 1.800.000
    assert contribution_quote(product=hgd, on=D(2024, 6, 30)).monthly_contribution == 81_000
    assert contribution_quote(product=hgd, on=D(2024, 7, 1)).monthly_contribution == 105_300


def test_near_poor_bhyt_state_pays_70_percent():
    quote = contribution_quote(product=product("bhyt_can_ngheo"), on=D(2024, 9, 1), months=12)
    assert (quote.monthly_contribution, quote.state_support_monthly, quote.monthly_due) == (105_300, 73_710, 31_590)
    assert quote.total_due == 379_080


def test_students_support_rises_from_30_to_50_percent_on_15_august_2025():
    hs = product("bhyt_hoc_sinh")
    assert contribution_quote(product=hs, on=D(2025, 8, 14)).state_support_monthly == 31_590
    assert contribution_quote(product=hs, on=D(2025, 8, 15)).state_support_monthly == 52_650


def test_from_july_2025_the_highest_applicable_support_only():
    tn = product("bhxh_tn")
    base = 330_000  # 22% × 1.500.000
    support = {group: contribution_quote(product=tn, on=D(2025, 9, 1), income=1_500_000, group=group).state_support_monthly
               for group in ("poor", "near_poor", "ethnic_minority", "other", "local")}
    assert support == {"poor": base * 50 // 100, "near_poor": base * 40 // 100, "ethnic_minority": base * 30 // 100,
                       "other": base * 20 // 100, "local": base * 20 // 100}


def test_income_bounds_are_the_poverty_line_and_20_times_the_base_salary_of_the_day():
    tn = product("bhxh_tn")
    book = RuleBook.load()
    assert book.income_bounds(tn, D(2019, 1, 1)) == (700_000, 27_800_000)   # the seed plan's 27.800.000
    assert book.income_bounds(tn, D(2021, 3, 19)) == (700_000, 29_800_000)
    assert book.income_bounds(tn, D(2025, 9, 1)) == (1_500_000, 46_800_000)  # 20 × mức tham chiếu
    with pytest.raises(IncomeError, match="thấp hơn mức tối thiểu 700.000"):
        contribution_quote(product=tn, on=D(2021, 3, 19), income=600_000)
    with pytest.raises(IncomeError, match="cao hơn mức tối đa 29.800.000"):
        contribution_quote(product=tn, on=D(2021, 3, 19), income=30_000_000)
    with pytest.raises(IncomeError, match="cần mức thu nhập"):
        contribution_quote(product=tn, on=D(2021, 3, 19))


def test_rules_are_data_a_new_base_salary_row_changes_the_amount():
    ReferenceAmount.objects.filter(kind="base_salary", valid_to__isnull=True).update(valid_to=D(2026, 6, 30))
    ReferenceAmount.objects.create(kind="base_salary", amount=2_530_000, valid_from=D(2026, 7, 1))
    assert contribution_quote(product=product("bhyt_hgd"), on=D(2026, 7, 1)).monthly_contribution == 113_850


def test_no_rule_for_the_day_is_said_plainly():
    with pytest.raises(ContributionError, match="Chưa có tỷ lệ đóng"):
        contribution_quote(product=product("bhxh_tn"), on=D(2010, 1, 1), income=700_000)


@pytest.mark.parametrize("mode, months, expected", [
    (PaymentMode.MONTHLY, None, 1), (PaymentMode.QUARTERLY, None, 3), (PaymentMode.HALF_YEAR, 6, 6),
    (PaymentMode.YEARLY, None, 12), (PaymentMode.YEARS_AHEAD, 36, 36), (PaymentMode.LUMP_SUM, 47, 47),
])
def test_payment_modes_cover_their_months(mode, months, expected):
    assert months_for(mode, months) == expected


@pytest.mark.parametrize("mode, months", [(PaymentMode.QUARTERLY, 6), (PaymentMode.YEARS_AHEAD, 30),
                                          (PaymentMode.YEARS_AHEAD, None), (PaymentMode.LUMP_SUM, None)])
def test_payment_modes_refuse_months_that_do_not_fit(mode, months):
    with pytest.raises(ContributionError):
        months_for(mode, months)


def test_three_months_of_voluntary_insurance_in_2021():
    quote = contribution_quote(product=product("bhxh_tn"), on=D(2021, 3, 19), income=700_000, months=3)
    assert (quote.total_contribution, quote.total_state_support, quote.total_due) == (462_000, 46_200, 415_800)


def test_calculator_page_shows_the_amount_due(client, province):
    user = make_member(province, "collection_agent")
    client.force_login(user)
    response = client.get("/tinh-muc-dong/", {
        "product": product("bhxh_tn").pk, "on": "19/03/2021", "income": "700.000", "payment_mode": "quarterly",
        "group": "other", "member_order": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="monthly-due">138.600 đ' in html
    assert 'id="total-due">415.800 đ' in html
    assert "Nhà nước hỗ trợ 10%" in html


def test_calculator_page_explains_an_income_below_the_minimum(client, province):
    client.force_login(make_member(province, "collection_agent"))
    response = client.get("/tinh-muc-dong/", {
        "product": product("bhxh_tn").pk, "on": "19/03/2021", "income": "500000", "payment_mode": "monthly",
        "group": "other"})
    assert "thấp hơn mức tối thiểu 700.000" in response.content.decode()


def test_calculator_needs_a_login(client, db):
    assert client.get("/tinh-muc-dong/").status_code == 302
