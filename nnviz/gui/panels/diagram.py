"""The network diagram, the view over ``nnviz.diagram_model``: neurons coloured by activation,
connections by dL/dw, w or Δw, hover and click to read and select.

The model says where everything sits, which connections are shown, what a point hits and the
colour bin of each value; this module draws it. Drawing: one ``SegmentsItem`` for all
connections (one drawLines per colour bin), one ``MarksItem`` for the neurons (prebuilt
brushes), small squares for the biases, optional per-neuron heatmaps (snapshot.grid.neuron) and
the gradient strip below (``gradient_strip``: per-layer log10 ‖dL/dW‖). Wide layers show only
their strongest connections and say how many are hidden.

Over ~450 lines for a reason: geometry, hit-testing, selection, colour scaling and text already
live in the Qt-free model; what is left is one widget's Qt items, controls and events. Its
next seam is the per-neuron heatmaps and the input candidates' pictures (~70 lines).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nnviz.diagram_inputs import feature_planes, input_choice
from nnviz.diagram_model import (
    BUDGETS,
    EDGE_MODES,
    N_BINS,
    NEURON_MODES,
    PHASE_MODES,
    SCALE_MODES,
    DiagramLayout,
    DiagramSettings,
    DiagramText,
    Selection,
    colour,
    heatmaps_unavailable,
    hidden_planes,
    hidden_texts,
    input_planes,
    io_names,
    marked,
    neuron_values,
    run_names,
)
from nnviz.errors import ConfigError
from nnviz.gui import colormaps as cm
from nnviz.gui.export import SnapshotExport, install_export
from nnviz.gui.flow import FlowLayout, group
from nnviz.gui.graphics import (
    MarksItem,
    SegmentsItem,
    colour_bar,
    fitting_label,
    reuse_axis_pictures,
    set_colour_bar,
)
from nnviz.gui.panels.gradient_strip import GradientStrip
from nnviz.gui.param_edit import EditGestures, ParamEditor
from nnviz.gui.widgets import LogSpinBox
from nnviz.scales import bin_magnitude
from nnviz.snapshot import NEURON_GRID_MAX, STATS_ROWS

__all__ = ["N_BINS", "NetworkDiagramPanel", "Selection"]
AXIS_WIDTH = 52
#: the most of the drawing's width the inputs' and outputs' names take (beyond: not drawn; at
#: 0.5 iris lost its names in the window of a 1280x720 screen)
NAMES_SHARE = 0.6
#: layouts tried when the box changes shape: the names beside the drawing follow its scale,
#: and the room they leave sets the layer spacing (two rounds settle it; a third is spare)
RELAYOUT_ROUNDS = 3
#: the marks' key in the info line (no-break spaces: it wraps as a whole, never "dead / ReLU")
LEGEND = "✕\u00a0dead\u00a0ReLU   ◯\u00a0saturated"
#: side of an input candidate's picture, in view units (a circle is 0.64 across)
PICTURE = 0.64
#: how much of an input that is not chosen shows (its picture)
OFF_OPACITY = 0.45
SELECT_HINT = "click to select it"
#: what clicking an input does where the inputs can be chosen (instead of selecting it)
INPUT_HINT = " (an input: to remove it)"
#: what adding or removing an input makes
REBUILT = "a new network, the hidden layers kept"
#: how a weight or bias is edited by hand (the drawing's and the info line's tooltip)
EDIT_HINT = ("Double-click a connection (its weight) or a hidden or output neuron (its bias), "
             "or press F2 for the selected one, to type a new value; over the selected one the "
             "mouse wheel or a drag up and down changes it (Shift: finer, Ctrl: coarser). "
             "Ctrl+Z undoes an edit, Ctrl+Shift+Z redoes it.")


class NetworkDiagramPanel(SnapshotExport, QWidget):
    key, title = "networkDiagram", "Network"
    selectionChanged = Signal(object)
    #: a click on an input candidate: (configuration field, its name there, the inputs drawn
    #: as chosen); the control panel turns it on or off (``ControlPanel.toggle_input``)
    inputToggled = Signal(str, str, object)
    editRequested = Signal(object)  # a nnviz.hand_edit.EditRequest (``editor``, ``gestures``)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(self.key)
        self._layout: DiagramLayout | None = None
        self._text = DiagramText()
        self.colouring = None  # the model's Colouring of the snapshot shown
        self._held = (None, None)  # (step, the auto scales held before that step's snapshot)
        self._activations: tuple[str, ...] = ()
        self._snapshot = None
        self._selection: Selection | None = None
        self._described: Selection | None = None  # what the info line tells of (hover, click)
        self._images: list[pg.ImageItem] = []
        self._heat_grid = None  # the grid the neuron heatmaps show
        self._hidden_labels: list[pg.TextItem] = []
        self._hidden_key = None  # (layout, hidden counts, room) the hidden texts were set for
        self._io_names: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self.io_labels: list[pg.TextItem] = []  # the inputs' and outputs' names, as drawn
        self._io_key = None
        self._relaying = False  # _relayout is placing the network again
        self._x_scaler = None
        self._raw = (0, ())  # the dataset's number of inputs, the run's features
        self.choice = None  # the inputs offered (nnviz.diagram_inputs.InputChoice) or None
        self.pictures: list[pg.ImageItem] = []  # each input candidate's picture over the plane
        self._marks_key = None
        self._own_modes: tuple[str, str] | None = None  # the person's (neuron, edge) modes
        self._step_modes: tuple[str, str] = ("sample", "grad")  # while stepping
        self._edge_pens = cm.bin_pens(cm.DIVERGING, N_BINS)
        # weakest first (strongest on top); bins faded to the background colour are not drawn
        # (|value| < 5% of the scale: pixel-identical, and most of the work with all 8,384
        # connections of [2, 64, 64, 64, 1] on)
        self._edge_order = [int(b) for b in np.argsort(bin_magnitude(N_BINS), kind="stable")
                            if not cm.invisible(self._edge_pens[b])]
        self._structure_pen = cm.pen("#c8c8c8", 1)  # connections while there is nothing to colour
        self._neuron_brushes = cm.bin_brushes(cm.ACTIVATION, N_BINS)
        self._bias_brushes = cm.bin_brushes(cm.DIVERGING, N_BINS)
        self._build()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
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
        self.fixed_scale.problem.connect(lambda why: why and self._describe(None, why))
        self.heatmaps.toggled.connect(self._redraw)
        row = FlowLayout(spacing=6)  # one row in a wide dock, wrapped in a narrow one
        for w in (group("Neurons", self.neuron_mode), self.heatmaps,
                  group("Connections", self.edge_mode), self.scale_mode, self.fixed_scale,
                  self.budget_mode):
            row.addWidget(w)
        outer.addLayout(row)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.plot = self.view.addPlot(row=0, col=0)
        self.plot.hideAxis("bottom")
        self.plot.hideButtons()
        self.plot.getAxis("left").setStyle(showValues=False)
        self.plot.getAxis("left").setPen(cm.pen(None))
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
        self.neurons = MarksItem("circle", cm.pen("#404040"))
        self.biases = MarksItem("square", cm.pen("#404040"))
        self.dead_marks = MarksItem("cross", cm.pen("#202020", 2))
        self.sat_marks = MarksItem("circle", cm.pen("#ff7f0e", 3))
        self.selected_neuron = MarksItem("circle", cm.pen("k", 3))
        self.off_inputs = MarksItem("circle", cm.pen("#b4b4b4", 1.5, Qt.DashLine))
        for z, item in enumerate((self.neurons, self.biases, self.dead_marks, self.sat_marks,
                                  self.selected_neuron, self.off_inputs)):
            item.setZValue(10 + 5 * z)
            self.vb.addItem(item)

        self.neuron_bar = colour_bar(cm.ACTIVATION, "neuron a")
        self.edge_bar = colour_bar(cm.DIVERGING, "dL/dw")
        self.view.addItem(self.neuron_bar, row=0, col=1)
        self.view.addItem(self.edge_bar, row=0, col=2)
        for bar in (self.neuron_bar, self.edge_bar):  # (their scales move among a few)
            reuse_axis_pictures(bar.axis)

        self.strip = GradientStrip(self.view, self.vb, AXIS_WIDTH)
        self.vb.sigResized.connect(self._fit_view)
        self.view.ci.layout.setRowStretchFactor(0, 5)
        self.view.ci.layout.setRowStretchFactor(1, 1)
        outer.addWidget(self.view, 1)
        # the selected weight or bias, edited by hand: typed in a popup, or wheel/drag over it
        self.editor = ParamEditor(self)
        self.editor.editRequested.connect(self.editRequested)
        self.gestures = EditGestures(self)

        bottom = QHBoxLayout()
        self.info = QLabel(f"Hover a neuron or a connection; {SELECT_HINT}.  " + LEGEND)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.info.setToolTip(EDIT_HINT)
        self.info.setWordWrap(True)
        bottom.addWidget(self.info, 1)
        bottom.addWidget(install_export(self))
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
    def set_run(self, run) -> None:
        """New run (a ``nnviz.snapshot.RunInfo``): lay out the network (static sizes only)."""
        sizes = run.sizes
        self._activations = run.activations
        self._x_scaler, self._raw = run.x_scaler, (run.dataset.n_features, run.features)
        self._enable_heatmaps(run.dataset.n_features, sum(sizes[1:]))
        n = run.n_train  # the activity looks at the first STATS_ROWS of them
        ds = run.dataset
        self.choice = input_choice(run)
        self._io_names = io_names(sizes, run.input_names, ds.output_names)
        if self.choice is not None:  # every candidate named, the chosen ones and the others
            self._io_names = (self.choice.labels, self._io_names[1])
        self._text = DiagramText(run_names(run),
                                 "every training sample" if n <= STATS_ROWS else
                                 f"all {STATS_ROWS:,} training samples checked (of {n:,})",
                                 input_note=f"click to remove this input ({REBUILT})"
                                 if self.choice is not None else "")
        self._snapshot = self.colouring = None
        self._held = (None, None)
        self._selection = self._described = None
        self._make_pictures(run)
        L = self._new_layout(sizes, self._aspect())
        for item in self._hidden_labels:
            self.vb.removeItem(item)
        self._hidden_labels = []
        for _ in L.hidden_x:
            t = pg.TextItem("", color=cm.AXIS, anchor=(0.5, 0))
            self.vb.addItem(t)
            self._hidden_labels.append(t)
        self.strip.new_run()
        self._place(L)
        dense = L.dense
        self.neurons.setPen(cm.pen("#909090", 0.5) if dense else cm.pen("#404040"))
        self.biases.setPen(None if dense else cm.pen("#404040"))
        self.dead_marks.setPen(cm.pen("#202020", 1 if dense else 2))  # a thick small ✕ is a blob
        self.info.setText(f"Network {list(sizes)}: hover a neuron or a connection; "
                          f"{SELECT_HINT}{INPUT_HINT if self.choice is not None else ''}.   "
                          + LEGEND)
        self.editor.set_selection(None)

    def _new_layout(self, sizes, aspect: float | None) -> DiagramLayout:
        """The layout of ``sizes`` in a box of ``aspect``, with a slot and a picture for each
        input candidate when the inputs can be chosen."""
        if self.choice is None:
            return DiagramLayout(sizes, aspect)
        return DiagramLayout(sizes, aspect, self.choice.slots(),
                             PICTURE if self.pictures else 0.0)

    def _make_pictures(self, run) -> None:
        """A small image of each engineered feature over the data's plane (never changes in a
        run); none for CSV columns (their values off the data are not known)."""
        for item in self.pictures:
            self.vb.removeItem(item)
        self.pictures = []
        if self.choice is None or self.choice.field != "features":
            return
        lut = cm.lut(cm.ACTIVATION, 256)
        on = self.choice.on
        for k, (plane, m) in enumerate(feature_planes(run.dataset.bounds, run.x_scaler,
                                                      self.choice.names)):
            img = pg.ImageItem(lut=lut)
            img.setImage(plane.T, levels=(-m, m))
            img.setZValue(12)
            img.setOpacity(1.0 if on[k] else OFF_OPACITY)
            self.vb.addItem(img)
            self.pictures.append(img)

    def _place_inputs(self, L: DiagramLayout) -> None:
        """The candidates not chosen as dashed grey circles in their slots; every
        candidate's picture beside its slot."""
        if self.choice is None:
            self.off_inputs.setMarks(np.zeros((0, 2)), 0)
            return
        off = ~np.array(self.choice.on, dtype=bool)
        self.off_inputs.setMarks(L.slot_xy[off], 2 * L.radius)
        self.off_inputs.setGroups(np.zeros(int(off.sum()), dtype=np.intp),
                                  [cm.brush("#f2f2f2")])
        for img, (x, y) in zip(self.pictures, L.picture_xy()):
            img.setRect(QRectF(x - L.picture / 2, y - L.picture / 2, L.picture, L.picture))

    def _aspect(self) -> float | None:
        """The drawing box's width / height in pixels, less the inputs' and outputs' names
        beside it (None before it is shown). The hidden counts' text below is not taken off:
        it mostly fits the bottom margin, and erring narrow keeps the scale the height's."""
        side = sum(v + 4 for v in self._label_widths().values() if v)
        w, h = self.vb.width() - side, self.vb.height()
        return w / h if w > 1 and h > 1 else None

    def _place(self, L: DiagramLayout) -> None:
        """Put every item where layout ``L`` says (a new run, or the box changed shape), then
        colour them again from the current snapshot."""
        self._layout = L
        self.edges.setSegments(L.segments)
        self.selected_edge.setSegments(np.zeros((0, 4)))
        self.selected_neuron.setMarks(np.zeros((0, 2)), 0)
        self.neurons.setMarks(L.neuron_xy, 2 * L.radius)
        self.neurons.setGroups(np.full(len(L.neuron_xy), N_BINS // 2), self._neuron_brushes)
        self.biases.setMarks(L.bias_xy, 0.2)
        self.biases.setGroups(np.full(len(L.bias_xy), N_BINS // 2), self._bias_brushes)
        self._place_inputs(L)
        self._marks_key = None
        self.dead_marks.setMarks(np.zeros((0, 2)), 0)
        self.sat_marks.setMarks(np.zeros((0, 2)), 0)
        for item in self._images:
            self.vb.removeItem(item)
        self._images, self._heat_grid = [], None  # rebuilt over the circles by the redraw
        for t, x in zip(self._hidden_labels, L.hidden_x):
            t.setPos(x, L.hidden_y)
        self.strip.place(L.hidden_x, L.dx)
        if self._selection is not None:
            self._highlight(self._selection)
        self._fit_view()
        self._redraw()

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        self.editor.show_snapshot(snapshot)
        self.follow_walk(snapshot.walk)
        self._redraw()
        if self._described is not None:  # (its numbers as of this snapshot, not the last hover)
            self._describe(self._described)

    def follow_walk(self, walk) -> None:
        """Step-through mode (``walk``: a WalkView) colours by what the phase just done
        computed (``PHASE_MODES``; layers not reached yet hold zeros, drawn neutral); when
        stepping ends (None) the person's own choice comes back, unless they picked another
        colouring meanwhile. Sets the combos only."""
        combos = (self.neuron_mode, self.edge_mode)
        if walk is None:
            if self._own_modes is not None:
                for combo, own, auto in zip(combos, self._own_modes, self._step_modes):
                    if combo.currentData() == auto:
                        self._set_mode(combo, own)
                self._own_modes = None
            return
        if self._own_modes is None:
            self._own_modes = tuple(c.currentData() for c in combos)
        self._step_modes = PHASE_MODES.get(walk.last_kind, ("sample", "grad"))
        for combo, key in zip(combos, self._step_modes):
            self._set_mode(combo, key)

    @staticmethod
    def _set_mode(combo: QComboBox, key: str) -> None:
        """Choose ``key`` without a redraw per combo (the caller redraws once)."""
        combo.blockSignals(True)
        combo.setCurrentIndex(combo.findData(key))
        combo.blockSignals(False)

    # ----------------------------------------------------------------- drawing
    def settings(self) -> DiagramSettings:
        """What the combo boxes ask for."""
        return DiagramSettings(self.neuron_mode.currentData(), self.edge_mode.currentData(),
                               self.scale_mode.currentData(), self.fixed_scale.value(),
                               self.budget_mode.currentData())

    def neuron_values(self, snapshot=None) -> np.ndarray:
        """(N,) the colour value of every neuron, layer by layer."""
        return neuron_values(snapshot or self._snapshot, self.neuron_mode.currentData())

    def _redraw(self, *_) -> None:
        s, L = self._snapshot, self._layout
        if s is None or L is None or s.sizes != L.sizes:
            return
        settings = self.settings()
        self.fixed_scale.setEnabled(settings.scale_mode == "fixed")
        c = self.colouring = colour(L, s, settings, self._held_scales(s))
        if c.blank:  # dL/dw or Δw all zero (no step yet): the structure in grey
            self.edges.setGroups(np.where(c.visible, 0, -1), [self._structure_pen])
        else:
            self.edges.setGroups(np.where(c.visible, c.edge_bins, -1), self._edge_pens,
                                 self._edge_order)
        if self._set_hidden_texts(c.hidden):
            self._fit_view()
        set_colour_bar(self.edge_bar, cm.DIVERGING, c.edge_scale,
                       fitting_label(self.edge_bar.getAxis("left"), c.edge_label,
                                     c.edge_short))
        self.biases.setGroups(c.bias_bins, self._bias_brushes)
        self.neurons.setGroups(c.neuron_bins, self._neuron_brushes)
        set_colour_bar(self.neuron_bar, cm.ACTIVATION, c.neuron_scale, c.neuron_label,
                       from_zero=c.neuron_from_zero)
        self._draw_marks(s)
        self._draw_heatmaps(s)
        self.strip.show(s.grad_W, self._layer_room())

    def _held_scales(self, s):
        """The auto scales held before snapshot ``s`` (``colour``'s ``held``): the last
        snapshot's while training goes forward; the same again for a redraw of the same step;
        none (its own scales) when stepping by hand or going back (a reset, the timeline)."""
        step, held = self._held
        if step is None or s.walk is not None or s.step < step:
            held = None
        elif s.step > step and self.colouring is not None:
            held = self.colouring.held
        self._held = (s.step, held)
        return held

    def _set_hidden_texts(self, hidden) -> bool:
        """Under each wide layer, the longest of ``hidden_texts`` that fits between its two
        layers at the view's scale (they ran into each other at 1280 x 720); True if one
        appeared or went (the room below the network changes)."""
        L = self._layout
        room = self._layer_room()
        key = (L, tuple(hidden), room)
        if key == self._hidden_key:  # (the counts move only when the strongest change)
            return False
        self._hidden_key = key
        appeared = False
        for l, label in enumerate(self._hidden_labels):
            texts = hidden_texts(hidden[l], int(L.edge_offsets[l + 1] - L.edge_offsets[l]))
            metrics = QFontMetricsF(label.textItem.font())
            text = next((t for t in texts if max(metrics.horizontalAdvance(line)
                                                  for line in t.split("\n")) <= room),
                        texts[-1])
            old = label.textItem.toPlainText()
            if old != text:
                label.setText(text)
                appeared |= not old or not text
        return appeared

    def _draw_marks(self, s) -> None:
        key = (tuple(np.asarray(d).tobytes() for d in s.dead),
               tuple(np.asarray(d).tobytes() for d in s.saturated))
        if self._marks_key == key:
            return
        self._marks_key = key
        dead, sat = marked(self._layout, s)
        self.dead_marks.setMarks(dead, 0.4)
        self.sat_marks.setMarks(sat, 2 * self._layout.radius + 0.12)

    def _draw_heatmaps(self, s) -> None:
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
        n_in = self._layout.sizes[0]
        for img, (plane, m) in zip(self._images[n_in:], hidden_planes(self._layout, grid,
                                                                      self._activations)):
            img.setImage(plane.T, levels=(-m, m))

    def _make_images(self, grid) -> None:
        """One image per neuron over its circle: the inputs' planes now (they never change),
        the others' at the next grid."""
        L = self._layout
        lut = cm.lut(cm.ACTIVATION, 256)
        side = 0.8
        inputs = input_planes(L, grid, self._x_scaler, *self._raw)
        blank = (np.zeros((len(grid.ys), len(grid.xs))), 1.0)
        for n, (x, y) in enumerate(L.neuron_xy):
            img = pg.ImageItem(lut=lut)
            img.setZValue(12)
            plane, m = inputs[n] if n < len(inputs) else blank
            img.setImage(plane.T, levels=(-m, m))
            img.setRect(QRectF(x - side / 2, y - side / 2, side, side))
            self.vb.addItem(img)
            self._images.append(img)

    def _layer_room(self) -> float:
        """Pixels between two layers, less a gap (inf before the view is shown)."""
        units_per_px = (self.vb.viewPixelSize()[0] if self.isVisible() and self.vb.width() > 1
                        else 0.0)
        return 0.92 * self._layout.dx / units_per_px if units_per_px > 0 else float("inf")

    def _fit_view(self, *_) -> None:
        """The whole network, with room below it for the hidden counts' text at this size, and
        the inputs' and outputs' names beside it (one per neuron while a line of text fits
        between neighbours; else one per layer)."""
        L = self._layout
        if L is None:
            return
        if self._relayout():
            return
        w, h = self.vb.width(), self.vb.height()
        below = self._counts_height()
        line = float(self.fontMetrics().height())
        px_per_unit = float("inf")  # first try: a name beside each neuron
        for _ in range(2):
            self._set_io_labels(L.io_labels(*self._io_names, px_per_unit, line, h))
            side = self._label_widths()
            if side["left"] + side["right"] > NAMES_SHARE * w:  # a narrow box: the drawing
                self._set_io_labels([])  # first (the names are on hover)
                side = self._label_widths()
            (x0, x1), (y0, y1) = L.view_range(below + 4 if below else 0.0, (w, h),
                                              side["left"] + 4,
                                              side["right"] + 4)
            if w <= 0 or h <= 0:
                break
            px_per_unit = min(w / (x1 - x0), h / (y1 - y0))
        self.vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        if self._relayout():  # the names beside it changed the room left for the drawing
            return
        if self.colouring is not None:  # the texts that fit at this size
            self._set_hidden_texts(self.colouring.hidden)
            c = self.colouring
            set_colour_bar(self.edge_bar, cm.DIVERGING, c.edge_scale,
                           fitting_label(self.edge_bar.getAxis("left"), c.edge_label,
                                         c.edge_short))

    def _counts_height(self) -> float:
        """Pixels kept below the network for the hidden counts: the tallest of
        ``hidden_texts`` (two lines) wherever a layer hides connections now, else none. Not
        the height of the texts shown: they are chosen after the view is fitted, at its scale
        (room kept for the texts of the fit before left the counts cut at the box's bottom
        when they first appeared)."""
        hidden = self.colouring.hidden if self.colouring is not None else ()
        if not self._hidden_labels or not any(hidden):
            return 0.0
        text = self._hidden_labels[0].textItem
        return (2 * QFontMetricsF(text.font()).lineSpacing()
                + 2 * text.document().documentMargin())

    def _label_widths(self) -> dict[str, float]:
        """The widest input (left) and output (right) name drawn, in pixels."""
        side = {"left": 0.0, "right": 0.0}
        for item, label in zip(self.io_labels, self._io_key or ()):
            side[label[3]] = max(side[label[3]], item.textItem.boundingRect().width())
        return side

    def _relayout(self) -> bool:
        """Lay the network out again if the box's shape (``_aspect``) asks for another layer
        spacing (2% or more); once per change (a nested call, from ``_place``, does not)."""
        if self._relaying:
            return False
        changed = False
        self._relaying = True
        try:  # placing may change the names beside the drawing, and so the room left for
            for _ in range(RELAYOUT_ROUNDS):  # it: again until the spacing settles
                aspect = self._aspect()
                if aspect is None:
                    break
                wide = self._new_layout(self._layout.sizes, aspect)
                if np.isclose(wide.dx, self._layout.dx, rtol=0.02):
                    break
                self._place(wide)  # (fits the view again)
                changed = True
        finally:
            self._relaying = False
        return changed

    def _set_io_labels(self, labels) -> None:
        """Text items for ``DiagramLayout.io_labels`` (x, y, text, side); kept if unchanged,
        moved if only their places changed (a TextItem made anew is ~0.4 ms, and fitting
        the view tries the names at two scales: ~20 made at the window's start)."""
        if labels == self._io_key:
            return
        off = set() if self.choice is None else {
            label for label, on in zip(self.choice.labels, self.choice.on) if not on}
        spare: dict[tuple, list[pg.TextItem]] = {}  # (text, side, colour) -> items drawn
        for item in self.io_labels:
            spare.setdefault(item.io_style, []).append(item)
        self.io_labels, self._io_key = [], labels
        for x, y, text, side in labels:
            style = (text, side, cm.AXIS if side == "left" and text in off else cm.TEXT)
            item = spare[style].pop() if spare.get(style) else None
            if item is None:
                item = pg.TextItem(text, color=style[2],
                                   anchor=(1, 0.5) if side == "left" else (0, 0.5))
                item.io_style = style
                item.setZValue(30)
                self.vb.addItem(item)
            item.setPos(x, y)
            self.io_labels.append(item)
        for items in spare.values():
            for item in items:
                self.vb.removeItem(item)

    def _enable_heatmaps(self, n_features: int, n_neurons: int) -> None:
        """Neuron heatmaps need an input plane and the grid's per-neuron outputs (at most
        NEURON_GRID_MAX neurons): otherwise the box is disabled and says why."""
        why = heatmaps_unavailable(n_features, n_neurons, NEURON_GRID_MAX)
        self.heatmaps.setEnabled(not why)
        self.heatmaps.setToolTip("Show each neuron's output over the input plane"
                                 + (f": {why}" if why else
                                    " (other input features at their training mean)"))

    # ----------------------------------------------------------------- hover / select
    def neuron_text(self, layer: int, index: int) -> str:
        """What hovering neuron (layer, index) shows: the snapshot's own numbers."""
        return self.text_for(Selection("neuron", layer, index=index))

    def connection_text(self, layer: int, i: int, j: int) -> str:
        """What hovering connection W[layer][i, j] shows."""
        return self.text_for(Selection("connection", layer, i=i, j=j))

    def hit(self, x: float, y: float, tolerance: float = 0.15):
        """The neuron or drawn connection under view point (x, y): a Selection or None."""
        if self._layout is None:
            return None
        visible = None if self.colouring is None else self.colouring.visible
        return self._layout.hit(x, y, tolerance, visible)

    def text_for(self, sel: Selection | None) -> str:
        return self._text.of(self._snapshot, sel)

    def _describe(self, sel: Selection | None, text: str | None = None) -> None:
        """The info line tells of ``sel`` (kept up to date by each snapshot; after a hand
        edit of its parameter, with the loss before and now), or ``text``."""
        self._described = sel
        self.info.setText(self.text_for(sel) + self.editor.note_for(sel) if text is None
                          else text)

    def edit_selected(self) -> bool:
        """Open the value editor over the selected connection or neuron (False: nothing
        editable is selected)."""
        sel = self._selection
        if self.editor.param is None or sel is None or self._layout is None:
            return False
        L = self._layout
        if sel.kind == "neuron":
            x, y = L.neuron_xy[L.neuron_flat(sel.layer, sel.index)]
        else:
            x0, y0, x1, y1 = L.segments[L.edge_flat(sel.layer, sel.i, sel.j)]
            x, y = (x0 + x1) / 2, (y0 + y1) / 2
        point = self.view.mapFromScene(self.vb.mapViewToScene(QPointF(x, y)))
        self.editor.open_at(self.view.viewport().mapToGlobal(point))
        return True

    def _tolerance(self) -> float:
        px = self.vb.viewPixelSize()
        return max(4 * max(px), 0.02)

    def item_at(self, scene_pos) -> Selection | None:
        """The neuron or drawn connection at a point of the view's scene, or None."""
        if self._layout is None or not self.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.vb.mapSceneToView(scene_pos)
        return self.hit(p.x(), p.y(), self._tolerance())

    def _on_mouse_moved(self, pos) -> None:
        if self._layout is None:
            return
        bar = self.strip.bar_at(pos)
        if bar is not None:
            self._describe(None, self.strip.bar_text(bar, self._layout.sizes))
            return
        if not self.vb.sceneBoundingRect().contains(pos):
            return
        p = self.vb.mapSceneToView(pos)
        slot = self.hit_input(p.x(), p.y(), self._tolerance())
        if slot is not None and not self.choice.on[slot]:
            self._describe(None, f"{self.choice.labels[slot]}: not an input of this network; "
                           f"click to add it ({REBUILT})")
            return
        sel = self.hit(p.x(), p.y(), self._tolerance())
        if sel is not None:
            self._describe(sel)

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.LeftButton or self._layout is None:
            return
        p = self.vb.mapSceneToView(event.scenePos())
        slot = self.hit_input(p.x(), p.y(), self._tolerance())
        if slot is not None:
            self.toggle_input(slot)
            return
        sel = self.hit(p.x(), p.y(), self._tolerance())
        if sel is not None:
            self.select(sel)

    def hit_input(self, x: float, y: float, tolerance: float = 0.15) -> int | None:
        """The input candidate (its circle or picture) under view point (x, y), or None
        (also when the inputs cannot be chosen)."""
        if self.choice is None or self._layout is None:
            return None
        return self._layout.hit_slot(x, y, tolerance)

    def toggle_input(self, k: int) -> None:
        """Turn input candidate ``k`` on or off: emit ``inputToggled`` (the window rebuilds
        through the control panel, asking first), or say in the info line why not (none
        would be left)."""
        try:
            self.choice.toggled(k)
        except ConfigError as exc:
            self._describe(None, str(exc))
            return
        self.inputToggled.emit(self.choice.field, self.choice.names[k], self.choice.chosen)

    def select(self, sel: Selection | None) -> None:
        """Highlight ``sel`` and emit selectionChanged."""
        self._selection = sel
        self._highlight(sel)
        if sel is not None and self._layout is not None:
            self._describe(sel)
        self.editor.set_selection(sel)
        self.selectionChanged.emit(sel)

    def _highlight(self, sel: Selection | None) -> None:
        """Draw the selection's ring or thick line (none for None)."""
        L = self._layout
        self.selected_neuron.setMarks(np.zeros((0, 2)), 0)
        self.selected_edge.setSegments(np.zeros((0, 4)))
        if sel is not None and L is not None:
            if sel.kind == "neuron":
                n = L.neuron_flat(sel.layer, sel.index)
                self.selected_neuron.setMarks(L.neuron_xy[n:n + 1], 2 * L.radius + 0.3)
            else:
                e = L.edge_flat(sel.layer, sel.i, sel.j)
                self.selected_edge.setSegments(L.segments[e:e + 1])
                self.selected_edge.setGroups([0], [cm.pen("k", 3.0)])

    @property
    def selection(self) -> Selection | None:
        return self._selection

    # ----------------------------------------------------------------- export
    def export_widgets(self):
        """The drawing, its colour bars and the gradient strip (not the controls)."""
        return [self.view]
