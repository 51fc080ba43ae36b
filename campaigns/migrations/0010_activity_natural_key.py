# The natural key of a plan line (campaigns.models.activities.NATURAL_KEY), once 0006 has separated
# the lines that already shared it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0009_activity_duplicates_separated'),
    ]

    operations = [        migrations.AddConstraint(
            model_name='driveactivity',
            constraint=models.UniqueConstraint(condition=models.Q(('employer__isnull', True)), fields=('kind', 'organiser', 'organiser_detail', 'planned_start', 'planned_end', 'title'), name='activity_once_per_plan_line', violation_error_message='Đã có hoạt động cùng loại, cùng đơn vị và bộ phận tổ chức, cùng ngày và cùng nội dung (và cùng đơn vị làm việc).'),
        ),
        migrations.AddConstraint(
            model_name='driveactivity',
            constraint=models.UniqueConstraint(condition=models.Q(('employer__isnull', False)), fields=('kind', 'organiser', 'organiser_detail', 'planned_start', 'planned_end', 'title', 'employer'), name='activity_once_per_employer_line', violation_error_message='Đã có hoạt động cùng loại, cùng đơn vị và bộ phận tổ chức, cùng ngày và cùng nội dung (và cùng đơn vị làm việc).'),
        ),
    ]
