"""Editing a weight or bias by hand in the window, with real mouse, wheel and key events: the
diagram selects, the editor types, the wheel and a drag nudge, Ctrl+Z / Ctrl+Shift+Z undo and
redo, the loss curve marks each edit, and the worker publishes the result at once."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from nnviz.diagram_model import Selection
from nnviz.hand_edit import drag_change, wheel_change

#: the offscreen platform plugin cannot pass the window's size hints on (conftest.py), nor raise
#: the value popup or grab the keyboard for it (a window system does; the events reach it all
#: the same)
pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing)")


def settle(w, qtbot):
    qtbot.waitUntil(w.controller.worker.settled, timeout=10000)
    w.dispatcher.flush()


def live(w, layer, kind, index):
    """The live parameter, read on the worker thread."""
    arrays = "weights" if kind == "W" else "biases"
    return w.controller.call(lambda exp: float(getattr(exp.net, arrays)[layer][index]))


def ready(make_window, qtbot, preset="xor"):
    w = make_window(preset)
    qtbot.waitExposed(w)
    settle(w, qtbot)
    return w, w.panels["networkDiagram"]


def view_point(diagram, x, y) -> QPoint:
    """Viewport pixel of diagram view point (x, y)."""
    return diagram.view.mapFromScene(diagram.vb.mapViewToScene(QPointF(x, y)))


def connection_point(diagram, layer, i, j) -> QPoint:
    L = diagram._layout
    x0, y0, x1, y1 = L.segments[L.edge_flat(layer, i, j)]
    return view_point(diagram, 0.6 * x0 + 0.4 * x1, 0.6 * y0 + 0.4 * y1)


def neuron_point(diagram, layer, index) -> QPoint:
    x, y = diagram._layout.neuron_xy[diagram._layout.neuron_flat(layer, index)]
    return view_point(diagram, x, y)


def click(diagram, qtbot, pos):
    with qtbot.waitSignal(diagram.selectionChanged):
        qtbot.mouseClick(diagram.view.viewport(), Qt.LeftButton, pos=pos)


def type_value(qtbot, diagram, pos, text):
    """Double-click the item at ``pos`` (the value popup opens), replace the value with
    ``text`` and press Return, all as real mouse and key events."""
    editor = diagram.editor
    qtbot.mouseDClick(diagram.view.viewport(), Qt.LeftButton, pos=pos)
    qtbot.waitUntil(editor.isVisible, timeout=5000)
    assert editor.value.hasFocus() and editor.value.selectedText() == editor.value.text()
    qtbot.keyClick(editor.value, Qt.Key_Backspace)
    qtbot.keyClicks(editor.value, text)
    qtbot.keyClick(editor.value, Qt.Key_Return)


def wheel(widget, pos, angle, modifiers=Qt.NoModifier):
    """A real wheel event (one notch = 120) at ``pos`` of ``widget``."""
    global_pos = QPointF(widget.mapToGlobal(pos))
    event = QWheelEvent(QPointF(pos), global_pos, QPoint(0, 0), QPoint(0, angle),
                        Qt.NoButton, modifiers, Qt.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def xor(make_window, qtbot):
    return ready(make_window, qtbot)


def test_click_a_connection_type_a_value_and_everything_follows(xor, qtbot):
    w, diagram = xor
    editor, curve = diagram.editor, w.panels["errorCurve"]
    w.controller.run_steps(30)
    settle(w, qtbot)
    pos = connection_point(diagram, 1, 2, 0)
    click(diagram, qtbot, pos)
    assert diagram.selection == Selection("connection", 1, i=2, j=0)
    before = w.controller.snapshot
    type_value(qtbot, diagram, pos, "-4.5")
    assert editor.name.text() == "W2[3, 1] =" and not editor.isVisible()
    settle(w, qtbot)
    snap = w.controller.snapshot
    assert live(w, 1, "W", (2, 0)) == -4.5 == snap.weights[1][2, 0]
    assert snap.edits[-1].text == f"W2[3, 1]: {before.weights[1][2, 0]:.4g} → -4.5 (step 30)"
    # the forward pass, the prediction map and the loss follow at once
    assert snap.sample.loss != before.sample.loss and snap.current_loss != before.current_loss
    assert not np.array_equal(snap.grid.predicted, before.grid.predicted)
    assert "w = -4.5" in diagram.info.text()
    assert f"loss now {snap.current_loss:.4g} (before the edit {before.current_loss:.4g})" \
        in diagram.info.text()
    # the loss curve marks it at its step
    assert [m.value() for m in curve.edit_marks] == [30]
    assert "W2[3, 1]" in curve.edit_marks[0].toolTip()
    assert w.edit_actions.undo.isEnabled() and "W2[3, 1]" in w.edit_actions.undo.text()


@pytest.mark.parametrize("text,words", [("abc", "'abc' is not a number"),
                                        ("-nan", "NaN"), ("1e400", "not finite"),
                                        ("-inf", "not finite"), ("", "type a number")])
def test_a_typed_value_that_is_not_a_finite_number_is_refused_with_the_reason(xor, qtbot,
                                                                               text, words):
    w, diagram = xor
    type_value(qtbot, diagram, connection_point(diagram, 0, 0, 1), text)
    assert diagram.editor.isVisible() and words in diagram.editor.note.text()
    assert "\n" not in diagram.editor.note.text()
    qtbot.keyClick(diagram.editor.value, Qt.Key_Escape)
    assert not diagram.editor.isVisible()
    settle(w, qtbot)
    assert w.controller.snapshot.edits == ()


def test_a_hidden_neuron_edits_its_bias_and_an_input_neuron_nothing(xor, qtbot):
    w, diagram = xor
    diagram.select(Selection("neuron", 0, index=1))  # (a click on an input toggles it)
    assert diagram.editor.param is None  # inputs have no parameter
    w.edit_actions.set_value.trigger()  # F2: nothing to edit, says so
    assert not diagram.editor.isVisible()
    assert "select a connection" in w.statusBar().currentMessage()
    type_value(qtbot, diagram, neuron_point(diagram, 1, 2), "0.75")
    assert diagram.editor.name.text() == "b1[3] ="
    assert diagram.selection == Selection("neuron", 1, index=2)
    settle(w, qtbot)
    assert live(w, 0, "b", (2,)) == 0.75
    # F2 opens it for the selection too
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key_F2)
    qtbot.waitUntil(diagram.editor.isVisible, timeout=5000)
    assert diagram.editor.value.text() == "0.75"
    qtbot.keyClick(diagram.editor.value, Qt.Key_Escape)


def test_wheel_and_drag_over_the_selected_connection_change_it(xor, qtbot, monkeypatch):
    w, diagram = xor
    viewport = diagram.view.viewport()
    pos = connection_point(diagram, 0, 1, 2)
    click(diagram, qtbot, pos)
    start = live(w, 0, "W", (1, 2))
    wheel(viewport, pos, 120)
    settle(w, qtbot)
    after_wheel = live(w, 0, "W", (1, 2))
    assert after_wheel == start + wheel_change(120)
    wheel(viewport, pos, -240, Qt.ShiftModifier)  # finer, and merged with the turn before
    settle(w, qtbot)
    assert live(w, 0, "W", (1, 2)) == after_wheel + wheel_change(-240, fine=True)
    # a wheel over another connection (not the selected one) changes nothing
    edits = w.controller.snapshot.edits
    wheel(viewport, connection_point(diagram, 1, 0, 0), 120)
    settle(w, qtbot)
    assert w.controller.snapshot.edits == edits
    # a drag 20 px up over the selected connection: one edit, 20 pixels' worth
    base = live(w, 0, "W", (1, 2))
    qtbot.mousePress(viewport, Qt.LeftButton, pos=pos)
    for dy in (5, 12, 20):
        qtbot.mouseMove(viewport, pos - QPoint(0, dy))
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=pos - QPoint(0, 20))
    settle(w, qtbot)
    assert live(w, 0, "W", (1, 2)) == base + drag_change(20)
    assert w.controller.snapshot.edits[-1].old == base
    assert diagram.selection == Selection("connection", 0, i=1, j=2)


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo_bit_for_bit(xor, qtbot):
    w, diagram = xor
    pos = connection_point(diagram, 0, 1, 0)
    original = live(w, 0, "W", (1, 0))
    type_value(qtbot, diagram, pos, "2.5")
    settle(w, qtbot)
    # typing in the popup: Ctrl+Z is the field's own (its text), not the run's
    qtbot.mouseDClick(diagram.view.viewport(), Qt.LeftButton, pos=pos)
    qtbot.waitUntil(diagram.editor.isVisible, timeout=5000)
    qtbot.keyClick(diagram.editor.value, Qt.Key_End)
    qtbot.keyClicks(diagram.editor.value, "9")
    qtbot.keyClick(diagram.editor.value, Qt.Key_Z, Qt.ControlModifier)
    settle(w, qtbot)
    assert diagram.editor.value.text() == "2.5" and live(w, 0, "W", (1, 0)) == 2.5
    qtbot.keyClick(diagram.editor.value, Qt.Key_Escape)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    focus = QApplication.focusWidget() or w
    qtbot.keyClick(focus, Qt.Key_Z, Qt.ControlModifier)
    settle(w, qtbot)
    assert live(w, 0, "W", (1, 0)) == original
    assert w.controller.snapshot.edits == () and len(w.controller.snapshot.undone) == 1
    assert w.panels["errorCurve"].edit_marks == []
    qtbot.keyClick(focus, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    settle(w, qtbot)
    assert live(w, 0, "W", (1, 0)) == 2.5


def test_an_edit_in_step_mode_reaches_the_inspector_and_rewinds(xor, qtbot):
    w, diagram = xor
    inspector = w.panels["backpropInspector"]
    w.act_next_walk_sample.trigger()  # one whole sample
    settle(w, qtbot)
    before = w.controller.call(lambda exp: [p.copy() for p in exp.net.get_params()])
    w.act_next_phase.trigger()  # forward through layer 1 of the next sample
    settle(w, qtbot)
    click(diagram, qtbot, neuron_point(diagram, 1, 0))
    assert "0.625" not in inspector.explanation_text()
    type_value(qtbot, diagram, neuron_point(diagram, 1, 0), "0.625")
    settle(w, qtbot)
    assert "0.625" in inspector.explanation_text()  # z = Σ w·a + b of the same sample
    assert w.controller.snapshot.walk.position == 1
    w.act_back_phase.trigger()  # back to the end of the sample before: before the edit
    settle(w, qtbot)
    now = w.controller.call(lambda exp: [p.copy() for p in exp.net.get_params()])
    assert all(np.array_equal(a, b) for a, b in zip(now, before))
    assert w.controller.snapshot.edits == () and w.controller.snapshot.walk.position == 6


def test_an_edit_while_training_is_part_of_the_run(xor, qtbot):
    w, diagram = xor
    w.set_pace(200)
    w.controller.play()
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 5, timeout=10000)
    type_value(qtbot, diagram, connection_point(diagram, 1, 0, 0), "3")
    qtbot.waitUntil(lambda: w.controller.snapshot.edits != (), timeout=10000)
    edit = w.controller.snapshot.edits[-1]
    assert edit.new == 3.0 and edit.step > 5 and w.controller.running
    w.controller.pause()
    settle(w, qtbot)
    assert [m.value() for m in w.panels["errorCurve"].edit_marks] == [edit.step]


def test_edits_are_saved_with_the_session_and_reopen_marked_and_undoable(xor, make_window,
                                                                          qtbot, tmp_path):
    w, diagram = xor
    w.controller.run_steps(20)
    settle(w, qtbot)
    path = str(tmp_path / "edited.nnviz")
    assert w.sessions.save_session(path)
    assert w.sessions.unsaved() == (0, 0)
    original = live(w, 0, "W", (0, 0))
    type_value(qtbot, diagram, connection_point(diagram, 0, 0, 0), "-3.25")
    settle(w, qtbot)
    assert w.sessions.unsaved() == (20, 1)  # an edit is progress: quitting would ask
    assert w.sessions.save_session(path)
    w2 = make_window("xor")
    assert w2.sessions.open_session(path)
    settle(w2, qtbot)
    assert [m.value() for m in w2.panels["errorCurve"].edit_marks] == [20]
    assert w2.edit_actions.undo.isEnabled()
    w2.edit_actions.undo.trigger()
    settle(w2, qtbot)
    assert live(w2, 0, "W", (0, 0)) == original


def key(qtbot, w, k, modifiers=Qt.ControlModifier) -> None:
    """Press ``k`` in window ``w``, active again (offscreen, a closed popup or message box
    stays the active window)."""
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget() or w, k, modifiers)


def test_quitting_after_an_edit_at_step_0_asks(asking, answer_next_question, qtbot):
    """A hand edit before any training step is work a session would hold: Ctrl+Q asks (it
    closed without asking); undone, nothing is left to lose and it closes at once."""
    w = asking("xor")
    with qtbot.waitActive(w):
        w.activateWindow()
    settle(w, qtbot)
    diagram = w.panels["networkDiagram"]
    type_value(qtbot, diagram, connection_point(diagram, 0, 0, 0), "2.5")
    qtbot.waitUntil(lambda: w.controller.snapshot.edits != (), timeout=10000)
    assert w.controller.snapshot.step == 0
    assert w.sessions.unsaved() == (0, 1)
    seen = []
    answer_next_question(QMessageBox.Cancel, seen)
    key(qtbot, w, Qt.Key_Q)
    assert seen == ["This run's 1 hand edit is not saved. Save before quitting?"]
    assert w.isVisible() and live(w, 0, "W", (0, 0)) == 2.5
    key(qtbot, w, Qt.Key_Z)  # undo
    qtbot.waitUntil(lambda: w.controller.snapshot.edits == (), timeout=10000)
    assert w.sessions.unsaved() == (0, 0)  # the run is a fresh one again
    key(qtbot, w, Qt.Key_Q)
    assert len(seen) == 1 and not w.isVisible()  # not asked again


def test_the_question_counts_steps_and_edits(asking, answer_next_question, qtbot):
    w = asking("xor")
    w.controller.run_steps(20)
    settle(w, qtbot)
    diagram = w.panels["networkDiagram"]
    for i, value in ((0, "1.5"), (1, "-2")):
        type_value(qtbot, diagram, connection_point(diagram, 1, i, 0), value)
        qtbot.waitUntil(lambda v=value: w.controller.snapshot.edits != () and
                        w.controller.snapshot.edits[-1].new == float(v), timeout=10000)
    seen = []
    answer_next_question(QMessageBox.Discard, seen)
    key(qtbot, w, Qt.Key_Q)
    assert seen == ["This run's 20 training steps and 2 hand edits are not saved. Save before "
                    "quitting?"]
    assert not w.isVisible()


def test_a_preset_chosen_after_an_edit_at_step_0_asks(xor, qtbot):
    w, diagram = xor
    type_value(qtbot, diagram, connection_point(diagram, 0, 0, 0), "2.5")
    qtbot.waitUntil(lambda: w.controller.snapshot.edits != (), timeout=10000)
    combo = w.controls.preset
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)
    combo.setFocus()
    w.answer = False
    qtbot.keyClick(combo, Qt.Key_Down)  # the next preset
    assert w.questions == ["This discards your hand edits of the network. Continue?"]
    assert w.controller.snapshot.edits != () and live(w, 0, "W", (0, 0)) == 2.5
    w.answer = True
    qtbot.keyClick(combo, Qt.Key_Down)
    qtbot.waitUntil(lambda: w.controller.snapshot.edits == (), timeout=10000)
    assert len(w.questions) == 2 and w.controller.config.dataset != "xor"
