"""A district's half-year plan with its coverage tables (reference: Càng Long 2023)."""

from units.models import Unit
from units.periods import Period

from ...models import BlockKind, DocumentType
from ..selectors import level_word, short_name
from .common import BlockDraft, Draft, _issued_on, _leader, _the, _upper


def district_half_year(unit: Unit, year: int, month: int | None = None) -> Draft:
    month = month or 6
    as_of = Period.month(year, month)
    rest = "06 tháng cuối năm" if month == 6 else "những tháng còn lại của năm"
    the = _the(unit)
    children = "các xã, thị trấn"
    user, name, _ = _leader(unit)
    fields = {
        "doc_type": DocumentType.PLAN, "year": year, "period_key": as_of.key,
        "parent_body": f"UBND {_upper(unit.name)}",
        "issuing_body": "BAN CHỈ ĐẠO\nPHÁT TRIỂN NGƯỜI THAM GIA\nBHXH, BHYT, BHTN", "symbol": "BCĐ",
        "place": short_name(unit), "issued_on": _issued_on(year, month + 1 if month < 12 else None),
        "subject": f"Phát triển người tham gia BHXH, BHYT, BHTN\n{rest} {year}",
        "legal_bases": [],
        "recipients": ["Thường trực BCĐ tỉnh (b/c)", f"TT {level_word(unit).capitalize()} ủy (b/c)",
                       f"TT HĐND {level_word(unit)} (b/c)", f"Lãnh đạo UBND {level_word(unit)} (b/c)",
                       f"Các thành viên BCĐ {level_word(unit)}", f"BHXH {level_word(unit)}",
                       f"Đảng ủy, UBND {children}", "Lưu: VP"],
        "sign_on_behalf": "BAN CHỈ ĐẠO", "sign_authority": "", "sign_authority_title": "",
        "signer_title": "TRƯỞNG BAN", "signer_name": name, "signer": user,
    }
    blocks = [
        BlockDraft(BlockKind.TEXT, (
            f"Để phấn đấu hoàn thành các chỉ tiêu được giao năm {year}, Ban Chỉ đạo phát triển người tham gia bảo "
            f"hiểm xã hội (BHXH), bảo hiểm y tế (BHYT), bảo hiểm thất nghiệp (BHTN) {the} (Ban Chỉ đạo) xây dựng "
            f"kế hoạch triển khai công tác phát triển người tham gia BHXH, BHYT, BHTN {rest} {year} với những "
            "nội dung như sau:")),
        BlockDraft(BlockKind.TEXT, (
            "## I. MỤC ĐÍCH, YÊU CẦU\n\n### 1. Mục đích\n\n"
            "- Thực hiện đồng bộ các giải pháp để đẩy mạnh phát triển người tham gia BHXH, BHTN, BHYT;\n"
            "- Xác định rõ nội dung, nhiệm vụ, lộ trình cụ thể, trách nhiệm phối hợp của từng ngành, địa phương "
            f"trong quá trình triển khai, quyết tâm hoàn thành kế hoạch được giao năm {year}.\n\n"
            "### 2. Yêu cầu\n\n"
            f"- Việc phát triển người tham gia BHXH, BHYT, BHTN gắn với nhiệm vụ phát triển kinh tế - xã hội của "
            f"{level_word(unit)}; đưa chỉ tiêu vào kế hoạch phát triển kinh tế - xã hội của từng xã, thị trấn;\n"
            "- Phát huy sức mạnh tổng hợp của cả hệ thống chính trị và vai trò, trách nhiệm của người đứng đầu.")),
        BlockDraft(BlockKind.TARGETS, (
            "## II. MỤC TIÊU\n\n"
            f"Xây dựng các giải pháp phát triển người tham gia BHXH bắt buộc, BHXH tự nguyện, BHYT, BHTN {rest} "
            f"{year}, bảo đảm kết thúc năm {year} đạt chỉ tiêu giao cụ thể như sau:"),
            {"indicators": ["bhyt", "bhxh", "bhxh_tn", "bhtn"], "period": str(year)}),
        BlockDraft(BlockKind.COVERAGE, "## III. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU\n\n### 1. Số người tham gia BHYT",
                   {"table": "bhyt", "as_of": as_of.key, "target_period": str(year)}),
        BlockDraft(BlockKind.COVERAGE, "### 2. Số người tham gia BHXH",
                   {"table": "bhxh", "as_of": as_of.key, "target_period": str(year)}),
        BlockDraft(BlockKind.COVERAGE, "### 3. Số người tham gia BHTN",
                   {"table": "bhtn", "as_of": as_of.key, "target_period": str(year), "change": False}),
        BlockDraft(BlockKind.COVERAGE, "### 4. BHYT học sinh",
                   {"table": "students", "as_of": as_of.key, "target_period": str(year), "landscape": False}),
        BlockDraft(BlockKind.TEXT, (
            "## IV. NHIỆM VỤ VÀ GIẢI PHÁP\n\n"
            f"Để thực hiện đạt các chỉ tiêu duy trì và phát triển người tham gia BHXH, BHYT, BHTN {rest}, Ban Chỉ "
            "đạo yêu cầu từng thành viên Ban Chỉ đạo các cấp, các ngành thực hiện đồng bộ, quyết liệt, hiệu quả "
            "các nhiệm vụ, giải pháp sau:\n\n"
            "### 1. Tăng cường công tác phối hợp tham mưu cấp ủy, chính quyền\n\n"
            "Thường trực Ban Chỉ đạo phối hợp các thành viên tổng hợp, báo cáo, đề xuất cấp ủy tiếp tục chỉ đạo, "
            "giám sát việc thực hiện chính sách BHXH, BHYT, BHTN.\n\n"
            f"### 2. Các phòng, cơ quan, đơn vị, UBND {children}\n\n"
            "Tiếp tục quán triệt, tuyên truyền, chỉ đạo triển khai đầy đủ công tác duy trì và phát triển bền vững "
            "người tham gia BHXH, BHYT, BHTN; phân công rõ trách nhiệm của người đứng đầu.")),
        BlockDraft(BlockKind.REMAINING, (
            f"Giao chỉ tiêu duy trì và phát triển người tham gia BHXH, BHYT {rest} {year} cho UBND {children} tổ "
            "chức triển khai. Chi tiết của từng địa phương tại bảng dưới đây:"),
            {"as_of": as_of.key, "target_period": str(year)}),
        BlockDraft(BlockKind.TEXT, (
            "### 3. Đẩy mạnh công tác truyền thông chính sách BHXH, BHYT, BHTN\n\n"
            "- Đổi mới nội dung, hình thức, phương pháp truyền thông, phù hợp với từng địa bàn dân cư, từng nhóm "
            "đối tượng; chú trọng truyền thông trực tiếp: hội nghị khách hàng, tuyên truyền nhóm nhỏ, đến từng hộ "
            "gia đình;\n"
            "- Truyền thông sâu, rộng về lợi ích của BHXH tự nguyện, BHYT hộ gia đình; những thiệt thòi khi người "
            "lao động nhận BHXH một lần.\n\n"
            "### 4. Tăng cường kiểm tra tiến độ thực hiện chỉ tiêu tại các địa phương\n\n"
            "Hằng tuần, cơ quan thường trực Ban Chỉ đạo tổng hợp, thông báo tình hình thực hiện chỉ tiêu cho cấp "
            "ủy, chính quyền các địa phương để đôn đốc, chỉ đạo; tổ chức sơ kết, tổng kết, khen thưởng kịp thời.")),
        *_organisation(unit, children),
    ]
    return Draft(fields, blocks)


