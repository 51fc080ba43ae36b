"""A commune's yearly voluntary-BHXH and BHYT drive (reference: Hải Dương 2021)."""

import datetime

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
    _first_agent_name,
    _issued_on,
    _money,
    _the,
    _ubnd,
    _voluntary_terms,
)


def commune_drive(unit: Unit, year: int, month: int | None = None) -> Draft:
    parent_word = level_word(unit.parent) or "cấp trên"
    own = level_word(unit)
    ubnd = f"UBND {_the(unit)}"
    bases = _decision_bases(unit, year, f"giao chỉ tiêu thu bảo hiểm xã hội tự nguyện và bảo hiểm y tế năm {year}")
    bases.append(f"Thực hiện {NQ28};")
    terms = _voluntary_terms(datetime.date(year, 3, 1))
    low, high = (terms.min_income, terms.max_income) if terms else (None, None)
    rate = f"{terms.rate_text}%" if terms else "……%"
    agent = _first_agent_name(unit)
    fields = {
        "doc_type": DocumentType.PLAN, "year": year, "period_key": str(year), **_ubnd(unit),
        "place": short_name(unit), "issued_on": _issued_on(year),
        "subject": f"Triển khai vận động tham gia bảo hiểm xã hội tự nguyện và bảo hiểm y tế năm {year}",
        "legal_bases": _finish_bases(bases),
        "recipients": [f"UBND {parent_word}", f"Phòng LĐ-TBXH {parent_word}", f"Bảo hiểm xã hội {parent_word}",
                       f"Đảng ủy {own}", f"TT HĐND, UBND {own}", f"Các ban ngành, đoàn thể {own}",
                       f"{agent}, các thôn", "Lưu: VT, BHXH"],
        **_committee_signature(unit),
    }
    blocks = [
        BlockDraft(BlockKind.TEXT, f"{ubnd} xây dựng kế hoạch triển khai vận động tham gia bảo hiểm xã hội tự "
                                   f"nguyện và bảo hiểm y tế năm {year} với các nội dung như sau:"),
        BlockDraft(BlockKind.TEXT, "### 1. Đối tượng\n\n"
                                   "- Những người từ đủ 15 tuổi trở lên, không thuộc diện tham gia BHXH bắt buộc, "
                                   "được tham gia BHXH tự nguyện;\n"
                                   "- Những người đóng nối hạn thẻ BHYT và người tham gia BHYT mới."),
        BlockDraft(BlockKind.TARGETS, "### 2. Chỉ tiêu",
                   {"indicators": ["bhyt_hgd", "bhyt_can_ngheo", "bhxh_tn"], "period": str(year)}),
        BlockDraft(BlockKind.ALLOCATION, "Chỉ tiêu vận động mới tham gia BHXH tự nguyện:",
                   {"indicator": "bhxh_tn_moi", "period": str(year)}),
        BlockDraft(BlockKind.TEXT, (
            "### 3. Mức đóng, cách đóng tiền\n\n"
            f"- **Mức đóng:** thấp nhất theo mức thu nhập {_money(low)}/tháng, cao nhất {_money(high)}/tháng; "
            f"mức đóng hằng tháng bằng {rate} mức thu nhập tháng do người tham gia lựa chọn, Nhà nước hỗ trợ một phần "
            "tiền đóng theo quy định; khi có tiền đóng mức cao, khi ít tiền đóng mức thấp, khi không có tiền thì "
            "tạm dừng đóng, không mất tiền và thời gian đã đóng trước đó;\n"
            "- **Cách đóng tiền:** đóng hằng tháng, 03 tháng, 06 tháng, 12 tháng một lần hoặc một lần cho nhiều "
            "năm về sau;\n"
            f"- **Phương thức đóng:** người tham gia hoặc người đại diện nộp tiền trực tiếp qua {agent}, các tổ "
            f"thu thôn, nhân viên thu hoặc chuyển tiền vào tài khoản của Bảo hiểm xã hội {parent_word}.")),
        BlockDraft(BlockKind.PHASES, "### 4. Thời gian tổ chức vận động tham gia BHXH tự nguyện", {"phases": [
            {"start": f"{year}-03-21", "end": f"{year}-03-25",
             "text": "Hội nghị triển khai kế hoạch và giao chỉ tiêu; phổ biến chủ trương, quyền và nghĩa vụ của "
                     "người tham gia BHXH tự nguyện, BHYT;"},
            {"start": f"{year}-04-01", "end": f"{year}-07-31",
             "text": "Các thôn và Đại lý thu BHXH xã, thôn trực tiếp vận động cán bộ và người dân tham gia "
                     "BHXH tự nguyện;"},
            {"start": f"{year}-08-01", "end": f"{year}-09-30",
             "text": "Các thôn và Đại lý thu BHXH xã thu, nộp tiền của người tham gia; tổ chức sơ kết đánh giá, "
                     f"rút kinh nghiệm, triển khai tiếp tục đến cuối năm {year}."},
        ]}),
        BlockDraft(BlockKind.TEXT, "*Riêng BHYT đóng nối hạn thẻ và vận động tham gia mới do Tổ Đại lý BHXH "
                                   f"{own} và thôn thực hiện thường xuyên.*"),
        _assignments(own, agent),
        BlockDraft(BlockKind.REPORTING, "### 6. Chế độ báo cáo", {"items": [
            {"what": f"{agent} và các thôn báo cáo kết quả vận động", "to": f"UBND {own}",
             "by": "trước ngày 25 hằng tháng"},
            {"what": f"UBND {own} báo cáo kết quả thực hiện Kế hoạch",
             "to": f"UBND {parent_word} và Bảo hiểm xã hội {parent_word}", "by": f"trước ngày 30/11/{year}"},
        ]}),
        BlockDraft(BlockKind.TEXT, (
            f"UBND {own} đề nghị các ban ngành, đoàn thể, đơn vị, {agent}, các tổ thu thôn và các trưởng thôn phối "
            f"hợp vận động người dân tham gia BHXH tự nguyện, BHYT đạt và vượt chỉ tiêu năm {year}, đồng thời thực "
            "hiện tốt các nội dung theo kế hoạch đã đề ra; quá trình thực hiện nếu có vướng mắc báo cáo kịp thời "
            f"về UBND {own} để được giải quyết./.")),
    ]
    return Draft(fields, blocks)


