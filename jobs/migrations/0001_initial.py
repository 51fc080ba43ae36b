"""Background jobs move from reports to an app of their own without moving data: the table keeps its
name (Meta.db_table), so this migration only records the model in the state of `jobs`; reports'
migration 0005 removes it from its own state once every reference points here."""

import django.db.models.deletion
import jobs.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reports', '0004_unit_references_point_to_units'),
        ('units', '0002_content_types_follow_the_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Job',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(db_index=True, max_length=60, verbose_name='loại công việc')),
                ('params', models.JSONField(blank=True, default=dict, verbose_name='tham số')),
                ('result', models.JSONField(blank=True, default=dict, verbose_name='kết quả')),
                ('state', models.CharField(choices=[('queued', 'Đang chờ'), ('running', 'Đang chạy'), ('succeeded', 'Hoàn thành'), ('failed', 'Thất bại')], db_index=True, default='queued', max_length=20, verbose_name='trạng thái')),
                ('progress_pct', models.PositiveSmallIntegerField(default=0, verbose_name='tiến độ (%)')),
                ('message', models.CharField(blank=True, max_length=500, verbose_name='thông báo')),
                ('error', models.TextField(blank=True, verbose_name='lỗi')),
                ('input_file', models.FileField(blank=True, max_length=300, upload_to=jobs.models._job_upload_path, verbose_name='tệp đầu vào')),
                ('output_file', models.FileField(blank=True, max_length=300, upload_to=jobs.models._job_output_path, verbose_name='tệp kết quả')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='tạo lúc')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='bắt đầu lúc')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='kết thúc lúc')),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True, verbose_name='tín hiệu gần nhất')),
                ('celery_task_id', models.CharField(blank=True, max_length=64, verbose_name='mã tác vụ Celery')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='số lần chạy')),
                ('unsent_since', models.DateTimeField(blank=True, null=True, verbose_name='chưa gửi được từ')),
                ('once_key', models.CharField(blank=True, max_length=100, null=True, unique=True, verbose_name='khóa một lần')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to=settings.AUTH_USER_MODEL, verbose_name='người yêu cầu')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='jobs', to='units.unit', verbose_name='đơn vị')),
            ],
            options={
                'verbose_name': 'công việc nền',
                'verbose_name_plural': 'công việc nền',
                'db_table': 'reports_job',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['requested_by', '-created_at'], name='job_user_recent')],
                'constraints': [models.CheckConstraint(condition=models.Q(('progress_pct__lte', 100)), name='job_progress_at_most_100')],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
