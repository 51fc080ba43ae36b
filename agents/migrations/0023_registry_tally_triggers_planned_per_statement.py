import importlib

from django.db import migrations

# The tally's trigger functions ask their questions with EXECUTE, so that each statement is planned with
# its transition tables' real sizes. A static query in PL/pgSQL keeps the plan of its first run in the
# session: after a few one-row edits, that plan joins old_rows to new_rows by nested loop, and a later
# statement touching 20.000 rows (a job deleted, the communes of a merger moved) compared 400 million
# pairs (46 s; at 100.000 rows, 25 times as many pairs: some twenty minutes by that measure). Planning
# each statement costs a fraction of a millisecond; a bulk writer holding the tally (migration 0020, whose
# check is reused as it is) returns before it.
HELD_BY_BULK_WRITERS = importlib.import_module("agents.migrations.0020_registry_tally_held_by_bulk_writers")
HELD = HELD_BY_BULK_WRITERS.HELD

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION agents_registry_enrolment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {HELD}
    IF TG_OP = 'INSERT' THEN
        EXECUTE $q$SELECT agents_registry_bump(ARRAY(SELECT DISTINCT p.commune_id FROM agents_participant p
            WHERE p.id IN (SELECT participant_id FROM new_rows)))$q$;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE $q$SELECT agents_registry_bump(ARRAY(SELECT DISTINCT p.commune_id FROM agents_participant p
            WHERE p.id IN (SELECT participant_id FROM old_rows)))$q$;
    ELSE
        EXECUTE $q$SELECT agents_registry_bump(ARRAY(SELECT DISTINCT p.commune_id FROM agents_participant p
            WHERE p.id IN (SELECT unnest(ARRAY[o.participant_id, n.participant_id])
                           FROM old_rows o JOIN new_rows n ON n.id = o.id
                           WHERE (o.participant_id, o.product_id, o.valid_from, o.valid_to, o.is_new)
                                 IS DISTINCT FROM
                                 (n.participant_id, n.product_id, n.valid_from, n.valid_to, n.is_new))))$q$;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION agents_registry_participant_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {HELD}
    EXECUTE $q$SELECT agents_registry_bump(ARRAY(SELECT unnest(ARRAY[o.commune_id, n.commune_id])
        FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.commune_id IS DISTINCT FROM n.commune_id))$q$;
    RETURN NULL;
END $$;
"""


def planned_per_statement(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def planned_once_per_session(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(HELD_BY_BULK_WRITERS._functions(held=True))


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0022_enrolment_unique_start_covers_the_count"),
    ]

    operations = [
        migrations.RunPython(planned_per_statement, planned_once_per_session),
    ]
