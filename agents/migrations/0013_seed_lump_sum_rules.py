"""The limits of paying BHXH tự nguyện several years ahead or for missing years, as dated rows.

No fund return rate is seeded: BHXH Việt Nam announces one each year and it must be entered from
that announcement (admin "Lãi suất đầu tư quỹ BHXH bình quân tháng"); until then the calculator
refuses the two modes with a message naming the missing year.
"""

import datetime

from django.db import migrations

D = datetime.date

RULES = [
    # from, to, ahead min, ahead max, missing max, months for a pension, legal basis
    (D(2016, 1, 1), D(2025, 6, 30), 24, 60, 120, 240,
     "Luật BHXH 58/2014/QH13 Điều 87; Nghị định 134/2015/NĐ-CP Điều 9–10; Thông tư 01/2016/TT-BLĐTBXH"),
    (D(2025, 7, 1), None, 24, 60, 60, 180,
     "Luật BHXH 41/2024/QH15; Nghị định 159/2025/NĐ-CP Điều 6–7"),
]


def seed(apps, schema_editor):
    Product = apps.get_model("agents", "Product")
    LumpSumRule = apps.get_model("agents", "LumpSumRule")
    product = Product.objects.filter(code="bhxh_tn").first()
    if product is None:
        return
    for start, end, ahead_min, ahead_max, missing_max, pension, basis in RULES:
        LumpSumRule.objects.update_or_create(product=product, valid_from=start, defaults={
            "valid_to": end, "ahead_min_months": ahead_min, "ahead_max_months": ahead_max,
            "missing_max_months": missing_max, "pension_months": pension, "missing_needs_pension_age": True,
            "legal_basis": basis})


class Migration(migrations.Migration):
    dependencies = [("agents", "0012_fund_return_rates_and_lump_sum_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
