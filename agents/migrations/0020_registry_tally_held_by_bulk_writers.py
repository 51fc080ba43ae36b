from django.db import migrations

# A bulk writer that knows the communes it touches (the participant import) may hold the tally's
# triggers for its transaction (agents.registry_tally.registry_tally_held): they then find nothing
# per statement (each COPY of 20.000 enrolments looked its participants' communes up again), and the
# writer bumps the communes it wrote once, in the same transaction, before it lets go. The setting is
# transaction-local (set_config(..., true)): it cannot outlive the transaction that set it.
HELD = "IF current_setting('agents.registry_tally', true) = 'held' THEN RETURN NULL; END IF;"

ENROLMENT_BODY = """
    IF TG_OP = 'INSERT' THEN
        PERFORM agents_registry_bump(ARRAY(SELECT DISTINCT p.commune_id FROM agents_participant p
            WHERE p.id IN (SELECT participant_id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM agents_registry_bump(ARRAY(SELECT DISTINCT p.commune_id FROM agents_participant p
            WHERE p.id IN (SELECT participant_id FROM old_rows)));
    ELSE
        PERFORM agents_registry_bump(ARRAY(SELECT DISTINCT p.commune_id FROM agents_participant p
            WHERE p.id IN (SELECT unnest(ARRAY[o.participant_id, n.participant_id])
                           FROM old_rows o JOIN new_rows n ON n.id = o.id
                           WHERE (o.participant_id, o.product_id, o.valid_from, o.valid_to, o.is_new)
                                 IS DISTINCT FROM (n.participant_id, n.product_id, n.valid_from, n.valid_to, n.is_new))));
    END IF;
    RETURN NULL;
"""
PARTICIPANT_BODY = """
    PERFORM agents_registry_bump(ARRAY(SELECT unnest(ARRAY[o.commune_id, n.commune_id])
        FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.commune_id IS DISTINCT FROM n.commune_id));
    RETURN NULL;
"""


def _functions(held: bool) -> str:
    check = HELD if held else ""
    return (f"CREATE OR REPLACE FUNCTION agents_registry_enrolment_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {check}{ENROLMENT_BODY}END $$;\n"
            f"CREATE OR REPLACE FUNCTION agents_registry_participant_moved() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {check}{PARTICIPANT_BODY}END $$;\n")


def hold_allowed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_functions(held=True))


def hold_refused(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_functions(held=False))


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0019_registry_tally"),
    ]

    operations = [
        migrations.RunPython(hold_allowed, hold_refused),
    ]
