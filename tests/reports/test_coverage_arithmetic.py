"""The golden BHYT table of Càng Long at 30/6/2023: every printed figure from its inputs."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from bhxh_portal.numbers import format_number, parse_number
from reports.tables.coverage import coverage_figures, target_count

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "cang_long_2023-06_bhyt.csv"


def golden_rows():
    with GOLDEN.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("row", golden_rows(), ids=lambda r: r["local_code"])
def test_every_printed_figure_of_the_golden_bhyt_table(row):
    figures = coverage_figures(
        denominator=int(row["population"]),
        participants=int(row["bhyt_participants"]),
        target_rate=parse_number(row["target_rate_pct"]),
    )
    assert format_number(figures.coverage_pct, 2) == row["printed_coverage_pct"]
    assert format_number(figures.achievement_pct, 2) == row["printed_achievement_pct"]
    # the csv writes 2362 where the plan prints 2.362; negatives are (75) in both
    assert figures.remaining == parse_number(row["printed_remaining"])
    printed = format_number(figures.remaining, 0, negative_in_parentheses=True)
    assert printed.startswith("(") == row["printed_remaining"].startswith("(")


def test_district_row_is_computed_from_its_own_totals_not_by_adding_rows():
    rows = golden_rows()
    communes, district = rows[:-1], rows[-1]
    district_figures = coverage_figures(denominator=148806, participants=132600, target_rate=Decimal("95"))
    assert district_figures.target_count == 141366
    assert district_figures.remaining == 8766
    children_sum = sum(
        coverage_figures(denominator=int(r["population"]), participants=int(r["bhyt_participants"]),
                         target_rate=Decimal("95")).remaining
        for r in communes
    )
    assert children_sum == 8765
    assert district["printed_remaining"] == "8766"


def test_rate_target_of_the_2023_plan():
    assert target_count(Decimal("95"), 13737) == 13050
