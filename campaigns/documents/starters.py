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

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from bhxh_portal.numbers import format_number, round_half_up
from targets.decisions import parse_decision
from targets.models import Membership, Role, Target, TargetKind, Unit
from targets.periods import Period

from ..models import Authority, BlockKind, DocumentType, vietnamese_date
from .selectors import level_word, short_name


@dataclass
class BlockDraft:
    kind: str
    text: str = ""
    params: dict = field(default_factory=dict)


@dataclass
class Draft:
    fields: dict
    blocks: list[BlockDraft]


@dataclass(frozen=True)
class Starter:
    key: str
    label: str
    doc_type: str
    levels: tuple[str, ...]  # unit levels it is meant for
    needs_month: bool
    build: object  # callable(unit, year, month) -> Draft


class StarterError(ValueError):
    """The starter cannot build a draft for this unit (message in Vietnamese)."""


# --- what every starter reads --------------------------------------------------------------------
def _the(unit: Unit) -> str:
    """'xã Hải Dương', 'huyện Càng Long' (as written inside a sentence)."""
    return f"{level_word(unit)} {short_name(unit)}"


def _upper(text: str) -> str:
    return text.upper()


def _ubnd(unit: Unit) -> dict:
    return {
        "parent_body": f"UBND {_upper(unit.parent.name)}" if unit.parent_id else "",
        "issuing_body": f"ỦY BAN NHÂN DÂN\n{_upper(unit.name)}",
        "symbol": "UBND",
    }


def _leader(unit: Unit):
    """The first leader of the unit: (user, name, title hint) — the name without what follows '('."""
    membership = (Membership.objects.filter(unit=unit, role=Role.LEADER).select_related("user")
                  .order_by("pk").first())
    if membership is None:
        return None, "", ""
    user = membership.user
    full = user.get_full_name() or user.username
    name, _, hint = full.partition("(")
    return user, name.strip(), hint.rstrip(")").strip().lower()


def _committee_signature(unit: Unit) -> dict:
    """TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH — or CHỦ TỊCH when the leader is the chair."""
    user, name, hint = _leader(unit)
    chair = "chủ tịch" in hint and "phó" not in hint
    return {
        "sign_on_behalf": "ỦY BAN NHÂN DÂN",
        "sign_authority": "" if chair else Authority.KT,
        "sign_authority_title": "" if chair else "CHỦ TỊCH",
        "signer_title": "CHỦ TỊCH" if chair else "PHÓ CHỦ TỊCH",
        "signer_name": name, "signer": user,
    }


def _issued_on(year: int, month: int | None = None) -> datetime.date | None:
    """Today when the plan is for the current year (the clerk changes it), otherwise left blank."""
    today = datetime.date.today()
    if today.year == year and (month is None or today.month == month):
        return today
    return None


def _decision_bases(unit: Unit, year: int, about: str) -> list[str]:
    """'Thực hiện Quyết định số 324/QĐ-UBND ngày 15 tháng 3 năm 2021 của UBND thị xã về việc ...;'
    for each decision that set the unit's assigned targets of the year."""
    seen, bases = set(), []
    targets = Target.objects.filter(unit=unit, year=year, kind=TargetKind.ASSIGNED, agent__isnull=True).exclude(
        decision_number=""
    ).order_by("decision_date", "pk")
    for target in targets:
        decision = target.decision
        if decision is None or decision.number in seen:
            continue
        seen.add(decision.number)
        issuer = decision.issuer or (f"UBND {level_word(unit.parent)}" if unit.parent_id else "")
        text = f"Thực hiện {decision.document_type} số {decision.number}"
        if decision.date:
            text += f" {vietnamese_date(decision.date)}"
        if issuer:
            text += f" của {issuer}"
        bases.append(f"{text} về việc {about};")
    return bases


NQ28 = ("Nghị quyết số 28-NQ/TW ngày 23 tháng 5 năm 2018 của Hội nghị lần thứ bảy Ban Chấp hành Trung ương "
        "Đảng khóa XII về cải cách chính sách bảo hiểm xã hội")


def _finish_bases(bases: list[str]) -> list[str]:
    if bases:
        bases[-1] = bases[-1].rstrip(";.") + "."
    return bases


def _first_agent_name(unit: Unit) -> str:
    from agents.models import Agent

    agent = Agent.objects.filter(unit=unit, is_active=True).order_by("name").first()
    return agent.name if agent else f"Đại lý thu BHXH, BHYT {level_word(unit)}"


