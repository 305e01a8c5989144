"""Tick labels (nnviz.ticks): one number each at any magnitude, as pyqtgraph writes ordinary
ones."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnviz.ticks import compact_number, log_number, number, tick_strings


def test_ordinary_ticks_read_as_pyqtgraph_writes_them():
    assert tick_strings([0, 0.2, 0.4, 1.0, -0.5], 1.0, 0.2) == ["0", "0.2", "0.4", "1.0", "-0.5"]
    assert tick_strings([0, 0.0005, 0.001], 1.0, 0.0005) == ["0", "0.0005", "0.0010"]
    assert tick_strings([12500, 1e5, 1e6], 1.0, 500) == ["12500", "100000", "1e+06"]
    assert tick_strings([-5, -1, 0, math.log10(2), 1, 2.7], 1.0, 1.0, log=True) == [
        "10⁻⁵", "0.1", "1", "2", "10¹", "5·10²"]


def test_huge_and_tiny_ticks_are_one_number_each():
    assert tick_strings([-1e300, 0, 1e300], 1.0, 1e300) == ["-1e+300", "0", "1e+300"]
    assert tick_strings([-5e-305, 5e-305], 1.0, 5e-305) == ["-5e-305", "5e-305"]
    # close ticks far from zero keep the digits that tell them apart
    assert tick_strings([1e273, 1.0000000000001e273], 1.0, 1e260) == [
        "1e+273", "1.0000000000001e+273"]
    # a log axis's 10**400 is written from its exponent (10.0**400 overflows)
    assert tick_strings([299.7, 300, 400, -305], 1.0, 1.0, log=True) == [
        "5·10²⁹⁹", "10³⁰⁰", "10⁴⁰⁰", "10⁻³⁰⁵"]
    assert compact_number(1e200) == "1e+200"  # was '1e+191G'
    assert compact_number(-2.5e15) == "-2.5e+15"
    assert [compact_number(v) for v in (12_500, 1.5e6, 2e9)] == ["12.5k", "1.5M", "2G"]


def test_no_number_where_there_is_none():
    assert number(math.inf) == number(math.nan) == log_number(math.inf) == ""
    assert number(3.0, spacing=0.0) == "3.000000"
    assert tick_strings([1.0], 1.0, math.nan) == ["1.000000"]


@given(st.floats(allow_nan=False, allow_infinity=False),
       st.floats(min_value=1e-300, max_value=1e300))
def test_every_finite_tick_parses_as_itself(v, spacing):
    text = number(v, spacing)
    assert float(text) == pytest.approx(v, rel=1e-5, abs=spacing)
