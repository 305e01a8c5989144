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
