"""Predicted vs true (the article's closing figure, live), in the data's own units.

Regression: the true function (when known), the network's prediction on the same colour scale
(fixed to the targets' range, colour bar in the target's units) and the error map
predicted − true, and beside them the fit: each sample's prediction against its target
(snapshot.fit, any number of input features), on the diagonal when perfect; in a panel too
small for the four two by two, one at a time as a selector names it (``map_choice``).
Classification: P(class 1) (binary) or the class regions blended by probability (multiclass),
the 0.5 boundary, training points filled and test points outlined. Playground's toggles:
"Discretize output" shows the predicted class (P >= 0.5, or the most probable class) instead of
the probabilities; "Show test data" shows or hides the test points.
Images come from snapshot.grid (PredictionGrid, [iy, ix] indexing); a snapshot without a grid
keeps the last one shown. Other features are held at their training mean.
One input (a regression): the curve, y against x with the network's y = f(x)
(snapshot.curve) over the samples, and the fit below it.
"Draw" (``nnviz.gui.draw_mode``): clicks on the plane or the curve add and remove points,
sent as ``drawRequested(op, args)`` in the data's own units; the points follow snapshot.data.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nnviz.drawing import training_note
from nnviz.gui import colormaps as cm
from nnviz.gui import layout_cells
from nnviz.gui.draw_mode import DrawControls, PlaneClicks
from nnviz.gui.export import SnapshotExport, install_export
from nnviz.gui.flow import FlowLayout
from nnviz.gui.graphics import (
    LinesItem,
    MovingPoints,
    colour_bar,
    contour_segments,
    roomy_ticks,
    set_axis_label,
    sticky_range,
    style_plot,
)
from nnviz.gui.panels.map_choice import MapChoice, fits_two_by_two
from nnviz.gui.plane_points import PlanePoints, point_styles, target_levels
from nnviz.gui.plot_items import LinePairs, MapImage, SteadyPoints
from nnviz.scales import nice_scale, plot_range, plot_values

TITLE_SIZE = "10pt"
BAR_WIDTH = 80  # px: a colour bar with its numbers and label
AXIS_ROOM = 70  # px: a map's y axis and margins


def _set_title(plot: pg.PlotItem, text: str) -> None:
    plot.setTitle(text, color="#202020", size=TITLE_SIZE)


def _style(plot: pg.PlotItem) -> None:
    """``style_plot``, and the axes replayed from a pixmap while they stay put (their ticks
    reach into the map, which changes with every grid: each paint replayed their text)."""
    style_plot(plot)
    roomy_ticks(plot.getAxis("bottom"))  # (the small plots of a narrow panel)
    for name in ("left", "bottom"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)


def _title_not_min_width(plot: pg.PlotItem) -> None:
    """Keep ``plot``'s title from setting the plot's least width (pyqtgraph's LabelItem makes
    its text's width its minimum on every change and resize: a long title pushed the colour
    bars out of view); ``_fit_title`` picks a title that fits instead."""
    label = plot.titleLabel
    update_min = label.updateMin

    def height_only() -> None:
        update_min()
        label.setMinimumWidth(0)
        label._sizeHint = {k: (w if k == Qt.SizeHint.MaximumSize else 0.0, h)
                           for k, (w, h) in label._sizeHint.items()}  # (no maximum: a
        # zero one made the title's cell 0 px wide, and a centred title ran off the left)

    label.updateMin = height_only
    height_only()


class HeatmapsPanel(SnapshotExport, QWidget):
    key, title = "heatmaps", "Predicted vs true"
    sampleClicked = Signal(int)
    drawRequested = Signal(str, tuple)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.key)
        self._snapshot = None
        self._grid = None
        self._plots: dict[str, pg.PlotItem] = {}
        self._images: dict[str, pg.ImageItem] = {}
        self._bars: list[pg.ColorBarItem] = []
        self._train_xy = None
        self._fit = None  # the snapshot.fit drawn
        self._test_items: list[pg.ScatterPlotItem] = []  # test points, shown or hidden
        self.fit_plot: pg.PlotItem | None = None
        self.curve_plot: pg.PlotItem | None = None
        self.points: PlanePoints | None = None
        self._data = None  # the rows drawn (a snapshot's DataView), None: the run's own
        self._revision = 0
        self.legend: pg.LegendItem | None = None  # the classes' (classification)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        outer.addWidget(self.view, 1)
        # the toggles and Export on one row, the info under them across the panel's width
        # (beside them it was a one-word column in a narrow dock, and held the dock wider)
        bottom = FlowLayout(spacing=8)
        self.info = QLabel("Waiting for the first prediction grid.")
        self.info.setWordWrap(True)
        self.discretize = QCheckBox("Discretize output")
        self.discretize.setToolTip("classes: show the predicted class (P >= 0.5, or the most "
                                   "probable one) instead of the probabilities")
        self.show_test = QCheckBox("Show test data")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("draw the held-out test points (outlined) on the plane")
        self.discretize.toggled.connect(self._on_discretize)
        self.show_test.toggled.connect(self._on_show_test)
        self.draw = DrawControls()
        self.draw.toggled.connect(self._on_draw_toggled)
        self.draw.classes.currentIndexChanged.connect(lambda _i: self._show_hint())
        self.clicks = PlaneClicks(self.view, self)
        self.clicks.clicked.connect(self._on_plane_click)
        self.map_choice = QComboBox()
        self.map_choice.setToolTip("The panel is too small for the four plots at a readable "
                                   "size: the plot to show (a larger panel shows them all)")
        self.map_choice.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self._maps = MapChoice(self.view, self.map_choice)
        self.map_choice.currentIndexChanged.connect(lambda _i: self._on_map_chosen())
        self.map_choice.hide()
        bottom.addWidget(self.map_choice)
        bottom.addWidget(self.discretize)
        bottom.addWidget(self.show_test)
        bottom.addWidget(self.draw)
        self._export_button = install_export(self)
        bottom.addWidget(self._export_button)
        outer.addLayout(bottom)
        outer.addWidget(self.info)

    # ----------------------------------------------------------------- protocol
    def set_run(self, run) -> None:
        """A new run (a ``nnviz.snapshot.RunInfo``): lay out its input plane and points."""
        ds = run.dataset
        self._snapshot = self._grid = self._fit = self.fit_plot = self.curve_plot = None
        self._train_xy = self.points = self._data = self.legend = None
        self._revision = 0
        self._test_items = []
        self._ds, self._train_index, self._test_index = ds, run.train_index, run.test_index
        self.draw.set_dataset(ds)
        layout_cells.clear(self.view.ci)
        self._plots, self._images, self._bars = {}, {}, []
        self._task = ds.task
        self._n_classes = ds.n_classes
        self.discretize.setEnabled(ds.task != "regression" and ds.n_features >= 2)
        self.show_test.setEnabled(run.has_test and ds.n_features >= 2)
        self._names = tuple(ds.feature_names)
        self._has_true = ds.function is not None and ds.n_features == 2
        if ds.task == "regression":
            self._levels = target_levels(ds)
        if ds.n_features < 2:
            self._maps.set_cells({})
            if ds.task == "regression":
                self._build_curve(ds)
                self._build_fit(ds, row=1, col=0)
                self._show_points()
                self._fit_planes()
            else:
                self.info.setText(f"One input feature ({self._names[0]}): no input plane "
                                  "to draw.")
            self._show_hint()
            return
        fi, fj = 0, 1
        self._bounds = (plot_range(*ds.bounds[fi]), plot_range(*ds.bounds[fj]))
        X = plot_values(ds.X)  # (drawn; near ±1e308 kept finite)
        self._train_xy = X[run.train_index][:, [fi, fj]]
        self._test_xy = X[run.test_index][:, [fi, fj]]
        if ds.task == "regression":
            self._build_regression(ds, run)
        else:
            self._build_classification(ds, run)
            self._maps.set_cells({})
        self._show_points()
        self._show_hint()
        self._fit_planes()  # (and the titles to the panel's width)

    def _show_hint(self) -> None:
        """What the axes are, and what a click does now."""
        if self.draw.on:
            note = training_note(self._ds, self._train_index)
            self.info.setText(self.draw.hint() + "." + (f" Note: {note}." if note else ""))
            return
        if self.curve_plot is not None:
            self.info.setText(f"{self._target} against {self._names[0]}: the samples and the "
                              "network's curve; below, the fit. Click a sample to follow it.")
            return
        if self._train_xy is None:
            return
        extra = " (other features at their training mean)" if self._ds.n_features > 2 else ""
        self.info.setText(f"Axes: {self._names[0]} and {self._names[1]} in the data's own "
                          f"units{extra}. Click a point to follow that training sample.")

    def resizeEvent(self, event) -> None:
        """Fit the input plane again: an aspect-locked view keeps its old range otherwise."""
        super().resizeEvent(event)
        if self._plots or self.fit_plot is not None:
            QTimer.singleShot(0, self.view, self._fit_planes)  # (not once the view is gone)

    def _arrange_maps(self) -> None:
        """The four plots two by two where each gets a readable size, else the one the
        selector names (``MapChoice``)."""
        given = self.parentWidget().width() if self.parentWidget() is not None else self.width()
        if not self._maps.arrange(not fits_two_by_two(min(given, self.view.width()),
                                                      self.view.height())):
            return
        # maps out of the layout unlinked: pyqtgraph lines linked views up by their place on
        # screen, and one out of the scene moved the shown map's range off the data
        pred = self._plots["predicted"]
        for key in ("true", "error"):
            link = None if self._maps.compact else pred
            self._plots[key].setXLink(link)
            self._plots[key].setYLink(link)

    def _on_map_chosen(self) -> None:
        self._arrange_maps()
        self._fit_planes()

    def _fit_planes(self) -> None:
        self._arrange_maps()
        if self.legend is not None:  # two columns where they fit beside the colour bar, else
            self.legend.setColumnCount(2)  # one (its width is the plot column's least)
            if self.legend.boundingRect().width() + BAR_WIDTH > self.view.width():
                self.legend.setColumnCount(1)
        for plot in self._plots.values():
            plot.setRange(xRange=self._bounds[0], yRange=self._bounds[1], padding=0.02)
            self._fit_title(plot)
        if self.curve_plot is not None:
            self.curve_plot.setRange(xRange=self._bounds[0], yRange=self._levels, padding=0.05)
            self._fit_title(self.curve_plot)
        self._fit_labels()
        # the layout again at the view's size, once the titles' new widths reached it (a
        # posted layout request, before this): it stays as wide as a long title made it
        QTimer.singleShot(0, self.view, self._relayout)

    def _relayout(self) -> None:
        self.view.ci.setGeometry(self.view.range)

    def _room(self) -> float:
        """px across each plot's data area: the room the dock gives (a panel held wide by a
        long title is wider than that), shared by the columns of plots and colour bars."""
        columns = 2 if self._has_true and not self._maps.compact else 1
        bars = BAR_WIDTH if self._bars else 0
        given = self.parentWidget().width() if self.parentWidget() is not None else self.width()
        return (min(given, self.view.width()) - bars) / columns - AXIS_ROOM

    def _fit_labels(self) -> None:
        """The fit's axes: "true f(x, y)", or "true" where that does not fit."""
        if self.fit_plot is not None:
            plot, name = self.fit_plot, self._target
            rows = 2 if self._plots and not self._maps.compact else 1
            for side, word, room in (("bottom", "true", self._room()),
                                     ("left", "predicted", self.view.height() / rows - 60)):
                axis = plot.getAxis(side)
                full = f"{word} {name}"
                font = axis.label.font()
                text = full if QFontMetricsF(font).horizontalAdvance(full) + 4 <= room else word
                if axis.labelText != text:
                    set_axis_label(axis, text)

    def _fit_title(self, plot: pg.PlotItem) -> None:
        """The full title where it fits over the plot's share of the view, else the short
        one (pyqtgraph makes a title's width its plot's least width: a long one pushed the
        colour bars out of view)."""
        room = self._room()
        full, short = plot.titles
        font = plot.titleLabel.item.font()
        text = full if QFontMetricsF(font).horizontalAdvance(full) <= room else short
        if plot.titleLabel.text != text:
            _set_title(plot, text)

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        data = snapshot.data
        if data is not None and data.revision != self._revision:
            self._revision, self._data = data.revision, data
            self._ds, self._train_index, self._test_index = (
                data.dataset, data.train_index, data.test_index)
            self.draw.set_dataset(data.dataset)
            self._show_points()
            self._show_hint()
        if self.curve_plot is not None and snapshot.curve is not None:
            c = snapshot.curve
            self.curve.setData(c.xs, c.predicted[:, 0])
            self.points.ring(snapshot.sample.index)
        if self.fit_plot is not None and snapshot.fit is not None and snapshot.fit is not self._fit:
            self._fit = snapshot.fit
            self._show_fit(snapshot.fit)
        if self._train_xy is None:
            return
        grid = snapshot.grid
        if grid is not None and grid is not self._grid:
            self._grid = grid
            if self._task == "regression":
                self._show_regression(grid)
            else:
                self._show_classification(grid)
        self.points.ring(snapshot.sample.index)

    # ----------------------------------------------------------------- building
    def _add_plot(self, key: str, title: str, col: int, row: int = 0,
                  short: str | None = None) -> pg.PlotItem:
        """A map of the input plane; its title ``short`` where the full one would not fit."""
        plot = self.view.addPlot(row=row, col=col)
        _title_not_min_width(plot)
        plot.titles = (title, short or title)
        _set_title(plot, title)
        _style(plot)
        plot.disableAutoRange()
        plot.setRange(xRange=self._bounds[0], yRange=self._bounds[1], padding=0.02)
        # not aspect-locked (the article's figure is not either): the plane fills the plot
        plot.hideButtons()
        plot.setLabel("bottom", self._names[0])
        plot.setLabel("left", self._names[1])
        img = MapImage()
        plot.addItem(img)
        self._plots[key], self._images[key] = plot, img
        return plot

    def _add_points(self, plot: pg.PlotItem) -> None:
        self.points = PlanePoints(plot, self._on_clicked)
        self.points.test.setVisible(self.show_test.isChecked())
        self._test_items.append(self.points.test)

    @property
    def current(self) -> pg.ScatterPlotItem:
        """The ring around the current sample."""
        return self.points.current

    def _show_points(self) -> None:
        """The rows now (as built, or as drawn since) over the plane or the curve."""
        ds, train, test = self._ds, self._train_index, self._test_index
        if self.points is None:
            return
        if ds.task == "regression":
            self._levels = target_levels(ds, self._levels)
        brushes, pens = point_styles(ds, train, test, getattr(self, "_levels", None))
        X = plot_values(ds.X)  # (drawn: values near ±1e308 overflowed the plots' bounds)
        if self.curve_plot is not None:
            Y = plot_values(ds.Y)[:, 0]
            xy_train = np.column_stack((X[train, 0], Y[train]))
            xy_test = np.column_stack((X[test, 0], Y[test]))
        else:
            xy_train, xy_test = X[train][:, [0, 1]], X[test][:, [0, 1]]
        self._train_xy, self._test_xy = xy_train, xy_test
        self.points.show(xy_train, xy_test, brushes, pens)
        if self._snapshot is not None:
            self.points.ring(self._snapshot.sample.index)
        if self.curve_plot is not None:
            self._fit_planes()

    def _build_curve(self, ds) -> None:
        """The curve: samples (x, y) and the network's y = f(x), in the data's units."""
        plot = self.curve_plot = self.view.addPlot(row=0, col=0)
        _title_not_min_width(plot)
        _style(plot)
        plot.hideButtons()
        self._bounds = (plot_range(*ds.bounds[0]),)  # (as the planes: near ±1e308 drawable)
        self._target = ds.target_names[0]
        plot.setLabel("bottom", self._names[0])
        plot.setLabel("left", self._target)
        plot.titles = ("Curve", "Curve")  # (the caption below says what it shows)
        _set_title(plot, plot.titles[0])
        self.curve = pg.PlotDataItem(pen=cm.pen("#d62728", 2.5))
        self.curve.setZValue(5)
        plot.addItem(self.curve)
        self._add_points(plot)

    def _build_regression(self, ds, run) -> None:
        lut = cm.lut(cm.SEQUENTIAL, 256)
        col = 0
        if self._has_true:
            self._add_plot("true", "True function", col, short="True")
            col += 1
        pred = self._add_plot("predicted", "Network's prediction", col, short="Prediction")
        bar = colour_bar(cm.SEQUENTIAL, f"{ds.target_names[0]} (data units)", self._levels)
        bar.setImageItem([self._images[k] for k in self._images])
        self.view.addItem(bar, row=0, col=col + 1)
        self._bars.append(bar)
        for img in self._images.values():
            img.setLookupTable(lut)
            img.setLevels(self._levels)
        self._add_points(pred)
        if self._has_true:
            # below the prediction: the three maps stay large in a dock of any shape
            err = self._add_plot("error", "Error: predicted − true", col, row=1,
                                 short="Error")
            self._images["error"].setLookupTable(cm.lut(cm.DIVERGING, 256))
            self.err_bar = colour_bar(cm.DIVERGING, f"error ({ds.target_names[0]})")
            self.view.addItem(self.err_bar, row=1, col=col + 1)
            self._bars.append(self.err_bar)
            for linked in (err, self._plots["true"]):  # (the three maps pan and zoom together)
                linked.setXLink(pred)
                linked.setYLink(pred)
        self._build_fit(ds, row=1, col=0)  # below the true function, or the prediction
        self._maps.set_cells({} if not self._has_true else {
            "Prediction": [(pred, 0, 1), (bar, 0, 2)],
            "True function": [(self._plots["true"], 0, 0), (bar, 0, 2)],
            "Error": [(err, 1, 1), (self.err_bar, 1, 2)],
            "Fit": [(self.fit_plot, 1, 0)]})

    def _build_fit(self, ds, row: int, col: int) -> None:
        """The fit plot: prediction against target per sample (training filled, test
        outlined), the diagonal where they are equal, both axes in the target's units."""
        plot = self.fit_plot = self.view.addPlot(row=row, col=col)
        _title_not_min_width(plot)
        _style(plot)
        plot.hideButtons()
        self._target = ds.target_names[0]
        plot.setLabel("bottom", f"true {ds.target_names[0]}")
        plot.setLabel("left", f"predicted {ds.target_names[0]}")
        lo, hi = self._levels
        pad = 0.05 * max(hi - lo, 1e-9)
        self._fit_box = (lo - pad, hi + pad)
        self._fit_range = None  # the range both axes show
        plot.addItem(LinesItem([(1.0, -1.0)], [0.0], cm.pen("#909090", 1)), ignoreBounds=True)
        # the dots only move from frame to frame: written in place (a setData re-styled
        # 2,048 points, ~5 ms a frame)
        self.fit_train = SteadyPoints(size=5, pen=None, brush=cm.brush((31, 119, 180, 160)))
        self.fit_train.sigClicked.connect(self._on_clicked)
        self.fit_test = SteadyPoints(size=7, brush=None, pen=cm.pen("#d62728", 1.5))
        for item in (self.fit_train, self.fit_test):
            item.setZValue(10)
            plot.addItem(item)
        plot.setRange(xRange=self._fit_box, yRange=self._fit_box, padding=0)
        plot.titles = ("Fit", "Fit")
        _set_title(plot, "Fit")

    def _build_classification(self, ds, run) -> None:
        binary = ds.task == "binary"
        title = (f"P({ds.class_names[1]}) predicted" if binary else
                 "Predicted class (colour) and confidence (strength)")
        plot = self._add_plot("predicted", title, 0,
                              short=title if binary else "Predicted class")
        self._titles = (plot.titles, ("Predicted class (discretized)", "Predicted class"))
        if self.discretize.isChecked():
            plot.titles = self._titles[1]
            self._fit_title(plot)
        self._add_points(plot)
        if binary:
            self._images["predicted"].setLookupTable(cm.lut(cm.PROBABILITY, 256))
            self._images["predicted"].setLevels((0.0, 1.0))
            bar = colour_bar(cm.PROBABILITY, f"P({ds.class_names[1]})", (0.0, 1.0))
            self.view.addItem(bar, row=0, col=1)
            self._bars.append(bar)
            # in the image's pixel units
            self.boundary = LinePairs(cm.pen("#202020", 2), antialias=True)
            self.boundary.setParentItem(self._images["predicted"])
            self.boundary.setZValue(5)
        # under the plot, not over it: there it hid a third of the plane
        legend = self.legend = pg.LegendItem(labelTextColor="#202020", colCount=2,
                                             verSpacing=-4)
        self.view.addItem(legend, row=1, col=0)
        for k, name in enumerate(ds.class_names):
            legend.addItem(pg.ScatterPlotItem(brush=cm.brush(cm.class_color(k)), size=8),
                           str(name))
        if len(self._test_xy):
            legend.addItem(pg.ScatterPlotItem(brush=None, pen=cm.pen("#404040", 2),
                                              size=9), "test (outlined)")
        legend.setToolTip("Training points filled, test points outlined, in their class's "
                          "colour")

    # ----------------------------------------------------------------- drawing
    @staticmethod
    def _rect(grid) -> QRectF:
        xs, ys = plot_values(grid.xs), plot_values(grid.ys)
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))

    def _set_image(self, key: str, image: np.ndarray, grid, **kw) -> None:
        img = self._images[key]
        if image.dtype.kind == "f":
            image = plot_values(image)
        image = np.ascontiguousarray(image.T if image.ndim == 2 else image.transpose(1, 0, 2))
        rect = self._rect(grid)
        if (img.image is not None and img.image.shape == image.shape and
                kw.get("levels") == getattr(img, "_levels_set", None) and
                rect == getattr(img, "_rect_set", None) and np.array_equal(img.image, image)):
            return  # (the true function: the same picture with every grid)
        img.setImage(image, autoLevels=False, **kw)
        img._levels_set = kw.get("levels")
        if rect != getattr(img, "_rect_set", None):
            img.setRect(rect)
            img._rect_set = rect

    def _show_regression(self, grid) -> None:
        pred = grid.predicted[:, :, 0]
        self._set_image("predicted", pred, grid, levels=self._levels)
        if self._has_true and grid.true is not None:
            true = grid.true[:, :, 0]
            self._set_image("true", true, grid, levels=self._levels)
            err = plot_values(pred) - plot_values(true)
            m = nice_scale(float(np.max(np.abs(err), initial=0)))
            self._set_image("error", err, grid, levels=(-m, m))
            if self.err_bar.levels() != (-m, m):  # (each set re-lays the bar's axis)
                self.err_bar.setLevels((-m, m))
            self.last_error = err

    def _show_classification(self, grid) -> None:
        P = grid.predicted
        if self.discretize.isChecked():  # the class each point is given, at full strength
            P = ((P >= 0.5) if P.shape[2] == 1 else
                 P == P.max(axis=2, keepdims=True)).astype(np.float64)
        if P.shape[2] == 1:
            self._set_image("predicted", P[:, :, 0], grid, levels=(0.0, 1.0))
            segments = contour_segments(P[:, :, 0].T, 0.5)  # P = 0.5: the decision boundary
            self.boundary.setSegments(segments)
        else:
            colors = np.array([cm.class_color(k).getRgbF()[:3] for k in range(P.shape[2])])
            rgb = np.clip(P, 0, 1) @ colors  # (r, r, 3): the probability-weighted class colour
            rgb = 1.0 - 0.85 * (1.0 - rgb)  # lighter, so the points stand out
            self._set_image("predicted", (rgb * 255).astype(np.uint8), grid, levels=(0, 255))

    @staticmethod
    def _place(item: MovingPoints, x: np.ndarray, y: np.ndarray, **kw) -> None:
        """Points (x, y) on ``item``: moved where it has as many, else set anew."""
        x, y = plot_values(x), plot_values(y)
        if len(x) and len(x) == len(item.data):
            item.move(np.column_stack((x, y)))
        else:
            item.setData(x, y, **kw)

    def _show_fit(self, fit) -> None:
        m = len(fit.train_true)
        self._place(self.fit_train, fit.train_true, fit.train_predicted, data=np.arange(m))
        self._place(self.fit_test, fit.test_true, fit.test_predicted)
        # both axes: the targets' range and every prediction, in steps that move rarely (the
        # same range on both, so the diagonal of exact predictions runs corner to corner)
        values = plot_values(np.concatenate([fit.train_predicted, fit.test_predicted,
                                             self._fit_box]))
        values = values[np.isfinite(values)]
        shown = sticky_range(float(values.min()), float(values.max()), self._fit_range, 1.5)
        if shown != self._fit_range:
            self._fit_range = shown
            self.fit_plot.setRange(xRange=shown, yRange=shown, padding=0)
        if m == 0:  # (no samples yet: a curve drawn empty)
            self.fit_plot.titles = ("Fit", "Fit")
            self._fit_title(self.fit_plot)
            return
        with np.errstate(over="ignore", invalid="ignore"):  # (beyond ±1e308: "inf")
            rmse = float(np.sqrt(np.mean((fit.train_predicted - fit.train_true) ** 2)))
            text = f"Fit: RMSE {rmse:.3g}"
            if len(fit.test_true):
                test = float(np.sqrt(np.mean((fit.test_predicted - fit.test_true) ** 2)))
                text += f", test {test:.3g}"
        self.fit_plot.titles = (text, f"RMSE {rmse:.3g}")
        self._fit_title(self.fit_plot)
        test_note = ", test samples outlined" if len(fit.test_true) else ""
        self.fit_plot.setToolTip(f"Each dot: a training sample's prediction against its target "
                                 f"({m:,} samples{test_note}); on the grey diagonal the "
                                 "prediction is exact. Click a dot to follow that sample.")

    def _on_discretize(self, _checked: bool) -> None:
        if self._task != "regression" and "predicted" in self._plots:
            plot = self._plots["predicted"]
            plot.titles = self._titles[self.discretize.isChecked()]
            self._fit_title(plot)
            if self._grid is not None:
                self._show_classification(self._grid)

    def _on_show_test(self, checked: bool) -> None:
        for item in self._test_items:
            item.setVisible(checked)

    def images(self) -> dict[str, np.ndarray]:
        """What each heatmap shows now ([iy, ix] like the grid), for checks."""
        return {k: np.asarray(img.image).swapaxes(0, 1) for k, img in self._images.items()
                if img.image is not None}

    def _on_clicked(self, _item, points, *_) -> None:
        if len(points):
            self.sampleClicked.emit(int(points[0].data()))

    # ----------------------------------------------------------------- draw mode
    def _on_draw_toggled(self, on: bool) -> None:
        self.clicks.set_active(on)
        self._show_hint()

    def plane(self) -> pg.PlotItem | None:
        """The plot clicks draw on: the curve, or the prediction map (None: none)."""
        return self.curve_plot if self.curve_plot is not None else self._plots.get("predicted")

    def _on_plane_click(self, scene_pos, button, shift: bool) -> None:
        """A click while drawing, mapped through the plot's view box to the data's units:
        left adds a point (Shift: the next class), right removes the nearest."""
        plot = self.plane()
        if plot is None or self.draw.why_not:
            return
        vb = plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            self.info.setText("Draw: click on the " + ("curve's plot" if self.curve_plot
                                                        is not None else "prediction map"))
            return
        p = vb.mapSceneToView(scene_pos)
        x, y = float(p.x()), float(p.y())
        (x0, x1), (y0, y1) = vb.viewRange()
        curve = self.curve_plot is not None
        if button == Qt.RightButton:
            self.drawRequested.emit("remove", ((x, y), (x1 - x0, y1 - y0)))
        elif button == Qt.LeftButton:
            self.drawRequested.emit("add", ((x,), y) if curve
                                    else ((x, y), self.draw.target(shift)))

    # ----------------------------------------------------------------- export
    def export_widgets(self):
        return [self.view]
