"""Colour scales as numbers (numpy only, no Qt): round scales, and values -> colour bins.

A panel maps each value to one of ``n`` bins of a colour map (``symmetric_bins``) so it can draw
thousands of items with a few prebuilt pens (``nnviz.gui.colormaps``); scales are rounded to
1, 2 or 5 x 10^k (``nice_scale``) so an auto scale does not flicker from frame to frame.
"""

from __future__ import annotations

import numpy as np


def nice_scale(x: float) -> float:
    """Round a positive scale up to 1, 2 or 5 x 10^k, so auto scales do not flicker."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    e = np.floor(np.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if x <= m * 10**e * (1 + 1e-9):
            return float(m * 10**e)
    return float(10 ** (e + 1))


def symmetric_bins(values: np.ndarray, scale: float, n: int) -> np.ndarray:
    """Values (m,) on [-scale, scale] -> int bins (m,) in 0 .. n-1; zero in the middle bin
    (n odd). Out-of-range values go to the end bins; NaN to the middle."""
    scale = float(scale) if scale and np.isfinite(scale) and scale > 0 else 1.0
    t = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64) / scale), -1.0, 1.0)
    return np.rint((t + 1.0) * (0.5 * (n - 1))).astype(np.intp)


def bin_magnitude(n: int) -> np.ndarray:
    """|t| in [0, 1] at the centre of each of n symmetric bins (n,)."""
    return np.abs(np.linspace(-1.0, 1.0, n))
