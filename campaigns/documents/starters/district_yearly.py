"""A district's yearly plan with last year's evaluation (reference: Hướng Hóa 2020)."""

from units.models import Unit

from ...models import BlockKind, DocumentType
from ..selectors import level_word, short_name
from .common import (
    NQ28,
    BlockDraft,
    Draft,
    _committee_signature,
    _decision_bases,
    _finish_bases,
    _issued_on,
    _the,
    _ubnd,
)


def district_yearly(unit: Unit, year: int, month: int | None = None) -> Draft:
    the = _the(unit)
    word = level_word(unit)
    bases = _decision_bases(unit, year, f"giao chỉ tiêu phát triển đối tượng tham gia BHXH, BHTN năm {year}")
    bases.append(f"Thực hiện {NQ28};")
    fields = {
        "doc_type": DocumentType.PLAN, "year": year, "period_key": str(year), **_ubnd(unit),
        "place": short_name(unit), "issued_on": _issued_on(year),
        "subject": f"Phát triển đối tượng tham gia bảo hiểm xã hội, bảo hiểm thất nghiệp\ntrên địa bàn {the} năm {year}",
        "legal_bases": _finish_bases(bases),
        "recipients": ["BHXH tỉnh", f"Thường trực {word.capitalize()} ủy", f"Thường trực HĐND {word}",
                       f"CT, các PCT UBND {word}", "Các cơ quan, đơn vị, đoàn thể", "UBND các xã, thị trấn",
                       "Chánh, PCVP", "Lưu: VT"],
        **_committee_signature(unit),
    }
    agencies = [
        ("Phòng Lao động - Thương binh và Xã hội", "Chủ trì hướng dẫn các địa phương xây dựng kế hoạch; phối hợp "
         "kiểm tra việc thực hiện chính sách BHXH, BHYT, BHTN, nhất là các đơn vị trốn đóng, đóng không đủ."),
        (f"Bảo hiểm xã hội {word}", "Phối hợp khảo sát, xác định số lao động thuộc diện tham gia tại các doanh "
         "nghiệp; đẩy mạnh tuyên truyền; cải cách thủ tục hành chính, giao dịch điện tử."),
        (f"Chi cục Thuế {word}", "Cung cấp danh sách doanh nghiệp đang thực hiện nghĩa vụ thuế cho cơ quan BHXH "
         "để khai thác đối tượng tham gia."),
        ("Phòng Văn hóa - Thông tin", "Xây dựng, thực hiện chương trình tuyên truyền chính sách BHXH, BHYT, BHTN."),
        (f"Liên đoàn Lao động {word}", "Kiểm tra, giám sát việc thực hiện pháp luật BHXH tại các doanh nghiệp; bảo "
         "vệ quyền lợi hợp pháp của người lao động."),
        (f"Hội Liên hiệp Phụ nữ, Hội Nông dân {word}", "Tuyên truyền, vận động hội viên tham gia BHXH tự nguyện, "
         "BHYT; xây dựng mô hình vận động kết hợp thu BHXH tự nguyện theo tổ."),
        (f"Bưu điện {word}", "Tăng số lượng, nâng cao hiệu quả mạng lưới đại lý thu BHXH tự nguyện, BHYT hộ gia "
         "đình."),
        ("UBND các xã, thị trấn", "Đưa chỉ tiêu vào chương trình phát triển kinh tế - xã hội; giao chỉ tiêu đến "
         "từng thôn, tổ, khu phố; phối hợp khảo sát doanh nghiệp trên địa bàn."),
    ]
    blocks = [
        BlockDraft(BlockKind.TEXT, f"UBND {word} ban hành Kế hoạch thực hiện chỉ tiêu phát triển đối tượng tham "
                                   f"gia BHXH, BHTN của {the} năm {year} như sau:"),
        BlockDraft(BlockKind.EVALUATION, f"## I. ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN NĂM {year - 1}",
                   {"indicators": ["bhxh", "bhxh_bb", "bhxh_tn", "bhtn"], "year": year - 1}),
        BlockDraft(BlockKind.TEXT, (
            "## II. MỤC ĐÍCH, YÊU CẦU\n\n"
            "Xác định rõ nhiệm vụ phát triển đối tượng tham gia BHXH, BHTN của từng cơ quan, tổ chức, cá nhân, "
            f"nhằm tăng nhanh và bền vững số người tham gia BHXH trên địa bàn {word}.\n\n"
            "Tăng cường sự lãnh đạo, chỉ đạo của cấp ủy Đảng, chính quyền các cấp; việc thực hiện chỉ tiêu gắn với "
            "nhiệm vụ phát triển kinh tế - xã hội của từng ngành, địa phương, đơn vị.")),
        BlockDraft(BlockKind.TARGETS, f"## III. CHỈ TIÊU PHÁT TRIỂN ĐỐI TƯỢNG THAM GIA BHXH, BHTN NĂM {year}",
                   {"indicators": ["bhxh", "bhxh_bb", "bhxh_tn", "bhtn"], "period": str(year)}),
        BlockDraft(BlockKind.ALLOCATION, "Giao chỉ tiêu phát triển người tham gia BHXH tự nguyện cho UBND các xã, "
                                         "thị trấn:", {"indicator": "bhxh_tn", "period": str(year)}),
        BlockDraft(BlockKind.TEXT, (
            "## IV. NHIỆM VỤ VÀ GIẢI PHÁP\n\n"
            "1. Tăng cường lãnh đạo, chỉ đạo, tuyên truyền, phổ biến pháp luật về BHXH, BHTN đối với người sử "
            "dụng lao động, người lao động và người dân.\n"
            "2. Phát triển đối tượng tham gia BHXH bắt buộc, BHTN: kết nối dữ liệu thuế, lao động; kiểm tra, thanh "
            "tra việc tham gia của người sử dụng lao động.\n"
            "3. Phát triển đối tượng tham gia BHXH tự nguyện: giao chỉ tiêu hằng năm cho UBND các xã, thị trấn; mỗi "
            "thôn, khu phố có ít nhất một điểm thu.\n"
            "4. Đẩy mạnh thanh tra chuyên ngành về đóng BHXH; xử lý nghiêm các trường hợp trốn đóng, nợ đọng.")),
        BlockDraft(BlockKind.ASSIGNMENTS, "## V. TỔ CHỨC THỰC HIỆN",
                   {"numbering": "1", "items": [{"body": b, "duties": [d]} for b, d in agencies]}),
        BlockDraft(BlockKind.REPORTING, "", {"items": [
            {"what": "Các cơ quan, đơn vị, UBND các xã, thị trấn báo cáo kết quả thực hiện",
             "to": f"UBND {word} (qua Bảo hiểm xã hội {word})", "by": f"trước ngày 30/11/{year}"},
        ]}),
        BlockDraft(BlockKind.TEXT, f"UBND {word} yêu cầu các cơ quan, đơn vị, địa phương tập trung chỉ đạo và phối "
                                   "hợp thực hiện nghiêm túc những nội dung nêu trên./."),
    ]
    return Draft(fields, blocks)
