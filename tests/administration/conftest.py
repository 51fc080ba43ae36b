"""Two provinces: the administrator's own (84, two districts) and another (52) they must never touch."""

from dataclasses import dataclass

import pytest

from units import services
from units.models import Role, Unit
from tests.factories import make_member, make_tree


@dataclass
class World:
    mine: Unit
    theirs: Unit
    my_district: Unit
    my_commune: Unit
    their_district: Unit
    their_commune: Unit
    admin: object


def first(province: Unit, level_code: str) -> Unit:
    return Unit.objects.filter(path__startswith=province.path, level__code=level_code).order_by("path").first()


@pytest.fixture
def world(db):
    mine = make_tree(province_code="84", districts=2, communes=2, villages=1)
    mine.name = "Tỉnh Của Tôi"
    mine.save()
    theirs = make_tree(province_code="52", districts=1, communes=2, villages=1)
    for unit in Unit.objects.filter(path__startswith=theirs.path):
        unit.name = "Tỉnh Bên Kia" if unit.pk == theirs.pk else f"{unit.name} Bên Kia"
        services.unit_save(unit=unit)
    theirs.refresh_from_db()
    admin = make_member(mine, Role.ADMINISTRATOR, username="quantri.tinh")
    return World(mine=mine, theirs=theirs, my_district=first(mine, "huyen"), my_commune=first(mine, "xa"),
                 their_district=first(theirs, "huyen"), their_commune=first(theirs, "xa"), admin=admin)


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client
