import django.db.models.deletion
from django.db import migrations, models

CATALOGUE = [
    # code, name, short name, denominator, part of, order
    ("bhyt", "Người tham gia BHYT (tất cả các nhóm)", "BHYT", "population", None, 10),
    ("bhyt_hgd", "Người tham gia BHYT hộ gia đình", "BHYT hộ gia đình", "population", "bhyt", 11),
    ("bhyt_can_ngheo", "Người tham gia BHYT hộ cận nghèo", "BHYT cận nghèo", "population", "bhyt", 12),
    ("bhyt_hoc_sinh", "Học sinh, sinh viên tham gia BHYT", "BHYT học sinh", "pupils", "bhyt", 13),
    ("bhxh", "Người tham gia BHXH (bắt buộc và tự nguyện)", "BHXH", "labour_force", None, 20),
    ("bhxh_bb", "Người tham gia BHXH bắt buộc", "BHXH bắt buộc", "labour_force", "bhxh", 21),
    ("bhxh_tn", "Người tham gia BHXH tự nguyện", "BHXH tự nguyện", "labour_force", "bhxh", 22),
    ("bhxh_tn_moi", "Người tham gia BHXH tự nguyện vận động mới", "BHXH TN vận động mới", "labour_force", "bhxh_tn", 23),
    ("bhxh_tn_tai_tuc", "Người tham gia BHXH tự nguyện tái tục", "BHXH TN tái tục", "labour_force", "bhxh_tn", 24),
    ("bhtn", "Người tham gia bảo hiểm thất nghiệp", "BHTN", "labour_force", None, 30),
]


def load_catalogue(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    by_code = {}
    for code, name, short, denominator, part_of, order in CATALOGUE:
        by_code[code], _ = Indicator.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "denominator": denominator,
                      "part_of": by_code.get(part_of), "display_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("targets", "0002_levels")]

    operations = [
        migrations.CreateModel(
            name="Indicator",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=30, unique=True, verbose_name="mã chỉ tiêu")),
                ("name", models.CharField(max_length=200, verbose_name="tên chỉ tiêu")),
                ("short_name", models.CharField(max_length=60, verbose_name="tên ngắn")),
                ("denominator", models.CharField(choices=[("population", "Dân số"), ("labour_force", "Lực lượng lao động trong độ tuổi"), ("pupils", "Học sinh, sinh viên"), ("required_to_join", "Người thuộc diện tham gia BHXH bắt buộc"), ("voluntary_eligible", "Người thuộc diện tham gia BHXH tự nguyện")], max_length=30, verbose_name="mẫu số")),
                ("display_order", models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")),
                ("is_active", models.BooleanField(default=True, verbose_name="đang dùng")),
                ("part_of", models.ForeignKey(blank=True, help_text="bhxh_bb và bhxh_tn thuộc bhxh; vận động mới và tái tục thuộc bhxh_tn", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="parts", to="targets.indicator", verbose_name="thuộc chỉ tiêu")),
            ],
            options={"verbose_name": "chỉ tiêu", "verbose_name_plural": "danh mục chỉ tiêu", "ordering": ["display_order", "code"]},
        ),
        migrations.CreateModel(
            name="Demographics",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="năm")),
                ("population", models.PositiveIntegerField(blank=True, null=True, verbose_name="dân số")),
                ("labour_force", models.PositiveIntegerField(blank=True, null=True, verbose_name="lực lượng lao động")),
                ("pupils", models.PositiveIntegerField(blank=True, null=True, verbose_name="học sinh, sinh viên")),
                ("required_to_join", models.PositiveIntegerField(blank=True, null=True, verbose_name="thuộc diện BHXH bắt buộc")),
                ("voluntary_eligible", models.PositiveIntegerField(blank=True, null=True, verbose_name="thuộc diện BHXH tự nguyện")),
                ("source", models.CharField(blank=True, max_length=300, verbose_name="nguồn số liệu")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="demographics", to="targets.unit", verbose_name="đơn vị")),
            ],
            options={"verbose_name": "dân số, lao động", "verbose_name_plural": "dân số, lao động"},
        ),
        migrations.AddConstraint(
            model_name="demographics",
            constraint=models.UniqueConstraint(fields=("unit", "year"), name="demographics_unit_year_unique"),
        ),
        migrations.RunPython(load_catalogue, migrations.RunPython.noop),
    ]
