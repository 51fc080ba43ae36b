"""The yearly evaluation of the 2020 Hướng Hóa plan: this year against last year and the plan,
and next year's target (DOMAIN.md section 4; golden/huong_hoa_2019_evaluation.csv).

- increase = this year − last year; increase % = increase / last year × 100
- % of plan = the achievement against this year's plan (reports.tables.figures: this year / the
  plan's count × 100 for a plan assigned as a count, coverage / rate for one assigned as a rate), so
  it is the figure the coverage tables and the dashboard print
- % of labour force = participants / labour force × 100
- % of required = participants / people required to join (BHXH TN: those who may join voluntarily)
- growth = next year's target / this year × 100

Inputs (`load_evaluation_inputs`, used by the coverage registry, the page, the downloads, the CLI and
the district-yearly plan's EVALUATION block): participants at the end of the year and of the year
before from the monthly results (targets.progress; BHXH the sum of its parts where it has no figure),
the targets that apply at the end of the year and of the next (reports.tables.figures), and the
year's denominators; a few queries plus those of the results, whatever the unit.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from units.periods import Period

from .base import Column, Row, Table
from .figures import (achievement_pct, applicable_targets, complete_composites, computing_rate, percent,
                      with_parts)

# The indicators of the plan (reference plan 2020, section I).
EVALUATION_INDICATORS = ["bhxh", "bhxh_bb", "bhxh_tn", "bhtn"]
# People required to join, per indicator (Demographics field); BHXH TN: those who may join voluntarily.
REQUIRED_FIELD = {"bhxh_bb": "required_to_join", "bhxh_tn": "voluntary_eligible", "bhtn": "bhtn_required"}


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
    plan_rate: Fraction | None = None  # the plan's rate when it was assigned as a rate (else its count counts)


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
        pct_of_plan=achievement_pct(participants=now, denominator=item.labour_force, rate=item.plan_rate,
                                    assigned=None if item.plan_rate is not None else item.plan),
        pct_of_labour_force=percent(now, item.labour_force),
        pct_of_required=percent(now, item.required_to_join),
        next_target_pct_of_labour_force=percent(item.next_target, item.labour_force),
        next_target_pct_of_required=percent(item.next_target, item.required_to_join),
        growth_pct=percent(item.next_target, now),
    )


@dataclass
class EvaluationInputs:
    parent: object  # targets.models.Unit
    month: Period | None
    year: int
    items: list[EvaluationInput] = field(default_factory=list)

    @property
    def has_results(self) -> bool:
        return any(i.participants is not None for i in self.items)


def load_evaluation_items(*, unit, indicators: Iterable, year: int) -> list[EvaluationInput]:
    """One EvaluationInput per indicator (Indicator objects, in the given order) for `unit` and `year`."""
    from targets import progress
    from targets.models import Demographics, Indicator

    indicators = list(indicators)
    codes = [i.code for i in indicators]
    # a composite's parts too, whose sum it is where it has no figure of its own
    extra = [c for c in with_parts(codes) if c not in codes]
    counted = indicators + list(Indicator.objects.filter(code__in=extra)) if extra else indicators
    ids = [i.pk for i in counted]
    plans = applicable_targets(unit_ids=[unit.pk], codes=codes, month=Period.month(year, 12))
    next_plans = applicable_targets(unit_ids=[unit.pk], codes=codes, month=Period.month(year + 1, 12))
    demographics = Demographics.objects.filter(unit=unit, year=year).first()

    def participants(period: Period) -> dict[str, int | None]:
        found = progress.participants_for(unit_ids=[unit.pk], indicator_ids=ids, period=period)
        return complete_composites({i.code: found.get((unit.pk, i.pk)) for i in counted})

    now, before = participants(Period.of_year(year)), participants(Period.of_year(year - 1))
    items = []
    for indicator in indicators:
        required = REQUIRED_FIELD.get(indicator.code)
        plan, next_plan = plans.get((unit.pk, indicator.code)), next_plans.get((unit.pk, indicator.code))
        items.append(EvaluationInput(
            indicator=indicator.code, label=indicator.short_name,
            participants=now.get(indicator.code), participants_last_year=before.get(indicator.code),
            plan=plan.count if plan else None,
            labour_force=demographics.labour_force if demographics else None,
            required_to_join=getattr(demographics, required) if demographics and required else None,
            next_target=next_plan.count if next_plan else None,
            plan_rate=computing_rate(plan) if plan is not None and plan.entered_as == "rate" else None,
        ))
    return items


def load_evaluation_inputs(*, parent, month: Period) -> EvaluationInputs:
    """The evaluation of the month's year (period 2019-12: 2019 against 2018 and its plan, and the
    targets of 2020) for the parent unit itself, with the plan's indicators."""
    from targets.models import Indicator

    by_code = {i.code: i for i in Indicator.objects.filter(code__in=EVALUATION_INDICATORS)}
    indicators = [by_code[c] for c in EVALUATION_INDICATORS if c in by_code]
    items = load_evaluation_items(unit=parent, indicators=indicators, year=month.year)
    return EvaluationInputs(parent=parent, month=month, year=month.year, items=items)


def evaluation_report_table(inputs) -> Table:
    """The registry's builder: from EvaluationInputs; given other inputs (a CoverageInputs, as
    bench_reports may pass), loads its own for the same parent and month."""
    if not isinstance(inputs, EvaluationInputs):
        inputs = load_evaluation_inputs(parent=inputs.parent, month=inputs.month)
    return evaluation_table(items=inputs.items, year=inputs.year)


evaluation_report_table.load_inputs = load_evaluation_inputs


def evaluation_table(*, items: list[EvaluationInput], year: int) -> Table:
    """The unit's name is printed by the page, the files and the plan around the table, not in it."""
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
        Column("next_target", "Chỉ tiêu (người)", "9", group=f"Năm {year + 1}"),
        Column("next_pct_of_labour_force", "% LLLĐ", "10", kind="percent", group=f"Năm {year + 1}"),
        Column("next_pct_of_required", "% đối tượng phải tham gia", "11", kind="percent", group=f"Năm {year + 1}"),
        # one decimal, as the plan prints every growth rate (5.200 / 4.844 = 107,349...: 107,3, not 107,35)
        Column("growth_pct", "Tốc độ phát triển (%)", "12=9/2", kind="percent", group=f"Năm {year + 1}", places=1),
    ]
    rows = []
    for item in items:
        f = evaluation_figures(item)
        rows.append(Row({"label": item.label, "participants_last_year": item.participants_last_year,
                         "participants": item.participants, "increase": f.increase, "increase_pct": f.increase_pct,
                         "plan": item.plan, "pct_of_plan": f.pct_of_plan, "pct_of_labour_force": f.pct_of_labour_force,
                         "pct_of_required": f.pct_of_required, "next_target": item.next_target,
                         "next_pct_of_labour_force": f.next_target_pct_of_labour_force,
                         "next_pct_of_required": f.next_target_pct_of_required, "growth_pct": f.growth_pct}))
    return Table("evaluation", f"Đánh giá kết quả năm {year} và chỉ tiêu năm {year + 1}", columns, rows,
                 subtitle=f"Số người tham gia cuối năm {year - 1} và cuối năm {year} (tháng gần nhất có số liệu trong năm)")
