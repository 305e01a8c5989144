"""PySide6's look at every module imported after it, made cheap.

PySide6 (6.11, ``shibokensupport.feature``) hooks imports: for each module imported after it,
it asks whether the module uses PySide (``"PySide6" in inspect.getsource(module)``; those
modules are the ones its ``from __feature__ import ...`` switches apply to). getsource goes
through linecache: the file read, decoded, split into lines and joined again, ~0.1 ms a
module. numpy, pyqtgraph and nnviz import ~420 modules after PySide6: ~40 ms of CPU of the
window's start (measured: 26 ms for a bare PySide6 + pyqtgraph program's ~300 modules).

``uses_pyside`` gives the same answer from the file's bytes: a source whose encoding keeps
ASCII as ASCII (UTF-8, Latin-1 and the like: every Python source in practice) contains
"PySide6" exactly when its bytes contain b"PySide6". A module without a ``.py`` file, a file
that cannot be read, or one that starts with a UTF-16/32 byte order mark gets PySide's own
check. ``install()`` puts it in place of PySide's, once; where PySide6 has no such hook (other
versions) it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_MARKS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 (and 32) byte order marks: not ASCII-compatible


def fast_check(original: Callable[[object], bool]) -> Callable[[object], bool]:
    """``original(module) -> bool`` ("PySide6" in the module's source), answered from the
    module's ``.py`` file's bytes where it can be, else by ``original``."""

    def uses_pyside(module) -> bool:
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not file.endswith(".py"):
            return original(module)
        try:
            with open(file, "rb") as fh:
                data = fh.read()
        except OSError:
            return original(module)
        if data.startswith(_MARKS):
            return original(module)
        return b"PySide6" in data

    uses_pyside.original = original
    return uses_pyside


def install() -> bool:
    """PySide6's per-module check replaced by ``fast_check`` of it; whether it was (False:
    no such hook in this PySide6, or already replaced)."""
    import PySide6.QtCore  # noqa: F401  (PySide6's import hooks exist once it is loaded)

    try:
        import shibokensupport.feature as feature
    except ImportError:
        return False
    original = getattr(feature, "_mod_uses_pyside", None)
    if not callable(original) or hasattr(original, "original"):
        return False
    feature._mod_uses_pyside = fast_check(original)
    return True
