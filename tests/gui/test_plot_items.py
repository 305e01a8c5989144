"""The light plot items (nnviz.gui.plot_items) draw what the pyqtgraph items they replace drew."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from nnviz.gui import colormaps as cm
from nnviz.gui.graphics import RingItem
from nnviz.gui.plot_items import CurveItem, LinePairs, MapImage, SteadyPoints


def plot_of(qtbot, *items, size=(400, 300)):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(*size)
    for item in items:
        widget.getPlotItem().addItem(item)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_curve_draws_the_points_in_view_at_most_two_a_column(qtbot):
    x = np.arange(20_000.0)
    y = np.sin(x / 300.0)
    y[7_000] = 5.0  # one spike among 20k points: kept by the peak thinning
    curve = CurveItem(cm.pen("k", 1), name="loss")
    widget = plot_of(qtbot, curve)
    curve.setData(x, y)
    plot = widget.getPlotItem()
    plot.setXRange(5_000, 10_000, padding=0)
    plot.setYRange(-1.5, 5.5, padding=0)
    qtbot.waitUntil(lambda: curve._geometry_cache is not None, timeout=2000)
    px, py = curve._points()
    assert len(px) <= 2 * plot.vb.width() + 4
    assert px[0] < 5_000 and px[-1] >= 10_000  # beyond each side too: lines to the edges
    assert py.max() == 5.0
    np.testing.assert_array_equal(curve.getOriginalDataset()[1], y)
    assert curve.dataBounds(1)[1] == 5.0 and curve.dataBounds(0) == (0.0, 19_999.0)
    assert curve.name() == "loss" and curve in plot.listDataItems()


def test_curve_log_mode_gaps_and_dots(qtbot):
    curve = CurveItem(cm.pen("#1f77b4", 2), name="train")
    widget = plot_of(qtbot, curve)
    curve.setData([1, 2, 3, 4], [1.0, np.nan, 100.0, -1.0])
    curve.setLogMode(False, True)
    x, y = curve.getData()
    np.testing.assert_array_equal(y[[0, 2]], [0.0, 2.0])
    assert np.isnan(y[[1, 3]]).all()  # NaN and a loss <= 0 leave gaps in log mode
    assert curve.dataBounds(1) == (0.0, 2.0)
    curve.setSymbol("o")
    curve.setSymbolBrush((31, 119, 180))
    assert curve.marked_points() == 4 and curve.opts["symbol"] == "o"
    curve.setSymbol(None)
    assert curve.marked_points() == 0
    widget.close()


def test_line_pairs_keep_the_finite_segments(qtbot):
    lines = LinePairs(cm.pen("k", 2), antialias=True)
    widget = plot_of(qtbot, lines)
    segs = np.array([[0, 0, 1, 1], [np.nan, 0, 1, 1], [2, 2, 3, 0]], float)
    lines.setSegments(segs)
    assert lines.segment_count() == 2
    np.testing.assert_array_equal(lines.segments(), segs[[0, 2]])
    assert lines.boundingRect().contains(3.0, 0.0)
    lines.setSegments(np.zeros((0, 4)))
    assert lines.segment_count() == 0
    widget.close()


def test_map_image_holds_the_image_item_colours_in_the_painters_format():
    data = np.random.default_rng(0).random((16, 12))
    lut = cm.lut(cm.SEQUENTIAL, 256)
    pixels = []
    for cls in (pg.ImageItem, MapImage):
        img = cls()
        img.setLookupTable(lut)
        img.setImage(data, levels=(0.0, 1.0))
        img.render()
        q = img.qimage.convertToFormat(QImage.Format_ARGB32_Premultiplied)
        pixels.append(np.frombuffer(q.constBits(), np.uint8).copy())
        if cls is MapImage:
            assert img.qimage.format() == QImage.Format_ARGB32_Premultiplied
    np.testing.assert_array_equal(*pixels)


def test_steady_points_measure_again_after_a_move_or_a_new_view(qtbot):
    points = SteadyPoints(size=8)
    ring = RingItem(16, cm.pen("k", 2.5))
    widget = plot_of(qtbot, points)
    widget.getPlotItem().addItem(ring, ignoreBounds=True)
    points.setData([0, 1], [0, 1])
    first = QRectF(points.boundingRect())  # (a copy: the item remembers its own)
    points.move(np.array([[0.0, 0.0], [50.0, 50.0]]))
    assert points.boundingRect().contains(50.0, 50.0) and not first.contains(50.0, 50.0)
    widget.getPlotItem().setXRange(0, 100)
    qtbot.wait(20)
    assert points.boundingRect() == pg.ScatterPlotItem.boundingRect(points)
    ring.place((2.0, 3.0))
    assert ring.position() == (2.0, 3.0) and ring.isVisible()
    ring.place((np.nan, 1.0))
    assert ring.position() is None
    widget.close()
