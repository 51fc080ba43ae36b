"""Builders for the targets tests: the two reference plans' trees (2021 Hải Dương, 2023 Càng Long)."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from units.models import Role, Unit
from tests.factories import make_collection_agent, make_demographics, make_member, make_unit

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "cang_long_2023-06_bhyt.csv"
GOLDEN_FALLBACK = Path(__file__).resolve().parent / "cang_long_2023-06_bhyt.csv"

HAI_DUONG_VILLAGES = [
    ("HD-VT", "Thôn Vĩnh Trị"),
    ("HD-TDTD", "Thôn TDT Đông"),
    ("HD-TDTT", "Thôn TDT Tây"),
    ("HD-TDHB", "Thôn TDH Bắc"),
    ("HD-TDHT", "Thôn TDH Trung"),
    ("HD-TDHN", "Thôn TDH Nam"),
]
AGENT_NAME = "Đại lý BHYT, BHXH xã Hải Dương"


@dataclass
class HaiDuong:
    province: Unit
    town: Unit  # Thị xã Hương Trà
    commune: Unit  # Xã Hải Dương
    villages: list[Unit]
    sibling: Unit  # another commune of the town
    sibling_village: Unit
    agent: object
    users: dict[str, object] = field(default_factory=dict)


def build_hai_duong() -> HaiDuong:
    province = make_unit("Tỉnh Thừa Thiên Huế", level_code="tinh", code="46")
    town = make_unit("Thị xã Hương Trà", level_code="huyen", parent=province, code="HTRA")
    commune = make_unit("Xã Hải Dương", level_code="xa", parent=town, code="HDUONG")
    villages = [make_unit(name, level_code="thon", parent=commune, code=code) for code, name in HAI_DUONG_VILLAGES]
    sibling = make_unit("Xã Hương Vinh", level_code="xa", parent=town, code="HVINH")
    sibling_village = make_unit("Thôn Bồn Phổ", level_code="thon", parent=sibling, code="HV-BP")
    agent = make_collection_agent(commune, AGENT_NAME)
    tree = HaiDuong(province, town, commune, villages, sibling, sibling_village, agent)
    tree.users = {
        "town_staff": make_member(town, Role.BHXH_STAFF, username="bhxh.huongtra"),
        "commune_official": make_member(commune, Role.COMMUNE_OFFICIAL, username="canbo.haiduong"),
        "commune_leader": make_member(commune, Role.LEADER, username="lanhdao.haiduong"),
        "sibling_official": make_member(sibling, Role.COMMUNE_OFFICIAL, username="canbo.huongvinh"),
        "agent_user": make_member(commune, Role.COLLECTION_AGENT, username="daily.haiduong"),
    }
    return tree


def golden_rows() -> list[dict]:
    path = GOLDEN if GOLDEN.exists() else GOLDEN_FALLBACK
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@dataclass
class CangLong:
    province: Unit
    district: Unit
    communes: dict[str, Unit]


def build_cang_long(*, year: int = 2023, with_population: bool = True) -> CangLong:
    province = make_unit("Tỉnh Trà Vinh", level_code="tinh", code="84")
    rows = golden_rows()
    district_row = next(r for r in rows if r["local_code"] == "CL")
    district = make_unit("Huyện Càng Long", level_code="huyen", parent=province, code="CL")
    communes = {}
    for row in rows:
        if row["local_code"] == "CL":
            continue
        communes[row["local_code"]] = make_unit(row["unit"], level_code="xa", parent=district, code=row["local_code"])
        if with_population:
            make_demographics(communes[row["local_code"]], year, population=int(row["population"]))
    if with_population:
        make_demographics(district, year, population=int(district_row["population"]), labour_force=75890)
    return CangLong(province, district, communes)
