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
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from agents.models import Enrolment, Participant, Product
from agents.services import registry_tally_forget
from drive import tally
from bhxh_portal import memo
from drive.models import DRIVE, Contact, ListKind, Outcome, WorkItem
from targets.models import Demographics, School, SchoolFigures, Target
from results.models import MonthlyReport, MonthlyResult
from units.models import Unit, UnitLevel
from units.periods import Period
from results.synthetic import (BATCH, INDICATORS, _analyze, _create_level, default_year, synthetic_figures_add,
                               synthetic_units_remove)

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
    _vacuum([Participant, Enrolment, WorkItem, Contact])
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
    with _registry_triggers_off(Enrolment):
        Enrolment.objects.filter(participant__in=people)._raw_delete(Enrolment.objects.db)
    registry_tally_forget(commune_ids=ids)
    people._raw_delete(Participant.objects.db)
    synthetic_units_remove(ids=ids)
    return len(ids)


@transaction.atomic
def synthetic_country_build(*, year: int, shape: CountryShape = CountryShape(), seed: int = 1) -> SyntheticCountry:
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

    synthetic_figures_add(rng=rng, year=year, months=shape.months, levels=[villages, communes, provinces],
                          source="Số liệu mẫu (nước mẫu đo tải)")

    country = SyntheticCountry(year=year, shape=shape, provinces=provinces)
    country.enrolments, country.work_items = _add_registry(rng, villages, shape, year)
    _analyze([Unit, Demographics, Target, MonthlyReport, MonthlyResult, School, SchoolFigures, Participant,
              Enrolment, WorkItem, Contact])
    return country


def _vacuum(models) -> None:
    """VACUUM after the bulk load, as autovacuum does after a large import: it marks the pages all
    visible, so that the counts read the indexes alone (index-only scans). Not inside a transaction
    (PostgreSQL refuses it there, e.g. in the tests), nor on other databases."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def _month_index(year: int, index: int) -> datetime.date:
    """The first day of the month `index` months after January of `year`."""
    return datetime.date(year + index // 12, index % 12 + 1, 1)


def _add_registry(rng: random.Random, villages: list[Unit], shape: CountryShape, year: int) -> tuple[int, int]:
    """Participants spread evenly over the thôn, thôn by thôn in the order of the tree, as the registry
    fills up (each commune's list imported at once, so a commune's people have neighbouring rows, and
    so have their enrolments and work items); each with a year's enrolment starting in one of the 24
    months before the end of `year` (so 1 in 24 falls due in its last month); 7 in 10 of those whose
    year ended renewed it. The work list of the last month: everyone due then, given to their thôn."""
    products = dict(Product.objects.filter(code__in=set(PRODUCT_MIX)).values_list("code", "pk"))
    mix = [products[code] for code in PRODUCT_MIX]
    names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
    from bhxh_portal.search import fold_text

    folded = [fold_text(n) for n in names]
    start = _reserve_ids(Participant, shape.participants)
    now = timezone.now().isoformat()  # once, not str() of a datetime on every row
    first_month = year - 1  # January of the year before is index 0; the last month is index 11 + months
    due = _month_index(first_month, 11 + shape.months)

    places = [(village.parent_id, village.pk) for village in villages]

    def people():
        for i in range(shape.participants):
            commune_id, village_id = places[i * len(places) // shape.participants]
            k = i % len(names)
            birth = datetime.date(1940 + i % 60, i % 12 + 1, i % 28 + 1)
            yield (start + i, f"{BHXH_PREFIX}{i:08d}", f"{PERSONAL_PREFIX}{i:09d}", names[k], folded[k], birth, False,
                   "MF"[i % 2], commune_id, village_id, f"HGD{i // 4:09d}", now, now)

    with _bulk_load(Participant):
        _write(Participant, ["id", "bhxh_code", "personal_id", "full_name", "search_name", "birth_date",
                             "birth_year_only", "sex", "commune_id", "village_id", "household_code", "created_at",
                             "updated_at"], people())

    enrolments = 0
    items: list[tuple] = []
    # The dates of the 24 starting months, as text once (str() of a date on every row is the slow part).
    day = datetime.timedelta(days=1)
    spans = [(_month_index(first_month, k), _month_index(first_month, k + 12) - day, _month_index(first_month, k + 12),
              _month_index(first_month, k + 24) - day) for k in range(24)]
    texts = [tuple(d.isoformat() for d in span) for span in spans]
    due_in = [_month_index(first_month, k + 11) == due for k in range(24)]  # its year ends in the last month

    def rows():
        nonlocal enrolments
        for i in range(shape.participants):
            product = mix[i % len(mix)]
            k = (i * 7) % 24
            valid_from, valid_to, renewed_from, renewed_to = texts[k]
            enrolments += 1
            yield (start + i, product, valid_from, valid_to, "yearly", 12, "other", True, now, now)
            if k < 12 and i % 10 < 7:  # renewed for the year after
                enrolments += 1
                yield (start + i, product, renewed_from, renewed_to, "yearly", 12, "other", False, now, now)
            elif due_in[k]:
                commune_id, village_id = places[i * len(places) // shape.participants]
                items.append((due, ListKind.DUE, commune_id, start + i, product, spans[k][1], village_id, now))

    with _bulk_load(Enrolment), _registry_triggers_off(Enrolment):
        _write(Enrolment, ["participant_id", "product_id", "valid_from", "valid_to", "payment_mode", "months",
                           "support_group", "is_new", "created_at", "updated_at"], rows())
    _add_work_items(rng, items)
    return enrolments, len(items)


def _add_work_items(rng: random.Random, items: list[tuple]) -> None:
    if not items:
        return
    start = _reserve_ids(WorkItem, len(items))
    with _bulk_load(WorkItem):
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
    # COPY sends no signal: the facts the funnel reads are set on the items here, and the remembered
    # funnels told (the refresh's update tells them too, but only of the months it finds).
    tally.refresh(WorkItem.objects.filter(pk__gte=start, pk__lt=start + len(items)))
    memo.bump(DRIVE)


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


@contextmanager
def _registry_triggers_off(model):
    """PostgreSQL: the registry tally's triggers (agents migration 0017) off for a load or removal of
    a whole synthetic registry, in its transaction. On, the 50 million enrolments would be kept in
    the statement's transition table to find the communes touched, which are all the country's:
    new ones (no tally yet) for a load, removed ones (their tally dropped with them) for a removal."""
    if connection.vendor != "postgresql":
        yield
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in _bulk_load: no ALTER with checks pending
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _bulk_load(model):
    """PostgreSQL: the table's secondary indexes, unique and foreign-key constraints dropped for the
    COPY and made again after it, in the same transaction. Kept, the COPY of 10 million participants
    updates five B-trees row by row and queues one deferred foreign-key check per row to run at
    commit; made again, each index is one sort and each foreign key one join. Elsewhere: nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)", [table])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC", [table])
        constraints = cursor.fetchall()  # unique ones first: made again before the keys that may lean on them
        # Checks still pending in this transaction run now: PostgreSQL alters no table they are queued on.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _ in reversed(constraints):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


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

