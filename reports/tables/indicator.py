"""Coverage of any one indicator by child unit, and the people still to mobilise for a list of
indicators: the tables of the plan blocks that name indicators (`indicator: bhxh_tn`), and the
figures of the dashboard ("Tổng quan") and its ranking of the children. The same inputs
(reports.tables.inputs) and rules (reports.tables.figures) as the BHYT, BHXH and BHTN tables, so a
unit's figure is the same on each of them.

Columns of the coverage table: A STT | B unit | 1 denominator | 2 participants | 3=2/1 coverage |
4 target rate | 5=3/4 achievement | (6 change vs last month) | 7 remaining.
"""

from targets.models import DenominatorKind

from .base import Column, Row, Table
from .coverage import CoverageFigures, coverage_figures
from .figures import part_target_count, percent, target_count_of
from .inputs import CoverageInputs

DENOMINATOR_HEADERS = {
    DenominatorKind.POPULATION: "Dân số",
    DenominatorKind.LABOUR_FORCE: "Lực lượng lao động",
    DenominatorKind.PUPILS: "Số học sinh, sinh viên",
    DenominatorKind.REQUIRED_TO_JOIN: "Số người thuộc diện tham gia BHXH bắt buộc",
    DenominatorKind.VOLUNTARY_ELIGIBLE: "Số người thuộc diện tham gia BHXH tự nguyện",
}


def indicator_figures(inputs: CoverageInputs, unit, code: str, *, with_change: bool = False) -> CoverageFigures:
    """A unit's figures for an indicator in the month of the inputs."""
    kind = inputs.denominator_kinds.get(code, DenominatorKind.POPULATION)
    denominator = inputs.denominator(unit, kind)
    assigned = inputs.assigned_count(unit, code)
    rate = inputs.rate(unit, code)
    if rate is None and assigned is None:  # a composite's part with no target of its own
        assigned = part_target_count(code, lambda c: target_count_of(
            rate=inputs.rate(unit, c), assigned=inputs.assigned_count(unit, c), denominator=denominator))
    previous = None
    if with_change:
        previous = percent(inputs.value(unit, code, previous=True), inputs.denominator(unit, kind, previous=True))
    return coverage_figures(denominator=denominator, participants=inputs.value(unit, code), target_rate=rate,
                            previous_coverage_pct=previous, target_count_override=assigned)


def _values(f: CoverageFigures) -> dict:
    return {"denominator": f.denominator, "participants": f.participants, "coverage": f.coverage_pct,
            "target_rate": f.target_rate, "achievement": f.achievement_pct, "change": f.change_pp,
            "remaining": f.remaining}


def indicator_table(inputs: CoverageInputs, indicator, *, with_change: bool = True,
                    remaining_until: str = "") -> Table:
    """Coverage of `indicator` (an Indicator) by child unit, the parent last from its own figures."""
    parent = inputs.parent
    child_header = "Xã, phường, thị trấn" if parent.level.code == "huyen" else "Đơn vị"
    denominator = DENOMINATOR_HEADERS.get(indicator.denominator, "Mẫu số")
    short = indicator.short_name
    columns = [
        Column("stt", "STT", "A", "text"), Column("name", child_header, "B", "text"),
        Column("denominator", f"{denominator} (người)", "1"),
        Column("participants", f"Tổng số người tham gia {short} (người)", "2"),
        Column("coverage", f"Tỷ lệ bao phủ {short} so với {denominator.lower()} (%)", "3=2/1", "percent"),
        Column("target_rate", "Kế hoạch giao (%)", "4", "percent"),
        Column("achievement", "Tỷ lệ đạt so với kế hoạch giao (%)", "5=3/4", "percent"),
    ]
    if with_change:
        columns.append(Column("change", "Tăng, giảm so với tháng trước (%)", "6", "pp"))
    until = remaining_until or f"năm {inputs.month.year}"
    columns.append(Column("remaining", f"Số người còn phải vận động đến cuối {until}", str(len(columns) - 1)))
    table = Table(key=f"coverage_{indicator.code}",
                  title=f"Kết quả tham gia {short} đến {inputs.month.end:%d/%m/%Y}", columns=columns)
    for index, child in enumerate(inputs.children, start=1):
        figures = indicator_figures(inputs, child, indicator.code, with_change=with_change)
        table.rows.append(Row({"stt": f"{index}.", "name": child.name, **_values(figures)},
                              note=inputs.history_note(child)))
    figures = indicator_figures(inputs, parent, indicator.code, with_change=with_change)
    table.rows.append(Row({"stt": "", "name": "Tổng cộng", **_values(figures)}, is_total=True,
                          note=inputs.history_note(parent)))
    return table


def indicator_remaining_table(inputs: CoverageInputs, indicators: list, *, until: str = "") -> Table:
    """People still to mobilise per child unit and indicator (Indicator objects); the total row is
    the parent's own remaining."""
    group = f"Số người còn phải thực hiện {until or f'năm {inputs.month.year}'}"
    columns = [Column("stt", "TT", "A", "text"), Column("name", "Đơn vị", "B", "text")]
    columns += [Column(f"i{i.pk}", i.short_name, str(n), group=group) for n, i in enumerate(indicators, start=1)]
    columns.append(Column("note", "Ghi chú", str(len(indicators) + 1), "text"))
    table = Table(key="remaining", title=group, columns=columns)
    for index, member in enumerate(inputs.units, start=1):
        is_total = member.pk == inputs.parent.pk
        row = {"stt": "" if is_total else str(index), "name": "Tổng cộng" if is_total else member.name, "note": ""}
        for indicator in indicators:
            row[f"i{indicator.pk}"] = indicator_figures(inputs, member, indicator.code).remaining
        table.rows.append(Row(row, is_total=is_total, note=inputs.history_note(member)))
    return table
