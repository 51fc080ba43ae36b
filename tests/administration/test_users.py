"""Users and their memberships, managed by an administrator inside their subtree only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from units.models import Membership, Role
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db

User = get_user_model()


def state():
    return (sorted(Membership.objects.values_list("user_id", "unit_id", "role")),
            sorted(User.objects.values_list("pk", "username", "is_active", "password", "first_name", "email")))


NEW_USER = {"username": "canbo.moi", "full_name": "Lê Văn Mới", "email": "moi@example.vn",
            "password1": "Mat-khau-ban-dau-2025", "password2": "Mat-khau-ban-dau-2025", "role": Role.COMMUNE_OFFICIAL}


def test_the_list_shows_users_of_the_subtree_with_their_memberships_there_only(admin_client, world):
    mine = make_member(world.my_commune, Role.COMMUNE_OFFICIAL, username="canbo.cuatoi")
    Membership.objects.create(user=mine, unit=world.their_commune, role=Role.LEADER)
    make_member(world.their_commune, Role.COMMUNE_OFFICIAL, username="canbo.benkia")
    html = admin_client.get(reverse("administration:user_list")).content.decode()
    assert "canbo.cuatoi" in html and "canbo.benkia" not in html
    assert world.their_commune.name not in html and "Lãnh đạo" not in html
    found = admin_client.get(reverse("administration:user_list"), {"q": "cuatoi"}).content.decode()
    assert "canbo.cuatoi" in found and "quantri.tinh" not in found


def test_an_administrator_creates_a_user_with_a_membership_in_the_subtree(admin_client, world):
    response = admin_client.post(reverse("administration:user_create"), {**NEW_USER, "unit": world.my_commune.pk})
    user = User.objects.get(username="canbo.moi")
    assert response.status_code == 302 and response["Location"] == reverse("administration:user_detail",
                                                                           args=[user.pk])
    assert (user.get_full_name(), user.email, user.is_staff, user.is_superuser) == ("Lê Văn Mới", "moi@example.vn",
                                                                                     False, False)
    assert user.check_password("Mat-khau-ban-dau-2025")
    assert list(user.memberships.values_list("unit", "role")) == [(world.my_commune.pk, Role.COMMUNE_OFFICIAL)]


def test_a_user_cannot_be_created_on_a_unit_of_another_province(admin_client, world):
    before = state()
    response = admin_client.post(reverse("administration:user_create"), {**NEW_USER, "unit": world.their_commune.pk})
    assert response.status_code == 200
    assert "không thuộc phạm vi quản lý của bạn" in response.content.decode()
    assert state() == before


def test_a_taken_username_a_weak_password_or_a_mismatch_is_explained(admin_client, world):
    make_member(world.their_commune, Role.COMMUNE_OFFICIAL, username="trung.ten")
    before = state()
    for changes, message in [({"username": "Trung.Ten"}, "đã được dùng"),
                             ({"password1": "123", "password2": "123"}, "Mật khẩu"),
                             ({"password2": "khac-hẳn-2025"}, "không khớp")]:
        response = admin_client.post(reverse("administration:user_create"),
                                     {**NEW_USER, "unit": world.my_commune.pk, **changes})
        assert response.status_code == 200 and message in response.content.decode(), changes
    assert state() == before


def test_memberships_are_added_and_removed_inside_the_subtree(admin_client, world):
    user = make_member(world.my_commune, Role.COMMUNE_OFFICIAL)
    url = reverse("administration:membership_add", args=[user.pk])
    assert admin_client.post(url, {"unit": world.my_district.pk, "role": Role.LEADER}).status_code == 302
    added = Membership.objects.get(user=user, unit=world.my_district)
    assert added.role == Role.LEADER
    again = admin_client.post(url, {"unit": world.my_district.pk, "role": Role.LEADER})
    assert again.status_code == 400 and "đã có vai trò" in again.content.decode()
    remove = reverse("administration:membership_remove", args=[user.pk, added.pk])
    assert admin_client.post(remove).status_code == 302
    assert list(user.memberships.values_list("unit", flat=True)) == [world.my_commune.pk]


def test_a_membership_on_a_unit_of_another_province_is_refused_and_writes_nothing(admin_client, world):
    user = make_member(world.my_commune, Role.COMMUNE_OFFICIAL)
    before = state()
    response = admin_client.post(reverse("administration:membership_add", args=[user.pk]),
                                 {"unit": world.their_district.pk, "role": Role.ADMINISTRATOR})
    assert response.status_code == 400
    assert "Tỉnh Bên Kia" not in response.content.decode() and world.their_district.name not in response.content.decode()
    assert state() == before


def test_the_service_refuses_a_foreign_unit_even_without_the_form(world):
    from django.core.exceptions import PermissionDenied

    from administration import services

    user = make_member(world.my_commune, Role.COMMUNE_OFFICIAL)
    with pytest.raises(PermissionDenied):
        services.membership_add(by=world.admin, user=user, unit=world.their_commune, role=Role.LEADER)
    with pytest.raises(PermissionDenied):
        services.user_create(by=world.admin, username="x", full_name="X", email="", password="Mat-khau-2025-dai",
                             unit=world.their_commune, role=Role.LEADER)
    assert not Membership.objects.filter(unit=world.their_commune).exists()


def test_a_user_of_another_province_is_not_found_and_left_alone(admin_client, world):
    theirs = make_member(world.their_commune, Role.COMMUNE_OFFICIAL, username="canbo.benkia")
    membership = theirs.memberships.get()
    before = state()
    for method, url, data in [
        ("get", reverse("administration:user_detail", args=[theirs.pk]), {}),
        ("post", reverse("administration:user_set_active", args=[theirs.pk]), {"active": "0"}),
        ("post", reverse("administration:membership_add", args=[theirs.pk]),
         {"unit": world.my_commune.pk, "role": Role.LEADER}),
        ("post", reverse("administration:membership_remove", args=[theirs.pk, membership.pk]), {}),
    ]:
        response = getattr(admin_client, method)(url, data)
        assert response.status_code == 404, url
        assert "canbo.benkia" not in response.content.decode()
    assert state() == before


def test_a_superuser_is_never_edited(admin_client, world):
    root = UserFactory(username="sieu.quantri", is_staff=True, is_superuser=True)
    Membership.objects.create(user=root, unit=world.my_commune, role=Role.LEADER)
    membership = root.memberships.get()
    before = state()
    page = admin_client.get(reverse("administration:user_detail", args=[root.pk])).content.decode()
    assert "quản trị toàn hệ thống" in page and "Khóa tài khoản" not in page
    assert admin_client.post(reverse("administration:user_set_active", args=[root.pk]),
                             {"active": "0"}).status_code == 403
    assert admin_client.post(reverse("administration:membership_add", args=[root.pk]),
                             {"unit": world.my_district.pk, "role": Role.LEADER}).status_code in (400, 403)
    assert admin_client.post(reverse("administration:membership_remove",
                                     args=[root.pk, membership.pk])).status_code == 403
    assert state() == before


def test_a_user_with_memberships_elsewhere_keeps_their_account_and_other_memberships(admin_client, world):
    shared = make_member(world.my_commune, Role.COMMUNE_OFFICIAL, username="canbo.hai.noi")
    elsewhere = Membership.objects.create(user=shared, unit=world.their_commune, role=Role.BHXH_STAFF)
    page = admin_client.get(reverse("administration:user_detail", args=[shared.pk])).content.decode()
    assert world.their_commune.name not in page and "Cán bộ BHXH" not in page.split("Thêm vai trò")[0]
    assert "còn được phân quyền ở đơn vị khác" in page
    assert admin_client.post(reverse("administration:user_set_active", args=[shared.pk]),
                             {"active": "0"}).status_code == 403
    shared.refresh_from_db()
    assert shared.is_active
    # inside the subtree the memberships are the administrator's to change
    assert admin_client.post(reverse("administration:membership_add", args=[shared.pk]),
                             {"unit": world.my_district.pk, "role": Role.LEADER}).status_code == 302
    assert admin_client.post(reverse("administration:membership_remove", args=[shared.pk, elsewhere.pk]),
                             ).status_code == 404
    assert Membership.objects.filter(pk=elsewhere.pk).exists()


def test_an_administrator_deactivates_and_reactivates_a_user_of_the_subtree(admin_client, world, client):
    user = make_member(world.my_commune, Role.COMMUNE_OFFICIAL, username="canbo.nghi")
    url = reverse("administration:user_set_active", args=[user.pk])
    assert admin_client.post(url, {"active": "0"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.memberships.exists()
    assert admin_client.post(url, {"active": "1"}).status_code == 302
    user.refresh_from_db()
    assert user.is_active


def test_an_administrator_does_not_edit_themself(admin_client, world):
    before = state()
    me = world.admin
    assert admin_client.post(reverse("administration:user_set_active", args=[me.pk]), {"active": "0"}).status_code == 403
    assert admin_client.post(reverse("administration:membership_remove",
                                     args=[me.pk, me.memberships.get().pk])).status_code == 403
    assert state() == before


def test_a_district_administrator_sees_nothing_of_the_province_above(client, world):
    district_admin = make_member(world.my_district, Role.ADMINISTRATOR, username="quantri.huyen")
    client.force_login(district_admin)
    html = client.get(reverse("administration:user_list")).content.decode()
    assert "quantri.tinh" not in html and "quantri.huyen" in html
    assert client.get(reverse("administration:user_detail", args=[world.admin.pk])).status_code == 404
    form = client.get(reverse("administration:user_create")).context["form"]
    assert world.mine not in form.fields["unit"].queryset and world.my_district in form.fields["unit"].queryset
