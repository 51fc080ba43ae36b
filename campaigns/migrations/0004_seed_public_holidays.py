"""Public holidays 2024–2026 (editable in the admin) and the compulsory-insurance product that the
direct-work and inspection activities count their sign-ups in."""

import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from campaigns.holidays.workdays import HOLIDAYS_2024_2026

    PublicHoliday = apps.get_model("campaigns", "PublicHoliday")
    for day, name, working in HOLIDAYS_2024_2026:
        PublicHoliday.objects.update_or_create(day=datetime.date.fromisoformat(day),
                                               defaults={"name": name, "is_working_day": working})
    Product = apps.get_model("agents", "Product")
    Indicator = apps.get_model("targets", "Indicator")
    Product.objects.get_or_create(code="bhxh_bb", defaults={
        "name": "Bảo hiểm xã hội bắt buộc", "short_name": "BHXH bắt buộc", "display_order": 5,
        "aliases": "BHXH BB,BHXHBB,Bắt buộc,BB,BHXH bắt buộc",
        "indicator": Indicator.objects.filter(code="bhxh_bb").first(),
    })


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_activities_programmes"),
        ("agents", "0003_seed_products_and_contribution_rules"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
