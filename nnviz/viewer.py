"""The handle ``nnviz.show`` / ``nnviz.watch`` return: the caller's objects and the window's run.

Qt-free: the window side is a ``nnviz.gui.notebook.WindowHandle`` (anything with ``window``,
``current()``, ``config``, ``snapshot``, ``call_paused(fn, timeout)``, ``wait()``, ``close()``
and an ``on_closed(experiment)`` hook). Who touches the caller's objects: while the window is
open only its training thread does (between slices of ``trainer.run``); ``sync`` has that
thread pause and do the reading, so the caller reads arrays nobody writes. Once the window has
closed the thread is gone and nothing else writes them.
"""

from __future__ import annotations

import weakref

from nnviz.errors import NNVizError
from nnviz.experiment import Experiment

#: seconds ``Viewer.sync`` waits at most for the training thread
SYNC_WAIT = 10.0
#: the networks and trainers an open window trains (two windows on one would race)
_OPEN: weakref.WeakSet = weakref.WeakSet()
#: the viewers of open windows: a window lives until it is closed, even when its caller kept
#: no reference (``nnviz.show(...);`` in a notebook cell), never collected with its thread running
_LIVE: set = set()


def check_free(experiment: Experiment) -> None:
    """NNVizError (one line) if the experiment's network or trainer is already trained by an
    open window."""
    for what, obj in (("network", experiment.net), ("trainer", experiment.trainer)):
        if obj in _OPEN:
            raise NNVizError(f"this {what} is already open in an nnviz window: close that "
                             "window (or viewer.close()) first")


def hand_back(own: Experiment, current: Experiment) -> None:
    """The window's weights into the caller's network, in place, when the window's run is no
    longer the caller's own (the person rebuilt it: Reset, other hidden layers) but trains on
    the same arrays with the same layer sizes and precision; otherwise nothing (the caller's
    objects are the run's, or the run is another one)."""
    net = own.net
    if current is own or current.net is net or current.dataset is not own.dataset:
        return
    if current.net.sizes != net.sizes or current.net.dtype != net.dtype:
        return
    current.trainer.sync()
    net.set_params(current.net.get_params())
    own.trainer.reload()


class Viewer:
    """The window on your own run, opened by ``nnviz.show`` / ``nnviz.watch``.

    ``net``, ``trainer``: your own objects, which the window trains in place.
    ``experiment``: the window's current run (your objects, until you rebuild the run in the
    window: Reset, a new architecture, a preset); ``config``: its TrainingConfig;
    ``snapshot``: its latest frozen Snapshot (copies: readable at any time).
    ``window``: the MainWindow (None once closed); ``closed``: True once it has closed.

    While the window trains, its thread writes ``net``'s arrays: read them after ``sync()``
    (it pauses training; they stay still until Play is pressed again) or once the window has
    closed (``close()``, ``wait()``, or a person closing it). If the run was rebuilt on the
    same arrays with the same layer sizes, ``sync`` and closing copy the window's weights into
    ``net`` (``hand_back``); ``trainer`` then keeps its own counters and history.
    """

    def __init__(self, experiment: Experiment, handle):
        self.net = experiment.net
        self.trainer = experiment.trainer
        self._own = self._last = experiment
        self._handle = handle
        handle.on_closed = self._on_closed
        _OPEN.add(self.net)
        _OPEN.add(self.trainer)
        _LIVE.add(self)

    @property
    def window(self):
        return self._handle.window

    @property
    def closed(self) -> bool:
        return self._handle.window is None

    @property
    def experiment(self) -> Experiment:
        current = self._handle.current()
        if current is not None:
            self._last = current
        return self._last

    @property
    def config(self):
        return self._handle.config if not self.closed else self._last.config

    @property
    def snapshot(self):
        """The window's latest Snapshot (None once closed)."""
        return self._handle.snapshot

    def sync(self, timeout: float = SYNC_WAIT) -> int:
        """Pause the window's training and return once its thread has stopped touching the
        run, having made the network's arrays current (and completed a sample half stepped
        through): ``net`` and ``trainer`` then hold what the window shows and stay still until
        Play is pressed again. Returns the run's step count. Call it on the thread that opened
        the window (a notebook cell, the script). NNVizError if the thread does not answer
        within ``timeout`` seconds."""
        if self.closed:
            return self._last.trainer.step_count
        return self._handle.call_paused(self._synced, timeout)

    def _synced(self, current: Experiment) -> int:
        """On the training thread, paused: hand back, count."""
        self._last = current
        hand_back(self._own, current)
        return current.trainer.step_count

    def wait(self) -> Viewer:
        """Run the Qt event loop until the window closes (at once if it has)."""
        self._handle.wait()
        return self

    def close(self) -> Viewer:
        """Close the window (training stops, a sample half stepped through is completed
        first) and return once it has."""
        if not self.closed:
            self.sync()
            self._handle.close()
        return self

    def _on_closed(self, current: Experiment | None) -> None:
        """The window has closed and its thread has stopped: nothing trains any more."""
        _OPEN.discard(self.net)
        _OPEN.discard(self.trainer)
        _LIVE.discard(self)
        if current is not None:
            self._last = current
            hand_back(self._own, current)

    def __repr__(self) -> str:
        return f"<nnviz Viewer ({'closed' if self.closed else 'open'}) of {self.net!r}>"
