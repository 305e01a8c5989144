"""The optimiser race window (Tools ▸ Optimiser race…): up to four copies of the window's
configuration, from its initial weights and sample order, differing in optimiser and learning
rate, trained in lockstep in a background thread; their loss curves and their paths on one
loss landscape drawn live (``nnviz.gui.race_view.RacePlots``).

The ``RaceWorker`` follows the training worker's pattern (``nnviz.gui.worker``): it loops in its
own QThread, takes commands from a lock-protected dict (never queued slots), trains in slices
of ~10-20 ms (``Race.advance``), and keeps the latest frozen ``RaceView`` (at most ~10 a second)
for the window's QTimer to take. The plane and its landscape (a forward pass per grid point)
are refitted in the worker at a low rate while racing (a coarser grid, every ``REFIT_MIN`` s
or four times their cost), and once more finely when the race pauses or ends.
"""

from __future__ import annotations

import threading
import time
import traceback

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnviz import gc_control
from nnviz.config import SETTINGS, TrainingConfig
from nnviz.engine.parallel import set_blas_threads, set_threads
from nnviz.errors import NNVizError, one_line
from nnviz.gui.controls import Control
from nnviz.gui.race_view import RacePlots, racer_color
from nnviz.gui.threads import start_thread, stop_thread
from nnviz.gui.widgets import CheckedSpinBox
from nnviz.landscape import Cancelled
from nnviz.race import MAX_RACERS, RESOLUTION, Race, RaceView

PUBLISH_INTERVAL = 0.1  # s between views while racing (a frame of the plots: ~10-30 ms)
SLICE_MIN, SLICE_MAX = 0.010, 0.020  # s per Race.advance slice (a hand-off after each)
REFIT_MIN = 0.5  # s between refits of the plane and landscape while racing, at least
REFIT_SHARE = 4  # ... and this many times what the last refit took (at most 1/5 of the time)
LIVE_RESOLUTION = 21  # the landscape's grid while racing (RESOLUTION once paused or done)
IDLE_WAIT = 0.1  # s the idle worker sleeps between checks
HANDOFF = 1e-6  # s the worker sleeps after each slice (hands the GIL to the GUI thread)
POLL_MS = 50  # the window looks for a new view this often
DEFAULT_STEPS = 5000
#: the racers a new window offers: (optimizer, factor of the configuration's lr, checked)
DEFAULT_RACERS = (("sgd", 1.0, True), ("momentum", 1.0, True), ("adam", 1.0, True),
                  ("adam", 10.0, False))


