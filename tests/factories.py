"""Factories shared by all tests. Units are created through the service so paths are right."""

import itertools

import factory
from django.contrib.auth import get_user_model

from units import services
from units.models import Membership, Role, Unit, UnitLevel

_codes = itertools.count(10000)


def level(code: str) -> UnitLevel:
    return UnitLevel.objects.get(code=code)


def make_unit(name: str | None = None, *, level_code: str = "xa", parent: Unit | None = None,
              code: str | None = None, **kwargs) -> Unit:
    code = code or f"T{next(_codes)}"
    unit_level = level(level_code)
    # A made-up code is not an official one (official codes have the level's number of digits).
    kwargs.setdefault("code_is_official", bool(unit_level.code_digits) and code.isdigit()
                      and len(code) == unit_level.code_digits)
    return services.unit_create(code=code, name=name or f"Đơn vị {code}", level=unit_level,
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

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # Save the hashed password: without it force_login's session hash goes stale on the next request.
        if create and results:
            instance.save()


def make_member(unit: Unit, role: str = Role.COMMUNE_OFFICIAL, **kwargs):
    user = UserFactory(**kwargs)
    user.save()
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


# --- targets ------------------------------------------------------------------------------------


def make_demographics(unit: Unit, year: int, **values):
    """Denominators of a unit for a year, through the service (the unit's targets re-derive)."""
    from targets.services import demographics_save

    return demographics_save(unit=unit, year=year, values=values)


def make_target(unit: Unit, indicator_code: str, *, year: int, kind: str = "giao", rate_pct=None, count=None,
                period=None, agent=None, decision: str = "", by=None):
    """A target set by the system (or `by`), through the service: count or rate derived as on the page."""
    from decimal import Decimal

    from targets.decisions import parse_decision
    from targets.models import Indicator
    from units.periods import Period
    from targets.services import target_set

    return target_set(
        unit=unit, indicator=Indicator.objects.get(code=indicator_code), period=period or Period.of_year(year),
        kind=kind, rate_pct=Decimal(str(rate_pct)) if rate_pct is not None else None, count=count, agent=agent,
        decision=parse_decision(decision), by=by,
    )


def make_collection_agent(unit: Unit, name: str = "Đại lý BHYT, BHXH xã", **kwargs):
    """A collection agent (units.Agent) of a unit, by the ORM: targets may be allocated to it."""
    from units.models import Agent

    agent, _ = Agent.objects.get_or_create(unit=unit, name=name, defaults=kwargs)
    return agent
