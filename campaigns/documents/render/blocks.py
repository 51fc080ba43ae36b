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

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from bhxh_portal.numbers import format_number
from reports.tables.base import Column, Row, Table
from targets.models import DenominatorKind, EnteredAs
from targets.periods import Period

from .. import selectors
from ...models import BlockKind, PlanBlock, PlanDocument
from .markup import to_html


@dataclass
class HtmlPart:
    html: SafeString


@dataclass
class TablePart:
    table: Table
    landscape: bool = False
    note: str = ""


Part = HtmlPart | TablePart


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    type: str = "str"  # str | int | list | bool | period
    required: bool = False


@dataclass(frozen=True)
class BlockSpec:
    kind: str
    help: str
    render: Callable[[PlanBlock, PlanDocument], list[Part]]
    settings: tuple[Setting, ...] = ()
    parse: Callable[[str], dict] | None = None
    format: Callable[[dict], str] | None = None
    example: str = ""

    @property
    def label(self) -> str:
        return BlockKind(self.kind).label

    def params_from_text(self, text: str) -> dict:
        if self.parse is not None:
            return self.parse(text)
        return _parse_settings(text, self.settings)

    def params_to_text(self, params: dict) -> str:
        if self.format is not None:
            return self.format(params)
        return _format_settings(params, self.settings)


# --- parsing helpers -----------------------------------------------------------------------------
_TRUE = {"có", "co", "true", "1", "yes", "x"}
_FALSE = {"không", "khong", "false", "0", "no", ""}
_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"


def _parse_date(text: str, line_no: int) -> datetime.date:
    match = re.fullmatch(_DATE, text.strip())
    if not match:
        raise ValidationError(f"Dòng {line_no}: ngày '{text.strip()}' không đúng dạng dd/mm/yyyy.")
    day, month, year = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(f"Dòng {line_no}: ngày {text.strip()} không có thật.") from exc


def _parse_range(text: str, line_no: int) -> tuple[datetime.date | None, datetime.date | None]:
    text = text.strip()
    if not text:
        return None, None
    pieces = re.split(r"\s+-\s+|\s*–\s*|\s+đến\s+", text)
    start = _parse_date(pieces[0], line_no)
    end = _parse_date(pieces[1], line_no) if len(pieces) > 1 else None
    if end is not None and end < start:
        raise ValidationError(f"Dòng {line_no}: ngày kết thúc trước ngày bắt đầu.")
    return start, end


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _dmy(value: str | None) -> str:
    day = _date(value)
    return f"{day:%d/%m/%Y}" if day else ""


def _parse_settings(text: str, settings: tuple[Setting, ...]) -> dict:
    by_key = {s.key: s for s in settings}
    params: dict = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in by_key:
            keys = ", ".join(by_key) or "(không có)"
            raise ValidationError(f"Dòng {line_no}: '{line}' không phải 'tên: giá trị' với tên là một trong: {keys}.")
        setting = by_key[key]
        if setting.type == "int":
            if not value.isdigit():
                raise ValidationError(f"Dòng {line_no}: {setting.label} phải là số.")
            params[key] = int(value)
        elif setting.type == "list":
            params[key] = [v.strip() for v in value.split(",") if v.strip()]
        elif setting.type == "bool":
            if value.lower() not in _TRUE | _FALSE:
                raise ValidationError(f"Dòng {line_no}: {setting.label} ghi 'có' hoặc 'không'.")
            params[key] = value.lower() in _TRUE
        elif setting.type == "period":
            try:
                params[key] = Period.parse(value).key
            except ValueError as exc:
                raise ValidationError(f"Dòng {line_no}: {exc}") from exc
        else:
            params[key] = value
    missing = [s.label for s in settings if s.required and s.key not in params]
    if missing:
        raise ValidationError(f"Thiếu: {', '.join(missing)}.")
    return params


def _format_settings(params: dict, settings: tuple[Setting, ...]) -> str:
    lines = []
    for setting in settings:
        if setting.key not in params:
            continue
        value = params[setting.key]
        if setting.type == "list":
            value = ", ".join(value)
        elif setting.type == "bool":
            value = "có" if value else "không"
        lines.append(f"{setting.key}: {value}")
    return "\n".join(lines)


def _period(value: str | None, default: Period) -> Period:
    return Period.parse(value) if value else default


def _indicator(code: str):
    try:
        return selectors.indicator_by_code(code)
    except LookupError as exc:
        raise ValidationError(str(exc)) from exc


