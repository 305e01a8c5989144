"""Inputs and weight vectors (the seed 000 author's plot, live).

Training inputs as points (coloured by class, or by target for regression), each first-layer
neuron's weight vector (W[0][(fx, fy), j]) as an arrow from the origin and its line
w·x + b = 0, the current sample ringed. Drawn in the coordinates the network sees
(prepared.x_scaler applied: X_train), which the axis labels say; other features are taken at
0, their training mean after standard scaling.
"Draw" (``nnviz.gui.draw_mode``; a 2-input classification with its own inputs as the axes):
clicks add and remove points, mapped back to the data's own units with the fitted scaler and
sent as ``drawRequested(op, args)``; the points follow snapshot.data.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnviz.data.features import is_default
from nnviz.gui import colormaps as cm
from nnviz.gui.draw_mode import DrawControls, PlaneClicks
from nnviz.gui.export import SnapshotExport, install_export
from nnviz.gui.flow import FlowLayout, group
from nnviz.gui.graphics import (
    LinesItem,
    RingItem,
    SegmentsItem,
    arrow_segments,
    grid_axes,
    segments_to_box,
    set_axis_label,
    show_grid,
    style_plot,
)
from nnviz.gui.plot_items import SteadyPoints
from nnviz.scales import linear_bins, plot_values

#: points drawn at most (a regular subsample beyond)
MAX_POINTS = 2500
#: first-layer neurons drawn at most (the largest |w| beyond)
MAX_NEURONS = 12
SCALING_TEXT = {
    "none": "raw inputs, unscaled",
    "standard": "standardised, (x − mean) / std",
    "minmax": "min-max scaled, (x − min) / (max − min)",
}


class VectorsPanel(SnapshotExport, QWidget):
    key, title = "vectors", "Inputs and weight vectors"
    sampleClicked = Signal(int)
    drawRequested = Signal(str, tuple)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.key)
        self._snapshot = None
        self._X = None
        self._box = (-1.0, 1.0, -1.0, 1.0)
        self._shown: np.ndarray = np.zeros(0, dtype=int)
        self._revision = 0
        self._pens: dict[int, tuple] = {}  # neuron -> (arrow pen, line pen)
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        row = FlowLayout(spacing=6, stretch_last=True)  # the note below the choices when narrow
        self.feature_x = QComboBox()
        self.feature_y = QComboBox()
        for c, tip in ((self.feature_x, "Input feature on the horizontal axis"),
                       (self.feature_y, "Input feature on the vertical axis")):
            c.setToolTip(tip)
            c.currentIndexChanged.connect(self._on_features)
        for w in (group("x:", self.feature_x), group("y:", self.feature_y)):
            row.addWidget(w)
        self.note = QLabel("")
        self.note.setStyleSheet("color:#606060")
        row.addWidget(self.note)
        outer.addLayout(row)

        self.view = pg.PlotWidget(background="w", axisItems=grid_axes())
        self.plot = self.view.getPlotItem()
        style_plot(self.plot)
        self.plot.setAspectLocked(True)
        show_grid(self.plot)
        for name in ("left", "bottom"):  # replayed from a pixmap while the axis (and the
            # grid it draws under every arrow) stays put
            self.plot.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.points = SteadyPoints(size=8, pen=cm.pen("#303030", 0.5), hoverable=True,
                                   tip=None)
        # the points stay while the arrows over them move: replayed from a pixmap
        self.points.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.points.sigClicked.connect(self._on_clicked)
        self.plot.addItem(self.points)
        self.axes_lines = LinesItem([(0.0, 1.0), (1.0, 0.0)], [0.0, 0.0], cm.pen("#909090", 1.0))
        self.plot.addItem(self.axes_lines, ignoreBounds=True)  # y = 0 and x = 0
        self.vectors = SegmentsItem()
        self.vectors.setZValue(10)
        self.plot.addItem(self.vectors)
        self.current = RingItem(18, cm.pen("k", 2.5))
        self.current.setZValue(20)
        self.plot.addItem(self.current, ignoreBounds=True)
        self.legend = self.plot.addLegend(offset=(5, 5), labelTextColor="#202020",
                                          brush=cm.brush((255, 255, 255, 200)))
        outer.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        # the ringed sample changes on every frame: in a label of a fixed size (a new text in
        # the word-wrapped one re-laid the panel, and now and then resized the plot)
        self.ringed = QLabel("")
        self.ringed.setAlignment(Qt.AlignRight | Qt.AlignTop)
        metrics = self.ringed.fontMetrics()
        self.ringed.setFixedSize(metrics.horizontalAdvance("Sample 999,999 ringed.") + 4,
                                 metrics.height())
        self.ringed.hide()
        self.info = QLabel("Click a point to follow that training sample.")
        self.info.setWordWrap(True)
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        bottom.addWidget(self.ringed, 0, Qt.AlignTop)
        bottom.addWidget(self.info, 1)
        self.draw = DrawControls()
        self.draw.toggled.connect(self._on_draw_toggled)
        self.draw.classes.currentIndexChanged.connect(lambda _i: self._draw_vectors())
        self.clicks = PlaneClicks(self.view, self)
        self.clicks.clicked.connect(self._on_plane_click)
        outer.addLayout(bottom)
        tools = QHBoxLayout()  # a row of their own: beside the text they made the panel ~400 px
        tools.addStretch(1)  # wide, wider than a laptop's right column
        tools.addWidget(self.draw)
        tools.addWidget(install_export(self))
        outer.addLayout(tools)

    # ----------------------------------------------------------------- protocol
    def set_run(self, run) -> None:
        """A new run (a ``nnviz.snapshot.RunInfo``): its training points and feature names."""
        ds = run.dataset
        self._snapshot = None
        self._task = ds.task
        self._names = tuple(run.input_names)
        self._scaling = run.scaling
        self._revision = 0
        self._own_inputs = is_default(run.features)
        self._set_rows(ds, run.X_train, run.Y_train, run.train_index, run.x_scaler)
        for c, index in ((self.feature_x, 0), (self.feature_y, min(1, len(self._names) - 1))):
            c.blockSignals(True)  # (drawn once, at the end)
            c.clear()
            c.addItems(list(self._names))
            c.setCurrentIndex(index)
            c.blockSignals(False)
        self.feature_x.setEnabled(len(self._names) > 2)
        self.feature_y.setEnabled(len(self._names) > 2)
        self.legend.clear()
        if self._classes:
            for k, name in enumerate(self._classes):
                self.legend.addItem(pg.ScatterPlotItem(brush=cm.brush(cm.class_color(k)),
                                                       size=9), f"class {name}")
        else:
            self.legend.addItem(pg.ScatterPlotItem(brush=cm.brush(cm.lut(
                cm.SEQUENTIAL, 3)[2]), size=9), f"colour = {ds.target_names[0]} (yellow high)")
        self._n_first = run.sizes[1]
        self._on_features()

    def _set_rows(self, ds, X_train, Y_train, train_index, x_scaler) -> None:
        """The training rows shown (as built, or as drawn since) and their colours."""
        self._x_scaler, self._ds = x_scaler, ds
        self._X = plot_values(X_train)  # (the drawn points; near ±1e308 kept finite)
        n = len(self._X)
        self._rows = (np.arange(n) if n <= MAX_POINTS else
                      np.sort(np.random.default_rng(0).choice(n, MAX_POINTS, replace=False)))
        self.points.setSize(8 if n <= 500 else 5)
        if ds.task == "regression":
            y = np.asarray(Y_train, dtype=np.float64)[:, 0]
            lo, hi = (float(y.min()), float(y.max())) if n else (0.0, 1.0)
            bins = linear_bins(y, lo, hi, 64)
            brushes = cm.bin_brushes(cm.SEQUENTIAL, 64)
            self._brushes = [brushes[b] for b in bins]
            self._classes = ()
        else:
            labels = ds.labels[train_index]
            self._brushes = cm.class_brushes(labels)
            self._classes = tuple(ds.class_names)
        why = ("" if self._own_inputs else "the axes are engineered inputs: draw on the "
               "Predicted vs true panel")
        if ds.task == "regression" and ds.n_features == 1 and not why:
            why = "a curve is drawn on the Predicted vs true panel"
        self.draw.set_dataset(ds, why)
        if why:
            self.clicks.set_active(False)

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        data = snapshot.data
        if data is not None and data.revision != self._revision:
            self._revision = data.revision
            self._set_rows(data.dataset, data.X_train, data.Y_train, data.train_index,
                           data.x_scaler)
            self._on_features(keep_box=True)
            return
        self._draw_vectors()

    # ----------------------------------------------------------------- drawing
    def features(self) -> tuple[int, int]:
        fx = max(self.feature_x.currentIndex(), 0)
        fy = max(self.feature_y.currentIndex(), 0)
        return fx, fy

    def _xy(self, X: np.ndarray) -> np.ndarray:
        fx, fy = self.features()
        y = X[:, fy] if len(self._names) > 1 else np.zeros(len(X))
        return np.column_stack((X[:, fx], y))

    def _on_features(self, *_, keep_box: bool = False) -> None:
        if self._X is None:
            return
        pts = self._xy(self._X[self._rows])
        self.points.setData(pos=pts, data=self._rows,
                            brush=[self._brushes[r] for r in self._rows])
        all_pts = np.vstack((self._xy(self._X), [[0.0, 0.0]]))
        if not len(self._X):  # an empty canvas: the scaled canvas, (-1, 1) when standard
            all_pts = np.vstack((all_pts, self._xy(self._canvas())))
        lo, hi = all_pts.min(0), all_pts.max(0)
        pad = 0.12 * np.maximum(hi - lo, 1e-3)
        box = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
        if keep_box:  # (points drawn: the view grows to show them, never jumps back)
            x0, x1, y0, y1 = self._box
            box = (min(box[0], x0), max(box[1], x1), min(box[2], y0), max(box[3], y1))
        if box != self._box or not keep_box:
            self._box = box
            self._set_range()
        fx, fy = self.features()
        how = SCALING_TEXT.get(self._scaling, self._scaling)
        unit = "raw" if self._scaling == "none" else "scaled"
        set_axis_label(self.plot.getAxis("bottom"), f"{self._names[fx]} ({unit})")
        set_axis_label(self.plot.getAxis("left"),
                       f"{self._names[fy]} ({unit})" if len(self._names) > 1 else "")
        tip = (f"Coordinates: network inputs, {how}. Arrows: each first-layer neuron's weight "
               "vector (w_x, w_y) from the origin; dashed: its line w·x + b = 0"
               + (" with the other features at 0" if len(self._names) > 2 else ""))
        self.view.setToolTip(tip)
        self.note.setText(how)
        self.note.setToolTip(f"The inputs as the network sees them: {how}")
        self._draw_vectors()

    def _set_range(self) -> None:
        x0, x1, y0, y1 = self._box
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def weight_vectors(self, snapshot=None):
        """(neurons (k,), w (k, 2), b (k,)) of the first-layer neurons drawn."""
        s = snapshot or self._snapshot
        fx, fy = self.features()
        W, b = np.asarray(s.weights[0]), np.asarray(s.biases[0])
        wy = W[fy] if len(self._names) > 1 else np.zeros(W.shape[1])
        w = np.column_stack((W[fx], wy))
        neurons = np.arange(W.shape[1])
        if len(neurons) > MAX_NEURONS:
            with np.errstate(over="ignore"):  # (|w| beyond the largest float: inf, longest)
                length = np.hypot(w[:, 0], w[:, 1])
            neurons = np.sort(np.argsort(-length)[:MAX_NEURONS])
        return neurons, w[neurons], b[neurons]

    def _draw_vectors(self) -> None:
        s = self._snapshot
        if s is None or self._X is None:
            return
        neurons, w, b = self.weight_vectors(s)
        self._shown = neurons
        # grow the view (never shrink while training) so every arrow tip stays visible; by
        # 40% at a time: a range that moves on every update re-lays the axes and the grid
        x0, x1, y0, y1 = self._box
        w = plot_values(np.where(np.isfinite(w), w, 0.0))  # a diverged run: what is finite
        if len(w):
            tx, ty = np.clip(w[:, 0], -1e6, 1e6), np.clip(w[:, 1], -1e6, 1e6)
            if (tx.min() * 1.1 < x0 or tx.max() * 1.1 > x1 or
                    ty.min() * 1.1 < y0 or ty.max() * 1.1 > y1):
                box = (min(x0, tx.min() * 1.4), max(x1, tx.max() * 1.4),
                       min(y0, ty.min() * 1.4), max(y1, ty.max() * 1.4))
                if np.all(np.isfinite(box)):
                    self._box = box
                    self._set_range()
        x0, x1, y0, y1 = self._box
        head = 0.04 * max(x1 - x0, y1 - y0)
        arrows = arrow_segments(w, head).reshape(-1, 4)  # (3 a neuron: shaft, two barbs)
        lines = segments_to_box(w, b, self._box)
        drawn = np.isfinite(lines).all(axis=1)  # (a line that misses the box: none)
        k = np.arange(len(w))
        # arrow k in group 2k, its line in 2k + 1 (each group's segments in their order)
        segs = np.vstack((arrows, lines[drawn]))
        groups = np.concatenate((np.repeat(2 * k, 3), 2 * k[drawn] + 1))
        pens = []
        for j in neurons.tolist():
            if j not in self._pens:
                c = cm.neuron_color(j)
                self._pens[j] = (cm.pen(c, 2.5), cm.pen(c, 1.5, Qt.DashLine))
            pens += self._pens[j]
        self.vectors.setSegments(segs)
        self.vectors.setGroups(groups, pens)
        self.current.place(self._xy(plot_values(s.sample.x)[None])[0])
        n = self._n_first
        shown = "" if len(neurons) == n else f"; showing the {len(neurons)} longest of {n}"
        ringed = ""
        if self.draw.on:
            text = self.draw.hint() + " (in the data's own units)."
        elif s.sample.index < 0:
            text = "No training points yet: tick Draw and click to add some."
        else:
            ringed = f"Sample {s.sample.index + 1:,} ringed."
            text = (f"Arrows: weight vectors of the {n} first-layer neuron{'s' if n != 1 else ''}"
                    f"{shown}; dashed: w·x + b = 0. Click a point to follow it.")
        if self.ringed.text() != ringed:
            self.ringed.setText(ringed)
            self.ringed.setVisible(bool(ringed))
        if self.info.text() != text:
            self.info.setText(text)

    def _on_clicked(self, _item, points, *_) -> None:
        if len(points):
            self.sampleClicked.emit(int(points[0].data()))

    # ----------------------------------------------------------------- draw mode
    def _canvas(self) -> np.ndarray:
        """The corners of the data's bounds, scaled: (2, d)."""
        ds = self._ds
        if len(ds.bounds) != self._X.shape[1]:
            return np.zeros((0, self._X.shape[1]))
        return self._x_scaler.transform(np.array(ds.bounds).T)

    def _on_draw_toggled(self, on: bool) -> None:
        self.clicks.set_active(on)
        self._draw_vectors()

    def _on_plane_click(self, scene_pos, button, shift: bool) -> None:
        """A click while drawing: scaled plane coordinates -> the data's own units
        (x = x_scaled * scale + center, the fitted scaler's inverse), then add or remove."""
        fx, fy = self.features()
        vb = self.plot.vb
        if self.draw.why_not or fx == fy or not vb.sceneBoundingRect().contains(scene_pos):
            return
        p = vb.mapSceneToView(scene_pos)
        scaled = np.zeros((1, 2))
        scaled[0, fx], scaled[0, fy] = p.x(), p.y()
        raw = self._x_scaler.inverse_transform(scaled)[0]
        (x0, x1), (y0, y1) = vb.viewRange()
        widths = np.zeros(2)
        widths[fx], widths[fy] = x1 - x0, y1 - y0
        widths = widths * self._x_scaler.scale
        point = (float(raw[0]), float(raw[1]))
        if button == Qt.RightButton:
            self.drawRequested.emit("remove", (point, tuple(float(w) for w in widths)))
        elif button == Qt.LeftButton:
            self.drawRequested.emit("add", (point, self.draw.target(shift)))

    # ----------------------------------------------------------------- export
    def export_widgets(self):
        return [self.view]
