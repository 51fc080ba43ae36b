"""The four coverage tables of the Càng Long half-year plan (DOMAIN.md section 4), one builder each.

Each builder takes CoverageInputs and returns a Table: children in code order, the parent last,
every figure of the parent row computed from the parent's own denominator, target and participants.
"""

from .base import Column, Row, Table
from .coverage import coverage_figures
from .evaluation import evaluation_report_table
from .figures import achievement_pct, complete_composites, part_target_count, percent, target_count_of
from .inputs import CoverageInputs
from .students import students_table


def _stt_and_name(inputs: CoverageInputs, index: int | None, unit) -> dict:
    if index is None:
        return {"stt": "", "unit": f"Tổng cộng ({unit.name})"}
    return {"stt": str(index), "unit": unit.name}


def _rows(inputs: CoverageInputs, compute) -> list[Row]:
    rows = [Row(_stt_and_name(inputs, i, u) | compute(u)) for i, u in enumerate(inputs.children, start=1)]
    rows.append(Row(_stt_and_name(inputs, None, inputs.parent) | compute(inputs.parent), is_total=True))
    return rows


def _subtitle(inputs: CoverageInputs) -> str:
    text = f"Số liệu đến ngày {inputs.month.end:%d/%m/%Y}"
    if inputs.boundaries:
        text += f", theo ranh giới đơn vị ngày {inputs.boundaries:%d/%m/%Y}"
    return text


def _marked(table: Table, inputs: CoverageInputs) -> Table:
    """Each row says where its figures come from when the unit did not exist in the month (the rows
    are the children in order, the parent last)."""
    for row, unit in zip(table.rows, inputs.units):
        row.note = inputs.history_note(unit)
    return table


def _with_gaps(inputs: CoverageInputs, rows: list[Row], keys: tuple[str, ...], what: str) -> str:
    """The subtitle, plus which rows have no participants figure: a blank row says nothing, so the
    table names the units it has no figures for (all of them: only the parent's own total)."""
    missing = [r.values["unit"] for r in rows if not r.is_total and all(r.values.get(k) is None for k in keys)]
    if not missing:
        return _subtitle(inputs)
    if len(missing) == len(rows) - 1:
        note = f"chưa có số người tham gia {what} của từng đơn vị cấp dưới, chỉ có số của {inputs.parent.name}"
    else:
        note = f"chưa có số người tham gia {what} của {len(missing)} đơn vị: {', '.join(missing)}"
    return f"{_subtitle(inputs)} · {note[0].upper()}{note[1:]}"


def _child_label(inputs: CoverageInputs) -> str:
    return "Xã, phường" if inputs.parent.level.code == "huyen" else "Đơn vị"


def bhyt_table(inputs: CoverageInputs) -> Table:
    columns = [
        Column("stt", "STT", "A", kind="text"),
        Column("unit", _child_label(inputs), "B", kind="text"),
        Column("population", "Dân số (người)", "1"),
        Column("participants", "Tổng số người tham gia BHYT (người)", "2"),
        Column("coverage", "Tỷ lệ bao phủ BHYT so với tổng dân số (%)", "3=2/1", kind="percent"),
        Column("target_rate", "Kế hoạch giao (%)", "4", kind="percent"),
        Column("achievement", "Tỷ lệ đạt được so với giao (%)", "5=3/4", kind="percent"),
        Column("change", "Tỷ lệ % (tăng, giảm) so với tháng trước", "6", kind="pp"),
        Column("remaining", "Số người còn phải vận động", "7"),
    ]

    def compute(unit):
        previous = percent(inputs.value(unit, "bhyt", previous=True),
                           inputs.denominator(unit, "population", previous=True))
        f = coverage_figures(denominator=inputs.denominator(unit, "population"),
                             participants=inputs.value(unit, "bhyt"), target_rate=inputs.rate(unit, "bhyt"),
                             previous_coverage_pct=previous, target_count_override=inputs.assigned_count(unit, "bhyt"))
        return {"population": f.denominator, "participants": f.participants, "coverage": f.coverage_pct,
                "target_rate": f.target_rate, "achievement": f.achievement_pct, "change": f.change_pp,
                "remaining": f.remaining}

    rows = _rows(inputs, compute)
    return _marked(Table("bhyt", "Kết quả thực hiện chỉ tiêu bao phủ BHYT", columns, rows,
                 subtitle=_with_gaps(inputs, rows, ("participants",), "BHYT")), inputs)


