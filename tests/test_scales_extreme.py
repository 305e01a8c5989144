"""Scales, ranges and colour bins stay finite and drawable for every finite value (issue 14
item 8): near ±1e308, near ±1e-308, subnormal, and both mixed."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data.dataset import cloud_bounds
from nnviz.diagram_model import strip_norms
from nnviz.scales import (
    PLOT_LIMIT,
    PLOT_MIN_SPAN,
    linear_bins,
    nice_scale,
    plot_range,
    plot_values,
)

BIG = float(np.finfo(np.float64).max)
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


@pytest.mark.parametrize("x", [BIG, 1e308, 1e300, 1.0, 1e-300, 1e-308, 5e-324])
def test_a_nice_scale_is_within_the_plot_limits(x):
    s = nice_scale(x)
    assert PLOT_MIN_SPAN <= s <= PLOT_LIMIT and np.isfinite(s)
    assert s >= x or s == PLOT_LIMIT


@pytest.mark.parametrize(("lo", "hi"), [(-BIG, BIG), (-1e-308, 1e-308), (5e-324, 1e-323),
                                        (1e300, 1e300), (np.nan, 1.0), (-np.inf, np.inf),
                                        (3.0, 1.0), (0.0, 0.0)])
def test_a_plot_range_is_finite_ordered_and_not_too_narrow(lo, hi):
    a, b = plot_range(lo, hi)
    assert np.isfinite(a) and np.isfinite(b) and a <= b
    assert -PLOT_LIMIT <= a and b <= PLOT_LIMIT
    assert b - a >= PLOT_MIN_SPAN or a == b  # (an empty range: pyqtgraph widens it itself)
    assert np.isfinite((b - a) * 1.1)  # padding stays finite


def test_plot_values_clip_and_keep_gaps():
    v = plot_values([BIG, -np.inf, np.nan, 1e-308, -5.0])
    assert v[0] == PLOT_LIMIT and v[1] == -PLOT_LIMIT and np.isnan(v[2])
    assert v[3] == 1e-308 and v[4] == -5.0


def test_linear_bins_do_not_overflow():
    y = np.array([-BIG, -1e-308, 0.0, 1e308, BIG])
    bins = linear_bins(y, -BIG, BIG, 64)
    assert bins[0] == 0 and bins[-1] == 63 and bins[2] in (31, 32)
    assert list(linear_bins([1.0, 2.0, 3.0], 1.0, 3.0, 3)) == [0, 1, 2]
    assert list(linear_bins([np.nan], 0.0, 1.0, 8)) == [0]


def test_cloud_bounds_stay_finite_near_the_largest_float():
    X = np.array([[-BIG, 1e-308], [BIG, -1e-308]])
    (x0, x1), (y0, y1) = cloud_bounds(X)
    assert np.isfinite([x0, x1, y0, y1]).all() and x0 <= -1e308 and x1 >= 1e308 and y0 < y1


def test_gradient_norm_logs_are_finite_for_any_finite_gradient():
    norms, logs = strip_norms([np.full((3, 3), BIG), np.full(2, 1e-308), np.zeros(4)])
    assert logs[0] == pytest.approx(np.log10(BIG) + np.log10(3.0)) and np.isinf(norms[0])
    assert logs[1] == pytest.approx(-308 + np.log10(np.sqrt(2))) and norms[1] > 0
    assert np.isnan(logs[2]) and norms[2] == 0