class RaceWorker(QObject):
    """Races in its QThread (see module docstring). ``submit`` (any thread): race=(Race,
    generation), target (steps), running, params (two ParamRefs or None: the plane);
    ``take`` (GUI thread): the latest view and the events since ("finished" or "error"
    lines), each with its generation."""

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()
        self._pending: dict = {}
        self._wake = threading.Event()
        self._quit = threading.Event()
        self.idle = threading.Event()  # set while not racing, its last view published
        self.idle.set()
        self._latest: tuple[int, RaceView] | None = None
        self._events: list[tuple[int, str, str, str]] = []
        # worker-thread state
        self._race: Race | None = None
        self._gen = 0
        self._target = 0
        self._running = False
        self._params = None
        self._plane = self._landscape = None
        self._fitted_at = -1  # the step the plane was last fitted at
        self._next_fit = 0.0
        self._refit_cost = 0.0
        self._slice = 1
        self._last_publish = 0.0

    # ------------------------------------------------------------------ any thread
    def submit(self, **changes) -> None:
        with self._lock:
            self._pending.update(changes)
            self.idle.clear()
        self._wake.set()

    def quit(self) -> None:
        self._quit.set()
        self._wake.set()

    def take(self):
        with self._lock:
            latest, events = self._latest, self._events
            self._latest, self._events = None, []
        return latest, events

    # ------------------------------------------------------------------ worker thread
    @Slot()
    def run(self) -> None:
        set_threads(1)
        set_blas_threads(1)
        np.seterr(all="ignore")  # this thread's own: a racer's divergence is reported, not warned
        try:
            while not self._quit.is_set():
                self._apply_pending()
                try:
                    if self._racing():
                        self._advance()
                        time.sleep(HANDOFF)
                        continue
                    if self._running and self._race is not None:  # at (or past) the end
                        self._finish()
                    elif self._race is not None and self._fitted_at != self._race.step:
                        self._publish(refit=True)
                    with self._lock:
                        if not self._pending:
                            self.idle.set()
                except Cancelled:  # quitting
                    break
                except Exception as exc:  # an engine bug must not kill the thread silently
                    self._running = False
                    self._event("error", f"{type(exc).__name__}: {one_line(str(exc))}",
                                traceback.format_exc())
                self._wake.wait(IDLE_WAIT)
                self._wake.clear()
        finally:
            self._race = None
            QThread.currentThread().quit()

    def _apply_pending(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if "race" in pending:
            self._race, self._gen = pending["race"]
            self._plane = self._landscape = None
            self._fitted_at, self._next_fit, self._slice = -1, 0.0, 1
        if "target" in pending:
            self._target = pending["target"]
        if "running" in pending:
            self._running = pending["running"]
        if "params" in pending:
            self._params = pending["params"]
            self._fitted_at = -1

    def _racing(self) -> bool:
        r = self._race
        return bool(self._running and r is not None and r.step < self._target and r.going)

    def _advance(self) -> None:
        race = self._race
        t0 = time.perf_counter()
        race.advance(min(self._slice, self._target - race.step))
        took = time.perf_counter() - t0
        if took < SLICE_MIN:
            self._slice = min(self._slice * 2, 1_000_000)
        elif took > SLICE_MAX and self._slice > 1:
            self._slice //= 2
        now = time.perf_counter()
        if not self._racing():
            self._finish()
        elif now - self._last_publish >= PUBLISH_INTERVAL:
            self._publish(refit=self._plane is None or self._fitted_at < 0
                          or now >= self._next_fit, resolution=LIVE_RESOLUTION)

    def _finish(self) -> None:
        """The race reached its steps (or every racer diverged): the last picture, with the
        final metrics, and the event that says so."""
        race = self._race
        self._running = False
        self._publish(refit=True, final=True)
        going = len(race.going)
        self._event("finished", f"finished at step {race.step}" + (
            f"; {len(race.racers) - going} diverged" if going < len(race.racers) else ""))

    def _publish(self, refit: bool, final: bool = False, resolution: int = RESOLUTION) -> None:
        race = self._race
        if refit or self._plane is None:
            t0 = time.perf_counter()
            try:
                self._plane = race.plane(self._params)
            except NNVizError:  # parameters of another network: the paths' plane
                self._params = None
                self._plane = race.plane()
            self._landscape = race.landscape(self._plane, resolution, self._quit.is_set)
            self._fitted_at = race.step
            self._refit_cost = time.perf_counter() - t0
            self._next_fit = time.perf_counter() + max(REFIT_MIN, REFIT_SHARE * self._refit_cost)
        finished = race.step >= self._target or not race.going
        view = race.view(self._plane, self._landscape, final=final, finished=finished)
        with self._lock:
            self._latest = (self._gen, view)
        self._last_publish = time.perf_counter()

    def _event(self, kind: str, message: str, details: str = "") -> None:
        with self._lock:
            self._events.append((self._gen, kind, message, details))


class RacerRow:
    """One racer's choice: on or off, optimiser and learning rate (controls made from the
    configuration table, so their limits are the table's)."""

    def __init__(self, i: int, optimizer: str, lr: float, checked: bool):
        self.check = QCheckBox(f"Racer {i + 1}")
        self.check.setChecked(checked)
        self.check.setStyleSheet(f"QCheckBox {{ color: {racer_color(i)}; font-weight: bold }}")
        self.optimizer = Control(SETTINGS["optimizer"])
        self.optimizer.set_value(optimizer)
        self.lr = Control(SETTINGS["lr"])
        self.lr.set_value(lr)

    @property
    def checked(self) -> bool:
        return self.check.isChecked()


class RaceWindow(QWidget):
    """The race window of ``config`` (on ``dataset``, the run's own data); ``params``: the
    inspector's two parameters (a plane choice), or None. ``source()``, if given, returns
    (config, dataset, params) afresh at each Start (the main window's run as it is then)."""

    def __init__(self, config: TrainingConfig, dataset=None, params=None, parent=None,
                 source=None):
        super().__init__(parent, Qt.Window)
        self.setObjectName("raceWindow")
        self.setWindowTitle("Optimiser race — nnviz")
        self.view: RaceView | None = None
        self.finished_message = ""
        self._gen = 0
        self.race: Race | None = None
        self._source = source
        self._build()
        self.set_base(config, dataset, params)
        for row, (_, factor, _) in zip(self.rows, DEFAULT_RACERS):  # the run's own lr
            lr = config.lr * factor
            if SETTINGS["lr"].accepts(lr):
                row.lr.set_value(lr)
        self.resize(1200, 680)

        self._worker = RaceWorker()
        self._thread = start_thread(self._worker, "nnviz-race")
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start()
        if parent is not None:
            parent.installEventFilter(self)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.rows: list[RacerRow] = []
        for i, (opt, _, checked) in enumerate(DEFAULT_RACERS[:MAX_RACERS]):
            row = RacerRow(i, opt, 0.01, checked)
            box = QFrame()
            box.setFrameShape(QFrame.StyledPanel)
            grid = QGridLayout(box)
            grid.setContentsMargins(6, 4, 6, 4)
            grid.addWidget(row.check, 0, 0, 1, 2)
            grid.addWidget(QLabel("Optimiser"), 1, 0)
            grid.addWidget(row.optimizer.widget, 1, 1)
            grid.addWidget(QLabel("lr"), 2, 0)
            grid.addWidget(row.lr.widget, 2, 1)
            top.addWidget(box, 1)
            self.rows.append(row)
        side = QGridLayout()
        s = SETTINGS["max_steps"]
        self.steps = CheckedSpinBox("steps", int(s.min), int(s.max))
        self.steps.setValue(DEFAULT_STEPS)
        self.steps.setToolTip("Steps each racer trains")
        self.steps.valueChanged.connect(self._on_steps)
        side.addWidget(QLabel("Steps"), 0, 0)
        side.addWidget(self.steps, 0, 1)
        self.plane = QComboBox()
        self.plane.setToolTip("What the paths are drawn on: the plane through the start along "
                              "the paths' two main directions, or the inspector's two "
                              "parameters (the last two connections selected in the diagram)")
        self.plane.currentIndexChanged.connect(self._on_plane)
        side.addWidget(QLabel("Plane"), 1, 0)
        side.addWidget(self.plane, 1, 1)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Race the chosen racers from the configuration's initial "
                                     "weights (its seed), all drawing the same samples")
        self.start_button.clicked.connect(self.start)
        self.play_button = QPushButton("Pause")
        self.play_button.setToolTip("Pause or resume the race")
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self.toggle)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.play_button)
        side.addLayout(buttons, 2, 0, 1, 2)
        top.addLayout(side)
        layout.addLayout(top)
        self.status = QLabel("Choose the racers, then press Start.")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.plots = RacePlots()
        layout.addWidget(self.plots, 1)
        self.running = False

    def set_base(self, config: TrainingConfig, dataset=None, params=None) -> None:
        """The configuration the next Start races, its data, and the inspector's two
        parameters."""
        self.config, self.dataset, self.params = config, dataset, params
        current = self.plane.currentData()
        self.plane.blockSignals(True)
        self.plane.clear()
        self.plane.addItem("Main directions of the paths (PCA)", None)
        if params is not None:
            self.plane.addItem(f"Inspector's {params[0].label} and {params[1].label}",
                               tuple(params))
        index = self.plane.findData(current)
        self.plane.setCurrentIndex(max(0, index))
        self.plane.blockSignals(False)

    # ------------------------------------------------------------------ commands
    def racer_configs(self) -> list[TrainingConfig]:
        return [self.config.replace(optimizer=r.optimizer.value(), lr=r.lr.value(),
                                    description="") for r in self.rows if r.checked]

    def start(self) -> bool:
        """Build the race of the checked racers and run it; False (the reason shown) if it
        cannot be built."""
        if self._source is not None:
            self.set_base(*self._source())
        try:
            race = Race(self.racer_configs(), dataset=self.dataset)
        except NNVizError as exc:
            self.status.setText(f"Cannot race: {one_line(str(exc))}")
            self.status.setStyleSheet("color: #b00020")
            return False
        self.status.setStyleSheet("")
        self._gen += 1
        self.race, self.view, self.finished_message = race, None, ""
        self._worker.submit(race=(race, self._gen), target=self.steps.value(),
                            params=self.plane.currentData(), running=True)
        self._set_running(True)
        self.status.setText(f"Racing {len(race.racers)}: " + ", ".join(
            r.label for r in race.racers) + f" — from seed {self.config.seed}'s initial "
            "weights, the same samples in the same order.")
        return True

    def toggle(self) -> None:
        if self.race is not None:
            self._set_running(not self.running)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self._worker.submit(running=running)
        self.play_button.setEnabled(self.race is not None)
        self.play_button.setText("Pause" if running else "Resume")

    def _on_steps(self, value: int) -> None:
        self._worker.submit(target=value)

    def _on_plane(self, _index: int) -> None:
        self._worker.submit(params=self.plane.currentData())

    def _on_tick(self) -> None:
        gc_control.collect_due()  # (the racers run: collections happen here, not in them)
        latest, events = self._worker.take()
        if latest is not None and latest[0] == self._gen:
            self.view = latest[1]
            self.plots.show_view(self.view)
        for gen, kind, message, _details in events:
            if gen != self._gen:
                continue
            self._set_running(False)
            if kind == "finished":
                self.finished_message = message
                if self.race is not None and not self.race.going:  # nothing can go on
                    self.play_button.setEnabled(False)
                    self.status.setText(f"Race {message}: every racer diverged - lower the "
                                        "learning rates and Start again.")
                else:
                    self.status.setText(f"Race {message}. Raise the steps and Resume to go "
                                        "on.")
            else:
                self.status.setText(f"The race stopped: {message}")
                self.status.setStyleSheet("color: #b00020")

    # ------------------------------------------------------------------ closing
    def eventFilter(self, watched, event) -> bool:
        """The main window closing (hidden, not by the window system) closes this one."""
        if watched is self.parent() and event.type() == QEvent.Hide and \
                not event.spontaneous():
            self.close()
        return False

    def shutdown(self, timeout_ms: int = 3000) -> None:
        """Stop the worker and its thread (idempotent)."""
        self._timer.stop()
        stop_thread(self._thread, self._worker, timeout_ms)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)


def window_run(window) -> tuple:
    """(configuration, dataset, the inspector's two parameters) of main window ``window``'s
    current run (the GUI thread reads only the run's dataset, which never changes)."""
    c = window.controller
    inspector = window.panels.get("backpropInspector")
    params = getattr(inspector, "landscape_params", None)
    dataset = c.experiment.dataset if c.experiment is not None else None
    return c.config, dataset, params


def open_race(window) -> RaceWindow:
    """Show main window ``window``'s race window (made on first use, again after it was
    closed), which races the window's run as it is when Start is pressed."""
    race = getattr(window, "race_window", None)
    if race is not None and race._thread.isRunning():
        race.set_base(*window_run(window))
    else:
        if race is not None:  # closed: its thread is over
            race.deleteLater()
        race = window.race_window = RaceWindow(*window_run(window), parent=window,
                                               source=lambda: window_run(window))
    race.show()
    if QGuiApplication.platformName() != "offscreen":  # (it cannot raise a window)
        race.raise_()
        race.activateWindow()
    return race
