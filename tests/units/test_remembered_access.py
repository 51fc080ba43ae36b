"""A user's memberships and the tree are remembered between requests (bhxh_portal.memo), never past
a write: a membership removed takes the access away at once (one removed, or all of them by a
queryset), a membership added gives it at once, a unit moved carries its subtree's access with it."""

import pytest
from django.urls import reverse

from targets.models import Indicator, active_indicators
from tests.factories import make_member, make_unit
from units.models import Membership, Role
from units.services.tree import unit_save

pytestmark = pytest.mark.django_db


def _opens(client, unit) -> bool:
    status = client.get(reverse("units:unit_detail", args=[unit.pk])).status_code
    assert status in (200, 404)
    return status == 200


def test_a_membership_removed_or_added_changes_access_at_once(client):
    province = make_unit("Tỉnh A", level_code="tinh")
    district = make_unit("Huyện B", level_code="huyen", parent=province)
    commune = make_unit("Xã C", level_code="xa", parent=district)
    user = make_member(district, Role.LEADER)
    client.force_login(user)
    assert _opens(client, commune) and _opens(client, commune)  # the second from what is remembered

    Membership.objects.get(user=user).delete()
    assert not _opens(client, commune)

    Membership.objects.create(user=user, unit=commune, role=Role.COMMUNE_OFFICIAL)
    assert _opens(client, commune) and not _opens(client, district)

    user.memberships.all().delete()  # a queryset, not one object
    assert not _opens(client, commune)


def test_a_unit_moved_takes_its_subtree_and_its_access_with_it(client):
    province = make_unit("Tỉnh A", level_code="tinh")
    first = make_unit("Huyện B", level_code="huyen", parent=province)
    second = make_unit("Huyện D", level_code="huyen", parent=province)
    commune = make_unit("Xã C", level_code="xa", parent=first)
    client.force_login(make_member(second, Role.LEADER))
    assert not _opens(client, commune)

    commune.parent = second
    unit_save(unit=commune)

    assert _opens(client, commune)


def test_an_indicator_switched_off_leaves_the_list_at_once():
    assert "bhtn" in [i.code for i in active_indicators()]
    Indicator.objects.filter(code="bhtn").update(is_active=False)
    assert "bhtn" not in [i.code for i in active_indicators()]
