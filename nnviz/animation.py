"""Animated GIF (Pillow) and MP4 (an ffmpeg executable) files from RGB frames, encoded off the
caller's thread.

``writer = open_writer(path, fps)``; ``writer.add(rgb)`` for each frame, ``rgb`` a (h, w, 3)
uint8 array (every frame the first one's size); ``writer.close()`` finishes the file (or
``writer.abort()`` leaves none). A background thread encodes (Pillow's quantisation, ffmpeg's
pipe) while the caller renders the next frame; ``add`` waits only when QUEUE_FRAMES frames are
pending, so a GUI thread that renders is never blocked for long. ``done`` says the thread has
finished, ``error`` what went wrong (one line).

GIF: each frame is quantised to its own adaptive palette (256 colours; the panels' colour maps
need more than a shared one; fast octree: 13 ms a 1280x720 frame, median cut 520 ms), the file
written atomically once every frame is in. MP4: H.264,
yuv420p (any player), through ``ffmpeg`` from the optional ``imageio-ffmpeg`` package or on the
PATH; without one, ``Mp4Unavailable`` says so in one line.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np

from nnviz.errors import ConfigError, NNVizError, SessionFileError, one_line
from nnviz.session.atomic import atomic_write, check_name, check_target

#: file name endings -> format
FORMATS = {".gif": "gif", ".mp4": "mp4"}
#: frames waiting for the encoder at most (each a few MB at window size)
QUEUE_FRAMES = 4
#: frames per second an animation may have (GIF stores delays in 10 ms units)
MIN_FPS, MAX_FPS = 1.0, 50.0
#: pixels a GIF holds at most (frames x width x height): every frame is kept, quantised, until
#: the file is written (measured: 274 frames of 1920x1080, 568M pixels, peaked at 1.4 GB)
MAX_GIF_PIXELS = 600_000_000
#: how to get an MP4 writer
MP4_HINT = ("MP4 needs ffmpeg: pip install imageio-ffmpeg (nnviz's 'video' extra), or put "
            "ffmpeg on the PATH; or save a .gif")


class Mp4Unavailable(NNVizError):
    """No ffmpeg to write MP4 with."""


def animation_format(path: str | os.PathLike) -> str:
    """"gif" or "mp4" from ``path``'s ending; ConfigError (one line) for any other, or for a
    name that is only an ending (``check_name``)."""
    try:
        check_name(path)
    except SessionFileError as exc:
        raise ConfigError(str(exc)) from None
    suffix = Path(os.fspath(path)).suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"{os.fspath(path)}: an animation is a .gif or "
                          f"an .mp4 file, not {suffix or 'a name without an ending'}")
    return FORMATS[suffix]


def check_animation_path(path: str | os.PathLike) -> str:
    """Refuse now, in one line, a path an animation cannot be written to (its ending, its
    folder, a folder or device in its place; an .mp4 without ffmpeg); returns its format."""
    kind = animation_format(path)
    try:
        check_target(path)
    except SessionFileError as exc:
        raise ConfigError(str(exc)) from None
    if kind == "mp4" and ffmpeg_exe() is None:
        raise Mp4Unavailable(MP4_HINT)
    return kind


def check_fps(fps) -> float:
    """``fps`` as a float in [MIN_FPS, MAX_FPS] (ConfigError otherwise: NaN, inf, text...)."""
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise ConfigError(f"frames per second must be a number, got {fps!r}") from None
    if not MIN_FPS <= value <= MAX_FPS:  # (NaN fails both)
        raise ConfigError(f"frames per second must be {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")
    return value


def check_gif_size(frames: int, width: int, height: int) -> None:
    """ConfigError (one line) if ``frames`` GIF frames of ``width`` x ``height`` px exceed
    MAX_GIF_PIXELS (an MP4 streams its frames to ffmpeg: no limit)."""
    pixels = int(frames) * int(width) * int(height)
    if pixels > MAX_GIF_PIXELS:
        most = max(1, MAX_GIF_PIXELS // (int(width) * int(height)))
        raise ConfigError(f"{frames} GIF frames of {width}x{height} px are too many to hold "
                          f"while the file is written (at most {most} at that size): fewer "
                          "frames, a smaller size, or an .mp4")


def ffmpeg_exe() -> str | None:
    """An ffmpeg executable: imageio-ffmpeg's (the optional extra), else one on the PATH."""
    try:
        import imageio_ffmpeg
    except ImportError:
        return shutil.which("ffmpeg")
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (RuntimeError, OSError):
        return shutil.which("ffmpeg")


def open_writer(path: str | os.PathLike, fps: float) -> AnimationWriter:
    """A writer for ``path`` (``check_animation_path`` first) at ``fps`` frames/s."""
    kind = check_animation_path(path)
    fps = check_fps(fps)
    return GifWriter(path, fps) if kind == "gif" else Mp4Writer(path, fps)


