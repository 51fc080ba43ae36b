"""A province's own support survives the 2025 merger for its territory and its dated period: the
Bắc Ninh 03/2021 top-up still reaches a resident of old Bắc Ninh whose commune is a new one, and not
a resident of the old Bắc Giang part of today's Bắc Ninh. The calculator lists the provinces of the date."""

import datetime

import pytest

from agents.contributions import contribution_quote
from agents.demo import BAC_NINH_PROGRAMME, _bac_ninh_top_up
from agents.models import LocalTopUp, Product
from units.models import Unit
from units.services.official_units import NEW_FROM, OLD_TO, official_units_load
from tests.factories import make_member

pytestmark = pytest.mark.django_db

AUGUST_2025 = datetime.date(2025, 8, 1)


@pytest.fixture
def bac_ninh():
    """Today's Bắc Ninh (24) and the old Bắc Ninh (27) and Bắc Giang (24) it was formed from."""
    official_units_load(province="24", before_2025=True)
    _bac_ninh_top_up()
    old_bac_ninh = Unit.objects.get(code="27", valid_to=OLD_TO)
    old_bac_giang = Unit.objects.get(code="24", valid_to=OLD_TO)
    return old_bac_ninh, old_bac_giang


def new_commune_wholly_from(old_province: Unit) -> Unit:
    for commune in Unit.objects.filter(level__code="xa", valid_from=NEW_FROM).prefetch_related("predecessors"):
        olds = list(commune.predecessors.all())
        if olds and all(o.path.startswith(old_province.path) for o in olds):
            return commune
    raise AssertionError(f"no new commune formed only from {old_province}")


def quote(unit, on=AUGUST_2025):
    return contribution_quote(product=Product.objects.get(code="bhxh_tn"), on=on, income=1_500_000, unit=unit)


def test_the_top_up_is_set_for_old_bac_ninh(bac_ninh):
    old_bac_ninh, _ = bac_ninh
    assert LocalTopUp.objects.get(programme=BAC_NINH_PROGRAMME).province == old_bac_ninh


def test_an_old_bac_ninh_resident_keeps_the_top_up_after_the_merger(bac_ninh):
    old_bac_ninh, _ = bac_ninh
    new = new_commune_wholly_from(old_bac_ninh)
    old = new.predecessors.first()
    before = quote(old, on=datetime.date(2025, 6, 1))
    after = quote(new)
    assert after.local_support_monthly == before.local_support_monthly == 99_000  # 30% × 22% × 1.500.000
    assert after.local_programmes == (BAC_NINH_PROGRAMME,)
    # its dated period still ends: nothing from 2026
    assert quote(new, on=datetime.date(2026, 1, 1)).local_support_monthly == 0


def test_an_old_bac_giang_resident_of_todays_bac_ninh_gets_no_bac_ninh_top_up(bac_ninh):
    _, old_bac_giang = bac_ninh
    new = new_commune_wholly_from(old_bac_giang)
    assert new.parent.name.endswith("Bắc Ninh")
    assert quote(new).local_support_monthly == 0
    # nor does the new province as a whole, which took in both
    assert quote(new.parent).local_support_monthly == 0


def provinces(response):
    return response.context["form"].fields["province"].queryset


def test_calculator_lists_todays_provinces_and_the_old_ones_for_an_earlier_date(client, bac_ninh):
    old_bac_ninh, _ = bac_ninh
    today_bac_ninh = Unit.objects.get(code="24", valid_from=NEW_FROM)
    client.force_login(make_member(today_bac_ninh, "collection_agent"))
    params = {"product": Product.objects.get(code="bhxh_tn").pk, "income": "1.500.000", "payment_mode": "monthly",
              "group": "other", "member_order": "1"}

    before = client.get("/tinh-muc-dong/", {**params, "on": "01/06/2025", "province": old_bac_ninh.pk})
    html = before.content.decode()
    assert old_bac_ninh in provinces(before) and today_bac_ninh not in provinces(before)
    assert len(provinces(before)) == 2  # the two old provinces the test loaded
    assert "99.000" in html and "Nghị quyết 03/2021" in html

    after = client.get("/tinh-muc-dong/", {**params, "on": "01/08/2025", "province": old_bac_ninh.pk})
    html = after.content.decode()
    assert list(provinces(after)) == [today_bac_ninh]
    assert "Tỉnh đã chọn không có vào ngày đóng" in html
