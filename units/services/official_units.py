"""The official unit tree (Nghị quyết 202/2025/QH15, codes of Quyết định 19/2025/QĐ-TTg), loaded in bulk.

The data comes from the `vietnamadminunits` package (MIT): its sqlite file holds the 63-province
tree before 1/7/2025 (provinces, districts, communes) and the 34-province tree since, and its
converter file says which old communes each new one was formed from. Only the data files are read
(found through the installed distribution, without importing the package, whose modules pull in
shapely and geopy for address parsing we do not use).

Both trees are kept as distinct rows: the old units end on 30/6/2025, the new ones start on
1/7/2025 and point to the old ones through `Unit.predecessors`. A code may thus appear twice (old 46
Thừa Thiên Huế and new 46 Huế, or a commune whose code the new commune kept); the database only
requires a code to be unique among the units in force, which the two eras never break.
"""

import datetime
import functools
import importlib.metadata
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from units.models import Unit, UnitLevel
from bhxh_portal.search import fold_text

NEW_FROM = datetime.date(2025, 7, 1)
OLD_TO = datetime.date(2025, 6, 30)
SOURCE_PACKAGE = "vietnamadminunits"
LEVEL_NAMES = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã"}


@dataclass(frozen=True)
class OfficialRow:
    level: str
    code: str
    name: str
    parent_code: str | None


@dataclass
class OfficialDataset:
    version: str
    new_provinces: list[OfficialRow]
    new_communes: list[OfficialRow]
    old_provinces: list[OfficialRow]
    old_districts: list[OfficialRow]
    old_communes: list[OfficialRow]
    # new (level, code) -> old (level, code) it was formed from (whole or part)
    links: dict[tuple[str, str], set[tuple[str, str]]]
    # old province code -> new province code
    province_successor: dict[str, str]


def _data_dir() -> tuple[Path, str]:
    try:
        dist = importlib.metadata.distribution(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ValidationError(
            f"Chưa cài gói dữ liệu {SOURCE_PACKAGE} (xem pyproject.toml); không nạp được danh mục chính thức."
        ) from exc
    return Path(dist.locate_file(f"{SOURCE_PACKAGE}/data")), dist.version


@functools.cache
def official_dataset() -> OfficialDataset:
    """Both official trees and the old->new links, read once per process from the package's files."""
    data_dir, version = _data_dir()
    with sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True) as conn:
        new = conn.execute(
            "SELECT provinceCode, province, provinceKey, wardCode, ward, wardKey FROM admin_units ORDER BY wardCode"
        ).fetchall()
        old = conn.execute(
            "SELECT provinceCode, province, provinceKey, districtCode, district, districtKey, wardCode, ward, wardKey "
            "FROM admin_units_legacy ORDER BY districtCode, wardCode"
        ).fetchall()
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))

    new_provinces, new_communes, new_by_key, province_by_key = {}, [], {}, {}
    for p_code, p_name, p_key, w_code, w_name, w_key in new:
        new_provinces.setdefault(p_code, OfficialRow("tinh", p_code, p_name, None))
        province_by_key[p_key] = p_code
        new_communes.append(OfficialRow("xa", w_code, w_name, p_code))
        new_by_key[(p_key, w_key)] = w_code
    old_provinces, old_districts, old_communes, old_by_key, old_province_by_key = {}, {}, [], {}, {}
    for p_code, p_name, p_key, d_code, d_name, d_key, w_code, w_name, w_key in old:
        old_provinces.setdefault(p_code, OfficialRow("tinh", p_code, p_name, None))
        old_districts.setdefault(d_code, OfficialRow("huyen", d_code, d_name, p_code))
        old_province_by_key[p_key] = p_code
        if w_code:
            old_communes.append(OfficialRow("xa", w_code, w_name, d_code))
            old_by_key[f"{p_key}_{d_key}_{w_key}"] = ("xa", w_code)
        else:
            # an island district without communes became a special zone (đặc khu) on 1/7/2025
            old_by_key[f"{p_key}_{d_key}_"] = ("huyen", d_code)

    links: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    province_successor = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for old_key in old_keys:
            province_successor[old_province_by_key[old_key]] = province_by_key[new_key]
            links[("tinh", province_by_key[new_key])].add(("tinh", old_province_by_key[old_key]))
    for p_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for w_key, old_keys in wards.items():
            links[("xa", new_by_key[(p_key, w_key)])].update(old_by_key[k] for k in old_keys)
    for p_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            for part in parts:
                links[("xa", new_by_key[(p_key, part["newWardKey"])])].add(old_by_key[old_key])
    return OfficialDataset(
        version=version,
        new_provinces=sorted(new_provinces.values(), key=lambda r: r.code),
        new_communes=new_communes,
        old_provinces=sorted(old_provinces.values(), key=lambda r: r.code),
        old_districts=sorted(old_districts.values(), key=lambda r: r.code),
        old_communes=old_communes,
        links=dict(links),
        province_successor=province_successor,
    )


