"""A synthetic two-level country for `manage.py bench_national`: provinces → communes → thôn.

Full size (the defaults): 34 provinces, 3.321 communes (provinces of unequal size: the largest has
about twice the communes of the smallest), 10 thôn per commune; a year of monthly results entered by
the thôn (12 months × 8 indicators), denominators, yearly targets, the communes' monthly reports and
schools, built as targets.synthetic builds its province (same helpers, same figures); and N
participants with their enrolments written by COPY on PostgreSQL (bulk_create elsewhere), with the
door-to-door drive's work items of the last month for the people due then, a third of them contacted.

Units have codes starting with NAT- that no real unit uses; participants have mã số BHXH starting
with 98 and số định danh starting with 098. `synthetic_country_ensure` reuses a country already there
with the same sizes and year (a few counting queries), else removes it and builds it again.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from agents.models import Enrolment, Participant, Product
from drive import tally
from drive.models import Contact, ListKind, Outcome, WorkItem
from targets.models import Demographics, Indicator, School, SchoolFigures, Target
from results.models import MonthlyReport, MonthlyReportEvent, MonthlyResult
from units.models import Membership, Unit, UnitLevel
from units.periods import Period
from results.synthetic import (
    BATCH,
    INDICATORS,
    _add_schools,
    _add_up,
    _analyze,
    _create_level,
    _denominators,
    _insert_results,
    _village_results,
    default_year,
)

CODE = "NAT"
BHXH_PREFIX = "98"       # + 8 digits
PERSONAL_PREFIX = "098"  # + 9 digits
# Products of the registry, in the proportions drawn (BHYT hộ gia đình the most common).
PRODUCT_MIX = ["bhyt_hgd", "bhyt_hgd", "bhyt_hgd", "bhxh_tn", "bhyt_can_ngheo"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc"]
BENCH_USER = "nat.bench"


@dataclass(frozen=True)
class CountryShape:
    provinces: int = 34
    communes: int = 3321  # in the whole country
    villages: int = 10    # per commune
    participants: int = 10_000_000
    months: int = 12

    def communes_per_province(self) -> list[int]:
        """Unequal provinces, the first the largest: weights from 2 down to 1, every province at least one."""
        n = self.provinces
        weights = [2 - (i / (n - 1) if n > 1 else 0) for i in range(n)]
        counts = [max(1, int(self.communes * w / sum(weights))) for w in weights]
        for i in range(self.communes - sum(counts)):
            counts[i % n] += 1
        return counts

    @property
    def unit_counts(self) -> dict[int, int]:
        return {1: self.provinces, 2: self.communes, 3: self.communes * self.villages}

    @property
    def results(self) -> int:
        return self.unit_counts[3] * self.months * len(INDICATORS)


@dataclass
class SyntheticCountry:
    year: int
    shape: CountryShape
    provinces: list[Unit] = field(default_factory=list)
    reused: bool = False
    seconds: float = 0.0
    enrolments: int = 0
    work_items: int = 0

    @property
    def last_month(self) -> Period:
        return Period.month(self.year, self.shape.months)

    @property
    def largest(self) -> Unit:
        return self.provinces[0]

    def summary(self) -> str:
        s = self.shape
        how = "dùng lại nước mẫu đã có" if self.reused else f"đã tạo trong {self.seconds:.1f} s"
        return (f"Nước mẫu {CODE} năm {self.year}: {s.provinces} tỉnh, {s.communes} xã, {s.unit_counts[3]} thôn, "
                f"{s.results} kết quả tháng, {s.participants} người tham gia, {self.enrolments} quá trình tham gia, "
                f"{self.work_items} người trong danh sách vận động — {how}.")


def _country_units():
    return Unit.objects.filter(code__startswith=f"{CODE}-")


def _participants():
    return Participant.objects.filter(bhxh_code__startswith=BHXH_PREFIX, commune__code__startswith=f"{CODE}-")


def _find(year: int, shape: CountryShape) -> list[Unit] | None:
    provinces = list(_country_units().filter(depth=1).order_by("code"))
    if len(provinces) != shape.provinces:
        return None
    depths = dict(_country_units().values_list("depth").annotate(n=Count("id")).values_list("depth", "n"))
    if depths != shape.unit_counts:
        return None
    communes = dict(_country_units().filter(depth=2).values_list("parent__code").annotate(n=Count("id"))
                    .values_list("parent__code", "n"))
    if [communes.get(p.code) for p in provinces] != shape.communes_per_province():
        return None
    results = MonthlyResult.objects.filter(unit__code__startswith=f"{CODE}-", year=year, agent__isnull=True).count()
    if results != shape.results or _participants().count() != shape.participants:
        return None
    return provinces


def synthetic_country_ensure(*, year: int | None = None, shape: CountryShape = CountryShape(),
                             seed: int = 1) -> SyntheticCountry:
    year = year or default_year()
    found = _find(year, shape)
    if found is not None:
        return SyntheticCountry(year=year, shape=shape, provinces=found, reused=True,
                                enrolments=Enrolment.objects.filter(participant__in=_participants()).count(),
                                work_items=WorkItem.objects.filter(commune__code__startswith=f"{CODE}-").count())
    started = time.perf_counter()
    synthetic_country_remove()
    built = synthetic_country_build(year=year, shape=shape, seed=seed)
    built.seconds = time.perf_counter() - started
    return built


@transaction.atomic
def synthetic_country_remove() -> int:
    ids = list(_country_units().values_list("pk", flat=True))
    if not ids:
        return 0
    items = WorkItem.objects.filter(commune_id__in=ids)
    Contact.objects.filter(item__in=items)._raw_delete(Contact.objects.db)
    items._raw_delete(WorkItem.objects.db)
    people = Participant.objects.filter(commune_id__in=ids)
    Enrolment.objects.filter(participant__in=people)._raw_delete(Enrolment.objects.db)
    people._raw_delete(Participant.objects.db)
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
    for depth in (3, 2, 1):  # children before parents
        Unit.objects.filter(pk__in=ids, depth=depth)._raw_delete(Unit.objects.db)
    return len(ids)


@transaction.atomic
def synthetic_country_build(*, year: int, shape: CountryShape = CountryShape(), seed: int = 1) -> SyntheticCountry:
    from decimal import Decimal

    from targets.models import EnteredAs, TargetKind
    from results.models import ReportState
    from units.periods import PeriodType
    from targets.rates import count_from_rate
    from results.synthetic import TARGET_RATES

    rng = random.Random(seed)
    levels = {lv.code: lv for lv in UnitLevel.objects.filter(code__in=["tinh", "xa", "thon"])}
    provinces = _create_level(levels["tinh"], [
        (None, f"{CODE}-P{p:02d}", f"Tỉnh Mẫu {p:02d}") for p in range(1, shape.provinces + 1)])
    sizes = shape.communes_per_province()
    communes = _create_level(levels["xa"], [
        (province, f"{province.code}-X{c:03d}", f"Xã Mẫu {p:02d}.{c:03d}")
        for p, (province, size) in enumerate(zip(provinces, sizes), start=1) for c in range(1, size + 1)])
    villages = _create_level(levels["thon"], [
        (commune, f"{commune.code}-T{v:02d}", f"Thôn {v:02d} {commune.name}")
        for commune in communes for v in range(1, shape.villages + 1)])

    figures = _denominators(rng, villages)
    children: dict[int, list[int]] = {}
    for unit in [*villages, *communes]:
        children.setdefault(unit.parent_id, []).append(unit.pk)
    _add_up(children, figures, [u.pk for u in [*communes, *provinces]])
    Demographics.objects.bulk_create([
        Demographics(unit_id=pk, year=y, source="Số liệu mẫu (nước mẫu đo tải)",
                     **({k: v * 99 // 100 for k, v in values.items()} if y < year else values))
        for pk, values in figures.items() for y in (year - 1, year)], batch_size=BATCH)

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=INDICATORS)}
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
    del targets

    approved_at = timezone.make_aware(datetime.datetime(year, 1, 1, 9, 0))
    reports = [MonthlyReport(unit=commune, year=year, month=month,
                             state=ReportState.DRAFT if month == shape.months else ReportState.APPROVED,
                             submitted_at=None if month == shape.months else approved_at,
                             approved_at=None if month == shape.months else approved_at)
               for commune in communes for month in range(1, shape.months + 1)]
    MonthlyReport.objects.bulk_create(reports, batch_size=BATCH)
    if any(r.pk is None for r in reports):
        reports = list(MonthlyReport.objects.filter(unit__in=communes, year=year))
    report_of = {(r.unit_id, r.month): r.pk for r in reports}
    _insert_results(
        (report_of[(village.parent_id, month)], village.pk, indicators[code].pk, year, month, participants, new,
         renewing)
        for village in villages
        for code, months in _village_results(rng, figures[village.pk], shape.months).items()
        for month, (participants, new, renewing) in enumerate(months, start=1))
    _add_schools(rng, communes, figures, year)

    country = SyntheticCountry(year=year, shape=shape, provinces=provinces)
    country.enrolments, country.work_items = _add_registry(rng, villages, shape, year)
    _analyze([Unit, Demographics, Target, MonthlyReport, MonthlyResult, School, SchoolFigures, Participant,
              Enrolment, WorkItem, Contact])
    return country


def _month_index(year: int, index: int) -> datetime.date:
    """The first day of the month `index` months after January of `year`."""
    return datetime.date(year + index // 12, index % 12 + 1, 1)


def _add_registry(rng: random.Random, villages: list[Unit], shape: CountryShape, year: int) -> tuple[int, int]:
    """Participants spread evenly over the thôn, each with a year's enrolment starting in one of the 24
    months before the end of `year` (so 1 in 24 falls due in its last month); 7 in 10 of those whose
    year ended renewed it. The work list of the last month: everyone due then, given to their thôn."""
    products = dict(Product.objects.filter(code__in=set(PRODUCT_MIX)).values_list("code", "pk"))
    mix = [products[code] for code in PRODUCT_MIX]
    names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
    from bhxh_portal.search import fold_text

    folded = [fold_text(n) for n in names]
    start = _reserve_ids(Participant, shape.participants)
    now = timezone.now()
    first_month = year - 1  # January of the year before is index 0; the last month is index 11 + months
    due = _month_index(first_month, 11 + shape.months)

    def people():
        for i in range(shape.participants):
            village = villages[i % len(villages)]
            k = i % len(names)
            birth = datetime.date(1940 + i % 60, i % 12 + 1, i % 28 + 1)
            yield (start + i, f"{BHXH_PREFIX}{i:08d}", f"{PERSONAL_PREFIX}{i:09d}", names[k], folded[k], birth, False,
                   "MF"[i % 2], village.parent_id, village.pk, f"HGD{i // 4:09d}", now, now)

    _write(Participant, ["id", "bhxh_code", "personal_id", "full_name", "search_name", "birth_date",
                         "birth_year_only", "sex", "commune_id", "village_id", "household_code", "created_at",
                         "updated_at"], people())

    enrolments = 0
    items: list[tuple] = []

    def rows():
        nonlocal enrolments
        for i in range(shape.participants):
            product = mix[i % len(mix)]
            k = (i * 7) % 24
            valid_from = _month_index(first_month, k)
            valid_to = _month_index(first_month, k + 12) - datetime.timedelta(days=1)
            enrolments += 1
            yield (start + i, product, valid_from, valid_to, "yearly", 12, "other", True, now, now)
            renewed = k < 12 and i % 10 < 7
            if renewed:
                enrolments += 1
                yield (start + i, product, valid_to + datetime.timedelta(days=1),
                       _month_index(first_month, k + 24) - datetime.timedelta(days=1), "yearly", 12, "other", False,
                       now, now)
            elif _month_index(first_month, k + 11) == due:
                village = villages[i % len(villages)]
                items.append((due, ListKind.DUE, village.parent_id, start + i, product, valid_to, village.pk, now))

    _write(Enrolment, ["participant_id", "product_id", "valid_from", "valid_to", "payment_mode", "months",
                       "support_group", "is_new", "created_at", "updated_at"], rows())
    _add_work_items(rng, items)
    return enrolments, len(items)


def _add_work_items(rng: random.Random, items: list[tuple]) -> None:
    if not items:
        return
    start = _reserve_ids(WorkItem, len(items))
    _write(WorkItem, ["id", "month", "kind", "commune_id", "participant_id", "product_id", "last_valid_to",
                      "village_id", "created_at"], ((start + n, *item) for n, item in enumerate(items)))
    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"first_name": "Đo cả nước"})
    outcomes = [Outcome.MET, Outcome.PROMISED, Outcome.PAID, Outcome.REFUSED, Outcome.NOT_MET]
    now = timezone.now()
    contacts = []
    for n, item in enumerate(items):
        if n % 3:
            continue
        outcome = outcomes[n // 3 % len(outcomes)]
        contacts.append((start + n, item[0] + datetime.timedelta(days=n % 20), outcome,
                         "cannot_afford" if outcome == Outcome.REFUSED else "", "", None, user.pk, now))
    _write(Contact, ["item_id", "contacted_on", "outcome", "refusal_reason", "note", "next_date", "recorded_by_id",
                     "created_at"], contacts)
    # COPY sends no signal: the facts the funnel reads are set on the items here.
    tally.refresh(WorkItem.objects.filter(pk__gte=start, pk__lt=start + len(items)))


def _reserve_ids(model, count: int) -> int:
    """The first of `count` consecutive primary keys no one else will be given (PostgreSQL: the
    sequence is moved past them; elsewhere: after the largest)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s)", [sequence])
            (first,) = cursor.fetchone()
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def _write(model, columns: list[str], rows) -> None:
    """COPY on PostgreSQL; batched INSERTs elsewhere (the tiny sizes of the tests)."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        from agents.bulk import _not_null_text, copy_into

        copy_into(table, columns, rows, not_null_text=_not_null_text(model, columns))
        return
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)

