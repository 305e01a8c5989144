"""Every colour, pen and brush the panels draw with is made here: named colours, ``color``,
``pen``, ``brush``, colour maps, and per-bin pens and brushes for values mapped to bins
(``nnviz.scales.symmetric_bins``).

Drawing thousands of items each frame is cheap only when colours come from a small set of
prebuilt pens and brushes: each bin owns one QPen / QBrush (``bin_pens``, ``bin_brushes``).
Colours may be given as pyqtgraph accepts them: "#rrggbb", a one-letter name ("k", "w"),
(r, g, b[, a]) or a QColor.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

from nnviz.scales import bin_magnitude

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
#: an optimiser race's racers (curves and paths), readable on white and on ``LANDSCAPE``
RACER_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e")
#: a loss landscape under coloured paths: low loss light, high loss dark grey
LANDSCAPE = ("#ffffff", "#d4d4d4", "#9a9a9a", "#5a5a5a")
#: where no landscape was computed
UNCOMPUTED = "#dce8f5"
#: a regression target / a neuron's value over the plane
SEQUENTIAL = "viridis"
#: text and axes on the panels' white background
TEXT = "#202020"
AXIS = "#606060"


def color(spec) -> QColor:
    """A QColor from any colour spec pyqtgraph accepts (see the module docstring)."""
    return pg.mkColor(spec)


def pen(spec, width: float = 1.0, style=None) -> QPen:
    """A cosmetic pen (``width`` in screen pixels whatever the zoom); None: no pen."""
    if spec is None:
        return QPen(Qt.NoPen)
    p = QPen(color(spec))
    p.setWidthF(width)
    p.setCosmetic(True)
    if style is not None:
        p.setStyle(style)
    return p


def brush(spec) -> QBrush:
    """A solid brush; None: no fill."""
    return QBrush(Qt.NoBrush) if spec is None else QBrush(color(spec))


def colormap(stops) -> pg.ColorMap:
    """A pg.ColorMap from a tuple of colours evenly spaced on [0, 1], or a pyqtgraph name."""
    if isinstance(stops, str):
        return pg.colormap.get(stops)
    return pg.ColorMap(np.linspace(0.0, 1.0, len(stops)), [QColor(c) for c in stops])


def lut(stops, n: int) -> np.ndarray:
    """(n, 4) uint8 RGBA lookup table."""
    return colormap(stops).getLookupTable(0.0, 1.0, nPts=n, alpha=True)


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


def class_brushes(labels) -> list[QBrush]:
    """A brush of its class's colour for each of ``labels`` (class indices), one object a
    class: pyqtgraph's symbol atlas draws a symbol for each distinct brush object (xor's 160
    training points with a brush each: 160 symbols drawn, ~8 ms of the window's start)."""
    return _one_a_class(labels, brush)


def class_pens(labels, width: float) -> list[QPen]:
    """As ``class_brushes``, pens of ``width`` (an outlined point's)."""
    return _one_a_class(labels, lambda color: pen(color, width))


def _one_a_class(labels, make) -> list:
    """``make(class_color(k))`` for each label k, made once a class."""
    labels = [int(k) for k in labels]
    shared = {k: make(class_color(k)) for k in set(labels)}
    return [shared[k] for k in labels]


def neuron_color(j: int) -> QColor:
    return QColor(NEURON_COLORS[j % len(NEURON_COLORS)])


_opaque_pens: dict[tuple, QPen] = {}


def on_white(p: QPen) -> QPen:
    """The opaque pen that looks like translucent ``p`` drawn over white (cached: an axis asks
    for the same few tick pens each time it re-lays its ticks; Qt strokes translucent lines
    through its slow path)."""
    c = p.color()
    if c.alpha() == 255:
        return p
    key = (c.rgba(), p.widthF(), p.isCosmetic(), int(p.style().value))
    out = _opaque_pens.get(key)
    if out is None:
        a = c.alphaF()
        out = QPen(p)
        out.setColor(QColor(*(round(a * v + (1 - a) * 255)
                              for v in (c.red(), c.green(), c.blue()))))
        _opaque_pens[key] = out
    return out
