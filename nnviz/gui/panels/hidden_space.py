"""Hidden space: the input plane's grid lines and the training points, carried through the
network up to a layer and drawn in that layer's space (Olah's "Neural Networks, Manifolds, and
Topology", live), with the output layer's decision boundary in the last hidden layer's space.

The maths is ``nnviz.hidden_space`` and the text ``hidden_caption`` (both Qt-free); this
panel draws. Each snapshot's parameters carry the plane's rows through the hidden layers on
the GUI thread, only while the panel is shown (the dispatcher skips hidden panels): ~2,900 rows
through function-fit's three 64-wide layers in float32 take ~1 ms on a quiet machine
(``benchmarks/bench_panels.py`` times the whole update), so the Snapshot needs no field for it
and a recorded snapshot replays here like a live one. The layer slider moves in steps of
1/SUB layer: between two layers each row is drawn part of the way from its place in one to
its place in the next (the caption says so). Wider layers are drawn on a PCA plane (fitted on
request: Refit), on two chosen neurons, or (the last hidden layer) on the readout plane, where
the boundary is exact; the caption says what is held and what is approximate, and an export
carries it with the picture.

A 3-neuron layer is drawn as a projection too: pyqtgraph's OpenGL view needs PyOpenGL, which
is not installed here (nor a dependency of nnviz).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz import hidden_space as hs
from nnviz.gui import colormaps as cm
from nnviz.gui.export import install_export
from nnviz.gui.graphics import MovingPoints, SegmentsItem, grid_axes, style_plot
from nnviz.gui.panels.hidden_caption import Picture, axis_labels, caption
from nnviz.gui.plane_points import target_levels
from nnviz.scales import linear_bins

#: slider steps per layer (the morph's resolution)
SUB = 20
#: ms between two frames of the morph animation (one slider step each)
MORPH_MS = 40
#: the grid lines at constant x2 and at constant x1 (light: the points and boundary on top)
LINE_COLORS = ("#aec3df", "#e3bba6")
BOUNDARY_COLOR = "#202020"
EXACT_VIEWS = {n: hs.exact_view(n) for n in (1, 2)}


def _connect(n_lines: int, samples: int) -> np.ndarray:
    """PlotCurveItem's connect array for n_lines polylines of ``samples`` points, stacked."""
    c = np.ones((n_lines, samples), dtype=np.int32)
    c[:, -1] = 0
    return c.ravel()


