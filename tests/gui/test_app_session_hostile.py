"""Hostile session files opened in the window (issue 14 items 7, 8): refused with one line,
the current run untouched and its worker still training; never a traceback or an abort."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.session.format import write_archive
from nnviz.session.state import capture


def craft_pins(path, pinned):
    """A valid xor session whose pinned runs are ``pinned`` (plain values and arrays)."""
    manifest, arrays = capture(build(PRESETS["xor"]))
    manifest["pinned"] = []
    for i, run in enumerate(pinned):
        values, members = {}, []
        for j, (key, v) in enumerate(run.items()):
            if isinstance(v, np.ndarray):
                arrays[f"pinned/p{i}_{j}.npy"] = v
                members.append([key, j])
            else:
                values[key] = v
        manifest["pinned"].append({"values": values, "arrays": members})
    with open(path, "wb") as f:
        write_archive(f, manifest, arrays)
    return path


BAD_PINS = {
    "mismatched": ([{"label": "a", "step_x": np.arange(5.0), "step_y": np.ones(3)}],
                   "5 x and 3 y"),
    "scalar": ([{"label": "a", "step_x": 5.0, "step_y": 1.0}], "1-D numeric array"),
    "string": ([{"label": "a", "step_x": "abc", "step_y": "def"}], "1-D numeric array"),
    "no y": ([{"label": "a", "step_x": np.arange(3.0)}], "has no 'step_y'"),
    "label": ([{"label": 7, "step_x": np.arange(3.0), "step_y": np.ones(3)}], "label"),
    "x inf": ([{"step_x": np.array([0, np.inf]), "step_y": np.ones(2)}], "finite"),
    "2-D": ([{"step_x": np.zeros((2, 3)), "step_y": np.zeros((2, 3))}], "dimension"),
}


@pytest.mark.parametrize("case", list(BAD_PINS))
def test_bad_pinned_curves_are_refused_and_the_run_goes_on(make_window, qtbot, tmp_path, case):
    pinned, words = BAD_PINS[case]
    path = craft_pins(tmp_path / "pins.nnviz", pinned)
    w = make_window("xor")
    before = w.controller.experiment
    assert not w.sessions.open_session(str(path))
    title, text, _ = w.errors[-1]
    assert title == "Could not open the session" and "\n" not in text
    assert text.startswith(str(path)) and words in text, text
    assert w.controller.experiment is before
    target = w.controller.snapshot.step + 25  # the worker still trains the old run
    w.controller.run_steps(25)
    qtbot.waitUntil(lambda: w.controller.snapshot.step >= target, timeout=10000)


def test_good_pins_with_huge_finite_values_open_and_draw(make_window, qtbot, tmp_path):
    run = {"label": "huge", "step_x": np.array([1.0, 2.0, 3.0]),
           "step_y": np.array([1e308, -1e308, 1e308]),
           "train_x": np.array([0.0, 1e300]), "train_y": np.array([np.nan, 1e-308])}
    path = craft_pins(tmp_path / "huge.nnviz", [run])
    w = make_window("xor")
    assert w.sessions.open_session(str(path)), w.errors
    panel = w.panels["errorCurve"]
    assert panel.pins == ["huge"]
    w.dispatcher.flush()
    panel.grab().save(str(tmp_path / "huge.png"))


@pytest.mark.parametrize("case", ["mismatched", "string", "2-D"])
def test_opening_bad_pins_from_the_command_line_is_one_line_exit_2(tmp_path, case):
    path = craft_pins(tmp_path / "pins.nnviz", BAD_PINS[case][0])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "NNVIZ_SETTINGS": str(tmp_path / "settings.ini")}
    proc = subprocess.run([sys.executable, "-m", "nnviz", "--open", str(path)],
                          capture_output=True, text=True, timeout=120, env=env,
                          cwd=os.getcwd())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and str(path) in proc.stderr
