"""The backprop inspector: step one sample through the phases and read the chain rule in numbers.

Shows the frozen ``WalkView`` of a step-through snapshot (``show_snapshot``, ``show_walk``):
the phase strip, the loss and dL/dŷ, the selected neuron's z = Σ w·a + b and delta, the
selected connection's dL/dw = a_in · delta_out and its update, a finite-difference check of
the selected parameter, and the loss landscape of two parameters with the path training took.
Step buttons emit ``stepRequested`` with one of "back", "phase", "sample", "epoch", "continue";
the main window routes them to the controller.
"""

from __future__ import annotations

import html
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from nnviz.diagram_model import run_names
from nnviz.engine import Network, gradient_check
from nnviz.engine.phases import phases_of
from nnviz.equation_lines import wrap_equation
from nnviz.explain import (
    UNNAMED,
    explain_connection,
    explain_neuron,
    explain_output,
    explain_phase,
    fmt,
)
from nnviz.gui import colormaps as cm
from nnviz.gui.export import install_export
from nnviz.gui.flow import FlowLayout
from nnviz.gui.graphics import set_axis_label, style_plot
from nnviz.landscape import LandscapePath, ParamRef, loss_landscape

#: what the empty landscape view says, longest first (the first that fits the view is shown)
LANDSCAPE_HINTS = ("The loss over two parameters (the last two connections selected in the "
                   "diagram), all others fixed.\n\nStep a sample, then press Draw landscape.",
                   "The loss over the last two connections selected.\n"
                   "Step a sample, then press Draw landscape.",
                   "Step a sample, then press Draw landscape.")
STEP_BUTTONS = (
    ("back", "◀ Back", "Rewind one phase, restoring the parameters exactly (Shift+Left)"),
    ("phase", "Next phase ▶", "Compute the next phase: one layer forward or back, the loss, "
     "or the update (N)"),
    ("sample", "Next sample ▶▶", "Run every remaining phase of this sample, or a whole new "
     "sample (Shift+N)"),
    ("epoch", "To epoch end", "Run samples one at a time until the epoch ends"),
    ("continue", "Continue", "Leave stepping and train at full speed (Space)"),
)
#: an equation's block: monospace, never wrapped (the text area scrolls sideways instead)
EQUATION_STYLE = "white-space:pre; font-family:serif; margin:0 0 0 {pad}px"
#: px further in that an equation's continuation lines start (``nnviz.equation_lines``)
CONTINUATION_INDENT = 24
#: a line naming what the equations under it are about ("Bias of neuron 1 (layer 2):")
LABEL_STYLE = "color:#505050; font-style:italic; margin:4px 0 0 0"  # (prose: it wraps)
SIDE_BY_SIDE_WIDTH = 640  # px: narrower, the landscape goes under the text
SAMPLE_MODES = (
    ("trainer", "next: the trainer's draw (seeded)"),
    ("sequential", "next: in order 1, 2, 3, …"),
)


