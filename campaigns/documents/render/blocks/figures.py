"""Blocks that print the unit's figures: text, targets, allocation, coverage, remaining, evaluation."""

from django.core.exceptions import ValidationError
from django.utils.html import format_html

from bhxh_portal.numbers import format_number
from targets.models import DenominatorKind, EnteredAs
from units.periods import Period

from ... import selectors
from ....models import PlanBlock, PlanDocument
from .common import HtmlPart, Part, TablePart, _indicator, _lead, _list, _note, _people, _period


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
