"""The registry's count of a unit, read from the per-commune tally (agents.models.tally).

Warm, a read is two small queries: the subtree's communes with their versions, and their sheets for
the month (one row per commune); summing a few hundred small dicts in Python costs under a
millisecond. Cold (a commune written since its sheet was made, or a month never read), the missing
communes are counted in ONE grouped query over their participants only, and stored for the next
read: the first read after an import into one commune counts that commune again, not the province.

A bulk writer that knows which communes it writes (the participant import) holds the triggers for its
transaction (`registry_tally_held`) and bumps those communes once at the end instead.
"""

import contextlib
import datetime
from collections.abc import Iterator

from django.db import connection
from django.db.models import Count, Q

from bhxh_portal.months import month_end, month_start
from units.models import Unit

from .models import Enrolment, RegistrySheet


def _key(product_id: int, is_new: bool) -> str:
    return f"{product_id}:{int(is_new)}"


def _count(*, unit: Unit, communes: list[int], day: datetime.date) -> dict[int, dict[str, int]]:
    # The subtree's path with the ids: PostgreSQL, given the ids alone, expects the whole province's
    # participants and scans all the enrolments (6 s on the national bench instead of 1,5 s); the
    # path keeps the estimate small and the plan the direct count's (units → participants →
    # enrolments by index).
    rows = (Enrolment.objects.filter(participant__commune__path__startswith=unit.path,
                                     participant__commune_id__in=communes, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .values("participant__commune_id", "product_id", "is_new")
            .annotate(people=Count("participant_id", distinct=True)))
    sheets: dict[int, dict[str, int]] = {commune: {} for commune in communes}
    for row in rows:
        sheets[row["participant__commune_id"]][_key(row["product_id"], row["is_new"])] = row["people"]
    return sheets


def registry_count_direct(*, unit: Unit, month: datetime.date) -> dict[tuple[int, bool], int]:
    """The same count without the tally: one grouped query over every enrolment of the subtree (the
    reference the tally is checked and timed against)."""
    day = month_end(month)
    rows = (Enrolment.objects.filter(participant__commune__path__startswith=unit.path, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .values_list("product_id", "is_new").annotate(people=Count("participant_id", distinct=True)))
    return {(product, is_new): people for product, is_new, people in rows}


@contextlib.contextmanager
def registry_tally_held() -> Iterator[set[int]]:
    """Inside a transaction: the tally's triggers stand aside (PostgreSQL; migration 0020) while the
    caller writes, and the communes the caller adds to the set it is given are bumped once, in the same
    transaction, when the block ends without an error. The caller must add every commune a written
    enrolment's participant is in, and both communes of a participant it moves (more does no harm: a
    sheet counted again). On an error nothing is bumped: the caller's transaction is rolled back.

    A statement writing 20.000 enrolments otherwise makes the trigger look their participants' communes
    up again (a quarter of the statement's time), batch after batch, for communes the import knows. SQLite's
    row triggers (the tests' sizes) are not held."""
    if connection.vendor != "postgresql":
        yield set()
        return
    if not connection.in_atomic_block:
        raise RuntimeError("registry_tally_held needs a transaction: the bump must commit with the writes.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('agents.registry_tally', 'held', true)")
    communes: set[int] = set()
    yield communes
    with connection.cursor() as cursor:
        # Let go first: a write the caller's transaction makes after this block is tallied as usual.
        cursor.execute("SELECT set_config('agents.registry_tally', '', true)")
        cursor.execute("SELECT agents_registry_bump(%s::bigint[])", [sorted(c for c in communes if c is not None)])


def registry_tally_drop(*, unit: Unit, month: datetime.date) -> int:
    """Drops the sheets of the unit's subtree for the month, so that the next read is cold (benchmarks)."""
    return RegistrySheet.objects.filter(commune__path__startswith=unit.path, month=month_start(month)).delete()[0]


def registry_tally(*, unit: Unit, month: datetime.date) -> dict[tuple[int, bool], int]:
    """People in force on the month's last day in the unit's subtree, by (product id, is new).

    The versions are read BEFORE counting: a write committed after that read bumps the version, so
    the sheet stored here is never used; a write committed before it is in the count.
    """
    month = month_start(month)
    # Every unit but the villages can be a participant's commune (the import resolves a commune
    # among the communes, the tests' and older registries among any unit above a village).
    communes = dict(Unit.objects.filter(path__startswith=unit.path).exclude(level__code="thon")
                    .values_list("pk", "registry_version__version"))
    totals: dict[tuple[int, bool], int] = {}

    def add(counts: dict[str, int]) -> None:
        for key, people in counts.items():
            product, is_new = key.split(":")
            totals[(int(product), is_new == "1")] = totals.get((int(product), is_new == "1"), 0) + people

    missing = set(communes)
    for commune, version, counts in (RegistrySheet.objects.filter(commune_id__in=communes, month=month)
                                     .values_list("commune_id", "version", "counts")):
        if version == (communes[commune] or 0) and commune in missing:
            missing.discard(commune)
            add(counts)
    if missing:
        computed = _count(unit=unit, communes=sorted(missing), day=month_end(month))
        for counts in computed.values():
            add(counts)
        RegistrySheet.objects.bulk_create(
            [RegistrySheet(commune_id=commune, month=month, version=communes[commune] or 0, counts=counts)
             for commune, counts in computed.items()], ignore_conflicts=True)
    return totals
