"""Autosave for the app: a session file per name in a given folder, and what to recover.

    path = autosave(folder, experiment, pinned)      # atomic, like save_session
    for entry in recovery_list(folder): entry.path, entry.modified, entry.info
    discard_autosave(path)                          # after a clean exit or a recovery
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


def autosave(folder: str | os.PathLike, experiment, pinned=None, name: str = "session") -> Path:
    """Save atomically to ``autosave_path(folder, name)`` (the folder is created)."""
    path = autosave_path(folder, name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionFileError(f"cannot create autosave folder {path.parent}: "
                               f"{exc.strerror or exc}") from None
    return save_session(path, experiment, pinned)


def recovery_list(folder: str | os.PathLike) -> list[RecoveryEntry]:
    """Autosaved sessions in ``folder``, newest first (unreadable ones flagged, not raised)."""
    folder = Path(folder)
    try:
        paths = [p for p in folder.iterdir()
                 if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX) and p.is_file()]
    except OSError:
        return []
    out = []
    for p in paths:
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
