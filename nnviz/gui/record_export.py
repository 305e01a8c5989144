"""Animations of a run's recording: each recorded moment shown by the panels, grabbed, and handed
to an ``nnviz.animation`` writer (GIF, or MP4 with ffmpeg).

Widgets render on the GUI thread only. ``RecordingExport`` renders one frame per event-loop turn
(a single-shot timer: a frame of the whole window is a flush of every panel and a grab, ~50-150
ms) while the writer's thread quantises and encodes the previous ones, so the window stays
usable and a progress dialog can cancel; ``export_headless`` (``nnviz train --record``) runs
the same steps in a loop, offscreen.

Two targets: ``WindowFrames`` shows each moment in a window's panels through the timeline's
path (``nnviz.gui.timeline.present``: the dispatcher holds it) and grabs the window or one
panel; ``PanelFrames`` draws one panel on its own at a chosen size (headless).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal, qInstallMessageHandler
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from nnviz.animation import (
    animation_format,
    check_animation_path,
    check_fps,
    check_gif_size,
    open_writer,
)
from nnviz.errors import ConfigError, NNVizError, one_line
from nnviz.gui.dispatch import paint_now
from nnviz.gui.timeline import present

#: frames an animation has at most (chosen evenly from the recording): 300 frames of a
#: 1280x720 window are ~280 MB of palette images before the GIF is written
MAX_FRAMES = 300
DEFAULT_FPS = 12
#: frames ``nnviz train --record`` takes, evenly over the run (10 s at DEFAULT_FPS)
DEFAULT_FRAMES = 120
#: the headless defaults: the whole window, or one panel on its own (width, height)
WINDOW_SIZE, PANEL_SIZE = (1280, 720), (800, 600)
SIZE_LIMITS = (64, 3840)  # px, each side


def parse_size(text: str) -> tuple[int, int]:
    """"1280x720" -> (1280, 720); ConfigError (one line) for anything else."""
    parts = str(text).lower().replace("×", "x").split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise ConfigError(f"a size is WIDTHxHEIGHT in pixels, e.g. 1280x720, got {text!r}") \
            from None
    lo, hi = SIZE_LIMITS
    if not (lo <= w <= hi and lo <= h <= hi):
        raise ConfigError(f"each side of a size must be {lo} to {hi} px, got {text}")
    return w, h


def panel_class(name: str):
    """The panel class of ``PANELS`` whose key or title is ``name`` (any case)."""
    from nnviz.gui.panels import PANELS

    for cls in PANELS:
        if name.lower() in (cls.key.lower(), cls.title.lower()):
            return cls
    raise ConfigError(f"no panel {name!r}; choose one of "
                      f"{', '.join(cls.key for cls in PANELS)}")


def grab_rgb(widget, size: QSize | None = None) -> np.ndarray:
    """``widget`` as an (h, w, 3) uint8 array, scaled to ``size`` if given."""
    pixmap = widget.grab()
    if size is not None and pixmap.size() != size:
        pixmap = pixmap.scaled(size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
    image = pixmap.toImage().convertToFormat(QImage.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    rows = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return rows[:, : 3 * w].reshape(h, w, 3).copy()


class WindowFrames:
    """Moments shown by ``window``'s panels (a MainWindow), grabbed whole or, with ``key``,
    one panel (its dock raised first); ``scale``: of the grabbed size (the first frame's
    size is kept for all)."""

    def __init__(self, window, key: str | None = None, scale: float = 1.0):
        self.window, self.key, self.scale = window, key, float(scale)
        self.size: QSize | None = None
        if key is not None:
            dock = window.docks[key]
            dock.show()
            dock.raise_()
        timeline = window.timeline  # the slider is no part of the moments shown
        self._timeline = timeline if timeline.isVisible() else None
        if self._timeline is not None:
            timeline.hide()

    @property
    def widget(self):
        return self.window if self.key is None else self.window.panels[self.key]

    def render(self, snapshot, run) -> np.ndarray:
        window = self.window
        present(window, snapshot, run)
        if self.key is None:
            window.status.show_moment(snapshot)
        window.dispatcher.flush()
        if self.size is None:
            pixel = self.widget.grab().size()
            self.size = QSize(max(2, round(pixel.width() * self.scale)),
                              max(2, round(pixel.height() * self.scale)))
        return grab_rgb(self.widget, self.size)

    def restore(self) -> None:
        """The panels back to what the timeline shows (live, or the frame looked at)."""
        window = self.window
        timeline = window.timeline
        present(window, timeline.shown, timeline.recording.run)
        snap = window.controller.snapshot
        if snap is not None:
            window.status.show(snap, window.controller.running)
        if self._timeline is not None:
            self._timeline.show()


class PanelFrames:
    """Moments drawn by a panel of class ``cls`` on its own, ``size`` (w, h) px, for ``run``."""

    def __init__(self, cls, run, size: tuple[int, int] = PANEL_SIZE):
        self.panel = cls()
        self.panel.resize(*size)
        self.panel.set_run(run)
        self.panel.show()
        self.size = QSize(*size)

    def render(self, snapshot, run) -> np.ndarray:
        with np.errstate(all="ignore"):  # as MainWindow._call_panel: a diverging run's values
            self.panel.show_snapshot(snapshot)
        QApplication.processEvents()  # a panel's deferred refits (its own single-shot timers)
        paint_now(self.panel)
        return grab_rgb(self.panel, self.size)

    def restore(self) -> None:
        from nnviz.gui.app import delete_now

        self.panel.close()
        delete_now(self.panel)


class RecordingExport(QObject):
    """Render ``moments`` (Snapshots of ``run``) with ``target`` into ``writer``, one per
    event-loop turn. ``progressed(done, total)`` after each frame; ``finished(ok, message)``
    once the file is written (or failed, or was cancelled); ``target.restore()`` before."""

    progressed = Signal(int, int)
    finished = Signal(bool, str)

    def __init__(self, moments, run, target, writer, parent=None):
        super().__init__(parent)
        self.moments, self.run, self.target, self.writer = list(moments), run, target, writer
        self.done = 0
        self.result: tuple[bool, str] | None = None
        self._closing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._timer.start(0)

    def cancel(self) -> None:
        """Stop now; no file is written."""
        if self.result is not None:
            return
        self._timer.stop()
        self.writer.abort()
        self._end(False, "export cancelled: nothing written")

    def _tick(self) -> None:
        writer, total = self.writer, len(self.moments)
        if self.result is not None:  # cancelled meanwhile
            return
        if writer.error is not None:
            self.writer.abort()
            self._end(False, writer.error)
            return
        if self.done < total:
            try:
                writer.add(self.target.render(self.moments[self.done], self.run))
            except (NNVizError, ValueError) as exc:
                writer.abort()
                self._end(False, one_line(str(exc)))
                return
            self.done += 1
            self.progressed.emit(self.done, total)
            if self.result is None:  # (a receiver may have cancelled)
                self._timer.start(0)
            return
        if not self._closing:
            self._closing = True
            self.target.restore()
            writer.close(wait=False)
        if not writer.done:
            self._timer.start(50)  # the encoder finishes the file
            return
        if writer.error is not None:
            self._end(False, writer.error)
        else:
            self._end(True, f"{total} frames saved to {writer.path}")

    def _end(self, ok: bool, message: str) -> None:
        if not self._closing:
            self._closing = True
            self.target.restore()
        self.result = (ok, message)
        self.finished.emit(ok, message)


class HeadlessRecord:
    """``nnviz train --record PATH`` and its options, checked when made (before training:
    one-line ConfigErrors naming the flag); calling it with the run's Recording writes the
    animation (``export_headless``)."""

    def __init__(self, path, fps=None, panel=None, size=None, frames=None):
        def checked(flag, check, value):
            try:
                return check(value)
            except ConfigError as exc:
                raise ConfigError(f"{flag}: {exc}") from None

        self.path = path
        checked("--record", check_animation_path, path)
        self.fps = checked("--record-fps", check_fps, DEFAULT_FPS if fps is None else fps)
        self.panel = checked("--record-panel", panel_class, panel) if panel is not None \
            else None
        default = PANEL_SIZE if self.panel else WINDOW_SIZE
        self.size = checked("--record-size", parse_size, size) if size else default
        self.frames = checked("--record-frames", _frame_count,
                              DEFAULT_FRAMES if frames is None else frames)
        if animation_format(path) == "gif":
            checked("--record-frames", lambda n: check_gif_size(n, *self.size), self.frames)

    def __call__(self, recording, progress=None, stop=None) -> Path | None:
        return export_headless(recording, self.path, self.fps, self.panel, self.size,
                               self.frames, progress, stop)


def _frame_count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= MAX_FRAMES:
        raise ConfigError(f"the number of frames must be 2 to {MAX_FRAMES}, got {value!r}")
    return value


def export_headless(recording, path, fps: float = DEFAULT_FPS, panel=None,
                    size: tuple[int, int] = WINDOW_SIZE, most: int = MAX_FRAMES,
                    progress=None, stop=None) -> Path | None:
    """Write ``recording`` (an ``nnviz.recorder.Recording`` with its ``run``) as an animation
    of the whole window or of ``panel`` (a panel class), ``size`` (w, h) px, rendered
    offscreen; ``progress(done, total)`` after each frame. Returns the path, or None when
    ``stop()`` became true first (Ctrl-C: nothing is written); NNVizError (one line) if it
    cannot be written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no window appears
    from nnviz.gui.app import make_application

    app = make_application()
    previous = qInstallMessageHandler(_quiet_offscreen)
    try:
        return _export_headless(app, recording, path, fps, panel, size, most, progress, stop)
    finally:
        qInstallMessageHandler(previous)


