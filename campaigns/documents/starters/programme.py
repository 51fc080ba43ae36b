"""The implementation plan of a province's own support programme (reference: Bắc Ninh 2021)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from agents.models import LocalTopUp, ReferenceAmount, ReferenceKind
from bhxh_portal.numbers import format_number, round_half_up
from targets.decisions import parse_decision
from units.models import Unit

from ...models import BlockKind, DocumentType
from ..selectors import level_word, short_name
from .common import BlockDraft, Draft, _committee_signature, _issued_on, _money, _the, _ubnd, _voluntary_terms


@dataclass(frozen=True)
class Programme:
    name: str
    resolution: str  # 'Nghị quyết số 03/2021/NQ-HĐND ngày 16/7/2021'
    start: datetime.date | None
    end: datetime.date | None
    monthly_amount: int | None
    percent: Decimal | None


def provincial_programme(province: Unit, year: int) -> Programme:
    """The province's own support programme for voluntary BHXH valid in the year (agents.LocalTopUp),
    and its monthly amount: percent × the voluntary BHXH rate (22%, from the dated rules) × the rural
    poverty line on its first day."""
    top_up = (LocalTopUp.objects.filter(province=province, valid_from__lte=datetime.date(year, 12, 31))
              .order_by("-valid_from").first())
    if top_up is None:
        return Programme("", "Nghị quyết số ……/NQ-HĐND ngày ……", None, None, None, None)
    decision = None
    try:
        decision = parse_decision(top_up.legal_basis.split(";")[0]) if top_up.legal_basis else None
    except ValueError:
        decision = None
    resolution = top_up.programme
    if decision is not None:
        resolution = f"{decision.document_type} số {decision.number}"
        if decision.date:
            resolution += f" ngày {decision.date.day}/{decision.date.month}/{decision.date.year}"
    amount = top_up.amount
    if amount is None and top_up.percent is not None:
        line = ReferenceAmount.objects.valid_on(top_up.valid_from).filter(
            kind=ReferenceKind.RURAL_POVERTY_LINE).first()
        terms = _voluntary_terms(top_up.valid_from)
        if line is not None and terms is not None:
            amount = int(round_half_up(Decimal(line.amount) * terms.rate_pct / 100 * top_up.percent / 100))
    return Programme(top_up.programme, resolution, top_up.valid_from, top_up.valid_to, amount, top_up.percent)


def programme(unit: Unit, year: int, month: int | None = None) -> Draft:
    prog = provincial_programme(unit, year)
    council = f"Hội đồng nhân dân {_the(unit)}"
    period_text = (f"giai đoạn {prog.start.year}-{prog.end.year}" if prog.start and prog.end else f"năm {year}")
    about = (f"quy định chính sách hỗ trợ người tham gia bảo hiểm xã hội tự nguyện, bảo hiểm y tế trên địa bàn "
             f"{_the(unit)} {period_text}")
    fields = {
        "doc_type": DocumentType.PLAN, "year": year, "period_key": str(year), **_ubnd(unit),
        "place": short_name(unit), "issued_on": _issued_on(year),
        "subject": f"Triển khai thực hiện {prog.resolution} của {council}\n{about}",
        "legal_bases": [f"Thực hiện {prog.resolution} của {council} {about}."],
        "recipients": ["TTTU, TTHĐND tỉnh (b/c)", "Chủ tịch, các PCT UBND tỉnh", "Các Sở, ban, ngành thuộc UBND tỉnh",
                       "Ủy ban MTTQ và các đoàn thể nhân dân tỉnh", "Đài PT-TH tỉnh, Báo tỉnh",
                       "UBND các huyện, thị xã, thành phố", "Văn phòng UBND tỉnh", "Lưu: VT, KGVX"],
        **_committee_signature(unit),
    }
    support = ""
    if prog.percent is not None:
        support = (f"Mức hỗ trợ bằng {format_number(prog.percent)}% mức đóng BHXH tự nguyện hằng tháng theo mức "
                   "chuẩn hộ nghèo của khu vực nông thôn")
        if prog.monthly_amount:
            support += f" (tương ứng {_money(prog.monthly_amount)}/tháng tại thời điểm ban hành)"
        support += ", chưa bao gồm mức hỗ trợ của Nhà nước theo quy định chung."
    phases = []
    if prog.start and prog.end:
        phases = [
            {"start": prog.start.isoformat(), "end": prog.end.isoformat(),
             "text": "Thực hiện hỗ trợ người tham gia BHXH tự nguyện, BHYT theo Nghị quyết; thẻ BHYT có giá trị "
                     "theo năm tài chính."},
            {"start": f"{prog.end.year}-10-01", "end": prog.end.isoformat(),
             "text": "Tổng kết việc thực hiện Nghị quyết."},
        ]
    blocks = [
        BlockDraft(BlockKind.TEXT, f"UBND {level_word(unit)} ban hành Kế hoạch triển khai thực hiện Nghị quyết, cụ "
                                   "thể như sau:"),
        BlockDraft(BlockKind.TEXT, (
            "## I. MỤC ĐÍCH, YÊU CẦU\n\n"
            "- Kịp thời phổ biến, triển khai thực hiện Nghị quyết đến toàn thể người dân trên địa bàn;\n"
            "- Triển khai đồng bộ, công khai, minh bạch, đúng đối tượng; tăng cường phối hợp giữa các cấp, các "
            "ngành, bảo đảm quyền và lợi ích của người tham gia.\n\n"
            "## II. NỘI DUNG THỰC HIỆN\n\n"
            "### 1. Ban hành văn bản, tuyên truyền\n\n"
            "Các sở, ban, ngành, đoàn thể, UBND cấp huyện, cấp xã ban hành văn bản triển khai, tuyên truyền sâu "
            "rộng nội dung Nghị quyết.\n\n"
            "### 2. Hỗ trợ người tham gia BHXH tự nguyện\n\n"
            f"{support or 'Mức hỗ trợ theo Nghị quyết.'} Cơ quan BHXH tổ chức vận động, hướng dẫn và thực hiện "
            "thủ tục cho người tham gia.\n\n"
            "### 3. Hỗ trợ tham gia BHYT\n\n"
            "Các phòng chuyên môn cấp huyện tổng hợp danh sách đối tượng theo biểu mẫu 01/NQ-03, 02/NQ-03, "
            "03/NQ-03 gửi cơ quan BHXH cùng cấp; cơ quan BHXH cấp thẻ BHYT trong 05 ngày làm việc; khi có biến "
            "động đối tượng, đơn vị lập danh sách thông báo cho cơ quan BHXH.")),
        BlockDraft(BlockKind.PHASES, "### 4. Thời gian thực hiện", {"phases": phases}),
        BlockDraft(BlockKind.ASSIGNMENTS, "## III. TỔ CHỨC THỰC HIỆN", {"numbering": "1", "items": [
            {"body": "Sở Lao động - Thương binh và Xã hội", "duties": [
                "Chủ trì triển khai Kế hoạch; hướng dẫn, kiểm tra; sơ kết, tổng kết việc thực hiện Nghị quyết."]},
            {"body": "Sở Y tế", "duties": ["Nâng cao chất lượng khám, chữa bệnh BHYT; tuyên truyền tham gia BHYT."]},
            {"body": "Sở Tài chính", "duties": [
                "Căn cứ dự toán do BHXH tỉnh cung cấp (số người × mức hỗ trợ × số tháng), tham mưu bố trí kinh phí "
                "hỗ trợ trong dự toán ngân sách hằng năm."]},
            {"body": "Sở Nội vụ, Sở Tài nguyên và Môi trường, Bộ Chỉ huy Quân sự tỉnh", "duties": [
                "Chỉ đạo cấp huyện lập danh sách đối tượng thuộc ngành quản lý được hỗ trợ tham gia BHYT."]},
            {"body": "Bảo hiểm xã hội tỉnh", "duties": [
                "Tiếp nhận danh sách, cấp thẻ BHYT kịp thời; tổng hợp đối tượng, nhu cầu kinh phí gửi Sở Tài chính "
                "khi lập dự toán ngân sách hằng năm; rà soát tránh trùng lặp, trục lợi chính sách."]},
            {"body": "UBND các huyện, thị xã, thành phố", "duties": [
                "Xây dựng kế hoạch, chỉ đạo rà soát, lập danh sách đối tượng; tổ chức tốt các đại lý thu."]},
        ]}),
        BlockDraft(BlockKind.REPORTING, "## IV. CHẾ ĐỘ THÔNG TIN, BÁO CÁO", {"items": [
            {"what": "Các Sở, ngành, địa phương báo cáo kết quả triển khai thực hiện Kế hoạch",
             "to": "Sở Lao động - Thương binh và Xã hội", "by": "trước ngày 30/11 hằng năm"},
            {"what": "Sở Lao động - Thương binh và Xã hội tổng hợp báo cáo", "to": "HĐND, UBND tỉnh",
             "by": "hằng năm và khi tổng kết Nghị quyết"},
        ]}),
        BlockDraft(BlockKind.TEXT, f"Trên đây là Kế hoạch thực hiện {prog.resolution} của {council}. Yêu cầu các "
                                   "cơ quan, đơn vị, địa phương tổ chức triển khai thực hiện nghiêm túc, hiệu quả./."),
    ]
    return Draft(fields, blocks)
