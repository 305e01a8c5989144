"""Start the Qt application: ``run_app(args)`` opens the main window (``nnviz`` command).

With ``--train-steps N --screenshot PATH`` it trains N steps in the worker thread, saves a PNG
of the whole window and exits 0: the scripted path used by tests and docs. However many steps
are asked for, it waits while training makes progress (the window trains ~37 steps/s with
function-fit); if the step count stands still for STALL_TIMEOUT_S it saves the picture it has,
says so and exits 1.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
import time

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, Qt, QTimer
from PySide6.QtWidgets import QApplication

from nnviz import gc_control
from nnviz.dataclass_cache import installed as dataclass_cache
from nnviz.errors import NNVizError
from nnviz.experiment import DEFAULT_PRESET, TrainingConfig, preset
from nnviz.gui.icons import app_icon
from nnviz.gui.main_window import MainWindow
from nnviz.gui.panels.error_curve import check_pins
from nnviz.gui.settings import AppSettings
from nnviz.session import build_from_network, load_network, load_session
from nnviz.session.atomic import check_name

#: a scripted run gives up when the step count has not moved for this long (seconds)
STALL_TIMEOUT_S = 120


def missing_libraries(library: str) -> list[str]:
    """The shared libraries ``library`` needs and the system lacks (sonames), found by loading
    it (and, where ``ldd`` exists, asking it for all of them); [] when it loads."""
    try:
        ctypes.CDLL(library)
        return []
    except OSError as exc:
        missing = set(re.findall(r"(lib[\w.+-]+?\.so[\w.]*): cannot open", str(exc)))
    try:
        out = subprocess.run(["ldd", library], capture_output=True, text=True,
                             timeout=10).stdout
        missing |= set(re.findall(r"^\s*(\S+) => not found", out, re.M))
    except (OSError, subprocess.SubprocessError):
        pass
    return sorted(missing) or [os.path.basename(library)]


def debian_package(soname: str) -> str:
    """The usual Debian package of a library: libxcb-icccm.so.4 -> libxcb-icccm4,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0."""
    name, _, version = soname.partition(".so.")
    return f"{name}{'-' if name[-1:].isdigit() else ''}{version}" if version else name


def display_problem(env=os.environ, platform: str = sys.platform,
                    missing=missing_libraries) -> str | None:
    """Why Qt could not open a window here, in one line; None when nothing is known to be
    wrong. (Qt aborts the whole process with a misleading multi-line message instead: since
    Qt 6.5 it blames libxcb-cursor0 whichever library its X11 plugin lacks.)"""
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0]
    x11 = chosen == "xcb" or (chosen == "" and not env.get("WAYLAND_DISPLAY"))
    if not platform.startswith("linux") or not x11:
        return None
    if not env.get("DISPLAY"):
        return ("no display to open a window on (DISPLAY is not set): run nnviz in a desktop "
                "session, or without a window: QT_QPA_PLATFORM=offscreen nnviz --screenshot "
                "out.png")
    plugin = os.path.join(QLibraryInfo.path(QLibraryInfo.PluginsPath), "platforms",
                          "libqxcb.so")
    lacking = missing(plugin) if os.path.exists(plugin) else []
    if lacking:
        packages = " ".join(sorted({debian_package(s) for s in lacking}))
        return (f"Qt's X11 window needs the system libraries {', '.join(lacking)}; install "
                f"them (Debian, Ubuntu: sudo apt install {packages}) and start nnviz again")
    return None


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), high-DPI friendly, with nnviz's name and icon."""
    app = QApplication.instance()
    if app is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    # no application display name: Qt would append it to every window title ("nnviz — xor —
    # nnviz"); the window's own title already starts with the name
    app.setWindowIcon(app_icon())
    return app


