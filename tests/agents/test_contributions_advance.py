"""BHXH tự nguyện paid several years ahead or for missing months, against figures worked out by hand
from the decrees' formulas.

Decree 134/2015 art. 9–10 with Circular 01/2016 (to 30/6/2025), Decree 159/2025 art. 6–7 (from
1/7/2025): ahead, the sum of the months' contributions discounted at the fund's average monthly
return r of the year before the payment, Σ_{i=1..n} P / (1 + r)^(i−1); missing months compounded,
Σ_{i=1..n} P × (1 + r)^i. The rates used here (0,5% and 0,4% a month) are made up for the tests:
no announced rate is stored by the migrations.

With r = 0,5%, v = 1 / 1,005:
  Σ_{i=0..11} v^i = (1 − 1,005^−12) / (1 − v) = (1 − 0,94190534) / 0,00497512 = 11,677027
  Σ_{i=0..23} v^i = (1 − 1,005^−24) / (1 − v) = (1 − 0,88718567) / 0,00497512 = 22,675681
  Σ_{i=0..59} v^i = (1 − 1,005^−60) / (1 − v) = (1 − 0,74137220) / 0,00497512 = 51,984189
  Σ_{i=1..60} 1,005^i = 1,005 × (1,005^60 − 1) / 0,005 = 1,005 × 69,770031 = 70,118881
With r = 0,4%:
  Σ_{i=1..30} 1,004^i = 1,004 × (1,004^30 − 1) / 0,004 = 31,933978
  Σ_{i=0..23} 1,004^−i = (1 − 1,004^−24) / (1 − 1/1,004) = 22,931863
"""

import datetime
from decimal import Decimal

import pytest

from agents.contributions import ContributionError, RuleBook, contribution_quote
from agents.demo import _bac_ninh_top_up
from agents.models import FundReturnRate, LumpSumRule, PaymentMode, Product
from agents.services import collection_record
from units.models import Role
from tests.agents.test_collections import registry  # noqa: F401  (fixture: three BHXH TN participants)
from tests.factories import make_member, make_unit

D = datetime.date
pytestmark = pytest.mark.django_db
AHEAD, MISSING = PaymentMode.YEARS_AHEAD, PaymentMode.LUMP_SUM


def tn() -> Product:
    return Product.objects.get(code="bhxh_tn")


@pytest.fixture
def rate_2023(db):
    return FundReturnRate.objects.create(year=2023, monthly_rate_pct=Decimal("0.5"), source="Số liệu thử")


@pytest.fixture
def rate_2025(db):
    return FundReturnRate.objects.create(year=2025, monthly_rate_pct=Decimal("0.4"), source="Số liệu thử")


def ahead(months, on=D(2024, 3, 15), **kwargs):
    return contribution_quote(product=tn(), on=on, income=1_500_000, months=months, mode=AHEAD, **kwargs)


def missing(on=D(2024, 3, 15), **kwargs):
    kwargs.setdefault("reached_pension_age", True)
    return contribution_quote(product=tn(), on=on, income=1_500_000, months=kwargs.pop("months", 0), mode=MISSING,
                              **kwargs)


# --- several years ahead -------------------------------------------------------------------------

def test_24_months_ahead_in_2024_are_discounted_at_the_2023_rate(rate_2023):
    # 22% × 1.500.000 = 330.000 a month; the state pays 10% × 22% × 1.500.000 = 33.000 (Decree 134).
    quote = ahead(24)
    assert quote.monthly_contribution == 330_000 and quote.state_support_monthly == 33_000
    assert quote.total_contribution == 7_482_975   # 330.000 × 22,675681
    assert quote.total_state_support == 748_297    # 33.000 × 22,675681
    assert quote.total_due == 6_734_678
    assert quote.schedule.face_value == 24 * 297_000 == 7_128_000  # what 24 monthly payments would cost
    assert (quote.schedule.rate_year, quote.schedule.rate_pct) == (2023, Decimal("0.5"))


def test_60_months_ahead_is_the_most_and_is_discounted_over_five_years(rate_2023):
    quote = ahead(60)
    assert quote.total_contribution == 17_154_782  # 330.000 × 51,984189
    assert quote.total_state_support == 1_715_478
    assert quote.total_due == 15_439_304
    first, last = quote.schedule.months[0], quote.schedule.months[-1]
    assert (first.index, first.month, first.due) == (1, D(2024, 3, 1), 297_000)  # the first month is not discounted
    assert (last.index, last.month) == (60, D(2029, 2, 1))
    assert last.due == 221_288  # 297.000 / 1,005^59 = 297.000 / 1,342139 = 221.288,5


