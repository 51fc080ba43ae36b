"""The registry's count of a unit, read from the per-commune tally (agents.models.tally).

Warm, a read is two small queries: the subtree's communes with their versions, and their sheets for
the month (one row per commune); summing a few hundred small dicts in Python costs under a
millisecond. Cold (a commune written since its sheet was made, or a month never read), the missing
communes are counted in ONE grouped query, and stored for the next read: over their participants
only when they are few (the first read after a write to one commune counts that commune again, not
the province), over the whole subtree when they are most of it (at the direct count's cost).

A bulk writer that knows which communes it writes (the participant import) holds the triggers for its
transaction (`registry_tally_held`) and bumps those communes once at the end instead; it then counts
their sheets again in its own transaction (`registry_tally_refresh`), so that the first read after an
import of a whole province reads sheets, not the province's enrolments. The sheets of the months the
pages open on are built ahead by Celery beat (agents.tasks.registry_tally_prepare), so that no reader
is the first of a month. A reader that comes first anyway counts what is missing, as before.
"""

import contextlib
import datetime
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from bhxh_portal.months import add_months_to_first, month_end, month_start
from units.models import Unit

from .models import Enrolment, RegistrySheet

# A write counts again the sheets it drops of the months read since this many months before the
# current one (a year of reports); an older month read again is counted by its first read.
REFRESHED_MONTHS_BACK = 12


def _key(product_id: int, is_new: bool) -> str:
    return f"{product_id}:{int(is_new)}"


def _count(*, path: str, communes: list[int] | None,
           months: list[datetime.date]) -> list[tuple[int, datetime.date, str, int]]:
    """(commune, month, key, people) of the communes under `path`: all of them (None), or those listed.
    Several months in the same pass: the participants and their enrolments are read once (an import's
    recount of a province for 4 months: 1,1 s instead of 3,2 s at 10 million), each month its own count.

    All of them: the direct count's plan (units → participants → enrolments by index, each process
    of the parallel plan sorting its rows whole), at its cost (EXPLAIN ANALYZE on the national bench).
    The commune is grouped on LAST: first, PostgreSQL sees the rows come in commune order from the
    units' index, sorts them incrementally and merges the parallel processes' rows one by one, which
    made the count of a province twice the direct count's (0,83 s against 0,42 s at 10 million).
    The ids alone: PostgreSQL expects the whole province's participants and scans all the enrolments
    (6 s instead of 1,5 s); the ids with the path: the participants of the listed communes are walked
    by each process, dearer than the path alone for the whole province, as cheap as a few communes
    when they are few."""
    days = [month_end(month) for month in months]
    rows = (Enrolment.objects.filter(participant__commune__path__startswith=path, valid_from__lte=max(days))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=min(days))))
    if communes is not None:
        rows = rows.filter(participant__commune_id__in=communes)
    rows = rows.values_list("product_id", "is_new", "participant__commune_id")
    if len(days) == 1:
        rows = rows.annotate(people=Count("participant_id", distinct=True))
    else:
        rows = rows.annotate(**{f"m{i}": Count("participant_id", distinct=True, filter=Q(valid_from__lte=day) & (
            Q(valid_to__isnull=True) | Q(valid_to__gte=day))) for i, day in enumerate(days)})
    return [(commune, month, _key(product, is_new), people)
            for product, is_new, commune, *people_by_month in rows
            for month, people in zip(months, people_by_month) if people]