def _lead(block: PlanBlock) -> list[Part]:
    return [HtmlPart(to_html(block.text))] if block.text.strip() else []


def _list(items: list[SafeString]) -> SafeString:
    if not items:
        return mark_safe("")
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


def _note(text: str) -> HtmlPart:
    return HtmlPart(format_html('<p class="note"><em>{}</em></p>', text))


def _people(count: int | None) -> str:
    return f"{format_number(count)} người" if count is not None else ""


# --- text ----------------------------------------------------------------------------------------
def render_text(block: PlanBlock, document: PlanDocument) -> list[Part]:
    return _lead(block)


# --- the unit's targets --------------------------------------------------------------------------
def _target_phrase(target, indicator) -> str:
    if target.entered_as == EnteredAs.RATE and target.rate_pct is not None:
        base = DenominatorKind(indicator.denominator).label.lower()
        return f"{format_number(target.rate_pct, 2)}% {base}, tương ứng {_people(target.count)}"
    return _people(target.count)


def render_targets(block: PlanBlock, document: PlanDocument) -> list[Part]:
    params = block.params
    period = _period(params.get("period"), Period.of_year(document.year))
    codes = params.get("indicators") or []
    items = []
    for item in selectors.unit_targets(unit=document.unit, indicator_codes=codes, period=period):
        target = item.main
        if target is None:
            continue
        text = f"{item.indicator.short_name}: {_target_phrase(target, item.indicator)}"
        if item.assigned and item.self_set and item.assigned.count != item.self_set.count:
            text += (f" (cấp trên giao {_people(item.assigned.count)}, "
                     f"phấn đấu {_people(item.self_set.count)})")
        if item.parts:
            parent_name = item.indicator.name
            parts = []
            for part in item.parts:
                name = part.indicator.name.removeprefix(parent_name).strip()
                if not name or name == part.indicator.name:
                    name = part.indicator.short_name
                parts.append(f"{name} {_target_phrase(part.main, part.indicator)}")
            text += "; trong đó: " + ", ".join(parts)
        items.append(format_html("{};", text))
    if not items:
        return [*_lead(block), _note(f"Chưa có chỉ tiêu {period.label.lower()} của {document.unit.name} trong hệ thống.")]
    return [*_lead(block), HtmlPart(_list(items))]


# --- allocation ----------------------------------------------------------------------------------
def render_allocation(block: PlanBlock, document: PlanDocument) -> list[Part]:
    params = block.params
    indicator = _indicator(params.get("indicator", ""))
    period = _period(params.get("period"), Period.of_year(document.year))
    unit = document.unit
    alloc = selectors.allocation(unit=unit, indicator=indicator, period=period)
    parts = _lead(block)
    if alloc.basis is None and not alloc.shares:
        return [*parts, _note(f"Chưa có chỉ tiêu {indicator.short_name} {period.label.lower()} của {unit.name} "
                              "trong hệ thống.")]
    items = []
    if alloc.assigned:
        giver = selectors.level_word(unit.parent).capitalize() or "Cấp trên"
        items.append(format_html("{} giao: <strong>{}</strong> người;", giver, format_number(alloc.assigned.count)))
    if alloc.self_set:
        own = selectors.level_word(unit).capitalize()
        items.append(format_html("{} phấn đấu: <strong>{}</strong> người;{}", own,
                                 format_number(alloc.self_set.count),
                                 " được phân bổ như sau:" if alloc.shares else ""))
    elif alloc.shares:
        items.append(format_html("Được phân bổ như sau:"))
    parts.append(HtmlPart(_list(items)))
    if alloc.shares:
        parts.append(TablePart(selectors.allocation_table(alloc),
                               note=f"Tổng số phân bổ: {alloc.formula} người. {alloc.check.message}"))
    return parts


# --- coverage, remaining, evaluation -------------------------------------------------------------
def _no_results(as_of: Period) -> str:
    return (f"Chưa có số liệu kết quả hằng tháng đến ngày {as_of.end:%d/%m/%Y} trong hệ thống: "
            "các cột số người tham gia, tỷ lệ và số người còn phải vận động để trống.")


# The reports app's tables a block may name, and the indicator each one is about (its summary).
_TABLE_INDICATOR = {"bhyt": "bhyt", "bhxh": "bhxh", "bhtn": "bhtn", "students": "bhyt_hoc_sinh"}
_REMAINING_INDICATORS = ["bhxh_bb", "bhxh_tn", "bhtn", "bhyt"]