def test_12_months_ahead_is_the_yearly_mode_unless_a_rule_says_otherwise(rate_2023):
    with pytest.raises(ContributionError, match="ít nhất 24 tháng.*12 tháng một lần"):
        ahead(12)
    # The limits are data: a rule row allowing one year ahead discounts it like the others.
    LumpSumRule.objects.filter(product=tn(), valid_from=D(2016, 1, 1)).update(ahead_min_months=12)
    quote = ahead(12)
    assert quote.total_contribution == 3_853_419  # 330.000 × 11,677027
    assert quote.total_state_support == 385_342
    assert quote.total_due == 3_468_077


def test_more_than_five_years_ahead_or_part_of_a_year_is_refused(rate_2023):
    with pytest.raises(ContributionError, match="nhiều nhất 60 tháng.*Nghị định 134/2015"):
        ahead(72)
    with pytest.raises(ContributionError, match="số năm tròn"):
        ahead(30)


def test_from_july_2025_the_decree_159_support_applies_to_each_month_ahead(rate_2025):
    # 2026: the state pays 20% × 22% × 1.500.000 = 66.000 a month (Decree 159/2025), r of 2025 = 0,4%.
    quote = ahead(24, on=D(2026, 3, 2))
    assert quote.total_contribution == 7_567_515   # 330.000 × 22,931863
    assert quote.total_state_support == 1_513_503  # 66.000 × 22,931863
    assert quote.total_due == 6_054_012
    assert "159/2025" in quote.schedule.legal_basis


def test_a_local_programme_supports_only_the_months_inside_its_own_period(rate_2023):
    bac_ninh = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    commune = make_unit("Xã Thử", level_code="xa", parent=make_unit("Huyện Thử", level_code="huyen", parent=bac_ninh))
    _bac_ninh_top_up()  # +30% × 22% × 1.500.000 = 99.000 a month, to 31/12/2025
    FundReturnRate.objects.create(year=2024, monthly_rate_pct=Decimal("0.5"), source="Số liệu thử")
    quote = ahead(24, on=D(2025, 1, 15), unit=commune)
    months = quote.schedule.months
    assert [m.local_support for m in months[:12]] == [99_000] * 12   # 01/2025 … 12/2025
    assert [m.local_support for m in months[12:]] == [0] * 12        # 01/2026 … 12/2026
    assert quote.total_local_support == 1_156_026  # 99.000 × 11,677027
    assert quote.total_due == quote.total_contribution - quote.total_state_support - 1_156_026


def test_a_year_without_an_announced_rate_is_said_plainly_not_guessed(rate_2023):
    with pytest.raises(ContributionError, match="Chưa có lãi suất đầu tư quỹ BHXH bình quân tháng của năm 2025"):
        ahead(24, on=D(2026, 3, 2))


def test_health_insurance_cannot_be_paid_years_ahead(rate_2023):
    with pytest.raises(ContributionError, match="không áp dụng cho BHYT hộ gia đình"):
        contribution_quote(product=Product.objects.get(code="bhyt_hgd"), on=D(2024, 3, 15), months=24, mode=AHEAD)


# --- missing months ------------------------------------------------------------------------------

def test_missing_months_are_compounded_and_not_supported(rate_2023):
    # Pension age reached with 180 of the 240 months (Decree 134): 60 months to make up.
    quote = missing(months_contributed=180)
    assert quote.months == 60
    assert quote.total_contribution == quote.total_due == 23_139_231  # 330.000 × 70,118881
    assert quote.total_state_support == 0 and quote.total_local_support == 0
    assert quote.schedule.face_value == 60 * 330_000
    assert quote.schedule.months[0].due == 331_650  # 330.000 × 1,005


def test_missing_months_from_july_2025_complete_15_years_within_60_months(rate_2025):
    quote = missing(on=D(2026, 3, 2), months_contributed=150)
    assert quote.months == 30
    assert quote.total_due == 10_538_213  # 330.000 × 31,933978
    with pytest.raises(ContributionError, match="còn thiếu 80 tháng.*quá 60 tháng"):
        missing(on=D(2026, 3, 2), months_contributed=100)


def test_missing_months_are_refused_when_the_decree_does_not_allow_them(rate_2023):
    with pytest.raises(ContributionError, match="chỉ người đã đủ tuổi nghỉ hưu"):
        missing(months_contributed=180, reached_pension_age=False)
    with pytest.raises(ContributionError, match="còn thiếu 130 tháng.*quá 120 tháng"):
        missing(months_contributed=110)
    with pytest.raises(ContributionError, match="không còn thời gian thiếu"):
        missing(months_contributed=240)
    with pytest.raises(ContributionError, match="60 tháng còn thiếu, không phải 50 tháng"):
        missing(months_contributed=180, months=50)


