"""Autosave for the app: each running instance saves to its own file, locked while it runs.

    slot = AutosaveSlot(folder)                      # autosave-<pid>-<token>.nnviz + .lock
    slot.save(experiment, pinned)                   # atomic, like save_session
    for entry in recovery_list(folder): ...         # files of instances that did not close
    claim = claim_entry(entry)                      # None: another instance is asking about it
    slot.take_over(entry.path); claim.release()     # a recovered file becomes this instance's
    slot.close()                                    # a clean exit: the file and lock go

An instance holds an exclusive lock (``flock``; on Windows ``msvcrt.locking``) on its
``.lock`` file for as long as it runs; the operating system drops it when the process dies,
so a file whose lock can be taken belongs to an instance that crashed, and a live instance's
file is never offered. Files without a lock file (older versions' ``autosave-session``) count
as left behind.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from nnviz.errors import SessionFileError
from nnviz.session.files import SUFFIX, save_session, session_info

PREFIX = "autosave-"
LOCK_SUFFIX = ".lock"
_NAME = re.compile(r"[A-Za-z0-9_\-]{1,64}\Z")


@dataclass(frozen=True)
class RecoveryEntry:
    """An autosaved session: its path, modification time (epoch seconds) and summary
    (None and ``error`` set when the file cannot be read)."""

    path: Path
    modified: float
    info: dict | None
    error: str | None = None


def autosave_path(folder: str | os.PathLike, name: str = "session") -> Path:
    """``folder/autosave-NAME.nnviz``; name: letters, digits, _ or - (up to 64)."""
    if not _NAME.match(name):
        raise ValueError(f"autosave name must be letters, digits, _ or -, got {name!r}")
    return Path(folder) / f"{PREFIX}{name}{SUFFIX}"


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file beside an autosave: ``autosave-NAME.lock``."""
    return Path(path).with_suffix(LOCK_SUFFIX)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionFileError(f"cannot create autosave folder {folder}: "
                               f"{exc.strerror or exc}") from None


class FileLock:
    """An exclusive lock held on an open file; ``acquire(path)`` -> FileLock or None if held."""

    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    @classmethod
    def acquire(cls, path: str | os.PathLike) -> FileLock | None:
        path = Path(path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return cls(path, fd)

    def release(self, remove: bool = False) -> None:
        """Unlock (closing the file does it); ``remove``: delete the lock file first."""
        if self._fd < 0:
            return
        if remove:
            try:
                os.unlink(self.path)
            except OSError:
                pass
        os.close(self._fd)
        self._fd = -1


def is_live(path: str | os.PathLike) -> bool:
    """Whether a running instance holds the lock of autosave ``path``."""
    try:
        lock = FileLock.acquire(lock_path(path))
    except OSError:
        return False  # a folder we cannot write to has no live instance writing there
    if lock is None:
        return True
    lock.release()
    return False


class AutosaveSlot:
    """This instance's own autosave file in ``folder``, locked until ``close``."""

    def __init__(self, folder: str | os.PathLike):
        folder = Path(folder)
        _make_folder(folder)
        self.path = autosave_path(folder, f"{os.getpid()}-{os.urandom(4).hex()}")
        try:
            lock = FileLock.acquire(lock_path(self.path))
        except OSError as exc:
            raise SessionFileError(f"cannot lock {lock_path(self.path)}: "
                                   f"{exc.strerror or exc}") from None
        if lock is None:  # a fresh random name is never held
            raise SessionFileError(f"{lock_path(self.path)} is held by another instance")
        self._lock = lock

    def save(self, experiment, pinned=None) -> Path:
        """Save atomically to this instance's file."""
        return save_session(self.path, experiment, pinned)

    def take_over(self, path: str | os.PathLike) -> None:
        """Make a recovered autosave this instance's file (a rename: never lost on the way)."""
        try:
            os.replace(path, self.path)
        except OSError as exc:
            raise SessionFileError(f"cannot move {path} to {self.path}: "
                                   f"{exc.strerror or exc}") from None

    def close(self, keep: bool = False) -> None:
        """A clean exit: remove the file (unless ``keep``), then the lock."""
        if self._lock is None:
            return
        if not keep:
            discard_autosave(self.path)
        self._lock.release(remove=not keep)
        self._lock = None


def autosave(folder: str | os.PathLike, experiment, pinned=None, name: str = "session") -> Path:
    """Save atomically to ``autosave_path(folder, name)`` (the folder is created)."""
    path = autosave_path(folder, name)
    _make_folder(path.parent)
    return save_session(path, experiment, pinned)


def recovery_list(folder: str | os.PathLike) -> list[RecoveryEntry]:
    """Autosaved sessions in ``folder`` no running instance holds, newest first (unreadable
    ones flagged, not raised)."""
    folder = Path(folder)
    try:
        paths = [p for p in folder.iterdir()
                 if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX) and p.is_file()]
    except OSError:
        return []
    out = []
    for p in paths:
        if is_live(p):
            continue
        try:
            modified = p.stat().st_mtime
        except OSError:
            continue
        try:
            out.append(RecoveryEntry(p, modified, session_info(p)))
        except SessionFileError as exc:
            out.append(RecoveryEntry(p, modified, None, str(exc)))
    out.sort(key=lambda e: e.modified, reverse=True)
    return out


def claim_entry(entry: RecoveryEntry) -> FileLock | None:
    """Lock a left-behind autosave while this instance asks about it; None if another
    instance got there first or the file is gone."""
    try:
        lock = FileLock.acquire(lock_path(entry.path))
    except OSError:
        return None
    if lock is not None and not entry.path.exists():
        lock.release()
        return None
    return lock


def discard_autosave(path: str | os.PathLike) -> None:
    """Remove an autosave file (missing is fine)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SessionFileError(f"cannot remove {path}: {exc.strerror or exc}") from None


def age_text(entry: RecoveryEntry) -> str:
    """'3 min ago' style text for a recovery dialog."""
    s = max(0, int(time.time() - entry.modified))
    if s < 60:
        return f"{s} s ago"
    if s < 3600:
        return f"{s // 60} min ago"
    if s < 86400:
        return f"{s // 3600} h ago"
    return f"{s // 86400} days ago"
