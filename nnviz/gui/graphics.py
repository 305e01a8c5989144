"""Graphics items and helpers shared by the panels.

``SegmentsItem`` draws many line segments (m,) in a few colours: each group of segments is one
``QPainter.drawLines`` call with one prebuilt pen (measured: 8,384 coloured edges in ~6 ms,
against ~227 ms for per-edge pens). ``MarksItem`` does the same for circles, squares and
crosses of a fixed size in view units (the diagram's 195 neurons, antialiased: ~0.9 ms, against
~6 ms for a pxMode=False ScatterPlotItem, which draws each spot through a path and a transform).
Geometry (``setSegments``/``setMarks``) and colouring (``setGroups``) are set separately, so a
frame with new colours only regroups cached Qt objects; ``paint()`` only replays the batches.
On screen, circles and squares are copies of one prerendered sprite per fill
(``nnviz.gui.sprites``: 195 neurons and 193 bias squares ~0.3 ms instead of ~3 ms).
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

from nnviz.gui import colormaps as cm
from nnviz.gui import pg_patches
from nnviz.gui.sprites import SpriteCache, draw_sprites
from nnviz.scales import PLOT_LIMIT, PLOT_MIN_SPAN, nice_scale, plot_range
from nnviz.ticks import COMPACT_LIMIT, compact_number, power_of_ten, tick_strings

pg_patches.install()  # work pyqtgraph does that nnviz does not need, left out (faster start)

#: marks drawn unfilled (one brush object: sprites are kept per brush)
NO_FILL = cm.brush(None)
#: px between the labels of a vertical axis at least (one line of text and a gap)
MIN_LABEL_GAP = 18


def grouped(items, groups: np.ndarray, styles: list, order=None) -> list[tuple]:
    """[(styles[g], [items of group g]), ...] for the groups in ``order`` (default 0 ..
    len(styles)-1) that have items; groups (m,) int, -1 = left out. ``items`` an array (m,
    ...): each group's rows as an array."""
    groups = np.asarray(groups, dtype=np.intp)
    idx = np.argsort(groups, kind="stable")
    order = np.arange(len(styles)) if order is None else np.asarray(list(order), dtype=np.intp)
    starts = np.searchsorted(groups[idx], order, side="left").tolist()
    ends = np.searchsorted(groups[idx], order, side="right").tolist()
    batches = []
    if isinstance(items, np.ndarray):
        return [(styles[g], items[idx[s:e]]) for g, s, e in zip(order.tolist(), starts, ends)
                if e > s]
    for g, s, e in zip(order.tolist(), starts, ends):
        if e - s == 1:
            batches.append((styles[g], [items[int(idx[s])]]))
        elif e > s:
            batches.append((styles[g], list(itemgetter(*idx[s:e].tolist())(items))))
    return batches


