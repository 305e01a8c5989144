"""The app as a user scripts it: train in the worker, save a screenshot, exit 0 (no exit crash)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("PySide6")


def test_screenshot_run_exits_cleanly_with_a_real_png(tmp_path):
    out = tmp_path / "out.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "NNVIZ_SETTINGS": str(tmp_path / "settings.ini")}
    proc = subprocess.run(
        [sys.executable, "-m", "nnviz", "--preset", "xor", "--train-steps", "200",
         "--screenshot", str(out)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Fatal" not in proc.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 500
    colors = {image.pixel(x, y) for x in range(0, image.width(), 37)
              for y in range(0, image.height(), 29)}
    assert len(colors) > 20  # a real picture, not a blank window
    assert not (tmp_path / "settings.ini").exists()  # scripted runs remember nothing


def test_unknown_preset_is_one_line_exit_2(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "nnviz", "--preset", "nope"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown preset" in proc.stderr


def test_no_display_is_one_line_exit_2(tmp_path):
    """Without a display Qt would abort with several lines; nnviz says what to do instead."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "nnviz"], capture_output=True, text=True,
                          timeout=60, env={**env, "NNVIZ_SETTINGS": str(tmp_path / "s.ini")})
    if sys.platform.startswith("linux"):
        assert proc.returncode == 2
        assert proc.stderr.strip().count("\n") == 0 and "no display" in proc.stderr
        assert "QT_QPA_PLATFORM=offscreen" in proc.stderr


def test_missing_x11_libraries_are_named_with_their_packages():
    from nnviz.gui.app import debian_package, display_problem

    x11 = {"DISPLAY": ":0"}
    lacking = lambda path: ["libxcb-icccm.so.4", "libxkbcommon-x11.so.0"]  # noqa: E731
    problem = display_problem(x11, "linux", lacking)
    assert "libxcb-icccm.so.4, libxkbcommon-x11.so.0" in problem
    assert "sudo apt install libxcb-icccm4 libxkbcommon-x11-0" in problem
    assert display_problem(x11, "linux", lambda path: []) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", lacking) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", lacking) is None
    assert display_problem({}, "darwin", lacking) is None
    assert debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="shared libraries: Linux")
def test_missing_libraries_loads_to_find_out(tmp_path):
    from nnviz.gui.app import missing_libraries

    assert missing_libraries("libc.so.6") == []
    broken = tmp_path / "libbroken.so"
    broken.write_bytes(b"not a library")
    assert missing_libraries(str(broken)) == ["libbroken.so"]