def _organisation(unit: Unit, children: str) -> list[BlockDraft]:
    """V. TỔ CHỨC THỰC HIỆN: who carries the plan out, and who reports on it."""
    return [
        BlockDraft(BlockKind.ASSIGNMENTS, "## V. TỔ CHỨC THỰC HIỆN", {"numbering": "1", "items": [
            {"body": f"Các phòng, cơ quan, đơn vị, UBND {children}", "duties": [
                "Căn cứ nhiệm vụ cụ thể của Kế hoạch này xây dựng kế hoạch chi tiết, phấn đấu cuối năm hoàn thành "
                "các chỉ tiêu được giao."]},
            {"body": f"Ban Chỉ đạo {children}", "duties": [
                "Phân công nhiệm vụ cho từng thành viên; lập tổ công tác tuyên truyền, vận động theo danh sách "
                "chưa tham gia do cơ quan BHXH cung cấp hằng tháng."]},
            {"body": "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội", "duties": [
                "Tuyên truyền, vận động đoàn viên, hội viên tham gia BHXH, BHYT; phát động phong trào tặng thẻ "
                "BHYT cho người có hoàn cảnh khó khăn."]},
            {"body": f"Bảo hiểm xã hội {level_word(unit)}", "duties": [
                "Chủ trì, phối hợp kiểm tra, giám sát; theo dõi, tổng hợp, đánh giá kết quả thực hiện Kế hoạch."]},
        ]}),
        BlockDraft(BlockKind.REPORTING, "", {"items": [
            {"what": f"Bảo hiểm xã hội {level_word(unit)} tổng hợp kết quả thực hiện Kế hoạch",
             "to": f"UBND {level_word(unit)} và Ban Chỉ đạo {level_word(unit)}",
             "by": "định kỳ hằng tháng và đột xuất khi có yêu cầu"},
        ]}),
    ]