def drawing_order(groups, n_styles: int, order=None) -> np.ndarray:
    """The indices of the items drawn (groups (m,) int, -1 = left out), group by group in
    ``order`` (default 0 .. n_styles-1), each group's items in their order: ``grouped``'s
    order, as one index array."""
    groups = np.asarray(groups, dtype=np.intp).reshape(-1)
    rank = np.full(n_styles + 1, -1, dtype=np.intp)  # (the last: group -1)
    order = np.arange(n_styles) if order is None else np.asarray(list(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    r = rank[groups]
    idx = np.argsort(r, kind="stable")
    return idx[r[idx] >= 0]


def _box(points: np.ndarray, pad: float, pad_y: float | None = None) -> QRectF:
    """The bounding rectangle of points (n, 2), ``pad`` wider on every side (``pad_y``: above
    and below, if other) (empty: none)."""
    if not len(points):
        return QRectF()
    pad_xy = np.array([pad, pad if pad_y is None else pad_y])
    (x0, y0), (x1, y1) = points.min(axis=0) - pad_xy, points.max(axis=0) + pad_xy
    return QRectF(x0, y0, x1 - x0, y1 - y0)


class _GroupedItem(pg.GraphicsObject):
    """Primitives in view units (``_items``), drawn in groups with one style (pen or brush)
    per group; ``paint()`` replays ``_batches``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list = []
        self._batches: list[tuple] = []
        self._rect = QRectF()
        self._empty = False
        self._grouped_as = None  # (groups, styles, order) of the last ``setGroups``

    def setGroups(self, groups: np.ndarray, styles: list, order=None) -> None:
        """groups (m,) int: the style of each item, -1 = not drawn. ``order``: the groups in
        drawing order (last on top; default 0 .. len(styles)-1). The same grouping again:
        nothing to do (no repaint)."""
        if self._same_grouping(groups, styles, order):
            return
        self._batches = grouped(self._items, groups, styles, order)
        self._drawn()

    def _same_grouping(self, groups, styles, order) -> bool:
        """True if (groups, styles, order) are the last ``setGroups``'s (the same style
        objects); else remembers them."""
        groups = np.array(groups, dtype=np.intp).reshape(-1)
        order = None if order is None else tuple(order)
        last = self._grouped_as
        if last is not None and last[2] == order and len(last[1]) == len(styles) and \
                all(a is b for a, b in zip(last[1], styles)) and np.array_equal(last[0], groups):
            return True
        self._grouped_as = (groups, list(styles), order)
        return False

    def _drawn(self) -> None:
        """Repaint; an item with nothing to draw is not painted at all (Qt skips an item
        without contents: no call into Python for an empty selection or no dead neurons)."""
        empty = self.count() == 0
        if empty != self._empty:
            self._empty = empty
            self.setFlag(self.GraphicsItemFlag.ItemHasNoContents, empty)
        self.update()

    def count(self) -> int:
        """How many items are drawn."""
        return sum(len(items) for _, items in self._batches)

    def boundingRect(self) -> QRectF:
        return self._rect


class SegmentsItem(_GroupedItem):
    """Line segments (m, 4) as x0, y0, x1, y1 in the view's coordinates, drawn in groups, one
    pen each."""

    def __init__(self, antialias: bool = False, parent=None):
        super().__init__(parent)
        self._antialias = antialias

    def setSegments(self, segments: np.ndarray) -> None:
        """New geometry (m, 4); clears the colouring until the next ``setGroups``."""
        seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
        self.prepareGeometryChange()
        self._items = [QLineF(*row) for row in seg.tolist()]
        self._grouped_as = None
        ends = seg.reshape(-1, 2)
        pad = 0.01 * float(np.ptp(ends, axis=0).max()) + 1e-9 if len(ends) else 0.0
        self._rect = _box(ends, pad)
        self._batches = []
        self.update()  # (not ``_drawn``: the colouring that follows would turn the "no
        # contents" flag off again, each turn a few Qt calls on every update)

    segment_count = _GroupedItem.count

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.Antialiasing, self._antialias)
        for pen, lines in self._batches:
            painter.setPen(pen)
            painter.drawLines(lines)


class LinesItem(SegmentsItem):
    """Straight lines w[0] x + w[1] y + b = 0 (w (n, 2), b (n,)) drawn across the view's
    visible range only, with one pen, re-cut whenever the range changes: nothing is drawn
    outside the plot (an SVG keeps the plot's clipping only where its renderer supports
    clip-path, and QSvgRenderer does not). Add it with ``ignoreBounds=True``."""

    def __init__(self, w, b, line_pen: QPen, parent=None):
        super().__init__(parent=parent)
        self._w = np.asarray(w, dtype=np.float64).reshape(-1, 2)
        self._b = np.asarray(b, dtype=np.float64).reshape(-1)
        self._pen = line_pen

    def viewRangeChanged(self) -> None:
        vb = self.getViewBox()
        if not hasattr(vb, "viewRange"):  # not (yet) in a ViewBox
            return
        (x0, x1), (y0, y1) = vb.viewRange()
        segs = segments_to_box(self._w, self._b, (x0, x1, y0, y1))
        segs = segs[np.isfinite(segs).all(axis=1)]
        self.setSegments(segs)
        self.setGroups(np.zeros(len(segs), dtype=np.intp), [self._pen])


class MarksItem(_GroupedItem):
    """Marks of one shape ("circle", "square" or "cross") centred on points (n, 2), of a size
    (the side or diameter) in view units, outlined with one pen and filled by group, one brush
    each (a cross is only stroked: its groups say which are drawn). Items: a QRectF a mark, or
    a cross's two QLineF."""

    def __init__(self, shape: str = "circle", pen: QPen | None = None, parent=None):
        super().__init__(parent)
        if shape not in ("circle", "square", "cross"):
            raise ValueError(f"unknown mark shape {shape!r}")
        self.mark = shape
        self._pen = cm.pen(None) if pen is None else QPen(pen)
        self._xy = np.zeros((0, 2))
        self._size = 0.0
        self._sprite_xy = np.zeros((0, 2))  # the centres drawn, group by group ...
        self._sprite_cells = np.zeros(0, dtype=np.intp)  # ... and the style of each
        self._grouped_as = (self._sprite_cells, [NO_FILL], None)  # (what paint draws)
        self._sprites = SpriteCache()  # circles and squares on a raster painter

    def setMarks(self, centres: np.ndarray, size: float) -> None:
        """New positions (n, 2) and size, all drawn unfilled until the next ``setGroups``."""
        xy = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
        self._xy, self._size = xy, float(size)
        self.prepareGeometryChange()
        self._items = None  # the Qt items, made when drawn without sprites
        self._rect = None  # (``boundingRect``)
        self._grouped_as = None
        self.setGroups(np.zeros(len(xy), dtype=np.intp), [NO_FILL])

    def setGroups(self, groups: np.ndarray, styles: list, order=None) -> None:
        if self._same_grouping(groups, styles, order):
            return
        idx = drawing_order(groups, len(styles), order)
        self._sprite_xy = self._xy[idx]
        self._sprite_cells = self._grouped_as[0][idx]
        self._batches = None  # the Qt items' batches, made when drawn without sprites
        self._drawn()

    def count(self) -> int:
        return len(self._sprite_cells)

    def setPen(self, pen: QPen | None) -> None:
        self._pen = cm.pen(None) if pen is None else QPen(pen)
        self._sprites.clear()
        self.prepareGeometryChange()
        self._rect = None
        self.update()

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        self._rect = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        """The marks and their outline (half its width and 1.5 px of antialiasing and of
        rounding to the pixel grid): a frame that recolours the neurons repaints only the
        neurons' area, not the names and pictures beside them (~0.15 ms on xor). Before
        the item is in a view: half a mark more on every side."""
        if self._rect is not None:
            return self._rect
        px, py = self.pixelVectors()
        if px is None or py is None:
            return _box(self._xy, self._size)
        outline = (max(self._pen.widthF(), 1.0) if self._pen.style() != Qt.NoPen else 0.0)
        margin = 0.5 * outline + 1.5
        self._rect = _box(self._xy, 0.5 * self._size + margin * px.length(),
                          0.5 * self._size + margin * py.length())
        return self._rect

    def _qt_items(self) -> list:
        """A QRectF a mark, or a cross's two QLineF."""
        if self._items is None:
            h = 0.5 * self._size
            rects = [QRectF(x - h, y - h, 2 * h, 2 * h) for x, y in self._xy.tolist()]
            self._items = rects if self.mark != "cross" else [
                (QLineF(r.topLeft(), r.bottomRight()), QLineF(r.bottomLeft(), r.topRight()))
                for r in rects]
        return self._items

    def paint(self, painter: QPainter, *args) -> None:
        if draw_sprites(painter, self.mark, self._pen, self._sprite_xy, self._sprite_cells,
                        self._grouped_as[1], self._size, self._sprites):
            return
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(self._pen)
        if self._batches is None:
            self._batches = grouped(self._qt_items(), *self._grouped_as)
        for brush, items in self._batches:
            if self.mark == "square":
                painter.setBrush(brush)
                painter.drawRects(items)
            elif self.mark == "circle":
                painter.setBrush(brush)
                self._draw_circles(painter, items)
            else:
                painter.drawLines([line for pair in items for line in pair])

    @staticmethod
    def _draw_circles(painter: QPainter, rects: list) -> None:
        """Ellipses in their bounding rects; under a scale-only view transform mapped to device
        pixels first (Qt fills a scaled ellipse through a transformed path: ~1.5x the time)."""
        t = painter.transform()
        if t.type().value > QTransform.TransformationType.TxScale.value:
            for rect in rects:
                painter.drawEllipse(rect)
            return
        painter.save()
        painter.resetTransform()
        for rect in rects:
            painter.drawEllipse(t.mapRect(rect))
        painter.restore()


class BarsItem(pg.BarGraphItem):
    """A ``pg.BarGraphItem`` that measures its bounding rect once per change of its bars or
    of the view (Qt asks for it several times a paint, and pyqtgraph's measures the size of a
    pixel each time)."""

    def __init__(self, **opts):
        self._bounds = None
        super().__init__(**opts)

    def setOpts(self, **opts):
        self._bounds = None
        super().setOpts(**opts)
        self._bounds = None  # (Qt may have asked for the old one meanwhile)

    def setHeights(self, y0: float, height) -> None:
        """New bottom and heights (n,) for the same bars: only the rectangles are made
        again (``setOpts`` also re-reads every option, makes the pens and brushes again and
        tells the view its bounds moved)."""
        self.opts["y0"], self.opts["height"] = y0, height
        self._prepareData()
        self.picture = self._shape = self._bounds = None
        self.prepareGeometryChange()
        self.update()

    def viewTransformChanged(self):
        self._bounds = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        if self._bounds is None:
            self._bounds = super().boundingRect()
        return QRectF(self._bounds)


class MovingPoints(pg.ScatterPlotItem):
    """A scatter whose points keep their styles (brush per point, set once with ``setData``)
    and only move: ``move(pos)`` writes the positions in place. setData with 1,000 per-point
    brushes re-styles every point: ~17 ms on a loaded 2-core machine; moving them, ~0.1 ms."""

    def move(self, pos: np.ndarray) -> None:
        """New positions (n, 2), n as many as the points set."""
        self.data["x"] = pos[:, 0]
        self.data["y"] = pos[:, 1]
        self.prepareGeometryChange()
        self.informViewBoundsChanged()
        self.bounds = [None, None]
        self.invalidate()


class RingItem(QGraphicsEllipseItem):
    """A ring ``size`` px across around one point in view units (the current sample), drawn by
    Qt alone: a one-point ScatterPlotItem cost ~0.4 ms a paint in Python, and the ring moves
    on every frame. Add it with ``ignoreBounds=True``; ``place((x, y))`` moves it, ``place(None)``
    hides it."""

    def __init__(self, size: float, ring_pen: QPen, parent=None):
        super().__init__(-0.5 * size, -0.5 * size, size, size, parent)
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)
        self.setPen(ring_pen)
        self.setBrush(cm.brush(None))
        self.hide()

    def place(self, xy) -> None:
        if xy is None or not np.all(np.isfinite(xy)):
            self.hide()
            return
        x, y = float(xy[0]), float(xy[1])
        if (x, y) != self.position():
            self.setPos(x, y)
        self.show()

    def position(self) -> tuple[float, float] | None:
        """(x, y) in view units, None while hidden."""
        return (self.pos().x(), self.pos().y()) if self.isVisible() else None

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing, True)
        super().paint(painter, option, widget)


