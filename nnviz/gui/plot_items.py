"""Light plot items for what changes on every frame: ``CurveItem`` (the error panel's long,
growing series), ``LinePairs`` (the decision boundary's segments), ``MapImage`` (the
prediction maps) and ``SteadyPoints`` (data points under them).

``SteadyPoints``: a MovingPoints that measures its bounding rectangle once per change of its
points or of the view: Qt asks for it several times a paint, and pyqtgraph's ScatterPlotItem
works out its pixel padding in Python on every call (~0.1 ms each).

``MapImage``: an ImageItem whose QImage is converted once, when it is made, to the format
Qt's raster painter blends directly (ARGB32 premultiplied): pyqtgraph's indexed (LUT) image was
converted again on every paint (a 64 x 64 map drawn 500 px wide: ~1.1 ms, ~0.25 ms converted).

``LinePairs``: segments (m, 4) written with numpy into one QLineF array that a single
``QPainter.drawLines`` call draws (a Python QLineF per segment: ~1.5 us each, thousands for an
untrained network's ragged P = 0.5 contour).


pyqtgraph's PlotDataItem runs every ``setData`` through a pipeline (finite checks, display
dataset, downsampling and clipping, a PlotCurveItem and a ScatterPlotItem child) and its
children measure themselves in Python whenever the scene asks: ~1 ms of a frame for the error
panel's six series. This item keeps the arrays and does the work once, when it paints:

* the points in view (``clipToView``) plus one on each side, x ascending;
* more than two a pixel column: each column's first x with its min and max y ("peak"
  downsampling, the shape of every spike kept; ``nnviz.peaks``);
* one QPainterPath, or for a wide opaque pen separate segments (NaN and ±inf leave a gap),
  cached until the data, the view range or the plot's width change;
* a new snapshot's series mostly adds points at the end (``nnviz.engine.history``): only the
  part right of the first point drawn that changed is repainted (``first_difference``), and
  ``paint`` draws the points over the part Qt asks for (``exposedRect``) and one beyond each
  side. Its bounding rectangle holds the view's range too, so a curve that grows inside the
  view is not a change of geometry (which repaints the old and the new rectangle whole).
  xor flat out, 1680x1000: the error panel's paint ~2.0 -> ~0.5 ms an update;
* a dot on each point where ``setSymbol("o")`` asks (a sparse series).

It speaks enough of PlotDataItem for a PlotItem and its legend: ``name()``, ``opts`` (pen,
symbol, size, brush), ``implements("plotData")``, ``setLogMode`` (log10 of y), ``dataBounds``,
``getData``/``getOriginalDataset``, ``xData``/``yData``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from nnviz.gui import colormaps as cm
from nnviz.gui.graphics import MovingPoints
from nnviz.peaks import GrowingPeaks, first_difference

#: px of room around the data for the pen's width and the dots
PAD_PX = 4.0


class CurveItem(pg.GraphicsObject):
    """y against x (1-D, x ascending) as one line with pen ``pen``; ``name`` for a legend."""

    def __init__(self, pen: QPen, name: str | None = None, parent=None):
        super().__init__(parent)
        self.opts = {"pen": QPen(pen), "name": name, "symbol": None, "size": 5,
                     "brush": None, "antialias": False, "autoDownsample": True,
                     "clipToView": True}
        self.xData: np.ndarray | None = None  # as given
        self.yData: np.ndarray | None = None
        self._x = self._y = np.zeros(0)  # as drawn (log10 of y in log mode)
        self._log = False
        self._bounds: tuple | None = None  # (x0, x1, y0, y1) of the finite points drawn
        self._drawn: tuple | None = None  # (view key, x, y, kept): ``_drawn_points``
        self._peaks = GrowingPeaks()
        self._geometry_cache = None  # the path or segments of all of ``_drawn``
        self._rect = QRectF()
        self._px: tuple[float, float] | None = None  # a pixel in view units (``_pixel``)
        # paint() is told the part of the item to repaint: only the curve's new end is drawn
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    # ------------------------------------------------------------------ PlotDataItem's ways
    def name(self) -> str | None:
        return self.opts["name"]

    def implements(self, interface=None):
        ints = ["plotData"]
        return ints if interface is None else interface in ints

    def setData(self, x, y) -> None:
        """New arrays (as float64, x ascending, the same length as y); float64 arrays are
        kept, not copied: not to be changed afterwards."""
        self.xData = np.asarray(x, dtype=np.float64).ravel()
        self.yData = np.asarray(y, dtype=np.float64).ravel()
        self._update_display()

    def getOriginalDataset(self):
        return self.xData, self.yData

    def getData(self):
        return self._x, self._y

    def setLogMode(self, x_mode: bool, y_mode: bool) -> None:
        if bool(y_mode) != self._log:
            self._log = bool(y_mode)
            self._update_display()

    def setSymbol(self, symbol) -> None:
        self.opts["symbol"] = symbol
        self.update()

    def setSymbolSize(self, size: float) -> None:
        self.opts["size"] = size
        self.update()

    def setSymbolPen(self, pen) -> None:
        pass  # (the dots are filled only)

    def setSymbolBrush(self, color) -> None:
        self.opts["brush"] = cm.brush(color)
        self.update()

    def marked_points(self) -> int:
        """How many points carry a dot."""
        return len(self._x) if self.opts["symbol"] is not None else 0

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        if self._bounds is None:
            return (None, None)
        return self._bounds[:2] if ax == 0 else self._bounds[2:]

    # ------------------------------------------------------------------ geometry
    def _update_display(self) -> None:
        x = self.xData if self.xData is not None else np.zeros(0)
        y = self.yData if self.yData is not None else np.zeros(0)
        if self._log:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
        self._x, self._y = x, y
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.all() and len(x):  # (most often: no copies of the finite ones)
            bounds = (float(x.min()), float(x.max()), float(y.min()), float(y.max()))
        else:
            bounds = ((float(x[ok].min()), float(x[ok].max()),
                       float(y[ok].min()), float(y[ok].max())) if ok.any() else None)
        old, self._drawn, self._geometry_cache = self._drawn, None, None
        moved = self._set_rect(bounds)
        if bounds != self._bounds:
            self._bounds = bounds
            self.informViewBoundsChanged()
        if not moved:
            self._repaint_changed(old)

    def _repaint_changed(self, old: tuple | None) -> None:
        """Ask for a repaint of what changed since ``old`` (the points drawn before): from the
        last point drawn before the first that differs (its segment changed) to the last
        point, old or new; nothing if none differs; all of it if the view differs."""
        if old is None or self._rect.isEmpty():
            self.update()
            return
        key, x, y, kept = self._drawn_points()
        if key != old[0]:
            self.update()
            return
        j = first_difference(old[1][kept:], old[2][kept:], x[kept:], y[kept:])
        if j is None:
            return
        j += kept
        r, margin = self._rect, (PAD_PX + 1) * self._pixel()[0]
        left = float(x[j - 1]) - margin if j > 0 else -np.inf
        right = max(float(x[-1]) if len(x) else -np.inf,
                    float(old[1][-1]) if len(old[1]) else -np.inf) + margin
        if not (r.left() < left < right):  # (NaN too)
            self.update()
            return
        # within the view's range in y (the view clips its curves; a spike beyond it asked
        # for a repaint of the title row above)
        (y0, y1), py = self.getViewBox().viewRange()[1], PAD_PX * self._pixel()[1]
        self.update(QRectF(left, y0 - py, min(right, r.right()) - left, y1 - y0 + 2 * py))

    def _set_rect(self, bounds: tuple | None) -> bool:
        """The data's bounds and the view's range, PAD_PX pixels around them (the view's
        range too: the curve's end then stays inside as it grows, and a repaint of it is not a
        change of geometry, which repaints the old and the new rectangle whole); True when it
        changed (all of it is repainted)."""
        if bounds is None:
            rect = QRectF()
        else:
            x0, x1, y0, y1 = bounds
            vb = self.getViewBox()
            if vb is not None and hasattr(vb, "viewRange"):
                (vx0, vx1), (vy0, vy1) = vb.viewRange()
                x0, x1, y0, y1 = min(x0, vx0), max(x1, vx1), min(y0, vy0), max(y1, vy1)
            px, py = self._pixel()
            rect = QRectF(x0 - PAD_PX * px, y0 - PAD_PX * py, x1 - x0 + 2 * PAD_PX * px,
                          y1 - y0 + 2 * PAD_PX * py)
        if rect == self._rect:
            return False
        self.prepareGeometryChange()
        self._rect = rect
        self.update()
        return True

    def _pixel(self) -> tuple[float, float]:
        """The size of a screen pixel in view units (0, 0 before the item is shown),
        remembered until the view's transform changes."""
        if self._px is None:
            self._px = self._measure_pixel()
        return self._px

    def _measure_pixel(self) -> tuple[float, float]:
        vb = self.getViewBox()
        if vb is None or not hasattr(vb, "viewPixelSize"):
            return 0.0, 0.0
        try:
            px, py = vb.viewPixelSize()
        except Exception:  # (a view not laid out yet has no pixel size)
            return 0.0, 0.0
        px, py = abs(float(px)), abs(float(py))
        return (px if np.isfinite(px) else 0.0), (py if np.isfinite(py) else 0.0)

    def boundingRect(self) -> QRectF:
        return self._rect

    def viewTransformChanged(self) -> None:
        self._drawn, self._geometry_cache, self._px = None, None, None
        self._set_rect(self._bounds)
        self.update()

    def viewRangeChanged(self) -> None:
        self._drawn, self._geometry_cache = None, None
        self._set_rect(self._bounds)
        self.update()

    # ------------------------------------------------------------------ drawing
    def _view_key(self) -> tuple | None:
        """(x range, px across) of the view: the points drawn depend on these only."""
        vb = self.getViewBox()
        if vb is None or not hasattr(vb, "viewRange"):
            return None
        return tuple(vb.viewRange()[0]), max(int(vb.width()), 1)

    def _drawn_points(self) -> tuple:
        """(view key, x, y, kept): the points to draw, those in view and one beyond each side,
        at most two a pixel column (``GrowingPeaks``: ``kept`` leading ones as they were);
        made again when the data or the view's key changed."""
        key = self._view_key()
        if self._drawn is None or self._drawn[0] != key:
            x, y, kept = self._x, self._y, 0
            if key is not None and len(x) >= 2:
                (x0, x1), width = key
                i0 = max(int(np.searchsorted(x, x0, side="left")) - 1, 0)
                i1 = min(int(np.searchsorted(x, x1, side="right")) + 1, len(x))
                x, y, kept = self._peaks.thin(x[i0:i1], y[i0:i1], width, (x0, x1))
            self._drawn, self._geometry_cache = (key, x, y, kept), None
        return self._drawn

    def _points(self) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw (see ``_drawn_points``)."""
        return self._drawn_points()[1:3]

    def _segmented(self) -> bool:
        """Drawn as separate segments (QPainter.drawLines) rather than one path: a wide,
        solid, opaque pen without antialiasing, where Qt's stroking of one long path joins
        every corner (~7 ms for 8k noisy points; pyqtgraph's PlotCurveItem does the same)."""
        pen = self.opts["pen"]
        key = (id(pen), self.opts["antialias"])
        if getattr(self, "_segmented_key", None) != key:  # (asking the pen: ~0.1 ms)
            self._segmented_key = key
            self._segmented_as = (pen.widthF() > 1.0 and pen.style() == Qt.SolidLine and
                                  pen.isSolid() and pen.color().alphaF() == 1.0 and
                                  not self.opts["antialias"])
            self._sliceable = pen.style() == Qt.SolidLine  # (a dash pattern starts anew
            # where a path starts: only a solid line is drawn in part)
        return self._segmented_as

    def _make_geometry(self, x: np.ndarray, y: np.ndarray):
        """The path, or the segments (a PrimitiveArray of QLineF, kept while its memory is
        drawn from), of the points (x, y)."""
        if self._segmented():
            return arrayToLineSegments(x, y, connect="finite", finiteCheck=True)
        if len(x) >= 2:
            return pg.arrayToQPath(x, y, connect="finite")
        return QPainterPath()

    def _geometry(self, exposed: QRectF | None = None):
        """The geometry of the points drawn, all of them (cached until the data or the view
        changes), or for ``exposed`` (a part of the item to repaint) those over it and one
        more on each side."""
        key, x, y, _ = self._drawn_points()
        self._segmented()
        if (exposed is None or not self._sliceable or key is None or
                (exposed.left() <= key[0][0] and exposed.right() >= key[0][1])):
            if self._geometry_cache is None:
                self._geometry_cache = self._make_geometry(x, y)
            return self._geometry_cache
        margin = (PAD_PX + 1) * self._pixel()[0]
        i0 = max(int(np.searchsorted(x, exposed.left() - margin, side="left")) - 1, 0)
        i1 = min(int(np.searchsorted(x, exposed.right() + margin, side="right")) + 1, len(x))
        return self._make_geometry(x[i0:i1], y[i0:i1])

    def paint(self, painter: QPainter, option=None, *args) -> None:
        if not len(self._x):
            return
        painter.setRenderHint(QPainter.Antialiasing, bool(self.opts["antialias"]))
        painter.setPen(self.opts["pen"])
        geometry = self._geometry(getattr(option, "exposedRect", None))
        if isinstance(geometry, QPainterPath):
            painter.drawPath(geometry)
        else:
            painter.drawLines(*geometry.drawargs())
        if self.opts["symbol"] is not None:
            self._draw_dots(painter, getattr(option, "exposedRect", None))

    def _draw_dots(self, painter: QPainter, exposed: QRectF | None = None) -> None:
        """A filled dot of ``size`` px on each finite point (over ``exposed``, if given),
        drawn in device pixels."""
        t = painter.transform()
        r = 0.5 * float(self.opts["size"])
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(cm.pen(None))
        painter.setBrush(self.opts["brush"] or cm.brush(self.opts["pen"].color()))
        ok = np.isfinite(self._x) & np.isfinite(self._y)
        if exposed is not None:
            margin = (PAD_PX + 1) * self._pixel()[0]
            ok &= (self._x >= exposed.left() - margin) & (self._x <= exposed.right() + margin)
        for x, y in zip(self._x[ok].tolist(), self._y[ok].tolist()):
            painter.drawEllipse(t.map(QPointF(x, y)), r, r)
        painter.restore()


class LinePairs(pg.GraphicsObject):
    """Line segments (m, 4) as x0, y0, x1, y1 in the parent's units, one pen, one drawLines
    call (see the module); rows with a non-finite value are left out."""

    def __init__(self, pen: QPen, antialias: bool = False, parent=None):
        super().__init__(parent)
        self._pen = QPen(pen)
        self._antialias = antialias
        self._lines = PrimitiveArray(QLineF, 4)
        self._rect = QRectF()

    def setSegments(self, segments: np.ndarray) -> None:
        seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
        seg = seg[np.isfinite(seg).all(axis=1)]
        self.prepareGeometryChange()
        self._lines.resize(len(seg))
        if len(seg):
            self._lines.ndarray()[:] = seg
            ends = seg.reshape(-1, 2)
            (x0, y0), (x1, y1) = ends.min(axis=0), ends.max(axis=0)
            pad = 0.01 * max(x1 - x0, y1 - y0) + 1e-9
            self._rect = QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        else:
            self._rect = QRectF()
        self.update()

    def segments(self) -> np.ndarray:
        """The segments drawn (m, 4)."""
        return np.array(self._lines.ndarray(), dtype=np.float64).reshape(-1, 4)

    def segment_count(self) -> int:
        return len(self._lines.ndarray())

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, *args) -> None:
        if self.segment_count():
            painter.setRenderHint(QPainter.Antialiasing, self._antialias)
            painter.setPen(self._pen)
            painter.drawLines(*self._lines.drawargs())


class MapImage(pg.ImageItem):
    """A pg.ImageItem painted from an ARGB32-premultiplied copy of its QImage (see the
    module)."""

    def render(self) -> None:
        super().render()
        q = self.qimage
        if q is not None and q.format() != QImage.Format_ARGB32_Premultiplied:
            self.qimage = q.convertToFormat(QImage.Format_ARGB32_Premultiplied)


class SteadyPoints(MovingPoints):
    """MovingPoints with a remembered bounding rectangle (see the module)."""

    _steady_rect: QRectF | None = None

    def boundingRect(self) -> QRectF:
        if self._steady_rect is None:
            self._steady_rect = super().boundingRect()
        return self._steady_rect

    def prepareGeometryChange(self) -> None:
        self._steady_rect = None
        super().prepareGeometryChange()

    def viewTransformChanged(self) -> None:
        self._steady_rect = None
        super().viewTransformChanged()

    def invalidate(self) -> None:
        self._steady_rect = None
        super().invalidate()

    def updateSpots(self, dataSet=None) -> None:
        super().updateSpots(dataSet)
        self._steady_rect = None
