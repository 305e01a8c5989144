"""Peak thinning (nnviz.peaks): two points a pixel column, every spike kept."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.peaks import GrowingPeaks, peak_columns


def test_short_series_come_back_unchanged():
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    tx, ty = peak_columns(x, y, 5, (0, 9))
    np.testing.assert_array_equal(tx, x)
    np.testing.assert_array_equal(ty, y)


def test_each_column_keeps_its_least_and_greatest_value():
    x = np.arange(1000.0)
    y = np.sin(x)
    y[500] = 50.0  # a spike: kept
    tx, ty = peak_columns(x, y, 100, (0, 1000))
    assert len(tx) == 200 and ty.max() == 50.0 and ty.min() == y.min()
    np.testing.assert_array_equal(tx[::2], np.arange(0, 1000, 10.0))  # each column's first x
    np.testing.assert_array_equal(ty[1::2][50], 50.0)


def test_points_beyond_the_view_keep_a_column_each_side():
    x = np.arange(-50.0, 1050.0)
    tx, ty = peak_columns(x, x, 10, (0, 1000))
    assert tx[0] == -50 and tx[-1] == 1000  # the left edge's column, the right's
    assert ty[0] == -50 and ty[1] == -1 and ty[-1] == 1049


def test_nan_is_ignored_and_an_all_nan_column_stays_a_gap():
    x = np.arange(100.0)
    y = np.ones(100)
    y[3] = np.nan
    y[50:60] = np.nan
    tx, ty = peak_columns(x, y, 10, (0, 100))
    assert np.isnan(ty[10:12]).all() and np.isfinite(np.delete(ty, [10, 11])).all()


def test_degenerate_views_leave_the_series_alone():
    x, y = np.arange(100.0), np.zeros(100)
    for view in ((5.0, 5.0), (np.nan, 1.0), (0.0, np.inf)):
        assert len(peak_columns(x, y, 10, view)[0]) == 100


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=400), st.integers(1, 50),
       st.floats(-10, 300), st.floats(1e-3, 500))
def test_thinned_series_bound_the_original(ys, columns, x0, width):
    y = np.array(ys)
    x = np.arange(len(y), dtype=float)
    tx, ty = peak_columns(x, y, columns, (x0, x0 + width))
    assert len(tx) <= max(len(x), 2 * (columns + 2))
    assert ty.min() == y.min() and ty.max() == y.max()
    assert np.all(np.diff(tx) >= 0) and set(tx) <= set(x)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3) | st.just(float("nan")), min_size=1, max_size=300),
       st.lists(st.integers(0, 60), min_size=1, max_size=6), st.integers(1, 40),
       st.floats(-20, 100), st.floats(1.0, 400), st.booleans())
def test_a_growing_series_thins_as_a_whole_one(ys, cuts, columns, x0, width, change_last):
    """GrowingPeaks on a series that grows at its end (its last points maybe changed, as the
    partial buckets of a training history are) gives what peak_columns gives the whole; the
    points it says are kept are the same as its last result's."""
    y = np.array(ys)
    x = np.arange(len(y), dtype=float) * 0.7
    peaks = GrowingPeaks()
    n, last = 0, None
    for cut in cuts:
        n = min(len(y), n + cut)
        yy = y[:n].copy()
        if change_last and n:
            yy[-3:] += 1.0  # (the last few: a history's partial buckets)
        tx, ty, kept = peaks.thin(x[:n], yy, columns, (x0, x0 + width))
        ex, ey = peak_columns(x[:n], yy, columns, (x0, x0 + width))
        np.testing.assert_array_equal(tx, ex)
        np.testing.assert_array_equal(ty, ey)
        if kept:
            np.testing.assert_array_equal(tx[:kept], last[0][:kept])
            np.testing.assert_array_equal(ty[:kept], last[1][:kept])
        last = (tx, ty)


def test_growing_peaks_start_anew_when_the_view_or_the_start_changes():
    x = np.arange(1000.0)
    y = np.sin(x)
    peaks = GrowingPeaks()
    assert peaks.thin(x[:900], y[:900], 50, (0, 1000))[2] == 0
    assert peaks.thin(x[:950], y[:950], 50, (0, 1000))[2] > 0
    assert peaks.thin(x[:960], y[:960], 50, (0, 2000))[2] == 0  # another view
    y2 = y.copy()
    y2[0] = 5.0  # a merge of the history's buckets changes early points
    tx, ty, kept = peaks.thin(x[:970], y2[:970], 50, (0, 2000))
    assert kept == 0 and ty.max() == 5.0