def _voluntary_terms(day: datetime.date):
    """The dated rule of voluntary BHXH on the day (agents.contributions.contribution_terms): its rate
    (22%), lowest income (the rural poverty line) and highest (20 × lương cơ sở, 20 × mức tham chiếu
    from 1/7/2025); None when the rules have no row for the day."""
    from agents.contributions import ContributionError, contribution_terms

    try:
        return contribution_terms(product_code="bhxh_tn", on=day)
    except ContributionError:
        return None


def _money(amount: int | None) -> str:
    return f"{format_number(amount)} đồng" if amount else "…… đồng"


# --- 1. commune yearly drive (Hải Dương 2021) ----------------------------------------------------
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
        BlockDraft(BlockKind.ASSIGNMENTS, "### 5. Phương thức vận động và phân công thực hiện", {
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
            ]}),
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


# --- 2. district half-year plan (Càng Long 2023) --------------------------------------------------
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
    return Draft(fields, blocks)


# --- 3. district yearly plan with last year's evaluation (Hướng Hóa 2020) -------------------------
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


# --- 4. province monthly activity plan (Bình Định 10/2024) ----------------------------------------
def planned_activity_rows(unit: Unit, year: int, month: int) -> list[dict]:
    """The activities planned for the unit's subtree in the month, one schedule row per kind
    (campaigns.activities.selectors.monthly_plan): who organises how many, when, the units invited,
    the expected attendance and sign-ups per product. Empty when none is planned."""
    from ..activities.selectors import monthly_plan

    plan = monthly_plan(office=unit, year=year, month=month)
    office = f"Văn phòng BHXH {level_word(unit)}"
    below = "BHXH các huyện, thị xã" if unit.level.code == "tinh" else "Các đơn vị cấp dưới"
    rows = []
    for total in plan.kinds:
        organisers = [f"{name}: {format_number(count)}" for name, count in
                      ((office, total.planned_by_office), (below, total.planned_below)) if count]
        starts = [line.start for line in total.lines if line.start]
        ends = [line.end for line in total.lines if line.end]
        expected = [f"{format_number(total.expected[code])} {name}" for code, name in plan.products
                    if total.expected.get(code)]
        rows.append({
            "activity": total.kind_label, "organiser": "; ".join(organisers), "count": total.planned, "place": "",
            "start": min(starts).isoformat() if starts else "", "end": max(ends).isoformat() if ends else "",
            "invitees": f"{format_number(total.invited)} đơn vị" if total.invited else "",
            "attendance": total.expected_attendance or None, "expected": "; ".join(expected),
        })
    return rows


