"""The keyboard: the window's shortcuts (Space, N, Shift+N, Left, Right) work wherever focus
is, except while a person types in a text field; Return in a field commits it and gives focus
back to the window. Every key goes to the focused widget as real key events (qtbot.keyClick)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from nnviz.gui.keyboard import is_text_field


def focused():
    return QApplication.focusWidget()


@pytest.fixture
def window(make_window, qtbot):
    w = make_window("xor")
    with qtbot.waitActive(w):
        w.activateWindow()
    return w


def click_into(qtbot, box):
    """Focus a spin box as a click would, with its text selected (as after Tab)."""
    box.setFocus(Qt.MouseFocusReason)
    qtbot.waitUntil(lambda: focused() is box, timeout=2000)
    box.selectAll()


def test_space_after_typing_a_learning_rate_and_return_plays(window, qtbot):
    w, lr = window, window.controls.lr
    click_into(qtbot, lr)
    qtbot.keyClicks(focused(), "0.05")
    qtbot.keyClick(focused(), Qt.Key_Return)
    assert lr.value() == pytest.approx(0.05)  # committed ...
    assert not is_text_field(focused())  # ... and the window has the keys again
    trainer = w.controller.experiment.trainer
    qtbot.waitUntil(lambda: trainer.lr == pytest.approx(0.05), timeout=3000)
    qtbot.keyClick(focused(), Qt.Key_Space)
    assert w.controller.running
    assert lr.text() == "0.05"  # the field was not blanked
    qtbot.keyClick(focused(), Qt.Key_Space)
    assert not w.controller.running


def test_space_while_typing_types(window, qtbot):
    w, lr = window, window.controls.lr
    click_into(qtbot, lr)
    qtbot.keyClicks(focused(), "0.0")
    qtbot.keyClick(focused(), Qt.Key_Space)
    assert lr.lineEdit().text() == "0.0 "
    assert not w.controller.running
    assert focused() is lr


def test_space_in_a_field_not_being_typed_in_plays(window, qtbot):
    """Focus left in a field (a click on its arrows, Tab, start-up) does not swallow Space."""
    w, batch = window, window.controls.batch
    click_into(qtbot, batch)
    before = batch.text()
    qtbot.keyClick(focused(), Qt.Key_Space)
    assert w.controller.running
    assert batch.text() == before
    qtbot.keyClick(focused(), Qt.Key_Space)
    assert not w.controller.running


@pytest.mark.parametrize(("key", "modifier", "action"), [
    (Qt.Key_N, Qt.NoModifier, "act_next_phase"),
    (Qt.Key_N, Qt.ShiftModifier, "act_next_walk_sample"),
    (Qt.Key_Left, Qt.NoModifier, "act_back_phase"),
    (Qt.Key_Right, Qt.NoModifier, "act_step_sample"),
], ids=["N", "Shift+N", "Left", "Right"])
def test_step_keys_step_from_a_field_not_being_typed_in(window, qtbot, key, modifier, action):
    w = window
    click_into(qtbot, w.controls.lr)
    with qtbot.waitSignal(getattr(w, action).triggered, timeout=2000):
        qtbot.keyClick(focused(), key, modifier)
    assert w.controls.lr.value() == pytest.approx(0.1)


def test_step_keys_edit_while_typing(window, qtbot):
    """While typing, Left moves the cursor and N is the field's (refused: not a number)."""
    w, lr = window, window.controls.lr
    fired = []
    for name in ("act_next_phase", "act_back_phase", "act_next_walk_sample"):
        getattr(w, name).triggered.connect(lambda _=False, n=name: fired.append(n))
    click_into(qtbot, lr)
    qtbot.keyClicks(focused(), "0.25")
    qtbot.keyClick(focused(), Qt.Key_Left)
    assert lr.lineEdit().cursorPosition() == 3
    qtbot.keyClick(focused(), Qt.Key_N)
    qtbot.keyClick(focused(), Qt.Key_N, Qt.ShiftModifier)
    assert fired == []
    assert lr.lineEdit().text() == "0.25"


def test_return_gives_focus_back_and_n_steps(window, qtbot):
    w, lr = window, window.controls.lr
    click_into(qtbot, lr)
    qtbot.keyClicks(focused(), "0.2")
    qtbot.keyClick(focused(), Qt.Key_Return)
    assert focused() is w
    with qtbot.waitSignal(w.act_next_phase.triggered, timeout=2000):
        qtbot.keyClick(focused(), Qt.Key_N)
    assert lr.value() == pytest.approx(0.2)


def test_focus_moving_to_another_field_ends_typing(window, qtbot):
    w = window
    click_into(qtbot, w.controls.lr)
    qtbot.keyClicks(focused(), "0.3")
    click_into(qtbot, w.controls.batch)
    assert w.keyboard.typing is None
    qtbot.keyClick(focused(), Qt.Key_Space)
    assert w.controller.running
    assert w.controls.lr.value() == pytest.approx(0.3)  # leaving the field committed it
    qtbot.keyClick(focused(), Qt.Key_Space)
