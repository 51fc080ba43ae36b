"""Products and contribution rules from DOMAIN.md section 5, as dated rows (editable in the admin).

The Bắc Ninh 2021–2025 top-up (Nghị quyết 03/2021/NQ-HĐND) is seeded when the province unit
(code 27) exists; the demo loader adds it otherwise.
"""

import datetime
from decimal import Decimal

from django.db import migrations

D = datetime.date

PRODUCTS = [
    # code, name, short name, indicator code, aliases, order
    ("bhxh_tn", "Bảo hiểm xã hội tự nguyện", "BHXH tự nguyện", "bhxh_tn",
     "BHXH TN,BHXHTN,BHXH tu nguyen,Tự nguyện,TN", 10),
    ("bhyt_hgd", "Bảo hiểm y tế hộ gia đình", "BHYT hộ gia đình", "bhyt_hgd",
     "BHYT HGĐ,BHYT HGD,HGĐ,Hộ gia đình,BHYT hộ gia đình", 20),
    ("bhyt_can_ngheo", "Bảo hiểm y tế hộ cận nghèo", "BHYT cận nghèo", "bhyt_can_ngheo",
     "BHYT CN,Cận nghèo,BHYT hộ cận nghèo,Hộ cận nghèo", 30),
    ("bhyt_hoc_sinh", "Bảo hiểm y tế học sinh, sinh viên", "BHYT học sinh", "bhyt_hoc_sinh",
     "BHYT HSSV,HSSV,Học sinh,Học sinh sinh viên,BHYT học sinh sinh viên", 40),
]

REFERENCE_AMOUNTS = [
    # kind, amount, from, to, basis
    ("rural_poverty_line", 700_000, D(2016, 1, 1), D(2021, 12, 31), "Quyết định 59/2015/QĐ-TTg"),
    ("rural_poverty_line", 1_500_000, D(2022, 1, 1), None, "Nghị định 07/2021/NĐ-CP"),
    ("base_salary", 1_390_000, D(2018, 7, 1), D(2019, 6, 30), "Nghị định 72/2018/NĐ-CP"),
    ("base_salary", 1_490_000, D(2019, 7, 1), D(2023, 6, 30), "Nghị định 38/2019/NĐ-CP"),
    ("base_salary", 1_800_000, D(2023, 7, 1), D(2024, 6, 30), "Nghị định 24/2023/NĐ-CP"),
    ("base_salary", 2_340_000, D(2024, 7, 1), None, "Nghị định 73/2024/NĐ-CP"),
    ("reference_level", 2_340_000, D(2025, 7, 1), None,
     "Luật BHXH 41/2024/QH15: mức tham chiếu bằng lương cơ sở khi bắt đầu áp dụng"),
]

RATES = [
    # product, rate %, base, min kind, max multiple, max kind, from, to, basis
    ("bhxh_tn", "22", "chosen_income", "rural_poverty_line", 20, "base_salary", D(2016, 1, 1), D(2025, 6, 30),
     "Luật BHXH 58/2014/QH13; Nghị định 134/2015/NĐ-CP"),
    ("bhxh_tn", "22", "chosen_income", "rural_poverty_line", 20, "reference_level", D(2025, 7, 1), None,
     "Luật BHXH 41/2024/QH15; Nghị định 159/2025/NĐ-CP"),
    ("bhyt_hgd", "4.5", "base_salary", "", None, "", D(2015, 1, 1), None, "Nghị định 146/2018/NĐ-CP"),
    ("bhyt_can_ngheo", "4.5", "base_salary", "", None, "", D(2015, 1, 1), None, "Nghị định 146/2018/NĐ-CP"),
    ("bhyt_hoc_sinh", "4.5", "base_salary", "", None, "", D(2015, 1, 1), None, "Nghị định 146/2018/NĐ-CP"),
]

