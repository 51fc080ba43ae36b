"""Factories shared by all tests. Units are created through the service so paths are right."""

import itertools

import factory
from django.contrib.auth import get_user_model

from targets import services
from targets.models import Membership, Role, Unit, UnitLevel

_codes = itertools.count(10000)


def level(code: str) -> UnitLevel:
    return UnitLevel.objects.get(code=code)


def make_unit(name: str | None = None, *, level_code: str = "xa", parent: Unit | None = None,
              code: str | None = None, **kwargs) -> Unit:
    code = code or f"T{next(_codes)}"
    return services.unit_create(code=code, name=name or f"Đơn vị {code}", level=level(level_code),
                                parent=parent, **kwargs)


def make_tree(*, districts: int = 1, communes: int = 2, villages: int = 2, province_code: str | None = None):
    """A province with districts → communes → villages; returns the province."""
    province = make_unit("Tỉnh Thử Nghiệm", level_code="tinh", code=province_code)
    for d in range(districts):
        district = make_unit(f"Huyện {d + 1}", level_code="huyen", parent=province)
        for c in range(communes):
            commune = make_unit(f"Xã {d + 1}.{c + 1}", level_code="xa", parent=district)
            for v in range(villages):
                make_unit(f"Thôn {d + 1}.{c + 1}.{v + 1}", level_code="thon", parent=commune)
    return province


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-thu")


def make_member(unit: Unit, role: str = Role.COMMUNE_OFFICIAL, **kwargs):
    user = UserFactory(**kwargs)
    user.save()
    Membership.objects.create(user=user, unit=unit, role=role)
    return user
