"""The training worker: a QObject that runs the current experiment's trainer in its own QThread.

The worker loops in its thread. Commands reach it through a lock-protected dict of pending
changes and two ``threading.Event`` objects (wake, quit) that it checks between small slices of
``trainer.run(k)`` (k adapted so a slice takes ~2-5 ms): a worker busy in its loop never runs
queued slots. It keeps the latest frozen ``Snapshot`` (copies only) under the same lock, at most
~30 per second by wall time (20 when it trains flat out: the panels then redraw ~11 times a
second each, and every snapshot costs ~0.3 ms here and ~1 ms of the GUI thread's time, taken
in, recorded, counted), and the events the GUI must hear about; the GUI thread's
``TrainingController`` (``nnviz.gui.controller``) takes both with ``take``.

Once a run is handed to the worker, only the worker thread touches its network, trainer and
configuration: live configuration edits, hand edits of a weight or bias (with undo and redo;
a fresh snapshot follows at once), step-through actions (the walk lives here,
``nnviz.gui.stepping``, and leaves as a snapshot's ``walk``) and file operations (``call``) are
commands too.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import time
import traceback
from concurrent.futures import Future
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QObject, QThread, Slot

from nnviz import drawing
from nnviz.engine.parallel import set_blas_threads, set_threads
from nnviz.engine.phases import PhaseStepper
from nnviz.engine.trainer import Trainer
from nnviz.errors import NNVizError
from nnviz.experiment import Experiment
from nnviz.gui.stepping import StepThrough
from nnviz.snapshot import (
    Snapshot,
    prediction_curve,
    prediction_grid,
    take_snapshot,
    walk_snapshot,
)

PUBLISH_INTERVAL = 1 / 30  # s between snapshots while training at a pace (load 0)
PUBLISH_BUSY = 1 / 20  # ... and flat out (load 1; in between, in proportion)
GRID_INTERVAL = 1 / 5  # s between prediction grids while training flat out
SLICE_MIN, SLICE_MAX = 0.002, 0.005  # s per trainer.run slice
IDLE_WAIT = 0.1  # s the idle worker sleeps between checks
BEAT_LATE = 0.080  # s: an older heartbeat means a long GUI task (resize, dialog) is under way
YIELD_MAX = 0.002  # s the worker steps aside at most per slice for a late heartbeat
HANDOFF = 1e-6  # s the worker sleeps after each slice (~0.03 ms with TIMER_SLACK; see run)
#: ns of timer slack of the worker thread (Linux; the kernel's default is 50,000 ns): a sleep of
#: 1 us after a busy slice lasted ~0.3 ms with the default (measured: circles mini-batch, 2-5 ms
#: slices, 9-11% of the wall time asleep), ~0.03 ms with 1 ns
TIMER_SLACK = 1
BUSY_MAX = 0.100  # s the worker waits at most for a GUI update to finish
PARK_WAIT = 0.010  # s the GUI waits at most for the worker to finish its slice and park
# (Python's GIL switch interval is left at its 5 ms: HANDOFF after each slice hands the GIL to
# a waiting GUI thread. At 0.5 ms the hand-offs cost the GUI thread 2-3x its CPU outside panel
# updates at full speed: bench_gui circles mini-batch 6.2-6.6 frames/s per panel, not 10.3-10.8)
LOAD_WINDOW = 0.25  # s over which the worker's load is measured (then averaged with the last)


@dataclass(frozen=True)
class WorkerEvent:
    """Something the GUI must hear about: kind "stopped" (message), "error" (message, details)
    or "message" (a line for the status bar)."""

    kind: str
    generation: int
    message: str
    details: str = ""
    diverged: bool = False


def set_timer_slack(ns: int) -> bool:
    """The calling thread's timer slack in ns (``prctl(PR_SET_TIMERSLACK)``): how late the
    kernel may end its sleeps to batch wake-ups. False where there is no such call (not Linux,
    or refused): sleeps then keep the system's slack."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(29, int(ns), 0, 0, 0) == 0
    except (OSError, AttributeError):  # (no libc prctl)
        return False