SUPPORT = [
    # product, group ("" = everyone), percent, basis, max years, from, to, legal basis
    ("bhxh_tn", "poor", "30", "poverty_line_contribution", None, D(2018, 1, 1), D(2025, 6, 30), "Nghị định 134/2015/NĐ-CP"),
    ("bhxh_tn", "near_poor", "25", "poverty_line_contribution", None, D(2018, 1, 1), D(2025, 6, 30), "Nghị định 134/2015/NĐ-CP"),
    ("bhxh_tn", "", "10", "poverty_line_contribution", None, D(2018, 1, 1), D(2025, 6, 30), "Nghị định 134/2015/NĐ-CP"),
    ("bhxh_tn", "poor", "50", "poverty_line_contribution", 10, D(2025, 7, 1), None, "Nghị định 159/2025/NĐ-CP"),
    ("bhxh_tn", "near_poor", "40", "poverty_line_contribution", 10, D(2025, 7, 1), None, "Nghị định 159/2025/NĐ-CP"),
    ("bhxh_tn", "ethnic_minority", "30", "poverty_line_contribution", 10, D(2025, 7, 1), None, "Nghị định 159/2025/NĐ-CP"),
    ("bhxh_tn", "", "20", "poverty_line_contribution", 10, D(2025, 7, 1), None, "Nghị định 159/2025/NĐ-CP"),
    ("bhyt_can_ngheo", "", "70", "contribution", None, D(2015, 1, 1), None, "Nghị định 146/2018/NĐ-CP"),
    ("bhyt_hoc_sinh", "", "30", "contribution", None, D(2015, 1, 1), D(2025, 8, 14), "Nghị định 146/2018/NĐ-CP"),
    ("bhyt_hoc_sinh", "", "50", "contribution", None, D(2025, 8, 15), None, "Luật BHYT sửa đổi 2024"),
]

HOUSEHOLD = [(1, "100"), (2, "70"), (3, "60"), (4, "50"), (5, "40")]

BAC_NINH = {
    "programme": "Nghị quyết 03/2021/NQ-HĐND tỉnh Bắc Ninh: hỗ trợ người tham gia BHXH tự nguyện",
    "percent": Decimal("30"), "basis": "poverty_line_contribution",
    "valid_from": D(2021, 8, 1), "valid_to": D(2025, 12, 31),
    "legal_basis": "Nghị quyết 03/2021/NQ-HĐND ngày 16/7/2021; Kế hoạch UBND tỉnh Bắc Ninh 23/9/2021",
}


def seed(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    Unit = apps.get_model("targets", "Unit")
    Product = apps.get_model("agents", "Product")
    ReferenceAmount = apps.get_model("agents", "ReferenceAmount")
    ContributionRate = apps.get_model("agents", "ContributionRate")
    StateSupportLevel = apps.get_model("agents", "StateSupportLevel")
    HouseholdDiscount = apps.get_model("agents", "HouseholdDiscount")
    LocalTopUp = apps.get_model("agents", "LocalTopUp")

    products = {}
    for code, name, short, indicator, aliases, order in PRODUCTS:
        products[code], _ = Product.objects.update_or_create(code=code, defaults={
            "name": name, "short_name": short, "aliases": aliases, "display_order": order,
            "indicator": Indicator.objects.filter(code=indicator).first(),
        })
    for kind, amount, start, end, basis in REFERENCE_AMOUNTS:
        ReferenceAmount.objects.update_or_create(kind=kind, valid_from=start, defaults={
            "amount": amount, "valid_to": end, "legal_basis": basis})
    for product, rate, base, min_kind, max_multiple, max_kind, start, end, basis in RATES:
        ContributionRate.objects.update_or_create(product=products[product], valid_from=start, defaults={
            "rate_pct": Decimal(rate), "base": base, "min_income_kind": min_kind,
            "max_income_multiple": max_multiple, "max_income_kind": max_kind, "valid_to": end, "legal_basis": basis})
    for product, group, percent, basis_kind, max_years, start, end, basis in SUPPORT:
        StateSupportLevel.objects.update_or_create(product=products[product], group=group, valid_from=start, defaults={
            "percent": Decimal(percent), "basis": basis_kind, "max_years": max_years, "valid_to": end,
            "legal_basis": basis})
    for order, ratio in HOUSEHOLD:
        HouseholdDiscount.objects.update_or_create(
            product=products["bhyt_hgd"], member_order=order, valid_from=D(2015, 1, 1),
            defaults={"ratio_pct": Decimal(ratio), "legal_basis": "Luật BHYT 46/2014/QH13, Nghị định 146/2018/NĐ-CP"})
    province = Unit.objects.filter(code="27", parent__isnull=True, valid_to__isnull=True).first()
    if province is not None:
        LocalTopUp.objects.update_or_create(
            province=province, product=products["bhxh_tn"], valid_from=BAC_NINH["valid_from"],
            programme=BAC_NINH["programme"],
            defaults={k: v for k, v in BAC_NINH.items() if k not in ("programme", "valid_from")})


class Migration(migrations.Migration):

    dependencies = [
        ("agents", "0002_participants_collections_contributions"),
        ("targets", "0003_indicators_demographics"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
