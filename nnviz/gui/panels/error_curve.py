"""The live error panel: step loss (bucket means; min/max in the readout), train/test loss,
the tutorial's cumulative error, accuracy; log-y, hover readout, pinned runs as faded overlays;
each hand edit of a weight or bias as a dashed vertical line at its step (tooltip and readout
say which).

Everything is plotted against training steps (epoch-based series are converted with the run's
steps per epoch). The history in a snapshot is already thinned to <= ~8k points per series;
curves (``CurveItem``) draw the points in view, at most two a pixel column, and nothing is
redrawn when the step did not change; a new step repaints only the curves' new ends, and only
the curves of the plots shown take the new series (a plot shown again catches up).

Over ~450 lines for a reason: one panel's two plots, legend, readout and pinned runs, each
reading the same curves; its seam, the pinned runs (~70 lines, saved in sessions), moves out
once the lanes editing this file this round (layout, session robustness) have landed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsItem,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.errors import SessionFileError
from nnviz.gui import colormaps as cm
from nnviz.gui.export import SnapshotExport, install_export
from nnviz.gui.flow import FlowLayout
from nnviz.gui.graphics import grid_axes, set_axis_label, show_grid, sticky_range
from nnviz.gui.layout_cells import put_in, take_out
from nnviz.gui.plot_items import CurveItem
from nnviz.scales import nice_scale, plot_range, plot_values
from nnviz.session.state import MAX_PINNED

COLORS = {
    "step": (90, 110, 140),
    "train": (31, 119, 180),
    "test": (255, 127, 14),
    "cumulative": (44, 160, 44),
    "train_accuracy": (31, 119, 180),
    "test_accuracy": (255, 127, 14),
}
PIN_COLORS = [(148, 103, 189), (214, 39, 40), (140, 86, 75), (227, 119, 194), (127, 127, 127)]
PIN_ALPHA = 110
AXIS_WIDTH = 56  # px: the left axes' fixed width (all three plots line up)
MIN_PLOT_HEIGHT = 50  # px: the least data height a plot is shown at (else: the selector)
PLOT_CHROME = 48  # px: a plot's title row and the gaps around it
STEP_AXIS_HEIGHT = 44  # px: the step axis's numbers and label under the lowest plot
#: hand edits marked on the loss plot: the steps of the newest this many (one line a step)
MAX_EDIT_MARKS = 200
EDIT_COLOR = (156, 39, 176)
#: px: the readout names the hand edits within this distance of the mouse
EDIT_NEAR_PX = 5
#: a series with at most this many points also marks each point (a lone first evaluation,
#: or a tiny dataset's few epochs, would otherwise draw no line at all)
FEW_POINTS = 40
#: the plots, top to bottom: key -> ((full title, short title), y label)
PLOTS = {
    "loss": (("Loss per step", "Loss"), "loss"),
    "cumulative": (("Cumulative error over all training samples (the tutorial's measure)",
                    "Cumulative error"), "Σ error"),
    "accuracy": (("Accuracy", ""), "accuracy"),
}
#: the plot each series of the current run is drawn on
PLOT_OF = {"step": "loss", "train": "loss", "test": "loss", "cumulative": "cumulative",
           "train_accuracy": "accuracy", "test_accuracy": "accuracy"}
#: a pinned run's series, each with the plot and the line style it is drawn with
PIN_SERIES = (("step", "loss", None), ("train", "loss", Qt.DashLine),
              ("cumulative", "cumulative", None), ("train_accuracy", "accuracy", None))


@dataclass(frozen=True)
class Curves:
    """One run's curves in step units: name -> (x, y)."""

    label: str
    series: dict


#: the steps per epoch the epoch series are drawn with, at least and at most (a run has one
#: to one per training row; an epoch near 1e-308 or 1e308 in a loaded snapshot made it
#: ~1e308 or ~1e-308, and pyqtgraph's downsampling asked for a stride beyond any array size)
STEPS_PER_EPOCH = (1e-3, 1e12)


