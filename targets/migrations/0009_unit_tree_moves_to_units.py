"""The unit tree (UnitLevel, Unit, Membership) now lives in the `units` app, on the same tables:
targets' own references point there, then the models leave targets' state (state only, no table is
dropped). Runs after every other app's references were moved (the dependencies below)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0015_unit_references_point_to_units'),
        ('campaigns', '0012_unit_references_point_to_units'),
        ('drive', '0003_unit_references_point_to_units'),
        ('notices', '0002_unit_references_point_to_units'),
        ('reports', '0004_unit_references_point_to_units'),
        ('targets', '0008_schools_history'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='monthlyresult',
            name='unit',
            field=models.ForeignKey(help_text='Với kết quả của đại lý thu: đơn vị quản lý (phân bổ chỉ tiêu cho) đại lý', on_delete=django.db.models.deletion.PROTECT, related_name='monthly_results', to='units.unit', verbose_name='đơn vị'),
        ),
        migrations.AlterField(
            model_name='school',
            name='commune',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='schools', to='units.unit', verbose_name='xã, phường, thị trấn'),
        ),
        migrations.AlterField(
            model_name='historicaldemographics',
            name='unit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='đơn vị'),
        ),
        migrations.AlterField(
            model_name='historicalmonthlyresult',
            name='unit',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Với kết quả của đại lý thu: đơn vị quản lý (phân bổ chỉ tiêu cho) đại lý', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='đơn vị'),
        ),
        migrations.AlterField(
            model_name='demographics',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='demographics', to='units.unit', verbose_name='đơn vị'),
        ),
        migrations.AlterField(
            model_name='historicalschool',
            name='commune',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='xã, phường, thị trấn'),
        ),
        migrations.AlterField(
            model_name='target',
            name='unit',
            field=models.ForeignKey(help_text='Đơn vị của cuộc vận động; với chỉ tiêu của đại lý thu: đơn vị phân bổ cho đại lý', on_delete=django.db.models.deletion.PROTECT, related_name='targets', to='units.unit', verbose_name='đơn vị'),
        ),
        migrations.AlterField(
            model_name='historicaltarget',
            name='unit',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Đơn vị của cuộc vận động; với chỉ tiêu của đại lý thu: đơn vị phân bổ cho đại lý', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='đơn vị'),
        ),
        migrations.AlterField(
            model_name='monthlyreport',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='monthly_reports', to='units.unit', verbose_name='đơn vị'),
        ),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='unit',
                name='level',
            ),
            migrations.RemoveField(
                model_name='unit',
                name='parent',
            ),
            migrations.RemoveField(
                model_name='unit',
                name='predecessors',
            ),
            migrations.RemoveField(
                model_name='unitlevel',
                name='parent_levels',
            ),
            migrations.DeleteModel(
                name='Membership',
            ),
            migrations.DeleteModel(
                name='Unit',
            ),
            migrations.DeleteModel(
                name='UnitLevel',
            ),
        ]),
    ]
