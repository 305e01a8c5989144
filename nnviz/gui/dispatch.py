"""Hand snapshots to the panels one at a time, at a rate the GUI thread and the worker can afford.

``SnapshotDispatcher.dispatch(snapshot)`` only remembers the latest snapshot. ``hold(frame)``
shows a recorded snapshot instead (the timeline's view of the past) until ``hold(None)``: live
snapshots are remembered meanwhile, not shown. A single-shot
timer then updates one panel per event-loop turn (round-robin): ``show_snapshot`` followed by
a synchronous paint of what it changed, so no GUI-thread task holds more than one panel's work
and its cost is known. Hidden panels and panels that already show the latest snapshot are
skipped; a hidden panel catches up when it is shown again.

How much of the time the GUI thread may take follows the training worker's load ``L`` (0: it
rests, paused or paced; 1: it trains flat out; ``Worker.load``), and drawing gets what the GUI
thread's other work leaves of it::

    share(L)  = BUDGET_IDLE - (BUDGET_IDLE - BUDGET_BUSY) * L   the GUI thread's share of time
    budget    = max(BUDGET_MIN, share(L) - base)                  drawing's share
    fps(L)    = FPS_IDLE    - (FPS_IDLE    - FPS_BUSY)    * L   frames/s per panel at most

``base`` is the GUI thread's CPU time outside panel updates per second of wall time (taking
snapshots in, the recording, the status bar, input, resizing), measured over BASE_WINDOW s,
the smaller of the last two windows' (``base_share``; 0.02-0.04 at full speed with the default
layout, more while a person resizes or types): a one-off task (the window's first paints, a
dialog, a file saved; a benchmark's headless run on the GUI thread) does not cut the drawing
for the seconds after it. An update that took ``cost`` s is followed by the next one
``cost / budget`` s after its turn was due (so drawing takes at most ``budget`` of the time;
a turn's lateness, at most one gap of it, and the wait for the worker to park count as gap:
no panel was drawn meanwhile, and the worker computed; counted from the update's end, a 4.5 ms
update with 5 ms of each drew 16% of the time under a budget of 20%), and each panel keeps a
schedule of frames ``1 / fps`` s apart: a frame drawn up to ``FPS_SLACK`` of an interval late
leaves the next one due at its slot, not one interval after the late draw (the timer's
lateness, the park wait and the other panels' turns otherwise stretched every interval:
9.5-10.5 frames/s under a cap of 11). The timer after an update waits for whichever comes
later, the budget's gap or the next panel's frame (not a turn that finds nothing due).
``cost`` is the update's wall time when the worker parked for it, its CPU time when it did
not (a slice of one long step, ``Worker.set_gui_busy``: the worker then computes through most
of the update, losing only the GIL time it shares). At a watchable pace the
worker sleeps most of the time and the panels redraw as often as snapshots come (~30/s); at
full speed each panel gets up to ``FPS_BUSY`` frames/s while the GUI thread as a whole costs
the worker at most ``BUDGET_BUSY`` of its time.

Why those numbers (xor, flat out, a quiet 2-core machine): the process runs on about one
core (the GIL; see below), so training in the window reaches ``e * (1 - s)`` of its headless
speed, ``s`` the GUI thread's share and ``e`` the worker's own efficiency: its CPU per step
5-9% above headless beside the event loop (GIL hand-offs, caches shared with the GUI thread),
~2% taking snapshots, ~1% in the hand-off sleeps (~10% before ``worker.TIMER_SLACK``);
measured e ~= 0.85-0.89 (GUI/headless 79-85% with every panel hidden and s ~= 0.08; 61-65%
with the default panels and s ~= 0.26).
``s <= 1 - 0.70 / 0.87 ~= 0.20`` keeps >= 70% of headless: BUDGET_BUSY. Ten frames/s for each
of four panels then needs updates of at most ``(0.20 - base) / 40`` ~= 4.3 ms each (at
1280x720, three panels in view: 5.7 ms); ``FPS_BUSY`` 12 (above the goal of 10 by what a
panel loses to turns later than ``FPS_SLACK`` and what bench_gui's count over 3 x 0.8 s
quantises: a panel capped at 11 read 10.0-11.2 there) leaves the rest to training when they
are cheaper; panels too dear for it are held to the budget, not to the cap.

While a panel updates, ``busy(True)`` / ``busy(False)`` tell the training worker to step aside:
the update holds the GIL throughout (PySide keeps it through Qt's painting too), and a worker
asking for it would take it back every switch interval, slowing the update down. The budget
is therefore training time too.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QGraphicsView, QWidget

#: fraction of the time the GUI thread (panel updates and everything else) may take while the
#: worker trains flat out: every point more is a point of training throughput less (see the
#: module docstring: <= 0.20 for >= 70% of headless)
BUDGET_BUSY = 0.20
#: ... and while the worker rests (paced xor at 200 steps/s computes ~0.5% of the time): four
#: panels at 20 frames/s each may then cost up to ~10 ms per update; the rest stays free for
#: input events, resizing, the status (which also get their turn between any two updates)
BUDGET_IDLE = 0.85
#: drawing's share at least, however much the GUI thread's other work takes
BUDGET_MIN = 0.05
#: frames/s per panel at most while the worker trains flat out (each ms drawn is a ms of
#: training lost: above the goal of 10 by the frames a late turn or the benchmark's count
#: loses, see the module docstring; 12 rather than 11 costs ~1 point of the GUI thread's
#: share where panels are cheap, none where the budget binds), and while it rests (the
#: worker publishes ~30 snapshots/s)
FPS_BUSY, FPS_IDLE = 12.0, 30.0
#: s of wall time over which the GUI thread's work outside panel updates is measured
BASE_WINDOW = 0.5
#: fraction of a panel's frame interval it may be drawn late and keep its schedule (the next
#: frame stays due one interval after the late one's slot, so the intervals average 1 / fps;
#: two frames are never closer than (1 - FPS_SLACK) / fps: 42 ms at FPS_BUSY). Turns come
#: late by a few ms with a tail of 10-40 ms (another panel's turn and its budget gap, the
#: worker's slice, the controller's tick); simulated with such a tail (mean 4 ms, 15% of
#: turns 10-40 ms more), 0.25 kept 10.5 of 11 frames/s, 0.5 kept 10.9
FPS_SLACK = 0.5
#: ms between two panel updates at least (other events get their turn)
MIN_GAP_MS = 1
#: ms between two panel updates at most (however expensive the last one was)
MAX_GAP_MS = 400
#: ms between checks for a hidden panel that became visible again
POLL_MS = 250
#: passes over pending layouts and scene changes before the repaint (a layout may move an
#: axis, which asks for one more)
ROUNDS = 2


def _visible(panel: QWidget) -> bool:
    """Shown on screen: not hidden (closed dock, background tab) and not fully covered."""
    return panel.isVisible() and not panel.visibleRegion().isEmpty()


def _call(key: str, fn, arg) -> None:
    fn(arg)


def budget(load: float, base: float = 0.0) -> float:
    """Fraction of wall time panel updates may take when the worker's load is ``load`` and
    the GUI thread's other work takes ``base`` of the time."""
    load = min(1.0, max(0.0, load))
    share = BUDGET_IDLE - (BUDGET_IDLE - BUDGET_BUSY) * load
    return max(BUDGET_MIN, share - max(0.0, base))


