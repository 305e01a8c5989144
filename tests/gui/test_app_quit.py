"""Quitting with unsaved training asks (Save / Quit without saving / Cancel), as changing a
preset does; it never asks with nothing to lose, nor in scripted runs and tests that do not
ask for it. The question is the real QMessageBox, answered by clicking its buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox


def trained(asking, qtbot, steps: int = 3):
    w = asking("xor")
    with qtbot.waitActive(w):
        w.activateWindow()
    for step in range(1, steps + 1):
        step_batch(qtbot, w, step)
    return w


def step_batch(qtbot, w, then: int) -> None:
    """One batch step; waits until the snapshot shows step ``then`` and the worker rests."""
    w.act_step_batch.trigger()
    qtbot.waitUntil(lambda: w.controller.snapshot.step == then, timeout=5000)
    qtbot.waitUntil(lambda: w.controller.worker.idle.is_set(), timeout=5000)


def quit_by_key(qtbot, w) -> None:
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key_Q, Qt.ControlModifier)


def test_cancel_keeps_the_window_and_the_run(asking, qtbot, answer_next_question):
    w = trained(asking, qtbot)
    seen = []
    answer_next_question(QMessageBox.Cancel, seen)
    quit_by_key(qtbot, w)
    assert seen == ["This run's 3 training steps are not saved. Save before quitting?"]
    assert w.isVisible()
    assert w.controller.snapshot.step == 3
    step_batch(qtbot, w, 4)  # the worker is still there


def test_quit_without_saving_closes(asking, qtbot, answer_next_question):
    w = trained(asking, qtbot)
    seen = []
    answer_next_question(QMessageBox.Discard, seen)
    quit_by_key(qtbot, w)
    assert len(seen) == 1
    assert not w.isVisible()


def test_save_then_quit(asking, qtbot, tmp_path, answer_next_question):
    w = trained(asking, qtbot)
    path = tmp_path / "kept.nnviz"
    w.sessions._ask_save = lambda *args: str(path)
    answer_next_question(QMessageBox.Save, [])
    quit_by_key(qtbot, w)
    assert path.exists()
    assert not w.isVisible()


def test_save_dialog_cancelled_keeps_the_window(asking, qtbot, answer_next_question):
    w = trained(asking, qtbot)
    w.sessions._ask_save = lambda *args: ""
    answer_next_question(QMessageBox.Save, [])
    quit_by_key(qtbot, w)
    assert w.isVisible()


def never_asked(w) -> list:
    asked = []
    w.ask_unsaved = lambda steps, edits=0: asked.append(steps) or "cancel"
    return asked


def test_no_question_when_nothing_would_be_lost(asking, qtbot, tmp_path):
    w = trained(asking, qtbot)
    assert w.sessions.save_session(str(tmp_path / "s.nnviz"))
    asked = never_asked(w)
    w.close()
    assert asked == [] and not w.isVisible()

    fresh = asking("circles")
    asked = never_asked(fresh)
    fresh.close()  # no step trained
    assert asked == [] and not fresh.isVisible()


def test_training_after_a_save_asks_again(asking, qtbot, tmp_path):
    w = trained(asking, qtbot)
    assert w.sessions.save_session(str(tmp_path / "s.nnviz"))
    step_batch(qtbot, w, 4)
    asked = never_asked(w)
    w.close()
    assert asked == [4] and w.isVisible()


def test_an_opened_session_is_saved_until_trained(asking, qtbot, tmp_path):
    w = trained(asking, qtbot)
    path = str(tmp_path / "s.nnviz")
    assert w.sessions.save_session(path)
    other = asking("xor")
    assert other.sessions.open_session(path)
    assert other.controller.snapshot.step == 3
    asked = never_asked(other)
    other.close()
    assert asked == [] and not other.isVisible()


def test_scripted_runs_and_tests_never_ask(make_window, qtbot):
    """The window's default (scripted runs, tests): closing never asks."""
    w = make_window("xor")
    assert not w.ask_before_quit
    step_batch(qtbot, w, 1)
    asked = never_asked(w)
    w.close()
    assert asked == [] and not w.isVisible()
