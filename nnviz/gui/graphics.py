"""Graphics items and helpers shared by the panels.

``SegmentsItem`` draws many line segments (m,) in a few colours: each group of segments is one
``QPainter.drawLines`` call with one prebuilt pen (measured: 8,384 coloured edges in ~6 ms,
against ~227 ms for per-edge pens). Geometry (``setSegments``) and colouring (``setGroups``)
are set separately, so a frame with new colours only regroups cached QLineF objects;
``paint()`` only replays the cached batches.
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

TEXT = "#202020"
AXIS = "#606060"
#: grid lines: opaque, pre-blended on the white background (translucent lines take Qt's slow
#: stroking path: a translucent grid cost ~13 ms per paint of a 700 x 500 plot, this ~2 ms)
GRID = "#e4e4e4"


class SegmentsItem(pg.GraphicsObject):
    """Line segments (m, 4) as x0, y0, x1, y1 in the view's coordinates, drawn in groups."""

    def __init__(self, antialias: bool = False, parent=None):
        super().__init__(parent)
        self._lines: list[QLineF] = []
        self._batches: list[tuple[QPen, list[QLineF]]] = []
        self._rect = QRectF()
        self._antialias = antialias

    def setSegments(self, segments: np.ndarray) -> None:
        """New geometry (m, 4); clears the colouring until the next ``setGroups``."""
        seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
        self.prepareGeometryChange()
        self._lines = [QLineF(*row) for row in seg.tolist()]
        if len(seg):
            xs, ys = seg[:, 0::2], seg[:, 1::2]
            x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
            pad = 0.01 * max(x1 - x0, y1 - y0, 1e-9)
            self._rect = QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        else:
            self._rect = QRectF()
        self._batches = []
        self.update()

    def setGroups(self, groups: np.ndarray, pens: list[QPen], order=None) -> None:
        """groups (m,) int: the pen of each segment, -1 = not drawn. ``order``: the groups in
        drawing order (last on top; default 0 .. len(pens)-1)."""
        groups = np.asarray(groups, dtype=np.intp)
        idx = np.argsort(groups, kind="stable")
        g_sorted = groups[idx]
        order = range(len(pens)) if order is None else order
        starts = np.searchsorted(g_sorted, np.asarray(list(order)), side="left")
        ends = np.searchsorted(g_sorted, np.asarray(list(order)), side="right")
        lines = self._lines
        batches = []
        for g, s, e in zip(order, starts.tolist(), ends.tolist()):
            if e - s == 1:
                batches.append((pens[g], [lines[int(idx[s])]]))
            elif e > s:
                batches.append((pens[g], list(itemgetter(*idx[s:e].tolist())(lines))))
        self._batches = batches
        self.update()

    def segment_count(self) -> int:
        return sum(len(lines) for _, lines in self._batches)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.Antialiasing, self._antialias)
        for pen, lines in self._batches:
            painter.setPen(pen)
            painter.drawLines(lines)


def style_plot(plot: pg.PlotItem) -> None:
    """Dark axes and text for the panels' white background."""
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(AXIS))
        axis.setTextPen(pg.mkPen(TEXT))


def show_grid(plot: pg.PlotItem) -> None:
    """A light grid behind the plot's data, drawn with one opaque pen (see ``GRID``)."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setGrid(255)
        axis.setStyle(tickAlpha=255)
        axis.setTickPen(pg.mkPen(GRID))


def pen(color, width: float = 1.0, style=None) -> QPen:
    p = QPen(QColor(color))
    p.setWidthF(width)
    p.setCosmetic(True)
    if style is not None:
        p.setStyle(style)
    return p


def segments_to_box(w: np.ndarray, b: np.ndarray, box) -> np.ndarray:
    """The lines w[0] x + w[1] y + b = 0 (w (n, 2), b (n,)) clipped to box = (x0, x1, y0, y1)
    -> segments (n, 4); NaN rows where a line misses the box or w = 0."""
    x0, x1, y0, y1 = box
    out = np.full((len(b), 4), np.nan)
    for k, ((wx, wy), bk) in enumerate(zip(np.asarray(w, float), np.asarray(b, float))):
        if not np.all(np.isfinite((wx, wy, bk))) or max(abs(wx), abs(wy), abs(bk)) > 1e150:
            continue  # a diverged neuron: no line to draw
        pts = []
        if abs(wy) > 1e-12:
            for x in (x0, x1):
                y = -(wx * x + bk) / wy
                if y0 <= y <= y1:
                    pts.append((x, y))
        if abs(wx) > 1e-12:
            for y in (y0, y1):
                x = -(wy * y + bk) / wx
                if x0 <= x <= x1:
                    pts.append((x, y))
        if len(pts) >= 2:
            pts.sort()
            out[k] = (*pts[0], *pts[-1])
    return out


def arrow_segments(tips: np.ndarray, head: float) -> np.ndarray:
    """Arrows from the origin to tips (n, 2): shaft + two head strokes -> segments (3n, 4);
    ``head`` is the head length in view units."""
    tips = np.asarray(tips, dtype=np.float64).reshape(-1, 2)
    out = []
    for tx, ty in tips:
        out.append((0.0, 0.0, tx, ty))
        norm = np.hypot(tx, ty)
        if not 1e-12 <= norm < 1e150:
            out += [(tx, ty, tx, ty)] * 2
            continue
        ux, uy = tx / norm, ty / norm
        h = min(head, 0.3 * norm)
        for s in (1.0, -1.0):  # rotate -u by +-25 degrees
            c, sn = np.cos(np.radians(25)), s * np.sin(np.radians(25))
            dx, dy = -(ux * c - uy * sn), -(ux * sn + uy * c)
            out.append((tx, ty, tx + h * dx, ty + h * dy))
    return np.asarray(out, dtype=np.float64).reshape(-1, 4)