def max_fps(load: float) -> float:
    """Frames/s per panel at most when the worker's load is ``load``."""
    load = min(1.0, max(0.0, load))
    return FPS_IDLE - (FPS_IDLE - FPS_BUSY) * load


class SnapshotDispatcher(QObject):
    """Round-robin, load-following delivery of snapshots to ``panels`` (name -> widget; a
    panel put in later is announced with ``add``).

    ``visible(name)`` says whether a panel is worth drawing (default: on screen);
    ``call(name, fn, arg)`` runs a panel method (the window's error guard; default: plain call);
    ``busy(bool)`` brackets every panel update (e.g. ``TrainingController.set_gui_busy``;
    ``busy(True)`` returning False: the worker did not park, see ``_update``);
    ``load()`` is the worker's load in [0, 1] (default: 1, the most frugal);
    ``clock()`` the time in s (tests drive the schedule with a fake one); ``cpu()`` the GUI
    thread's CPU time in s (default ``time.thread_time``; None: ``base_share`` stays 0);
    ``paint(widget)`` paints a panel's changes now (default ``paint_now``);
    ``error(name, exc)`` hears of an exception a panel's update raised (default: one line on
    stderr, once a panel): the panel counts as showing that snapshot (tried again with the
    next one) and the other panels go on; an exception elsewhere in a turn (``visible``,
    ``load``) is heard of as ``error("dispatcher", exc)`` and the turns go on.
    """

    def __init__(self, panels: dict[str, QWidget],
                 visible: Callable[[str], bool] | None = None,
                 call: Callable | None = None,
                 busy: Callable[[bool], bool | None] | None = None,
                 load: Callable[[], float] | None = None,
                 clock: Callable[[], float] = time.perf_counter,
                 cpu: Callable[[], float] | None = time.thread_time,
                 paint: Callable[[QWidget], None] | None = None,
                 error: Callable[[str, BaseException], None] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.panels = panels
        self._visible = visible or (lambda name: _visible(panels[name]))
        self._call = call or _call
        self._busy = busy
        self._load = load or (lambda: 1.0)
        self._clock = clock
        self._cpu = cpu
        self.base_share = 0.0  # the GUI thread's CPU outside panel updates / wall time
        self._base_last = 0.0  # ... over the last window alone
        self._base_since = self._base_cpu = None  # (clock, cpu) at the window's start
        self._drawn_cpu = 0.0  # CPU s of panel updates in this window
        self._paint = paint or paint_now
        self._error = error or _print_once()
        self._latest = None  # what the panels are to show: the live snapshot or the held one
        self._live = None  # the latest live snapshot
        self._held = None  # a recorded snapshot shown instead of live ones (``hold``)
        self.run = None  # the RunInfo the panels were last given
        self._shown: dict[str, object] = {}  # name -> the snapshot it shows
        self._slot: dict[str, float] = {}  # name -> clock() its last frame was due at
        #: where the dispatcher's time went (a cheap debug counter, ``benchmarks/bench_gui.py
        #: --why``): s waiting for the worker to park (``park``; ``unparked``: updates drawn
        #: with it still computing), s of gaps set by the budget (``budget``) and by the
        #: frame cap (``fps``), turns that found nothing to draw until the next snapshot
        #: (``starved``), CPU s of panel updates (``drawn_cpu``) and s of timer lateness
        self.stats: dict[str, float] = dict.fromkeys(
            ("turns", "park", "unparked", "budget", "fps", "starved", "drawn_cpu", "late"), 0)
        self._planned = None  # clock() the timer's turn was planned for
        self._order = list(panels)
        self._next = 0
        self.costs: dict[str, float] = {}  # name -> s of its last update (show + paint)
        self.counts: dict[str, int] = dict.fromkeys(panels, 0)  # name -> updates so far
        self.updates = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self.turn)
        self._polling = False  # the timer only waits to look at hidden panels again

    # ------------------------------------------------------------------ API
    def set_run(self, run) -> None:
        """A new run (a ``RunInfo``): every panel gets it now (they must forget the old run's
        snapshots)."""
        self._latest = self._live = self._held = None
        self.run = run
        self._shown.clear()
        for name, panel in self.panels.items():
            self._call(name, panel.set_run, run)

    def add(self, name: str, run=None) -> None:
        """``panels[name]`` was put in since (a panel built when first shown): it gets ``run``
        (default: the current run) now, and, if it is shown, the latest snapshot too, so its
        first picture is up to date (painted with the rest of the window, not here)."""
        self._order = list(self.panels)  # (in the order ``panels`` keeps them)
        self.counts.setdefault(name, 0)
        panel = self.panels[name]
        run = run if run is not None else self.run
        if run is not None:
            self._call(name, panel.set_run, run)
        self._shown.pop(name, None)
        if self._latest is not None and panel.isVisible():
            self._update(name, paint=False)

    def dispatch(self, snapshot) -> None:
        """Remember ``snapshot`` (latest wins); panels get it over the next event-loop turns
        (unless a recorded one is held: then when it is let go)."""
        self._live = snapshot
        if self._held is None:
            self._show(snapshot)

    def hold(self, snapshot) -> None:
        """Show ``snapshot`` (a recorded one, ``replayed``) instead of live snapshots until
        ``hold(None)``, which brings back the latest live one."""
        self._held = snapshot
        self._show(self._live if snapshot is None else snapshot)

    @property
    def latest(self):
        """The snapshot the panels are to show (the live one, or the one held)."""
        return self._latest

    def catch_up(self, name: str) -> None:
        """Have panel ``name`` show the latest snapshot now, shown on screen or not (it is
        painted when it is)."""
        if name in self.panels and self._stale(name):
            self._update(name, paint=False)

    @property
    def holding(self) -> bool:
        return self._held is not None

    def _show(self, snapshot) -> None:
        self._latest = snapshot
        # (a poll for hidden panels must not hold up a new snapshot for the shown ones: with
        # a background tab's panel built and stale, each snapshot waited up to POLL_MS)
        if snapshot is not None and (self._polling or not self._timer.isActive()):
            self._polling = False
            self._planned = self._clock()
            self._timer.start(0)

    def flush(self) -> None:
        """Bring every visible panel up to date now (screenshots, tests, a paused run)."""
        for name in self._order:
            if self._stale(name) and self._visible(name):
                self._update(name)

    def pending(self) -> list[str]:
        """Names of the panels that do not show the latest snapshot yet."""
        return [name for name in self._order if self._stale(name)]

    def turn(self) -> int | None:
        """Update the next panel that is due, then schedule the next turn. Returns the ms
        until that turn (None: nothing to draw until the next snapshot). Whatever raises, the
        next turn comes (``error``; a single-shot timer not started again froze every panel
        for the rest of the session)."""
        try:
            return self._turn()
        except Exception as exc:  # noqa: BLE001 - the panels must go on updating
            self._error("dispatcher", exc)
            self._polling = False
            self._planned = self._clock() + POLL_MS / 1000.0
            self._timer.start(POLL_MS)
            return POLL_MS

    def _turn(self) -> int | None:
        now = self._clock()
        stats = self.stats
        stats["turns"] += 1
        planned = now if self._planned is None else min(now, self._planned)
        stats["late"] += now - planned
        self._measure_base(now)
        load = self._load()
        gap = 1.0 / max_fps(load)
        name, wait = self._pick(now, gap)
        if name is None:
            if wait is None:
                self._planned = None
                if not self.pending():
                    stats["starved"] += 1
                    return None
                ms = POLL_MS  # hidden panels: look again later, cheaply
            else:
                ms = wait * 1000.0
                stats["fps"] += wait
        else:
            cost = self._update(name, now=now, gap=gap)
            share = budget(load, self.base_share)
            end = self._clock()
            # the budget's gap runs from when this turn was due (a late timer is time not
            # drawn; at most one gap back) and covers the park wait (the worker computes)
            origin = max(planned, now - cost / share)
            rest = origin + cost / share - end  # s the budget still asks for after the update
            due = self._pick(end, gap, peek=True)[1] or 0.0  # (the next frame, if later)
            stats["budget"] += max(0.0, rest)
            stats["fps"] += max(0.0, due - max(0.0, rest))
            ms = max(rest, due) * 1000.0
        ms = int(min(MAX_GAP_MS, max(MIN_GAP_MS, math.ceil(ms))))  # up: keep the budget
        self._polling = name is None and wait is None
        self._planned = self._clock() + ms / 1000.0
        self._timer.start(ms)
        return ms

    # ------------------------------------------------------------------ internals
    def _measure_base(self, now: float) -> None:
        """Every BASE_WINDOW s: ``base_share`` = the smaller of the last window's and this
        window's (GUI-thread CPU - CPU of panel updates) / wall time."""
        if self._cpu is None:
            return
        if self._base_since is None:
            self._base_since, self._base_cpu, self._drawn_cpu = now, self._cpu(), 0.0
            return
        elapsed = now - self._base_since
        if elapsed < BASE_WINDOW:
            return
        cpu = self._cpu()
        sample = max(0.0, cpu - self._base_cpu - self._drawn_cpu) / elapsed
        sample = min(1.0, sample)
        self.base_share, self._base_last = min(self._base_last, sample), sample
        self._base_since, self._base_cpu, self._drawn_cpu = now, cpu, 0.0

    def _stale(self, name: str) -> bool:
        return self._latest is not None and self._shown.get(name) is not self._latest

    def _pick(self, now: float, gap: float,
              peek: bool = False) -> tuple[str | None, float | None]:
        """The next stale, visible panel in round-robin order whose next frame is due (its
        last frame's slot + ``gap``), or (None, s until the first such panel is due; None:
        none is). ``peek``: only look (the round-robin position stays)."""
        n, due = len(self._order), None
        for k in range(n):
            name = self._order[(self._next + k) % n]
            if not (self._stale(name) and self._visible(name)):
                continue
            wait = self._slot.get(name, -gap) + gap - now
            if wait <= 0:
                if peek:
                    return name, 0.0
                self._next = (self._next + k + 1) % n
                return name, None
            due = wait if due is None else min(due, wait)
        return None, due

    def _update(self, name: str, paint: bool = True, now: float | None = None,
                gap: float | None = None) -> float:
        """show_snapshot + paint (unless not ``paint``) of one panel; returns the seconds it
        counts for: its wall time (not counting the wait for ``busy(True)``: the worker goes
        on computing meanwhile), or its CPU time if ``busy(True)`` returned False (the
        worker did not park: it computes through the update). ``now``: the clock at the
        turn that chose it and ``gap`` the frame interval then (its frame's slot follows,
        ``FPS_SLACK``)."""
        panel, snap = self.panels[name], self._latest
        asked = self._clock() if now is None else now
        parked = None
        if self._busy is not None:
            parked = self._busy(True)
        start = self._clock()
        if now is not None:
            self.stats["park"] += start - now
        cpu = self._cpu() if self._cpu is not None else 0.0
        try:
            self._call(name, panel.show_snapshot, snap)
            if paint:
                self._paint(panel)
        except Exception as exc:  # noqa: BLE001 - one panel's bug does not stop the others
            self._error(name, exc)
        finally:
            if self._busy is not None:
                self._busy(False)
        cost = self._clock() - start
        if self._cpu is not None:
            spent = self._cpu() - cpu
            self._drawn_cpu += spent
            self.stats["drawn_cpu"] += spent
            if parked is False:
                cost = min(cost, spent)
        if parked is False:
            self.stats["unparked"] += 1
        gap = 1.0 / max_fps(self._load()) if gap is None else gap
        slot = self._slot.get(name, -math.inf) + gap
        self._slot[name] = min(asked, max(slot, asked - FPS_SLACK * gap))
        self._shown[name] = snap
        self.costs[name] = cost
        self.counts[name] += 1
        self.updates += 1
        return cost


def _print_once() -> Callable[[str, BaseException], None]:
    """An ``error`` that prints one line to stderr the first time a name fails."""
    failed: set[str] = set()

    def report(name: str, exc: BaseException) -> None:
        if name not in failed:
            failed.add(name)
            print(f"nnviz: panel {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    return report


def paint_now(widget: QWidget) -> None:
    """Paint what ``widget`` changed now instead of in a later event-loop turn: pending
    layouts and the graphics scenes' queued dirty-item processing, then the window's pending
    update request (delivered now): Qt paints the regions marked dirty, i.e. the views whose
    scenes changed. (``widget.repaint()`` repainted the panel's whole rectangle, its combo
    boxes, check boxes and labels too: 5-30% more per update, 0.2-2.3 ms on xor.)"""
    scenes = [v.scene() for v in widget.findChildren(QGraphicsView) if v.scene() is not None]
    for _ in range(ROUNDS):
        QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
        for scene in scenes:
            QCoreApplication.sendPostedEvents(scene, QEvent.MetaCall)
    QCoreApplication.sendPostedEvents(widget.window(), QEvent.UpdateRequest)
