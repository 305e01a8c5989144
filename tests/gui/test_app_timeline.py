"""The timeline: scrubbing back shows the recorded moment in every panel (not the live run),
by real mouse and key input; Live returns; a new run starts a new recording."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from nnviz.diagram_model import strip_norms

STEPS = 20_000  # xor flat out: a few seconds, dozens of snapshots


def strip_texts(window):
    return window.panels["networkDiagram"].strip.labels.texts()


def expected_strip(snapshot):
    norms, _ = strip_norms(snapshot.grad_W)
    return [f"{n:.1e}" if n > 0 else "0" for n in norms]


def curve_end(window):
    x = window.panels["errorCurve"].items["step"].xData
    return None if x is None or not len(x) else float(x[-1])


def settled(window):
    d = window.dispatcher
    return not [name for name in d.pending() if d._visible(name)]


@pytest.fixture
def trained_window(make_window, qtbot):
    w = make_window("xor")
    w.resize(1280, 720)
    w.controller.run_steps(STEPS)
    qtbot.waitUntil(lambda: w.controller.worker.idle.is_set()
                    and w.controller.snapshot.step >= STEPS, timeout=60000)
    qtbot.waitUntil(lambda: len(w.timeline.recording) >= 5, timeout=10000)
    qtbot.waitUntil(lambda: settled(w), timeout=10000)
    return w


def test_scrubbing_shows_the_recorded_frame_in_every_panel(trained_window, qtbot):
    w = trained_window
    tl, live = w.timeline, w.controller.snapshot
    assert not tl.viewing and tl.label.text() == "● Live"
    slider = tl.slider
    # a click on the groove's left part pages back (and gives the slider focus)
    qtbot.mouseClick(slider, Qt.LeftButton, pos=QPoint(8, slider.height() // 2))
    assert tl.viewing and slider.hasFocus()
    qtbot.keyClick(slider, Qt.Key_Home)  # the slider keeps Home (and Left, Right ...)
    qtbot.keyClick(slider, Qt.Key_Right)
    assert slider.value() == 1
    frame = tl.recording.frames[1]
    assert 0 < frame.step < live.step and tl.viewed is frame
    assert f"Viewing step {frame.step:,}" in tl.label.text()
    qtbot.waitUntil(lambda: settled(w), timeout=10000)
    assert strip_texts(w) == expected_strip(frame) != expected_strip(live)
    assert curve_end(w) <= frame.step < live.step
    assert w.controller.snapshot is live  # nothing stepped: Right went to the slider
    # training goes on underneath; the panels keep the recorded moment
    w.controller.run_steps(2_000)
    qtbot.waitUntil(lambda: w.controller.snapshot.step >= live.step + 2_000, timeout=20000)
    qtbot.waitUntil(lambda: w.controller.worker.idle.is_set(), timeout=10000)
    qtbot.wait(100)
    assert strip_texts(w) == expected_strip(frame)
    assert curve_end(w) <= frame.step
    # End: live again, the panels catch up with the run
    qtbot.keyClick(slider, Qt.Key_End)
    assert not tl.viewing and not tl.live_button.isEnabled()
    now = w.controller.snapshot
    qtbot.waitUntil(lambda: settled(w) and curve_end(w) is not None
                    and curve_end(w) > frame.step, timeout=10000)
    assert strip_texts(w) == expected_strip(now)


def test_window_keys_and_the_live_button(trained_window, qtbot):
    w = trained_window
    tl = w.timeline
    n = len(tl.recording)
    w.activateWindow()
    w.setFocus()
    qtbot.keyClick(w, Qt.Key_BracketLeft)  # "[": from live, the last frame
    assert tl.viewing and tl.slider.value() == n - 1
    qtbot.keyClick(w, Qt.Key_BracketLeft)
    assert tl.slider.value() == n - 2
    qtbot.keyClick(w, Qt.Key_BracketRight)
    qtbot.keyClick(w, Qt.Key_BracketRight)  # past the last frame: live
    assert not tl.viewing
    qtbot.keyClick(w, Qt.Key_BracketLeft)
    assert tl.viewing and tl.live_button.isEnabled()
    qtbot.mouseClick(tl.live_button, Qt.LeftButton)
    assert not tl.viewing


def test_a_step_goes_live_and_a_new_run_starts_a_new_recording(trained_window, qtbot):
    w = trained_window
    tl = w.timeline
    tl.show_index(2)
    assert tl.viewing
    step = w.controller.snapshot.step
    w.setFocus()
    qtbot.keyClick(w, Qt.Key_Right, Qt.ShiftModifier)  # step a batch: shown as it happens
    assert not tl.viewing
    qtbot.waitUntil(lambda: w.controller.snapshot.step == step + 1, timeout=10000)
    tl.show_index(1)
    old = tl.recording
    qtbot.keyClick(w, Qt.Key_R)  # reset: a new run
    qtbot.waitUntil(lambda: tl.recording is not old, timeout=10000)
    assert not tl.viewing and len(tl.recording) == 1
    assert tl.recording.generation == w.controller.snapshot.generation


def test_replayed_frames_leave_the_landscape_path_alone(trained_window, qtbot):
    w = trained_window
    inspector = w.panels["backpropInspector"]
    w.docks["backpropInspector"].show()
    w.docks["backpropInspector"].raise_()
    qtbot.waitUntil(lambda: settled(w), timeout=10000)
    path = list(inspector._path)
    for i in range(len(w.timeline.recording)):
        w.timeline.show_index(i)
        w.dispatcher.flush()
    assert inspector._path == path
    w.timeline.show_index(1)  # marked where it was, on the path as it is
    w.dispatcher.flush()
    here = inspector.landscape_here.getData()
    assert inspector._path == path and len(path) > 2
    assert not np.allclose([here[0][0], here[1][0]], path[-1])


def test_the_slider_follows_training_lazily_and_catches_up_for_a_key(trained_window, qtbot):
    """While live, the slider is refreshed a few times a second, not with every recorded
    snapshot; a key on the window (or the slider) brings it up to date first."""
    w = trained_window
    tl = w.timeline
    w.activateWindow()
    w.setFocus()
    w.controller.play()
    qtbot.waitUntil(lambda: tl.slider.maximum() < len(tl.recording), timeout=20000)
    w.controller.pause()
    qtbot.keyClick(w, Qt.Key_BracketLeft)  # "[" from live: the last frame recorded
    n = len(tl.recording)
    assert tl.slider.maximum() == n and tl.slider.value() == n - 1
    assert tl.viewing and tl.viewed is tl.recording.frames[-1]
    qtbot.keyClick(w, Qt.Key_End)
    assert not tl.viewing
    w.controller.wait_idle()
    qtbot.waitUntil(lambda: tl.slider.maximum() == len(tl.recording)
                    and tl.slider.value() == len(tl.recording), timeout=10000)