@dataclass
class OfficialLoadReport:
    version: str
    provinces: list[str]
    added: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    ended: Counter = field(default_factory=Counter)
    linked: int = 0

    @staticmethod
    def _counts(counter: Counter) -> str:
        parts = [f"{counter[lv]:,} {name}".replace(",", ".") for lv, name in LEVEL_NAMES.items() if counter[lv]]
        other = sum(n for lv, n in counter.items() if lv not in LEVEL_NAMES)
        if other:
            parts.append(f"{other:,} đơn vị khác".replace(",", "."))
        return ", ".join(parts) or "không có"

    def lines(self) -> list[str]:
        scope = "cả nước" if len(self.provinces) > 1 else f"tỉnh mã {self.provinces[0]}"
        return [
            f"Danh mục đơn vị hành chính chính thức ({SOURCE_PACKAGE} {self.version}), {scope}:",
            f"  Thêm mới: {self._counts(self.added)}.",
            f"  Cập nhật (tên, cấp trên): {self._counts(self.changed)}.",
            f"  Kết thúc hiệu lực ngày {OLD_TO:%d/%m/%Y}: {self._counts(self.ended)}.",
            f"  Liên kết mới với đơn vị trước sắp xếp: {self.linked:,}.".replace(",", "."),
        ]

    @property
    def unchanged(self) -> bool:
        return not (+self.added or +self.changed or +self.ended or self.linked)


def official_province_scope(*, province: str | None) -> list[str]:
    """The new province codes to load: all, the one given, or the one an old province code went into."""
    data = official_dataset()
    new_codes = [r.code for r in data.new_provinces]
    if not province:
        return new_codes
    code = province.strip().zfill(2)
    if code in new_codes:
        return [code]
    if code in data.province_successor:
        return [data.province_successor[code]]
    raise ValidationError(f"Không có tỉnh mã '{province}' trong danh mục (34 tỉnh hiện nay hoặc 63 tỉnh trước 1/7/2025).")


def _upsert(rows: list[OfficialRow], *, level: UnitLevel, era: Q, dates: dict, parents: dict[str, Unit],
            report: OfficialLoadReport) -> dict[str, Unit]:
    """Create or update one level of one era in bulk; returns the units by code."""
    existing = {u.code: u for u in Unit.objects.filter(era, level=level, code__in=[r.code for r in rows])}
    created, updated = [], []
    for row in rows:
        parent = parents.get(row.parent_code) if row.parent_code else None
        unit = existing.get(row.code)
        if unit is None:
            unit = Unit(code=row.code, name=row.name, level=level, parent=parent, code_is_official=True, **dates)
            created.append(unit)
        elif unit.name != row.name or unit.parent_id != (parent.pk if parent else None):
            unit.name, unit.parent = row.name, parent
            updated.append(unit)
        else:
            continue
        unit.search_name = fold_text(f"{unit.name} {unit.code}")[:200]
        existing[row.code] = unit
    Unit.objects.bulk_create(created, batch_size=500)
    for unit in (*created, *updated):
        unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        unit.depth = unit.path.count("/") - 1
    Unit.objects.bulk_update([*created, *updated], ["name", "search_name", "parent", "path", "depth"], batch_size=500)
    report.added.update({level.code: len(created)})
    report.changed.update({level.code: len(updated)})
    report.added, report.changed = +report.added, +report.changed  # no zero entries
    return existing


