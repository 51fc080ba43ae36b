"""The registry feeds the monthly figures: participants with an enrolment in force, per indicator."""

import datetime

import pytest

from agents.models import Enrolment, Participant, Product
from agents.selectors import active_enrolment_counts, registry_comparison
from targets.models import Indicator
from units.models import Role, Unit
from tests.factories import make_member

D = datetime.date
pytestmark = pytest.mark.django_db


def enrol(code, commune, product, start, end=None, village=None, is_new=True):
    participant, _ = Participant.objects.get_or_create(
        bhxh_code=code, defaults={"full_name": f"Người {code}", "birth_date": D(1980, 1, 1), "commune": commune,
                                  "village": village})
    Enrolment.objects.create(participant=participant, product=Product.objects.get(code=product), valid_from=start,
                             valid_to=end, is_new=is_new)


@pytest.fixture
def registry(district):
    x1, x2 = district.children.order_by("code")
    t11 = x1.children.get(code="X1-T1")
    outside = Unit.objects.get(code="00009")
    enrol("0100000001", x1, "bhyt_hgd", D(2024, 1, 1), D(2024, 12, 31), village=t11)
    enrol("0100000002", x1, "bhyt_hgd", D(2024, 6, 1), D(2024, 9, 30))            # ends before 31/10
    enrol("0100000003", x2, "bhyt_hgd", D(2024, 10, 31))                           # starts on the last day
    enrol("0100000004", x2, "bhyt_hgd", D(2024, 11, 1))                            # starts after
    enrol("0100000005", x1, "bhxh_tn", D(2023, 1, 1), village=t11)                 # new
    enrol("0100000006", x2, "bhxh_tn", D(2024, 2, 1), is_new=False)                # renewing
    enrol("0100000006", x2, "bhxh_tn", D(2021, 2, 1), D(2022, 1, 31))              # an old period, not counted
    enrol("0100000007", x1, "bhyt_can_ngheo", D(2024, 1, 1), D(2024, 12, 31))
    enrol("0100000008", outside, "bhyt_hgd", D(2024, 1, 1))                        # another district
    return x1, t11


def test_counts_per_indicator_over_the_subtree_in_one_grouped_query(district, registry,
                                                                   django_assert_num_queries):
    # Cold: the communes and their versions, their sheets, one grouped count, the sheets stored, the
    # products; warm: the same without the count and the store.
    with django_assert_num_queries(5):
        active_enrolment_counts(unit=district, month=D(2024, 10, 1))
    with django_assert_num_queries(3):
        counts = active_enrolment_counts(unit=district, month=D(2024, 10, 1))
    assert counts == {"bhyt_hgd": 2, "bhxh_tn": 2, "bhxh_tn_moi": 1, "bhxh_tn_tai_tuc": 1, "bhyt_can_ngheo": 1}


def test_counts_for_a_commune_and_a_village(registry):
    commune, village = registry
    assert active_enrolment_counts(unit=commune, month=D(2024, 10, 1)) == {
        "bhyt_hgd": 1, "bhxh_tn": 1, "bhxh_tn_moi": 1, "bhyt_can_ngheo": 1}
    assert active_enrolment_counts(unit=village, month=D(2024, 10, 1)) == {"bhyt_hgd": 1, "bhxh_tn": 1,
                                                                            "bhxh_tn_moi": 1}


def test_the_entered_figure_beside_the_registrys_with_the_difference(district, registry):
    lines = {line.indicator: line for line in registry_comparison(
        unit=district, month=D(2024, 10, 1), entered={"bhyt_hgd": 5, "bhxh_tn": 2, "bhtn": None})}
    assert (lines["bhyt_hgd"].registry, lines["bhyt_hgd"].entered, lines["bhyt_hgd"].difference) == (2, 5, 3)
    assert lines["bhxh_tn"].difference == 0
    assert (lines["bhtn"].registry, lines["bhtn"].difference) == (0, None)


def test_registry_page_is_scoped(client, district, registry):
    commune, _ = registry
    client.force_login(make_member(commune, Role.COMMUNE_OFFICIAL))
    assert client.get(f"/nguoi-tham-gia/so-lieu/{district.pk}/").status_code == 404
    response = client.get(f"/nguoi-tham-gia/so-lieu/{commune.pk}/", {"thang": "2024-10"})
    assert response.status_code == 200
    html = response.content.decode()
    names = dict(Indicator.objects.values_list("code", "name"))
    assert names["bhyt_can_ngheo"] in html and "bhyt_can_ngheo" not in html  # names, not internal codes
