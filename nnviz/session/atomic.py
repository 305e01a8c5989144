"""Atomic file replacement: a crash or kill at any moment leaves the old file or the new one.

``atomic_write(path, write)`` calls ``write(fileobj)`` on a temporary file in the same folder
(named ``.NAME.PID.RANDOM.nnviz-tmp``), flushes and fsyncs it, then ``os.replace``s it over
``path`` and fsyncs the folder. On any failure the temporary file is removed and a
SessionFileError says what happened; stale temporary files of ours left by killed processes
are removed on the next save to the same path.

A symbolic link is followed: its target is replaced and the link kept. A file replaced keeps
its permission bits (a 0600 session stays private) and, where allowed, its owner. Only regular
files are replaced: a folder, a device or a FIFO is refused. ``check_target(path)`` runs the
same checks and creates (then removes) the temporary file, so a caller can refuse a path that
cannot be written before hours of work (``nnviz train --save``).

Every file written is named: ``check_name`` refuses a name that is only an ending (``.png``,
``.nnviz``: it would write a hidden file that a folder listing does not show), for every output
of nnviz (``--save``, ``--record``, ``--picture``, ``--screenshot``, the window's exports).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Callable
from pathlib import Path

from nnviz.errors import SessionFileError

TMP_SUFFIX = ".nnviz-tmp"
#: a temporary file older than this is stale even if its process id is in use again
STALE_AFTER_S = 24 * 3600
#: characters of the target's name kept in its temporary file's name (file names are limited
#: to 255 bytes; the temporary name adds about 35)
TMP_NAME_CHARS = 100


def _tmp_pattern(target: Path) -> re.Pattern:
    name = re.escape(f".{target.name[:TMP_NAME_CHARS]}.")
    return re.compile(name + r"(\d+)\.[0-9a-f]{16}" + re.escape(TMP_SUFFIX))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale(target: str | os.PathLike) -> list[Path]:
    """Remove temporary files for ``target`` left by processes that no longer run."""
    target = Path(target)
    pattern = _tmp_pattern(target)
    removed = []
    try:
        entries = list(os.scandir(target.parent or "."))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if not m:
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            if old or not _alive(int(m.group(1))):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported here (e.g. Windows): the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _tmp_name(target: Path) -> Path:
    name = f".{target.name[:TMP_NAME_CHARS]}.{os.getpid()}.{os.urandom(8).hex()}{TMP_SUFFIX}"
    return target.parent / name


#: a file name that is only an ending: a dot, then letters and digits, nothing before it
ONLY_ENDING = re.compile(r"\.[A-Za-z0-9]+")


def check_name(path: str | os.PathLike) -> None:
    """Refuse (SessionFileError, one line) an empty file name, or one that is only an ending
    (``ONLY_ENDING``: ``out/.png`` would write a hidden file named ``.png``)."""
    if not str(path).strip():
        raise SessionFileError("empty file name")
    name = Path(os.fspath(path)).name
    if ONLY_ENDING.fullmatch(name):
        raise SessionFileError(f"{path}: a file name is needed before {name} (e.g. "
                               f"run{name}; {name} alone would be a hidden file)")


def _resolve(path: str | os.PathLike) -> tuple[Path, os.stat_result | None]:
    """(the file to replace: symbolic links followed, its stat or None if it is new);
    SessionFileError naming the path for an empty name or one that is only an ending
    (``check_name``), a folder, anything but a regular file, or a missing folder."""
    check_name(path)
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SessionFileError(f"cannot write {path}: {exc.strerror or exc}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise SessionFileError(f"{path} is a folder")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise SessionFileError(f"{path} is not a regular file")
    if not target.parent.is_dir():
        raise SessionFileError(f"folder {str(Path(path).parent)!r} does not exist")
    return target, st


def _keep_mode(fd: int, old: os.stat_result | None) -> None:
    """Give the new file the replaced file's permission bits and (where allowed) owner."""
    if old is None:
        return
    os.fchmod(fd, stat.S_IMODE(old.st_mode))
    if hasattr(os, "fchown") and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, old.st_uid, old.st_gid)


def check_target(path: str | os.PathLike) -> Path:
    """Refuse now (SessionFileError, one line) a path ``atomic_write`` could not write: empty,
    a folder, not a regular file, a missing or unwritable folder, a name too long. Returns the
    file that would be replaced (symbolic links followed)."""
    target, _ = _resolve(path)
    tmp = _tmp_name(target)
    try:
        with open(tmp, "xb"):
            pass
        os.unlink(tmp)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise SessionFileError(f"cannot write {path}: {exc.strerror or exc}") from None
    return target


def atomic_write(path: str | os.PathLike, write: Callable, what: str = "file") -> Path:
    """Write ``path`` atomically with ``write(binary_fileobj)``; returns ``Path(path)``."""
    try:
        target, old = _resolve(path)
    except SessionFileError as exc:
        raise SessionFileError(f"cannot save {what} to {path}: {exc}") from None
    folder = target.parent
    clean_stale(target)
    tmp = _tmp_name(target)
    try:
        with open(tmp, "xb") as f:
            _keep_mode(f.fileno(), old)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = exc.strerror or str(exc)
        raise SessionFileError(f"cannot save {what} to {path}: {reason}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)
    return Path(path)
