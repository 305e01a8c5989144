"""Animated GIF / MP4 writing (nnviz/animation.py): valid files, one-line refusals, no file
left by an abort, MP4 cleanly unavailable without ffmpeg."""

import math

import numpy as np
import pytest

from nnviz import animation
from nnviz.animation import (
    Mp4Unavailable,
    check_animation_path,
    check_fps,
    ffmpeg_exe,
    open_writer,
)
from nnviz.errors import ConfigError, NNVizError

Image = pytest.importorskip("PIL.Image")


def frames(n=6, w=64, h=40):
    for k in range(n):
        rgb = np.zeros((h, w, 3), np.uint8)
        rgb[:, : (k + 1) * w // n, 0] = 255  # a red bar growing frame by frame
        rgb[..., 2] = 40 * k
        yield rgb


def test_gif_has_every_frame_at_its_size_and_rate(tmp_path):
    path = tmp_path / "run.gif"
    writer = open_writer(path, fps=10)
    for rgb in frames():
        writer.add(rgb)
    writer.close()
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 6 and im.size == (64, 40)
        assert im.info["duration"] == 100 and im.info["loop"] == 0
        im.seek(5)
        assert im.convert("RGB").getpixel((63, 0))[0] > 200


@pytest.mark.parametrize("bad, words", [
    ("run.png", "a .gif or an .mp4"), ("run", "without an ending"), ("", "empty"),
    ("missing/run.gif", "does not exist"), (".", "is a folder"),
])
def test_bad_paths_are_one_line(tmp_path, monkeypatch, bad, words):
    monkeypatch.chdir(tmp_path)
    if bad == ".":
        (tmp_path / "dir.gif").mkdir()
        bad = "dir.gif"
    with pytest.raises(ConfigError) as info:
        check_animation_path(bad)
    assert words in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("fps", [0, -1, math.nan, math.inf, 1e9, "ten", None])
def test_bad_frame_rates(fps):
    with pytest.raises(ConfigError, match="frames per second"):
        check_fps(fps)


def test_abort_leaves_no_file_and_a_bad_frame_is_refused(tmp_path):
    path = tmp_path / "run.gif"
    writer = open_writer(path, fps=5)
    writer.add(next(frames()))
    with pytest.raises(ValueError, match="the first was"):
        writer.add(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        writer.add(np.zeros((40, 64, 3)))
    writer.abort()
    assert writer.done and not path.exists() and list(tmp_path.iterdir()) == []


def test_no_frames_is_an_error(tmp_path):
    writer = open_writer(tmp_path / "run.gif", fps=5)
    with pytest.raises(NNVizError, match="no frames"):
        writer.close()


def test_mp4_without_ffmpeg_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(animation, "ffmpeg_exe", lambda: None)
    with pytest.raises(Mp4Unavailable) as info:
        check_animation_path(tmp_path / "run.mp4")
    assert "imageio-ffmpeg" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.skipif(ffmpeg_exe() is None, reason="no ffmpeg (imageio-ffmpeg) installed")
def test_mp4_with_ffmpeg(tmp_path):
    path = tmp_path / "run.mp4"
    writer = open_writer(path, fps=10)
    for rgb in frames(w=65, h=41):  # odd sizes are cropped to even
        writer.add(rgb)
    writer.close()
    assert path.stat().st_size > 0 and path.read_bytes()[4:8] == b"ftyp"
