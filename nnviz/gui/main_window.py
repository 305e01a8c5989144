"""The main window: control panel and live panels as docks, menus, toolbar, status bar.

It wires the ControlPanel (what to train) to the TrainingController (the worker thread) and
hands every snapshot to the panels of the registry ``nnviz.gui.panels.PANELS`` (classes, docked
by ``docks``). A panel is built when it is first on screen or asked for (``self.panels``, a
``LazyPanels``): a background tab's when its tab is clicked; the first frame shows the panels on
screen with the run's first snapshot (``showEvent``). Session files and autosave are
``SessionActions`` (``self.sessions``); menus and toolbar are laid out by ``window_menus``; the
status bar's readout is ``TrainingStatus``.
Dialogs go through ``show_error`` and ``confirm`` so tests can replace them.

Size (~580 lines, over the house's ~450): it is the wiring of every panel (as it is built),
action and controller signal; the next seams are the step-through handlers and the pins.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QStyle,
    QWidget,
)

from nnviz.config import ARRAYS
from nnviz.errors import NNVizError
from nnviz.experiment import DEFAULT_PRESET, PRESET_PACE, PRESETS, TrainingConfig
from nnviz.gui.control_panel import ControlPanel
from nnviz.gui.controller import TrainingController
from nnviz.gui.dispatch import SnapshotDispatcher
from nnviz.gui.docks import DockLayout, make_dock
from nnviz.gui.draw_actions import DrawActions
from nnviz.gui.edit_actions import EditActions
from nnviz.gui.icons import app_icon
from nnviz.gui.keyboard import KeyboardFocus
from nnviz.gui.lazy_panels import LazyPanels
from nnviz.gui.panels import PANELS
from nnviz.gui.session_actions import SessionActions
from nnviz.gui.settings import AppSettings
from nnviz.gui.speed import full_speed_action
from nnviz.gui.status import TrainingStatus
from nnviz.gui.timeline import install_timeline
from nnviz.gui.window_menus import build_menus, build_toolbar, make_action
from nnviz.landscape import LandscapePath, ParamRef

if TYPE_CHECKING:  # (dialogs imported when first opened: not needed for the first frame)
    from nnviz.gui.csv_dialog import CsvDialog

DEFAULT_SIZE = QSize(1680, 1000)
#: share of a large screen's available width and height a new window takes (at least
#: DEFAULT_SIZE): 2048x1152 on 2560x1440 (it opened at 1680x1000 in a corner there)
SCREEN_SHARE = 0.8
#: px of the available width and height a new window leaves free at least (title bar, frame)
SCREEN_MARGIN = QSize(40, 60)


def initial_geometry(available: QRect | None) -> QRect:
    """Where a new window opens on a screen whose available geometry (logical px, without
    panels and docks) is ``available``: SCREEN_SHARE of it each way but at least DEFAULT_SIZE,
    within the available size less SCREEN_MARGIN, centred on it. 1280x720 -> 1240x660,
    1366x768 -> 1326x708, 1920x1080 -> 1680x1000, 2560x1440 -> 2048x1152. ``None`` (no
    screen, or offscreen: screenshots at a known size): DEFAULT_SIZE at (0, 0)."""
    if available is None:
        return QRect(QPoint(0, 0), DEFAULT_SIZE)
    share = QSize(round(available.width() * SCREEN_SHARE),
                  round(available.height() * SCREEN_SHARE))
    size = share.expandedTo(DEFAULT_SIZE).boundedTo(available.size() - SCREEN_MARGIN)
    rect = QRect(QPoint(0, 0), size)
    rect.moveCenter(available.center())
    return rect


def preset_pace(config: TrainingConfig) -> float | None:
    """The pace (steps/s) of the preset ``config`` is, None for any other configuration."""
    return next((PRESET_PACE.get(n) for n, c in PRESETS.items() if c == config), None)


class MainWindow(QMainWindow):
    """nnviz's window. ``settings`` None: remember nothing (scripted runs). ``ask_before_quit``:
    closing with unsaved training asks first (interactive runs; never scripted runs or tests
    that do not ask for it)."""

    #: emitted once the window has closed (its training thread stopped)
    closed = Signal()
    #: the window's new size, after each resize (the docks' proportions and the timeline's
    #: width follow it: an override costs the GIL on resizes only, where an event filter on
    #: the window took it for each of the window's events, ~20 a second while training)
    resized = Signal(QSize)

    def __init__(self, config: TrainingConfig | None = None, settings: AppSettings | None = None,
                 parent=None, *, ask_before_quit: bool = False):
        super().__init__(parent)
        self.settings = settings
        self.ask_before_quit = ask_before_quit
        self.last_message: QMessageBox | None = None
        self.csv_dialog: CsvDialog | None = None
        self.panel_errors: dict[str, str] = {}
        self._pinned_before = None  # (run, snapshot) pinned before the distributions were built
        if QGuiApplication.windowIcon().isNull():  # (else the window shows the application's:
            self.setWindowIcon(app_icon())  # make_application's, not drawn again, ~3 ms)
        self.setWindowTitle("nnviz")
        self.setDockNestingEnabled(True)
        self.setAcceptDrops(True)
        placed = initial_geometry(self._screen_area())
        self.resize(placed.size())
        if self._screen_area() is not None:
            self.move(placed.topLeft())

        self.controller = TrainingController(self)
        try:
            self._build(config)
        except BaseException:
            self.controller.shutdown()
            raise

    def _build(self, config: TrainingConfig | None) -> None:
        settings = self.settings
        self.controls = ControlPanel()
        self.docks: dict[str, QDockWidget] = {}
        self._build_docks()
        self.sessions = SessionActions(self)
        self.draws = DrawActions(self)
        self._build_actions()
        self.timeline = install_timeline(self)  # scrubs back through the run's recording
        build_menus(self)
        self.toolbar, self.speed = build_toolbar(self)
        self.status = TrainingStatus(self.statusBar())
        self._connect()
        self.keyboard = KeyboardFocus(self)  # Space plays wherever focus is, unless typing

        remembered = config is None and settings is not None
        if remembered:
            config = settings.config()
        config = config or PRESETS[DEFAULT_PRESET]
        try:
            self.controller.load(config)
        except NNVizError as exc:  # e.g. a remembered CSV file that is gone
            self.controls.show_problem(f"could not open the last configuration: {exc}")
            self.controller.load(PRESETS[DEFAULT_PRESET])
        if settings is not None:  # a person's window: their last pace, or the preset's own
            pace = preset_pace(self.controller.config)
            self.set_pace(settings.speed(default=pace) if remembered else pace)
            geometry, state = settings.layout()
            if geometry is not None:
                self.restoreGeometry(geometry)
            if state is not None and self.restoreState(state):
                self.dock_layout.adopt()
            self.sessions.start_autosave()

    # ------------------------------------------------------------------ building
    @staticmethod
    def _screen_area() -> QRect | None:
        """The primary screen's available geometry (None offscreen: screenshots and tests
        get DEFAULT_SIZE, see ``initial_geometry``)."""
        screen = QGuiApplication.primaryScreen()
        if screen is None or QGuiApplication.platformName() == "offscreen":
            return None
        return screen.availableGeometry()

    def _build_docks(self) -> None:
        self.docks["controls"] = make_dock(self, "controls", "Training", self.controls)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.docks["controls"])
        # the loss landscape's path follows training whether or not the inspector is built
        self.landscape_path = LandscapePath()
        factories = {cls.key: cls for cls in PANELS}
        if "backpropInspector" in factories:
            factories["backpropInspector"] = functools.partial(
                factories["backpropInspector"], track=self.landscape_path)
        # each panel is built when first shown (or asked for): background tabs wait
        self.panels = LazyPanels(factories, self._on_panel_built)
        self.panels.hold()  # until the docks have their sizes (``showEvent``)
        for cls in PANELS:
            slot = self.panels.slots[cls.key]
            self.docks[cls.key] = make_dock(self, cls.key, cls.title, slot, scroll=True)
            slot.watch(self.docks[cls.key])
        # panels are updated one per event-loop turn, as often as the worker's load allows
        self.dispatcher = SnapshotDispatcher(self.panels.built, call=self._call_panel,
                                             busy=self.controller.set_gui_busy,
                                             load=lambda: self.controller.worker.load,
                                             error=self._panel_failed, parent=self)
        self.dock_layout = DockLayout(self, self.docks, self.panels)  # for the window's size
        self.dock_layout.arrange()

    def _build_actions(self) -> None:
        def a(*args):
            return make_action(self, *args)

        self.act_play = a("Play", Qt.Key_Space, "start or pause training", self._on_play)
        self.act_step_sample = a("Step sample", Qt.Key_Right,
                                 "one update on one training sample", self._on_step_sample)
        self.act_step_batch = a("Step batch", QKeySequence("Shift+Right"),
                                "one training step on one batch", self._on_step_batch)
        self.act_step_epoch = a("Step epoch", QKeySequence("Ctrl+Right"),
                                "train until the end of the current epoch", self._on_step_epoch)
        self.act_next_phase = a("Next phase", Qt.Key_N, "step-through: compute the next phase "
                                "of backprop on one sample (forward a layer, the loss, back a "
                                "layer, or the update)", lambda: self._on_walk("phase"))
        self.act_next_walk_sample = a("Next sample, all phases", QKeySequence("Shift+N"),
                                      "step-through: finish this sample's phases, or run a "
                                      "whole new sample", lambda: self._on_walk("sample"))
        self.act_back_phase = a("Back one phase", Qt.Key_Left, "step-through: rewind one "
                                "phase, restoring the parameters exactly",
                                lambda: self._on_walk("back"))
        # (a toolbar tip shows in the status bar: ~330 px in the window of a 1280x720 screen)
        self.act_reset = a("Reset", Qt.Key_R, "start again from the same initial weights",
                           self._on_reset)
        self.act_compare = a("Compare: lr ÷10, 3× steps", None,
                             "pin this run, then train again: lr ÷10, 3× the steps",
                             self._on_compare)
        self.act_pin = a("Pin this run", QKeySequence("Ctrl+P"),
                         "keep this run's error curves as a faded overlay", self._on_pin)
        self.act_open_csv = a("Open CSV…", QKeySequence.Open, "train on a CSV file",
                              self._on_open_csv)
        # the platform's Quit keys; where it has none (Windows, offscreen), Ctrl+Q
        quit_keys = QKeySequence(QKeySequence.Quit)
        self.act_quit = a("Quit", quit_keys if not quit_keys.isEmpty() else "Ctrl+Q",
                          "close nnviz", self.close)
        self.act_reset_layout = a("Reset layout", None, "put every panel back in its place",
                                  self._on_reset_layout)
        self.act_about = a("About nnviz", None, "what nnviz is", self._on_about)
        self.act_race = a("Optimiser race…", None, "race optimisers or learning rates from "
                          "this configuration's starting point, side by side", self._on_race)
        self.act_export_recording = a("Export recording…", None, "save this run's recording "
                                      "(the timeline) as an animated GIF or an MP4, of the "
                                      "whole window or one panel",
                                      self._on_export_recording)
        self.act_full_speed = full_speed_action(self)
        self.act_full_speed.setChecked(True)  # scripted windows train flat out
        self.edit_actions = EditActions(self)  # hand edits: the diagram's, Undo and Redo

    def _connect(self) -> None:
        c, p = self.controller, self.controls
        c.experimentChanged.connect(self._on_experiment_changed)
        c.snapshotReady.connect(self._on_snapshot)
        c.runningChanged.connect(self._on_running_changed)
        c.stopped.connect(self._on_stopped)
        c.failed.connect(self._on_failed)
        p.presetChosen.connect(self._on_preset_chosen)
        p.configEdited.connect(c.edit)
        c.rebuildNeeded.connect(self.apply_config)
        p.openCsvRequested.connect(self._on_open_csv)
        self.speed.valueChanged.connect(self._on_pace_changed)
        self.act_full_speed.toggled.connect(self._on_speed_changed)
        self.speed.problem.connect(p.show_problem)
        c.message.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def _on_panel_built(self, key: str, panel: QWidget) -> None:
        """A panel was just built (first shown or asked for): its signals wired, then the
        current run and the latest snapshot (``dispatcher.add``)."""
        c, built = self.controller, self.panels.built
        if key == "backpropInspector":
            panel.stepRequested.connect(self._on_walk)
            panel.sampleModeChanged.connect(c.set_walk_mode)
        if key == "networkDiagram":  # its input neurons choose inputs as the boxes do
            panel.inputToggled.connect(self.controls.toggle_input)
            panel.selectionChanged.connect(self._on_selection)
            if hasattr(panel, "editRequested"):
                panel.editRequested.connect(self.edit_actions.on_edit_requested)
        if key in ("vectors", "heatmaps", "hiddenSpace") and hasattr(panel, "sampleClicked"):
            panel.sampleClicked.connect(self._on_sample_clicked)
        self.draws.wire(key, panel)
        if key == "distributions" and self._pinned_before is not None:
            run, snap = self._pinned_before  # pinned before it was built: that moment
            self._pinned_before = None
            for fn, arg in ((panel.set_run, run), (panel.show_snapshot, snap)):
                self._call_panel(key, fn, arg)
            self._call_panel(key, lambda _: panel.pin(), None)
        self.dispatcher.add(key, self.draws.run_for(key, self.dispatcher.run))
        if key == "backpropInspector" and "networkDiagram" in built:
            selection = built["networkDiagram"].selection
            if selection is not None:
                panel.set_selection(selection)

    def _on_selection(self, selection) -> None:
        """A neuron or connection chosen in the diagram: the inspector explains it (built or
        not, the landscape is then drawn over a chosen connection)."""
        inspector = self.panels.built.get("backpropInspector")
        if inspector is not None:
            inspector.set_selection(selection)
        elif selection is not None and getattr(selection, "kind", "") == "connection":
            self.landscape_path.select(ParamRef(selection.layer, "W",
                                                (selection.i, selection.j)))

    # ------------------------------------------------------------------ dialogs (patchable)
    def show_error(self, title: str, text: str, details: str = "") -> QMessageBox:
        """A non-modal message box: the app stays usable behind it."""
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setWindowModality(Qt.NonModal)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.show()
        self.last_message = box
        return box

    def confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "nnviz", question,
                                      QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Yes)
        return answer == QMessageBox.Yes

    def ask_unsaved(self, steps: int, edits: int = 0) -> str:
        """Quitting with a run of ``steps`` training steps and ``edits`` hand edits that is
        not saved: "save", "discard" or "cancel"."""
        parts = [f"{n:,} {noun}{'' if n == 1 else 's'}" for n, noun in
                 ((steps, "training step"), (edits, "hand edit")) if n]
        what = " and ".join(parts) + (" is" if steps + edits == 1 else " are")
        box = QMessageBox(QMessageBox.Question, "nnviz",
                          f"This run's {what} not saved. Save before quitting?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.button(QMessageBox.Discard).setText("Quit without saving")
        box.setDefaultButton(QMessageBox.Save)
        box.setEscapeButton(QMessageBox.Cancel)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    # ------------------------------------------------------------------ operations
    def may_quit(self) -> bool:
        """True when closing loses nothing, or the person said so (or saved first)."""
        unsaved = self.sessions.unsaved() if self.ask_before_quit else (0, 0)
        if unsaved == (0, 0):
            return True
        answer = self.ask_unsaved(*unsaved)
        if answer == "save":
            return self.sessions.save_as()
        return answer == "discard"

    def apply_config(self, config: TrainingConfig, ask: bool = True, dataset=None) -> bool:
        """Start a new run with ``config`` (on ``dataset`` if already loaded); asks first if
        progress would be lost."""
        snap = self.controller.snapshot
        drawn = dataset is None and self.controller.drops_drawn(config)
        edited = snap is not None and bool(snap.edits)  # (hand edits at step 0 are work too)
        question = (f"This restarts training: the {snap.step:,} steps done so far will be "
                    "lost. Continue?" if snap is not None and snap.step > 0 else
                    "This discards the points drawn. Continue?" if drawn else
                    "This discards your hand edits of the network. Continue?")
        if ask and snap is not None and (snap.step > 0 or drawn or edited) and not self.confirm(
                question):
            self.controls.set_config(self.controller.config)
            return False
        try:
            self.controller.load(config, dataset=dataset)
        except NNVizError as exc:
            self.controls.set_config(self.controller.config)
            self.controls.show_problem(str(exc))
            self.show_error("Cannot use this configuration", str(exc))
            return False
        return True

    def open_csv(self, path: str) -> CsvDialog:
        """Show the import dialog for the CSV file at ``path`` (window-modal, returned at
        once); once it accepts a checked choice and has read the file, ask whether to discard
        the current run, then train on it. Cancel leaves the run as it was."""
        from nnviz.gui.csv_dialog import CsvDialog

        config = self.controller.config
        same = config.dataset == "csv" and config.csv_path == os.fspath(path)
        dialog = CsvDialog(path, *((config.csv_target, config.csv_features, config.csv_task)
                                   if same else ()), parent=self)
        dialog.accepted.connect(lambda: self._on_csv_chosen(dialog))
        dialog.rejected.connect(lambda: self.controls.set_config(self.controller.config))
        dialog.finished.connect(lambda _result: self._on_csv_dialog_closed(dialog))
        self.csv_dialog = dialog
        dialog.open()
        return dialog

    def _on_csv_chosen(self, dialog: CsvDialog) -> None:
        config = self.controller.config.replace(description="", **dialog.config_changes())
        if dialog.dataset.task != self.controller.run.task:
            config = config.replace(output=None, loss=None)  # the new task's own
        self.apply_config(config, dataset=dialog.dataset)

    def _on_csv_dialog_closed(self, dialog: CsvDialog) -> None:
        if self.csv_dialog is dialog:
            self.csv_dialog = None
        dialog.deleteLater()

    # ------------------------------------------------------------------ controller events
    def _on_experiment_changed(self, run, snapshot) -> None:
        config = run.config
        self.controls.set_config(config)
        self.controls.features.set_names(run.dataset.feature_names)  # as the diagram names them
        self.controls.show_banner("")
        name = next((n for n, c in PRESETS.items() if c == config), None)
        source = name or (os.path.basename(config.csv_path) if config.csv_path
                          else run.dataset.name if config.dataset == ARRAYS else config.dataset)
        self.setWindowTitle(f"nnviz — {source}")
        self.status.restart(snapshot.samples_seen)
        self.landscape_path.start(run.sizes)
        self.dispatcher.set_run(run)
        self.timeline.start(run, snapshot.generation)
        self._on_snapshot(snapshot)
        self.dispatcher.flush()  # the new run's first picture at once
        if self.settings is not None:
            self.settings.save_config(config)

    def _call_panel(self, key: str, fn, arg) -> None:
        """Call a panel; a panel's bug is reported once and does not stop the others. A
        diverging run's huge values overflow in a panel's statistics to inf, shown as such,
        not warned about (numpy's error state is per thread)."""
        try:
            with np.errstate(all="ignore"):
                fn(arg)
        except Exception as exc:  # noqa: BLE001 - keep the window alive
            self._panel_failed(key, exc)

    def _panel_failed(self, key: str, exc: BaseException) -> None:
        """A panel's bug (or the dispatcher's, ``key`` "dispatcher"): one line on stderr and
        in the status bar, the first time that panel fails; the traceback kept in
        ``panel_errors``."""
        if key not in self.panel_errors:
            self.panel_errors[key] = "".join(traceback.format_exception(exc))
            print(f"nnviz: panel {key} failed: {exc}", file=sys.stderr)
            self.statusBar().showMessage(f"panel {key} failed: {exc}", 10000)

    def _on_snapshot(self, snap) -> None:
        """A training snapshot, or in step-through mode (``snap.walk`` set) a step's."""
        self.timeline.record(snap)
        if snap.walk is None:  # the landscape's path follows every step, inspector shown
            self.landscape_path.record_snapshot(snap)  # or not
        self.dispatcher.dispatch(snap)
        edited = self.edit_actions.show(snap)  # (a hand edit, an undo or a redo)
        if snap.walk is not None or edited:
            self.dispatcher.flush()  # a step or an edit is a person's: show all of it now
        self._on_snapshot_status(snap)

    def _on_snapshot_status(self, snap) -> None:
        self.status.show(snap, self.controller.running)
        self.act_compare.setEnabled(snap.step > 0)
        self.edit_actions.show(snap)

    def _on_running_changed(self, running: bool) -> None:
        self.act_play.setText("Pause" if running else "Play")
        sp = QStyle.StandardPixmap
        icon = sp.SP_MediaPause if running else sp.SP_MediaPlay
        self.act_play.setIcon(self.style().standardIcon(icon))
        if running:
            self.controls.show_banner("")

    def _on_stopped(self, message: str, diverged: bool) -> None:
        if diverged:
            text = (f"Training paused: {message}. Lower the learning rate, then press Play to "
                    "go on from the last finite weights, or Reset to start again.")
        else:
            text = f"Training paused: {message}."
        self.controls.show_banner(text)
        self.statusBar().showMessage(text, 15000)

    def _on_failed(self, message: str, details: str) -> None:
        self.controls.show_banner(f"Training stopped by an error: {message}")
        self.show_error("Training stopped by an error",
                        f"{message}\n\nThe run is paused; you can change settings, Reset, "
                        "or press Play to try again.", details)

    # ------------------------------------------------------------------ user events
    def _on_play(self) -> None:
        self.controller.toggle()

    def _on_step_sample(self) -> None:
        self.timeline.go_live()
        self.controller.step("sample")

    def _on_step_batch(self) -> None:
        self.timeline.go_live()
        self.controller.step("batch")

    def _on_step_epoch(self) -> None:
        self.timeline.go_live()
        self.controller.step("epoch")

    # ------------------------------------------------------------------ step-through mode
    def _on_walk(self, action: str) -> None:
        """A step-through action from the inspector, the menu or the keyboard."""
        if action == "continue":  # the worker finishes the sample under way, then trains
            self.controller.play()
            return
        dock = self.docks.get("backpropInspector")
        if dock is not None:
            dock.show()
            dock.raise_()
        self.timeline.go_live()  # a step is shown as it happens, not under a past moment
        self.controller.walk(action)

    def _on_sample_clicked(self, index: int) -> None:
        """A point clicked in the vectors, heatmap or hidden space panel: step that sample
        next."""
        self.timeline.go_live()
        self.controller.pick(index)

    def _on_reset(self) -> None:
        self.controller.reset()

    def _on_pin(self) -> None:
        """The error curves and the distributions keep this run to compare with (at the
        snapshot shown last; distributions not built yet take it when they are)."""
        for key in ("errorCurve", "distributions"):
            panel = self.panels.built.get(key)
            if panel is not None and hasattr(panel, "pin"):
                self.dispatcher.catch_up(key)  # (hidden, it may show an older snapshot)
                panel.pin()
            elif key in self.panels and self.dispatcher.latest is not None:
                self._pinned_before = (self.dispatcher.run, self.dispatcher.latest)

    def _on_compare(self) -> None:
        """Pin this run, then rerun with lr / 10 for 3x the steps (the tutorial's comparison)."""
        snap = self.controller.snapshot
        if snap is None or snap.step == 0:
            return
        self._on_pin()
        config = self.controller.config
        new = config.replace(lr=config.lr / 10, max_steps=3 * snap.step, max_epochs=None,
                             target_loss=None, description="")
        if self.apply_config(new, ask=False):
            self.controller.play()

    def _on_preset_chosen(self, name: str) -> None:
        if self.apply_config(PRESETS[name]):
            self.set_pace(PRESET_PACE.get(name))

    def set_pace(self, steps_per_second: float | None) -> None:
        """Train at about this many steps per second (None: as fast as possible)."""
        fast = steps_per_second is None
        for widget in (self.speed, self.act_full_speed):
            widget.blockSignals(True)
        if not fast:
            self.speed.setValue(int(round(steps_per_second)))
        self.act_full_speed.setChecked(fast)
        for widget in (self.speed, self.act_full_speed):
            widget.blockSignals(False)
        self._on_speed_changed()

    def _on_pace_changed(self, _value: int) -> None:
        """A pace chosen in the box: train at it (leaving "as fast as possible")."""
        self.act_full_speed.blockSignals(True)
        self.act_full_speed.setChecked(False)
        self.act_full_speed.blockSignals(False)
        self._on_speed_changed()

    def _on_speed_changed(self, *_) -> None:
        pace = None if self.act_full_speed.isChecked() else self.speed.value()
        self.controller.set_speed(pace)
        if self.settings is not None:
            self.settings.save_speed(pace)

    def _on_open_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open CSV", "",
                                              "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if path:
            self.open_csv(path)
        else:
            self.controls.set_config(self.controller.config)

    def _on_reset_layout(self) -> None:
        self.dock_layout.arrange()

    def _on_export_recording(self) -> None:
        from nnviz.gui.record_dialog import ask_export_recording

        ask_export_recording(self)

    def _on_race(self) -> None:
        from nnviz.gui.race_window import open_race

        open_race(self)

    def _on_about(self) -> None:
        QMessageBox.about(self, "About nnviz",
                          "<b>nnviz</b><br>Watch a small neural network learn: every neuron, "
                          "weight and gradient, live.")

    # ------------------------------------------------------------------ Qt events
    def dragEnterEvent(self, event) -> None:
        if self._dropped_csv(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        path = self._dropped_csv(event)
        if path is not None:
            event.acceptProposedAction()
            self.open_csv(path)

    @staticmethod
    def _dropped_csv(event) -> str | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            path = url.toLocalFile()
            if path and path.lower().endswith((".csv", ".tsv", ".txt")):
                return path
        return None

    def showEvent(self, event) -> None:
        """The first time: the docks at their proportions now, then the panels on screen built
        at their sizes with the run's latest snapshot, all before the first paint."""
        super().showEvent(event)
        if event.spontaneous() or not self.panels.holding:
            return
        self.dock_layout.apply()
        self.layout().activate()  # (resizeDocks takes effect in the layout's next pass)
        self.panels.release()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized.emit(event.size())

    def keyPressEvent(self, event) -> None:
        keyboard = getattr(self, "keyboard", None)  # (a Return no widget used)
        if keyboard is None or not keyboard.reached_window(event):
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        if not self.may_quit():
            event.ignore()
            return
        if self.settings is not None:
            self.sessions.closing()
            self.settings.save_layout(self.saveGeometry(), self.saveState())
            if self.controller.config is not None:
                self.settings.save_config(self.controller.config)
            self.settings.sync()
        self.controller.shutdown()
        if self.last_message is not None:
            try:
                self.last_message.close()
            except RuntimeError:  # already deleted
                pass
        super().closeEvent(event)
        self.closed.emit()