def _target_period(params: dict) -> Period | None:
    """The block's own target period, when it names one; else the targets that apply in the month."""
    return Period.parse(params["target_period"]) if params.get("target_period") else None


def _summary(unit, as_of: Period, target_period: Period, subject: str, total: dict) -> HtmlPart | None:
    """'Tính đến ngày 30/06/2023, toàn huyện có 132.600 người tham gia BHYT, ...' from the total row."""
    if total.get("participants") is None:
        return None
    sentence = (f"Tính đến ngày {as_of.end:%d/%m/%Y}, toàn {selectors.level_word(unit)} có "
                f"{_people(total['participants'])} tham gia {subject}")
    if total.get("coverage") is not None:
        sentence += f", tỷ lệ bao phủ {format_number(total['coverage'], 2)}%"
    if total.get("achievement") is not None:
        sentence += f", bằng {format_number(total['achievement'], 2)}% chỉ tiêu được giao"
    if total.get("remaining") is not None and total["remaining"] > 0:
        sentence += (f". Đến cuối {target_period.label.lower()} còn phải phát triển "
                     f"{_people(total['remaining'])} mới đạt chỉ tiêu được giao")
    return HtmlPart(format_html("<p>{}.</p>", sentence))


def _students_summary(unit, as_of: Period, total: dict) -> HtmlPart | None:
    """'tính đến ngày 30/06/2023, toàn huyện có 26.417/26.564 học sinh tham gia BHYT ...', as the plan words it."""
    if total.get("pupils") is None:
        return None
    sentence = (f"Về BHYT học sinh: tính đến ngày {as_of.end:%d/%m/%Y}, toàn {selectors.level_word(unit)} có "
                f"{format_number(total['insured'])}/{format_number(total['pupils'])} học sinh tham gia BHYT chiếm "
                f"{format_number(total['rate'], 2)}% tổng số học sinh")
    if total["remaining"] > 0:
        sentence += f", vẫn còn {format_number(total['remaining'])} em chưa tham gia BHYT"
    return HtmlPart(format_html("<p>{}.</p>", sentence))


def render_coverage(block: PlanBlock, document: PlanDocument) -> list[Part]:
    """A coverage table: one of the reports app's tables (table: bhyt, bhxh, bhtn, students), or the
    table of any indicator by child unit (indicator: bhxh_tn, bhyt_hgd, ...), reports.tables.indicator.
    Either way the figures are the coverage page's and the dashboard's."""
    params = block.params
    as_of = _period(params.get("as_of"), document.period)
    target_period = _period(params.get("target_period"), Period.of_year(document.year))
    table_name, code = params.get("table", ""), params.get("indicator", "")
    if not table_name and not code:
        raise ValidationError("Bảng tỷ lệ bao phủ cần 'table' (bhyt, bhxh, bhtn, students) hoặc 'indicator'.")
    if table_name:
        if table_name not in _TABLE_INDICATOR:
            raise ValidationError(f"Không có bảng '{table_name}' (có: {', '.join(_TABLE_INDICATOR)}).")
        if as_of.type != "month":
            raise ValidationError("Bảng tỷ lệ bao phủ cần số liệu đến một tháng (as_of: YYYY-MM).")
        data = selectors.report_table(unit=document.unit, table=table_name, month=as_of)
        code = code or _TABLE_INDICATOR[table_name]
        indicator = _indicator(code)
    else:
        indicator = _indicator(code)
        data = selectors.coverage_table(unit=document.unit, indicator=indicator, as_of=as_of,
                                        target_period=_target_period(params), with_change=params.get("change", True))
        as_of = selectors.month_of(as_of)
    parts = _lead(block)
    total = next((r.values for r in data.table.rows if r.is_total), {})
    if table_name == "students":
        summary = _students_summary(document.unit, as_of, total)
        data = selectors.CoverageData(data.table, summary is not None, data.figures)
    else:
        summary = _summary(document.unit, as_of, target_period, indicator.short_name, total)
    if data.has_results and params.get("summary", True) and summary is not None:
        parts.append(summary)
    parts.append(TablePart(data.table, landscape=params.get("landscape", True),
                           note="" if data.has_results else _no_results(as_of)))
    return parts


