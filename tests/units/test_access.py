"""units.access: the one module that decides what a user may see and do."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from units import access
from units.models import Membership, Role, Unit
from tests.factories import UserFactory, make_member, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """Thừa Thiên Huế → Hương Trà → Hải Dương (2 thôn), Hải Lâm (1 thôn); Phong Điền → Phong An."""
    t = SimpleNamespace()
    t.province = make_unit("Tỉnh Thừa Thiên Huế", level_code="tinh", code="46")
    t.district = make_unit("Thị xã Hương Trà", level_code="huyen", parent=t.province, code="479")
    t.commune = make_unit("Xã Hải Dương", level_code="xa", parent=t.district, code="19996")
    t.villages = [make_unit(f"Thôn Hải Dương {i}", level_code="thon", parent=t.commune) for i in (1, 2)]
    t.other_commune = make_unit("Xã Hải Lâm", level_code="xa", parent=t.district, code="19999")
    t.other_village = make_unit("Thôn Hải Lâm 1", level_code="thon", parent=t.other_commune)
    t.other_district = make_unit("Huyện Phong Điền", level_code="huyen", parent=t.province, code="476")
    t.far_commune = make_unit("Xã Phong An", level_code="xa", parent=t.other_district, code="19921")
    return t


def names(queryset):
    return sorted(u.name for u in queryset)


def test_commune_official_sees_their_commune_and_its_villages_only(tree):
    official = make_member(tree.commune, Role.COMMUNE_OFFICIAL)

    assert names(access.visible_units(official)) == ["Thôn Hải Dương 1", "Thôn Hải Dương 2", "Xã Hải Dương"]
    assert access.can_view(official, tree.commune)
    assert access.can_view(official, tree.villages[0])
    assert not access.can_view(official, tree.other_commune)
    assert not access.can_view(official, tree.other_village)
    assert not access.can_view(official, tree.district)
    assert not access.can_view(official, tree.province)


def test_district_staff_sees_every_commune_of_the_district_and_nothing_beside(tree):
    staff = make_member(tree.district, Role.BHXH_STAFF)

    assert names(access.visible_units(staff).filter(level__code="xa")) == ["Xã Hải Dương", "Xã Hải Lâm"]
    assert access.visible_units(staff).count() == 1 + 2 + 3
    assert not access.can_view(staff, tree.far_commune)
    assert not access.can_view(staff, tree.province)


def test_superuser_sees_everything_and_anonymous_nothing(tree):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert access.visible_units(root).count() == Unit.objects.count() == 9
    assert access.can_view(root, tree.far_commune)
    assert access.roles_of(root) == set(Role.values)

    anonymous = AnonymousUser()
    assert not access.visible_units(anonymous).exists()
    assert not access.can_view(anonymous, tree.commune)
    assert access.grants_of(anonymous) == []
    assert not access.has_role(anonymous, tree.commune, Role.values)


def test_user_without_membership_sees_nothing(tree):
    nobody = UserFactory()
    assert not access.visible_units(nobody).exists()
    assert not access.top_units(nobody).exists()
    assert access.roles_of(nobody) == set()


def test_two_memberships_add_up_and_the_narrower_one_is_not_repeated(tree):
    user = make_member(tree.commune, Role.COMMUNE_OFFICIAL)
    Membership.objects.create(user=user, unit=tree.far_commune, role=Role.COLLECTION_AGENT)
    Membership.objects.create(user=user, unit=tree.villages[0], role=Role.COLLECTION_AGENT)
    access.forget_grants(user)

    assert names(access.visible_units(user)) == [
        "Thôn Hải Dương 1", "Thôn Hải Dương 2", "Xã Hải Dương", "Xã Phong An",
    ]
    assert names(access.top_units(user)) == ["Xã Hải Dương", "Xã Phong An"]
    assert access.roles_of(user) == {Role.COMMUNE_OFFICIAL, Role.COLLECTION_AGENT}


def test_has_role_on_the_unit_or_above_and_strictly_above(tree):
    official = make_member(tree.commune, Role.COMMUNE_OFFICIAL)
    staff = make_member(tree.district, Role.BHXH_STAFF)

    assert access.has_role(official, tree.commune, [Role.COMMUNE_OFFICIAL])
    assert access.has_role(official, tree.villages[1], [Role.COMMUNE_OFFICIAL])
    assert not access.has_role(official, tree.commune, [Role.COMMUNE_OFFICIAL], strictly_above=True)
    assert access.has_role(official, tree.villages[1], [Role.COMMUNE_OFFICIAL], strictly_above=True)
    assert not access.has_role(official, tree.commune, [Role.BHXH_STAFF])
    assert not access.has_role(official, tree.other_commune, [Role.COMMUNE_OFFICIAL])

    # the district assigns to its communes (strictly above), not to itself
    assert access.has_role(staff, tree.commune, [Role.BHXH_STAFF], strictly_above=True)
    assert not access.has_role(staff, tree.district, [Role.BHXH_STAFF], strictly_above=True)
    assert not access.has_role(staff, tree.far_commune, [Role.BHXH_STAFF])


def test_administration_needs_the_administrator_role(tree):
    admin = make_member(tree.province, Role.ADMINISTRATOR)
    leader = make_member(tree.province, Role.LEADER)
    assert access.can(admin, "administration.manage", tree.far_commune)
    assert not access.can(leader, "administration.manage", tree.far_commune)


def test_scope_by_unit_restricts_any_queryset_with_a_unit_key(tree):
    official = make_member(tree.commune, Role.COMMUNE_OFFICIAL)
    make_member(tree.other_commune, Role.COMMUNE_OFFICIAL)
    make_member(tree.far_commune, Role.LEADER)
    everyone = Membership.objects.all()

    assert sorted(m.unit.name for m in access.scope_by_unit(official, everyone)) == ["Xã Hải Dương"]
    staff = make_member(tree.district, Role.BHXH_STAFF)
    assert sorted(m.unit.name for m in access.scope_by_unit(staff, Membership.objects.all())) == [
        "Thị xã Hương Trà", "Xã Hải Dương", "Xã Hải Lâm",
    ]
    assert access.scope_by_unit(UserFactory(is_superuser=True), everyone).count() == everyone.count()
    assert not access.scope_by_unit(AnonymousUser(), everyone).exists()


def test_a_sibling_whose_id_starts_with_the_same_digits_stays_hidden(tree):
    # "/46/479/3/" must not open "/46/479/37/": every path segment ends with a slash
    pk = int(f"{tree.commune.pk}7")
    sibling = Unit.objects.create(
        pk=pk, code="19998", name="Xã Hải Phú", level=tree.commune.level, parent=tree.district,
        path=f"{tree.district.path}{pk}/", depth=3,
    )
    official = make_member(tree.commune, Role.COMMUNE_OFFICIAL)

    assert not access.can_view(official, sibling)
    assert sibling not in access.visible_units(official)
    assert not access.has_role(official, sibling, [Role.COMMUNE_OFFICIAL])


def test_get_visible_unit_or_404_says_not_found_for_hidden_and_missing_units_alike(tree):
    official = make_member(tree.commune, Role.COMMUNE_OFFICIAL)
    assert access.get_visible_unit_or_404(official, tree.villages[0].pk) == tree.villages[0]

    with pytest.raises(Http404) as hidden:
        access.get_visible_unit_or_404(official, tree.other_commune.pk)
    with pytest.raises(Http404) as missing:
        access.get_visible_unit_or_404(official, 987654)
    assert str(hidden.value) == str(missing.value) == "Không tìm thấy đơn vị hoặc bạn không có quyền xem đơn vị này."


def test_grants_load_once_per_user_object(tree, django_assert_num_queries):
    official = make_member(tree.commune, Role.COMMUNE_OFFICIAL)
    with django_assert_num_queries(1):
        for _ in range(3):
            access.can_view(official, tree.commune)
            access.has_role(official, tree.commune, [Role.COMMUNE_OFFICIAL])
            access.roles_of(official)