def test_without_the_persons_history_the_amount_is_given_with_what_was_not_checked(rate_2023):
    quote = RuleBook.load().quote(product=tn(), on=D(2024, 3, 15), income=1_500_000, months=12, mode=MISSING)
    assert quote.total_due == 4_091_089  # 330.000 × 12,397240
    assert any("tuổi nghỉ hưu" in note for note in quote.schedule.notes)


# --- pages ---------------------------------------------------------------------------------------

def test_calculator_page_shows_the_discounted_total_and_each_month_on_request(client, province, rate_2023):
    client.force_login(make_member(province, Role.COLLECTION_AGENT))
    html = client.get("/tinh-muc-dong/", {
        "product": tn().pk, "on": "15/03/2024", "income": "1.500.000", "payment_mode": "years_ahead",
        "months": "24", "group": "other"}).content.decode()
    assert 'id="total-due">6.734.678 đ' in html
    assert 'id="face-value">7.128.000 đ' in html
    assert '<details id="schedule">' in html and "Chi tiết từng tháng (24 tháng)" in html
    assert "02/2026" in html  # the 24th month covered


def test_calculator_page_refuses_a_lump_sum_with_the_reason(client, province, rate_2023):
    client.force_login(make_member(province, Role.COLLECTION_AGENT))
    params = {"product": tn().pk, "on": "15/03/2024", "income": "1.500.000", "payment_mode": "lump_sum",
              "group": "other"}
    html = client.get("/tinh-muc-dong/", params).content.decode()
    assert "nhập số tháng đã đóng BHXH" in html and "chọn đã đủ tuổi nghỉ hưu hay chưa" in html
    html = client.get("/tinh-muc-dong/", {**params, "months_contributed": "100",
                                           "reached_pension_age": "yes"}).content.decode()
    assert "còn thiếu 140 tháng" in html and "quá 120 tháng" in html
    html = client.get("/tinh-muc-dong/", {**params, "months_contributed": "180",
                                           "reached_pension_age": "yes"}).content.decode()
    assert 'id="total-due">23.139.231 đ' in html


def test_a_receipt_paid_years_ahead_expects_the_discounted_amount(agent, registry, rate_2023):
    collector = make_member(agent.unit, Role.COLLECTION_AGENT)
    participant = registry["0100000001"]  # 700.000 chosen in 2021; in 2024 the minimum is 1.500.000
    enrolment = participant.enrolments.get()
    enrolment.chosen_income = 1_500_000
    enrolment.save()
    recorded = collection_record(agent=agent, participant=participant, product=tn(), receipt_number="BL-9",
                                 collected_on=D(2024, 3, 15), months=24, amount=7_128_000, by=collector,
                                 payment_mode=AHEAD)
    assert recorded.collection.expected_amount == 6_734_678
    assert "khác số phải đóng theo quy định 6.734.678 đ" in recorded.warning
    assert "nếu đóng từng tháng là 7.128.000 đ" in recorded.warning


def test_the_receipt_form_shows_the_amount_month_by_month_before_recording(client, agent, registry, rate_2023):
    client.force_login(make_member(agent.unit, Role.COLLECTION_AGENT))
    enrolment = registry["0100000001"].enrolments.get()
    enrolment.chosen_income = 1_500_000
    enrolment.save()
    response = client.post(f"/dai-ly/{agent.pk}/thu-tien/", {
        "participant_code": "0100000001", "product": tn().pk, "collected_on": "15/03/2024", "months": "60",
        "payment_mode": "years_ahead", "xem": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="total-due">15.439.304 đ' in html and "Chi tiết từng tháng (60 tháng)" in html
    assert not agent.collections.exists()


def test_a_participant_list_paid_years_ahead_is_checked_against_the_discounted_amount(district, staff, rate_2023):
    from agents.models import Enrolment
    from tests.agents.test_import_participants import BASIC, commit, person, xlsx

    row = person(start="15/03/2024", income=1_500_000, mode="Đóng trước nhiều năm", amount=7_128_000) + [24]
    outcome = commit(staff, district, xlsx([row], headers=[*BASIC, "Số tháng"]))
    assert (outcome.new, outcome.invalid, outcome.warned) == (1, 0, 1)
    assert "khác số phải đóng theo quy định 6.734.678 đ" in outcome.warnings[0]["message"]
    assert Enrolment.objects.get().amount_expected == 6_734_678
