"""Atomic file replacement: a crash or kill at any moment leaves the old file or the new one.

``atomic_write(path, write)`` calls ``write(fileobj)`` on a temporary file in the same folder
(named ``.NAME.PID.RANDOM.nnviz-tmp``), flushes and fsyncs it, then ``os.replace``s it over
``path`` and fsyncs the folder. On any failure the temporary file is removed and a
SessionFileError says what happened; stale temporary files of ours left by killed processes
are removed on the next save to the same path.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from nnviz.errors import SessionFileError

TMP_SUFFIX = ".nnviz-tmp"
#: a temporary file older than this is stale even if its process id is in use again
STALE_AFTER_S = 24 * 3600


def _tmp_pattern(target: Path) -> re.Pattern:
    name = re.escape(f".{target.name}.")
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


def atomic_write(path: str | os.PathLike, write: Callable, what: str = "file") -> Path:
    """Write ``path`` atomically with ``write(binary_fileobj)``; returns the final path."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    clean_stale(target)
    tmp = folder / f".{target.name}.{os.getpid()}.{secrets.token_hex(8)}{TMP_SUFFIX}"
    try:
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = exc.strerror or str(exc)
        raise SessionFileError(f"cannot save {what} to {target}: {reason}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)
    return target
