"""The data points over an input plane or a curve: training filled, test outlined, the
current sample ringed; redrawn when points are drawn (``nnviz.snapshot.DataView``).

``PlanePoints(plot, on_click)`` adds two scatter items and a ring to a pyqtgraph plot;
``show(xy_train, xy_test, train_brushes, test_pens)`` sets them (up to MAX_OVERLAY training
points: a dense regression grid would hide the map), ``ring(i)`` rings training point ``i``.
``point_styles(ds, train_index, test_index, levels)`` gives the colours: a class's colour, or
for a regression the target's place between ``levels`` on the sequential colour map.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from nnviz.gui import colormaps as cm
from nnviz.gui.graphics import RingItem
from nnviz.gui.plot_items import SteadyPoints
from nnviz.scales import linear_bins, plot_range

#: overlay the data points only up to this many (a dense regression grid would hide the map)
MAX_OVERLAY = 1500


def point_styles(ds, train_index, test_index, levels=None):
    """(training brushes, test pens) of ``ds``'s rows."""
    if ds.task == "regression":
        lo, hi = levels
        brushes = cm.bin_brushes(cm.SEQUENTIAL, 256)
        bins = linear_bins(np.asarray(ds.Y)[:, 0], lo, hi, 256)
        return [brushes[b] for b in bins[train_index]], cm.pen("#202020", 1.5)
    labels = ds.labels
    return cm.class_brushes(labels[train_index]), cm.class_pens(labels[test_index], 2.5)


def target_levels(ds, previous=None) -> tuple[float, float]:
    """The range a regression's colours and curve span: its targets' (the first input's
    bounds without any), never narrower than ``previous`` (points drawn do not rescale it)."""
    y = np.asarray(ds.Y)[:, 0]
    lo, hi = (float(y.min()), float(y.max())) if len(y) else ds.bounds[0]
    if previous is not None:
        lo, hi = min(lo, previous[0]), max(hi, previous[1])
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    return plot_range(lo, hi)  # (finite, drawable near ±1e308)


class PlanePoints:
    """Training, test and current-sample markers on ``plot``; ``on_click(item, points)``
    gets clicks on training points (their data: the training row)."""

    def __init__(self, plot: pg.PlotItem, on_click=None):
        self.train = SteadyPoints(size=7, pen=cm.pen("#202020", 0.6))
        self.test = SteadyPoints(size=9, brush=None)
        self.current = RingItem(16, cm.pen("k", 2.5))
        if on_click is not None:
            self.train.sigClicked.connect(on_click)
        for item, z in ((self.train, 10), (self.test, 10), (self.current, 20)):
            item.setZValue(z)
            plot.addItem(item, ignoreBounds=item is self.current)
        for item in (self.train, self.test):  # they stay while the map under them changes:
            item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)  # replayed from a pixmap
        self.xy = np.zeros((0, 2))

    def show(self, xy_train, xy_test, brushes, test_pens) -> None:
        self.xy = np.asarray(xy_train, dtype=float).reshape(-1, 2)
        if len(self.xy) > MAX_OVERLAY:
            self.train.setData([], [])
            self.test.setData([], [])
            return
        self.train.setData(pos=self.xy, data=np.arange(len(self.xy)), brush=brushes)
        self.test.setData(pos=np.asarray(xy_test, dtype=float).reshape(-1, 2), pen=test_pens)

    def ring(self, index: int) -> None:
        """Ring training point ``index`` (none for -1: no training rows)."""
        self.current.place(self.xy[index] if 0 <= index < len(self.xy) else None)
