"""A synthetic province for benchmarks and load tests: every table has real figures.

Full size (the defaults): 1 province, 10 districts, 150 communes (15 per district), 1.500 villages
(10 per commune); for one year, 12 months × 8 stored indicators of monthly results entered by the
villages (144.000 rows; communes, districts and the province take their children's sum), the
denominators of every unit for the year and the year before, and the yearly assigned targets
(giao, as rates) of every unit. Each commune has a monthly report per month: approved up to the
month before the last, the last month a draft (so it can still be entered).

Built with bulk_create in a few dozen queries (no history rows: this is not data anyone entered),
under codes starting with SYN- that no real unit uses, and reproducible from a seed.
`synthetic_province_ensure` reuses a province already there when its shape and year match
(counted in two queries), else removes it and builds it again.

Used by `manage.py bench_reports` and `manage.py loadtest`; tests build it small
(districts=2, communes=2, villages=2). Each commune also has three schools (mầm non, tiểu học, THCS)
with their pupils' BHYT for the school years of that year (the students' table).
"""

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from targets.models import Demographics, EnteredAs, Indicator, School, SchoolFigures, SchoolLevel, Target, TargetKind
from results.models import RESULTS, MonthlyReport, MonthlyReportEvent, MonthlyResult, ReportState
from units.models import Membership, Role, Unit, UnitLevel
from bhxh_portal import memo
from bhxh_portal.search import fold_text
from units.periods import Period, PeriodType
from targets.rates import count_from_rate

CODE = "SYN"
NAME = "Tỉnh Mẫu Đo Tải"
# The stored indicators (bhxh_tn_moi and bhxh_tn_tai_tuc are the new/renewing fields of bhxh_tn).
INDICATORS = ["bhyt", "bhyt_hgd", "bhyt_can_ngheo", "bhyt_hoc_sinh", "bhxh", "bhxh_bb", "bhxh_tn", "bhtn"]
# Yearly assigned target rates (%) around which each unit's rate is drawn.
TARGET_RATES = {"bhyt": 92, "bhyt_hgd": 30, "bhyt_can_ngheo": 6, "bhyt_hoc_sinh": 95, "bhxh": 25,
                "bhxh_bb": 18, "bhxh_tn": 7, "bhtn": 16}
USER_PREFIX = "syn."
BATCH = 5000


@dataclass(frozen=True)
class Shape:
    districts: int = 10
    communes: int = 15  # per district
    villages: int = 10  # per commune
    months: int = 12

    @property
    def unit_counts(self) -> dict[int, int]:
        """Units per depth: province 1, districts 2, communes 3, villages 4."""
        communes = self.districts * self.communes
        return {1: 1, 2: self.districts, 3: communes, 4: communes * self.villages}

    @property
    def results(self) -> int:
        return self.unit_counts[4] * self.months * len(INDICATORS)


@dataclass
class SyntheticProvince:
    province: Unit
    year: int
    shape: Shape
    districts: list[Unit] = field(default_factory=list)
    reused: bool = False
    seconds: float = 0.0

    @property
    def last_month(self) -> Period:
        return Period.month(self.year, self.shape.months)

    def summary(self) -> str:
        counts = self.shape.unit_counts
        how = "dùng lại tỉnh mẫu đã có" if self.reused else f"đã tạo trong {self.seconds:.1f} s"
        return (f"Tỉnh mẫu {CODE} năm {self.year}: {counts[2]} huyện, {counts[3]} xã, {counts[4]} thôn, "
                f"{self.shape.results} kết quả tháng ({self.shape.months} tháng × {len(INDICATORS)} chỉ tiêu) — {how}.")


def default_year(today: datetime.date | None = None) -> int:
    """The last complete year: every month of it has begun, so each can be entered."""
    return (today or timezone.localdate()).year - 1


