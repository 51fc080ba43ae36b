"""Block kinds: how each kind's parameters are written in the editor, and how its content is built.

A renderer reads the database when the document is rendered (live) and returns parts: safe HTML
of the light-markup subset, or a reports.tables Table laid out by reports/_table.html. The page,
the PDF and the DOCX all take the same parts, so they print the same figures; the approved PDF
freezes them.

Parameters are edited as text, one setting or one row per line:
- figures blocks: "indicator: bhyt", "as_of: 2023-06", "indicators: bhxh_bb, bhxh_tn";
- phases: "21/03/2021 - 25/03/2021: Hội nghị triển khai kế hoạch";
- assignments: a line names the body, the "- " lines under it are its duties;
- reporting: "what | to whom | by when";
- activities: "activity | organiser | count | place | from - to | invitees | attendance | expected".
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from ....models import BlockKind, PlanBlock, PlanDocument
from .common import BlockSpec, HtmlPart, Part, Setting, TablePart, _note
from .duties import (
    format_assignments,
    format_reporting,
    parse_assignments,
    parse_reporting,
    render_assignments,
    render_reporting,
)
from .figures import (
    render_allocation,
    render_coverage,
    render_evaluation,
    render_remaining,
    render_targets,
    render_text,
)
from .schedule import format_activities, format_phases, parse_activities, parse_phases, render_activities, render_phases

__all__ = ["BLOCK_SPECS", "BlockSpec", "HtmlPart", "Part", "RenderedBlock", "Setting", "TablePart", "parse_assignments",
           "parse_phases", "parse_reporting", "render_block", "spec_for"]


# --- the registry: every block kind, its help, settings and renderer, in one list ----------------
_FIGURE_HELP = "Chỉ tiêu theo mã: bhyt, bhyt_hgd, bhyt_can_ngheo, bhxh, bhxh_bb, bhxh_tn, bhxh_tn_moi, bhtn."

BLOCK_SPECS: dict[str, BlockSpec] = {spec.kind: spec for spec in [
    BlockSpec(BlockKind.TEXT, "Văn bản: # tiêu đề, - gạch đầu dòng, **đậm**, *nghiêng*.", render_text),
    BlockSpec(BlockKind.TARGETS, "Chỉ tiêu của đơn vị trong kỳ, đọc từ chỉ tiêu đã giao. " + _FIGURE_HELP,
              render_targets, (Setting("indicators", "các chỉ tiêu", "list", True), Setting("period", "kỳ", "period")),
              example="indicators: bhyt_hgd, bhyt_can_ngheo, bhxh_tn\nperiod: 2021"),
    BlockSpec(BlockKind.ALLOCATION, "Chỉ tiêu giao, phấn đấu và phân bổ cho thôn, đại lý thu. " + _FIGURE_HELP,
              render_allocation, (Setting("indicator", "chỉ tiêu", "str", True), Setting("period", "kỳ", "period")),
              example="indicator: bhxh_tn_moi\nperiod: 2021"),
    BlockSpec(BlockKind.COVERAGE, "Tỷ lệ bao phủ theo đơn vị cấp dưới đến hết tháng as_of: bảng của phần báo "
              "cáo (table: bhyt, bhxh, bhtn) hoặc bảng theo một chỉ tiêu (indicator). " + _FIGURE_HELP,
              render_coverage, (Setting("table", "bảng của báo cáo (bhyt, bhxh, bhtn, students)"), Setting("indicator", "chỉ tiêu"),
                                Setting("as_of", "số liệu đến tháng", "period"),
                                Setting("target_period", "kỳ của chỉ tiêu", "period"),
                                Setting("change", "cột tăng, giảm so với tháng trước", "bool"),
                                Setting("summary", "câu tóm tắt", "bool"), Setting("landscape", "trang ngang", "bool")),
              example="table: bhyt\nas_of: 2023-06\ntarget_period: 2023"),
    BlockSpec(BlockKind.REMAINING, "Số người còn phải vận động theo đơn vị cấp dưới. " + _FIGURE_HELP,
              render_remaining, (Setting("indicators", "các chỉ tiêu (trống: BHXH BB, BHXH TN, BHTN, BHYT)", "list"),
                                 Setting("as_of", "số liệu đến tháng", "period"),
                                 Setting("target_period", "kỳ của chỉ tiêu", "period"),
                                 Setting("landscape", "trang ngang", "bool")),
              example="indicators: bhxh_bb, bhxh_tn, bhtn, bhyt\nas_of: 2023-06\ntarget_period: 2023"),
    BlockSpec(BlockKind.EVALUATION, "Kết quả năm trước so với kế hoạch và năm trước nữa. " + _FIGURE_HELP,
              render_evaluation, (Setting("indicators", "các chỉ tiêu", "list", True), Setting("year", "năm đánh giá", "int"),
                                  Setting("landscape", "trang ngang", "bool")),
              example="indicators: bhxh, bhxh_bb, bhxh_tn, bhtn\nyear: 2019"),
    BlockSpec(BlockKind.ACTIVITIES, "Mỗi dòng một hoạt động: hoạt động | đơn vị tổ chức | số cuộc | địa điểm | "
              "từ ngày - đến ngày | thành phần mời | số người dự | dự kiến tham gia mới. Các hoạt động đã ghi trong "
              "hệ thống được thêm tự động.", render_activities, parse=parse_activities, format=format_activities,
              example="Hội nghị với đơn vị sử dụng lao động | Văn phòng BHXH tỉnh | 1 | Hội trường UBND thành phố | "
                      "25/10/2024 | 100 đơn vị | 130 | "),
    BlockSpec(BlockKind.PHASES, "Mỗi dòng một giai đoạn: dd/mm/yyyy - dd/mm/yyyy: việc làm.", render_phases,
              parse=parse_phases, format=format_phases,
              example="21/03/2021 - 25/03/2021: Hội nghị triển khai kế hoạch và giao chỉ tiêu"),
    BlockSpec(BlockKind.ASSIGNMENTS, "Một dòng tên cơ quan, các dòng '- ' dưới nó là nhiệm vụ. Dòng 'đánh số: a' "
              "(a, b, c), '1' hoặc để trống.", render_assignments, parse=parse_assignments, format=format_assignments,
              example="đánh số: a\nĐại lý BHYT, BHXH xã\n- Chủ trì, phối hợp vận động ..."),
    BlockSpec(BlockKind.REPORTING, "Mỗi dòng: báo cáo gì | gửi ai | thời hạn.", render_reporting,
              parse=parse_reporting, format=format_reporting,
              example="Báo cáo kết quả thực hiện Kế hoạch | UBND thị xã | trước ngày 30/11 hằng năm"),
]}


def spec_for(kind: str) -> BlockSpec:
    return BLOCK_SPECS[kind]


@dataclass
class RenderedBlock:
    block: PlanBlock
    parts: list[Part] = field(default_factory=list)
    error: str = ""


def render_block(block: PlanBlock, document: PlanDocument) -> RenderedBlock:
    """The block's parts; a block whose parameters no longer make sense prints why, in the draft."""
    try:
        return RenderedBlock(block, spec_for(block.kind).render(block, document))
    except (ValidationError, LookupError, ValueError) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return RenderedBlock(block, [_note(f"[Khối {block.get_kind_display().lower()}: {message}]")], message)
