"""Distributions over time (TensorBoard's distribution view, for nnviz's networks).

For the chosen layer l, against the step: the weights W[l] and the gradients dL/dW[l] as
nested percentile bands (0-100, 7-93, 16-84, 31-69 %, and the median line: TensorBoard's basis
points), the gradients optionally as magnitudes |dL/dW| on a log axis; below, every layer's
gradient norm ||dL/dW[l]||_F as a heat strip (one row per layer, log colour scale), where
vanishing gradients show as rows orders of magnitude darker than the last layers'.

Side by side: a run can be pinned ("Pin this run"), and when a new run starts with nothing
pinned, the run before it is pinned by itself. The pinned run's strip is drawn under the live
one on the same step axis and the same colour scale, so "vanishing-gradients" then
"vanishing-fixed" shows both strips at once. Everything comes from ``snapshot.distributions``
(``nnviz.engine.distributions.DistributionView``, recorded by the trainer); a click on a row of
a strip chooses that layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QGraphicsPathItem,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnviz.gui import colormaps as cm
from nnviz.gui.export import install_export
from nnviz.gui.flow import FlowLayout
from nnviz.gui.graphics import (
    GridAxis,
    colour_bar,
    grid_axes,
    power_of_ten,
    show_grid,
    sticky_range,
    style_plot,
)
from nnviz.gui.layout_cells import put_in, take_out

#: (band's lower, upper percentile index into PERCENTILES, alpha), outermost first
BANDS = ((0, 8, 45), (1, 7, 70), (2, 6, 100), (3, 5, 140))
MEDIAN = 4
WEIGHT_COLOR = (31, 119, 180)
GRAD_COLOR = (230, 110, 10)
AXIS_WIDTH = 56  # px: the left axes line up
BAR_WIDTH = 80  # px: the colour bar with its numbers and label
#: the plots' shares of the height: weights, gradients, strip, pinned strip
ROW_STRETCH = (2, 3, 3, 3)
#: px: a strip's rows are labelled where they are at least this tall (else every k-th)
ROW_LABEL_PX = 13
#: the strips' colour scale spans at most this many decades (below: the darkest colour)
LEVEL_DECADES = 6
#: a magnitude shown on the log axis at least this far below the largest (0 has no log)
LOG_FLOOR = 1e-12


class BandAxis(GridAxis):
    """A GridAxis that can label log10 values as whole powers of ten (``decades``)."""

    decades = False

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        if not self.decades:
            return levels
        return [(s, o) for s, o in levels if s >= 1 and float(s).is_integer()] or [(1.0, 0.0)]

    def tickStrings(self, values, scale, spacing):
        if not self.decades:
            return super().tickStrings(values, scale, spacing)
        return [power_of_ten(v * scale) for v in values]


def on_white(color, alpha: int) -> tuple[int, int, int]:
    """``color`` at ``alpha`` over white, as an opaque colour."""
    return tuple(round(255 + (c - 255) * alpha / 255) for c in color)


class Bands:
    """Nested percentile bands and a median line on ``plot``: one path item per band, filled
    opaque (each inner band over the outer: the colour of translucent layers on white;
    translucent fills took Qt's slow path, ~25 ms a paint for 8 bands of 600 points)."""

    def __init__(self, plot: pg.PlotItem, color):
        self.items = []
        for _, _, alpha in BANDS:
            item = QGraphicsPathItem()
            item.setBrush(cm.brush(on_white(color, alpha)))
            item.setPen(QPen(Qt.NoPen))
            plot.addItem(item)
            self.items.append(item)
        # a 1 px line: wider pens take Qt's slow stroker (~9 ms a paint for two medians)
        self.median = pg.PlotCurveItem(pen=cm.pen(tuple(int(c * 0.6) for c in color), 1.0))
        plot.addItem(self.median)

    def set(self, x: np.ndarray, bands: np.ndarray) -> None:
        """x (n,), bands (n, len(PERCENTILES))."""
        for (lo, hi, _), item in zip(BANDS, self.items):
            if len(x) > 1:
                xs = np.concatenate([x, x[::-1]])
                ys = np.concatenate([bands[:, hi], bands[::-1, lo]]).astype(float)
                path = pg.arrayToQPath(xs, ys, connect="all")
                path.closeSubpath()
            else:
                path = QPainterPath()
            item.setPath(path)
        self.median.setData(x, bands[:, MEDIAN]) if len(x) else self.median.setData([], [])


@dataclass(frozen=True)
class Pinned:
    """A run kept for comparison: its labels (``run_label``) and its last DistributionView."""

    label: tuple[str, str]
    view: object


def run_label(run) -> tuple[str, str]:
    """('circles, 8 × 8 sigmoid, normal init', 'sigmoid, normal init') for a run (a RunInfo):
    a full label and a short one for a narrow panel."""
    c, hidden = run.config, run.sizes[1:-1]
    acts = "/".join(dict.fromkeys(run.activations[:-1])) or "no hidden layer"
    if hidden and len(set(hidden)) == 1:
        shape = f"{len(hidden)} × {hidden[0]}"
    else:
        shape = "-".join(map(str, hidden)) or "0"
    return f"{c.dataset}, {shape} {acts}, {c.init} init", f"{acts}, {c.init} init"


class DistributionsPanel(QWidget):
    key, title = "distributions", "Distributions over time"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.key)
        self._snapshot = None
        self._view = None
        self._drawn = None
        self._sizes: tuple[int, ...] = ()
        self._acts: tuple[str, ...] = ()
        self._label = ("", "")
        self._pinned: Pinned | None = None
        self._pinned_by_hand = False
        self._ranges: dict[str, tuple[float, float] | None] = {}
        self._title_text: dict = {}  # plot -> (full title, short title)
        self._title_key = self._fitted = None  # what the titles were made / fitted for
        self._strip_rows: dict = {}  # strip plot -> its rows (layers) drawn
        self._build()

    # ----------------------------------------------------------------- building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        top = FlowLayout()
        self.layer = QComboBox()
        self.layer.setToolTip("The layer whose weights and gradients are drawn as bands "
                              "(or click a row of the gradient-norm strip)")
        self.layer.currentIndexChanged.connect(self._on_changed)
        self.log_grad = QCheckBox("log |gradient|")
        self.log_grad.setToolTip("Draw the gradients' magnitudes |dL/dW| on a log axis "
                                 "(signed values have no logarithm)")
        self.log_grad.toggled.connect(self._on_changed)
        self.pin_button = QPushButton("Pin this run")
        self.pin_button.setToolTip("Keep this run's gradient-norm strip under the live one "
                                   "to compare (a new run pins the one before by itself "
                                   "when nothing is pinned)")
        self.pin_button.clicked.connect(self.pin)
        self.clear_button = QPushButton("Clear pin")
        self.clear_button.clicked.connect(self.clear_pin)
        for w in (QLabel("Layer:"), self.layer, self.log_grad, self.pin_button,
                  self.clear_button):
            top.addWidget(w)
        outer.addLayout(top)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.view.sigDeviceRangeChanged.connect(lambda *_: self._fit_titles())
        self.view.ci.setSpacing(2)
        self.w_plot = self._plot(0, "weights")
        self.g_plot = self._plot(1, "grads")
        self.n_plot = self._plot(2, "norm", strip=True)
        self.p_plot = self._plot(3, "pinned", strip=True)
        for p in (self.g_plot, self.n_plot, self.p_plot):
            p.setXLink(self.w_plot)
        self.w_bands = Bands(self.w_plot, WEIGHT_COLOR)
        self.g_bands = Bands(self.g_plot, GRAD_COLOR)
        self.strip, self.pinned_strip = pg.ImageItem(), pg.ImageItem()
        lut = cm.lut(cm.SEQUENTIAL, 256)
        for plot, img in ((self.n_plot, self.strip), (self.p_plot, self.pinned_strip)):
            img.setLookupTable(lut)
            plot.addItem(img)
        self.bar = colour_bar(cm.SEQUENTIAL, "log₁₀ ‖dL/dW‖", (-4.0, 0.0))
        self.bar.setImageItem([self.strip, self.pinned_strip])
        self.view.addItem(self.bar, row=2, col=1, rowspan=2)
        self._pinned_shown = True
        grid = self.view.ci.layout
        for row, stretch in enumerate(ROW_STRETCH):
            grid.setRowStretchFactor(row, stretch)
        self.n_plot.setLabel("bottom", "step")
        self.n_plot.setLabel("left", "layer")
        self.p_plot.setLabel("left", "layer")
        self.view.scene().sigMouseClicked.connect(self._on_scene_clicked)
        outer.addWidget(self.view, 1)

        bottom = FlowLayout(stretch_last=True)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        bottom.addWidget(install_export(self))
        bottom.addWidget(self.info)
        outer.addLayout(bottom)
        self._show_pinned_plot(False)

    def _plot(self, row: int, name: str, strip: bool = False) -> pg.PlotItem:
        axes = grid_axes(compact_x=True)
        axes["left"] = BandAxis("left")
        plot = self.view.addPlot(row=row, col=0, axisItems=axes)
        style_plot(plot)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getAxis("left").setWidth(AXIS_WIDTH)
        plot.getViewBox().setMouseEnabled(x=True, y=False)
        plot.disableAutoRange()  # ranges are set (sticky) by the panel: a range moved each
        # frame re-laid its axis (~4 ms a frame)
        for side in ("left", "bottom"):  # replayed from a pixmap while the axis stays put
            plot.getAxis(side).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        if strip:  # (its rows relabelled at each new size: first laid out, or resized)
            plot.getViewBox().sigResized.connect(lambda _vb, plot=plot: self._label_rows(plot))
            plot.getViewBox().invertY(True)
            plot.getAxis("left").setGrid(False)
            plot.getViewBox().setDefaultPadding(0.0)
        else:
            show_grid(plot)
        if name != "pinned":
            plot.getAxis("bottom").setStyle(showValues=False)
        return plot

    def _show_pinned_plot(self, on: bool) -> None:
        """The pinned strip's row in the layout or out of it (a hidden plot kept its room)."""
        if on != self._pinned_shown:
            self._pinned_shown = on
            ci = self.view.ci
            take_out(ci, self.bar)
            if on:
                put_in(ci, self.p_plot, row=3, col=0)
            else:
                take_out(ci, self.p_plot)
            put_in(ci, self.bar, row=2, col=1, rowspan=2 if on else 1)
            self.n_plot.getAxis("bottom").setStyle(showValues=not on)
            self.n_plot.setLabel("bottom", "" if on else "step")
            self.p_plot.setLabel("bottom", "step" if on else "")
        self.clear_button.setEnabled(self._pinned is not None)

    # ----------------------------------------------------------------- protocol
    def set_run(self, run) -> None:
        """A new run (a ``RunInfo``): its layers in the chooser; the run before is pinned for
        comparison when nothing else is."""
        if self._view is not None and len(self._view) > 1 and not self._pinned_by_hand:
            self._pinned = Pinned(self._label, self._view)
        self._sizes, self._acts = tuple(run.sizes), tuple(run.activations)
        self._label = run_label(run)
        self._snapshot = self._view = self._drawn = None
        self._ranges = {}
        keep = self.layer.currentIndex()
        self.layer.blockSignals(True)
        self.layer.clear()
        for l in range(len(self._sizes) - 1):
            self.layer.addItem(f"{l + 1}: {self._sizes[l]} → {self._sizes[l + 1]}, "
                               f"{self._acts[l]}")
        self.layer.setCurrentIndex(min(max(keep, 0), self.layer.count() - 1))
        self.layer.blockSignals(False)
        self._draw()

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        self._view = snapshot.distributions
        self._draw()

    def export_widgets(self):
        return [self.view]

    # ----------------------------------------------------------------- pins
    def pin(self) -> bool:
        """Pin the current run for comparison (replacing a pin); False with nothing to pin."""
        if self._view is None or len(self._view) < 2:
            self.info.setText("Nothing to pin yet: this run has fewer than two records.")
            return False
        self._pinned, self._pinned_by_hand = Pinned(self._label, self._view), True
        self._drawn = None
        self._draw()
        return True

    def clear_pin(self) -> None:
        self._pinned, self._pinned_by_hand = None, False
        self._drawn = None
        self._draw()

    # ----------------------------------------------------------------- drawing
    def _on_changed(self, *_) -> None:
        self._drawn = None
        self._ranges.pop("grads", None)
        self._draw()

    def _on_scene_clicked(self, event) -> None:
        """A click on a row of a strip chooses that layer."""
        for plot in (self.n_plot, self.p_plot):
            if not plot.isVisible():
                continue
            vb = plot.getViewBox()
            if vb.sceneBoundingRect().contains(event.scenePos()):
                y = vb.mapSceneToView(event.scenePos()).y()
                layer = int(np.floor(y))
                if 0 <= layer < self.layer.count():
                    self.layer.setCurrentIndex(layer)
                    event.accept()
                return

    def _draw(self) -> None:
        v, l, log = self._view, self.layer.currentIndex(), self.log_grad.isChecked()
        pinned = self._pinned
        key = (id(v), l, log, id(pinned))
        if key == self._drawn:
            return  # (snapshots between two records share one view)
        self._drawn = key
        self._show_pinned_plot(pinned is not None)
        if v is None or not len(v) or l < 0 or l >= v.n_layers:
            self.w_bands.set(np.zeros(0), np.zeros((0, 9)))
            self.g_bands.set(np.zeros(0), np.zeros((0, 9)))
            self.strip.clear()
            self._titles(l, log)
            self.info.setText("No records yet: the trainer records every layer's "
                              "distributions every few steps.")
            return
        x = v.step.astype(float)
        self.w_bands.set(x, v.weights[:, l])
        self._fit_y(self.w_plot, "weights", v.weights[:, l])
        if log:
            g = np.log10(np.maximum(v.grad_abs[:, l], self._log_floor(v.grad_abs[:, l])))
        else:
            g = v.grads[:, l]
        self.g_plot.getAxis("left").decades = log
        self.g_bands.set(x, g)
        self._fit_y(self.g_plot, "grads", g)
        levels = self._levels(v, pinned)
        self._set_strip(self.n_plot, self.strip, v, levels)
        if pinned is not None:
            self._set_strip(self.p_plot, self.pinned_strip, pinned.view, levels)
        if tuple(self.bar.levels()) != levels:
            self.bar.setLevels(levels)
        self._fit_x(v, pinned)
        self._titles(l, log)
        self._describe(v, l)

    @staticmethod
    def _log_floor(a: np.ndarray) -> float:
        top = float(np.max(a)) if a.size else 0.0
        return max(top * LOG_FLOOR, np.finfo(np.float32).tiny)

    def _set_strip(self, plot, img, v, levels) -> None:
        """The gradient norms of view ``v`` as an image: x the records' steps, y the layers
        (first on top), colour log10 of the norm."""
        norms = np.asarray(v.grad_norm, dtype=float)
        if len(v) == 0:
            img.clear()
            return
        logn = np.log10(np.maximum(norms, 10.0 ** levels[0]))
        img.setImage(logn, levels=levels, autoLevels=False)
        every = float(v.every)
        img.setRect(QRectF(v.step[0] - every / 2, 0.0, every * len(v), v.n_layers))
        if plot.getViewBox().viewRange()[1] != [0, v.n_layers]:
            plot.setYRange(0, v.n_layers, padding=0)
        self._strip_rows[plot] = v.n_layers
        self._label_rows(plot)

    def _label_rows(self, plot) -> None:
        """Layer numbers beside a strip's rows: all where they fit at the view's height now,
        else every k-th."""
        n_layers = self._strip_rows.get(plot)
        if n_layers is None:
            return
        px = max(plot.getViewBox().height(), 1.0) / max(n_layers, 1)
        k = max(1, int(np.ceil(ROW_LABEL_PX / px)))
        ticks = [[(i + 0.5, str(i + 1)) for i in range(0, n_layers, k)]]
        axis = plot.getAxis("left")
        if axis._tickLevels != ticks:  # (setting them re-lays the axis: ~1 ms)
            axis.setTicks(ticks)

    @staticmethod
    def _levels(v, pinned) -> tuple[float, float]:
        """Whole decades spanning the positive norms of the live and pinned runs, at most
        LEVEL_DECADES (a converged run's 1e-12 would leave 1e-4 and 1e-1 one colour)."""
        parts = [np.asarray(x.grad_norm, dtype=float) for x in (v, pinned and pinned.view)
                 if x is not None and len(x)]
        vals = np.concatenate([p.ravel() for p in parts]) if parts else np.zeros(0)
        vals = vals[np.isfinite(vals) & (vals > 0)]
        if not vals.size:
            return (-4.0, 0.0)
        lo, hi = np.floor(np.log10(vals.min())), np.ceil(np.log10(vals.max()))
        return (float(max(lo, hi - LEVEL_DECADES)), float(max(hi, lo + 1)))

    def _fit_x(self, v, pinned) -> None:
        ends = [float(x.step[-1] + x.every / 2) for x in (v, pinned and pinned.view)
                if x is not None and len(x)]
        starts = [float(x.step[0] - x.every / 2) for x in (v, pinned and pinned.view)
                  if x is not None and len(x)]
        if ends:
            rng = sticky_range(min(0.0, *starts), max(ends), self._ranges.get("x"), slack=1.5)
            if rng != self._ranges.get("x"):
                self._ranges["x"] = rng
                self.w_plot.setXRange(*rng, padding=0)

    def _fit_y(self, plot, name: str, bands: np.ndarray) -> None:
        finite = bands[np.isfinite(bands)]
        if not finite.size:
            return
        rng = sticky_range(float(finite.min()), float(finite.max()), self._ranges.get(name))
        if rng != self._ranges.get(name):
            self._ranges[name] = rng
            plot.setYRange(*rng, padding=0)

    def _titles(self, l: int, log: bool) -> None:
        """Each plot's (full, short) title; ``_fit_titles`` shows the one that fits."""
        key = (l, log, self._label, self._pinned and self._pinned.label)
        if key == self._title_key:
            return
        self._title_key = key
        n = l + 1
        what = "|dL/dW| (log scale)" if log else "dL/dW"
        self._title_text = {
            self.w_plot: (f"Weights W of layer {n}, percentiles over time", f"W, layer {n}"),
            self.g_plot: (f"Gradient {what} of layer {n}", f"{what}, layer {n}"),
            self.n_plot: (f"Gradient norm ‖dL/dW‖ per layer: {self._label[0]}",
                          f"‖dL/dW‖: {self._label[1]}"),
            self.p_plot: (f"Pinned: {self._pinned.label[0]}" if self._pinned else "",
                          f"Pinned: {self._pinned.label[1]}" if self._pinned else ""),
        }
        self._fit_titles()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_titles()

    def _fit_titles(self) -> None:
        """The full titles where they fit the panel's width, else the short ones (a title
        sets its plot's minimum width: a long one pushed the plots past a narrow dock)."""
        room = self.view.width() - AXIS_WIDTH - BAR_WIDTH
        key = (room, self._title_key)
        if key != self._fitted:
            self._fitted = key
            for plot, (full, short) in self._title_text.items():
                font = plot.titleLabel.item.font()
                text = full if QFontMetricsF(font).horizontalAdvance(full) <= room else short
                if plot.titleLabel.text != text:
                    plot.setTitle(text, size="9pt")
        if self.view.ci.geometry().width() > self.view.range.width() + 0.5:
            QTimer.singleShot(0, self, self._fit_grid)  # (once the shorter titles' sizes count)

    def _fit_grid(self) -> None:
        """The plots' grid back to the view's width: it grew to a long title's width (as the
        view narrowed, before the short titles came) and does not shrink by itself: at
        1280x720 it stayed ~420 px wide in a ~330 px view, the colour bar off its edge."""
        grid, shown = self.view.ci, self.view.range
        if grid.geometry().width() > shown.width() + 0.5:
            grid.setGeometry(shown)

    def _describe(self, v, l: int) -> None:
        last = v.grad_norm[-1]
        ratio = last[0] / last[-1] if last[-1] > 0 else float("nan")
        self.info.setText(
            f"{len(v)} records, one every {v.every:,} steps. Bands: 0–100, 7–93, 16–84, "
            f"31–69 % and the median. Last record: first layer's gradient norm "
            f"{last[0]:.2g}, {ratio:.2g} × the last layer's.")
