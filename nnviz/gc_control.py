"""When Python's cyclic garbage collector runs in the window's process: not while the window
starts, and only in the GUI thread while nnviz's worker threads run (no Qt here: the ``nnviz``
command holds collection before it loads Qt).

**The start.** Opening the window makes a few hundred thousand objects that live as long as it
does (numpy's, PySide6's, pyqtgraph's and nnviz's modules, classes and functions, the window's
widgets and items). While they are made, the collector looks through them again and again:
~150 young collections, ~13 middle and one full one, ~28 ms of CPU before the first frame
(24 ms of it during numpy's, PySide6's and pyqtgraph's imports), finding ~400 objects of
garbage. ``hold()`` (the ``nnviz`` command's window path, before it imports the window) turns
automatic collection off; ``release(freeze=True)`` (the window shown, before its first paint)
ends the hold after ``gc.freeze()``: what exists then is kept out of the collections of the
first frame and the seconds after it (else the first one would look through all of it, ~20 ms,
before the first paint). ``thaw()`` (``THAW_MS`` later, or the window closed) puts those
objects back in the oldest generation. ``finish()`` ends the hold whatever happened in between
(a bad argument, a file that cannot be read). Notebooks, tests and headless commands never
hold it.

**The worker threads.** Automatic collection runs in whichever thread allocates when a
generation's count passes its threshold: beside a training or race worker that is often the
worker (19 of ~1,200 collections of a run of the race and window tests, one freeing 559
objects). A cycle that holds a Qt object (a closed window's widgets, a plot's items) collected
there deletes that object outside the GUI thread, where Qt's destructors take locks the GUI
thread may hold while it waits for the interpreter lock: a hang, or a crash. From
``worker_started()`` until as many ``worker_stopped()`` automatic collection is off, and the
GUI thread's timers call ``collect_due()``, which collects what automatic collection would
have (a generation whose count passed its threshold; the oldest at most every
``FULL_EVERY_S``, standing in for CPython's rule of a quarter more long-lived objects).

Automatic collection that was off before nnviz turned it off is left alone throughout.
"""

from __future__ import annotations

import gc
import threading
import time

#: how long after the window's show its start's objects stay frozen (ms)
THAW_MS = 3000
#: the least time between two full collections made by ``collect_due`` (s)
FULL_EVERY_S = 10.0

_lock = threading.Lock()
_off_for: set[str] = set()  # why nnviz turned automatic collection off: "start", "workers"
_workers = 0
_frozen = False
_last_full = float("-inf")


def _turn_off(reason: str) -> bool:
    """Automatic collection off for ``reason``; False if it was already (for it, or by
    someone else: left alone)."""
    if reason in _off_for or (not _off_for and not gc.isenabled()):
        return False
    _off_for.add(reason)
    gc.disable()
    return True


def _turn_on(reason: str) -> bool:
    """``reason`` no longer holds automatic collection off (on again if nothing else does);
    whether it did."""
    if reason not in _off_for:
        return False
    _off_for.discard(reason)
    if not _off_for:
        gc.enable()
    return True


# ---------------------------------------------------------------------------- the start
def hold() -> bool:
    """Automatic collection off for the window's start; whether it was (False: already held,
    or off already: left alone)."""
    with _lock:
        return _turn_off("start")


def held() -> bool:
    return "start" in _off_for


def release(freeze: bool) -> bool:
    """End the start's hold (``freeze``: what exists now frozen first, until ``thaw``);
    whether there was one. Collection is automatic again unless worker threads run."""
    global _frozen
    with _lock:
        if "start" not in _off_for:
            return False
        if freeze:
            gc.freeze()
            _frozen = True
        return _turn_on("start")


def thaw() -> None:
    """The objects ``release`` froze back in the oldest generation (once)."""
    global _frozen
    with _lock:
        if _frozen:
            _frozen = False
            gc.unfreeze()


def finish() -> None:
    """The start's hold ended, whatever happened since ``hold``."""
    release(freeze=False)
    thaw()


# ---------------------------------------------------------------------------- the workers
def worker_started() -> None:
    """A worker thread runs from now on (any thread may call it)."""
    global _workers
    with _lock:
        _workers += 1
        if _workers == 1:
            _turn_off("workers")


def worker_stopped() -> None:
    """A worker thread has ended (call it from the GUI thread). The last one's end collects
    everything at once, here: garbage left to later collections (the oldest generation is
    collected at most every ``FULL_EVERY_S`` while workers run) was collected at any later
    moment, in the middle of another plot's construction or at the interpreter's exit, where
    pyqtgraph's ViewBox destructors can crash (twice in CI on Python 3.10)."""
    global _workers
    with _lock:
        _workers = max(0, _workers - 1)
        last = _workers == 0 and "workers" in _off_for
        if _workers == 0:
            _turn_on("workers")
    if last:
        gc.collect()


def workers() -> int:
    """How many worker threads run (``worker_started`` less ``worker_stopped``)."""
    return _workers


def collect_due() -> int | None:
    """In the GUI thread, while workers hold automatic collection off: collect the oldest
    generation whose count passed its threshold (the oldest one only ``FULL_EVERY_S`` after
    the last); which one was collected, or None."""
    global _last_full
    if _off_for != {"workers"}:  # (automatic, or the start's hold: nothing to do here)
        return None
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if not thresholds[0] or counts[0] <= thresholds[0]:  # (0: switched off by its thresholds)
        return None
    due = [g for g in range(len(counts)) if counts[g] > thresholds[g]]
    now = time.monotonic()
    if due[-1] == 2 and now - _last_full < FULL_EVERY_S:
        due.pop()
    generation = due[-1]
    gc.collect(generation)
    if generation == 2:
        _last_full = now
    return generation