class AnimationWriter:
    """Frames in (``add``), a file out (``close``), encoded on a daemon thread."""

    #: every frame is kept until the file is written (a GIF): MAX_GIF_PIXELS holds
    holds_frames = False

    def __init__(self, path, fps: float):
        self.path, self.fps = Path(os.fspath(path)), float(fps)
        self.frames = 0
        self.size: tuple[int, int] | None = None  # (width, height)
        self.error: str | None = None
        self._queue: queue.Queue = queue.Queue(QUEUE_FRAMES)
        self._aborted = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nnviz-animation", daemon=True)
        self._thread.start()

    @property
    def done(self) -> bool:
        """The encoder has finished (after ``close``/``abort``, or on an error)."""
        return not self._thread.is_alive()

    def add(self, rgb: np.ndarray) -> None:
        """One more frame, (h, w, 3) uint8 (ValueError for another shape or size)."""
        rgb = np.ascontiguousarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"a frame is (h, w, 3) uint8, got {rgb.shape} {rgb.dtype}")
        size = (rgb.shape[1], rgb.shape[0])
        if self.holds_frames:
            check_gif_size(self.frames + 1, *size)
        if self.size is None:
            self.size = size
        elif size != self.size:
            raise ValueError(f"frame {self.frames} is {size}, the first was {self.size}")
        self._put(rgb)
        self.frames += 1

    def close(self, wait: bool = True) -> None:
        """No more frames: finish the file (``wait``: until it is written); raises the
        encoder's error as an NNVizError."""
        self._put(None)
        if wait:
            self._thread.join()
            self.raise_error()

    def wait(self, seconds: float) -> None:
        """Wait at most ``seconds`` for the encoder to finish."""
        self._thread.join(seconds)

    def abort(self) -> None:
        """Stop; no file is left (an existing one is as it was)."""
        self._aborted.set()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._thread.join()

    def raise_error(self) -> None:
        if self.error is not None:
            raise NNVizError(self.error)

    # ------------------------------------------------------------------ internals
    def _put(self, item) -> None:
        while not self._aborted.is_set() and not self.done:
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _frames(self):
        while not self._aborted.is_set():
            item = self._queue.get()
            if item is None:
                return
            yield item

    def _run(self) -> None:
        try:
            self._encode()
        except NNVizError as exc:
            self.error = one_line(str(exc))
        except (OSError, ValueError, RuntimeError, MemoryError) as exc:
            self.error = one_line(f"cannot write {self.path}: {exc}")
        finally:
            self._aborted.set()  # a producer waiting on a full queue stops waiting

    def _encode(self) -> None:
        raise NotImplementedError


class GifWriter(AnimationWriter):
    """An animated GIF, looping; each frame ``1 / fps`` s (GIF delays are 10 ms steps)."""

    holds_frames = True

    def _encode(self) -> None:
        from PIL import Image

        images = [Image.fromarray(rgb, "RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
                  for rgb in self._frames()]
        if self._aborted.is_set() or not images:
            if not images and not self._aborted.is_set():
                raise NNVizError(f"cannot write {self.path}: no frames")
            return
        buffer = io.BytesIO()
        duration = max(20, int(round(100 / self.fps)) * 10)  # ms
        images[0].save(buffer, "GIF", save_all=True, append_images=images[1:],
                       duration=duration, loop=0, disposal=1)
        if self._aborted.is_set():  # aborted while Pillow encoded: no file
            return
        atomic_write(self.path, lambda f: f.write(buffer.getbuffer()), "the animation")


class Mp4Writer(AnimationWriter):
    """H.264 in MP4 through ffmpeg's stdin (odd sizes cropped to even: yuv420p needs it)."""

    def _encode(self) -> None:
        exe = ffmpeg_exe()
        if exe is None:
            raise Mp4Unavailable(MP4_HINT)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.nnviz-tmp.mp4")
        proc = None
        try:
            for rgb in self._frames():
                h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
                if proc is None:
                    proc = subprocess.Popen(
                        [exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
                         "-s", f"{w}x{h}", "-r", f"{self.fps:g}", "-i", "-", "-an",
                         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
                         "-f", "mp4", os.fspath(tmp)],
                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE)
                proc.stdin.write(np.ascontiguousarray(rgb[:h, :w]).tobytes())
            if proc is None:
                if not self._aborted.is_set():
                    raise NNVizError(f"cannot write {self.path}: no frames")
                return
            proc.stdin.close()
            err = proc.stderr.read().decode(errors="replace")
            if proc.wait() != 0 and not self._aborted.is_set():
                raise NNVizError(f"ffmpeg could not write {self.path}: "
                                 f"{err.strip() or 'exit code ' + str(proc.returncode)}")
            if not self._aborted.is_set():
                os.replace(tmp, self.path)
        except BrokenPipeError:
            err = proc.stderr.read().decode(errors="replace") if proc else ""
            raise NNVizError(f"ffmpeg stopped writing {self.path}: {err.strip()}") from None
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            with contextlib.suppress(OSError):
                os.unlink(tmp)
