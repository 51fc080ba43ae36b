# Monthly results: results per unit/agent, month and indicator; the monthly report workflow.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0001_initial'),
        ('targets', '0004_targets_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MonthlyReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                ('month', models.PositiveSmallIntegerField(verbose_name='tháng')),
                ('state', models.CharField(choices=[('draft', 'Đang nhập'), ('submitted', 'Đã nộp, chờ duyệt'), ('approved', 'Đã duyệt (khóa)')], default='draft', max_length=12, verbose_name='trạng thái')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='lúc nộp')),
                ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='lúc duyệt')),
                ('returned_at', models.DateTimeField(blank=True, null=True, verbose_name='lúc trả lại')),
                ('return_reason', models.CharField(blank=True, max_length=500, verbose_name='lý do trả lại')),
                ('reopened_at', models.DateTimeField(blank=True, null=True, verbose_name='lúc mở lại')),
                ('reopen_reason', models.CharField(blank=True, max_length=500, verbose_name='lý do mở lại')),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người duyệt')),
                ('reopened_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người mở lại')),
                ('returned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người trả lại')),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người nộp')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='monthly_reports', to='targets.unit', verbose_name='đơn vị')),
            ],
            options={
                'verbose_name': 'báo cáo kết quả tháng',
                'verbose_name_plural': 'báo cáo kết quả tháng',
                'ordering': ['-year', '-month', 'unit__path'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalMonthlyResult',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                ('month', models.PositiveSmallIntegerField(verbose_name='tháng')),
                ('participants', models.PositiveIntegerField(verbose_name='số người tham gia cuối tháng')),
                ('new_participants', models.PositiveIntegerField(blank=True, help_text='Lũy kế từ đầu năm đến cuối tháng; trống nếu không rõ', null=True, verbose_name='vận động mới')),
                ('renewing', models.PositiveIntegerField(blank=True, help_text='Lũy kế từ đầu năm đến cuối tháng; trống nếu không rõ', null=True, verbose_name='tái tục')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='phiên bản')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('agent', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agents.agent', verbose_name='đại lý thu')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('indicator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.indicator', verbose_name='chỉ tiêu')),
                ('unit', models.ForeignKey(blank=True, db_constraint=False, help_text='Với kết quả của đại lý thu: đơn vị quản lý (phân bổ chỉ tiêu cho) đại lý', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.unit', verbose_name='đơn vị')),
                ('updated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người lưu')),
                ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.monthlyreport', verbose_name='báo cáo tháng')),
            ],
            options={
                'verbose_name': 'lịch sử kết quả tháng',
                'verbose_name_plural': 'historical kết quả tháng',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='MonthlyReportEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('submit', 'Nộp'), ('approve', 'Duyệt'), ('return', 'Trả lại'), ('reopen', 'Mở lại')], max_length=12, verbose_name='thao tác')),
                ('from_state', models.CharField(choices=[('draft', 'Đang nhập'), ('submitted', 'Đã nộp, chờ duyệt'), ('approved', 'Đã duyệt (khóa)')], max_length=12, verbose_name='từ trạng thái')),
                ('to_state', models.CharField(choices=[('draft', 'Đang nhập'), ('submitted', 'Đã nộp, chờ duyệt'), ('approved', 'Đã duyệt (khóa)')], max_length=12, verbose_name='sang trạng thái')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='lúc')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='lý do')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người thực hiện')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='targets.monthlyreport', verbose_name='báo cáo')),
            ],
            options={
                'verbose_name': 'thao tác trên báo cáo tháng',
                'verbose_name_plural': 'thao tác trên báo cáo tháng',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='MonthlyResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                ('month', models.PositiveSmallIntegerField(verbose_name='tháng')),
                ('participants', models.PositiveIntegerField(verbose_name='số người tham gia cuối tháng')),
                ('new_participants', models.PositiveIntegerField(blank=True, help_text='Lũy kế từ đầu năm đến cuối tháng; trống nếu không rõ', null=True, verbose_name='vận động mới')),
                ('renewing', models.PositiveIntegerField(blank=True, help_text='Lũy kế từ đầu năm đến cuối tháng; trống nếu không rõ', null=True, verbose_name='tái tục')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='phiên bản')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='lúc lưu')),
                ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='monthly_results', to='agents.agent', verbose_name='đại lý thu')),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='monthly_results', to='targets.indicator', verbose_name='chỉ tiêu')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='results', to='targets.monthlyreport', verbose_name='báo cáo tháng')),
                ('unit', models.ForeignKey(help_text='Với kết quả của đại lý thu: đơn vị quản lý (phân bổ chỉ tiêu cho) đại lý', on_delete=django.db.models.deletion.PROTECT, related_name='monthly_results', to='targets.unit', verbose_name='đơn vị')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người lưu')),
            ],
            options={
                'verbose_name': 'kết quả tháng',
                'verbose_name_plural': 'kết quả tháng',
                'ordering': ['year', 'month', 'unit__path', 'indicator__display_order'],
            },
        ),
        migrations.AddIndex(
            model_name='monthlyreport',
            index=models.Index(fields=['year', 'month', 'state'], name='targets_mon_year_fc4697_idx'),
        ),
        migrations.AddConstraint(
            model_name='monthlyreport',
            constraint=models.UniqueConstraint(fields=('unit', 'year', 'month'), name='monthly_report_unique'),
        ),
        migrations.AddConstraint(
            model_name='monthlyreport',
            constraint=models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='monthly_report_month_valid', violation_error_message='Tháng phải từ 1 đến 12.'),
        ),
        migrations.AddIndex(
            model_name='monthlyresult',
            index=models.Index(fields=['year', 'month', 'indicator'], name='targets_mon_year_846ab4_idx'),
        ),
        migrations.AddConstraint(
            model_name='monthlyresult',
            constraint=models.UniqueConstraint(condition=models.Q(('agent__isnull', True)), fields=('unit', 'indicator', 'year', 'month'), name='monthly_result_unique_per_unit', violation_error_message='Đơn vị đã có kết quả chỉ tiêu này trong tháng.'),
        ),
        migrations.AddConstraint(
            model_name='monthlyresult',
            constraint=models.UniqueConstraint(condition=models.Q(('agent__isnull', False)), fields=('unit', 'agent', 'indicator', 'year', 'month'), name='monthly_result_unique_per_agent', violation_error_message='Đại lý đã có kết quả chỉ tiêu này trong tháng.'),
        ),
        migrations.AddConstraint(
            model_name='monthlyresult',
            constraint=models.CheckConstraint(condition=models.Q(('month__gte', 1), ('month__lte', 12)), name='monthly_result_month_valid', violation_error_message='Tháng phải từ 1 đến 12.'),
        ),
    ]
