"""Colour scales as numbers (numpy only, no Qt): round scales, and values -> colour bins.

A panel maps each value to one of ``n`` bins of a colour map (``symmetric_bins``) so it can draw
thousands of items with a few prebuilt pens (``nnviz.gui.colormaps``); scales are rounded to
1, 2 or 5 x 10^k (``nice_scale``) so an auto scale does not flicker from frame to frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: the largest |value| a plot is given as a coordinate, a range end or a colour level: a
#: range of two of them, its padding and the view-to-pixel transform of any value in it stay
#: finite (pyqtgraph computes them in float64; near ±1e308 they overflowed to inf / NaN and it
#: refused the range). Smaller values, down to subnormal ones, plot as they are.
PLOT_LIMIT = 1e300
#: the narrowest range a plot is given: PLOT_MIN_SPAN, and PLOT_MIN_SHARE of its ends'
#: magnitude (a range of 2e-308 made the view's pixels-per-unit overflow, and Qt crashed
#: painting through the infinite transform; float64 cannot tell closer values apart anyway)
PLOT_MIN_SPAN, PLOT_MIN_SHARE = 1e-250, 1e-9


def nice_scale(x: float) -> float:
    """Round a positive scale up to 1, 2 or 5 x 10^k, so auto scales do not flicker; within
    [PLOT_MIN_SPAN, PLOT_LIMIT] (a colour level or range made from it stays drawable)."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    if x >= PLOT_LIMIT:
        return PLOT_LIMIT
    if x <= PLOT_MIN_SPAN:
        return PLOT_MIN_SPAN
    e = np.floor(np.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if x <= m * 10**e * (1 + 1e-9):
            return float(m * 10**e)
    return float(10 ** (e + 1))


#: updates in a row a held scale waits, asked for less each time, before it shrinks
HOLD_UPDATES = 12
#: the largest ratio of two neighbouring nice scales (1, 2, 5, 10): a colour scale is held at
#: most one such step above what is asked for
NICE_STEP = 2.5


@dataclass(frozen=True, eq=False)
class ScaleHold:
    """Auto colour scales (k,) that grow at once and shrink only after ``hold`` updates in a
    row asked for less, then to the largest asked for meanwhile: the scale of a noisy signal
    (dL/dw of a 10-sample batch swings between neighbouring 1-2-5 scales from step to step)
    stays put, so its colour bar is not re-labelled on every frame and a colour means the
    same value from frame to frame. A scale more than ``far`` times what is asked for shrinks
    at once: colours are never more than that paler than their own scale would draw them
    (a held spike left a network drawn near-white). ``key``: what the scales are of (the
    colouring's settings); other settings start anew."""

    scales: np.ndarray
    peak: np.ndarray  # the largest scale asked for since the last growth or shrink
    calm: np.ndarray  # updates in a row that asked for less (int)
    key: object = None


def hold_scales(held: ScaleHold | None, wanted, key=None, hold: int = HOLD_UPDATES,
                far: float | None = NICE_STEP) -> ScaleHold:
    """``held`` after an update that asks for scales ``wanted`` (k,) (see ``ScaleHold``); a
    fresh hold at ``wanted`` if there was none, for other ``key`` or another k. ``far``: the
    ratio held / wanted beyond which a scale shrinks at once (None: it waits whatever the
    ratio, for values that are not 1-2-5 scales)."""
    wanted = np.asarray(wanted, dtype=np.float64).reshape(-1)
    if held is None or held.key != key or held.scales.shape != wanted.shape:
        return ScaleHold(wanted, np.zeros_like(wanted), np.zeros(wanted.shape, np.intp), key)
    grow = ~(wanted < held.scales)  # (NaN asks for nothing less: kept as it is asked)
    if far is not None:
        grow |= wanted * (far * (1 + 1e-9)) < held.scales  # (not growing: set at once)
    peak = np.where(grow, 0.0, np.maximum(held.peak, wanted))
    calm = np.where(grow, 0, held.calm + 1)
    done = calm >= hold
    scales = np.where(grow, wanted, np.where(done, peak, held.scales))
    return ScaleHold(scales, np.where(done, 0.0, peak), np.where(done, 0, calm), key)


def plot_values(values) -> np.ndarray:
    """``values`` (any shape) as float64 a plot can draw: clipped to ±PLOT_LIMIT (±inf too),
    NaN kept (a gap)."""
    return np.clip(np.asarray(values, dtype=np.float64), -PLOT_LIMIT, PLOT_LIMIT)


def plot_range(lo: float, hi: float, default=(0.0, 1.0)) -> tuple[float, float]:
    """(lo, hi) as a plot's range: each end clipped to ±PLOT_LIMIT, ``default`` if an end is
    NaN, the two ends ordered, widened about its middle to the narrowest range
    (PLOT_MIN_SPAN, PLOT_MIN_SHARE) if narrower (an empty range [v, v] is left to the
    plot, which widens it itself)."""
    if np.isnan(lo) or np.isnan(hi):
        return tuple(map(float, default))
    lo, hi = sorted(float(np.clip(v, -PLOT_LIMIT, PLOT_LIMIT)) for v in (lo, hi))
    least = max(PLOT_MIN_SPAN, PLOT_MIN_SHARE * max(abs(lo), abs(hi)))
    if hi - lo >= least or (lo == hi and (lo == 0 or abs(lo) >= PLOT_MIN_SPAN)):
        return lo, hi
    mid = lo / 2 + hi / 2
    return mid - least / 2, mid + least / 2


def symmetric_bins(values: np.ndarray, scale: float, n: int) -> np.ndarray:
    """Values (m,) on [-scale, scale] -> int bins (m,) in 0 .. n-1; zero in the middle bin
    (n odd). Out-of-range values go to the end bins; NaN to the middle."""
    scale = float(scale) if scale and np.isfinite(scale) and scale > 0 else 1.0
    t = np.clip(np.asarray(values, dtype=np.float64) / scale, -1.0, 1.0)  # (±inf: the ends)
    t[np.isnan(t)] = 0.0  # (np.nan_to_num: the same, ~10x the time on a few hundred values)
    return np.rint((t + 1.0) * (0.5 * (n - 1))).astype(np.intp)


def bin_magnitude(n: int) -> np.ndarray:
    """|t| in [0, 1] at the centre of each of n symmetric bins (n,)."""
    return np.abs(np.linspace(-1.0, 1.0, n))


def linear_bins(values, lo: float, hi: float, n: int) -> np.ndarray:
    """Values (m,) on [lo, hi] -> int bins (m,) in 0 .. n-1 (lo -> 0, hi -> n-1), clipped;
    NaN -> 0. Computed over max(|lo|, |hi|), so values near ±1e308 do not overflow."""
    m = max(abs(float(lo)), abs(float(hi)), 1e-300)
    if not np.isfinite(m):
        m = float(np.finfo(np.float64).max)
    with np.errstate(all="ignore"):
        t = (np.asarray(values, dtype=np.float64) / m - lo / m) / max(hi / m - lo / m, 1e-12)
    return np.clip(np.nan_to_num(t * (n - 1), nan=0.0).round(), 0, n - 1).astype(int)