def _find(year: int, shape: Shape) -> Unit | None:
    """The province when it is there with this shape and year: two counting queries."""
    province = Unit.objects.filter(code=CODE, valid_to__isnull=True).first()
    if province is None:
        return None
    depths = dict(Unit.objects.filter(path__startswith=province.path).values_list("depth")
                  .annotate(n=Count("id")).values_list("depth", "n"))
    base = province.depth
    if {d - base + 1: n for d, n in depths.items()} != shape.unit_counts:
        return None
    stored = MonthlyResult.objects.filter(unit__path__startswith=province.path, year=year, agent__isnull=True).count()
    schools = SchoolFigures.objects.filter(school__commune__path__startswith=province.path, school_year=year).count()
    return province if stored == shape.results and schools == shape.unit_counts[3] * len(SCHOOLS) else None


def synthetic_province_ensure(*, year: int | None = None, shape: Shape = Shape(), seed: int = 1) -> SyntheticProvince:
    """The synthetic province of `shape` and `year`: the one already there, else built anew."""
    year = year or default_year()
    found = _find(year, shape)
    if found is not None:
        districts = list(Unit.objects.filter(parent=found).order_by("code"))
        return SyntheticProvince(province=found, year=year, shape=shape, districts=districts, reused=True)
    started = time.perf_counter()
    synthetic_province_remove()
    built = synthetic_province_build(year=year, shape=shape, seed=seed)
    built.seconds = time.perf_counter() - started
    return built


@transaction.atomic
def synthetic_province_remove() -> int:
    """Remove the synthetic province and everything under it (results, reports, targets, users)."""
    province = Unit.objects.filter(code=CODE).first()
    get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()
    if province is None:
        return 0
    ids = list(Unit.objects.filter(path__startswith=province.path).values_list("pk", flat=True))
    synthetic_units_remove(ids=ids)
    return len(ids)


def synthetic_units_remove(*, ids: list[int]) -> None:
    """Remove synthetic units and what synthetic_figures_add wrote for them (results and their history,
    reports, targets and their history, denominators, schools, memberships), without signals."""
    MonthlyResult.history.filter(unit_id__in=ids).delete()
    MonthlyResult.objects.filter(unit_id__in=ids)._raw_delete(MonthlyResult.objects.db)
    MonthlyReportEvent.objects.filter(report__unit_id__in=ids).delete()
    MonthlyReport.objects.filter(unit_id__in=ids)._raw_delete(MonthlyReport.objects.db)
    Target.history.filter(unit_id__in=ids).delete()
    Target.objects.filter(unit_id__in=ids)._raw_delete(Target.objects.db)
    Demographics.objects.filter(unit_id__in=ids)._raw_delete(Demographics.objects.db)
    SchoolFigures.objects.filter(school__commune_id__in=ids).delete()
    School.objects.filter(commune_id__in=ids)._raw_delete(School.objects.db)
    Membership.objects.filter(unit_id__in=ids).delete()
    depths = Unit.objects.filter(pk__in=ids).values_list("depth", flat=True).distinct()
    for depth in sorted(set(depths), reverse=True):  # children before parents
        Unit.objects.filter(pk__in=ids, depth=depth)._raw_delete(Unit.objects.db)


def _create_level(level: UnitLevel, specs: list[tuple[Unit | None, str, str]]) -> list[Unit]:
    """bulk_create one level of units, then give them their materialised path (which holds their id)."""
    units = [Unit(code=code, name=name, level=level, parent=parent, code_is_official=False,
                  search_name=fold_text(f"{name} {code}")[:200], path="", depth=1)
             for parent, code, name in specs]
    Unit.objects.bulk_create(units, batch_size=BATCH)
    if any(u.pk is None for u in units):  # a backend that does not return ids
        by_code = dict(Unit.objects.filter(code__in=[u.code for u in units], valid_to__isnull=True)
                       .values_list("code", "pk"))
        for u in units:
            u.pk = u.id = by_code[u.code]
    # One UPDATE per level: path = the parent's path + own id + "/".
    parent_path = Subquery(Unit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    depth = specs[0][0].depth + 1 if specs[0][0] else 1
    ids = [u.pk for u in units]
    for start in range(0, len(ids), BATCH):
        Unit.objects.filter(pk__in=ids[start:start + BATCH]).update(
            path=Concat(Coalesce(parent_path, Value("/")), Cast("id", CharField()), Value("/")), depth=depth)
    paths = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "path"))
    for u in units:
        u.path, u.depth = paths[u.pk], depth
    return units


