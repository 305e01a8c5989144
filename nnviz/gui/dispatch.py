"""Hand snapshots to the panels one at a time, at a rate the GUI thread can afford.

``SnapshotDispatcher.dispatch(snapshot)`` only remembers the latest snapshot. A single-shot
timer then updates one panel per event-loop turn (round-robin): ``show_snapshot`` followed by
a synchronous paint of what it changed, so no GUI-thread task holds more than one panel's work
and its cost is known. The next turn waits long enough that updates use at most ``budget`` of
the GUI thread's time. Hidden panels and panels that already show the latest snapshot are
skipped; a hidden panel catches up when it is shown again.

While a panel updates, ``busy(True)`` / ``busy(False)`` tell the training worker to step aside:
the update holds the GIL throughout (PySide keeps it through Qt's painting too), and a worker
asking for it would take it back every switch interval, slowing the update down. The budget
is therefore training time too: at most ``budget`` of it goes to drawing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QGraphicsView, QWidget

#: at most this fraction of the GUI thread goes to panel updates while training
BUDGET = 0.10
#: ms between two panel updates at least (a cheap panel still waits this long)
MIN_GAP_MS = 8
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


class SnapshotDispatcher(QObject):
    """Round-robin, adaptive-rate delivery of snapshots to ``panels`` (name -> widget).

    ``visible(name)`` says whether a panel is worth drawing (default: on screen);
    ``call(name, fn, arg)`` runs a panel method (the window's error guard; default: plain call);
    ``busy(bool)`` brackets every panel update (e.g. ``TrainingController.set_gui_busy``).
    """

    def __init__(self, panels: dict[str, QWidget],
                 visible: Callable[[str], bool] | None = None,
                 call: Callable | None = None,
                 busy: Callable[[bool], None] | None = None,
                 budget: float = BUDGET, parent: QObject | None = None):
        super().__init__(parent)
        self.panels = panels
        self._visible = visible or (lambda name: _visible(panels[name]))
        self._call = call or _call
        self._busy = busy
        self.budget = budget
        self._latest = None
        self._shown: dict[str, object] = {}  # name -> the snapshot it shows
        self._order = list(panels)
        self._next = 0
        self.costs: dict[str, float] = {}  # name -> s of its last update (show + paint)
        self.updates = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._on_turn)

    # ------------------------------------------------------------------ API
    def set_experiment(self, experiment) -> None:
        """A new run: every panel gets it now (they must forget the old run's snapshots)."""
        self._latest = None
        self._shown.clear()
        for name, panel in self.panels.items():
            self._call(name, panel.set_experiment, experiment)

    def dispatch(self, snapshot) -> None:
        """Remember ``snapshot`` (latest wins); panels get it over the next event-loop turns."""
        self._latest = snapshot
        if not self._timer.isActive():
            self._timer.start(0)

    def flush(self) -> None:
        """Bring every visible panel up to date now (screenshots, tests, a paused run)."""
        for name in self._order:
            if self._stale(name) and self._visible(name):
                self._update(name)

    def pending(self) -> list[str]:
        """Names of the panels that do not show the latest snapshot yet."""
        return [name for name in self._order if self._stale(name)]

    # ------------------------------------------------------------------ internals
    def _stale(self, name: str) -> bool:
        return self._latest is not None and self._shown.get(name) is not self._latest

    def _pick(self) -> str | None:
        """The next stale, visible panel in round-robin order (None: nothing to draw now)."""
        n = len(self._order)
        for k in range(n):
            name = self._order[(self._next + k) % n]
            if self._stale(name) and self._visible(name):
                self._next = (self._next + k + 1) % n
                return name
        return None

    def _on_turn(self) -> None:
        name = self._pick()
        if name is None:
            if self.pending():  # hidden panels: look again later, cheaply
                self._timer.start(POLL_MS)
            return
        cost = self._update(name)
        gap = cost * (1.0 - self.budget) / self.budget * 1000.0
        self._timer.start(int(min(MAX_GAP_MS, max(MIN_GAP_MS, gap))))

    def _update(self, name: str) -> float:
        """show_snapshot + paint of one panel; returns the seconds it took (not counting the
        wait for ``busy(True)``: the worker goes on computing meanwhile)."""
        panel, snap = self.panels[name], self._latest
        if self._busy is not None:
            self._busy(True)
        start = time.perf_counter()
        try:
            self._call(name, panel.show_snapshot, snap)
            paint_now(panel)
        finally:
            if self._busy is not None:
                self._busy(False)
        cost = time.perf_counter() - start
        self._shown[name] = snap
        self.costs[name] = cost
        self.updates += 1
        return cost


def paint_now(widget: QWidget) -> None:
    """Paint what ``widget`` changed now instead of in a later event-loop turn: pending
    layouts and the graphics scenes' queued dirty-item processing, then a repaint of the
    widget alone. (Flushing the window's update request instead painted the bounding box of
    everything dirty, e.g. this panel and the status bar: half the window, 2-3x the cost.)"""
    scenes = [v.scene() for v in widget.findChildren(QGraphicsView) if v.scene() is not None]
    for _ in range(ROUNDS):
        QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
        for scene in scenes:
            QCoreApplication.sendPostedEvents(scene, QEvent.MetaCall)
    widget.repaint()