def province_monthly(unit: Unit, year: int, month: int | None = None) -> Draft:
    if month is None:
        raise StarterError("Kế hoạch tháng cần --period YYYY-MM (tháng của kế hoạch).")
    period = Period.month(year, month)
    districts = "BHXH các huyện, thị xã"
    user, name, _ = _leader(unit)
    fields = {
        "doc_type": DocumentType.PLAN, "year": year, "period_key": period.key,
        "parent_body": "BẢO HIỂM XÃ HỘI VIỆT NAM", "issuing_body": f"BẢO HIỂM XÃ HỘI\n{_upper(unit.name)}",
        "symbol": "BHXH", "place": short_name(unit), "issued_on": None,
        "subject": f"Tổ chức phát triển người tham gia BHXH, BHYT tháng {month} năm {year}",
        "legal_bases": [
            "Thực hiện Công văn số 2236/BHXH-TST ngày 16/8/2022 của Bảo hiểm xã hội Việt Nam về việc hướng dẫn "
            "khai thác phát triển người tham gia BHXH, BHYT bắt buộc;",
            "Thực hiện Công văn số 3165/BHXH-TST ngày 02/10/2023 của Bảo hiểm xã hội Việt Nam về việc sửa đổi và "
            "hướng dẫn một số nội dung tổ chức hội nghị làm việc với đơn vị, doanh nghiệp.",
        ],
        "recipients": ["Ban Quản lý Thu - Sổ, Thẻ BHXH Việt Nam (để b/c)", f"Giám đốc BHXH {level_word(unit)} (b/c)",
                       f"Các Phó Giám đốc BHXH {level_word(unit)}", f"Các phòng nghiệp vụ BHXH {level_word(unit)}",
                       districts, "Lưu: VT, TST"],
        "sign_on_behalf": "", "sign_authority": Authority.KT, "sign_authority_title": "GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC", "signer_name": name, "signer": user,
    }

    rows = planned_activity_rows(unit, year, month)
    if rows:
        schedule = (f"Các hoạt động tổ chức trong tháng {month}/{year} (số cuộc, thời gian, thành phần và số người "
                    "dự kiến tham gia):")
    else:
        schedule = (f"Chưa có hoạt động vận động nào được lên kế hoạch cho {unit.name} trong tháng {month}/{year}. "
                    "Hãy thêm các hoạt động của tháng (trang Hoạt động vận động, hoặc nhập tệp kế hoạch), rồi tạo "
                    "lại dự thảo, hoặc ghi trực tiếp vào khối này.")
    blocks = [
        BlockDraft(BlockKind.TEXT, (
            f"Trên cơ sở Kịch bản giải pháp phát triển người tham gia năm {year} đã ban hành, BHXH "
            f"{level_word(unit)} xây dựng Kế hoạch tổ chức các nhiệm vụ, giải pháp phát triển người tham gia BHXH, "
            f"BHYT tháng {month} năm {year} như sau:")),
        BlockDraft(BlockKind.TEXT, (
            "## I. MỤC ĐÍCH, YÊU CẦU\n\n### 1. Mục đích\n\n"
            "- Tổ chức hội nghị nhằm phát triển và duy trì bền vững người tham gia BHXH, BHYT theo kế hoạch được "
            "giao trên cơ sở đối thoại, tư vấn, giải đáp chính sách;\n"
            "- Làm việc trực tiếp với đơn vị để phát triển người tham gia BHXH, BHYT, BHTN đạt chỉ tiêu được giao;\n"
            "- Phối hợp với tổ chức dịch vụ thu, Ban Chỉ đạo cấp xã tổ chức hội nghị khách hàng, truyền thông "
            "nhóm nhỏ.\n\n### 2. Yêu cầu\n\n"
            "- Triển khai đầy đủ quy trình phát triển người tham gia theo hướng dẫn của BHXH Việt Nam;\n"
            "- Tổ chức hội nghị tiết kiệm, hiệu quả; phát huy vai trò của người đứng đầu cơ quan BHXH cấp huyện, "
            "Ban Chỉ đạo cấp huyện, cấp xã.")),
        BlockDraft(BlockKind.ACTIVITIES, f"## II. NỘI DUNG KẾ HOẠCH\n\n{schedule}", {"rows": rows}),
        BlockDraft(BlockKind.TEXT, (
            "Kết thúc buổi làm việc trực tiếp, lập biên bản với đơn vị sử dụng lao động; người lao động chưa tham "
            "gia được phân loại: hợp đồng dưới 01 tháng, thử việc; từ 01 tháng đến dưới 03 tháng; từ 03 tháng trở "
            "lên; đã nghỉ việc; đang hưởng lương hưu, trợ cấp BHXH hằng tháng; đang tham gia; đối tượng khác.")),
        BlockDraft(BlockKind.ASSIGNMENTS, "## III. TỔ CHỨC THỰC HIỆN", {"numbering": "1", "items": [
            {"body": "Phòng Quản lý Thu - Sổ, Thẻ", "duties": [
                "Chịu trách nhiệm triển khai các nội dung tại mục II đối với các đơn vị được phân công quản lý;",
                "Theo dõi, tổng hợp, đánh giá tình hình triển khai trên địa bàn toàn tỉnh."]},
            {"body": "Phòng Truyền thông", "duties": [
                "Tổ chức hội nghị khách hàng tiềm năng, hội nghị nhóm nhỏ; tổng hợp kết quả hằng tháng."]},
            {"body": "Phòng Thanh tra - Kiểm tra", "duties": [
                "Trình Giám đốc ban hành quyết định thanh tra các đơn vị sử dụng lao động chậm đóng."]},
            {"body": "Văn phòng", "duties": ["Bảo đảm điều kiện cơ sở vật chất phục vụ các hội nghị."]},
            {"body": districts, "duties": [
                "Hằng tháng xây dựng kế hoạch triển khai và báo cáo kết quả; Giám đốc BHXH huyện, thị xã chịu "
                "trách nhiệm về việc hoàn thành các chỉ tiêu được giao."]},
        ]}),
        BlockDraft(BlockKind.REPORTING, "", {"items": [
            {"what": f"{districts} báo cáo kết quả thực hiện Kế hoạch tháng {month}/{year}",
             "to": f"BHXH {level_word(unit)} (qua phòng Quản lý Thu - Sổ, Thẻ)",
             "by": f"trước ngày 05/{(month % 12) + 1:02d}/{year + (1 if month == 12 else 0)}"},
        ]}),
        BlockDraft(BlockKind.TEXT, "Yêu cầu các đơn vị có liên quan căn cứ các nội dung nêu trên để tổ chức triển "
                                   "khai thực hiện./."),
    ]
    return Draft(fields, blocks)


# --- 5. programme implementation plan (Bắc Ninh 2021) ---------------------------------------------
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
    from agents.models import LocalTopUp, ReferenceAmount, ReferenceKind

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


# --- reports to the level above ------------------------------------------------------------------
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