def _assignments(own: str, agent: str) -> BlockDraft:
    """Who does what in the drive: the collection agent, the commune's officers, the villages, the front."""
    return BlockDraft(BlockKind.ASSIGNMENTS, "### 5. Phương thức vận động và phân công thực hiện", {
        "numbering": "a", "items": [
            {"body": agent, "duties": [
                "Chủ trì, phối hợp vận động cán bộ, nhân dân tham gia BHXH tự nguyện, BHYT đạt chỉ tiêu; "
                "củng cố, kiện toàn và nâng cao chất lượng, hiệu quả hoạt động của đội ngũ cộng tác viên, "
                "tổ đại lý BHYT, BHXH các thôn;",
                f"Phối hợp với công chức Văn hóa - Xã hội {own} xây dựng chỉ tiêu phát triển người tham gia, "
                f"tham mưu UBND {own} giao chỉ tiêu cho các thôn; định kỳ báo cáo UBND {own} để theo dõi, "
                "chỉ đạo;",
                "Rà soát, lập danh sách, quản lý người tham gia và thực hiện quy trình thu, nộp tiền đúng quy "
                "định; giải quyết quyền lợi của người tham gia theo đúng chính sách, pháp luật;",
                "Phối hợp các cơ quan liên quan kiểm tra, giám sát việc đóng BHXH tự nguyện, BHYT, kịp thời "
                "ngăn chặn gian lận, trục lợi chính sách.",
            ]},
            {"body": "Công chức Văn hóa - Xã hội", "duties": [
                f"Phối hợp chặt chẽ với {agent} và các ban ngành tổ chức tuyên truyền, phổ biến chính sách "
                "pháp luật về BHXH tự nguyện, BHYT;",
                "Chủ trì xây dựng kế hoạch, chỉ tiêu phát triển người tham gia hằng năm; tham mưu báo cáo sơ "
                "kết, tổng kết hằng năm.",
            ]},
            {"body": f"Cán bộ Đài truyền thanh {own}", "duties": [
                "Tăng cường tuyên truyền chủ trương, chính sách pháp luật, quyền lợi của người dân khi tham "
                "gia BHXH tự nguyện, BHYT.",
            ]},
            {"body": "Các trưởng thôn, tổ Đại lý BHXH thôn, nhân viên thu BHXH", "duties": [
                "Phối hợp tuyên truyền, vận động người dân trong thôn tham gia BHXH tự nguyện, BHYT; trực "
                "tiếp vận động và thu, nộp tiền của người tham gia đạt và vượt chỉ tiêu được giao.",
            ]},
            {"body": f"Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam {own} và các đoàn thể {own}", "duties": [
                f"Tuyên truyền, vận động đoàn viên, hội viên trên địa bàn {own} tích cực tham gia BHXH tự "
                "nguyện, BHYT; động viên mỗi cán bộ, công chức vận động ít nhất một người thân tham gia;",
                "Tăng cường giám sát, phản biện việc thực hiện chính sách BHXH tự nguyện, BHYT.",
            ]},
        ]})
