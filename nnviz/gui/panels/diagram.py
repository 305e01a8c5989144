"""The network diagram: neurons coloured by activation, connections by dL/dw, w or Δw.

Layers are numbered as in the inspector: layer 0 is the input, layer l >= 1 is computed by
W[l-1], b[l-1]; neuron (l, j) has z = sample.z[l-1][j], a = sample.a[l][j],
delta = sample.delta[l-1][j], bias = biases[l-1][j]. Connection (l, i, j) is W[l][i, j], from
neuron i of layer l to neuron j of layer l + 1.

Drawing: one ``SegmentsItem`` for all connections (one drawLines per colour bin), one
``MarksItem`` for the neurons (prebuilt brushes), small squares for the biases, optional
per-neuron heatmaps (snapshot.grid.neuron) and a strip of per-layer log10 ‖dL/dW‖ below.
Wide layers show only their strongest connections (``edge_budget``) and say how many are hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nnviz.explain import fmt
from nnviz.gui import colormaps as cm
from nnviz.gui.export import SnapshotExport, install_export
from nnviz.gui.graphics import DecadeAxis, MarksItem, SegmentsItem, pen, style_plot
from nnviz.gui.widgets import LogSpinBox
from nnviz.snapshot import NEURON_GRID_MAX, STATS_ROWS

N_BINS = 21
EDGE_MODES = (("grad", "dL/dw"), ("weight", "weight w"), ("change", "last change Δw"))
NEURON_MODES = (("sample", "a of this sample"), ("mean", "batch mean |a|"),
                ("delta", "delta dL/dz of this sample"))
NEURON_LABELS = {"sample": "neuron a", "mean": "neuron mean |a|", "delta": "neuron delta"}
SCALE_MODES = (("auto", "auto scale"), ("layer", "auto per layer"), ("fixed", "fixed scale"))
#: (key, label); "auto" keeps about 4 connections per neuron of the wider layer
BUDGETS = (("auto", "strongest only"), ("all", "all"))
STRIP_FLOOR = -12.0
AXIS_WIDTH = 52


@dataclass(frozen=True)
class Selection:
    """What the user clicked: kind "neuron" (layer, index) or "connection" (layer = W[layer],
    i, j)."""

    kind: str
    layer: int
    index: int = 0
    i: int = 0
    j: int = 0


class DiagramLayout:
    """Where everything sits for sizes (n_0, ..., n_L), in view units (neuron spacing 1).

    x[l] float, y[l] (n_l,); neuron_xy (N, 2) all neurons layer by layer; edge_offsets[l]: first
    flat connection of W[l] (W[l].ravel() order: i major); segments (E, 4).
    """

    def __init__(self, sizes):
        self.sizes = tuple(int(n) for n in sizes)
        span = max(max(self.sizes) - 1, 1)
        self.dx = max(2.5, 0.45 * span)
        self.radius = 0.32
        self.x = [l * self.dx for l in range(len(self.sizes))]
        self.y = [(n - 1) / 2.0 - np.arange(n, dtype=float) for n in self.sizes]
        self.neuron_xy = np.concatenate(
            [np.column_stack((np.full(n, x), y)) for n, x, y in zip(self.sizes, self.x, self.y)])
        self.neuron_layer = np.concatenate([np.full(n, l) for l, n in enumerate(self.sizes)])
        self.neuron_index = np.concatenate([np.arange(n) for n in self.sizes])
        self.neuron_offsets = np.concatenate(([0], np.cumsum(self.sizes)))
        segs, self.edge_layer, self.edge_i, self.edge_j = [], [], [], []
        for l, (a, b) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            ii, jj = np.meshgrid(np.arange(a), np.arange(b), indexing="ij")
            ii, jj = ii.ravel(), jj.ravel()
            segs.append(np.column_stack((np.full(ii.size, self.x[l] + self.radius),
                                         self.y[l][ii],
                                         np.full(ii.size, self.x[l + 1] - self.radius),
                                         self.y[l + 1][jj])))
            self.edge_layer.append(np.full(ii.size, l))
            self.edge_i.append(ii)
            self.edge_j.append(jj)
        cat = (lambda xs: np.concatenate(xs)) if segs else (lambda xs: np.zeros(0, int))
        self.segments = np.concatenate(segs) if segs else np.zeros((0, 4))
        self.edge_layer, self.edge_i, self.edge_j = (cat(self.edge_layer), cat(self.edge_i),
                                                     cat(self.edge_j))
        self.edge_offsets = np.concatenate(([0], np.cumsum(
            [a * b for a, b in zip(self.sizes[:-1], self.sizes[1:])])))
        self.height = span

    def budget(self, l: int) -> int:
        """Connections shown for W[l] in "auto" mode: about 4 per neuron of the wider layer."""
        a, b = self.sizes[l], self.sizes[l + 1]
        return min(a * b, max(256, 4 * max(a, b)))


def _layer_values(arrays, budget_mask=None) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


class NetworkDiagramPanel(SnapshotExport, QWidget):
    key, title = "networkDiagram", "Network"
    selectionChanged = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.key)
        self._layout: DiagramLayout | None = None
        self._snapshot = None
        self._selection: Selection | None = None
        self._visible = np.zeros(0, dtype=bool)
        self._edge_scale = 1.0
        self._neuron_scale = 1.0
        self._images: list[pg.ImageItem] = []
        self._heat_grid = None  # the grid the neuron heatmaps show
        self._hidden_labels: list[pg.TextItem] = []
        self._strip_labels: list[pg.TextItem] = []
        self._strip_logs: np.ndarray | None = None  # log10 ‖dL/dW‖ per layer, as drawn
        self._strip_range: tuple[float, float] | None = None
        self._x_scaler = None
        self._marks_key = None
        self._edge_pens = cm.bin_pens(cm.DIVERGING, N_BINS)
        # weakest first (strongest on top); bins faded to the background colour are not drawn
        # (|value| < 5% of the scale: pixel-identical, and most of the work with all 8,384
        # connections of [2, 64, 64, 64, 1] on)
        self._edge_order = [int(b) for b in np.argsort(cm.bin_magnitude(N_BINS), kind="stable")
                            if not cm.invisible(self._edge_pens[b])]
        self._structure_pen = pen("#c8c8c8", 1)  # connections while there is nothing to colour
        self._neuron_brushes = cm.bin_brushes(cm.ACTIVATION, N_BINS)
        self._bias_brushes = cm.bin_brushes(cm.DIVERGING, N_BINS)
        self._build()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.neuron_mode = self._combo(NEURON_MODES, "Neuron colour: the displayed sample's "
                                       "activation a, or the mean |a| over the training batch")
        self.edge_mode = self._combo(EDGE_MODES, "Connection colour and width: the last "
                                     "step's gradient dL/dw, the weight, or the change Δw the "
                                     "last step applied")
        self.scale_mode = self._combo(SCALE_MODES, "Connection colour scale: symmetric around "
                                      "zero; auto = the largest |value| shown")
        self.fixed_scale = LogSpinBox("colour scale", 1e-6, 1e6)  # 1, 2, 5, 10 ...
        self.fixed_scale.setValue(1.0)
        self.fixed_scale.setToolTip("The |value| drawn at full colour when the scale is fixed")
        self.budget_mode = self._combo(BUDGETS, "Wide layers: draw only the strongest "
                                       "connections (the count of hidden ones is shown)")
        self.heatmaps = QCheckBox("Neuron heatmaps")
        for w in (self.neuron_mode, self.edge_mode, self.scale_mode, self.budget_mode):
            w.currentIndexChanged.connect(self._redraw)
        self.fixed_scale.valueChanged.connect(self._redraw)
        self.fixed_scale.problem.connect(lambda why: why and self.info.setText(why))
        self.heatmaps.toggled.connect(self._redraw)
        for w in (QLabel("Neurons"), self.neuron_mode, self.heatmaps):
            row.addWidget(w)
        row.addStretch(1)
        outer.addLayout(row)
        row = QHBoxLayout()
        for w in (QLabel("Connections"), self.edge_mode, self.scale_mode, self.fixed_scale,
                  self.budget_mode):
            row.addWidget(w)
        row.addStretch(1)
        outer.addLayout(row)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.plot = self.view.addPlot(row=0, col=0)
        self.plot.hideAxis("bottom")
        self.plot.hideButtons()
        self.plot.getAxis("left").setStyle(showValues=False)
        self.plot.getAxis("left").setPen(pg.mkPen(None))
        self.plot.getAxis("left").setWidth(AXIS_WIDTH)
        self.vb = self.plot.getViewBox()
        self.vb.setAspectLocked(True)
        self.vb.setMouseEnabled(False, False)
        self.vb.setMenuEnabled(True)
        self.edges = SegmentsItem()
        self.vb.addItem(self.edges)
        self.selected_edge = SegmentsItem()
        self.selected_edge.setZValue(5)
        self.vb.addItem(self.selected_edge)
        self.neurons = MarksItem("circle", pen("#404040"))
        self.biases = MarksItem("square", pen("#404040"))
        self.dead_marks = MarksItem("cross", pen("#202020", 2))
        self.sat_marks = MarksItem("circle", pen("#ff7f0e", 3))
        self.selected_neuron = MarksItem("circle", pen("k", 3))
        for z, item in enumerate((self.neurons, self.biases, self.dead_marks, self.sat_marks,
                                  self.selected_neuron)):
            item.setZValue(10 + 5 * z)
            self.vb.addItem(item)

        self.neuron_bar = pg.ColorBarItem(values=(-1, 1), colorMap=cm.colormap(cm.ACTIVATION),
                                          interactive=False, width=12, colorMapMenu=False,
                                          label="neuron a")
        self.edge_bar = pg.ColorBarItem(values=(-1, 1), colorMap=cm.colormap(cm.DIVERGING),
                                        interactive=False, width=12, colorMapMenu=False,
                                        label="dL/dw")
        for bar in (self.neuron_bar, self.edge_bar):
            style_plot(bar)
        self.view.addItem(self.neuron_bar, row=0, col=1)
        self.view.addItem(self.edge_bar, row=0, col=2)

        self.strip = self.view.addPlot(row=1, col=0, axisItems={"left": DecadeAxis("left")})
        style_plot(self.strip)
        self.strip.setMaximumHeight(110)
        self.strip.setMouseEnabled(False, False)
        self.strip.hideButtons()
        self.strip.setLabel("left", "‖dL/dW‖")
        self.strip.getAxis("left").setWidth(AXIS_WIDTH)
        self.strip.getAxis("bottom").setStyle(showValues=False)
        self.strip.setXLink(self.vb)
        self.strip.vb.sigResized.connect(self._fit_strip_range)
        self.strip_bars = pg.BarGraphItem(x=[], height=[], width=1.0, y0=STRIP_FLOOR,
                                          brush="#4a6fa5")
        self.strip.addItem(self.strip_bars)
        self.view.ci.layout.setRowStretchFactor(0, 5)
        self.view.ci.layout.setRowStretchFactor(1, 1)
        outer.addWidget(self.view, 1)

        bottom = QHBoxLayout()
        self.info = QLabel("Hover a neuron or a connection; click to select it.  "
                           "✕ dead ReLU   ◯ saturated")
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.info.setWordWrap(True)
        bottom.addWidget(self.info, 1)
        bottom.addWidget(install_export(self, [self.vb, self.strip.vb]))
        outer.addLayout(bottom)

        self.view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.view.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    def _combo(self, items, tip) -> QComboBox:
        c = QComboBox()
        c.setSizeAdjustPolicy(QComboBox.AdjustToContents)  # never a cut-off choice
        for key, text in items:
            c.addItem(text, key)
        c.setToolTip(tip)
        return c

    # ----------------------------------------------------------------- protocol
    def set_experiment(self, experiment) -> None:
        """New run: lay out the network (static sizes only)."""
        sizes = tuple(experiment.net.sizes)
        self._activations = tuple(experiment.net.activation_names)
        self._feature_names = tuple(experiment.dataset.feature_names)
        self._x_scaler = experiment.prepared.x_scaler
        self._enable_heatmaps(experiment.dataset.n_features, sum(sizes[1:]))
        n = len(experiment.trainer.X)  # the activity looks at the first STATS_ROWS of them
        self._activity_rows = ("every training sample" if n <= STATS_ROWS else
                               f"all {STATS_ROWS:,} training samples checked (of {n:,})")
        self._snapshot = None
        self._selection = None
        L = self._layout = DiagramLayout(sizes)
        self.edges.setSegments(L.segments)
        self.selected_edge.setSegments(np.zeros((0, 4)))
        self.selected_neuron.setMarks(np.zeros((0, 2)), 0)
        self.neurons.setMarks(L.neuron_xy, 2 * L.radius)
        self.neurons.setGroups(np.full(len(L.neuron_xy), N_BINS // 2), self._neuron_brushes)
        hid = L.neuron_layer > 0
        self.biases.setMarks(L.neuron_xy[hid] + (-0.36, 0.30), 0.2)
        self.biases.setGroups(np.full(int(hid.sum()), N_BINS // 2), self._bias_brushes)
        self._marks_key = None
        self.dead_marks.setMarks(np.zeros((0, 2)), 0)
        self.sat_marks.setMarks(np.zeros((0, 2)), 0)
        for item in self._images + self._hidden_labels:
            self.vb.removeItem(item)
        for item in self._strip_labels:
            self.strip.removeItem(item)
        self._images, self._hidden_labels, self._strip_labels = [], [], []
        self._heat_grid = None
        hidden_y = min(y.min() for y in L.y) - 0.6
        for l in range(len(sizes) - 1):
            t = pg.TextItem("", color="#606060", anchor=(0.5, 0))
            t.setPos((L.x[l] + L.x[l + 1]) / 2, hidden_y)
            self.vb.addItem(t)
            self._hidden_labels.append(t)
            lab = pg.TextItem("", color="#202020", anchor=(0.5, 1))
            self.strip.addItem(lab)
            self._strip_labels.append(lab)
        self.strip_bars.setOpts(x=[(L.x[l] + L.x[l + 1]) / 2 for l in range(len(sizes) - 1)],
                                height=np.zeros(len(sizes) - 1), width=0.5 * L.dx,
                                y0=STRIP_FLOOR)
        self._visible = np.zeros(len(L.segments), dtype=bool)
        self.vb.setRange(xRange=(-1.0, L.x[-1] + 1.0),
                         yRange=(hidden_y - max(1.2, 0.07 * L.height), L.height / 2 + 1.0),
                         padding=0)
        dense = max(sizes) > 24
        self.neurons.setPen(pen("#909090", 0.5) if dense else pen("#404040"))
        self.biases.setPen(None if dense else pen("#404040"))
        self.dead_marks.setPen(pen("#202020", 1 if dense else 2))  # a thick small ✕ is a blob
        self._strip_logs, self._strip_range = None, (-6.0, 1.0)
        self.strip.setYRange(*self._strip_range, padding=0)
        self.info.setText(f"Network {list(sizes)}: hover a neuron or a connection; click to "
                          "select it.   ✕ dead ReLU   ◯ saturated")

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        self._redraw()

    def follow_phase(self, kind: str | None) -> None:
        """Step-through mode: show what the phase just done computed. forward: activations
        over the weights; loss and backward: deltas over dL/dw; update: the changes Δw.
        (Layers the phases have not reached hold zeros, drawn neutral: dim.)"""
        neuron, edge = {"forward": ("sample", "weight"), "loss": ("delta", "grad"),
                        "backward": ("delta", "grad"), "update": ("delta", "change")}.get(
            kind, ("sample", "grad"))
        for combo, key in ((self.neuron_mode, neuron), (self.edge_mode, edge)):
            index = combo.findData(key)
            if combo.currentIndex() != index:
                combo.setCurrentIndex(index)

    # ----------------------------------------------------------------- drawing
    def edge_values(self, snapshot=None) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """(per-layer connection values, per-layer bias values) for the current edge mode."""
        s = snapshot or self._snapshot
        mode = self.edge_mode.currentData()
        if mode == "weight":
            return s.weights, s.biases
        if mode == "change":
            return s.change_W, s.change_b
        return s.grad_W, s.grad_b

    def neuron_values(self, snapshot=None) -> np.ndarray:
        """(N,) the colour value of every neuron, layer by layer."""
        s = snapshot or self._snapshot
        if self.neuron_mode.currentData() == "mean":
            return np.concatenate([np.asarray(m, float) for m in s.mean_activation])
        if self.neuron_mode.currentData() == "delta":  # inputs have no delta: 0
            return np.concatenate([np.zeros(s.sizes[0])]
                                  + [np.asarray(d, float) for d in s.sample.delta])
        return np.concatenate([np.asarray(a, float) for a in s.sample.a])

    def _redraw(self, *_) -> None:
        s, L = self._snapshot, self._layout
        if s is None or L is None or s.sizes != L.sizes:
            return
        W, B = self.edge_values(s)
        values = _layer_values(W)
        scale_mode = self.scale_mode.currentData()
        self.fixed_scale.setEnabled(scale_mode == "fixed")
        if scale_mode == "fixed":
            scales = np.full(len(W), self.fixed_scale.value())
        elif scale_mode == "layer":
            scales = np.array([cm.nice_scale(np.max(np.abs(w), initial=0)) for w in W])
        else:
            top = max(np.max(np.abs(values), initial=0), max(
                (np.max(np.abs(b), initial=0) for b in B), default=0))
            scales = np.full(len(W), cm.nice_scale(top))
        self._edge_scale = float(scales.max()) if len(scales) else 1.0
        per_edge = np.repeat(scales, np.diff(L.edge_offsets))
        bins = cm.symmetric_bins(values / per_edge, 1.0, N_BINS)
        # dL/dw or Δw all zero (no step yet, or nothing to learn): nothing to colour by, so the
        # connections are drawn as plain structure, in grey, the strongest weights where wide
        blank = not values.any()
        strength = np.abs(_layer_values(s.weights) if blank else values)
        visible = np.ones(len(values), dtype=bool)
        if self.budget_mode.currentData() == "auto":
            for l in range(len(W)):
                lo, hi = L.edge_offsets[l], L.edge_offsets[l + 1]
                k = L.budget(l)
                if hi - lo > k:
                    mag = strength[lo:hi]
                    keep = np.argpartition(mag, (hi - lo) - k)[(hi - lo) - k:]
                    mask = np.zeros(hi - lo, dtype=bool)
                    mask[keep] = True
                    visible[lo:hi] = mask
        self._visible = visible
        self.edge_bins = bins
        if blank:
            self.edges.setGroups(np.where(visible, 0, -1), [self._structure_pen])
        else:
            self.edges.setGroups(np.where(visible, bins, -1), self._edge_pens, self._edge_order)
        for l, label in enumerate(self._hidden_labels):
            n = L.edge_offsets[l + 1] - L.edge_offsets[l]
            hidden = int(n - visible[L.edge_offsets[l]:L.edge_offsets[l + 1]].sum())
            text = f"{hidden:,} of {n:,}\nweaker hidden" if hidden else ""
            if label.textItem.toPlainText() != text:
                label.setText(text)
        label = dict(EDGE_MODES)[self.edge_mode.currentData()]
        if blank:
            label += " (after the first step)" if s.step == 0 else ": all zero"
        elif scale_mode == "layer":
            label += " (per layer)"
        self._set_bar(self.edge_bar, self._edge_scale, label)

        b_bins = cm.symmetric_bins(_layer_values(B) / np.repeat(scales, L.sizes[1:]), 1.0,
                                   N_BINS)
        self.biases.setGroups(b_bins, self._bias_brushes)

        nv = self.neuron_values(s)
        self._neuron_scale = cm.nice_scale(np.max(np.abs(nv[L.sizes[0]:]), initial=0))
        n_bins = self.neuron_bins = cm.symmetric_bins(nv, self._neuron_scale, N_BINS)
        self.neurons.setGroups(n_bins, self._neuron_brushes)
        mode = self.neuron_mode.currentData()
        self._set_bar(self.neuron_bar, self._neuron_scale, NEURON_LABELS[mode],
                      from_zero=(mode == "mean"))
        self._draw_marks(s)
        self._draw_heatmaps(s)
        self._draw_strip(s)

    def _set_bar(self, bar, scale: float, label: str, from_zero: bool = False) -> None:
        """Show (-scale, scale) on ``bar``; ``from_zero``: only (0, scale) and the colour map's
        upper half (a mean |a| is never negative: the lower half would be a legend for
        nothing)."""
        levels = (0.0, scale) if from_zero else (-scale, scale)
        if (bar.levels()[0] == 0.0) != from_zero:  # (a symmetric range never starts at 0)
            full = cm.colormap(cm.ACTIVATION if bar is self.neuron_bar else cm.DIVERGING)
            bar.setColorMap(full.getSubset(0.5, 0.5) if from_zero else full)
        if bar.levels() != levels:
            bar.setLevels(levels)
        axis = bar.getAxis("left")
        if axis.labelText != label:
            axis.setLabel(label)

    def _draw_marks(self, s) -> None:
        L = self._layout
        off = L.sizes[0]
        dead = np.concatenate([np.asarray(d, bool) for d in s.dead]) if s.dead else []
        sat = np.concatenate([np.asarray(d, bool) for d in s.saturated]) if s.saturated else []
        key = (np.asarray(dead).tobytes(), np.asarray(sat).tobytes())
        if self._marks_key == key:
            return
        self._marks_key = key
        pos = L.neuron_xy[off:]
        self.dead_marks.setMarks(pos[np.asarray(dead, bool)], 0.4)
        self.sat_marks.setMarks(pos[np.asarray(sat, bool)], 2 * L.radius + 0.12)

    def _draw_heatmaps(self, s) -> None:
        L = self._layout
        want = self.heatmaps.isChecked() and self.heatmaps.isEnabled()
        grid = s.grid
        if want and grid is not None and grid.neuron is not None and not self._images:
            self._make_images(grid)
        show = want and bool(self._images)
        self.neurons.setVisible(not show)
        for img in self._images:
            img.setVisible(show)
        if not show or grid is None or grid.neuron is None or grid is self._heat_grid:
            self._heat_grid = grid if show else None
            return  # (the worker sends the same grid until its next one, 5 times a second)
        self._heat_grid = grid
        k = 0
        for l in range(len(L.sizes)):
            for j in range(L.sizes[l]):
                if l == 0:
                    continue
                layer = grid.neuron[l - 1][:, :, j]
                act = self._activations[l - 1]
                m = 1.0 if act in ("tanh", "sigmoid", "softmax") else cm.nice_scale(
                    float(np.max(np.abs(grid.neuron[l - 1]), initial=0)))
                self._images[L.sizes[0] + k].setImage(layer.T, levels=(-m, m))
                k += 1

    def _make_images(self, grid) -> None:
        L = self._layout
        lut = cm.lut(cm.ACTIVATION, 256)
        side = 0.8
        xs, ys = np.meshgrid(grid.xs, grid.ys)
        raw = np.zeros((xs.size, len(self._feature_names)))
        fi, fj = grid.features
        raw[:, fi], raw[:, fj] = xs.ravel(), ys.ravel()
        scaled = self._x_scaler.transform(raw) if self._x_scaler is not None else raw
        for n, (x, y) in enumerate(L.neuron_xy):
            img = pg.ImageItem(lut=lut)
            img.setZValue(12)
            if L.neuron_layer[n] == 0:
                col = scaled[:, int(L.neuron_index[n])].reshape(xs.shape)
                m = cm.nice_scale(float(np.max(np.abs(col), initial=0)))
                img.setImage(col.T, levels=(-m, m))
            else:
                img.setImage(np.zeros(xs.shape), levels=(-1, 1))
            img.setRect(QRectF(x - side / 2, y - side / 2, side, side))
            self.vb.addItem(img)
            self._images.append(img)

    def _draw_strip(self, s) -> None:
        norms = np.array([np.linalg.norm(g) for g in s.grad_W])
        self._strip_logs = np.where(norms > 0, np.log10(np.maximum(norms, 1e-300)), np.nan)
        self.strip_bars.setOpts(height=np.nan_to_num(
            np.maximum(self._strip_logs - STRIP_FLOOR, 0.0), nan=0.0))  # none below the floor
        for lab, n in zip(self._strip_labels, norms):
            lab.setText(f"{n:.1e}" if n > 0 else "0")  # 0: no step yet, or no gradient
        self._fit_strip_range()

    def _fit_strip_range(self, *_) -> None:
        """The strip's y range in whole decades (a range that moves on every update re-lays the
        axis), with room above the tallest bar for its value label at the strip's height; a
        zero norm's label sits on the floor."""
        logs = self._strip_logs
        if logs is None or not len(logs):
            return
        shown = logs[np.isfinite(logs)]
        lo = min(-6.0, float(np.floor(shown.min() - 0.5))) if len(shown) else -6.0
        label = max((lab.textItem.boundingRect().height() for lab in self._strip_labels),
                    default=0.0)
        share = min(0.6, label / max(self.strip.vb.height(), 1.0))  # of the height, for text
        top = float(shown.max()) if len(shown) else lo
        hi = max(1.0, float(np.ceil((top - lo * share) / (1 - share))))
        if self._strip_range != (lo, hi):
            self._strip_range = (lo, hi)
            self.strip.setYRange(lo, hi, padding=0)
        for lab, x, v in zip(self._strip_labels, self.strip_bars.opts["x"], logs):
            lab.setPos(x, v if np.isfinite(v) else lo)

    def _enable_heatmaps(self, n_features: int, n_neurons: int) -> None:
        """Neuron heatmaps need an input plane and the grid's per-neuron outputs (at most
        NEURON_GRID_MAX neurons): otherwise the box is disabled and says why."""
        why = ("needs at least two input features" if n_features < 2 else
               f"for networks of at most {NEURON_GRID_MAX} neurons (this one has {n_neurons})"
               if n_neurons > NEURON_GRID_MAX else "")
        self.heatmaps.setEnabled(not why)
        self.heatmaps.setToolTip("Show each neuron's output over the input plane"
                                 + (f": {why}" if why else
                                    " (other input features at their training mean)"))

    # ----------------------------------------------------------------- hover / select
    def neuron_text(self, layer: int, index: int) -> str:
        """What hovering neuron (layer, index) shows: the snapshot's own numbers."""
        s = self._snapshot
        if s is None:
            return ""
        if layer == 0:
            name = self._feature_names[index] if index < len(self._feature_names) else ""
            return (f"Input {index + 1} ({name}), layer 0: a = x = {fmt(s.sample.a[0][index])}"
                    f" (network units);  batch mean |a| = {fmt(s.mean_activation[0][index])}")
        act = s.activations[layer - 1]
        parts = [f"Neuron {index + 1} of layer {layer} ({act}):",
                 f"z = {fmt(s.sample.z[layer - 1][index])},",
                 f"a = {fmt(s.sample.a[layer][index])},",
                 f"delta = {fmt(s.sample.delta[layer - 1][index])},",
                 f"bias = {fmt(s.biases[layer - 1][index])},",
                 f"dL/db = {fmt(s.grad_b[layer - 1][index])},",
                 f"Δb = {fmt(s.change_b[layer - 1][index])};",
                 f"batch mean |a| = {fmt(s.mean_activation[layer][index])}"]
        if s.dead[layer - 1][index]:
            parts.append(f"— DEAD: zero on {self._activity_rows}, passes no gradient")
        if s.saturated[layer - 1][index]:
            parts.append("— SATURATED: its derivative is near zero on most samples")
        return " ".join(parts) + f"  (sample {s.sample.index + 1})"

    def connection_text(self, layer: int, i: int, j: int) -> str:
        """What hovering connection W[layer][i, j] shows."""
        s = self._snapshot
        if s is None:
            return ""
        return (f"Weight from neuron {i + 1} (layer {layer}) to neuron {j + 1} "
                f"(layer {layer + 1}): w = {fmt(s.weights[layer][i, j])}, "
                f"dL/dw = {fmt(s.grad_W[layer][i, j])}, Δw = {fmt(s.change_W[layer][i, j])}")

    def hit(self, x: float, y: float, tolerance: float = 0.15):
        """The neuron or drawn connection under view point (x, y): a Selection or None."""
        L = self._layout
        if L is None:
            return None
        d = np.hypot(L.neuron_xy[:, 0] - x, L.neuron_xy[:, 1] - y)
        n = int(np.argmin(d))
        if d[n] <= L.radius + tolerance:
            return Selection("neuron", int(L.neuron_layer[n]), index=int(L.neuron_index[n]))
        seg = L.segments
        if not len(seg):
            return None
        vis = np.flatnonzero(self._visible) if self._visible.any() else np.arange(len(seg))
        p, q = seg[vis, :2], seg[vis, 2:]
        v = q - p
        t = np.clip(((x - p[:, 0]) * v[:, 0] + (y - p[:, 1]) * v[:, 1])
                    / np.maximum((v * v).sum(1), 1e-12), 0, 1)
        dist = np.hypot(p[:, 0] + t * v[:, 0] - x, p[:, 1] + t * v[:, 1] - y)
        k = int(np.argmin(dist))
        if dist[k] > tolerance:
            return None
        e = vis[k]
        return Selection("connection", int(L.edge_layer[e]), i=int(L.edge_i[e]),
                         j=int(L.edge_j[e]))

    def text_for(self, sel: Selection | None) -> str:
        if sel is None:
            return ""
        if sel.kind == "neuron":
            return self.neuron_text(sel.layer, sel.index)
        return self.connection_text(sel.layer, sel.i, sel.j)

    def _tolerance(self) -> float:
        px = self.vb.viewPixelSize()
        return max(4 * max(px), 0.02)

    def _on_mouse_moved(self, pos) -> None:
        if self._layout is None or not self.vb.sceneBoundingRect().contains(pos):
            return
        p = self.vb.mapSceneToView(pos)
        sel = self.hit(p.x(), p.y(), self._tolerance())
        if sel is not None:
            self.info.setText(self.text_for(sel))

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.LeftButton or self._layout is None:
            return
        p = self.vb.mapSceneToView(event.scenePos())
        sel = self.hit(p.x(), p.y(), self._tolerance())
        if sel is not None:
            self.select(sel)

    def select(self, sel: Selection | None) -> None:
        """Highlight ``sel`` and emit selectionChanged."""
        L = self._layout
        self._selection = sel
        self.selected_neuron.setMarks(np.zeros((0, 2)), 0)
        self.selected_edge.setSegments(np.zeros((0, 4)))
        if sel is not None and L is not None:
            if sel.kind == "neuron":
                n = L.neuron_offsets[sel.layer] + sel.index
                self.selected_neuron.setMarks(L.neuron_xy[n:n + 1], 2 * L.radius + 0.3)
            else:
                e = L.edge_offsets[sel.layer] + sel.i * L.sizes[sel.layer + 1] + sel.j
                self.selected_edge.setSegments(L.segments[e:e + 1])
                self.selected_edge.setGroups([0], [pen("k", 3.0)])
            self.info.setText(self.text_for(sel))
        self.selectionChanged.emit(sel)

    @property
    def selection(self) -> Selection | None:
        return self._selection

    # ----------------------------------------------------------------- export
    def export_scene(self):
        return self.view.scene()
