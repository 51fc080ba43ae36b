"""Property-based tests of the number and date parsers every importer uses: whatever text comes
in, they return the right value or raise ValueError with a Vietnamese message — never crash."""

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bhxh_portal.imports import parse_date
from bhxh_portal.numbers import format_number, parse_number, parse_whole_number


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_a_formatted_whole_number_reads_back(value):
    assert parse_number(format_number(value)) == value
    assert parse_whole_number(format_number(value, negative_in_parentheses=True)) == value


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False))
def test_a_formatted_decimal_reads_back(value):
    assert parse_number(format_number(value, 2)) == value


@settings(max_examples=500)
@given(st.text(max_size=30))
def test_any_text_is_a_number_or_a_vietnamese_refusal(text):
    try:
        value = parse_number(text)
    except ValueError as exc:
        assert "số" in str(exc)
    else:
        assert value is None or isinstance(value, Decimal)


@given(st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 12, 31)))
def test_dates_in_every_accepted_form(day):
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date((day - datetime.date(1899, 12, 30)).days) == day  # an Excel serial


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True)))
def test_any_date_cell_is_a_date_or_a_refusal(value):
    try:
        result = parse_date(value)
    except ValueError as exc:
        assert str(exc)
    else:
        assert result is None or isinstance(result, datetime.date)


@given(st.one_of(st.integers(min_value=-10**40, max_value=10**40), st.floats(allow_nan=True, allow_infinity=True),
                 st.decimals(allow_nan=True, allow_infinity=True)), st.integers(min_value=0, max_value=3))
def test_any_number_can_be_formatted_for_a_message(value, places):
    """Messages quote the cell: 10^30 from a hostile cell (more digits than Decimal's default 28) or
    an infinite float must not crash the message that refuses it."""
    text = format_number(value, places)
    assert isinstance(text, str) and text
    if isinstance(value, int):
        assert parse_number(text) == value


@settings(max_examples=300)
@given(st.one_of(st.integers(min_value=-10**40, max_value=10**40), st.floats(allow_nan=True, allow_infinity=True),
                 st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=20)))
def test_any_number_cell_is_a_finite_number_or_a_refusal(value):
    """A spreadsheet cell may hold inf, NaN or 1,8e308: each is a whole number, a decimal or a
    Vietnamese refusal, never an OverflowError."""
    for parse in (parse_number, parse_whole_number):
        try:
            result = parse(value)
        except ValueError as exc:
            assert str(exc)
        else:
            assert result is None or isinstance(result, int) or result.is_finite()
