"""The 2019 evaluation of Hướng Hóa: every printed figure follows from the inputs at the plan's own
precision (which varies by line), except the plan's documented typos, where the right value is kept."""

import csv
from pathlib import Path

import pytest

from bhxh_portal.numbers import format_number, parse_number
from reports.tables.evaluation import EvaluationInput, evaluation_figures, evaluation_table

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "huong_hoa_2019_evaluation.csv"
# Printed figures that do not follow from the others (golden/README.md): kept right, not copied.
TYPOS = {("bhtn", "printed_increase"): "190", ("bhtn", "printed_increase_pct"): "5,16",
         ("bhtn", "printed_target_pct_of_required"): "98", ("bhxh", "printed_increase_pct"): "6,38"}


def _int(text):
    return int(parse_number(text)) if text else None


def golden():
    return list(csv.DictReader(GOLDEN.open(encoding="utf-8")))


def _input(row) -> EvaluationInput:
    return EvaluationInput(
        indicator=row["indicator"], label=row["indicator"], participants=_int(row["participants_2019"]),
        participants_last_year=_int(row["participants_2018"]), plan=_int(row["plan_2019"]),
        labour_force=_int(row["labour_force"]), required_to_join=_int(row["required_to_join"]),
        next_target=_int(row["target_2020"]))


def _at_printed_precision(value, printed: str) -> str:
    places = len(printed.split(",")[1]) if "," in printed else 0
    return format_number(value, places)


FIELDS = {
    "printed_increase": "increase", "printed_increase_pct": "increase_pct", "printed_pct_of_plan": "pct_of_plan",
    "printed_pct_of_labour_force": "pct_of_labour_force", "printed_pct_of_required": "pct_of_required",
    "printed_target_pct_of_labour_force": "next_target_pct_of_labour_force",
    "printed_target_pct_of_required": "next_target_pct_of_required", "printed_growth_2020_pct": "growth_pct",
}


@pytest.mark.parametrize("row", golden(), ids=lambda r: r["indicator"])
def test_every_printed_evaluation_figure(row):
    figures = evaluation_figures(_input(row))
    checked = 0
    for column, attribute in FIELDS.items():
        printed = row[column]
        if not printed:
            continue
        ours = _at_printed_precision(getattr(figures, attribute), printed)
        expected = TYPOS.get((row["indicator"], column), printed)
        assert ours == expected, (column, ours, printed)
        checked += 1
    assert checked >= 5


def test_the_seed_growth_rate_and_required_share():
    rows = {r["indicator"]: evaluation_figures(_input(r)) for r in golden()}
    assert format_number(rows["bhxh_tn"].growth_pct, 1) == "449,6"  # 1.250 / 278
    assert format_number(rows["bhxh_bb"].pct_of_required, 1) == "89,7"  # 4.844 / 5.400
    assert format_number(rows["bhxh_tn"].pct_of_plan, 2) == "44,27"  # 278 / 628, half up


def test_evaluation_table_lays_out_the_rows():
    table = evaluation_table(items=[_input(r) for r in golden()], year=2019)
    first = table.formatted_rows()[0]
    assert first[:6] == ["bhxh", "4.815", "5.122", "307", "6,38%", "5.454"]
    assert [c.formula for c in table.columns][:5] == ["A", "1", "2", "3=2-1", "4=3/1"]
