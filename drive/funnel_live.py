"""The funnel's counters read from the contacts and the registry at read time: what the facts kept on
the work items (drive.tally) must always sum to. The funnel reads the kept facts; this is the
reference the tests compare them with, and the "before" of `manage.py bench_drive`."""

import datetime

from django.db import connection
from django.db.models import Case, Exists, F, Max, OuterRef, QuerySet, When

from agents.models import Enrolment, Participant, Product

from .models import PROMISED_OUTCOMES, Contact, ListKind
from .selectors import COUNTERS, drive_products, month_end, month_start


def funnel_rows_live(items: QuerySet, month: datetime.date, key_fields: tuple[str, ...]) -> list[dict]:
    """The funnel's counters of `items`, one row per value of `key_fields`, from one grouped query.

    Each part is read once for all the people, never once per person: the contacts summarised per
    item (contacted, promised, promised at an activity), the enrolled items (a later enrolment of
    the same product; for the population list, any drive product in force in the month), each
    LEFT JOINed to the items. The parts are ORM querysets where the planner reads them well; the
    joining, the sums and the population list's registry join are written out, in SQL that SQLite
    (3.35+) and PostgreSQL (12+) both read."""
    start = month_start(month)
    # Enrolled: the registry shows the person (re-)joined after the list was drawn: a later
    # enrolment of the same product, or, for the population list, any drive product in force.
    by_participant = Enrolment.objects.filter(
        participant=OuterRef("participant_id"), product=OuterRef("product_id"),
        valid_from__gt=OuterRef("last_valid_to"))
    ids = items.order_by().values("pk")
    parts = {
        "i": items.order_by().values(item=F("pk"), list_kind=F("kind"),
                                     **{f"k{n}": F(name) for n, name in enumerate(key_fields)}),
        "c": (Contact.objects.filter(item__in=ids).order_by().values(contacted_item=F("item_id"))
              .annotate(promised=Max(Case(When(outcome__in=PROMISED_OUTCOMES, then=1), default=0)),
                        from_activity=Max(Case(When(outcome__in=PROMISED_OUTCOMES, activity__isnull=False,
                                                    then=1), default=0)))),
        "ep": items.filter(participant__isnull=False).filter(Exists(by_participant)).order_by().values(
            enrolled_item=F("pk")),
        "er": items.filter(participant__isnull=True).order_by().values(
            enrolled_item=F("pk"), personal_id=F("resident__personal_id")),
    }
    sql, params = {}, {}
    for name, queryset in parts.items():
        sql[name], params[name] = queryset.query.sql_with_params()
    # The population list's people are found in the registry by their personal id: a join through
    # the unique index, not a search of every enrolment in force for each resident.
    products = drive_products()
    in_force = f"""
        SELECT DISTINCT r.enrolled_item FROM ({sql["er"]}) r
        JOIN {Participant._meta.db_table} p ON p.personal_id = r.personal_id
        JOIN {Enrolment._meta.db_table} e ON e.participant_id = p.id
        JOIN {Product._meta.db_table} pr ON pr.id = e.product_id
        WHERE pr.code IN ({", ".join(["%s"] * len(products))}) AND e.valid_from <= %s
          AND (e.valid_to IS NULL OR e.valid_to >= %s)"""
    keys = ", ".join(f"i.k{n}" for n in range(len(key_fields)))
    enrolled = "(CASE WHEN ep.enrolled_item IS NULL AND er.enrolled_item IS NULL THEN 0 ELSE 1 END)"
    # MATERIALIZED: each part is read once; PostgreSQL's parallel workers would otherwise each
    # rebuild the inner parts' hashes.
    query = f"""
        WITH c AS MATERIALIZED ({sql["c"]}),
             ep AS MATERIALIZED ({sql["ep"]}),
             er AS MATERIALIZED ({in_force})
        SELECT {keys}, COUNT(*), COUNT(c.contacted_item), SUM(COALESCE(c.promised, 0)),
               SUM(COALESCE(c.from_activity, 0)), SUM({enrolled}),
               SUM(CASE WHEN i.list_kind = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN i.list_kind = %s THEN {enrolled} ELSE 0 END)
        FROM ({sql["i"]}) i
        LEFT JOIN c ON c.contacted_item = i.item
        LEFT JOIN ep ON ep.enrolled_item = i.item
        LEFT JOIN er ON er.enrolled_item = i.item
        GROUP BY {keys}"""
    with connection.cursor() as cursor:
        cursor.execute(query, [*params["c"], *params["ep"], *params["er"], *products, month_end(start), start,
                               ListKind.DUE.value, ListKind.DUE.value, *params["i"]])
        found = cursor.fetchall()
    width = len(key_fields)
    return [dict(zip((*key_fields, *COUNTERS), (*row[:width], *(int(v or 0) for v in row[width:]))))
            for row in found]
