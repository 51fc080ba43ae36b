"""Builders for the monthly results tests."""

from dataclasses import dataclass, field

from targets.models import Indicator
from units.models import Role, Unit
from units.periods import Period
from results import services as services
from tests.factories import make_member, make_unit

JUNE = Period.month(2023, 6)
MAY = Period.month(2023, 5)


@dataclass
class District:
    province: Unit
    district: Unit
    communes: list[Unit]
    villages: dict[int, list[Unit]]  # commune pk -> its villages
    other_district: Unit
    other_commune: Unit
    users: dict[str, object] = field(default_factory=dict)


def build_district(*, communes: int = 3, villages: int = 2, with_users: bool = True) -> District:
    """A province → a district with `communes` communes of `villages` thôn each (two levels below
    the district), and a second district with one commune (another branch)."""
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="CL")
    made, below = [], {}
    for c in range(communes):
        commune = make_unit(f"Xã {c + 1}", level_code="xa", parent=district, code=f"CL{c + 1:02d}")
        made.append(commune)
        below[commune.pk] = [make_unit(f"Thôn {c + 1}.{v + 1}", level_code="thon", parent=commune,
                                       code=f"CL{c + 1:02d}-{v + 1}") for v in range(villages)]
    other_district = make_unit("Huyện Cầu Kè", level_code="huyen", parent=province, code="CK")
    other_commune = make_unit("Xã Hòa Ân", level_code="xa", parent=other_district, code="CK01")
    tree = District(province, district, made, below, other_district, other_commune)
    if with_users:
        tree.users = {
            "official": make_member(made[0], Role.COMMUNE_OFFICIAL, username="canbo.xa1", first_name="Lan"),
            "official2": make_member(made[0], Role.COMMUNE_OFFICIAL, username="canbo2.xa1", first_name="Minh"),
            "other_official": make_member(made[1], Role.COMMUNE_OFFICIAL, username="canbo.xa2"),
            "commune_leader": make_member(made[0], Role.LEADER, username="lanhdao.xa1"),
            "agent_user": make_member(made[0], Role.COLLECTION_AGENT, username="daily.xa1"),
            "district_staff": make_member(district, Role.BHXH_STAFF, username="bhxh.canglong", first_name="Hoa"),
            "district_staff2": make_member(district, Role.BHXH_STAFF, username="bhxh2.canglong", first_name="Tâm"),
            "district_leader": make_member(district, Role.LEADER, username="lanhdao.canglong"),
            "other_staff": make_member(other_district, Role.BHXH_STAFF, username="bhxh.cauke"),
        }
    return tree


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def enter(unit: Unit, value: int | None, *, code: str = "bhyt", month: Period = JUNE, agent=None, by=None,
          new: int | None = None, renewing: int | None = None):
    """A result written by the system (or `by`) through the service."""
    return services.result_save(unit=unit, indicator=indicator(code), month=month, participants=value,
                                new_participants=new, renewing=renewing, agent=agent, by=by).result
