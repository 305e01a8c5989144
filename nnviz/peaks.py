"""Peak thinning of a long series for drawing: at most two points a pixel column.

``peak_columns(x, y, columns, (x0, x1))``: the view [x0, x1] is ``columns`` pixel columns wide;
each column's points (x ascending) become two, at the column's first x: the least and the
greatest y (NaN ignored; a column of NaN only stays a gap). A point left or right of the view
keeps a column of its own there, so the line still runs to the edges. Series of at most
2 * columns points come back as they are. Column k holds x0 + k (x1 - x0) / columns <= x <
x0 + (k + 1) (x1 - x0) / columns.
"""

from __future__ import annotations

import numpy as np


def peak_columns(x: np.ndarray, y: np.ndarray, columns: int,
                 view: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) thinned to <= 2 points per column (see the module); x (n,) ascending."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    x0, x1 = float(view[0]), float(view[1])
    span = x1 - x0
    if len(x) <= 2 * columns or columns < 1 or not (np.isfinite(span) and span > 0):
        return x, y
    with np.errstate(invalid="ignore", over="ignore"):
        col = np.floor((x - x0) * (columns / span))
    col = np.nan_to_num(col, nan=-1.0).clip(-1, columns).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    with np.errstate(invalid="ignore"):
        low = np.fmin.reduceat(y, starts)
        high = np.fmax.reduceat(y, starts)
    return np.repeat(x[starts], 2), np.column_stack((low, high)).ravel()