def colour_bar(stops, label: str, values=(-1.0, 1.0)) -> pg.ColorBarItem:
    """A fixed (not draggable) colour bar for colour map ``stops`` (see ``cm.colormap``),
    labelled, in the panels' text colours."""
    bar = pg.ColorBarItem(values=values, colorMap=cm.colormap(stops), interactive=False,
                          width=12, colorMapMenu=False, label=label)
    style_plot(bar)
    return bar


def reuse_axis_pictures(axis: pg.AxisItem, keep: int = 8) -> None:
    """Let ``axis`` keep the pictures of its last ``keep`` ranges: a range it had before is
    drawn from its picture again instead of laying out its ticks anew (pyqtgraph's
    generateDrawSpecs, ~1 ms). For an axis whose range moves among a few values, a colour
    bar between neighbouring 1-2-5 scales; its style is set once (only range and size
    count)."""
    pictures: dict = {}
    original = axis.paint

    def paint(p, *args):
        key = (tuple(axis.range), axis.width(), axis.height(), axis.autoSIPrefixScale,
               axis.labelText)
        if axis.picture is None and key in pictures:
            axis.picture = pictures[key]
        original(p, *args)
        if key not in pictures:
            if len(pictures) >= keep:
                del pictures[next(iter(pictures))]
            pictures[key] = axis.picture

    axis.paint = paint


