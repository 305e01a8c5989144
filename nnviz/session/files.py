"""Save and open whole sessions: ``save_session``, ``load_session``, ``session_info``."""

from __future__ import annotations

import os
from pathlib import Path

from nnviz.errors import NNVizError, SessionFileError
from nnviz.session.atomic import atomic_write
from nnviz.session.format import Archive, write_archive
from nnviz.session.state import capture, read_summary, restore

#: the extension the app and the CLI suggest
SUFFIX = ".nnviz"


def save_session(path: str | os.PathLike, experiment, pinned=None) -> Path:
    """Write ``experiment`` (and optional pinned curves: dicts name -> array) atomically.

    Training may continue afterwards; the file is complete or the old one is untouched.
    """
    try:
        manifest, arrays = capture(experiment, pinned)
    except (ValueError, TypeError) as exc:
        raise SessionFileError(f"cannot save session: {exc}") from None
    return atomic_write(path, lambda f: write_archive(f, manifest, arrays), "session")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    return text[:300] if text else type(exc).__name__


def _guarded(path, read):
    label = str(path)
    try:
        with Archive(path, label) as archive:
            return read(archive)
    except SessionFileError as exc:
        msg = _one_line(exc)
        raise SessionFileError(msg if msg.startswith(label) else f"{label}: {msg}") from None
    except NNVizError as exc:
        raise SessionFileError(f"{label}: {_one_line(exc)}") from None
    except Exception as exc:  # whatever a damaged file provokes is reported, never raised raw
        raise SessionFileError(
            f"{label}: damaged session file ({type(exc).__name__}: {_one_line(exc)})"
        ) from None


def load_session(path: str | os.PathLike):
    """(experiment, pinned) from a session file; SessionFileError (one line) if unusable."""
    return _guarded(path, restore)


def session_info(path: str | os.PathLike) -> dict:
    """A summary (architecture, data, steps, losses) read from the manifest alone."""
    info = _guarded(path, read_summary)
    info["path"] = str(path)
    return info
