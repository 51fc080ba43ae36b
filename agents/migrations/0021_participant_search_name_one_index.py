"""The participant's folded name keeps one index, for the prefix search (LIKE 'x%'), instead of
db_index's two: the plain one served no query and cost every row the import writes.

On PostgreSQL the pattern index db_index made is kept and renamed (a registry of millions is not
indexed again); elsewhere the field's index is dropped and the new one made."""

from django.db import migrations, models

SEARCH_INDEX = models.Index(fields=["search_name"], name="participant_search_name_like",
                            opclasses=["varchar_pattern_ops"])


def _indexed_field(model):
    """The folded name as it was before: db_index, whose index the way back makes again."""
    field = models.CharField(max_length=200, editable=False, blank=True, db_index=True)
    field.set_attributes_from_name("search_name")
    field.model = model
    return field


def _indexes(schema_editor, table: str) -> list[tuple[str, str]]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename = %s AND indexdef LIKE %s", [table, "%(search_name%"])
        return cursor.fetchall()


def one_index(apps, schema_editor):
    model = apps.get_model("agents", "Participant")
    table = model._meta.db_table
    if schema_editor.connection.vendor != "postgresql":
        # By name, not alter_field: SQLite would rebuild the table, under the registry's triggers.
        for name in schema_editor._constraint_names(model, ["search_name"], index=True):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))
        schema_editor.add_index(model, SEARCH_INDEX)
        return
    quote = schema_editor.quote_name
    for name, definition in _indexes(schema_editor, table):
        if "varchar_pattern_ops" in definition:
            schema_editor.execute(f"ALTER INDEX {quote(name)} RENAME TO {quote(SEARCH_INDEX.name)}")
        else:
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def both_indexes(apps, schema_editor):
    model = apps.get_model("agents", "Participant")
    table = model._meta.db_table
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.remove_index(model, SEARCH_INDEX)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[_indexed_field(model)]))
        return
    quote = schema_editor.quote_name
    like = schema_editor._create_index_name(table, ["search_name"], suffix="_like")
    plain = schema_editor._create_index_name(table, ["search_name"])
    schema_editor.execute(f"ALTER INDEX {quote(SEARCH_INDEX.name)} RENAME TO {quote(like)}")
    schema_editor.execute(f"CREATE INDEX {quote(plain)} ON {quote(table)} ({quote('search_name')})")


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0020_registry_tally_held_by_bulk_writers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="participant",
                    name="search_name",
                    field=models.CharField(blank=True, editable=False, max_length=200),
                ),
                migrations.AddIndex(model_name="participant", index=SEARCH_INDEX),
            ],
            database_operations=[migrations.RunPython(one_index, both_indexes)],
        ),
    ]