class BackpropInspectorPanel(QWidget):
    key, title = "backpropInspector", "Backprop, step by step"
    stepRequested = Signal(str)
    sampleModeChanged = Signal(str)

    def __init__(self, parent=None, track: LandscapePath | None = None):
        """``track``: the landscape's parameters and path, kept by the window while this
        panel is hidden or not built yet (it then starts it for each run and records every
        snapshot); None: the panel's own."""
        super().__init__(parent)
        self.setObjectName(self.key)
        self._view = None
        self._selection = None
        self.shown: tuple = ()  # the Explanations on show, in order
        self._sizes: tuple[int, ...] = ()
        self._names = UNNAMED  # the run's inputs and outputs, as the text calls them
        self._X = self._Y = None
        self._own_track = track is None
        self.track = LandscapePath() if track is None else track
        self._build()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        buttons = FlowLayout(spacing=4)  # on as many rows as the dock's width needs
        self.buttons = {}
        for key, text, tip in STEP_BUTTONS:
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, k=key: self.stepRequested.emit(k))
            buttons.addWidget(b)
            self.buttons[key] = b
        self.mode = QComboBox()
        for key, text in SAMPLE_MODES:
            self.mode.addItem(text, key)
        self.mode.setToolTip("Which training sample the next step uses; click a point in the "
                             "vectors or heatmap panel to pick one")
        self.mode.currentIndexChanged.connect(
            lambda _: self.sampleModeChanged.emit(self.mode.currentData()))
        layout.addLayout(buttons)

        # the phases of one step, then which sample comes next (wrapped, never cut off)
        self.phase_strip = FlowLayout(spacing=2)
        self._phase_labels: list[QLabel] = []
        self.phase_strip.addWidget(self.mode)
        layout.addLayout(self.phase_strip)

        split = self.split = QSplitter(Qt.Horizontal)  # text | landscape; stacked if narrow
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        # equations are laid out to the text's width (``_equation``): again when it changes
        self.equation_rows: tuple[tuple[str, ...], ...] = ()  # each equation's lines shown
        self._laid_out_for = None  # the text width the equations were laid out for
        self._relayout = QTimer(self, singleShot=True, interval=0)
        self._relayout.timeout.connect(self._on_text_width)
        self.text.viewport().installEventFilter(self)
        lv.addWidget(self.text, 1)
        row = QHBoxLayout()
        self.expand = QCheckBox("Expand long sums")
        self.expand.setToolTip("Show every term of Σ w·a instead of the first few")
        self.expand.toggled.connect(lambda _: self._render())
        row.addWidget(self.expand)
        self.check_button = QPushButton("Check gradient")
        self.check_button.setToolTip("Compare backprop's dL/dw for the selected connection "
                                     "(or bias) with a central finite difference")
        self.check_button.clicked.connect(self._on_check)
        row.addWidget(self.check_button)
        row.addStretch(1)
        lv.addLayout(row)
        self.check_result = QLabel("")
        self.check_result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.check_result.setWordWrap(True)
        lv.addWidget(self.check_result)
        split.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.landscape_plot = pg.PlotWidget(background="w")
        self.landscape_plot.setMinimumSize(220, 150)  # (200: the text above it had 8 lines
        # in the window of a 1280x720 screen)
        style_plot(self.landscape_plot.getPlotItem())
        self.landscape_image = pg.ImageItem()
        self.landscape_plot.addItem(self.landscape_image)
        # the parameters' path: white over a dark outline, seen on any part of the map
        self.landscape_path_outline = pg.PlotDataItem(pen=cm.pen("#202020", 4))
        self.landscape_path = pg.PlotDataItem(pen=cm.pen("w", 2))
        self.landscape_here = pg.ScatterPlotItem(size=10, brush=cm.brush("r"),
                                                 pen=cm.pen("w", 1.5))
        for item in (self.landscape_path_outline, self.landscape_path, self.landscape_here):
            self.landscape_plot.addItem(item)
        self.landscape_hint = pg.TextItem(LANDSCAPE_HINTS[0], color="#606060", anchor=(0.5, 0.5),
                                          fill=cm.brush((255, 255, 255, 225)))  # (over the path)
        self.landscape_plot.getPlotItem().vb.addItem(self.landscape_hint, ignoreBounds=True)
        self.landscape_plot.getPlotItem().vb.sigResized.connect(self._place_hint)
        self.landscape_plot.getPlotItem().vb.sigRangeChanged.connect(self._place_hint)
        self.landscape_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"),
                                             interactive=False, label="log10 loss")
        self.landscape_bar.setImageItem(self.landscape_image,
                                        insert_in=self.landscape_plot.getPlotItem())
        rv.addWidget(self.landscape_plot, 1)
        lrow = QHBoxLayout()
        self.landscape_label = QLabel("Loss landscape")
        self.landscape_label.setWordWrap(True)  # (a narrow dock: two lines, not a scroll bar)
        lrow.addWidget(self.landscape_label, 1)
        self.landscape_button = QPushButton("Draw landscape")
        self.landscape_button.setToolTip("The loss over a window of two parameters (the last "
                                         "two connections you selected), all others fixed")
        self.landscape_button.clicked.connect(self._on_landscape)
        lrow.addWidget(self.landscape_button)
        rv.addLayout(lrow)
        split.addWidget(right)
        split.setSizes([600, 300])
        layout.addWidget(split, 1)
        buttons.addWidget(install_export(self))
        self._render()

    def export_widgets(self):
        """The explanation's text area and the loss landscape (not the buttons)."""
        return [self.text.viewport(), self.landscape_plot]

    def resizeEvent(self, event) -> None:
        """Text beside the landscape where the panel is wide enough for both, else above it."""
        super().resizeEvent(event)
        wide = self.width() >= SIDE_BY_SIDE_WIDTH
        orientation = Qt.Horizontal if wide else Qt.Vertical
        if self.split.orientation() != orientation:
            self.split.setOrientation(orientation)
            self.split.setSizes([600, 300])  # the text first (stacked on a laptop: the
            # landscape at its minimum, undrawn until asked for, and the equations ~10 lines)

    # ----------------------------------------------------------------- inputs
    def set_run(self, run) -> None:
        """A new run (a ``nnviz.snapshot.RunInfo``): its sizes, activations, and (static)
        training rows for the landscape."""
        self._view = None
        self._sizes = run.sizes
        self._activations = run.activations
        self._names = run_names(run)
        self._loss = run.loss
        self._X = run.X_train[:512]
        self._Y = run.Y_train[:512]
        if self._own_track:
            self.track.start(run.sizes)
        self._clear_phases()
        self.landscape_image.clear()
        for item in (self.landscape_path_outline, self.landscape_path, self.landscape_here):
            item.setData([], [])
        self.landscape_hint.show()
        self._place_hint()
        self._update_landscape_label()
        self._render()

    @property
    def landscape_params(self) -> tuple[ParamRef, ParamRef] | None:
        """The two parameters the landscape is drawn over (None before a run)."""
        return tuple(self._landscape_params) if len(self._landscape_params) == 2 else None

    def set_selection(self, selection) -> None:
        """A neuron (kind "neuron", layer, index) or connection (kind "connection", layer, i, j;
        layer = the weight matrix W[layer]) chosen in the diagram."""
        self._selection = selection
        if selection is not None and getattr(selection, "kind", "") == "connection":
            ref = ParamRef(selection.layer, "W", (selection.i, selection.j))
            if self.track.params:
                self.track.select(ref)  # (the window's track may have it already)
                self._update_landscape_label()
        self.check_result.setText("")
        self._render()

    def note_snapshot(self, snapshot) -> None:
        """Every snapshot, shown or not: extend the landscape parameters' path (cheap)."""
        self.track.record_snapshot(snapshot)

    def show_snapshot(self, snapshot) -> None:
        """In step-through mode (``snapshot.walk`` set): that step; else (training) the
        landscape path so far. A recorded moment (``replayed``) is marked on the path, not
        added to it."""
        if snapshot.walk is not None:
            self.show_walk(snapshot.walk, record=not snapshot.replayed)
            return
        params = [p for pair in zip(snapshot.weights, snapshot.biases) for p in pair]
        if snapshot.replayed:
            self._draw_path(here=params)
            return
        self.note_snapshot(snapshot)
        self._draw_path()

    def show_walk(self, view, record: bool = True) -> None:
        """The walk after a step (or a rewind); ``record``: extend the landscape path."""
        self._view = view
        if view.params_before is not None and record:
            self._record_path(list(view.params_before))
        self._show_phases(view)
        self.buttons["back"].setEnabled(view.can_go_back)
        self._render()

    # ----------------------------------------------------------------- phases
    def _clear_phases(self) -> None:
        for label in self._phase_labels:
            self.phase_strip.removeWidget(label)
            label.deleteLater()
        self._phase_labels = []

    def _show_phases(self, view) -> None:
        if len(self._phase_labels) != len(view.phase_labels):
            self._clear_phases()
            for text in view.phase_labels:
                label = QLabel(text)
                label.setAlignment(Qt.AlignCenter)
                label.setMargin(3)
                self.phase_strip.insertWidget(len(self._phase_labels), label)
                self._phase_labels.append(label)
        for k, label in enumerate(self._phase_labels):
            if k < view.position:
                style = "background:#2e7d32; color:white;"
            elif k == view.position:
                style = "border:1px solid #2e7d32;"
            else:
                style = "color:gray;"
            label.setStyleSheet(style + "border-radius:3px; padding:1px 4px;")

    # ----------------------------------------------------------------- text
    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Resize and watched is self.text.viewport()
                and self._equation_room() != self._laid_out_for):
            self._relayout.start()  # (after the resize: the text is laid out anew there)
        return super().eventFilter(watched, event)

    def _on_text_width(self) -> None:
        if self._equation_room() != self._laid_out_for:
            self._render()

    def _render(self) -> None:
        bar = self.text.verticalScrollBar()
        at = bar.value()
        self._laid_out_for, self._rows = self._equation_room(), []
        self.text.setHtml(self._html())
        self.equation_rows = tuple(self._rows)
        bar.setValue(at)

    def _equation_room(self) -> int:
        """px an equation's line may take: the text area's width inside its margins, less
        a vertical scroll bar's while there is none (it comes with the text's length)."""
        text, bar = self.text, self.text.verticalScrollBar()
        room = text.viewport().width() - 2 * int(text.document().documentMargin()) - 2
        return room - (0 if bar.isVisible() else bar.sizeHint().width())

    def _equation(self, line: str) -> str:
        """One equation as HTML: whole on one line if it fits the text's width, else broken
        before its top-level signs onto indented continuation lines (``wrap_equation``)."""
        font = QFont(self.text.font())
        font.setFamilies(["serif"])
        metrics = QFontMetricsF(font)
        body = line.lstrip(" ")
        lead = metrics.horizontalAdvance(line[:len(line) - len(body)])
        rows, indent = wrap_equation(body, metrics.horizontalAdvance,
                                     self._laid_out_for - lead, CONTINUATION_INDENT)
        self._rows.append(tuple(rows))
        pads = [round(lead)] + [int(lead + indent)] * (len(rows) - 1)
        return "".join(f"<p style='{EQUATION_STYLE.format(pad=pad)}'>{html.escape(row)}</p>"
                       for pad, row in zip(pads, rows))

    def _html(self) -> str:
        v = self._view
        self.shown = ()
        if v is None or v.values is None:
            return ("<p><b>Step through backpropagation.</b> Press <i>Next phase</i> to push one "
                    "sample forward layer by layer, compute its loss, send the error back layer "
                    "by layer and update the weights, with every number of the chain rule "
                    "shown here. Click a neuron or a connection in the network diagram to see "
                    "its own numbers.</p>")
        sample = ", ".join(str(i + 1) for i in v.indices) if v.indices else "-"
        done = v.phase_labels[v.position - 1] if v.position else "nothing yet"
        parts = [f"<p>Step {v.step}, sample {sample}: done <b>{html.escape(done)}</b>"
                 + (f" — {html.escape(v.stop_reason)}" if v.stop_reason else "") + "</p>"]
        if v.params_before is None:
            return "".join(parts)
        expand = self.expand.isChecked()
        phase = phases_of(len(v.activations))[v.position - 1] if v.position else None
        shown = []
        if phase is not None:
            shown.append(explain_phase(phase, v.values, v.params_before, v.activations, v.Y,
                                       v.loss, v.lr, v.optimizer, self._selection,
                                       expand=expand, names=self._names))
        sel = self._selection
        if sel is not None:
            if sel.kind == "neuron":
                ex = explain_neuron(v.values, v.params_before, v.activations, sel.layer,
                                    sel.index, expand=expand, names=self._names)
            else:
                ex = explain_connection(v.values, v.params_before, v.activations, sel.layer,
                                        sel.i, sel.j, v.lr, v.optimizer, names=self._names)
            if not shown or not set(ex.lines) <= set(shown[0].lines):  # else: said above
                shown.append(replace(ex, title="Selected: " + ex.title))
        if phase is not None and phase.kind != "loss" and v.values.loss is not None:
            shown.append(explain_output(v.values, v.Y, v.loss, v.activations, v.params_before))
        self.shown = tuple(shown)
        return "".join(parts + [self._section(ex) for ex in shown])

    def _section(self, ex) -> str:
        """A title, each equation laid out to the text's width (``_equation``: no sideways
        scrolling, never broken inside a term; lines ending in ":" label the equations under
        them), then what the symbols stand for and the notes, as wrapping prose."""
        lines = "".join(f"<p style='{LABEL_STYLE}'>{html.escape(line)}</p>"
                        if line.endswith(":") else self._equation(line) for line in ex.lines)
        notes = "".join(f"<p style='color:#b23c17'><i>{html.escape(n)}</i></p>"
                        for n in ex.notes)
        symbols = (f"<p style='color:#606060'>{html.escape(ex.symbols)}</p>" if ex.symbols
                   else "")
        return f"<h4>{html.escape(ex.title)}</h4>{lines}{symbols}{notes}"

    def equations(self) -> tuple[str, ...]:
        """Every equation line on show (each one unwrapped block of the text)."""
        return tuple(line for ex in self.shown for line in ex.lines)

    def explanation_text(self) -> str:
        """The inspector's text as plain text (for tests and copying)."""
        return self.text.toPlainText()

    # ----------------------------------------------------------------- check
    def _on_check(self) -> None:
        v, sel = self._view, self._selection
        if v is None or v.params_before is None:
            self.check_result.setText("Step a sample first.")
            return
        if sel is None:
            self.check_result.setText("Select a connection or neuron in the diagram.")
            return
        if sel.kind == "connection":
            layer, kind, index = sel.layer, "W", (sel.i, sel.j)
        elif sel.layer >= 1:
            layer, kind, index = sel.layer - 1, "b", (sel.index,)
        else:
            self.check_result.setText("Inputs have no parameters: select another neuron.")
            return
        net = Network(self._sizes, activations=self._activations, seed=0)
        net.set_params(v.params_before)
        with np.errstate(all="ignore"):  # a diverged walk: its inf/nan shown, not warned
            result = gradient_check(net, v.values.a[0], v.Y, v.loss, layer, kind, index)
        both = (f"{kind}{layer + 1}{list(i + 1 for i in index)}: backprop "
                f"{fmt(result.analytic)}, finite difference {fmt(result.numeric)}")
        if np.isfinite(result.analytic) and np.isfinite(result.numeric):
            self.check_result.setText(
                f"{both}, relative difference {result.relative_difference:.1e}")
        else:  # (a diverged walk: no number to compare)
            self.check_result.setText(f"{both}: not finite (the run diverged), nothing to compare")
        self.last_check = result

    # ----------------------------------------------------------------- landscape
    def _update_landscape_label(self) -> None:
        a, b = self._landscape_params
        self.landscape_label.setText(f"Loss over {a.label} (x) and {b.label} (y)")

    @property
    def _landscape_params(self) -> list[ParamRef]:
        return self.track.params

    @property
    def _path(self) -> list[tuple[float, float]]:
        return self.track.points

    def _record_path(self, params) -> None:
        self.track.record(params)
        self._draw_path()

    def _draw_path(self, here=None) -> None:
        """The path so far, its "here" dot at its end or at parameters ``here``."""
        if not self._path:
            return
        xs, ys = zip(*self._path)
        self.landscape_path_outline.setData(xs, ys)
        self.landscape_path.setData(xs, ys)
        if here is not None and self._landscape_params:
            a, b = self._landscape_params
            self.landscape_here.setData([a.get(here)], [b.get(here)])
        else:
            self.landscape_here.setData([xs[-1]], [ys[-1]])

    def _place_hint(self, *_) -> None:
        """The hint in the middle of the empty landscape view, as wide as the view lets it
        (200-360 px) and the longest of LANDSCAPE_HINTS that fits its height (the long one
        ran out of a laptop's 150 px view)."""
        vb = self.landscape_plot.getPlotItem().vb
        (x0, x1), (y0, y1) = vb.viewRange()
        text = self.landscape_hint.textItem
        self.landscape_hint.setTextWidth(min(360.0, max(120.0, vb.width() - 16)))
        for hint in LANDSCAPE_HINTS:
            if text.toPlainText() != hint:
                self.landscape_hint.setText(hint)
            if text.boundingRect().height() <= vb.height() - 4:
                break
        self.landscape_hint.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    def _on_landscape(self) -> None:
        params = (list(self._view.params_before) if self._view and self._view.params_before
                  else None)
        if params is None or self._X is None:
            self.landscape_label.setText("Step a sample (or pause) first, then draw.")
            return
        a, b = self._landscape_params
        with np.errstate(all="ignore"):  # (as the check: a diverged run is reported below)
            land = loss_landscape(params, self._sizes, self._activations, self._X, self._Y,
                                  self._loss, a, b)
        finite = np.isfinite(land.loss)
        if not finite.any():
            self.landscape_label.setText("The loss is not finite anywhere in this window "
                                         "(the run diverged): nothing to draw.")
            return
        self.landscape = land
        self.landscape_hint.hide()
        du, dv = land.us[1] - land.us[0], land.vs[1] - land.vs[0]
        # (a diverged corner, inf or nan, takes the top colour; the levels are the finite ones)
        loss = np.where(finite, land.loss, land.loss[finite].max())
        self.landscape_image.setImage(np.log10(loss.T + 1e-12), autoLevels=True)
        self.landscape_image.setRect(land.us[0] - du / 2, land.vs[0] - dv / 2,
                                     du * len(land.us), dv * len(land.vs))
        lo, hi = np.log10(loss.min() + 1e-12), np.log10(loss.max() + 1e-12)
        self.landscape_bar.setLevels((lo, hi))
        self.landscape_bar.axis.enableAutoSIPrefix(False)
        plot = self.landscape_plot.getPlotItem()
        set_axis_label(plot.getAxis("bottom"), a.label)
        set_axis_label(plot.getAxis("left"), b.label)
        self._update_landscape_label()