def set_colour_bar(bar: pg.ColorBarItem, stops, scale: float, label: str,
                   from_zero: bool = False) -> None:
    """Show (-scale, scale) on ``bar``; ``from_zero``: only (0, scale) and the colour map's
    upper half (a magnitude is never negative: the lower half would be a legend for nothing).
    Only what changed is set (each set re-lays the bar's axis)."""
    levels = (0.0, scale) if from_zero else (-scale, scale)
    if (bar.levels()[0] == 0.0) != from_zero:  # (a symmetric range never starts at 0)
        full = cm.colormap(stops)
        bar.setColorMap(full.getSubset(0.5, 0.5) if from_zero else full)
    if bar.levels() != levels:
        bar.setLevels(levels)
    axis = bar.getAxis("left")
    if axis.labelText != label:
        set_axis_label(axis, label)


def set_axis_label(axis: pg.AxisItem, text: str | None) -> None:
    """Label ``axis`` ``text`` and place the label again: pyqtgraph centres a label only when
    its axis resizes, so a longer text set later ran off the end ("dL/dw (after the first" of
    the diagram's colour bar, cut at the top)."""
    axis.setLabel(text)
    axis.resizeEvent()


def fitting_label(axis: pg.AxisItem, *texts: str) -> str:
    """The first of ``texts`` whose label fits along ``axis`` (its length less a few pixels;
    measured as drawn, so set on the axis while trying), else the last (the shortest, by the
    caller's order). Remembered per (texts, length): a label set anew re-lays the axis."""
    vertical = axis.orientation in ("left", "right")
    room = (axis.height() if vertical else axis.width()) - 6
    key = (texts, round(room))
    cached = getattr(axis, "_fitting_label", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    chosen = texts[0]
    if room > 0:
        for text in texts:
            chosen = text
            if axis.labelText != text:
                set_axis_label(axis, text)
            if axis.label.boundingRect().width() <= room:
                break
    axis._fitting_label = (key, chosen)
    return chosen


def style_plot(plot: pg.PlotItem) -> None:
    """Dark axes and text for the panels' white background, tick labels of one number each
    (``number_axis``); ranges kept drawable (``guard_ranges``)."""
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(cm.pen(cm.AXIS))
        axis.setTextPen(cm.pen(cm.TEXT))
        number_axis(axis)
    guard_ranges(plot.getViewBox())


def number_axis(axis: pg.AxisItem) -> None:
    """Tick labels of ``axis`` that read as one number each (``nnviz.ticks``): no SI
    prefix (pyqtgraph scaled a 1e300 axis by 1e-27, "(x1e+27)" beside ticks of "1e+273"), and
    pyqtgraph's own axes (the plots' and colour bars' defaults) labelled by ``tick_strings``;
    the axis classes below format their own."""
    axis.enableAutoSIPrefix(False)
    if type(axis).tickStrings is pg.AxisItem.tickStrings:
        axis.tickStrings = lambda values, scale, spacing, a=axis: tick_strings(
            values, scale, spacing, a.logMode)


#: px between two tick labels of a horizontal axis at least
LABEL_SPACE = 10


def roomy_ticks(axis: pg.AxisItem) -> None:
    """Label a horizontal ``axis``'s ticks far enough apart for their text: the labelled
    spacing climbs the 1-2-5 ladder until the wider end label and LABEL_SPACE px fit between
    two ticks (pyqtgraph spaces ticks by the axis's length alone: "-20 0 20 40" ran together
    as "-20020 40" under a 60 px plot)."""
    if axis.orientation not in ("top", "bottom"):
        return
    original = axis.tickSpacing

    def spacing(minVal, maxVal, size, a=axis):
        levels = original(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or not (np.isfinite(span) and span > 0) or size <= 0:
            return levels
        metrics = QFontMetricsF(a.style["tickFont"] or a.font())
        major = levels[0][0]
        while major < span:
            ends = [np.ceil(minVal / major) * major, np.floor(maxVal / major) * major]
            width = max(metrics.horizontalAdvance(t)
                        for t in tick_strings(ends, 1.0, major, a.logMode))
            if size * major / span >= width + LABEL_SPACE:
                break
            major = nice_scale(major * 1.01)  # the next step on the 1-2-5 ladder
        if major == levels[0][0]:
            return levels
        return [(major, 0.0)] + [level for level in levels if level[0] < major]

    axis.tickSpacing = spacing


def guard_ranges(vb: pg.ViewBox) -> None:
    """Keep every range ``vb`` takes (set, or its auto range over the data) within ±PLOT_LIMIT
    and at least PLOT_MIN_SPAN wide: data near ±1e308 made pyqtgraph refuse the range, data
    within 1e-308 of each other made the pixels-per-unit overflow and Qt crash painting."""
    vb.setLimits(xMin=-PLOT_LIMIT, xMax=PLOT_LIMIT, yMin=-PLOT_LIMIT, yMax=PLOT_LIMIT,
                 minXRange=PLOT_MIN_SPAN, minYRange=PLOT_MIN_SPAN)


class GridAxis(pg.AxisItem):
    """An axis whose grid lines are opaque: pyqtgraph fades each tick level with alpha, and
    Qt strokes translucent lines through its slow path (a 700 x 500 plot's grid cost ~13 ms
    per paint, ~2 ms opaque). Same look: each pen pre-blended onto the white background.
    ``compact``: tick labels as 500k, 1M, 1.5M instead of 500000, 1e+06, 1.5e+06.
    A short vertical axis labels fewer ticks (pyqtgraph labels at least two intervals at
    any height: 0.2, 0.4, 0.6, 0.8 ran into each other in a 45 px plot)."""

    def __init__(self, orientation: str, compact: bool = False, **kwargs):
        super().__init__(orientation, **kwargs)
        self.compact = compact
        self.enableAutoSIPrefix(False)

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or self.orientation not in ("left", "right") or span == 0:
            return levels
        major = levels[0][0]
        while size * major / span < MIN_LABEL_GAP and major < span:
            major = nice_scale(major * 1.01)  # the next step on the 1-2-5 ladder
        if major == levels[0][0]:
            return levels
        return [(major, 0.0)] + [level for level in levels if level[0] < major]

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        """In log mode within a decade or two pyqtgraph labels every 2, 3, .. 9: on a short
        axis only 1, 2, 5 (or 1) are labelled, the rest become an unlabelled level."""
        levels = super().logTickValues(minVal, maxVal, size, stdTicks)
        if self.orientation not in ("left", "right") or not levels or levels[0][0] is not None:
            return levels
        values, fit = levels[0][1], max(1, int(size // MIN_LABEL_GAP))
        kept = values
        for mantissas in ((1, 2, 5), (1,)):
            if len(kept) <= fit:
                break
            kept = [v for v in values if round(10 ** (v % 1)) in mantissas]
        if len(kept) == len(values):
            return levels
        return [(None, kept), (None, [v for v in values if v not in kept])] + levels[1:]

    def tickStrings(self, values, scale, spacing):
        big = max((abs(v * scale) for v in values), default=0)
        if not self.compact or self.logMode or not 1e4 <= big < COMPACT_LIMIT:
            return tick_strings(values, scale, spacing, self.logMode)
        return [compact_number(v * scale) for v in values]

    def generateDrawSpecs(self, p):
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis_spec, tick_specs, text_specs = specs
        return axis_spec, [(cm.on_white(tick_pen), p1, p2) for tick_pen, p1, p2 in tick_specs], \
            text_specs


class DecadeAxis(pg.AxisItem):
    """An axis over log10 values, labelled as powers of ten (10⁻⁶, 10⁻⁴, 10⁰) at whole
    decades only."""

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickSpacing(self, minVal, maxVal, size):
        levels = [(s, o) for s, o in super().tickSpacing(minVal, maxVal, size)
                  if s >= 1 and float(s).is_integer()]
        return levels or [(1.0, 0.0)]

    def tickStrings(self, values, scale, spacing):
        return [power_of_ten(v * scale) for v in values]


def grid_axes(compact_x: bool = False) -> dict[str, GridAxis]:
    """``axisItems`` for a plot that will ``show_grid``; ``compact_x``: 1.5M-style x ticks."""
    return {"left": GridAxis("left"), "bottom": GridAxis("bottom", compact=compact_x)}


def show_grid(plot: pg.PlotItem, alpha: float = 0.15) -> None:
    """A faint grid behind the data (pyqtgraph draws it with the axes, over the data: opaque
    grid lines would cut through every point they cross)."""
    plot.showGrid(x=True, y=True, alpha=alpha)
    plot.getViewBox().setZValue(max(plot.getAxis(n).zValue() for n in ("left", "bottom")) + 1)


def sticky_range(lo: float, hi: float, shown: tuple[float, float] | None,
                 slack: float = 3.0, ahead: bool = False) -> tuple[float, float]:
    """A range for data on [lo, hi] that moves rarely: ``shown`` while it holds the data and
    is at most ``slack`` times as long as they need, else [lo, hi] widened to whole steps of a
    1-2-5 tick spacing; ``ahead``: one step more on a side the data ran past (data that keep
    going that way, a falling loss on a log axis, move it about half as often; with ``slack``
    >= 3 it is not then too long). (A range that moves on every update re-lays the axis
    ticks and the grid.)"""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return shown or (0.0, 1.0)
    span = hi - lo if hi > lo else max(abs(hi), 1.0) * 0.1
    if shown is not None and shown[0] <= lo and hi <= shown[1] and \
            shown[1] - shown[0] <= slack * span:
        return shown
    step = nice_scale(span / 4.0)
    low, high = float(np.floor(lo / step) * step), float(np.ceil(hi / step) * step)
    if ahead and shown is not None:
        low -= step if lo < shown[0] else 0.0
        high += step if hi > shown[1] else 0.0
    return plot_range(low, high)


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


def contour_segments(field: np.ndarray, level: float) -> np.ndarray:
    """Marching squares: the curve ``field == level`` as line segments (m, 4), x0, y0, x1, y1
    in index units with sample [i, j] at (i + 0.5, j + 0.5) (where an ImageItem draws pixel
    [i, j]). Crossings are interpolated linearly along the cell edges; a saddle cell is split
    by its centre value. Vectorised over the cells the curve crosses only (~0.1 ms for
    64 x 64; pyqtgraph's isocurve: ~5 ms)."""
    f = np.asarray(field, dtype=np.float64) - level
    if f.ndim != 2 or min(f.shape) < 2:
        return np.zeros((0, 4))
    f = np.where(np.isfinite(f), f, 0.0)
    pos = f > 0
    # corners of each cell, counter-clockwise: a [i, j], b [i+1, j], c [i+1, j+1], d [i, j+1];
    # edges: 0 bottom a-b, 1 right b-c, 2 top d-c, 3 left a-d
    edges = (pos[:-1, :-1] != pos[1:, :-1], pos[1:, :-1] != pos[1:, 1:],
             pos[:-1, 1:] != pos[1:, 1:], pos[:-1, :-1] != pos[:-1, 1:])
    i, j = np.nonzero(edges[0] | edges[1] | edges[2] | edges[3])  # (row-major)
    if not len(i):
        return np.zeros((0, 4))
    a, b, c, d = f[i, j], f[i + 1, j], f[i + 1, j + 1], f[i, j + 1]
    cross = np.stack([e[i, j] for e in edges])  # (4, k)

    def t(u, v):  # where u + t (v - u) = 0 on an edge that crosses
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.clip(np.nan_to_num(u / (u - v), nan=0.5), 0.0, 1.0)

    fi, fj = i.astype(np.float64), j.astype(np.float64)
    points = np.stack([np.stack((fi + t(a, b), fj), -1), np.stack((fi + 1.0, fj + t(b, c)), -1),
                       np.stack((fi + t(d, c), fj + 1.0), -1), np.stack((fi, fj + t(a, d)), -1)])
    count = cross.sum(axis=0)
    segs = []
    two = count == 2
    if two.any():
        first = np.argmax(cross[:, two], axis=0)
        second = 3 - np.argmax(cross[::-1][:, two], axis=0)
        p = points[:, two]
        k = np.arange(p.shape[1])
        segs.append(np.hstack((p[first, k], p[second, k])))
    four = count == 4
    if four.any():
        p = points[:, four]
        centre_like_a = ((a + b + c + d)[four] > 0) == (a[four] > 0)
        # the centre joins a and c: cut off corners b (edges 0, 1) and d (2, 3); else a and c
        pairs = np.where(centre_like_a[:, None], [[0, 1, 2, 3]], [[3, 0, 1, 2]])
        k = np.arange(p.shape[1])
        segs.append(np.hstack((p[pairs[:, 0], k], p[pairs[:, 1], k])))
        segs.append(np.hstack((p[pairs[:, 2], k], p[pairs[:, 3], k])))
    return np.vstack(segs) + 0.5


def arrow_segments(tips: np.ndarray, head: float) -> np.ndarray:
    """Arrows from the origin to tips (n, 2): shaft + two head strokes -> segments (3n, 4);
    ``head`` is the head length in view units (at most 0.3 of the arrow). The strokes are -u
    (u = tip / |tip|) turned by ±25 degrees; an arrow of length outside [1e-12, 1e150)
    (or NaN) has strokes of no length at its tip."""
    tips = np.asarray(tips, dtype=np.float64).reshape(-1, 2)
    tx, ty = tips[:, 0], tips[:, 1]
    with np.errstate(all="ignore"):
        norm = np.hypot(tx, ty)
        ok = (norm >= 1e-12) & (norm < 1e150)
        safe = np.where(ok, norm, 1.0)
        ux, uy = tx / safe, ty / safe
        h = np.minimum(head, 0.3 * norm)
        out = np.empty((len(tips), 3, 4))
        out[:, 0] = np.column_stack((np.zeros_like(tx), np.zeros_like(ty), tx, ty))
        c = np.cos(np.radians(25))
        for i, s in enumerate((1.0, -1.0)):
            sn = s * np.sin(np.radians(25))
            dx, dy = -(ux * c - uy * sn), -(ux * sn + uy * c)
            out[:, 1 + i] = np.column_stack((tx, ty, tx + h * dx, ty + h * dy))
    out[~ok, 1:] = np.column_stack((tx, ty, tx, ty))[~ok, None, :]
    return out.reshape(-1, 4)