class Worker(QObject):
    """Runs the trainer of the current experiment; lives in a QThread (see module docstring)."""

    def __init__(self, grid_resolution: int = 64):
        super().__init__()
        self.grid_resolution = grid_resolution
        self._lock = threading.Lock()
        self._pending: dict = {}
        self._wake = threading.Event()
        self._quit = threading.Event()
        self.idle = threading.Event()  # set while the worker is not training
        self.idle.set()
        self._latest: Snapshot | None = None
        self._events: list[WorkerEvent] = []
        # worker-thread state
        self._exp: Experiment | None = None
        self._gen = 0
        self._running = False
        self._steps_to_do = 0  # queued single steps (in trainer steps)
        self._sample_steps = 0  # queued one-sample steps
        self._speed: float | None = None
        self._slice = 1
        self._last_publish = 0.0
        self._last_grid = -1.0
        self._grid = self._curve = None
        # (mean, dead, saturated, fit, current_loss) as of the last grid
        self._activity: tuple | None = None
        self._stepping = StepThrough()
        self._dirty = False
        self._pace_start = 0.0
        self._pace_steps = 0
        self.gui_beat = time.perf_counter()  # the GUI thread's last heartbeat
        self.gui_busy = False  # set by the GUI thread while it updates a panel
        self.parked = threading.Event()  # set while the worker computes nothing
        #: perf_counter() when the slice under way is expected to end (its steps at the
        #: last slice's time per step; read by ``set_gui_busy``)
        self.slice_end = 0.0
        self._step_time = self._slice_time = 0.0  # s per trainer step, s of the last slice
        self._resume = threading.Event()  # set when the GUI update is over
        # load: the share of the time it was free to run that the worker computed, over
        # LOAD_WINDOW (0: paused, or paced and asleep; 1: flat out); see _measure_load
        self.load = 0.0
        self._load_start = self._load_cpu = 0.0
        self._parked_time = 0.0
        self._blas_limited = False  # (``_limit_blas``)

    # ------------------------------------------------------------------ any thread
    def submit(self, **changes) -> None:
        """Queue changes for the worker: experiment, running, configure (``Trainer.configure``
        keywords, merged), config (the run's TrainingConfig once configured), speed, walk_mode;
        and, accumulated in order: step (a unit name), walk (a step-through action), draw
        ((op, args): points drawn, ``_draw``), param (a hand edit: ("set", layer, kind, index,
        value, merge), ("undo",) or ("redo",)), call ((fn, Future, whole): fn(experiment) run
        on the worker; whole: a step-through sample under way is completed first)."""
        with self._lock:
            for key, queue in (("step", "steps"), ("walk", "walks"), ("draw", "draws"),
                               ("param", "params"), ("call", "calls")):
                item = changes.pop(key, None)
                if item is not None:
                    self._pending.setdefault(queue, []).append(item)
            if "configure" in changes:
                self._pending.setdefault("configure", {}).update(changes.pop("configure"))
            self._pending.update(changes)
            if changes.get("running") is False or "experiment" in changes:
                self._pending.pop("steps", None)
            if "experiment" in changes:  # (edits and walks were the old run's)
                for key in ("walks", "draws", "params", "configure", "config"):
                    self._pending.pop(key, None)
            if set(self._pending) & {"running", "steps", "walks", "draws", "params", "calls",
                                     "experiment"}:
                self.idle.clear()
        self._wake.set()

    def set_gui_busy(self, busy: bool) -> bool:
        """From the GUI thread: park between slices (True) or go on (False). True returns
        whether the worker parked: it waits for the slice under way to end, ``PARK_WAIT`` at
        most, and not at all when that slice is expected to last longer (``slice_end``: a
        slice of one long step, function-fit full-batch ~15 ms, kept the GUI waiting the
        full 10 ms for half its updates); the worker then parks when that slice ends."""
        if busy:
            self._resume.clear()
            self.gui_busy = True
            if self.slice_end - time.perf_counter() > PARK_WAIT:
                return self.parked.is_set()
            return self.parked.wait(PARK_WAIT)
        self.gui_busy = False
        self._resume.set()
        self.gui_beat = time.perf_counter()
        return False

    def quit(self) -> None:
        self._quit.set()
        self._wake.set()
        self._resume.set()

    def settled(self) -> bool:
        """True once the worker has done all it was asked and its last snapshot and events
        were taken (scripts and tests wait for this; the window never does)."""
        with self._lock:
            return (self.idle.is_set() and not self._pending and self._latest is None
                    and not self._events)

    def take(self) -> tuple[Snapshot | None, list[WorkerEvent]]:
        """The latest snapshot since the last call (or None) and the events since then."""
        with self._lock:
            snap, events = self._latest, self._events
            self._latest, self._events = None, []
        return snap, events

    # ------------------------------------------------------------------ worker thread
    @Slot()
    def run(self) -> None:
        """The loop; returns when ``quit`` was called, then ends the thread's event loop."""
        set_threads(1)  # (and one BLAS thread before the first numpy work: ``_limit_blas``)
        set_timer_slack(TIMER_SLACK)
        # numpy's error state is per thread (np.errstate in the GUI thread does not reach
        # here): this thread's own, so an overflow on the way to a divergence (reported as
        # such) never prints a RuntimeWarning on stderr
        np.seterr(all="ignore")
        self._load_start, self._load_cpu = time.perf_counter(), time.thread_time()
        try:
            while not self._quit.is_set():
                self._apply_pending()
                budget = self._budget()
                if budget == 0:
                    if self._dirty:
                        self._publish(force=True)
                    if not self._has_work():
                        self.idle.set()
                    self.parked.set()
                    self._wake.wait(self._wait_time())
                    self.parked.clear()
                    self._wake.clear()
                    self._measure_load()
                    continue
                self._yield_to_gui()
                self._train(budget)
                self._measure_load()
        finally:
            self._exp = None
            self.idle.set()
            QThread.currentThread().quit()

    def _yield_to_gui(self) -> None:
        """Between slices: park while the GUI thread updates a panel, else let it have the GIL.

        CPython hands the GIL to a waiting thread only when the holder keeps it for a whole
        switch interval; numpy releases and retakes it around every larger operation, which
        restarts that count, so a GUI thread waiting for the GIL could wait 100+ ms (measured:
        a 10 ms timer 20-30 ms late at the median). A real sleep (``HANDOFF``: the shortest,
        ~0.03 ms with TIMER_SLACK, ~1% of a 2-5 ms slice; with the kernel's default slack it
        lasted ~0.3 ms after a busy slice, ~10% of the time) after every slice hands it over:
        GUI events wait at most a slice. The GUI thread holds the GIL through every Qt call it
        makes, painting included, so a panel update runs with the worker parked: the
        dispatcher brackets it with ``set_gui_busy``, which waits (``PARK_WAIT`` at most) for
        the slice under way to end. A late heartbeat (some other long GUI task: resizing, a
        dialog) gets a longer pause."""
        if self.gui_busy:
            self.parked.set()
            start = time.perf_counter()
            self._resume.wait(BUSY_MAX)
            self._parked_time += time.perf_counter() - start
            self.parked.clear()
        elif time.perf_counter() - self.gui_beat >= BEAT_LATE:
            time.sleep(YIELD_MAX)
        else:
            time.sleep(HANDOFF)

    def _measure_load(self) -> None:
        """Training flat out (no pace, or queued steps): ``load`` is 1 at once, however little
        CPU a loaded machine gives the worker. Otherwise, every LOAD_WINDOW s, the mean of the
        previous value and this window's cpu / (elapsed - parked), cpu being this thread's CPU
        time (``time.thread_time``): parked time does not count, so more drawing does not read
        as more load; nor does waiting for the GIL while the GUI thread draws (measured on
        wall time instead, a worker paced at 200 steps/s read 0.3-0.7 and starved the
        panels)."""
        now = time.perf_counter()
        flat_out = (self._running and not self._speed) or self._steps_to_do
        elapsed = now - self._load_start
        if not flat_out and elapsed < LOAD_WINDOW:
            return
        cpu = time.thread_time()
        if flat_out:  # (the dispatcher's budget must shrink with the first slice: averaged
            self.load = 1.0  # in, the first second after Play drew at the resting rate)
        else:
            sample = (cpu - self._load_cpu) / max(elapsed - self._parked_time, 1e-9)
            self.load = 0.5 * self.load + 0.5 * min(1.0, max(0.0, sample))
        self._load_start, self._load_cpu, self._parked_time = now, cpu, 0.0

    def _has_work(self) -> bool:
        with self._lock:
            return bool(self._pending)

    def _wait_time(self) -> float:
        if self._running and self._speed:
            return max(0.001, min(IDLE_WAIT, 1.0 / self._speed))
        return IDLE_WAIT

    def _apply_pending(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        if set(pending) - {"experiment", "speed", "running"}:  # (adopting a run, a pace or
            self._limit_blas()  # a start or stop computes nothing; any other change may)
        if "experiment" in pending:
            self._exp, self._gen = pending["experiment"]
            self._running, self._steps_to_do, self._sample_steps = False, 0, 0
            self._grid, self._last_grid, self._dirty = None, -1.0, False
            self._activity = None
            self._stepping.forget()
        if "walk_mode" in pending:
            self._stepping.set_mode(pending["walk_mode"])
        if self._exp is not None:
            if "configure" in pending:
                self._configure(pending["configure"], pending.get("config"))
            for op in pending.get("draws", ()):
                self._draw(*op)
            for command in pending.get("params", ()):
                self._edit_param(command)
            for action in pending.get("walks", ()):
                self._walk(action)
            if pending.get("running") or pending.get("steps"):
                self._stepping.leave()  # (the next snapshot, without a walk, says so)
            for unit in pending.get("steps", ()):
                self._queue_step(unit)
        for fn, future, whole in pending.get("calls", ()):
            self._call(fn, future, whole)
        if "speed" in pending:
            self._speed = pending["speed"]
            self._pace_start, self._pace_steps = time.perf_counter(), 0
        if "running" in pending:
            self._set_running(pending["running"])
        if set(pending) - {"experiment", "speed"}:  # (a new run: the controller took its
            self._dirty = True  # snapshot; a pace changes no picture: nothing to publish)
        if self._exp is not None and pending.get("params"):
            self._publish(force=True)  # a hand edit shows within a frame, training or not

    def _configure(self, live: dict, config) -> None:
        """Live fields to the trainer, then ``config`` becomes the run's (both on this thread)."""
        try:
            if live:
                self._exp.trainer.configure(**live)
        except NNVizError as exc:  # the panel checks first; a refusal changes nothing
            self._event("error", str(exc))
            return
        if config is not None:
            self._exp.config = config

    def _draw(self, op: str, args: tuple) -> None:
        """A change of the rows (``nnviz.drawing``): "add" (x, target), "remove" (x, widths)
        or "refit" (); a refusal is a status line. A step-through walk under way finishes its
        sample on the old rows and ends (a rewind cannot cross a change of rows); the next
        snapshot has a fresh grid and the new rows (published at once when paused)."""
        fn = {"add": drawing.add_point, "remove": drawing.remove_nearest,
              "refit": drawing.refit_scaling}.get(op)
        if fn is None:
            raise ValueError(f"unknown draw operation {op!r}")
        if self._stepping.leave():
            self._event("message", "step-through ended: the training points changed")
        try:
            fn(self._exp, *args)
        except NNVizError as exc:
            self._event("message", str(exc))
            return
        except Exception as exc:  # a bug: report it, keep the app alive
            self._event("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return
        self._last_grid, self._activity = -1.0, None  # (the next snapshot: all of it fresh)

    def _edit_param(self, command) -> None:
        """A hand edit (``Trainer.edit``), its undo or redo; in step-through mode from the
        start of the sample under way (``BackpropWalk.amend``). A line for the status bar
        says what changed, or why not."""
        t = self._exp.trainer
        what, *args = command
        if what == "set":
            layer, kind, index, value, merge = args

            def change(tr):
                return tr.edit(layer, kind, index, value, merge=merge)
        else:
            change = Trainer.undo_edit if what == "undo" else Trainer.redo_edit
        walk = self._stepping.walk
        try:
            edit = walk.amend(change) if walk is not None and walk.trainer is t else change(t)
        except NNVizError as exc:  # the editor checks first; a refusal changes nothing
            self._event("message", f"edit refused: {exc}")
            return
        if edit is None:
            self._event("message", f"nothing to {what}")
        elif what != "set":
            self._event("message", f"{what}: {edit.text}")

    def _walk(self, action) -> None:
        """A step-through action; its snapshot is published once the pending work is done."""
        try:
            message = self._stepping.act(self._exp.trainer, action)
        except Exception as exc:  # a bug or a bad state: report it, keep the app alive
            self._stepping.forget()
            self._event("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return
        if message:
            self._event("message", message)

    def _call(self, fn, future: Future, whole: bool) -> None:
        """Run ``fn(experiment)`` for ``TrainingController.call`` with the trainer in sync
        (``whole``: a sample under way in step-through mode is completed first)."""
        if not future.set_running_or_notify_cancel():
            return
        try:
            if self._exp is None:
                raise NNVizError("there is no run to work on")
            if whole and self._stepping.finish_sample():
                self._dirty = True  # (its snapshot follows)
            self._exp.trainer.sync()
            future.set_result(fn(self._exp))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting GUI thread
            future.set_exception(exc)

    def _queue_step(self, unit) -> None:
        t = self._exp.trainer
        if not self._release_stop(t):
            return
        if isinstance(unit, int):
            self._steps_to_do += unit
        elif unit == "sample":
            self._sample_steps += 1
        elif unit == "batch":
            self._steps_to_do += 1
        else:
            self._steps_to_do += t.steps_to_epoch_end()

    def _release_stop(self, t) -> bool:
        """Clear a stop so training may go on; False (and an event) if a condition still holds."""
        if t.resume():
            return True
        self._event("stopped", t.stop_reason)
        return False

    def _set_running(self, running: bool) -> None:
        if running and self._exp is not None:
            running = self._release_stop(self._exp.trainer)
        self._running = running and self._exp is not None
        self._pace_start, self._pace_steps = time.perf_counter(), 0

    def _budget(self) -> int:
        """Trainer steps the next slice may run (0: nothing to do now)."""
        if self._exp is None:
            return 0
        if self._sample_steps:
            return 1
        if self._steps_to_do:
            return min(self._steps_to_do, self._slice)
        if not self._running:
            return 0
        if self._speed:
            due = int((time.perf_counter() - self._pace_start) * self._speed) + 1
            return max(0, min(self._slice, due - self._pace_steps))
        return self._slice

    def _limit_blas(self) -> None:
        """numpy's BLAS on one thread (process-wide) from this thread's first numpy work on:
        not at the thread's start, where threadpoolctl's look through the loaded libraries
        (~6 ms of CPU) competed with the window's first frame while the worker had nothing to
        compute (a new window's worker only adopts the run until something is asked of it)."""
        if not self._blas_limited:
            set_blas_threads(1)
            self._blas_limited = True

    def _train(self, budget: int) -> None:
        self._limit_blas()
        t = self._exp.trainer
        start = time.perf_counter()
        self.slice_end = start + self._step_time * budget
        try:
            if self._sample_steps:
                self._sample_steps -= 1
                stepper = PhaseStepper(t, indices=t.sampler.next_samples(1))
                stepper.finish()
                done = 1
            else:
                done = t.run(budget)
                if self._steps_to_do:
                    self._steps_to_do = max(0, self._steps_to_do - budget)
        except Exception as exc:  # a bug or a bad state: report it, keep the app alive
            self._running, self._steps_to_do, self._sample_steps = False, 0, 0
            self._publish(force=True)  # (before the event: the GUI takes both in one tick)
            self._event("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return
        elapsed = time.perf_counter() - start
        self.slice_end = 0.0
        self._step_time, self._slice_time = elapsed / max(1, done), elapsed
        self._pace_steps += done
        if elapsed < SLICE_MIN:
            self._slice = min(self._slice * 2, 1 << 16)
        elif elapsed > SLICE_MAX and self._slice > 1:
            self._slice = max(1, self._slice // 2)
        if t.stopped:
            self._running, self._steps_to_do, self._sample_steps = False, 0, 0
            div = t.divergence
            self._publish(force=True)
            self._event("stopped", t.stop_reason, diverged=div is not None)
        else:
            self._dirty = True
            self._publish(force=not (self._running or self._steps_to_do or self._sample_steps))

    def _event(self, kind: str, message: str, details: str = "", diverged: bool = False) -> None:
        with self._lock:
            self._events.append(WorkerEvent(kind, self._gen, message, details, diverged))

    def _publish(self, force: bool = False) -> None:
        now = time.perf_counter()
        interval = PUBLISH_INTERVAL + (PUBLISH_BUSY - PUBLISH_INTERVAL) * self.load
        # (at the end of the slice nearest to the interval's end, not of the first one past
        # it: slices of one long step, function-fit full-batch ~15 ms, published ~15.6
        # snapshots/s instead of 20, and a panel then waited for a snapshot more often)
        interval -= min(self._slice_time, interval) / 2
        if self._exp is None or (not force and now - self._last_publish < interval):
            return
        self._limit_blas()
        exp = self._exp
        if self._stepping.active:  # a person's click: everything at once, the walk's values
            with np.errstate(all="ignore"):
                snap = walk_snapshot(exp, self._stepping.walk, self._gen)
            with self._lock:
                self._latest = snap
            self._last_publish, self._dirty = time.perf_counter(), False
            return
        # the grid, and the activity and fit over the training set (a forward pass of up to
        # 2,048 rows: 2 ms for function-fit) at GRID_INTERVAL when training flat out, with
        # every snapshot when resting (a paced run: the boundary moves smoothly); weights and
        # sample every time
        every = PUBLISH_INTERVAL + (GRID_INTERVAL - PUBLISH_INTERVAL) * self.load
        fresh = force or now - self._last_grid >= every or self._activity is None
        with np.errstate(all="ignore"):  # a diverging run is reported, not warned about
            if fresh:
                self._grid = prediction_grid(exp, resolution=self.grid_resolution)
                self._curve = prediction_curve(exp, resolution=self.grid_resolution)
                self._last_grid = now
            snap = take_snapshot(exp, grid=self._grid, with_activity=fresh,
                                 generation=self._gen, curve=self._curve)
        if fresh:
            self._activity = (snap.mean_activation, snap.dead, snap.saturated, snap.fit,
                              snap.current_loss)
        else:
            mean, dead, saturated, fit, loss = self._activity
            snap = replace(snap, mean_activation=mean, dead=dead, saturated=saturated, fit=fit,
                           current_loss=loss)
        with self._lock:
            self._latest = snap
        self._last_publish, self._dirty = time.perf_counter(), False