def curves_of(snapshot, label: str = "") -> Curves:
    """The plotted series of a snapshot's history (copies), x in steps."""
    h = snapshot.history
    with np.errstate(over="ignore"):
        per_epoch = snapshot.step / snapshot.epoch if snapshot.epoch > 0 else 1.0
    per_epoch = (float(np.clip(per_epoch, *STEPS_PER_EPOCH)) if np.isfinite(per_epoch)
                 else 1.0)
    s = h["step_loss"]
    series = {
        "step": (np.asarray(s["step"], float), np.asarray(s["mean"], float)),
        "step_min": (np.asarray(s["step"], float), np.asarray(s["min"], float)),
        "step_max": (np.asarray(s["step"], float), np.asarray(s["max"], float)),
    }
    c = h["cumulative"]
    series["cumulative"] = (np.asarray(c["step"], float), np.asarray(c["mean"], float))
    for name, key in (("train", "train_loss"), ("test", "test_loss"),
                      ("train_accuracy", "train_accuracy"), ("test_accuracy", "test_accuracy")):
        x, y = h[key]["x"], h[key]["y"]
        series[name] = (np.asarray(x, float) * per_epoch, np.asarray(y, float))
    return Curves(label, series)


def pin_series(run: dict, i: int = 0) -> tuple[str, dict]:
    """(label, {name: (x, y)}) of a pinned run as ``pinned_runs`` gives it (``label`` and
    NAME_x / NAME_y arrays); SessionFileError (one line) for a pair that is not two 1-D
    numeric arrays of one length with finite x, for an x without its y, or a label that is
    not text. Other entries are ignored (the session format allows them)."""
    where = f"pinned run {i}"
    label = run.get("label", f"run {i + 1}")
    if not isinstance(label, str):
        raise SessionFileError(f"{where}: the label must be text")
    series = {}
    for key in run:
        if not key.endswith("_x"):
            continue
        name = key[:-2]
        if f"{name}_y" not in run:
            raise SessionFileError(f"{where}: {key!r} has no {name + '_y'!r}")
        xy = []
        for part in (key, f"{name}_y"):
            a = run[part]
            if not (isinstance(a, np.ndarray) and a.ndim == 1 and a.dtype.kind in "fiub"):
                raise SessionFileError(f"{where}: {part!r} must be a 1-D numeric array")
            xy.append(a.astype(float))
        x, y = xy
        if len(x) != len(y):
            raise SessionFileError(f"{where}: {name!r} has {len(x)} x and {len(y)} y values")
        if not np.isfinite(x).all():
            raise SessionFileError(f"{where}: {key!r} must be finite")
        series[name] = (x, y)
    return label, series


def check_pins(runs, source: str = "") -> list[tuple[str, dict]]:
    """``pin_series`` of each run; the SessionFileError names ``source`` (a file) first."""
    try:
        return [pin_series(run, i) for i, run in enumerate(runs or ())]
    except SessionFileError as exc:
        raise SessionFileError(f"{source}: {exc}" if source else str(exc)) from None


