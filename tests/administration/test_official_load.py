"""The official unit list loaded from the administrators' unit page: only for the province the user
administers as a whole, by its own code, and twice without change."""

import pytest
from django.urls import reverse

from units.models import Role, Unit
from units.services.official_units import NEW_FROM
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db

URL = reverse("administration:unit_official_load")


@pytest.fixture
def vinh_long():
    """Today's Vĩnh Long (86) typed by hand, with one district-level unit below it."""
    province = make_unit("Tỉnh Vĩnh Long", level_code="tinh", code="86", valid_from=NEW_FROM)
    make_unit("Huyện Thử", level_code="huyen", parent=province, valid_from=NEW_FROM)
    return province


@pytest.fixture
def ho_chi_minh():
    return make_unit("Thành phố Hồ Chí Minh", level_code="tinh", code="79", valid_from=NEW_FROM)


def communes(code):
    return Unit.objects.filter(level__code="xa", parent__code=code).count()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_a_province_administrator_loads_their_province_and_a_second_load_adds_nothing(client, vinh_long):
    client.force_login(make_member(vinh_long, Role.ADMINISTRATOR))
    page = client.get(reverse("administration:unit_list")).content.decode()
    assert "Nạp danh mục đơn vị hành chính chính thức" in page
    assert "mã 86" in page

    first = client.post(URL, {"unit": vinh_long.pk}, follow=True)
    assert first.status_code == 200
    assert "Thêm mới: 124 xã." in messages_of(first)
    assert communes("86") == 124
    assert Unit.objects.current().filter(level__code="tinh", code="86").count() == 1  # the same province, kept

    snapshot = list(Unit.objects.order_by("pk").values_list("pk", "name", "parent_id", "path", "valid_to"))
    second = client.post(URL, {"unit": vinh_long.pk}, follow=True)
    shown = messages_of(second)
    assert "Thêm mới: không có." in shown
    assert any("Không có thay đổi" in m for m in shown)
    assert list(Unit.objects.order_by("pk").values_list("pk", "name", "parent_id", "path", "valid_to")) == snapshot


def test_another_province_cannot_be_passed_in(client, vinh_long, ho_chi_minh):
    client.force_login(make_member(vinh_long, Role.ADMINISTRATOR))
    count = Unit.objects.count()
    assert client.post(URL, {"unit": ho_chi_minh.pk}).status_code == 404
    assert client.post(URL, {"unit": "79"}).status_code == 404
    assert Unit.objects.count() == count
    # a code slipped in next to their own province is ignored: only their province is loaded
    client.post(URL, {"unit": vinh_long.pk, "province": "79"})
    assert communes("86") == 124 and communes("79") == 0


def test_a_district_administrator_and_a_commune_official_are_refused_and_nothing_is_written(client, vinh_long):
    district = Unit.objects.get(level__code="huyen", parent=vinh_long)
    count = Unit.objects.count()

    client.force_login(make_member(district, Role.ADMINISTRATOR))
    assert "Nạp danh mục" not in client.get(reverse("administration:unit_list")).content.decode()
    refused = client.post(URL, {"unit": vinh_long.pk})
    assert refused.status_code == 403
    assert "không quản trị tỉnh nào" in refused.content.decode()

    client.force_login(make_member(vinh_long, Role.COMMUNE_OFFICIAL))
    assert client.post(URL, {"unit": vinh_long.pk}).status_code == 403

    assert Unit.objects.count() == count


def test_a_get_is_not_a_load(client, vinh_long):
    client.force_login(make_member(vinh_long, Role.ADMINISTRATOR))
    assert client.get(URL).status_code == 405
    assert communes("86") == 0