class HiddenSpacePanel(QWidget):
    key, title = "hiddenSpace", "Hidden space"
    sampleClicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.key)
        self._run = None
        self._plane: hs.Plane | None = None
        self._snapshot = None
        self._space: hs.Space | None = None
        self._pca: dict[int, hs.View] = {}  # fitted PCA views by space
        self._pca_step: dict[int, int] = {}
        self._neurons: dict[int, tuple[int, int]] = {}  # chosen neurons by space
        self._readout: hs.View | None = None  # the last readout view (v keeps its sign)
        self._views: list[hs.View] = []
        self._coords: list[np.ndarray] = []
        self._ranges: dict[int, tuple] = {}
        self._range = None
        self._finite: list[bool] = []  # each space's picture is finite
        self._stale: set[int] = set()
        self._shares: dict[int, float] = {}
        self._why_empty = "Waiting for a run."
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        self.view = pg.PlotWidget(background="w", axisItems=grid_axes())
        self.plot = self.view.getPlotItem()
        style_plot(self.plot)
        for side in ("bottom", "left"):  # (no "x0.001" beside a label: the values as they are)
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        self.plot.disableAutoRange()
        self.plot.setMenuEnabled(False)
        self.lines = [pg.PlotCurveItem(pen=cm.pen(c, 1.0)) for c in LINE_COLORS]
        for item in self.lines:
            self.plot.addItem(item)
        self.boundary = SegmentsItem(antialias=True)
        self.boundary.setZValue(5)
        self.plot.addItem(self.boundary, ignoreBounds=True)
        self.points = MovingPoints(size=7, pen=cm.pen("#303030", 0.5))
        self.points.setZValue(10)
        self.points.sigClicked.connect(self._on_clicked)
        self.plot.addItem(self.points)
        self.current = MovingPoints(size=16, brush=None, pen=cm.pen("k", 2.5))
        self.current.setZValue(20)
        self.plot.addItem(self.current)
        self.empty = pg.TextItem(anchor=(0.5, 0.5), color=cm.TEXT)  # why there is no picture
        self.plot.addItem(self.empty, ignoreBounds=True)
        self.plot.vb.sigRangeChanged.connect(self._draw_boundary)
        outer.addWidget(self.view, 1)

        row = QHBoxLayout()
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("hiddenLayerSlider")
        self.slider.setRange(0, 0)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(SUB)
        self.slider.setTickPosition(QSlider.TicksBelow)
        self.slider.setTickInterval(SUB)
        self.slider.setToolTip("Which layer's space: the input plane at the left, the last "
                               "hidden layer at the right; between two layers the points move "
                               "part of the way (Left/Right: 1/20 layer, PgUp/PgDn: a layer)")
        self.slider.valueChanged.connect(self._on_position)
        self.position_label = QLabel("input plane")
        self.position_label.setMinimumWidth(62)
        self.play = QToolButton()
        self.play.setText("Morph")
        self.play.setCheckable(True)
        self.play.setToolTip("Slide through the layers and back, over and over, to watch the "
                             "network fold the plane")
        self.play.toggled.connect(self._on_play)
        self._timer = QTimer(self)
        self._timer.setInterval(MORPH_MS)
        self._timer.timeout.connect(self._on_tick)
        self._direction = 1
        for w in (QLabel("Layer"), self.slider):
            row.addWidget(w)
        row.setStretchFactor(self.slider, 1)
        row.addWidget(self.position_label)
        row.addWidget(self.play)
        outer.addLayout(row)

        row = QHBoxLayout()
        self.mode = QComboBox()
        self.mode.addItem("PCA", hs.PCA)
        self.mode.addItem("2 neurons", hs.NEURONS)
        self.mode.addItem("Readout", hs.READOUT)
        self.mode.setToolTip("How a layer of more than two neurons is drawn: on the plane of "
                             "its two principal axes (PCA of the training points' activations, "
                             "fitted when you press Refit), on two of its neurons, or (the last "
                             "hidden layer; the others on PCA) on the direction the output "
                             "layer reads and the points' spread across it: there the decision "
                             "boundary is exact")
        self.mode.currentIndexChanged.connect(self._on_view_changed)
        self.neuron_u = QSpinBox()
        self.neuron_v = QSpinBox()
        for spin, axis in ((self.neuron_u, "horizontal"), (self.neuron_v, "vertical")):
            spin.setPrefix("#")
            spin.setRange(1, 1)
            spin.setToolTip(f"The neuron on the {axis} axis (of the layer the slider is at)")
            spin.valueChanged.connect(self._on_neurons)
        self.refit = QPushButton("Refit")
        self.refit.setToolTip("Fit every layer's PCA plane again to the activations now (the "
                              "planes otherwise stay as fitted, so the picture does not jump)")
        self.refit.clicked.connect(self._on_refit)
        # (the neuron boxes in the neurons view, Refit in the PCA view: the row fits a
        # laptop's right column, ~330 px)
        for w in (QLabel("View"), self.mode, self.neuron_u, self.neuron_v, self.refit):
            row.addWidget(w)
        row.addStretch(1)
        self.info = QLabel(self._why_empty)  # (exported with the plot: the picture's caption)
        self.info.setWordWrap(True)
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.info.setStyleSheet("background: white; color: #202020; padding: 2px")
        row.addWidget(install_export(self))
        outer.addLayout(row)
        outer.addWidget(self.info)
        self._enable()

    # ----------------------------------------------------------------- protocol
    def set_run(self, run) -> None:
        """A new run (``nnviz.snapshot.RunInfo``): its plane, points and colours."""
        self._run, self._snapshot, self._space = run, None, None
        self._pca, self._pca_step, self._neurons, self._ranges = {}, {}, {}, {}
        self._readout = None
        self._views, self._coords, self._range = [], [], None
        self._plane = hs.input_plane(run)
        ds = run.dataset
        self._clear()
        if self._plane is None:
            self._why_empty = (f"Hidden space needs a problem of 2 input features (the plane "
                               f"to carry through the network); {ds.name} has "
                               f"{ds.n_features}.")
            self.slider.setRange(0, 0)
            self._enable()
            self.info.setText(self._why_empty)
            self._say_empty(f"No input plane to carry through the network:<br>{ds.name} has "
                            f"{ds.n_features} input features, the hidden space needs 2.")
            return
        self._why_empty = ""
        self._say_empty("")
        depth = len(run.sizes) - 2
        self.slider.blockSignals(True)
        if self.slider.maximum() != depth * SUB:  # (the same depth: the same place)
            self.slider.setRange(0, depth * SUB)
            self.slider.setValue(depth * SUB)  # the last hidden layer: the boundary is straight
        self.slider.blockSignals(False)
        self._on_position(self.slider.value())
        self._connect = _connect(self._plane.n_lines // 2, self._plane.samples)
        rows = run.train_index[self._plane.rows]
        if ds.task == "regression":
            lo, hi = target_levels(ds)  # (the prediction panel's colours; finite)
            bins = linear_bins(np.asarray(ds.Y)[rows, 0], lo, hi, 64)  # (NaN -> 0)
            table = cm.bin_brushes(cm.SEQUENTIAL, 64)
            self._brushes = [table[b] for b in bins]
        else:
            self._brushes = cm.class_brushes(ds.labels[rows])
        self.points.setSize(7 if len(rows) <= 500 else 5)
        self._enable()
        self.info.setText("Waiting for the first snapshot.")

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        if self._plane is None or snapshot.sizes != tuple(self._run.sizes):
            return  # (no plane, or a snapshot of another run)
        self._space = hs.carry_plane(self._plane, snapshot.weights, snapshot.biases,
                                     snapshot.activations)
        self._update_views()

    # ----------------------------------------------------------------- state
    def position(self) -> float:
        """The slider's layer position: 0 the input plane, H the last hidden layer."""
        return self.slider.value() / SUB

    def layer(self) -> int:
        """The space whose view the neuron choice edits: the nearest to the slider."""
        return int(round(self.position()))

    def width_of(self, k: int) -> int:
        return self._run.sizes[k] if k > 0 else 2

    def view_of(self, k: int) -> hs.View:
        """Space k's view now (fitting its PCA plane if it has none yet)."""
        n = self.width_of(k)
        if n <= 2:
            return EXACT_VIEWS[n]
        points = self._space.points(k)
        if self.mode.currentData() == hs.NEURONS:
            i, j = self._neurons.get(k, (0, 1))
            return hs.neuron_view(points, i, j)
        if self.mode.currentData() == hs.READOUT and k == self._space.depth \
                and np.isfinite(points).all() and np.isfinite(self._snapshot.weights[-1]).all():
            # (it follows W: made for each snapshot)
            self._readout = hs.readout_view(points, self._snapshot.weights[-1], self._readout)
            return self._readout
        if k not in self._pca:
            like = self._coords[k - 1][self._space.n_line_rows:] if k - 1 < len(
                self._coords) else None
            self._fit(k, None, like)
        return self._pca[k]

    def _fit(self, k: int, previous, like=None) -> None:
        points = self._space.points(k)
        if np.isfinite(points).all():
            self._pca[k] = hs.fit_pca(points, previous=previous, like=like)
            self._pca_step[k] = self._snapshot.step
        elif k not in self._pca:
            self._pca[k] = hs.View(hs.PCA, np.zeros(points.shape[1]),
                                   np.eye(points.shape[1], 2), explained=float("nan"))
            self._pca_step[k] = self._snapshot.step

    def coords(self) -> np.ndarray | None:
        """(u, v) of every row (grid lines, then points) at the slider's position, as drawn."""
        return hs.morph(self._coords, self.position()) if self._coords else None

    # ----------------------------------------------------------------- updates
    def _update_views(self) -> None:
        if self._space is None:
            return
        self._views, self._coords = [], []
        for k in range(self._space.depth + 1):
            view = self.view_of(k)
            self._views.append(view)
            self._coords.append(view.project(self._space.acts[k]))
        self._finite = [bool(np.isfinite(c).all()) for c in self._coords]
        self._shares = {}  # PCA planes' share of the variance now, by space (for the caption)
        self._stale = set(range(len(self._coords)))  # ranges to bring up to date when shown
        self._draw()

    def _range_of(self, k: int):
        """Space k's picture's range ((u0, u1), (v0, v1)), sticky (``hidden_space.sticky_box``)."""
        if k in self._stale:
            self._ranges[k] = hs.sticky_box(self._coords[k], self._ranges.get(k))
            self._stale.discard(k)
        return self._ranges[k]

    def _draw(self) -> None:
        if self._space is None:
            return
        self._enable()
        if not all(self._finite):
            self._clear()
            self.info.setText("The network's values are not finite (the run diverged): "
                              "nothing to draw in its hidden space.")
            return
        t = self.position()
        C = self.coords()
        plane = self._plane
        n_half = plane.n_lines // 2
        rows = plane.samples * n_half
        for item, part in zip(self.lines, (C[:rows], C[rows:plane.n_line_rows])):
            item.setData(part[:, 0], part[:, 1], connect=self._connect)
        if len(self.points.data) == len(plane.rows):
            self.points.move(C[plane.n_line_rows:])
        else:  # (the first picture of a run, or after one that could not be drawn)
            self.points.setData(pos=C[plane.n_line_rows:], data=plane.rows, brush=self._brushes)
        self._draw_current()
        k = int(np.floor(t))
        s = t - k
        (x0, x1), (y0, y1) = self._range_of(k)
        if s > 0:
            (a0, a1), (b0, b1) = self._range_of(k + 1)
            x0, x1 = x0 + s * (a0 - x0), x1 + s * (a1 - x1)
            y0, y1 = y0 + s * (b0 - y0), y1 + s * (b1 - y1)
        if self._range != (x0, x1, y0, y1):
            self._range = (x0, x1, y0, y1)
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._draw_boundary()
        self._label_axes(t)
        self.info.setText(self.caption())

    def _draw_current(self) -> None:
        """Ring the snapshot's display sample where it is at the slider's position."""
        snap = self._snapshot
        index = snap.sample.index
        where = np.flatnonzero(self._plane.rows == index)
        if len(where):
            pos = self.coords()[self._plane.n_line_rows + where[:1]]
        else:
            raw = np.asarray(self._run.dataset.X)[self._run.train_index[[index]]]
            spots = [self._run.x_scaler.transform(raw).astype(np.float32)]
            spots += [np.asarray(a, np.float32)[None] for a in snap.sample.a[1:len(self._views)]]
            pos = hs.morph([v.project(a) for v, a in zip(self._views, spots)], self.position())
        if len(self.current.data) == 1:
            self.current.move(pos)
        else:
            self.current.setData(pos=pos)

    def boundary_segments(self, box=None) -> np.ndarray:
        """The decision boundary drawn now (s, 4) in the view's (u, v), within ``box`` (u0,
        u1, v0, v1; default: the visible range): empty unless the slider is at the last
        hidden layer of a classification run."""
        if not self._has_boundary() or self.position() != self._space.depth:
            return np.zeros((0, 4))
        if box is None:
            (x0, x1), (y0, y1) = self.plot.vb.viewRange()
            box = (x0, x1, y0, y1)
        snap = self._snapshot
        return hs.boundary(self._views[-1], snap.weights[-1], snap.biases[-1],
                           snap.activations[-1], box)

    def _has_boundary(self) -> bool:
        return (self._space is not None and self._run.task != "regression"
                and (self._space.depth > 0 or self._plane.exact_inputs))

    def _draw_boundary(self, *_) -> None:
        if self._space is None:
            return
        segments = self.boundary_segments()
        self.boundary.setSegments(segments)
        style = Qt.SolidLine if self._views and self._views[-1].exact else Qt.DashLine
        self.boundary_pen = cm.pen(BOUNDARY_COLOR, 2.0, style)  # dashed: approximate
        self.boundary.setGroups(np.zeros(len(segments), dtype=int), [self.boundary_pen])

    def _say_empty(self, text: str) -> None:
        """A large line across an empty plot (it is exported too), or none."""
        self.empty.setVisible(bool(text))
        if text:
            self.empty.setHtml(f'<div style="font-size: 17pt; text-align: center">{text}</div>')
            self.empty.setPos(0.0, 0.0)
            self.plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
            self._range = None
            for side in ("bottom", "left"):
                self.plot.setLabel(side, "")

    def _clear(self) -> None:
        for item in self.lines:
            item.setData([], [])
        self.points.clear()
        self.current.clear()
        self.boundary.setSegments(np.zeros((0, 4)))

    # ----------------------------------------------------------------- text
    def _label_axes(self, t: float) -> None:
        labels = axis_labels(self._run, self._views, t, self._snapshot.weights[-1].shape[1])
        for side, text in zip(("bottom", "left"), labels):
            if self.plot.getAxis(side).labelText != text:
                self.plot.setLabel(side, text)

    def caption(self) -> str:
        """What the picture shows, what is held and what is approximate (the panel's text)."""
        if self._why_empty or self._space is None:
            return self._why_empty or "Waiting for the first snapshot."
        snap = self._snapshot
        return caption(Picture(
            run=self._run, plane=self._plane, views=tuple(self._views), t=self.position(),
            pca_step=self._pca_step, step=snap.step, share=self._share,
            outputs=snap.weights[-1].shape[1], has_boundary=self._has_boundary(),
            boundary_shown=bool(len(self.boundary_segments()))))

    def _share(self, k: int) -> float:
        if k not in self._shares:
            self._shares[k] = hs.plane_share(self._views[k], self._space.points(k))
        return self._shares[k]

    # ----------------------------------------------------------------- controls
    def _enable(self) -> None:
        has = self._plane is not None
        self.slider.setEnabled(has and self.slider.maximum() > 0)
        self.play.setEnabled(has and self.slider.maximum() > 0)
        wide = has and any(n > 2 for n in self._run.sizes[1:-1])
        self.mode.setEnabled(wide)
        by_neurons = self.mode.currentData() == hs.NEURONS
        self.refit.setEnabled(wide and not by_neurons and self._space is not None)
        self.refit.setVisible(not (wide and by_neurons))
        k = self.layer() if has else 0
        n = self.width_of(k) if has else 0
        neurons = wide and by_neurons and n > 2
        for spin, value in zip((self.neuron_u, self.neuron_v),
                               self._neurons.get(k, (0, 1)) if neurons else (0, 1)):
            spin.setVisible(wide and by_neurons)
            spin.setEnabled(neurons)
            spin.blockSignals(True)
            spin.setRange(1, max(n, 1))
            spin.setValue(value + 1)
            spin.blockSignals(False)

    def _on_position(self, _value: int) -> None:
        t = self.position()
        self.position_label.setText("input plane" if t == 0 else f"hidden {t:g}" if t == int(t)
                                    else f"layer {t:.2f}")
        self._draw()

    def _on_view_changed(self, *_) -> None:
        self._ranges = {}
        self._update_views()
        self._enable()

    def _on_neurons(self, *_) -> None:
        k = self.layer()
        i, j = self.neuron_u.value() - 1, self.neuron_v.value() - 1
        if i == j:  # two different neurons: the other box gives way
            other = self.neuron_v if self.sender() is self.neuron_u else self.neuron_u
            j_new = (i + 1) % self.width_of(k)
            other.blockSignals(True)
            other.setValue(j_new + 1)
            other.blockSignals(False)
            i, j = (i, j_new) if other is self.neuron_v else (j_new, j)
        self._neurons[k] = (i, j)
        self._ranges.pop(k, None)
        self._update_views()

    def _on_refit(self) -> None:
        if self._space is None:
            return
        for k in range(1, self._space.depth + 1):
            if self.width_of(k) > 2:
                self._fit(k, self._pca.get(k))
                self._ranges.pop(k, None)
        self._update_views()

    def _on_play(self, on: bool) -> None:
        if on and self.slider.maximum() > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def _on_tick(self) -> None:
        value = self.slider.value() + self._direction
        if not 0 <= value <= self.slider.maximum():
            self._direction = -self._direction
            value = self.slider.value() + self._direction
        self.slider.setValue(value)

    def hideEvent(self, event) -> None:
        self.play.setChecked(False)
        super().hideEvent(event)

    def _on_clicked(self, _item, points, *_) -> None:
        if len(points):
            self.sampleClicked.emit(int(points[0].data()))

    # ----------------------------------------------------------------- export
    def export_widgets(self):
        return [self.view, self.info]
