"""The monthly progress report of a unit to the level above."""

from units.models import Unit
from units.periods import Period

from ...models import BlockKind, DocumentType
from ..selectors import level_word, short_name
from .common import BlockDraft, Draft, StarterError, _committee_signature, _issued_on, _the, _ubnd


def monthly_report(unit: Unit, year: int, month: int | None = None) -> Draft:
    if month is None:
        raise StarterError("Báo cáo tháng cần --period YYYY-MM (tháng báo cáo).")
    period = Period.month(year, month)
    above = level_word(unit.parent) or "cấp trên"
    word = level_word(unit)
    fields = {
        "doc_type": DocumentType.REPORT, "year": year, "period_key": period.key, **_ubnd(unit),
        "place": short_name(unit), "issued_on": _issued_on(year),
        "subject": f"Kết quả phát triển người tham gia BHXH, BHYT tháng {month} năm {year}",
        "legal_bases": [],
        "recipients": [f"UBND {above} (b/c)", f"Bảo hiểm xã hội {above} (b/c)", f"TT Đảng ủy, HĐND {word}",
                       "Lưu: VT"],
        **_committee_signature(unit),
    }
    blocks = [
        BlockDraft(BlockKind.TEXT, f"UBND {_the(unit)} báo cáo kết quả phát triển người tham gia BHXH, BHYT tháng "
                                   f"{month} năm {year} như sau:"),
        BlockDraft(BlockKind.TARGETS, f"## I. CHỈ TIÊU NĂM {year}",
                   {"indicators": ["bhyt", "bhxh_tn", "bhtn"], "period": str(year)}),
        BlockDraft(BlockKind.COVERAGE, f"## II. KẾT QUẢ THỰC HIỆN ĐẾN NGÀY {period.end:%d/%m/%Y}\n\n"
                                       "### 1. Bảo hiểm y tế",
                   {"table": "bhyt", "as_of": period.key, "target_period": str(year)}),
        BlockDraft(BlockKind.COVERAGE, "### 2. Bảo hiểm xã hội tự nguyện",
                   {"indicator": "bhxh_tn", "as_of": period.key, "target_period": str(year), "change": False}),
        BlockDraft(BlockKind.REMAINING, "### 3. Số người còn phải vận động đến cuối năm",
                   {"indicators": ["bhxh_tn", "bhyt"], "as_of": period.key, "target_period": str(year)}),
        BlockDraft(BlockKind.TEXT, (
            "## III. ĐÁNH GIÁ\n\n### 1. Ưu điểm\n\n- …\n\n### 2. Tồn tại, hạn chế và nguyên nhân\n\n- …\n\n"
            f"## IV. NHIỆM VỤ THÁNG {month % 12 + 1}\n\n- …\n\n"
            "## V. ĐỀ XUẤT, KIẾN NGHỊ\n\n- …")),
    ]
    return Draft(fields, blocks)
