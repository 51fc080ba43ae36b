"""The levels of both trees as data: tỉnh/huyện/xã/thôn before 1/7/2025, tỉnh/xã (thôn below) since."""

from django.db import migrations

LEVELS = [
    # code, name, rank, code digits, parent levels, accepted names in imports
    ("tinh", "Tỉnh", 1, 2, [], "Tỉnh, Thành phố trực thuộc trung ương, Thành phố"),
    ("huyen", "Huyện", 2, 3, ["tinh"], "Huyện, Quận, Thị xã, Thành phố thuộc tỉnh"),
    ("xa", "Xã", 3, 5, ["huyen", "tinh"], "Xã, Phường, Thị trấn, Đặc khu"),
    ("thon", "Thôn", 4, None, ["xa"], "Thôn, Ấp, Khóm, Bản, Buôn, Làng, Tổ dân phố, Khu phố, Khu vực"),
]


def create_levels(apps, schema_editor):
    UnitLevel = apps.get_model("targets", "UnitLevel")
    by_code = {}
    for code, name, rank, digits, _, aliases in LEVELS:
        by_code[code], _ = UnitLevel.objects.update_or_create(
            code=code, defaults={"name": name, "rank": rank, "code_digits": digits, "aliases": aliases}
        )
    for code, *_, parents, _aliases in LEVELS:
        by_code[code].parent_levels.set([by_code[p] for p in parents])


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]
    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
