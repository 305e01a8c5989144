"""The window's start without the garbage collector's passes over what it imports and builds.

Opening the window makes a few hundred thousand objects that live as long as it does (numpy's,
PySide6's, pyqtgraph's and nnviz's modules, classes and functions, the window's widgets and
items). While they are made, Python's collector looks through them again and again: ~150 young
collections, ~13 middle and one full one, ~28 ms of CPU of the window's process before its
first frame (24 ms of it during numpy's, PySide6's and pyqtgraph's imports), finding ~400
objects of garbage among them.

``hold()`` (the ``nnviz`` command's window path, before it imports the window) turns automatic
collection off. ``release(freeze=True)`` (the window shown, before its first paint) turns it
back on after ``gc.freeze()``: what exists then is kept out of the collections of the first
frame and the seconds after it (else the first collection after the pause would look through
all of it, ~20 ms, before the first paint). ``thaw()`` (the window has been up for
``THAW_MS``, or is closed) puts those objects back in the oldest generation: from then on the
collector treats them as it always does (the next full collection looks at them, and frees the
start's few cycles of garbage). ``finish()`` ends it all whatever happened in between (a bad
argument, a file that cannot be read).

Notebooks, tests, headless commands and a second window never hold it.
"""

from __future__ import annotations

import gc

#: how long after the window's show its start's objects stay frozen (ms)
THAW_MS = 3000

_held = False
_frozen = False


def hold() -> bool:
    """Automatic collection off for the window's start; whether it was (False: already held,
    or off already: left alone)."""
    global _held
    if _held or not gc.isenabled():
        return False
    gc.disable()
    _held = True
    return True


def held() -> bool:
    return _held


def release(freeze: bool) -> bool:
    """Automatic collection on again if ``hold`` turned it off (``freeze``: what exists now
    frozen first, until ``thaw``); whether it was held."""
    global _held, _frozen
    if not _held:
        return False
    _held = False
    if freeze:
        gc.freeze()
        _frozen = True
    gc.enable()
    return True


def thaw() -> None:
    """The objects ``release`` froze back in the oldest generation (once)."""
    global _frozen
    if _frozen:
        _frozen = False
        gc.unfreeze()


def finish() -> None:
    """Collection as it was before ``hold``, whatever happened since."""
    release(freeze=False)
    thaw()
