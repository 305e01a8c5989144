"""What every command without a window shares at the terminal (``nnviz train``, ``info``,
``race``): one-line errors and exit codes (``command``), lines that survive a closed pipe
(``say``), Ctrl-C that stops a run after its current chunk (``Interrupt``), a progress bar
(``Progress``) and the numbers of a report (``num``, ``percent``)."""

from __future__ import annotations

import functools
import math
import signal
import sys
import threading
import time

from nnviz.errors import NNVizError, one_line

#: seconds between progress updates
PROGRESS_EVERY_S = 0.1


def _internal(exc: BaseException) -> int:
    say(f"nnviz: internal error: {type(exc).__name__}: {one_line(str(exc).strip(), 300)}",
        sys.stderr)
    return 1


def command(run):
    """``run(args, ...)`` as a CLI command: project errors, Ctrl-C and a closed pipe go up to
    ``nnviz.cli`` (one line, its exit code); anything else is one "internal error" line and
    exit 1, never a traceback."""

    @functools.wraps(run)
    def guarded(*args, **kwargs) -> int:
        try:
            return run(*args, **kwargs)
        except (NNVizError, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            return _internal(exc)

    return guarded


def say(text: str, stream=None) -> None:
    """Print a line to ``stream`` (stdout); a reader that went away silences it instead."""
    from nnviz.cli import quiet_stream

    stream = sys.stdout if stream is None else stream
    try:
        stream.write(text + "\n")
        stream.flush()
    except BrokenPipeError:
        quiet_stream(stream)


class Interrupt:
    """Ctrl-C while training: the first sets ``requested`` (the loop stops at its next check,
    leaving a whole run to report and save), a second raises KeyboardInterrupt at once.
    A context manager; only the main thread can take SIGINT over (elsewhere it does nothing)."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def _on_sigint(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class Progress:
    """A bar redrawn in place on a terminal; a plain line every 10% otherwise."""

    def __init__(self, stream, enabled: bool = True):
        self.stream, self.enabled = stream, enabled
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self._next_decile = 1
        self._last = 0.0

    def update(self, fraction: float, text: str, force: bool = False) -> None:
        if not self.enabled:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        if self.tty:
            now = time.monotonic()
            if force or now - self._last >= PROGRESS_EVERY_S:
                self._last = now
                bar = "#" * int(30 * fraction)
                self._write(f"\r[{bar:<30s}] {100 * fraction:5.1f}%  {text}\033[K")
        else:
            if fraction * 10 >= self._next_decile:
                self._next_decile = int(fraction * 10) + 1
                self._write(f"{100 * fraction:3.0f}%  {text}\n")

    def finish(self) -> None:
        if self.enabled and self.tty:
            self._write("\n")

    def _write(self, text: str) -> None:
        from nnviz.cli import quiet_stream

        try:
            self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:  # `2>&1 | head`: the bar is not worth failing the run for
            self.enabled = False
            quiet_stream(self.stream)


def num(v, fmt: str = ".6g") -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, fmt)


def percent(v) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f}%"
