"""Colour scales shared by the panels: colormaps, value -> bin mapping, prebuilt pens/brushes.

Drawing thousands of items each frame is cheap only when colours come from a small set of
prebuilt pens and brushes: values are mapped to one of ``n`` bins (``symmetric_bins``,
``linear_bins``) and each bin owns one QPen / QBrush (``bin_pens``, ``bin_brushes``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

#: connections: dL/dw, w, Δw (negative blue, zero white, positive red)
DIVERGING = ("#2166ac", "#67a9cf", "#f7f7f7", "#ef8a62", "#b2182b")
#: neurons: activation (negative orange, zero white, positive purple)
ACTIVATION = ("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99")
#: binary probability: class 0 red, undecided white, class 1 green (the seed 000 colours)
PROBABILITY = ("#d62728", "#f7f7f7", "#2ca02c")
#: classes: red = class 0, green = class 1 (the tutorial's picture), then more
CLASS_COLORS = ("#d62728", "#2ca02c", "#7b3294", "#ff7f0e", "#17becf", "#8c564b",
                "#e377c2", "#bcbd22", "#7f7f7f", "#1f77b4")
#: first-layer neurons in the vectors plot: blue = the single neuron's weight vector
NEURON_COLORS = ("#1f3fbf", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#ad494a", "#3182bd")
#: a regression target / a neuron's value over the plane
SEQUENTIAL = "viridis"


def colormap(stops) -> pg.ColorMap:
    """A pg.ColorMap from a tuple of colours evenly spaced on [0, 1], or a pyqtgraph name."""
    if isinstance(stops, str):
        return pg.colormap.get(stops)
    return pg.ColorMap(np.linspace(0.0, 1.0, len(stops)), [QColor(c) for c in stops])


def lut(stops, n: int) -> np.ndarray:
    """(n, 4) uint8 RGBA lookup table."""
    return colormap(stops).getLookupTable(0.0, 1.0, nPts=n, alpha=True)


def symmetric_bins(values: np.ndarray, scale: float, n: int) -> np.ndarray:
    """Values (m,) on [-scale, scale] -> int bins (m,) in 0 .. n-1; zero in the middle bin
    (n odd). Out-of-range values go to the end bins; NaN to the middle."""
    scale = float(scale) if scale and np.isfinite(scale) and scale > 0 else 1.0
    t = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64) / scale), -1.0, 1.0)
    return np.rint((t + 1.0) * (0.5 * (n - 1))).astype(np.intp)


def bin_magnitude(n: int) -> np.ndarray:
    """|t| in [0, 1] at the centre of each of n symmetric bins (n,)."""
    return np.abs(np.linspace(-1.0, 1.0, n))


def bin_brushes(stops, n: int) -> list[QBrush]:
    """One QBrush per bin of a colormap."""
    return [QBrush(QColor(*map(int, rgba))) for rgba in lut(stops, n)]


def bin_pens(stops, n: int, widths=None, alpha_floor: float = 0.25,
             background=(255, 255, 255)) -> list[QPen]:
    """One cosmetic QPen per symmetric bin: colour from the map, width ``widths[b]`` (whole
    px), weak bins faded towards the background so the strong connections stand out.

    Colours are pre-blended (opaque) and widths whole pixels: Qt's raster engine strokes
    translucent or fractional-width lines through its slow path (measured ~5x slower)."""
    table = lut(stops, n)
    mag = bin_magnitude(n)
    widths = np.rint(1.0 + 3.0 * mag ** 1.5) if widths is None else widths
    bg = np.asarray(background, dtype=float)
    pens = []
    for rgba, w, m in zip(table, widths, mag):
        alpha = alpha_floor + (1 - alpha_floor) * m
        c = QColor(*(int(v) for v in np.rint(alpha * rgba[:3] + (1 - alpha) * bg)))
        pen = QPen(c)
        pen.setWidth(int(w))
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.FlatCap)
        pens.append(pen)
    return pens


def invisible(pen: QPen, background=(255, 255, 255), tolerance: int = 3) -> bool:
    """True when an opaque pen's colour is within ``tolerance`` of the background in every
    channel: lines drawn with it cannot be seen, so they need not be drawn."""
    c = pen.color()
    return max(abs(c.red() - background[0]), abs(c.green() - background[1]),
               abs(c.blue() - background[2])) <= tolerance


def class_color(k: int) -> QColor:
    return QColor(CLASS_COLORS[k % len(CLASS_COLORS)])


def neuron_color(j: int) -> QColor:
    return QColor(NEURON_COLORS[j % len(NEURON_COLORS)])


def nice_scale(x: float) -> float:
    """Round a positive scale up to 1, 2 or 5 x 10^k, so auto scales do not flicker."""
    if not np.isfinite(x) or x <= 0:
        return 1.0
    e = np.floor(np.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        if x <= m * 10**e * (1 + 1e-9):
            return float(m * 10**e)
    return float(10 ** (e + 1))
