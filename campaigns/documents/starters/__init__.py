"""Starting points: a complete draft of each kind of the reference plans, prefilled from the unit.

Each starter takes a unit, a year and (for some) a month, reads what the database knows — the
unit and its parent, its leader, its targets and the decision that set them, its collection
agents, the dated contribution amounts, a province's own support programme — and returns a Draft:
the header fields and the ordered blocks. The live blocks keep reading the database until the
document is approved. `services.document_create_from_starter` saves a Draft; `make_plan` renders
one without saving it.

Kinds (shared/reference-plans/):
- commune-drive       xã, yearly voluntary-BHXH and BHYT drive (2021, Hải Dương)
- district-half-year  huyện, the half-year plan with coverage tables (2023, Càng Long)
- district-yearly     huyện, the yearly plan with last year's evaluation (2020, Hướng Hóa)
- province-monthly    tỉnh, BHXH's monthly activity plan (10/2024, Bình Định)
- programme           tỉnh, the implementation plan of a provincial support programme (2021, Bắc Ninh)
and two reports to the level above (báo cáo):
- monthly-report      the monthly progress report of a unit
- programme-report    the yearly report on a provincial support programme
"""

from units.models import Unit

from ...models import DocumentType
from .commune_drive import commune_drive
from .common import BlockDraft, Draft, Starter, StarterError
from .district_half_year import district_half_year
from .district_yearly import district_yearly
from .monthly_report import monthly_report
from .programme import programme
from .programme_report import programme_report
from .province_monthly import province_monthly

__all__ = ["PLAN_KINDS", "STARTERS", "BlockDraft", "Draft", "Starter", "StarterError", "build_draft"]

# The one list of starting points: each kind's module builds its draft, this list says who may use it.
STARTERS: dict[str, Starter] = {s.key: s for s in [
    Starter("commune-drive", "Kế hoạch vận động BHXH tự nguyện, BHYT năm của xã", DocumentType.PLAN, ("xa",),
            False, commune_drive),
    Starter("district-half-year", "Kế hoạch 6 tháng của huyện, kèm bảng tỷ lệ bao phủ", DocumentType.PLAN,
            ("huyen",), True, district_half_year),
    Starter("district-yearly", "Kế hoạch năm của huyện, kèm đánh giá năm trước", DocumentType.PLAN, ("huyen",),
            False, district_yearly),
    Starter("province-monthly", "Kế hoạch hoạt động tháng của BHXH tỉnh", DocumentType.PLAN, ("tinh",), True,
            province_monthly),
    Starter("programme", "Kế hoạch triển khai chương trình hỗ trợ của tỉnh", DocumentType.PLAN, ("tinh",), False,
            programme),
    Starter("monthly-report", "Báo cáo kết quả tháng gửi cấp trên", DocumentType.REPORT, ("xa", "huyen", "tinh"),
            True, monthly_report),
    Starter("programme-report", "Báo cáo năm về chương trình hỗ trợ của tỉnh", DocumentType.REPORT,
            ("tinh", "huyen"), False, programme_report),
]}

PLAN_KINDS = ("commune-drive", "district-half-year", "district-yearly", "province-monthly", "programme")


def build_draft(*, kind: str, unit: Unit, year: int, month: int | None = None) -> Draft:
    starter = STARTERS.get(kind)
    if starter is None:
        raise StarterError(f"Không có mẫu '{kind}'; các mẫu: {', '.join(STARTERS)}.")
    if not 1900 <= year <= 2200:
        raise StarterError(f"Năm {year} không hợp lệ.")
    if month is not None and not 1 <= month <= 12:
        raise StarterError(f"Tháng {month} không hợp lệ.")
    if unit.level.code not in starter.levels:
        levels = ", ".join(starter.levels)
        raise StarterError(f"Mẫu '{starter.label}' dành cho đơn vị cấp {levels}; {unit.name} là cấp "
                           f"{unit.level.name.lower()}.")
    draft = starter.build(unit, year, month)
    draft.fields["starter"] = kind
    return draft
