"""Demo data: the Bắc Ninh support programme of Nghị quyết 03/2021/NQ-HĐND, its beneficiary groups
and their support rules. Idempotent: a second run adds nothing."""

import datetime

from django.db import transaction

from agents.models import Product
from units.models import Unit

from ..models import BeneficiaryGroup, SupportProgramme, SupportRule

D = datetime.date

BAC_NINH_GROUPS = [
    # code, name, product, form, compiled by, issues cards, amount per month, description
    ("bhxh_tn", "Người tham gia BHXH tự nguyện", "bhxh_tn", "chung", "Cơ quan BHXH", False, 46_200,
     "30% mức đóng BHXH tự nguyện theo chuẩn nghèo nông thôn (22% × 700.000 đ × 30%)"),
    ("cuu_quan_nhan", "Cựu quân nhân nhập ngũ sau 30/4/1975 đến 31/8/1989", "bhyt_hgd", "01/NQ-03",
     "Ban Chỉ huy Quân sự huyện", True, 67_050, "100% mức đóng BHYT (4,5% × 1.490.000 đ) — mức giả định cho demo"),
    ("thu_gom_rac", "Người thu gom rác thải sinh hoạt tại thôn, khu phố", "bhyt_hgd", "02/NQ-03",
     "Phòng Tài nguyên và Môi trường huyện", True, 67_050, "100% mức đóng BHYT — mức giả định cho demo"),
    ("chuc_sac", "Chức sắc, chức việc, nhà tu hành Phật giáo và Công giáo", "bhyt_hgd", "03/NQ-03",
     "Phòng Nội vụ huyện", True, 67_050, "100% mức đóng BHYT — mức giả định cho demo"),
]


@transaction.atomic
def load_programmes_demo() -> str:
    province = Unit.objects.valid_on(datetime.date(2021, 7, 16)).filter(code="27").first()  # the resolution's Bắc Ninh
    if province is None:
        return "Chương trình hỗ trợ: chưa có tỉnh Bắc Ninh, bỏ qua."
    programme, created = SupportProgramme.objects.get_or_create(
        province=province, legal_basis="Nghị quyết số 03/2021/NQ-HĐND ngày 16/7/2021 của HĐND tỉnh Bắc Ninh",
        defaults={"name": "Hỗ trợ người tham gia BHXH tự nguyện, BHYT tỉnh Bắc Ninh giai đoạn 2021-2025",
                  "valid_from": D(2021, 8, 1), "valid_to": D(2025, 12, 31)},
    )
    products = {p.code: p for p in Product.objects.all()}
    for order, (code, name, product, form, compiled_by, cards, amount, description) in enumerate(BAC_NINH_GROUPS):
        group, _ = BeneficiaryGroup.objects.get_or_create(programme=programme, code=code, defaults={
            "name": name, "product": products[product], "form": form, "compiled_by": compiled_by,
            "issues_cards": cards, "display_order": order})
        SupportRule.objects.get_or_create(group=group, valid_from=D(2021, 8, 1), defaults={
            "valid_to": D(2025, 12, 31), "amount_per_month": amount, "description": description,
            "legal_basis": "Nghị quyết số 03/2021/NQ-HĐND, điểm b khoản 1 Điều 2"})
    return f"Chương trình hỗ trợ Bắc Ninh: {'đã thêm' if created else 'đã có'}."
