"""Whose subtree an administrator manages: their administrator memberships only (units.access)."""

import pytest
from django.urls import reverse

from units import access
from units.models import Membership, Role, Unit
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_only_administrator_memberships_open_a_subtree_to_manage(world):
    user = make_member(world.my_district, Role.ADMINISTRATOR)
    Membership.objects.create(user=user, unit=world.theirs, role=Role.BHXH_STAFF)
    managed = set(access.administered_units(user).values_list("pk", flat=True))
    assert managed == set(Unit.objects.filter(path__startswith=world.my_district.path).values_list("pk", flat=True))
    assert access.visible_units(user).filter(pk=world.their_commune.pk).exists()  # seen, not managed
    assert access.can_any(user, "administration.manage")
    assert not access.can_any(make_member(world.mine, Role.BHXH_STAFF), "administration.manage")
    assert access.can_any(UserFactory(is_superuser=True), "administration.manage")
    assert not access.scope_by_administered(user, Membership.objects.all()).filter(unit=world.theirs).exists()


def test_a_bhxh_officer_elsewhere_manages_nothing_there(client, world):
    user = make_member(world.my_district, Role.ADMINISTRATOR)
    Membership.objects.create(user=user, unit=world.theirs, role=Role.BHXH_STAFF)
    their_user = make_member(world.their_commune, Role.COMMUNE_OFFICIAL, username="canbo.benkia")
    client.force_login(user)
    assert "canbo.benkia" not in client.get(reverse("administration:user_list")).content.decode()
    assert client.get(reverse("administration:user_detail", args=[their_user.pk])).status_code == 404
    assert client.get(reverse("administration:unit_detail", args=[world.their_commune.pk])).status_code == 404
    response = client.post(reverse("administration:user_create"), {
        "username": "moi", "full_name": "Mới", "password1": "Mat-khau-ban-dau-2025",
        "password2": "Mat-khau-ban-dau-2025", "unit": world.their_commune.pk, "role": Role.LEADER})
    assert response.status_code == 200 and not Membership.objects.filter(user__username="moi").exists()
