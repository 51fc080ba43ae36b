"""The yearly evaluation of the 2020 Hướng Hóa plan: this year against last year and the plan,
and next year's target (DOMAIN.md section 4; golden/huong_hoa_2019_evaluation.csv).

- increase = this year − last year; increase % = increase / last year × 100
- % of plan = this year / this year's plan × 100
- % of labour force = participants / labour force × 100
- % of required = participants / people required to join (BHXH TN: those who may join voluntarily)
- growth = next year's target / this year × 100
"""

from dataclasses import dataclass
from fractions import Fraction

from .base import Column, Row, Table, percent


@dataclass(frozen=True)
class EvaluationInput:
    indicator: str
    label: str
    participants: int | None
    participants_last_year: int | None
    plan: int | None
    labour_force: int | None
    required_to_join: int | None
    next_target: int | None


@dataclass(frozen=True)
class EvaluationFigures:
    increase: int | None
    increase_pct: Fraction | None
    pct_of_plan: Fraction | None
    pct_of_labour_force: Fraction | None
    pct_of_required: Fraction | None
    next_target_pct_of_labour_force: Fraction | None
    next_target_pct_of_required: Fraction | None
    growth_pct: Fraction | None


def evaluation_figures(item: EvaluationInput) -> EvaluationFigures:
    now, before = item.participants, item.participants_last_year
    increase = None if now is None or before is None else now - before
    return EvaluationFigures(
        increase=increase,
        increase_pct=percent(increase, before),
        pct_of_plan=percent(now, item.plan),
        pct_of_labour_force=percent(now, item.labour_force),
        pct_of_required=percent(now, item.required_to_join),
        next_target_pct_of_labour_force=percent(item.next_target, item.labour_force),
        next_target_pct_of_required=percent(item.next_target, item.required_to_join),
        growth_pct=percent(item.next_target, now),
    )


def evaluation_table(*, items: list[EvaluationInput], year: int, unit_name: str) -> Table:
    columns = [
        Column("label", "Chỉ tiêu", "A", kind="text"),
        Column("participants_last_year", f"Năm {year - 1}", "1", group="Số người tham gia"),
        Column("participants", f"Năm {year}", "2", group="Số người tham gia"),
        Column("increase", "Tăng (người)", "3=2-1", group="So với năm trước"),
        Column("increase_pct", "Tăng (%)", "4=3/1", kind="percent", group="So với năm trước"),
        Column("plan", f"Kế hoạch năm {year}", "5"),
        Column("pct_of_plan", "% kế hoạch", "6=2/5", kind="percent"),
        Column("pct_of_labour_force", "% LLLĐ", "7", kind="percent"),
        Column("pct_of_required", "% đối tượng phải tham gia", "8", kind="percent"),
        Column("next_target", f"Chỉ tiêu năm {year + 1}", "9", group=f"Năm {year + 1}"),
        Column("growth_pct", "Tốc độ phát triển (%)", "10=9/2", kind="percent", group=f"Năm {year + 1}"),
    ]
    rows = []
    for item in items:
        f = evaluation_figures(item)
        rows.append(Row({"label": item.label, "participants_last_year": item.participants_last_year,
                         "participants": item.participants, "increase": f.increase, "increase_pct": f.increase_pct,
                         "plan": item.plan, "pct_of_plan": f.pct_of_plan, "pct_of_labour_force": f.pct_of_labour_force,
                         "pct_of_required": f.pct_of_required, "next_target": item.next_target,
                         "growth_pct": f.growth_pct}))
    return Table("evaluation", f"Đánh giá kết quả năm {year} và chỉ tiêu năm {year + 1}", columns, rows,
                 subtitle=unit_name)
