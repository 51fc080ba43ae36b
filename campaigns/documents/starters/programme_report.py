"""The yearly report on a province's own support programme to the level above."""

from units.models import Unit
from units.periods import Period

from ...models import BlockKind, DocumentType
from ..selectors import level_word, short_name
from .common import BlockDraft, Draft, _committee_signature, _issued_on, _money, _the, _ubnd
from .programme import provincial_programme


def programme_report(unit: Unit, year: int, month: int | None = None) -> Draft:
    province = unit
    while province.parent_id is not None:
        province = province.parent
    prog = provincial_programme(province, year)
    as_of = Period.month(year, month or 10)
    word = level_word(unit)
    fields = {
        "doc_type": DocumentType.REPORT, "year": year, "period_key": as_of.key, **_ubnd(unit),
        "place": short_name(unit), "issued_on": _issued_on(year),
        "subject": f"Kết quả thực hiện {prog.resolution} của Hội đồng nhân dân {_the(province)} năm {year}",
        "legal_bases": [f"Thực hiện {prog.resolution} của Hội đồng nhân dân {_the(province)}."],
        "recipients": ["Sở Lao động - Thương binh và Xã hội (b/c)", "Bảo hiểm xã hội tỉnh",
                       f"TT {word.capitalize()} ủy, HĐND {word}", "Lưu: VT"] if unit.parent_id else
                      ["Thường trực HĐND tỉnh (b/c)", "Sở Lao động - Thương binh và Xã hội", "Bảo hiểm xã hội tỉnh",
                       "Lưu: VT, KGVX"],
        **_committee_signature(unit),
    }
    support = f"{_money(prog.monthly_amount)}/người/tháng" if prog.monthly_amount else "theo Nghị quyết"
    blocks = [
        BlockDraft(BlockKind.TEXT, (
            f"UBND {_the(unit)} báo cáo kết quả thực hiện {prog.resolution} năm {year} như sau:\n\n"
            "## I. CÔNG TÁC TRIỂN KHAI\n\n"
            "Công tác ban hành văn bản, tuyên truyền, rà soát lập danh sách đối tượng được hỗ trợ: …")),
        BlockDraft(BlockKind.COVERAGE, (
            f"## II. KẾT QUẢ THỰC HIỆN\n\n### 1. Hỗ trợ người tham gia BHXH tự nguyện\n\n"
            f"Mức hỗ trợ của địa phương: {support}. Số người tham gia BHXH tự nguyện đến ngày "
            f"{as_of.end:%d/%m/%Y}:"),
            {"indicator": "bhxh_tn", "as_of": as_of.key, "target_period": str(year), "change": False}),
        BlockDraft(BlockKind.TEXT, (
            "### 2. Hỗ trợ tham gia BHYT\n\n"
            "- Cựu quân nhân nhập ngũ sau ngày 30/4/1975 đến 31/8/1989 (biểu 01/NQ-03): … người;\n"
            "- Người thu gom rác thải sinh hoạt tại thôn, khu phố (biểu 02/NQ-03): … người;\n"
            "- Chức sắc, chức việc, nhà tu hành (biểu 03/NQ-03): … người.\n\n"
            f"### 3. Kinh phí\n\nDự toán kinh phí năm {year + 1} (số người × mức hỗ trợ × số tháng): … đồng.\n\n"
            "## III. KHÓ KHĂN, VƯỚNG MẮC\n\n- …\n\n## IV. ĐỀ XUẤT, KIẾN NGHỊ\n\n- …")),
    ]
    return Draft(fields, blocks)