class ErrorCurvePanel(SnapshotExport, QWidget):
    """Loss, cumulative error and accuracy curves of the current run, plus pinned runs.

    A plot is built when first shown (or asked for: ``cum_plot``, ``acc_plot``, ``plots``):
    a short panel shows one plot, and each plot is ~8 ms of the window's start. Its curves
    exist before it does and take their data meanwhile; built, it takes them, their pinned
    runs, its legend's entries, its y range and the log mode."""

    key, title = "errorCurve", "Error"
    pinned = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.key)
        self._current: Curves | None = None
        self._snapshot = None  # the last one shown: its history is what "Export history" saves
        self._pins: list[tuple[Curves, list]] = []
        self._drawn_key = None
        self._series_keys: dict[str, tuple] = {}
        self._x_end: float | None = None  # the step axis grows in 1-2-5 jumps (see _follow_x)
        self._y_ranges: dict[str, tuple[float, float]] = {}  # plot -> its range (_follow_y)
        self._label = ""
        self._edits: tuple = ()  # the hand edits of the snapshot shown (nnviz.engine.edits)
        self._edits_key = None
        self.edit_marks: list[pg.InfiniteLine] = []  # one per step with edits, oldest first
        self._plots: dict[str, pg.PlotItem] = {}  # the plots built so far (``_plot``)
        self._unlisted: set[str] = set()  # series left out of their plot's legend
        self.cursor: list[pg.InfiniteLine] = []  # the mouse's step, one line per plot built
        self._sized = False  # laid out yet (a new view's 640x480 held all three plots)
        self._build()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.log_y = QCheckBox("Log y")
        self.log_y.setToolTip("logarithmic loss axis: small late improvements stay visible")
        self.log_y.toggled.connect(self._on_log_toggled)
        self.log_y.clicked.connect(self._on_log_clicked)
        self._log_chosen = False  # the person chose; until then: log for regression
        self.pin_button = QPushButton("Pin this run")
        self.pin_button.setToolTip("keep this run's curves as a faded overlay to compare "
                                   "with the next runs")
        self.pin_button.clicked.connect(self._on_pin_clicked)
        self.clear_button = QPushButton("Clear pins")
        self.clear_button.setToolTip("remove the pinned runs")
        self.clear_button.clicked.connect(self.clear_pins)
        self.clear_button.setEnabled(False)
        self.readout = QLabel("hover over a curve to read its values")
        self.readout.setToolTip("step and values under the mouse")
        self.readout.setStyleSheet("color: palette(dark)")
        self.readout.setMinimumWidth(10)
        top = FlowLayout(spacing=6, stretch_last=True)  # wrapped in a narrow dock
        top.addWidget(self.log_y)
        top.addWidget(self.pin_button)
        top.addWidget(self.clear_button)
        top.addWidget(self.readout)

        self.plot_choice = QComboBox()
        self.plot_choice.setToolTip("The panel is too short for every plot at a readable "
                                    "height: the plot to show (a taller panel shows them all)")
        self.plot_choice.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.plot_choice.currentIndexChanged.connect(lambda _: self._arrange_plots())
        self.plot_choice.hide()
        top.insertWidget(0, self.plot_choice)
        self._accuracy = True
        self._shown: list = []

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        # the curves, put on their plots as these are built (``_plot``)
        self.items = {
            "step": CurveItem(cm.pen(COLORS["step"], 1), "step loss (batch mean)"),
            "train": CurveItem(cm.pen(COLORS["train"], 2), "train loss (epoch mean)"),
            "test": CurveItem(cm.pen(COLORS["test"], 2), "test loss"),
            "cumulative": CurveItem(cm.pen(COLORS["cumulative"], 2), "cumulative error"),
            "train_accuracy": CurveItem(cm.pen(COLORS["train_accuracy"], 2), "train accuracy"),
            "test_accuracy": CurveItem(cm.pen(COLORS["test_accuracy"], 2), "test accuracy"),
        }
        self.loss_plot = self._plot("loss")
        self._following = True
        self._shown = []  # (set by _arrange_plots)
        self._arrange_plots()
        self._mouse = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=30,
                                     slot=self._on_mouse_moved)

        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(top)
        box.addWidget(self.view, 1)
        top.insertWidget(top.count() - 1, install_export(self))  # (the readout stays last)

    def export_widgets(self):
        """The three plots with their legends (not the buttons or the readout)."""
        return [self.view]

    @property
    def cum_plot(self) -> pg.PlotItem:
        return self._plot("cumulative")

    @property
    def acc_plot(self) -> pg.PlotItem:
        return self._plot("accuracy")

    @property
    def plots(self):
        """The three plots (built now if they were not)."""
        return tuple(self._plot(key) for key in PLOTS)

    def built_plots(self) -> list[pg.PlotItem]:
        """The plots built so far (top to bottom as first shown)."""
        return list(self._plots.values())

    def _plot(self, key: str) -> pg.PlotItem:
        """The plot ``key`` of PLOTS, built now if it was not (with its curves, pinned runs,
        legend entries, cursor line, y range and log mode)."""
        plot = self._plots.get(key)
        if plot is None:
            plot = self._plots[key] = self._make_plot(*PLOTS[key])
            if key == "accuracy":
                plot.setYRange(-0.02, 1.04, padding=0)
                plot.enableAutoRange(y=False)
            else:
                plot.enableAutoRange(x=False, y=False)
                plot.vb.sigRangeChangedManually.connect(self._on_range_changed_by_user)
                if key == "cumulative":
                    plot.setLogMode(y=self.log_y.isChecked())
            if key != "loss":
                plot.setXLink(self.loss_plot)
            if key in self._y_ranges:
                plot.setYRange(*self._y_ranges[key], padding=0.02)
            for name, item in self.items.items():
                if PLOT_OF[name] == key:
                    plot.addItem(item)
                    if name in self._unlisted:
                        plot.legend.removeItem(item)
            for _, items in self._pins:
                for item, (_, on, _) in zip(items, PIN_SERIES):
                    if on == key:
                        plot.addItem(item)
            line = pg.InfiniteLine(angle=90, pen=cm.pen((0, 0, 0, 80), 1))
            line.hide()
            plot.addItem(line, ignoreBounds=True)
            self.cursor.append(line)
        return plot

    def _make_plot(self, titles: tuple[str, str], ylabel: str) -> pg.PlotItem:
        """A plot with a left-aligned title (full, or short where the legend would run into
        it) and its legend at the right of the title row."""
        plot = pg.PlotItem(axisItems=grid_axes(compact_x=True))
        plot.titles = titles
        plot.setTitle(titles[0], size="10pt", justify="left")
        plot.vb.sigResized.connect(lambda *_, p=plot: self._fit_title(p))
        plot.setLabel("left", ylabel)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.getAxis("left").setWidth(AXIS_WIDTH)  # tick labels of a new width would re-lay
        show_grid(plot)
        plot.setMenuEnabled(False)
        for name in ("left", "bottom"):  # replayed from a pixmap while the axis stays put
            plot.getAxis(name).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        legend = plot.addLegend(labelTextSize="8pt", colCount=6, verSpacing=-6)
        # in the title row, right-aligned: over the data it hid the newest steps of the curves
        legend.setParentItem(plot)
        legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-4, -2))
        return plot

    @staticmethod
    def _fit_title(plot: pg.PlotItem) -> None:
        """The full title where it fits beside the legend, else the short one, else none (the
        panel's plot selector names it; at 1024 px the short one ran into the legend); the y
        axis's label only where the plot is tall enough for it (in short plots they ran
        together)."""
        full, short = plot.titles
        legend = plot.legend.boundingRect().width() if plot.legend is not None else 0.0
        room = plot.width() - legend - AXIS_WIDTH - 12
        metrics = QFontMetricsF(plot.titleLabel.item.font())
        text = next((t for t in (full, short) if metrics.horizontalAdvance(t) <= room), "")
        if plot.titleLabel.text != text:
            plot.setTitle(text, size="10pt", justify="left")
        axis = plot.getAxis("left")
        fits = axis.label.boundingRect().width() + 4 <= plot.vb.height()
        if axis.label.isVisible() != fits:
            axis.showLabel(fits)

    def _curve(self, key: str, name: str | None, pen) -> CurveItem:
        """A curve on the plot ``key`` (clipped to the view, one min/max pair a pixel column:
        see ``CurveItem``; put on it when it is built), listed in its legend as ``name``."""
        item = CurveItem(pen, name)
        if key in self._plots:
            self._plots[key].addItem(item)
        return item

    @staticmethod
    def _mark_points(name: str, item: CurveItem, on: bool) -> None:
        """Small dots on each point of a sparse series (set only when it changes), and on
        its sample in the legend (which drew its dots on after they went)."""
        symbol = "o" if on else None
        if item.opts["symbol"] != symbol:
            item.setSymbol(symbol)
            if on:
                item.setSymbolSize(5)
                item.setSymbolPen(None)
                item.setSymbolBrush(COLORS[name])
            plot = item.getViewBox().parentItem() if item.getViewBox() is not None else None
            for sample, _ in getattr(getattr(plot, "legend", None), "items", ()):
                if sample.item is item:
                    sample.update()

    def _show_accuracy(self, on: bool) -> None:
        """Show or leave out the accuracy plot (a plot left out leaves its room to the
        others)."""
        if self._accuracy != on:
            self._accuracy = on
            self._arrange_plots()

    def plots_that_fit(self, height: float | None = None) -> int:
        """How many plots of at least MIN_PLOT_HEIGHT px of data each the view has room
        for: each plot's title row and gaps, and the step axis under the lowest."""
        h = self.view.height() if height is None else height
        return max(1, int((h - STEP_AXIS_HEIGHT) // (MIN_PLOT_HEIGHT + PLOT_CHROME)))

    def _arrange_plots(self) -> None:
        """All plots stacked where they fit at a readable height, else the one the selector
        names (a 9 px plot shows nothing); the step axis's numbers under the lowest only."""
        wanted = ["loss", "cumulative"] + (["accuracy"] if self._accuracy else [])
        # (not laid out yet: the selected plot only; the panel's first resize, before it is
        # shown, arranges them for its size)
        fits = self._sized and self.plots_that_fit() >= len(wanted)
        choice = self.plot_choice
        choice.blockSignals(True)
        while choice.count() > len(wanted):
            choice.removeItem(choice.count() - 1)
        for key in wanted[choice.count():]:
            choice.addItem(PLOTS[key][0][1] or "Accuracy")
        choice.blockSignals(False)
        choice.setVisible(not fits)
        keys = wanted if fits else [wanted[min(choice.currentIndex(), len(wanted) - 1)]]
        shown = [self._plot(key) for key in keys]  # (a plot shown the first time: built)
        if shown == self._shown:
            return
        for plot in self.built_plots():
            take_out(self.view.ci, plot)
        for row, plot in enumerate(shown):
            put_in(self.view.ci, plot, row=row, col=0)
            self.view.ci.layout.setRowStretchFactor(row, 3 if plot is self.loss_plot else 2)
            last = plot is shown[-1]
            set_axis_label(plot.getAxis("bottom"), "training step" if last else None)
            # the plots share their step axis: its numbers only under the lowest plot
            plot.getAxis("bottom").setStyle(showValues=last)
        self._shown = shown
        if self._current is not None:
            self._show_series()  # (the plots that were left out catch up)
            self._follow_y()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._sized = True
        self._arrange_plots()

    def _show_in_legend(self, name: str, on: bool) -> None:
        item = self.items[name]
        (self._unlisted.discard if on else self._unlisted.add)(name)  # (for a plot not built)
        legend = item.getViewBox().parentItem().legend if item.getViewBox() else None
        if legend is None:
            return
        listed = any(sample.item is item for sample, _ in legend.items)
        if on and not listed:
            legend.addItem(item, item.name())
        elif not on and listed:
            legend.removeItem(item)
        self._fit_title(item.getViewBox().parentItem())

    # ------------------------------------------------------------------ panel API
    def set_run(self, run) -> None:
        """A new run (a ``nnviz.snapshot.RunInfo``): clear its curves (pins stay)."""
        c = run.config
        batch = "full batch" if c.batch_size is None else f"batch {c.batch_size}"
        self._label = f"{c.dataset}, {c.optimizer}, {batch}"
        self._current = self._snapshot = None
        self._drawn_key = None
        self._series_keys = {}
        self._x_end, self._following, self._y_ranges = None, True, {}
        for item in self.items.values():
            item.setData([], [])
        self._show_edits(())
        self._show_accuracy(run.task != "regression")
        has_test = run.has_test
        for name in ("test", "test_accuracy"):
            self._show_in_legend(name, has_test)
        if not self._log_chosen:
            self.log_y.setChecked(run.task == "regression")

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        self._show_edits(snapshot.edits)  # (paused, an edit comes without a step)
        key = (snapshot.generation, snapshot.step)
        if key == self._drawn_key:
            return
        self._drawn_key = key
        label = f"lr {snapshot.lr:g}, {snapshot.step:,} steps"
        self._current = curves_of(snapshot, f"{label} ({self._label})" if self._label else label)
        self._show_series()
        if len(self._current.series["train_accuracy"][0]) and not self._accuracy:
            self._show_accuracy(True)  # (only when it appears: a label set anew every frame
            # re-laid the step axis's text and ticks, ~1 ms a frame)
        self._follow_x()
        self._follow_y()
        for plot in self.built_plots():  # settle the ranges now: a range that moves while
            plot.vb.prepareForPaint()  # painting asks for a second paint

    def _show_series(self) -> None:
        """The current run's series on the curves of the plots shown (a plot left out, or not
        built yet, gets them when it is shown: ``_arrange_plots``; ~0.15 ms a series of 8k
        points)."""
        for name, item in self.items.items():
            if self._plots.get(PLOT_OF[name]) not in self._shown:
                continue
            x, y = self._current.series[name]  # (the min/max band is in the readout only)
            key = (len(x), x[-1], y[-1]) if len(x) else ()
            if self._series_keys.get(name) != key:  # epoch series change once per epoch
                self._series_keys[name] = key
                item.setData(plot_values(x), plot_values(y))  # (finite ranges near ±1e308)
                self._mark_points(name, item, len(x) <= FEW_POINTS)

    def _show_edits(self, edits) -> None:
        """A dashed vertical line on the loss plot at the step of each hand edit (the newest
        MAX_EDIT_MARKS steps), its edits' text as the tooltip; redrawn when the log changes."""
        key = (len(edits), edits[-1] if edits else None)
        if key == self._edits_key:
            return
        self._edits_key, self._edits = key, tuple(edits)
        by_step: dict[int, list[str]] = {}
        for e in edits:
            by_step.setdefault(e.step, []).append(e.text)
        steps = sorted(by_step)[-MAX_EDIT_MARKS:]
        while len(self.edit_marks) > len(steps):
            self.loss_plot.removeItem(self.edit_marks.pop())
        while len(self.edit_marks) < len(steps):
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=cm.pen(EDIT_COLOR, 1.5, Qt.DashLine))
            line.setZValue(-5)
            self.loss_plot.addItem(line, ignoreBounds=True)
            self.edit_marks.append(line)
        for line, step in zip(self.edit_marks, steps):
            line.setPos(step)
            line.setToolTip("Hand edit: " + "\n".join(by_step[step]))

    def edits_near(self, step: float, distance: float) -> list:
        """The hand edits (of the snapshot shown) within ``distance`` steps of ``step``."""
        return [e for e in self._edits if abs(e.step - step) <= distance]

    def _follow_x(self) -> None:
        """Grow the step axis in 1-2-5 jumps (not on every update: a moving axis re-lays its
        ticks and repaints every plot), until the user pans or zooms it themselves."""
        if not self._following:
            return
        ends = [x[-1] for x, _ in self._current.series.values() if len(x)]
        ends += [x[-1] for c, _ in self._pins for x, _ in c.series.values() if len(x)]
        top = plot_range(0.0, max(ends, default=1.0))[1]
        if self._x_end is None or top > self._x_end:
            self._x_end = nice_scale(1.05 * top)
            self.loss_plot.setXRange(0, self._x_end, padding=0.01)

    def _follow_y(self) -> None:
        """Keep the loss and cumulative plots' y ranges on their data (``sticky_range``),
        until the user pans or zooms; in log mode, in decades."""
        if not self._following:
            return
        for key in ("loss", "cumulative"):  # (accuracy's range is fixed)
            if self._plots.get(key) not in self._shown:  # (its curves wait: _arrange_plots)
                continue
            # the curves' own bounds: their finite y (log10 of the positive ones in log mode)
            items = [item for name, item in self.items.items() if PLOT_OF[name] == key]
            items += [item for _, pinned in self._pins
                      for item, (_, on, _) in zip(pinned, PIN_SERIES) if on == key]
            bounds = [b for b in (item.dataBounds(1) for item in items) if b[0] is not None]
            if not bounds:
                continue
            lo, hi = min(b[0] for b in bounds), max(b[1] for b in bounds)
            shown = self._y_ranges.get(key)
            new = sticky_range(float(lo), float(hi), shown, ahead=True)
            if new != shown:
                self._y_ranges[key] = new
                self._plots[key].setYRange(*new, padding=0.02)

    def _on_range_changed_by_user(self, *_) -> None:
        self._following = False

    # ------------------------------------------------------------------ pins
    def pin(self, label: str | None = None) -> bool:
        """Keep the current curves as a faded overlay; False if there is nothing to pin."""
        if self._current is None or len(self._current.series["step"][0]) == 0:
            return False
        label = label or self._current.label or f"run {len(self._pins) + 1}"
        self.add_pinned(label, self._current.series)
        self.pinned.emit(label)
        return True

    def add_pinned(self, label: str, series: dict) -> None:
        """Show ``series`` (name -> (x, y), as ``curves_of`` gives) as a pinned run; beyond
        MAX_PINNED (what a session file holds) the oldest pin goes."""
        while len(self._pins) >= MAX_PINNED:
            self._remove_pin(0)
        color = PIN_COLORS[len(self._pins) % len(PIN_COLORS)]
        faded = (*color, PIN_ALPHA)
        items = []
        for name, key, style in PIN_SERIES:
            x, y = series.get(name, ((), ()))
            legend = f"{label} (pinned)" if name in ("step", "cumulative") else None
            item = self._curve(key, legend, cm.pen(faded, 2, style))
            item.setData(plot_values(x), plot_values(y))
            item.setZValue(-20)
            items.append(item)
        self._pins.append((Curves(label, dict(series)), items))
        self.clear_button.setEnabled(True)
        for p in self.built_plots():
            self._fit_title(p)

    def pinned_runs(self) -> list[dict]:
        """The pinned runs as plain dicts (label, and NAME_x / NAME_y arrays): what a session
        file stores."""
        out = []
        for curves, _ in self._pins:
            run = {"label": curves.label}
            for name, (x, y) in curves.series.items():
                run[f"{name}_x"] = np.asarray(x, float)
                run[f"{name}_y"] = np.asarray(y, float)
            out.append(run)
        return out

    def restore_pinned(self, runs) -> None:
        """Replace the pins with ``runs`` as ``pinned_runs`` gives them (checked first by
        ``pin_series``: SessionFileError and the pins unchanged if one is unusable)."""
        self.show_pins(check_pins(runs))

    def show_pins(self, pins) -> None:
        """Replace the pins with (label, series) pairs ``pin_series`` checked."""
        self.clear_pins()
        for label, series in pins:
            self.add_pinned(label, series)

    def _remove_pin(self, index: int) -> None:
        _, items = self._pins.pop(index)
        for item in items:
            for p in self.built_plots():
                if p.vb is item.getViewBox():
                    p.removeItem(item)
                    if p.legend is not None:
                        p.legend.removeItem(item)

    def clear_pins(self) -> None:
        while self._pins:
            self._remove_pin(len(self._pins) - 1)
        self.clear_button.setEnabled(False)
        for p in self.built_plots():
            self._fit_title(p)

    @property
    def pins(self) -> list[str]:
        return [c.label for c, _ in self._pins]

    # ------------------------------------------------------------------ reading
    def values_at(self, step: float) -> dict[str, tuple[float, float]]:
        """For each non-empty series of the current run: (x, y) of the point nearest ``step``."""
        out = {}
        if self._current is None:
            return out
        for name, (x, y) in self._current.series.items():
            if len(x):
                i = int(np.clip(np.searchsorted(x, step), 0, len(x) - 1))
                if i > 0 and abs(x[i - 1] - step) < abs(x[i] - step):
                    i -= 1
                out[name] = (float(x[i]), float(y[i]))
        return out

    def readout_text(self, step: float) -> str:
        v = self.values_at(step)
        if "step" not in v:
            return ""
        x, y = v["step"]
        parts = [f"step {int(x):,}", f"loss {y:.4g}"]
        if "step_min" in v:
            parts.append(f"(min {v['step_min'][1]:.3g}, max {v['step_max'][1]:.3g})")
        for name, text in (("train", "train"), ("test", "test"), ("cumulative", "Σ error"),
                           ("test_accuracy", "test acc")):
            if name in v and abs(v[name][0] - step) <= max(1.0, 0.02 * x):
                parts.append(f"{text} {v[name][1]:.4g}")
        return " · ".join(parts)

    # ------------------------------------------------------------------ handlers
    def _on_log_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        if "cumulative" in self._plots:  # (else set when it is built)
            self._plots["cumulative"].setLogMode(y=on)
        self._y_ranges = {}
        if self._current is not None:
            self._follow_y()

    def _on_log_clicked(self) -> None:
        self._log_chosen = True

    def _on_pin_clicked(self) -> None:
        self.pin()

    def _on_mouse_moved(self, event) -> None:
        pos = event[0]
        for plot in self.built_plots():
            if plot.isVisible() and plot.sceneBoundingRect().contains(pos):
                step = plot.vb.mapSceneToView(pos).x()
                text = self.readout_text(step)
                near = self.edits_near(step, EDIT_NEAR_PX * plot.vb.viewPixelSize()[0])
                if near:
                    text = " · ".join([text] * bool(text) + [f"edit {e.text}" for e in near])
                if text:
                    self.readout.setText(text)
                    for line in self.cursor:
                        line.setPos(step)
                        line.show()
                return
        for line in self.cursor:
            line.hide()
