"""Background jobs now live in the `jobs` app, on the same table: the model leaves reports' state
(state only, no table is dropped), after every reference was moved (the dependencies below)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0016_job_references_point_to_jobs"),
        ("jobs", "0001_initial"),
        ("reports", "0004_unit_references_point_to_units"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Job")]),
    ]