def registry_count_direct(*, unit: Unit, month: datetime.date) -> dict[tuple[int, bool], int]:
    """The same count without the tally: one grouped query over every enrolment of the subtree (the
    reference the tally is checked and timed against)."""
    day = month_end(month)
    rows = (Enrolment.objects.filter(participant__commune__path__startswith=unit.path, valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .values_list("product_id", "is_new").annotate(people=Count("participant_id", distinct=True)))
    return {(product, is_new): people for product, is_new, people in rows}


def _communes(units) -> dict[int, tuple[str, int]]:
    """The communes among `units` (every unit but a village can be a participant's commune: the import
    resolves a commune among the communes, the tests' and older registries among any unit above a
    village) with their path and current version (0: never written)."""
    return {pk: (path, version or 0) for pk, path, version in
            units.exclude(level__code="thon").values_list("pk", "path", "registry_version__version")}


def _current(*, communes: dict[int, tuple[str, int]], month: datetime.date) -> dict[int, dict[str, int]]:
    """The sheets of the month still current (made at the commune's version), by commune."""
    sheets: dict[int, dict[str, int]] = {}
    for commune, version, counts in (RegistrySheet.objects.filter(commune_id__in=communes, month=month)
                                     .values_list("commune_id", "version", "counts")):
        if version == communes[commune][1]:
            sheets[commune] = counts
    return sheets


def _fill(*, path: str, communes: dict[int, tuple[str, int]], missing: set[int],
          months: list[datetime.date]) -> dict[datetime.date, dict[int, dict[str, int]]]:
    """Counts the `missing` communes for the months and stores their sheets at the versions in
    `communes` (every commune under `path`), which the caller read BEFORE this count: a write committed
    after that read bumps the version, so the sheet stored here is never used; a write committed
    before it is in the count.

    When more than half the communes under `path` are missing, all of them are counted (one pass over
    the subtree, never dearer than the direct count), else only the missing ones (a pass over their
    participants alone). Only the missing ones are stored, in the order of their keys: the others have a
    current sheet, and rewriting it would wait on (or deadlock with) a writer holding its row, such as an
    import counting its own communes before it commits."""
    whole = 2 * len(missing) > len(communes)
    counted = set(communes) if whole else missing
    sheets = {month: {commune: {} for commune in counted} for month in months}
    for commune, month, key, people in _count(path=path, communes=None if whole else sorted(missing),
                                              months=months):
        if commune in counted:  # a participant's commune is never a village; were it, the count skips it
            sheets[month][commune][key] = people
    RegistrySheet.objects.bulk_create(
        [RegistrySheet(commune_id=commune, month=month, version=communes[commune][1],
                       counts=sheets[month][commune])
         for commune in sorted(missing) for month in sorted(months)], ignore_conflicts=True)
    return {month: {commune: sheets[month][commune] for commune in missing} for month in months}


def registry_tally_months(*, today: datetime.date | None = None) -> list[datetime.date]:
    """The months whose sheets are kept ready: the month a page opens on (the last one until its due
    day, then the current one), the current one, and the next, built before it starts."""
    current = month_start(today or timezone.localdate())
    return [add_months_to_first(current, -1), current, add_months_to_first(current, 1)]


def _top(path: str) -> str:
    return "/" + path.strip("/").split("/")[0] + "/"


def registry_tally_refresh(*, months: Iterable[datetime.date], commune_ids: Iterable[int] | None = None) -> int:
    """Counts and stores the sheets missing or stale of the communes (every commune when None) for the
    months, province by province (one grouped query each, for all the months); the number of sheets
    that were missing. Outside a transaction, or inside the one that bumped the communes (their
    versions are then its own, and its writes are in the count)."""
    if commune_ids is None:
        communes = _communes(Unit.objects.all())
        wanted = set(communes)
    else:
        wanted = set(commune_ids)
        tops = {_top(path) for path in Unit.objects.filter(pk__in=wanted).values_list("path", flat=True)}
        if not tops:
            return 0
        under = Q()
        for top in tops:
            under |= Q(path__startswith=top)
        communes = _communes(Unit.objects.filter(under))
    months = sorted({month_start(month) for month in months})
    current = {month: _current(communes=communes, month=month) for month in months}
    by_top: dict[str, dict[int, tuple[str, int]]] = {}
    for commune, value in communes.items():
        by_top.setdefault(_top(value[0]), {})[commune] = value
    counted = 0
    for top, under_top in sorted(by_top.items()):
        missing = {month: {commune for commune in under_top if commune in wanted and commune not in current[month]}
                   for month in months}
        lacking = [month for month in months if missing[month]]
        if lacking:
            # The months lacking a sheet counted in one pass, over every commune lacking one in any of them.
            _fill(path=top, communes=under_top, missing=set().union(*missing.values()), months=lacking)
            counted += sum(len(missing[month]) for month in lacking)
    return counted


@contextlib.contextmanager
def registry_tally_held() -> Iterator[set[int]]:
    """Inside a transaction: the tally's triggers stand aside (PostgreSQL; migration 0020) while the
    caller writes, and the communes the caller adds to the set it is given are bumped once, in the same
    transaction, when the block ends without an error, then their sheets of the months kept ready and
    of the months read lately are counted again, still in that transaction (the import pays for the
    count once, not its first reader; the sheets commit with the writes). The caller must add every
    commune a written enrolment's participant is in, and both communes of a participant it moves (more
    does no harm: a sheet counted again). On an error nothing is bumped: the caller's transaction is
    rolled back.

    A statement writing 20.000 enrolments otherwise makes the trigger look their participants' communes
    up again (a quarter of the statement's time), batch after batch, for communes the import knows. SQLite's
    row triggers (the tests' sizes) are not held, and drop the sheets as the rows are written."""
    if not connection.in_atomic_block:
        raise RuntimeError("registry_tally_held needs a transaction: the bump must commit with the writes.")
    # Read before the writes: SQLite's row triggers drop the sheets as they go.
    since = add_months_to_first(timezone.localdate(), -REFRESHED_MONTHS_BACK)
    months = {*registry_tally_months(), *RegistrySheet.objects.filter(month__gte=since)
              .values_list("month", flat=True).distinct()}
    held = connection.vendor == "postgresql"
    if held:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('agents.registry_tally', 'held', true)")
    communes: set[int] = set()
    yield communes
    communes.discard(None)
    if held:
        with connection.cursor() as cursor:
            # Let go first: a write the caller's transaction makes after this block is tallied as usual.
            cursor.execute("SELECT set_config('agents.registry_tally', '', true)")
            cursor.execute("SELECT agents_registry_bump(%s::bigint[])", [sorted(communes)])
    if communes:
        registry_tally_refresh(months=months, commune_ids=communes)


def registry_tally_drop(*, unit: Unit, month: datetime.date) -> int:
    """Drops the sheets of the unit's subtree for the month, so that the next read is cold (benchmarks)."""
    return RegistrySheet.objects.filter(commune__path__startswith=unit.path, month=month_start(month)).delete()[0]


def registry_tally(*, unit: Unit, month: datetime.date) -> dict[tuple[int, bool], int]:
    """People in force on the month's last day in the unit's subtree, by (product id, is new).

    The versions are read BEFORE counting what is missing (see `_fill`): cold, a province is counted
    in one pass, as the direct count does.
    """
    month = month_start(month)
    communes = _communes(Unit.objects.filter(path__startswith=unit.path))
    sheets = _current(communes=communes, month=month)
    missing = set(communes) - set(sheets)
    if missing:
        sheets.update(_fill(path=unit.path, communes=communes, missing=missing, months=[month])[month])
    totals: dict[tuple[int, bool], int] = {}
    for counts in sheets.values():
        for key, people in counts.items():
            product, is_new = key.split(":")
            totals[(int(product), is_new == "1")] = totals.get((int(product), is_new == "1"), 0) + people
    return totals