def bhxh_table(inputs: CoverageInputs) -> Table:
    g_plan, g_count, g_vs_lf, g_vs_plan, g_left = (
        "Kế hoạch giao", "Số người tham gia BHXH", "Đạt tỷ lệ % so với LLLĐ (%)",
        "Đạt tỷ lệ % so với giao (%)", "Số người còn phải vận động")
    columns = [
        Column("stt", "STT", "1", kind="text"),
        Column("unit", _child_label(inputs), "2", kind="text"),
        Column("labour_force", "Lực lượng lao động", "3"),
        Column("rate_total", "Tỷ lệ tham gia BHXH", "4", kind="percent", group=g_plan),
        Column("rate_voluntary", "Tỷ lệ tham gia BHXH tự nguyện", "5", kind="percent", group=g_plan),
        Column("compulsory", "BHXH bắt buộc", "6", group=g_count),
        Column("voluntary", "BHXH tự nguyện", "7", group=g_count),
        Column("total", "Tổng cộng", "8=6+7", group=g_count),
        Column("pct_total", "BHXH", "9=8/3", kind="decimal", group=g_vs_lf),
        Column("pct_voluntary", "Trong đó BHXH tự nguyện", "10=7/3", kind="decimal", group=g_vs_lf),
        Column("ach_total", "BHXH", "11=9/4", kind="decimal", group=g_vs_plan),
        Column("ach_voluntary", "Trong đó BHXH tự nguyện", "12=10/5", kind="decimal", group=g_vs_plan),
        Column("left_compulsory", "BHXH bắt buộc", "13", group=g_left),
        Column("left_voluntary", "BHXH tự nguyện", "14", group=g_left),
    ]

    def compute(unit):
        labour = inputs.denominator(unit, "labour_force")
        # the composite's parts and whole as loaded (figures.complete_composites: BHXH = BB + TN)
        values = complete_composites({c: inputs.value(unit, c) for c in ("bhxh", "bhxh_bb", "bhxh_tn")})
        compulsory, voluntary, total = values["bhxh_bb"], values["bhxh_tn"], values["bhxh"]
        rate_total, rate_voluntary = inputs.rate(unit, "bhxh"), inputs.rate(unit, "bhxh_tn")
        pct_total, pct_voluntary = percent(total, labour), percent(voluntary, labour)

        def count_of(code):
            return target_count_of(rate=inputs.rate(unit, code), assigned=inputs.assigned_count(unit, code),
                                   denominator=labour)

        count_voluntary = count_of("bhxh_tn")
        # the compulsory part of the target, unless set, is the difference of the two (figures.part_target_count)
        count_compulsory = count_of("bhxh_bb")
        if count_compulsory is None:
            count_compulsory = part_target_count("bhxh_bb", count_of)
        return {
            "labour_force": labour, "rate_total": rate_total, "rate_voluntary": rate_voluntary,
            "compulsory": compulsory, "voluntary": voluntary, "total": total,
            "pct_total": pct_total, "pct_voluntary": pct_voluntary,
            "ach_total": achievement_pct(participants=total, denominator=labour, rate=rate_total,
                                         assigned=inputs.assigned_count(unit, "bhxh")),
            "ach_voluntary": achievement_pct(participants=voluntary, denominator=labour, rate=rate_voluntary,
                                             assigned=inputs.assigned_count(unit, "bhxh_tn")),
            "left_compulsory": None if count_compulsory is None or compulsory is None else count_compulsory - compulsory,
            "left_voluntary": None if count_voluntary is None or voluntary is None else count_voluntary - voluntary,
        }

    rows = _rows(inputs, compute)
    return _marked(Table("bhxh", "Kết quả thực hiện chỉ tiêu tham gia BHXH", columns, rows,
                 subtitle=_with_gaps(inputs, rows, ("compulsory", "voluntary", "total"), "BHXH")), inputs)


