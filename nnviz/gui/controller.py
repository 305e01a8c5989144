"""The GUI's handle on training: a ``TrainingController`` owns the worker's QThread.

The ``Worker`` (``nnviz.gui.worker``) trains in its own thread; the controller sends it
commands (``Worker.submit``, never queued slots: a worker busy in its loop never runs them) and
a GUI-thread QTimer takes its latest frozen ``Snapshot`` and events (latest wins), so every Qt
signal here is emitted from the GUI thread.

Once a run is handed to the worker, only the worker thread touches its network, trainer and
configuration: the controller keeps the frozen ``TrainingConfig`` it last asked for, the GUI
lays panels out from a frozen ``RunInfo``, and file operations run on the worker through
``TrainingController.call``.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal

from nnviz import gc_control
from nnviz.config import ARRAYS, CSV_FIELDS, live_changes
from nnviz.errors import NNVizError
from nnviz.experiment import Experiment, TrainingConfig, build
from nnviz.gui.stepping import ACTIONS
from nnviz.gui.threads import start_thread, stop_thread
from nnviz.gui.worker import Worker
from nnviz.snapshot import (
    RunInfo,
    Snapshot,
    prediction_curve,
    prediction_grid,
    run_info,
    take_snapshot,
)

#: the fields that say which data a run trains on (the same: drawn points stay)
DATA_FIELDS = ("dataset", "dataset_params", *CSV_FIELDS)
STEP_UNITS = ("sample", "batch", "epoch")
CALL_WAIT = 10.0  # s the GUI waits at most for the worker to take up a ``call``


class TrainingController(QObject):
    """The GUI's handle on training: owns the QThread and the Worker, polls snapshots at ~30 Hz.

    Signals (all emitted on the GUI thread): ``experimentChanged(RunInfo, Snapshot)`` after
    ``load``/``reset``; ``snapshotReady(Snapshot)`` (in step-through mode its ``walk`` is
    set); ``runningChanged(bool)``; ``stopped(str message, bool diverged)``;
    ``failed(str message, str details)``; ``message(str)`` (a line for the status bar);
    ``rebuildNeeded(TrainingConfig)`` when an edited configuration needs a new run.

    ``experiment`` is the live run: once handed to the worker, the GUI thread never reads
    it; ``config`` is the frozen TrainingConfig last asked for (the worker applies edits to
    the run); panels get ``run`` (a RunInfo) and snapshots; ``dataset`` is the run's data as
    the latest snapshot has it (points drawn change it, ``draw``).
    ``stepping``: step-through actions were sent since the last play, step or load.
    """

    experimentChanged = Signal(object, object)
    rebuildNeeded = Signal(object)
    snapshotReady = Signal(object)
    runningChanged = Signal(bool)
    stopped = Signal(str, bool)
    failed = Signal(str, str)
    message = Signal(str)

    def __init__(self, parent=None, fps: float = 30.0):
        super().__init__(parent)
        self.experiment: Experiment | None = None
        self._config: TrainingConfig | None = None
        self.run: RunInfo | None = None
        self.snapshot: Snapshot | None = None
        self.running = False
        self.stepping = False
        self.speed: float | None = None
        self._gen = 0
        self._worker = Worker()
        # the poll is also the GUI thread's heartbeat (``Worker.gui_beat``: a late one tells
        # the worker a long GUI task is under way); a timer of its own at 25 Hz woke the GUI
        # thread, and took the GIL from the worker, 25 more times a second
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.setInterval(int(1000 / fps))
        self._timer.timeout.connect(self._on_tick)
        self._thread = start_thread(self._worker, "nnviz-training")
        self._timer.start()

    # ------------------------------------------------------------------ state
    @property
    def config(self) -> TrainingConfig | None:
        return self._config

    @property
    def thread(self) -> QThread:
        return self._thread

    @property
    def worker(self) -> Worker:
        return self._worker

    # ------------------------------------------------------------------ commands
    @property
    def dataset(self):
        """The current run's data now (a drawn point makes a new one), or None."""
        snap = self.snapshot
        if snap is not None and snap.data is not None:
            return snap.data.dataset
        return self.run.dataset if self.run is not None else None

    def _drawn_data(self, config: TrainingConfig):
        """The current data, when it was drawn or edited and ``config`` describes the same
        data (a new run of other settings keeps the points drawn); else None."""
        ds, old = self.dataset, self._config
        if ds is None or old is None or any(
                getattr(config, f) != getattr(old, f) for f in DATA_FIELDS):
            return None
        edited = (self.snapshot is not None and self.snapshot.data is not None
                  and self.snapshot.data.revision > 0)
        return ds if edited or config.dataset == "drawn" or ds.name.endswith(" (edited)") \
            else None

    def drops_drawn(self, config: TrainingConfig) -> bool:
        """True if a run of ``config`` would not keep the points drawn into this one."""
        snap = self.snapshot
        drawn = snap is not None and snap.data is not None and (
            snap.data.revision > 0 or snap.data.dataset.name.endswith(" (edited)")
            or (snap.data.dataset.name == "drawn" and snap.data.dataset.n_samples > 0))
        return drawn and self._drawn_data(config) is None

    def load(self, config: TrainingConfig, dataset=None) -> Experiment:
        """Build ``config`` (raises NNVizError on bad input, keeping the current run) and make
        it the current run, paused at step 0. A run on arrays handed in from Python
        (dataset ``ARRAYS``) keeps the current run's arrays: a configuration cannot rebuild
        them. Drawn or edited data stay when ``config`` describes the same dataset."""
        if dataset is None and config.dataset == ARRAYS and self._config is not None \
                and self._config.dataset == ARRAYS:
            dataset = self.dataset  # (the arrays as the latest snapshot has them)
        if dataset is None:
            dataset = self._drawn_data(config)
        return self.adopt(build(config, dataset=dataset))

    def adopt(self, exp: Experiment) -> Experiment:
        """Make an already built experiment (e.g. a loaded session) the current run, paused."""
        self._set_running(False)
        self.stepping = False
        self._gen += 1
        self.experiment, self._config, self.run = exp, exp.config, run_info(exp)
        self.snapshot = take_snapshot(exp, grid=prediction_grid(exp), generation=self._gen,
                                      curve=prediction_curve(exp))
        self._worker.submit(experiment=(exp, self._gen), speed=self.speed)
        self.experimentChanged.emit(self.run, self.snapshot)
        return exp

    def reset(self) -> Experiment:
        """Rebuild the current configuration: same seed, same initial weights."""
        return self.load(self._config, dataset=self.dataset)

    def play(self) -> None:
        self._set_running(True)

    def pause(self) -> None:
        self._set_running(False)

    def toggle(self) -> None:
        self._set_running(not self.running)

    def step(self, unit: str = "batch") -> None:
        """One sample, one batch (one trainer step) or one epoch; pauses first."""
        if unit not in STEP_UNITS:
            raise ValueError(f"step unit must be one of {STEP_UNITS}")
        self._send(False, step=unit)

    def run_steps(self, n: int) -> None:
        """Train ``n`` more trainer steps, then pause (the --train-steps option)."""
        self._send(False, step=int(n))

    def walk(self, action: str) -> None:
        """A step-through action (``nnviz.gui.stepping.ACTIONS``); pauses first. The worker
        performs it; its snapshot arrives with ``walk`` set."""
        if action not in ACTIONS:
            raise ValueError(f"step action must be one of {ACTIONS}")
        self._send(True, walk=action)

    def pick(self, index: int) -> None:
        """Make training sample ``index`` the next one stepped through (pauses first)."""
        self._send(True, walk=("pick", int(index)))

    def draw(self, op: str, args: tuple = ()) -> None:
        """Change the run's rows on the worker (``nnviz.drawing``): "add" with args (x,
        target), x in the data's own units; "remove" with (x, widths): the nearest point;
        "refit" (the scaling). Training goes on if it was running; the new rows arrive with the next
        snapshot (at once when paused); a refusal comes back as a ``message``."""
        if op not in ("add", "remove", "refit"):
            raise ValueError(f"unknown draw operation {op!r}")
        self._worker.submit(draw=(op, tuple(args)))

    def edit_parameter(self, layer: int, kind: str, index, value, merge: bool = False) -> None:
        """Set one weight ("W", index (i, j)) or bias ("b", index (j,)) of layer ``layer`` by
        hand (``Trainer.edit``), paused or while training; the worker publishes a snapshot
        at once. ``merge``: one edit with the last one if it changed the same parameter."""
        self._worker.submit(param=("set", int(layer), kind, tuple(index), value, bool(merge)))

    def undo_edit(self) -> None:
        """Undo the last hand edit (the status bar says which, or that there was none)."""
        self._worker.submit(param=("undo",))

    def redo_edit(self) -> None:
        self._worker.submit(param=("redo",))

    def set_walk_mode(self, mode: str) -> None:
        """How step-through picks the next sample (``nnviz.engine.walk.SAMPLE_MODES``)."""
        self._worker.submit(walk_mode=mode)

    def call(self, fn, whole_steps: bool = False, timeout: float = CALL_WAIT):
        """Run ``fn(experiment)`` on the worker thread between two slices and return what it
        returns (or raise what it raised); ``whole_steps``: complete a step-through sample
        under way first (what a saved file should hold). The GUI thread waits meanwhile: use
        it for what a person asked to be done now (saving a file); the worker takes it up
        within a slice."""
        future: Future = Future()
        self._worker.submit(call=(fn, future, whole_steps))
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise NNVizError(f"the training thread did not answer within {timeout:g} s") from None

    def edit(self, config: TrainingConfig) -> None:
        """An edited configuration: differences in live fields go to the worker, which hands
        them to the trainer (``Trainer.configure``) and makes ``config`` the run's; ``config``
        is this controller's at once. Any other difference emits ``rebuildNeeded(config)`` (the
        window asks, then ``load``s it)."""
        if self._config is None:
            return
        live = live_changes(self._config, config)
        if live is None:
            self.rebuildNeeded.emit(config)
            return
        self._worker.submit(configure=live, config=config)
        self._config = config

    def set_speed(self, steps_per_second: float | None) -> None:
        """None: as fast as possible; else about that many steps per second."""
        self.speed = steps_per_second or None
        self._worker.submit(speed=self.speed)

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Pause and wait until the worker has stopped touching the experiment (for scripts
        and benchmarks; the window never waits so)."""
        self._set_running(False)
        return self._worker.idle.wait(timeout)

    def shutdown(self, timeout_ms: int = 3000) -> None:
        """Stop the worker and its thread (idempotent)."""
        self._timer.stop()
        stop_thread(self._thread, self._worker, timeout_ms)

    # ------------------------------------------------------------------ internals
    def _send(self, stepping: bool, **command) -> None:
        """Pause, then hand ``command`` to the worker (``stepping``: a step-through one)."""
        self._set_running(False)
        self.stepping = stepping
        self._worker.submit(**command)

    def _set_running(self, running: bool) -> None:
        running = bool(running) and self.experiment is not None
        self._worker.submit(running=running)
        if running:
            self.stepping = False
        if running != self.running:
            self.running = running
            self.runningChanged.emit(running)

    def set_gui_busy(self, busy: bool) -> bool:
        """The GUI thread is (True) or is no longer (False) updating panels: the worker
        parks between slices meanwhile (see ``Worker._yield_to_gui``); True returns once it
        has (``PARK_WAIT`` at most), with whether it has (``Worker.set_gui_busy``)."""
        return self._worker.set_gui_busy(busy)

    def _on_tick(self) -> None:
        self._worker.gui_beat = time.perf_counter()
        gc_control.collect_due()  # (the worker runs: collections happen here, not in it)
        snap, events = self._worker.take()
        if snap is not None and snap.generation == self._gen:
            self.snapshot = snap
            self.snapshotReady.emit(snap)
        for event in events:
            if event.generation != self._gen:
                continue
            if event.kind == "message":
                self.message.emit(event.message)
                continue
            if self.running:
                self.running = False
                self.runningChanged.emit(False)
            if event.kind == "error":
                self.failed.emit(event.message, event.details)
            else:
                self.stopped.emit(event.message, event.diverged)
