"""manage.py load_demo: the units of the reference plans and one login per role, safe to run twice."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from bhxh_portal.demo import DEMO_PASSWORD, FIXTURES
from bhxh_portal.imports import load_dataset
from units import access
from units.models import Membership, Role, Unit
from units.services.official_units import OLD_TO

pytestmark = pytest.mark.django_db

User = get_user_model()


def demo_user_count():
    """One login per row of fixtures/demo_users.csv, plus the superuser 'admin'."""
    return len(load_dataset(FIXTURES / "demo_users.csv")) + 1


def demo_unit_count():
    """One unit per row of fixtures/demo_units.csv."""
    return len(load_dataset(FIXTURES / "demo_units.csv"))


def counts():
    return Unit.objects.count(), User.objects.count(), Membership.objects.count()


def demo_units():
    """The units of the reference plans: they all end on the last day before the 2025 mergers."""
    return Unit.objects.filter(valid_to=OLD_TO)


OFFICIAL_UNIT_COUNT = 34 + 3321  # today's provinces and communes


def state():
    return (
        sorted(Unit.objects.values_list("pk", "code", "name", "parent_id", "path", "code_is_official")),
        sorted(Membership.objects.values_list("user__username", "unit__code", "role")),
    )


@pytest.fixture
def demo(capsys):
    call_command("load_demo")
    return capsys.readouterr().out


def test_load_demo_twice_leaves_the_same_database(demo, capsys):
    first = state()
    expected = (demo_unit_count() + OFFICIAL_UNIT_COUNT, demo_user_count(), demo_user_count() - 1)
    assert counts() == expected

    call_command("load_demo")

    assert counts() == expected
    assert state() == first
    n = demo_unit_count()
    assert f"demo_units.csv: {n} dòng; đã thêm 0, đã cập nhật 0, không đổi {n}." in capsys.readouterr().out
    assert f"demo_units.csv: {n} dòng; đã thêm {n}, đã cập nhật 0, không đổi 0." in demo


def test_the_five_provinces_of_the_reference_plans_with_their_official_codes(demo):
    provinces = demo_units().filter(level__code="tinh").order_by("code")
    assert [(p.code, p.name, p.code_is_official) for p in provinces] == [
        ("27", "Tỉnh Bắc Ninh", True),
        ("45", "Tỉnh Quảng Trị", True),
        ("46", "Tỉnh Thừa Thiên Huế", True),
        ("52", "Tỉnh Bình Định", True),
        ("84", "Tỉnh Trà Vinh", True),
    ]


def test_cang_long_has_its_fourteen_communes_and_hai_duong_its_six_villages(demo):
    cang_long = demo_units().get(name="Huyện Càng Long")
    hai_duong = demo_units().get(name="Xã Hải Dương")

    assert cang_long.parent.code == "84"
    assert Unit.objects.filter(parent=cang_long, level__code="xa").count() == 14
    assert demo_units().get(name="Thị trấn Càng Long").parent == cang_long
    assert hai_duong.parent.name == "Thị xã Hương Trà"
    assert hai_duong.parent.parent.code == "46"
    assert sorted(Unit.objects.filter(parent=hai_duong).values_list("name", flat=True)) == [
        "Thôn TDH Bắc", "Thôn TDH Nam", "Thôn TDH Trung", "Thôn TDT Tây", "Thôn TDT Đông", "Thôn Vĩnh Trị",
    ]
    assert set(Unit.objects.filter(parent=hai_duong).values_list("level__code", flat=True)) == {"thon"}
    assert demo_units().filter(name="Huyện Hướng Hóa", parent__code="45").exists()


def test_made_up_codes_are_flagged_as_not_official(demo):
    made_up = demo_units().exclude(level__code="tinh")
    assert made_up.count() == demo_unit_count() - 5  # all but the five provinces
    assert not made_up.filter(code_is_official=True).exists()
    assert Unit.objects.get(code="HDUONG").code_is_official is False


@pytest.mark.parametrize(("username", "role", "unit_code"), [
    ("canbo.haiduong", Role.COMMUNE_OFFICIAL, "HDUONG"),
    ("canbo.mycam", Role.COMMUNE_OFFICIAL, "CL02"),
    ("bhxh.canglong", Role.BHXH_STAFF, "CL"),
    ("daily.haiduong", Role.COLLECTION_AGENT, "HDUONG"),
    ("lanhdao.huongtra", Role.LEADER, "HDUONG"),
    ("lanhdao.canglong", Role.LEADER, "CL"),
    ("quantri.travinh", Role.ADMINISTRATOR, "84"),
])
def test_demo_users_have_their_membership_and_the_demo_password(demo, username, role, unit_code):
    user = User.objects.get(username=username)

    assert list(user.memberships.values_list("role", "unit__code")) == [(role, unit_code)]
    assert authenticate(username=username, password=DEMO_PASSWORD) == user
    assert DEMO_PASSWORD == "bhxh-demo-2025"
    assert not user.is_staff  # the admin is the superusers'; administrators work in /quan-ly/
    assert not user.is_superuser
    assert f"{username:<18} / bhxh-demo-2025" in demo


def test_demo_admin_is_a_superuser_with_the_demo_password(demo):
    admin = authenticate(username="admin", password="bhxh-demo-2025")
    assert admin is not None and admin.is_superuser and admin.is_staff
    assert not admin.memberships.exists()


def test_demo_logins_see_what_their_role_allows(demo):
    commune = User.objects.get(username="canbo.haiduong")
    district = User.objects.get(username="bhxh.canglong")

    assert access.visible_units(commune).count() == 1 + 6
    assert access.visible_units(district).filter(level__code="xa").count() == 14
    assert not access.visible_units(district).filter(code="HDUONG").exists()


def test_reloading_restores_a_changed_demo_password(demo):
    user = User.objects.get(username="canbo.mycam")
    user.set_password("doi-roi-123")
    user.save()

    call_command("load_demo")

    assert authenticate(username="canbo.mycam", password="bhxh-demo-2025") is not None
