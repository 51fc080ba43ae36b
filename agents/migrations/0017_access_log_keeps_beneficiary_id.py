"""The access log keeps the logged beneficiary's id as a plain column: a foreign key to
campaigns.Beneficiary (above agents) set it to NULL when the person was deleted, forgetting whose
data had been read. State only: the column `beneficiary_id` (bigint, indexed, no database constraint
since 0010) and its index are the same for both fields, so the rows keep their values."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0016_job_references_point_to_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="personaldataaccess", name="beneficiary"),
                migrations.AddField(
                    model_name="personaldataaccess",
                    name="beneficiary_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True,
                                                 verbose_name="mã người hưởng hỗ trợ"),
                ),
            ],
        ),
    ]
