from decimal import Decimal
from fractions import Fraction

import pytest

from bhxh_portal.numbers import format_number, format_percent, parse_number, parse_whole_number, round_half_up


@pytest.mark.parametrize(("value", "places", "expected"), [
    (148806, 0, "148.806"),
    (Fraction(132600 * 100, 148806), 2, "89,11"),
    (Decimal("1234567.5"), 1, "1.234.567,5"),
    (0, 2, "0,00"),
    (-75, 0, "-75"),
])
def test_format_number_vietnamese(value, places, expected):
    assert format_number(value, places) == expected


def test_negative_in_parentheses_for_tables():
    assert format_number(-75, negative_in_parentheses=True) == "(75)"
    assert format_number(-1608, negative_in_parentheses=True) == "(1.608)"


def test_percent():
    assert format_percent(Fraction(9311, 100)) == "93,11%"


def test_round_half_up_on_exact_fractions():
    assert round_half_up(Fraction(278, 628) * 100, 2) == Decimal("44.27")
    assert round_half_up(Fraction(1, 200), 2) == Decimal("0.01")
    assert round_half_up(Fraction(-1, 200), 2) == Decimal("-0.01")
    assert round_half_up(Fraction(95, 100) * 13737) == Decimal("13050")


@pytest.mark.parametrize(("text", "expected"), [
    ("148.806", Decimal("148806")),
    ("1.234.567", Decimal("1234567")),
    ("95,00", Decimal("95.00")),
    ("95.00", Decimal("95.00")),
    ("1.234,5", Decimal("1234.5")),
    ("13737", Decimal("13737")),
    ("(75)", Decimal("-75")),
    ("89,11%", Decimal("89.11")),
    (" 2.340.000 ", Decimal("2340000")),
])
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3", "12,34,5a", "--5", "1..2"])
def test_parse_number_refuses_garbage_in_vietnamese(text):
    with pytest.raises(ValueError, match="không phải là số"):
        parse_number(text)


def test_parse_whole_number_refuses_fractions():
    assert parse_whole_number("148.806") == 148806
    with pytest.raises(ValueError, match="số nguyên"):
        parse_whole_number("12,5")
