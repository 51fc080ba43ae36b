"""A hand-made registry for June 2024 in Xã 1 (two thôn) and a neighbouring commune."""

import datetime
import itertools

import pytest

from agents.models import Agent, AgentKind, Collector, Enrolment, Participant, Product
from drive import services
from drive.models import ListKind, Resident, WorkItem
from units.models import Role
from tests.factories import make_member, make_unit

D = datetime.date
MONTH = D(2024, 6, 1)
_ids = itertools.count(1)


@pytest.fixture
def tree(db):
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    xa1 = make_unit("Xã Một", level_code="xa", parent=district, code="00001")
    make_unit("Thôn Đông", level_code="thon", parent=xa1, code="X1-T1")
    make_unit("Thôn Tây", level_code="thon", parent=xa1, code="X1-T2")
    xa2 = make_unit("Xã Hai", level_code="xa", parent=district, code="00002")
    make_unit("Thôn Bắc", level_code="thon", parent=xa2, code="X2-T1")
    return {"province": province, "district": district, "xa1": xa1, "xa2": xa2,
            "dong": xa1.children.get(code="X1-T1"), "tay": xa1.children.get(code="X1-T2"),
            "bac": xa2.children.get(code="X2-T1")}


def person(name, village, *, personal_id=None):
    n = next(_ids)
    return Participant.objects.create(
        full_name=name, birth_date=D(1980, 1, 1), commune=village.parent, village=village,
        bhxh_code=f"{n:010d}", personal_id=personal_id or f"0010{n:08d}")


def enrol(participant, code, start, end):
    return Enrolment.objects.create(participant=participant, product=Product.objects.get(code=code),
                                    valid_from=start, valid_to=end)


@pytest.fixture
def registry(tree):
    dong, tay, bac = tree["dong"], tree["tay"], tree["bac"]
    people = {}
    p = people["renewed"] = person("Nguyễn Văn Tái Tục", dong)
    enrol(p, "bhyt_hgd", D(2023, 7, 1), D(2024, 6, 30))
    enrol(p, "bhyt_hgd", D(2024, 7, 1), D(2025, 6, 30))
    p = people["not_renewed"] = person("Trần Thị Đến Hạn", dong)
    enrol(p, "bhyt_hgd", D(2023, 6, 16), D(2024, 6, 15))
    p = people["voluntary_due"] = person("Lê Văn Tự Nguyện", tay)
    enrol(p, "bhxh_tn", D(2024, 1, 1), D(2024, 6, 30))
    p = people["student"] = person("Phạm Học Sinh", tay)
    enrol(p, "bhyt_hoc_sinh", D(2023, 7, 1), D(2024, 6, 30))
    p = people["old_lapse"] = person("Hoàng Dừng Lâu", dong)
    enrol(p, "bhyt_hgd", D(2022, 6, 1), D(2023, 5, 31))  # 13 months before June 2024
    p = people["lapsed"] = person("Vũ Thị Dừng Đóng", tay)
    enrol(p, "bhxh_tn", D(2023, 4, 1), D(2024, 3, 31))
    p = people["rejoined"] = person("Đỗ Quay Lại", tay)
    enrol(p, "bhxh_tn", D(2023, 1, 1), D(2023, 12, 31))
    enrol(p, "bhxh_tn", D(2024, 4, 1), D(2024, 12, 31))
    p = people["moved"] = person("Bùi Chuyển Đi", dong)
    enrol(p, "bhyt_hgd", D(2023, 7, 1), D(2024, 6, 20))
    p = people["deceased"] = person("Ngô Đã Mất", tay)
    enrol(p, "bhxh_tn", D(2023, 1, 1), D(2024, 2, 29))
    p = people["other_commune"] = person("Đinh Xã Khác", bac)
    enrol(p, "bhyt_hgd", D(2023, 7, 1), D(2024, 6, 30))
    people["insured_resident"] = person("Cao Có Thẻ", dong, personal_id="001099000001")
    enrol(people["insured_resident"], "bhyt_hgd", D(2024, 1, 1), D(2024, 12, 31))
    people["expired_resident"] = person("Mai Hết Thẻ", tay, personal_id="001099000002")
    enrol(people["expired_resident"], "bhyt_can_ngheo", D(2023, 1, 1), D(2024, 5, 31))
    xa1 = tree["xa1"]
    residents = {
        "bare": Resident.objects.create(commune=xa1, village=tree["dong"], full_name="Lý Chưa Tham Gia",
                                        personal_id="001099000003", household_code="H1"),
        "insured": Resident.objects.create(commune=xa1, village=tree["dong"], full_name="Cao Có Thẻ",
                                           personal_id="001099000001", household_code="H2"),
        "expired": Resident.objects.create(commune=xa1, village=tree["tay"], full_name="Mai Hết Thẻ",
                                           personal_id="001099000002", household_code="H3"),
    }
    return {"people": people, "residents": residents, **tree}


@pytest.fixture
def official(tree):
    return make_member(tree["xa1"], Role.COMMUNE_OFFICIAL)


@pytest.fixture
def agents(tree):
    """Two agents serving Xã 1, each with a collector who has an account (a collection agent)."""
    result = {}
    for key in ("a", "b"):
        agent = Agent.objects.create(name=f"Đại lý {key.upper()}", kind=AgentKind.POST_OFFICE, unit=tree["xa1"])
        user = make_member(tree["xa1"], Role.COLLECTION_AGENT)
        collector = Collector.objects.create(agent=agent, full_name=f"Nhân viên {key.upper()}", user=user)
        result[key] = {"agent": agent, "user": user, "collector": collector}
    return result


@pytest.fixture
def drawn(registry, official, agents):
    """The month's three lists drawn; Trần Thị Đến Hạn given to agent A's collector, Lê Văn Tự Nguyện
    to agent B."""
    for kind in ListKind.values:
        services.work_list_draw(unit=registry["xa1"], month=MONTH, kind=kind, by=official)
    item_a = WorkItem.objects.get(participant=registry["people"]["not_renewed"])
    services.work_item_assign(item=item_a, by=official, collector=agents["a"]["collector"])
    item_b = WorkItem.objects.get(participant=registry["people"]["voluntary_due"])
    services.work_item_assign(item=item_b, by=official, agent=agents["b"]["agent"])
    return {"a": item_a, "b": item_b}
