"""The pace control: up = faster along a 1-2-5 ladder, "as fast as possible" one click away,
each preset opening at its own pace in a person's window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from nnviz.experiment import PRESET_PACE, PRESETS
from nnviz.gui.settings import AppSettings
from nnviz.gui.speed import SPEED_MAX, PaceSpinBox

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def test_pace_box_steps_up_faster_and_down_slower_along_the_ladder(qtbot):
    box = PaceSpinBox()
    qtbot.addWidget(box)

    def step(start, steps):
        box.setValue(start)
        box.stepBy(steps)
        return box.value()

    assert step(200, 1) == 500 and step(200, -1) == 100 and step(200, 2) == 1000
    assert step(150, 1) == 200 and step(150, -1) == 100  # typed between two rungs
    assert step(1, -1) == 1 and step(SPEED_MAX, 1) == SPEED_MAX  # the ends hold
    assert step(5, 1) == 10 and step(20, -1) == 10


def test_every_preset_has_a_pace_a_person_can_follow():
    assert set(PRESET_PACE) == set(PRESETS)
    for name, pace in PRESET_PACE.items():
        assert pace is None or 1 <= pace <= 1000, name
    assert PRESET_PACE["xor"] is not None  # the preset the app opens with


def test_up_arrow_trains_faster_and_down_slower(make_window, qtbot):
    w = make_window("xor")
    w.set_pace(200)
    assert w.controller.speed == 200
    qtbot.keyClick(w.speed, Qt.Key_Up)
    assert w.speed.value() == 500 and w.controller.speed == 500
    qtbot.keyClick(w.speed, Qt.Key_Down)
    qtbot.keyClick(w.speed, Qt.Key_Down)
    assert w.speed.value() == 100 and w.controller.speed == 100


def test_as_fast_as_possible_is_one_click_away_and_back(make_window, qtbot):
    w = make_window("xor")
    w.set_pace(50)
    w.act_full_speed.trigger()
    assert w.controller.speed is None
    w.act_full_speed.trigger()
    assert w.controller.speed == 50
    w.act_full_speed.trigger()
    w.speed.setValue(20)  # choosing a pace leaves full speed
    assert not w.act_full_speed.isChecked() and w.controller.speed == 20


def test_a_persons_window_opens_each_preset_at_its_pace(make_window, qtbot):
    w = make_window(preset=None, settings=AppSettings())
    assert w.controller.config == PRESETS["xor"]
    assert w.controller.speed == PRESET_PACE["xor"] and not w.act_full_speed.isChecked()
    w._on_preset_chosen("iris")
    assert w.controller.speed == PRESET_PACE["iris"]
    w._on_preset_chosen("function-fit")
    assert w.controller.speed is None and w.act_full_speed.isChecked()


def test_the_persons_own_pace_is_remembered(make_window, qtbot):
    w = make_window(preset=None, settings=AppSettings())
    w.set_pace(50)
    w.close()
    w2 = make_window(preset=None, settings=AppSettings())
    assert w2.controller.speed == 50 and w2.speed.value() == 50
    w2.act_full_speed.trigger()
    w2.close()
    w3 = make_window(preset=None, settings=AppSettings())
    assert w3.controller.speed is None and w3.act_full_speed.isChecked()


def test_scripted_windows_train_flat_out(make_window):
    w = make_window("xor")  # no settings: a script or a test
    assert w.controller.speed is None and w.act_full_speed.isChecked()
