"""Rows rendered by content (bhxh_portal.fragments): the HTML remembered is the HTML the same values
render now; values that print differently never share an answer; objects are refused."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from bhxh_portal.fragments import _render, fragment

ROW = "reports/_dashboard_source_row.html"


def _values(**changed):
    values = dict(own=False, name="Xã A", value=1200, source_label="tự nhập", incomplete=False,
                  reporting_children=0, children=0, children_sum=1000, difference=200)
    return {**values, **changed}


def test_a_row_renders_as_the_template_renders_it_and_is_remembered():
    _render.cache_clear()
    first = fragment(ROW, **_values())
    assert first == render_to_string(ROW, _values()).removesuffix("\n")
    assert fragment(ROW, **_values()) is first  # the same values: the remembered answer
    assert _render.cache_info().hits == 1


def test_a_changed_figure_renders_anew():
    before = fragment(ROW, **_values())
    after = fragment(ROW, **_values(value=1201, difference=201))
    assert ">1.200<" in before and ">1.201<" in after and "(1.200)" not in after


@pytest.mark.parametrize("one, other", [
    (1, True), (0, False), (1, Fraction(1)), (Decimal("95"), Decimal("95.0")), ("<b>", mark_safe("<b>")),
    ((1, "a"), (True, "a")),
])
def test_values_equal_in_python_but_printed_differently_never_share_an_answer(one, other):
    tpl = "reports/_table_row.html"
    assert one == other
    for value in (one, other):
        values = {"is_total": False, "last": False, "note": "", "cells": ((("t", value, ""),))} \
            if type(value) is tuple else {"is_total": False, "last": False, "note": value, "cells": ()}
        assert fragment(tpl, **values) == render_to_string(tpl, values).removesuffix("\n")


def test_a_decimal_keeps_its_exponent():
    tpl = "reports/_table_row.html"
    assert 'title="95"' in fragment(tpl, is_total=False, last=False, note=Decimal("95"), cells=())
    assert 'title="95,0"' in fragment(tpl, is_total=False, last=False, note=Decimal("95.0"), cells=())


@pytest.mark.parametrize("value", [object(), [1, 2], {"a": 1}, 1.5, (1, [2]), (Decimal("1"),)])
def test_an_object_a_list_or_a_float_is_refused(value):
    with pytest.raises(TypeError):
        fragment(ROW, **_values(name=value))
