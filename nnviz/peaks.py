"""Peak thinning of a long series for drawing: at most two points a pixel column.

``peak_columns(x, y, columns, (x0, x1))``: the view [x0, x1] is ``columns`` pixel columns wide;
each column's points (x ascending) become two, at the column's first x: the least and the
greatest y (NaN ignored; a column of NaN only stays a gap). A point left or right of the view
keeps a column of its own there, so the line still runs to the edges. Series of at most
2 * columns points come back as they are. Column k holds x0 + k (x1 - x0) / columns <= x <
x0 + (k + 1) (x1 - x0) / columns.

``GrowingPeaks``: the same for a series that grows at its end (a training history: each new
snapshot adds points and may change its last few, the partial buckets): the columns before the
one that holds the first changed point are kept, the rest thinned anew (xor flat out, 8k
points: ~0.1 -> ~0.03 ms).
"""

from __future__ import annotations

import numpy as np


def _thinned(x: np.ndarray, y: np.ndarray, columns: int, x0: float, span: float):
    """(x, y, starts): each run of points in one column as its first x twice, with its least
    and greatest y; ``starts`` (r,) the index of each run's first point."""
    with np.errstate(invalid="ignore", over="ignore"):
        col = np.floor((x - x0) * (columns / span))
    col = np.nan_to_num(col, nan=-1.0).clip(-1, columns).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    with np.errstate(invalid="ignore"):
        low = np.fmin.reduceat(y, starts)
        high = np.fmax.reduceat(y, starts)
    return np.repeat(x[starts], 2), np.column_stack((low, high)).ravel(), starts


def _thins(n: int, columns: int, x0: float, x1: float) -> bool:
    span = x1 - x0
    return n > 2 * columns and columns >= 1 and bool(np.isfinite(span) and span > 0)


def peak_columns(x: np.ndarray, y: np.ndarray, columns: int,
                 view: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) thinned to <= 2 points per column (see the module); x (n,) ascending."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    x0, x1 = float(view[0]), float(view[1])
    if not _thins(len(x), columns, x0, x1):
        return x, y
    return _thinned(x, y, columns, x0, x1 - x0)[:2]


def first_difference(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray,
                     y1: np.ndarray) -> int | None:
    """The first index at which points (x0, y0) and (x1, y1) differ (NaN equals NaN), or
    where the shorter ends; None when they are the same. (A series that only grew: its
    common part compared byte for byte first, the quick way.)"""
    n = min(len(x0), len(x1))
    if x0[:n].tobytes() == x1[:n].tobytes() and y0[:n].tobytes() == y1[:n].tobytes():
        return None if len(x0) == len(x1) else n
    with np.errstate(invalid="ignore"):
        differs = ((x0[:n] != x1[:n]) & ~(np.isnan(x0[:n]) & np.isnan(x1[:n]))) | \
                  ((y0[:n] != y1[:n]) & ~(np.isnan(y0[:n]) & np.isnan(y1[:n])))
    i = np.flatnonzero(differs)
    if len(i):
        return int(i[0])
    return None if len(x0) == len(x1) else n


class GrowingPeaks:
    """``peak_columns`` of successive versions of one series (see the module). ``thin`` gives
    the thinned points and how many of them are the same as in the last call's result (the
    points a drawing need not repaint)."""

    def __init__(self):
        self._last = None  # (columns, view, x, y, thinned x, thinned y, starts)

    def thin(self, x: np.ndarray, y: np.ndarray, columns: int,
             view: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, int]:
        """(x, y) as ``peak_columns`` thins them, and the number of leading points equal to
        the last result's (0 when it was made anew)."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        x0, x1 = float(view[0]), float(view[1])
        last, self._last = self._last, None
        if not _thins(len(x), columns, x0, x1):
            return x, y, 0
        k = 0
        if last is not None and last[0] == columns and last[1] == (x0, x1):
            j = first_difference(last[2], last[3], x, y)
            k = min(len(last[2]), len(x)) if j is None else j
        if k >= 1:
            # points 0 .. k-1 are as they were: the runs before the one holding point k-1
            # (which may go on into the changed points) stay
            starts = last[6]
            r = int(np.searchsorted(starts, k - 1, side="right")) - 1
            s = int(starts[r])
            tx, ty, ts = _thinned(x[s:], y[s:], columns, x0, x1 - x0)
            out_x = np.concatenate((last[4][:2 * r], tx))
            out_y = np.concatenate((last[5][:2 * r], ty))
            out_starts = np.concatenate((starts[:r], ts + s))
            kept = 2 * r
        else:
            out_x, out_y, out_starts = _thinned(x, y, columns, x0, x1 - x0)
            kept = 0
        self._last = (columns, (x0, x1), x, y, out_x, out_y, out_starts)
        return out_x, out_y, kept