def render_remaining(block: PlanBlock, document: PlanDocument) -> list[Part]:
    """People still to mobilise by child unit: the reports app's table (BHXH BB, BHXH TN, BHTN,
    BHYT), or for the indicators listed (reports.tables.indicator)."""
    params = block.params
    as_of = _period(params.get("as_of"), document.period)
    codes = params.get("indicators") or []
    if not codes and as_of.type == "month":
        data = selectors.report_table(unit=document.unit, table="remaining", month=as_of)
    else:
        indicators = [_indicator(c) for c in (codes or _REMAINING_INDICATORS)]
        data = selectors.remaining_table(unit=document.unit, indicators=indicators, as_of=as_of,
                                         target_period=_target_period(params))
    return [*_lead(block), TablePart(data.table, landscape=params.get("landscape", False),
                                     note="" if data.has_results else _no_results(selectors.month_of(as_of)))]


def render_evaluation(block: PlanBlock, document: PlanDocument) -> list[Part]:
    params = block.params
    indicators = [_indicator(c) for c in params.get("indicators", [])]
    if not indicators:
        raise ValidationError("Bảng đánh giá cần ít nhất một chỉ tiêu (indicators).")
    year = params.get("year") or document.year - 1
    data = selectors.evaluation_table(unit=document.unit, indicators=indicators, year=year)
    note = "" if data.has_results else f"Chưa có số liệu kết quả năm {year} trong hệ thống: các cột thực hiện để trống."
    return [*_lead(block), TablePart(data.table, landscape=params.get("landscape", True), note=note)]


# --- activities ----------------------------------------------------------------------------------
_ACTIVITY_KEYS = ("activity", "organiser", "count", "place", "dates", "invitees", "attendance", "expected")


def parse_activities(text: str) -> dict:
    rows = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > len(_ACTIVITY_KEYS):
            raise ValidationError(f"Dòng {line_no}: nhiều hơn {len(_ACTIVITY_KEYS)} cột.")
        cells += [""] * (len(_ACTIVITY_KEYS) - len(cells))
        values = dict(zip(_ACTIVITY_KEYS, cells))
        if not values["activity"]:
            raise ValidationError(f"Dòng {line_no}: thiếu tên hoạt động.")
        start, end = _parse_range(values.pop("dates"), line_no)
        for key in ("count", "attendance"):
            if values[key] and not values[key].replace(".", "").isdigit():
                raise ValidationError(f"Dòng {line_no}: cột {key} phải là số.")
            values[key] = int(values[key].replace(".", "")) if values[key] else None
        rows.append({**values, "start": _iso(start), "end": _iso(end)})
    return {"rows": rows}


def _range_text(start: str | None, end: str | None) -> str:
    if not start:
        return ""
    if not end or end == start:
        return _dmy(start)
    return f"{_dmy(start)} - {_dmy(end)}"


def format_activities(params: dict) -> str:
    lines = []
    for row in params.get("rows", []):
        cells = [row.get("activity", ""), row.get("organiser", ""), _num(row.get("count")), row.get("place", ""),
                 _range_text(row.get("start"), row.get("end")), row.get("invitees", ""),
                 _num(row.get("attendance")), row.get("expected", "")]
        lines.append(" | ".join(str(c) for c in cells).rstrip(" |"))
    return "\n".join(lines)


def _num(value) -> str:
    return "" if value in (None, "") else str(value)


def render_activities(block: PlanBlock, document: PlanDocument) -> list[Part]:
    rows = selectors.activity_rows(unit=document.unit, period=document.period) + list(block.params.get("rows", []))
    table = Table(key="activities", title="Lịch hoạt động", columns=[
        Column("stt", "STT", "A", "text"), Column("activity", "Hoạt động", "B", "text"),
        Column("organiser", "Đơn vị tổ chức", "C", "text"), Column("count", "Số cuộc", "1"),
        Column("place", "Địa điểm", "D", "text"), Column("dates", "Thời gian", "E", "text"),
        Column("invitees", "Thành phần mời", "F", "text"), Column("attendance", "Số người dự (dự kiến)", "2"),
        Column("expected", "Dự kiến người tham gia mới", "G", "text"),
    ])
    for index, row in enumerate(rows, start=1):
        start, end = row.get("start"), row.get("end")
        if isinstance(start, datetime.date):
            start, end = _iso(start), _iso(end)
        table.rows.append(Row({**row, "stt": str(index), "dates": _range_text(start, end)}))
    parts = _lead(block)
    if not rows:
        return [*parts, _note("Chưa có hoạt động nào trong kỳ.")]
    return [*parts, TablePart(table, landscape=block.params.get("landscape", True))]


# --- phases --------------------------------------------------------------------------------------
_PHASE = re.compile(rf"^\s*({_DATE}(?:\s*(?:-|–|đến)\s*{_DATE})?)\s*:\s*(.+)$")