def _quiet_offscreen(kind, context, message: str) -> None:
    """Qt's messages on stderr, but the offscreen plugin's note that it cannot resize a
    window to its size hints (printed for every window shown; harmless here)."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _export_headless(app, recording, path, fps, panel, size, most, progress,
                     stop) -> Path | None:
    from nnviz.gui.app import delete_now
    from nnviz.gui.main_window import MainWindow

    moments = recording.export_frames(most)
    if not moments:
        raise NNVizError("nothing was recorded")
    writer = open_writer(path, fps)
    window = None
    if panel is not None:
        target = PanelFrames(panel, recording.run, size)
    else:
        window = MainWindow(recording.run.config)
        window.resize(*size)
        window.show()
        window.timeline.adopt(recording)
        target = WindowFrames(window)
        target.size = QSize(*size)
    for _ in range(3):  # layouts settle (and their deferred refits) before the first frame
        QApplication.processEvents()
    try:
        for i, moment in enumerate(moments):
            if stop is not None and stop():
                writer.abort()
                return None
            writer.add(target.render(moment, recording.run))
            if writer.error is not None:
                break
            if progress is not None:
                progress(i + 1, len(moments))
        writer.close(wait=False)
        while not writer.done:  # the encoder writes the file (seconds for a long GIF)
            if stop is not None and stop():
                writer.abort()
                return None
            writer.wait(0.05)
        writer.raise_error()
    except BaseException:
        writer.abort()
        raise
    finally:
        target.restore()
        if window is not None:  # (its training thread stopped, all it holds deleted now)
            window.controller.shutdown()
            delete_now(window)
        app.processEvents()
    return Path(os.fspath(path))
