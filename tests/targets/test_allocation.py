"""The allocation helpers (pure functions): sums exact, remainders placed deterministically."""

from decimal import Decimal
from fractions import Fraction

import pytest

from targets.allocation import (
    AllocationError,
    check_split,
    counts_at_rate,
    coverage_gaps,
    split_by_gap,
    split_by_weight,
    split_equal,
)

from .targets_fixtures import golden_rows


def test_equal_split_of_the_2021_commune_plan():
    """Xã phấn đấu 40, the agent takes 10: the other 30 over six thôn is 5 each."""
    villages = ["HD-VT", "HD-TDTD", "HD-TDTT", "HD-TDHB", "HD-TDHT", "HD-TDHN"]
    assert split_equal(30, villages) == {code: 5 for code in villages}


def test_equal_split_remainder_goes_to_the_first_codes():
    shares = split_equal(40, ["T07", "T03", "T01", "T05", "T02", "T06", "T04"])
    assert sum(shares.values()) == 40
    # 40 = 7 × 5 + 5: one more for the five first codes, in code order, whatever the input order.
    assert shares == {"T01": 6, "T02": 6, "T03": 6, "T04": 6, "T05": 6, "T06": 5, "T07": 5}


def test_tie_break_key_decides_who_gets_the_remainder():
    names = {"a": "Z", "b": "A", "c": "M"}
    assert split_equal(4, ["a", "b", "c"], tie_break=names.__getitem__) == {"a": 1, "b": 2, "c": 1}


def test_split_by_population_largest_remainder():
    populations = {"CL01": 13737, "CL02": 10854, "CL03": 7707}
    shares = split_by_weight(1000, populations)
    assert sum(shares.values()) == 1000
    # exact quotas 425.47.., 335.97.., 238.54..: floors 425 + 335 + 238 = 998; the two largest
    # remainders (CL02 ,97 and CL03 ,54) get one more each.
    assert shares == {"CL01": 425, "CL02": 336, "CL03": 239}


def test_split_by_weight_is_exact_for_the_whole_district():
    populations = {row["local_code"]: int(row["population"]) for row in golden_rows() if row["local_code"] != "CL"}
    shares = split_by_weight(8766, populations)
    assert sum(shares.values()) == 8766
    for code, share in shares.items():
        quota = Fraction(8766 * populations[code], sum(populations.values()))
        assert abs(share - quota) < 1


def test_split_is_deterministic_whatever_the_order_of_the_input():
    weights = {"B": 1, "A": 1, "D": 1, "C": 1}
    reversed_weights = dict(reversed(list(weights.items())))
    assert split_by_weight(6, weights) == split_by_weight(6, reversed_weights) == {"A": 2, "B": 2, "C": 1, "D": 1}


def test_split_accepts_decimal_and_fraction_weights_without_float():
    shares = split_by_weight(10, {"x": Decimal("0.1"), "y": Decimal("0.2"), "z": Fraction(7, 10)})
    assert shares == {"x": 1, "y": 2, "z": 7}


def test_split_zero_total_and_zero_weights():
    assert split_by_weight(0, {"a": 5, "b": 3}) == {"a": 0, "b": 0}
    with pytest.raises(AllocationError, match="trọng số bằng 0"):
        split_by_weight(10, {"a": 0, "b": 0})
    with pytest.raises(AllocationError, match="không được âm"):
        split_by_weight(10, {"a": -1, "b": 3})
    with pytest.raises(AllocationError, match="Không có đơn vị"):
        split_by_weight(10, {})


def test_gap_is_benchmark_minus_participants_never_negative():
    benchmark = {"CL01": 13050, "CL03": 7322, "CL05": 14712}
    participants = {"CL01": 12787, "CL03": 7397, "CL05": 12350}
    assert coverage_gaps(benchmark=benchmark, participants=participants) == {"CL01": 263, "CL03": 0, "CL05": 2362}


def test_split_by_gap_gives_nothing_to_who_is_already_over():
    benchmark = {"CL01": 13050, "CL03": 7322, "CL05": 14712}
    participants = {"CL01": 12787, "CL03": 7397, "CL05": 12350}
    shares = split_by_gap(2625, benchmark=benchmark, participants=participants)
    assert shares == {"CL01": 263, "CL03": 0, "CL05": 2362}
    shares = split_by_gap(1000, benchmark=benchmark, participants=participants)
    assert sum(shares.values()) == 1000 and shares["CL03"] == 0


def test_split_by_gap_refuses_when_everyone_is_over():
    with pytest.raises(AllocationError, match="đã đạt"):
        split_by_gap(10, benchmark={"a": 5}, participants={"a": 9})


def test_same_rate_for_every_commune_of_the_2023_plan():
    rows = [r for r in golden_rows() if r["local_code"] != "CL"]
    counts = counts_at_rate(Decimal("95"), {r["local_code"]: int(r["population"]) for r in rows})
    assert counts["CL01"] == 13050  # 95% of 13.737 = 13.050,15
    # Each commune's remaining as printed: its own count minus its participants.
    for row in rows:
        printed = row["printed_remaining"].replace(".", "")
        printed = -int(printed[1:-1]) if printed.startswith("(") else int(printed)
        assert counts[row["local_code"]] - int(row["bhyt_participants"]) == printed
    # Rounded commune by commune they add up to 141.365, one short of the district's 141.366.
    assert sum(counts.values()) == 141365


def test_running_total_under_exact_over():
    assert check_split(40, [5, 5, 5, 5, 5, 5, 10]).status == "exact"
    under = check_split(40, [5, 5, None, 15])
    assert (under.status, under.difference, under.message) == ("under", -15, "Còn thiếu 15 người so với chỉ tiêu.")
    over = check_split(37, [5] * 6 + [10])
    assert (over.status, over.difference, over.message) == ("over", 3, "Vượt 3 người so với chỉ tiêu.")
    assert check_split(None, [1, 2]).status == "none"