def parse_phases(text: str) -> dict:
    phases = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().removeprefix("- ").strip()
        if not line or line.startswith("#"):
            continue
        match = _PHASE.match(line)
        if not match:
            raise ValidationError(
                f"Dòng {line_no}: ghi 'dd/mm/yyyy - dd/mm/yyyy: việc làm trong giai đoạn' (vd: "
                "21/03/2021 - 25/03/2021: Hội nghị triển khai kế hoạch)."
            )
        start, end = _parse_range(match.group(1), line_no)
        phases.append({"start": _iso(start), "end": _iso(end), "text": match.group(match.lastindex).strip()})
    return {"phases": phases}


def format_phases(params: dict) -> str:
    return "\n".join(f"{_range_text(p.get('start'), p.get('end'))}: {p.get('text', '')}"
                     for p in params.get("phases", []))


def phase_dates(start: str | None, end: str | None) -> str:
    """'Từ ngày 01/04/2021 đến ngày 31/07/2021' or 'Ngày 25/10/2024'."""
    if not start:
        return ""
    if not end or end == start:
        return f"Ngày {_dmy(start)}"
    return f"Từ ngày {_dmy(start)} đến ngày {_dmy(end)}"


def render_phases(block: PlanBlock, document: PlanDocument) -> list[Part]:
    items = [format_html("{}: {}", phase_dates(p.get("start"), p.get("end")), p.get("text", ""))
             for p in block.params.get("phases", [])]
    return [*_lead(block), HtmlPart(_list(items))]


# --- assignments ---------------------------------------------------------------------------------
def parse_assignments(text: str) -> dict:
    numbering = "a"
    items: list[dict] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("đánh số:"):
            numbering = line.split(":", 1)[1].strip()
            if numbering not in ("a", "1", ""):
                raise ValidationError(f"Dòng {line_no}: đánh số là 'a', '1' hoặc để trống.")
            continue
        if line.startswith(("- ", "+ ")):
            if not items:
                raise ValidationError(f"Dòng {line_no}: nhiệm vụ phải nằm dưới tên một cơ quan.")
            items[-1]["duties"].append(line[2:].strip())
        else:
            items.append({"body": line.rstrip(":").strip(), "duties": []})
    return {"numbering": numbering, "items": items}


def format_assignments(params: dict) -> str:
    lines = [f"đánh số: {params.get('numbering', 'a')}"]
    for item in params.get("items", []):
        lines.append(item.get("body", ""))
        lines += [f"- {d}" for d in item.get("duties", [])]
    return "\n".join(lines)


def _marker(numbering: str, index: int) -> str:
    if numbering == "a":
        return f"{'abcdefghiklmnopqrstuvxy'[index % 23]}) "
    if numbering == "1":
        return f"{index + 1}. "
    return ""


def render_assignments(block: PlanBlock, document: PlanDocument) -> list[Part]:
    numbering = block.params.get("numbering", "a")
    chunks = []
    for index, item in enumerate(block.params.get("items", [])):
        chunks.append(format_html('<p class="assignee"><strong>{}{}</strong></p>', _marker(numbering, index),
                                  item.get("body", "")))
        chunks.append(_list([format_html("{}", d) for d in item.get("duties", [])]))
    return [*_lead(block), HtmlPart(mark_safe("".join(chunks)))]  # noqa: S308 — built by format_html


# --- reporting -----------------------------------------------------------------------------------
def parse_reporting(text: str) -> dict:
    items = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().removeprefix("- ").strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != 3 or not all(cells):
            raise ValidationError(f"Dòng {line_no}: ghi 'báo cáo gì | gửi ai | thời hạn' "
                                  "(vd: Báo cáo kết quả | UBND thị xã | trước ngày 30/11 hằng năm).")
        items.append({"what": cells[0], "to": cells[1], "by": cells[2]})
    return {"items": items}


def format_reporting(params: dict) -> str:
    return "\n".join(f"{i['what']} | {i['to']} | {i['by']}" for i in params.get("items", []))


def render_reporting(block: PlanBlock, document: PlanDocument) -> list[Part]:
    # The sentence's full stop is printed here: a deadline typed with its own ('… khi có yêu cầu.', or the
    # end mark '/.') would otherwise print two.
    items = [format_html("{}: gửi {} {}.", i["what"], i["to"], i["by"].rstrip(" ./"))
             for i in block.params.get("items", [])]
    return [*_lead(block), HtmlPart(_list(items))]


# --- the registry --------------------------------------------------------------------------------
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