def _end_stale_units(old_rows: list[OfficialRow], *, levels: dict[str, UnitLevel], report: OfficialLoadReport) -> None:
    """Units still in force that carry an old official code (a tree typed before the reform) end on
    30/6/2025 with everything under them: the new tree takes over the territory the next day."""
    by_level = defaultdict(list)
    for row in old_rows:
        by_level[row.level].append(row.code)
    stale = Unit.objects.none()
    for level_code, codes in by_level.items():
        stale |= Unit.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lt=NEW_FROM), level=levels[level_code],
            code__in=codes, code_is_official=True, valid_to__isnull=True,
        )
    paths = sorted(stale.values_list("path", flat=True))
    tops = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
    for path in tops:
        subtree = Unit.objects.filter(path__startswith=path).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OLD_TO))
        for level_code, count in Counter(subtree.values_list("level__code", flat=True)).items():
            report.ended[level_code] += count
        subtree.update(valid_to=OLD_TO)


def _link(new_units: dict[tuple[str, str], Unit], old_units: dict[tuple[str, str], Unit],
          links: dict[tuple[str, str], set[tuple[str, str]]], report: OfficialLoadReport) -> None:
    through = Unit.predecessors.through
    wanted = {
        (new.pk, old_units[old_key].pk)
        for key, new in new_units.items() for old_key in links.get(key, ()) if old_key in old_units
    }
    have = set(through.objects.filter(from_unit_id__in=[u.pk for u in new_units.values()])
               .values_list("from_unit_id", "to_unit_id"))
    missing = wanted - have
    through.objects.bulk_create([through(from_unit_id=a, to_unit_id=b) for a, b in missing], batch_size=1000)
    report.linked += len(missing)


@transaction.atomic
def official_units_load(*, province: str | None = None, before_2025: bool = False) -> OfficialLoadReport:
    """Load today's official tree (all provinces or one), and with `before_2025` the tree before
    1/7/2025 of the old provinces that formed them; link each new unit to the old units it was formed
    from. Running it again changes nothing."""
    data = official_dataset()
    scope = official_province_scope(province=province)
    report = OfficialLoadReport(version=data.version, provinces=scope)
    levels = {lv.code: lv for lv in UnitLevel.objects.filter(code__in=LEVEL_NAMES)}
    if len(levels) != len(LEVEL_NAMES):
        raise ValidationError("Thiếu cấp hành chính tỉnh/huyện/xã trong hệ thống (chạy migrate).")
    old_scope = {old for old, new in data.province_successor.items() if new in scope}
    old_provinces = [r for r in data.old_provinces if r.code in old_scope]
    old_districts = [r for r in data.old_districts if r.parent_code in old_scope]
    district_codes = {r.code for r in old_districts}
    old_communes = [r for r in data.old_communes if r.parent_code in district_codes]

    _end_stale_units([*old_provinces, *old_districts, *old_communes], levels=levels, report=report)
    old_era = Q(valid_to=OLD_TO, code_is_official=True)
    new_era = Q(valid_from=NEW_FROM, code_is_official=True)
    old_dates, new_dates = {"valid_to": OLD_TO}, {"valid_from": NEW_FROM}
    if before_2025:
        provinces = _upsert(old_provinces, level=levels["tinh"], era=old_era, dates=old_dates, parents={},
                            report=report)
        districts = _upsert(old_districts, level=levels["huyen"], era=old_era, dates=old_dates, parents=provinces,
                            report=report)
        _upsert(old_communes, level=levels["xa"], era=old_era, dates=old_dates, parents=districts, report=report)
    new_provinces = _upsert([r for r in data.new_provinces if r.code in scope], level=levels["tinh"], era=new_era,
                            dates=new_dates, parents={}, report=report)
    new_communes = _upsert([r for r in data.new_communes if r.parent_code in scope], level=levels["xa"],
                           era=new_era, dates=new_dates, parents=new_provinces, report=report)

    # the old units in the database, whether loaded just now or ended above (a tree typed by hand)
    old_units = {}
    for rows, level_code in ((old_provinces, "tinh"), (old_districts, "huyen"), (old_communes, "xa")):
        for unit in Unit.objects.filter(old_era, level=levels[level_code], code__in=[r.code for r in rows]):
            old_units[(level_code, unit.code)] = unit
    new_units = {("tinh", c): u for c, u in new_provinces.items()} | {("xa", c): u for c, u in new_communes.items()}
    _link(new_units, old_units, data.links, report)
    return report