def bhtn_table(inputs: CoverageInputs) -> Table:
    columns = [
        Column("stt", "STT", "A", kind="text"),
        Column("unit", _child_label(inputs), "B", kind="text"),
        Column("labour_force", "Lực lượng lao động", "1"),
        Column("participants", "Số người tham gia BHTN", "2"),
        Column("coverage", "Tỷ lệ bao phủ BHTN so với LLLĐ (%)", "3=2/1", kind="percent"),
        Column("target_rate", "Kế hoạch giao (%)", "4", kind="percent"),
        Column("achievement", "Tỷ lệ đạt được so với giao (%)", "5=3/4", kind="percent"),
        Column("remaining", "Số người còn phải vận động", "6"),
    ]

    def compute(unit):
        f = coverage_figures(denominator=inputs.denominator(unit, "labour_force"),
                             participants=inputs.value(unit, "bhtn"), target_rate=inputs.rate(unit, "bhtn"),
                             target_count_override=inputs.assigned_count(unit, "bhtn"))
        return {"labour_force": f.denominator, "participants": f.participants, "coverage": f.coverage_pct,
                "target_rate": f.target_rate, "achievement": f.achievement_pct, "remaining": f.remaining}

    rows = _rows(inputs, compute)
    return _marked(Table("bhtn", "Kết quả thực hiện chỉ tiêu tham gia BHTN", columns, rows,
                 subtitle=_with_gaps(inputs, rows, ("participants",), "BHTN")), inputs)


def remaining_table(inputs: CoverageInputs) -> Table:
    group = f"Số người còn phải thực hiện đến hết năm {inputs.month.year}"
    columns = [
        Column("stt", "TT", "A", kind="text"),
        Column("unit", "Đơn vị", "B", kind="text"),
        Column("bhxh_bb", "BHXH bắt buộc", "1", group=group),
        Column("bhxh_tn", "BHXH tự nguyện", "2", group=group),
        Column("bhtn", "BHTN", "3", group=group),
        Column("bhyt", "BHYT", "4", group=group),
        Column("note", "Ghi chú", "5", kind="text"),
    ]
    bhxh, bhtn, bhyt = bhxh_table(inputs), bhtn_table(inputs), bhyt_table(inputs)

    def compute_from(index: int) -> dict:
        return {"bhxh_bb": bhxh.rows[index].values["left_compulsory"],
                "bhxh_tn": bhxh.rows[index].values["left_voluntary"],
                "bhtn": bhtn.rows[index].values["remaining"], "bhyt": bhyt.rows[index].values["remaining"],
                "note": ""}

    rows = [Row(_stt_and_name(inputs, i + 1, u) | compute_from(i)) for i, u in enumerate(inputs.children)]
    rows.append(Row(_stt_and_name(inputs, None, inputs.parent) | compute_from(len(inputs.children)), is_total=True))
    return _marked(Table("remaining", "Số người còn phải vận động tham gia BHXH, BHYT, BHTN", columns, rows,
                 subtitle=_subtitle(inputs)), inputs)


TABLES = {"bhyt": bhyt_table, "bhxh": bhxh_table, "bhtn": bhtn_table, "remaining": remaining_table,
          # students' BHYT by school (the plan's appendix): schools and their figures per school year,
          # not CoverageInputs; reports.coverage.coverage_table_build uses the builder's own `load_inputs`
          "students": students_table,
          # the yearly evaluation (this year against last year and its plan, next year's target) of the
          # parent unit itself; its builder loads its own inputs (reports.tables.evaluation)
          "evaluation": evaluation_report_table}
TABLE_LABELS = {"bhyt": "BHYT theo đơn vị", "bhxh": "BHXH (bắt buộc, tự nguyện) theo đơn vị",
                "bhtn": "BHTN theo đơn vị", "remaining": "Số người còn phải vận động",
                "students": "BHYT học sinh theo trường",
                "evaluation": "Đánh giá kết quả năm (so với năm trước, kế hoạch)"}