class ScriptedRun:
    """Train N steps, wait until the panels drew them, save a screenshot, close the window."""

    def __init__(self, window: MainWindow, steps: int, path: str | None,
                 stall_s: float = STALL_TIMEOUT_S):
        self.window, self.steps, self.path, self.stall_s = window, steps, path, stall_s
        self.target = window.controller.snapshot.step + steps
        self.exit_code = 0
        self._last_step = window.controller.snapshot.step
        self._last_progress = time.monotonic()
        self._seen = False
        self._timer = QTimer(window)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        if self.steps:
            self.window.controller.run_steps(self.steps)
        self._timer.start()

    def _finished_training(self) -> bool:
        c = self.window.controller
        snap = c.snapshot
        done = snap is not None and (snap.step >= self.target or snap.stop_reason is not None)
        return done and c.worker.idle.is_set()

    def _stalled(self) -> bool:
        """True when the step count has stood still for ``stall_s`` seconds."""
        snap = self.window.controller.snapshot
        step = None if snap is None else snap.step
        now = time.monotonic()
        if step != self._last_step:
            self._last_step, self._last_progress = step, now
        return now - self._last_progress > self.stall_s

    def _on_tick(self) -> None:
        if not self._finished_training():
            if self._stalled():
                print(f"nnviz: training stood still at step {self._last_step} for "
                      f"{self.stall_s:g} s (step {self.target} was asked for); "
                      + ("saved the window as it is" if self.path else "giving up"),
                      file=sys.stderr)
                self.exit_code = 1
                self._save()
                self._finish()
            return
        if not self._seen:  # one more tick so the last snapshot is drawn
            self._seen = True
            return
        self._save()
        self._finish()

    def _save(self) -> None:
        if self.path and not self.window.sessions.save_screenshot(self.path):
            print(f"nnviz: could not write {self.path}", file=sys.stderr)
            self.exit_code = 2

    def _finish(self) -> None:
        self._timer.stop()
        self.window.close()


def delete_now(*widgets) -> None:
    """Delete ``widgets`` and all they hold now (as ``deleteLater`` does at the event loop's
    next turn, which may never come once the loop has ended)."""
    for widget in widgets:
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


def save_compiled_dataclasses() -> None:
    """The dataclass code this start compiled, kept for the next (``nnviz.dataclass_cache``;
    the window's modules, visible panels included, are all imported by now)."""
    cache = dataclass_cache()
    if cache is not None:
        cache.save()


def run_app(args) -> int:
    """Open the window for the parsed ``nnviz`` arguments; returns the exit code."""
    scripted = args.train_steps is not None or args.screenshot is not None
    if args.screenshot is not None:
        check_name(args.screenshot)  # (a window's grab saved to '.png' was a hidden file)
    if args.train_steps is not None and args.train_steps < 0:
        raise NNVizError("--train-steps must be 0 or more")
    config = preset(args.preset) if args.preset else None
    if args.data and args.preset:
        raise NNVizError("--data and --preset: choose one")
    if args.data:
        config = TrainingConfig(dataset="csv", csv_path=args.data)
    loaded = load_session(args.open) if args.open else None  # a bad file: one line, exit 2
    if loaded is not None:  # before any window or worker exists: nothing to leave running
        check_pins(loaded[1], args.open)
    if args.weights:
        if args.open:
            raise NNVizError("--weights and --open: choose one (a session has its own network)")
        network = load_network(args.weights, activation=args.activation, output=args.output)
        loaded = (build_from_network(config or preset(DEFAULT_PRESET), network), ())
    elif args.activation or args.output:
        raise NNVizError("--activation and --output go with --weights")
    problem = display_problem() if QApplication.instance() is None else None
    if problem:
        raise NNVizError(problem)
    app = make_application()
    settings = None if scripted else AppSettings()
    window = MainWindow(config=config, settings=settings, ask_before_quit=not scripted)
    if loaded is not None:
        window.sessions.adopt_session(*loaded)
    elif settings is not None:
        window.sessions.offer_recovery()
    window.show()
    if not scripted:  # (screenshots, tests: the user's cache left alone)
        save_compiled_dataclasses()
    if gc_control.release(freeze=True):  # (the nnviz command's start's hold ended)
        QTimer.singleShot(gc_control.THAW_MS, gc_control.thaw)
    run = None
    if scripted:
        run = ScriptedRun(window, args.train_steps or 0, args.screenshot)
        QTimer.singleShot(0, run.start)
    code = app.exec()
    gc_control.thaw()
    window.controller.shutdown()
    delete_now(window)  # with all it holds, while the QApplication lives (left to Python's
    # exit, PySide deletes what is left in no order)
    return run.exit_code if run is not None else code
