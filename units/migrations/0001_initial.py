"""The unit tree moves from targets to an app of its own without moving data: its tables keep
their names (Meta.db_table), so this migration only records the models in the state of `units`;
targets' migration 0009 removes them from its own state once every reference points here."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("targets", "0008_schools_history"),
    ]

    state_operations = [
        migrations.CreateModel(
            name='UnitLevel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=20, unique=True, verbose_name='mã cấp')),
                ('name', models.CharField(max_length=50, verbose_name='tên cấp')),
                ('rank', models.PositiveSmallIntegerField(help_text='1 = tỉnh; số lớn hơn là cấp thấp hơn', verbose_name='thứ bậc')),
                ('code_digits', models.PositiveSmallIntegerField(blank=True, help_text='Mã chính thức có bao nhiêu chữ số (tỉnh 2, huyện 3, xã 5); trống nếu không có mã quốc gia', null=True, verbose_name='số chữ số của mã')),
                ('aliases', models.CharField(blank=True, help_text='Các tên được chấp nhận khi nhập tệp, cách nhau bởi dấu phẩy (vd: Huyện, Quận, Thị xã)', max_length=300, verbose_name='tên gọi khác')),
                ('parent_levels', models.ManyToManyField(blank=True, related_name='child_levels', to='units.unitlevel', verbose_name='cấp trên được phép')),
            ],
            options={
                'verbose_name': 'cấp hành chính',
                'verbose_name_plural': 'cấp hành chính',
                'db_table': 'targets_unitlevel',
                'ordering': ['rank'],
            },
        ),
        migrations.CreateModel(
            name='Unit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(db_index=True, max_length=20, verbose_name='mã đơn vị')),
                ('code_is_official', models.BooleanField(default=True, help_text='Bỏ chọn khi mã do hệ thống tự đặt (thôn, dữ liệu mẫu)', verbose_name='mã chính thức')),
                ('name', models.CharField(max_length=200, verbose_name='tên đơn vị')),
                ('search_name', models.CharField(blank=True, db_index=True, editable=False, max_length=200)),
                ('path', models.CharField(blank=True, db_index=True, editable=False, max_length=255)),
                ('depth', models.PositiveSmallIntegerField(default=1, editable=False)),
                ('valid_from', models.DateField(blank=True, null=True, verbose_name='hiệu lực từ')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='hiệu lực đến')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='units.unit', verbose_name='đơn vị cấp trên')),
                ('predecessors', models.ManyToManyField(blank=True, related_name='successors', to='units.unit', verbose_name='đơn vị trước sáp nhập')),
                ('level', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='units', to='units.unitlevel', verbose_name='cấp')),
            ],
            options={
                'verbose_name': 'đơn vị hành chính',
                'verbose_name_plural': 'đơn vị hành chính',
                'db_table': 'targets_unit',
                'ordering': ['path'],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('commune_official', 'Cán bộ xã'), ('bhxh_staff', 'Cán bộ BHXH'), ('collection_agent', 'Nhân viên đại lý thu'), ('leader', 'Lãnh đạo'), ('administrator', 'Quản trị viên')], max_length=30, verbose_name='vai trò')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='người dùng')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='units.unit', verbose_name='đơn vị')),
            ],
            options={
                'verbose_name': 'phân quyền đơn vị',
                'verbose_name_plural': 'phân quyền đơn vị',
                'db_table': 'targets_membership',
                'constraints': [models.UniqueConstraint(fields=('user', 'unit', 'role'), name='membership_unique')],
            },
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.UniqueConstraint(condition=models.Q(('valid_to__isnull', True)), fields=('code',), name='unit_code_unique_current', violation_error_message='Đã có đơn vị đang hiệu lực mang mã này.'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_from__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='unit_validity_ordered', violation_error_message='Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.'),
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
