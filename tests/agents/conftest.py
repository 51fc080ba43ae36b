import pytest

from agents.models import Agent, AgentKind
from agents.samples import SampleArea
from units.models import Role
from tests.factories import make_member, make_unit


@pytest.fixture
def district(db):
    """Tỉnh 01 → huyện → two communes with two villages each, and a neighbouring district."""
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    for c in (1, 2):
        commune = make_unit(f"Xã {c}", level_code="xa", parent=district, code=f"0000{c}")
        for v in (1, 2):
            make_unit(f"Thôn {c}.{v}", level_code="thon", parent=commune, code=f"X{c}-T{v}")
    other = make_unit("Huyện Khác", level_code="huyen", parent=province, code="002")
    make_unit("Xã Ngoài", level_code="xa", parent=other, code="00009")
    return district


@pytest.fixture
def staff(district):
    return make_member(district, Role.BHXH_STAFF)


@pytest.fixture
def agent(district):
    return Agent.objects.create(name="Đại lý xã 1", kind=AgentKind.COMMUNE, unit=district.children.get(code="00001"))


@pytest.fixture
def areas(district):
    areas = []
    for commune in district.children.order_by("code"):
        areas.append(SampleArea(commune.code, list(commune.children.values_list("code", flat=True)), commune.path))
    return areas