def _denominators(rng: random.Random, villages: list[Unit]) -> dict[int, dict[str, int]]:
    figures = {}
    for v in villages:
        population = rng.randint(700, 1600)
        labour = population * rng.randint(52, 62) // 100
        figures[v.pk] = {"population": population, "labour_force": labour,
                         "pupils": population * rng.randint(16, 24) // 100,
                         "required_to_join": labour * rng.randint(12, 22) // 100,
                         "voluntary_eligible": labour * rng.randint(50, 65) // 100}
    return figures


def _add_up(children: dict[int, list[int]], figures: dict[int, dict[str, int]], order: list[int]) -> None:
    for pk in order:  # parents after their children
        kids = children[pk]
        figures[pk] = {k: sum(figures[c][k] for c in kids) for k in figures[kids[0]]}


def _village_results(rng: random.Random, denominators: dict[str, int], months: int) -> dict[str, list[tuple]]:
    """(participants, new, renewing) per month for each indicator, growing through the year."""
    population, labour, pupils = denominators["population"], denominators["labour_force"], denominators["pupils"]
    end = {
        "bhyt_hgd": population * rng.uniform(0.22, 0.36),
        "bhyt_can_ngheo": population * rng.uniform(0.03, 0.08),
        "bhyt_hoc_sinh": pupils * rng.uniform(0.85, 0.99),
        "bhxh_bb": labour * rng.uniform(0.10, 0.20),
        "bhxh_tn": labour * rng.uniform(0.03, 0.09),
        "bhtn": labour * rng.uniform(0.09, 0.18),
    }
    other_bhyt = population * rng.uniform(0.40, 0.50)  # groups paid by the state, employers...
    series: dict[str, list[tuple]] = {}
    for month in range(1, months + 1):
        growth = 0.92 + 0.08 * month / months
        values = {code: int(v * growth) for code, v in end.items()}
        values["bhyt"] = min(population, values["bhyt_hgd"] + values["bhyt_can_ngheo"] + values["bhyt_hoc_sinh"]
                             + int(other_bhyt * growth))
        values["bhxh"] = values["bhxh_bb"] + values["bhxh_tn"]
        for code in INDICATORS:
            if code == "bhxh_tn":
                new = values[code] * (month * 3) // 100
                series.setdefault(code, []).append((values[code], new, values[code] * 70 // 100))
            else:
                series.setdefault(code, []).append((values[code], None, None))
    return series


@transaction.atomic
def synthetic_province_build(*, year: int, shape: Shape = Shape(), seed: int = 1) -> SyntheticProvince:
    rng = random.Random(seed)
    levels = {lv.code: lv for lv in UnitLevel.objects.filter(code__in=["tinh", "huyen", "xa", "thon"])}
    (province,) = _create_level(levels["tinh"], [(None, CODE, NAME)])
    districts = _create_level(levels["huyen"], [
        (province, f"{CODE}-H{d:02d}", f"Huyện Mẫu {d:02d}") for d in range(1, shape.districts + 1)])
    communes = _create_level(levels["xa"], [
        (district, f"{district.code}-X{c:02d}", f"Xã Mẫu {d:02d}.{c:02d}")
        for d, district in enumerate(districts, start=1) for c in range(1, shape.communes + 1)])
    villages = _create_level(levels["thon"], [
        (commune, f"{commune.code}-T{v:02d}", f"Thôn {v:02d} {commune.name}")
        for commune in communes for v in range(1, shape.villages + 1)])

    synthetic_figures_add(rng=rng, year=year, months=shape.months, levels=[villages, communes, districts, [province]],
                          source="Số liệu mẫu (tỉnh mẫu đo tải)")
    _analyze([Unit, Demographics, Target, MonthlyReport, MonthlyResult, School, SchoolFigures])
    return SyntheticProvince(province=province, year=year, shape=shape, districts=districts)


def synthetic_figures_add(*, rng: random.Random, year: int, months: int, levels: list[list[Unit]],
                          source: str) -> None:
    """A year of figures for a synthetic tree, `levels` its units from the thôn up (the communes second):
    denominators (thôn drawn, every parent the sum of its children, the year before 1% fewer), the yearly
    assigned targets of every unit as rates of its own denominator, the communes' monthly reports
    (approved up to the month before the last, the last a draft), the thôn's monthly results growing
    through the year, and three schools per commune. The synthetic province and country both use it."""
    villages, communes = levels[0], levels[1]
    figures = _denominators(rng, villages)
    children: dict[int, list[int]] = {}
    for unit in (u for level in levels[:-1] for u in level):
        children.setdefault(unit.parent_id, []).append(unit.pk)
    _add_up(children, figures, [u.pk for level in levels[1:] for u in level])
    Demographics.objects.bulk_create([
        Demographics(unit_id=pk, year=y, source=source,
                     **({k: v * 99 // 100 for k, v in values.items()} if y < year else values))
        for pk, values in figures.items() for y in (year - 1, year)], batch_size=BATCH)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=INDICATORS)}
    _add_targets(rng, figures, indicators, year)
    report_of = _add_reports(communes, year, months)
    _insert_results(
        (report_of[(village.parent_id, month)], village.pk, indicators[code].pk, year, month, participants, new,
         renewing)
        for village in villages
        for code, series in _village_results(rng, figures[village.pk], months).items()
        for month, (participants, new, renewing) in enumerate(series, start=1))
    _add_schools(rng, communes, figures, year, source=source)


def _add_targets(rng: random.Random, figures: dict[int, dict[str, int]], indicators: dict, year: int) -> None:
    targets = []
    for pk, values in figures.items():
        for code in INDICATORS:
            indicator = indicators[code]
            denominator = values[indicator.denominator]
            rate = Decimal(TARGET_RATES[code]) + Decimal(rng.randint(-150, 150)) / 100
            targets.append(Target(unit_id=pk, indicator=indicator, period_type=PeriodType.YEAR, year=year,
                                  period_number=1, kind=TargetKind.ASSIGNED, entered_as=EnteredAs.RATE,
                                  rate_pct=rate, count=count_from_rate(rate, denominator), denominator=denominator,
                                  decision_number="01/QĐ-MẪU", note="Chỉ tiêu mẫu"))
    Target.objects.bulk_create(targets, batch_size=BATCH)


def _add_reports(communes: list[Unit], year: int, months: int) -> dict[tuple[int, int], int]:
    """The communes' monthly reports; {(commune id, month): report id}."""
    approved_at = timezone.make_aware(datetime.datetime(year, 1, 1, 9, 0))
    reports = [MonthlyReport(unit=commune, year=year, month=month,
                             state=ReportState.DRAFT if month == months else ReportState.APPROVED,
                             submitted_at=None if month == months else approved_at,
                             approved_at=None if month == months else approved_at)
               for commune in communes for month in range(1, months + 1)]
    MonthlyReport.objects.bulk_create(reports, batch_size=BATCH)
    if any(r.pk is None for r in reports):
        reports = list(MonthlyReport.objects.filter(unit__in=communes, year=year))
    return {(r.unit_id, r.month): r.pk for r in reports}


RESULT_COLUMNS = ["report_id", "unit_id", "indicator_id", "year", "month", "participants", "new_participants",
                  "renewing"]


SCHOOLS = [(SchoolLevel.PRESCHOOL, "Trường Mầm non", 0.25), (SchoolLevel.PRIMARY, "Trường Tiểu học", 0.45),
           (SchoolLevel.LOWER_SECONDARY, "Trường THCS", 0.30)]


def _add_schools(rng: random.Random, communes: list[Unit], figures: dict[int, dict[str, int]], year: int, *,
                 source: str) -> None:
    """Three schools per commune, sharing the commune's pupils, with their BHYT for the school years
    the months of `year` fall in (year-1 to year, and year to year+1)."""
    schools = [School(code=f"{commune.code}-S{n}", name=f"{label} {commune.name.removeprefix('Xã ')}", level=level,
                      commune=commune)
               for commune in communes for n, (level, label, _) in enumerate(SCHOOLS, start=1)]
    School.objects.bulk_create(schools, batch_size=BATCH)
    if any(school.pk is None for school in schools):
        schools = list(School.objects.filter(commune__in=communes).order_by("code"))
    shares = {level: share for level, _, share in SCHOOLS}
    rows = []
    for school in schools:
        pupils = max(1, int(figures[school.commune_id]["pupils"] * shares[school.level]))
        for school_year in (year - 1, year):
            insured = min(pupils, int(pupils * rng.uniform(0.86, 1.0)))
            other = insured * rng.randint(30, 50) // 100
            rows.append(SchoolFigures(school=school, school_year=school_year, pupils=pupils,
                                      insured_other_group=other, insured_at_school=insured - other,
                                      source=source))
    SchoolFigures.objects.bulk_create(rows, batch_size=BATCH)


def _analyze(models) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL). Without them the planner still
    believes the tables nearly empty and joins the subtree's units to its results in a nested loop:
    1,2 s instead of 0,05 s for one month of the province."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _insert_results(rows) -> None:
    """COPY on PostgreSQL (144.000 rows in about a second), bulk_create elsewhere."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        from agents.bulk import copy_into

        copy_into(MonthlyResult._meta.db_table, [*RESULT_COLUMNS, "version", "updated_at"],
                  ((*row, 1, now) for row in rows))
        memo.bump(RESULTS)  # COPY passes no queryset: the remembered figures are told here
        return
    batch = []
    for row in rows:
        batch.append(MonthlyResult(**dict(zip(RESULT_COLUMNS, row)), version=1))
        if len(batch) >= BATCH:
            MonthlyResult.objects.bulk_create(batch)
            batch = []
    MonthlyResult.objects.bulk_create(batch)


def synthetic_users_ensure(*, province: Unit) -> dict[str, list]:
    """One commune official per commune (`syn.<commune code>`) and one leader per district
    (`syn.<district code>`), without a usable password (the load test opens their sessions itself).
    Returns {"officials": [(user, commune)...], "leaders": [(user, district)...]} in code order."""
    User = get_user_model()
    units = list(Unit.objects.filter(path__startswith=province.path, depth__in=[province.depth + 1, province.depth + 2])
                 .order_by("code"))
    wanted = {f"{USER_PREFIX}{u.code.lower()}": u for u in units}
    existing = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    new = []
    for username in wanted:
        if username not in existing:
            user = User(username=username, first_name=f"Người dùng mẫu {wanted[username].code}")
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new, batch_size=BATCH)
    users = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    have = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", "unit_id"))
    memberships = []
    for username, unit in wanted.items():
        if (users[username].pk, unit.pk) not in have:
            role = Role.LEADER if unit.depth == province.depth + 1 else Role.COMMUNE_OFFICIAL
            memberships.append(Membership(user=users[username], unit=unit, role=role))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    officials = [(users[n], u) for n, u in wanted.items() if u.depth == province.depth + 2]
    leaders = [(users[n], u) for n, u in wanted.items() if u.depth == province.depth + 1]
    return {"officials": officials, "leaders": leaders}
