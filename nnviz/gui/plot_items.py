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

from nnviz.gui import colormaps as cm
from nnviz.gui.graphics import MovingPoints
from nnviz.peaks import peak_columns

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
        self._path: QPainterPath | None = None
        self._path_key = None
        self._rect = QRectF()
        self._px: tuple[float, float] | None = None  # a pixel in view units (``_pixel``)

    # ------------------------------------------------------------------ PlotDataItem's ways
    def name(self) -> str | None:
        return self.opts["name"]

    def implements(self, interface=None):
        ints = ["plotData"]
        return ints if interface is None else interface in ints

    def setData(self, x, y) -> None:
        """New arrays (copied as float64; x ascending, the same length as y)."""
        self.xData = np.array(x, dtype=np.float64).ravel()
        self.yData = np.array(y, dtype=np.float64).ravel()
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
        self._bounds = ((float(x[ok].min()), float(x[ok].max()),
                         float(y[ok].min()), float(y[ok].max())) if ok.any() else None)
        self._path = None
        self._set_rect()
        self.informViewBoundsChanged()

    def _set_rect(self) -> None:
        """The data's bounds and PAD_PX pixels around them."""
        if self._bounds is None:
            rect = QRectF()
        else:
            x0, x1, y0, y1 = self._bounds
            px, py = self._pixel()
            rect = QRectF(x0 - PAD_PX * px, y0 - PAD_PX * py, x1 - x0 + 2 * PAD_PX * px,
                          y1 - y0 + 2 * PAD_PX * py)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

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
        self._path, self._px = None, None
        self._set_rect()

    def viewRangeChanged(self) -> None:
        self._path = None
        self.update()

    # ------------------------------------------------------------------ drawing
    def _points(self) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw: those in view and one beyond each side, at most two a pixel
        column."""
        x, y = self._x, self._y
        vb = self.getViewBox()
        if vb is None or not hasattr(vb, "viewRange") or len(x) < 2:
            return x, y
        x0, x1 = vb.viewRange()[0]
        i0 = max(int(np.searchsorted(x, x0, side="left")) - 1, 0)
        i1 = min(int(np.searchsorted(x, x1, side="right")) + 1, len(x))
        return peak_columns(x[i0:i1], y[i0:i1], max(int(vb.width()), 1), (x0, x1))

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
        return self._segmented_as

    def _geometry(self):
        """The path (or the segments: a PrimitiveArray of QLineF, kept here while its memory
        is drawn from) of the points to draw, made again when the data, the view's x range or
        its width changed."""
        vb = self.getViewBox()
        key = (id(self._x), len(self._x), tuple(vb.viewRange()[0]) if vb is not None else None,
               int(vb.width()) if vb is not None else 0)
        if self._path is None or key != self._path_key:
            x, y = self._points()
            if self._segmented():
                geometry = arrayToLineSegments(x, y, connect="finite", finiteCheck=True)
            elif len(x) >= 2:
                geometry = pg.arrayToQPath(x, y, connect="finite")
            else:
                geometry = QPainterPath()
            self._path, self._path_key = geometry, key
        return self._path

    def paint(self, painter: QPainter, *args) -> None:
        if not len(self._x):
            return
        painter.setRenderHint(QPainter.Antialiasing, bool(self.opts["antialias"]))
        painter.setPen(self.opts["pen"])
        geometry = self._geometry()
        if isinstance(geometry, QPainterPath):
            painter.drawPath(geometry)
        else:
            painter.drawLines(*geometry.drawargs())
        if self.opts["symbol"] is not None:
            self._draw_dots(painter)

    def _draw_dots(self, painter: QPainter) -> None:
        """A filled dot of ``size`` px on each finite point, drawn in device pixels."""
        t = painter.transform()
        r = 0.5 * float(self.opts["size"])
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(cm.pen(None))
        painter.setBrush(self.opts["brush"] or cm.brush(self.opts["pen"].color()))
        ok = np.isfinite(self._x) & np.isfinite(self._y)
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
