"""The code ``@dataclass`` generates for nnviz's classes, compiled once, not at every start.

Making a dataclass, Python writes its methods (``__init__``, ``__repr__``, ``__eq__``, and
``__hash__``, ``__setattr__``, ``__delattr__`` when frozen) as source text and compiles each
(``exec`` in ``dataclasses``): the window's process makes ~44 of nnviz's dataclasses while it
imports, ~220 compiles, ~13 ms of CPU of its ~15 ms of dataclass work, before its first frame.

``install(path)`` has ``dataclasses`` compile through a ``CodeCache``: a text generated for a
class of an nnviz module (the globals dataclasses passes are its module's) is compiled once
and its code object kept (``marshal``, as a ``.pyc`` keeps a module's); ``CodeCache.save()``
writes the texts this process used when one was compiled anew (the window does, once its
panels are built: the file holds what a window's start needs, not every version's texts).
A text compiles to the same code every time, and the cache compiles it as ``exec`` would
(file name ``<string>``, no ``__future__`` flags: dataclasses has none): a class made from the
cache is the class compiled now. The file belongs to this interpreter (named by its cache tag,
holding its bytecode's magic number); one that cannot be read or does not match is ignored and
rewritten. Classes of other packages compile as before.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType

#: the package whose dataclasses' code is cached (a module ``nnviz`` or ``nnviz.*``)
PACKAGE = "nnviz"


def default_path() -> Path | None:
    """This interpreter's cache file in the user's cache folder (XDG_CACHE_HOME, else
    ~/.cache; LOCALAPPDATA on Windows; ~/Library/Caches on macOS); None where there is no
    home folder to find."""
    try:
        return Path(_cache_folder()) / "nnviz" / (
            f"dataclasses.{sys.implementation.cache_tag}.marshal")
    except (RuntimeError, KeyError, OSError):  # (Path.home() without HOME or a user entry)
        return None


def _cache_folder() -> Path | str:
    if sys.platform == "win32":
        return os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches"
    return os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"


class CodeCache:
    """Source text -> compiled code for nnviz's dataclasses, loaded from ``path`` if it holds
    this interpreter's cache (None: no file, nothing read or written). ``exec`` stands in for
    the builtin inside ``dataclasses``; ``compiled``: texts compiled by this process (not
    found in the file); ``used``: the texts this process asked for."""

    def __init__(self, path: Path | str | None):
        self.path = None if path is None else Path(path)
        self.codes: dict[str, object] = self._read()
        self.compiled = 0
        self.used: set[str] = set()

    def _read(self) -> dict[str, object]:
        if self.path is None:
            return {}
        try:
            data = self.path.read_bytes()
            if data[:len(MAGIC_NUMBER)] != MAGIC_NUMBER:
                return {}
            codes = marshal.loads(data[len(MAGIC_NUMBER):])
        except (OSError, ValueError, EOFError, TypeError):
            return {}
        if not isinstance(codes, dict):
            return {}
        return {k: v for k, v in codes.items()
                if isinstance(k, str) and type(v) is CodeType}

    @staticmethod
    def ours(globals_) -> bool:
        """Whether a text compiled with these globals makes a class of nnviz's modules."""
        name = globals_.get("__name__") if isinstance(globals_, dict) else None
        return isinstance(name, str) and (name == PACKAGE or name.startswith(PACKAGE + "."))

    def exec(self, source, globals_=None, locals_=None, /, **kwargs):
        """``exec(source, globals, locals)``, from the cache's code for nnviz's texts."""
        if isinstance(source, str) and not kwargs and self.ours(globals_):
            code = self.codes.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", flags=0, dont_inherit=True)
                self.codes[source] = code
                self.compiled += 1
            self.used.add(source)
            source = code
        return builtins.exec(source, globals_, locals_, **kwargs)

    def save(self) -> bool:
        """Write the texts used so far to the file if one of them was compiled anew
        (atomically: a file beside it, then renamed); whether it was written. A folder that
        cannot be written: not saved."""
        if not self.compiled or self.path is None:
            return False
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            used = {text: self.codes[text] for text in self.used}
            tmp.write_bytes(MAGIC_NUMBER + marshal.dumps(used))
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            try:
                tmp.unlink()
            except OSError:
                pass
            return False
        self.compiled = 0
        return True


def install(path: Path | str | None = None) -> CodeCache:
    """``dataclasses`` compiles nnviz's classes' methods through a CodeCache of ``path``
    (default ``default_path()``); the one installed already if there is one."""
    current = getattr(dataclasses, "exec", None)
    if isinstance(getattr(current, "__self__", None), CodeCache):
        return current.__self__
    cache = CodeCache(default_path() if path is None else path)
    dataclasses.exec = cache.exec  # (a module global: found before the builtin there)
    return cache


def installed() -> CodeCache | None:
    """The CodeCache dataclasses compiles through, if any."""
    owner = getattr(getattr(dataclasses, "exec", None), "__self__", None)
    return owner if isinstance(owner, CodeCache) else None


def uninstall() -> None:
    """``dataclasses`` compiles with the builtin ``exec`` again."""
    if installed() is not None:
        del dataclasses.exec
