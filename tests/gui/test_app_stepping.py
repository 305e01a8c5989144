"""Step-through mode in the main window: phases, rewind, picked samples, back to full speed."""

from __future__ import annotations

import numpy as np

from nnviz.engine.walk import BackpropWalk
from nnviz.experiment import PRESETS, build
from nnviz.explain import fmt
from nnviz.gui.panels.diagram import Selection


def params(window):
    """The live parameters, read on the worker thread."""
    return window.controller.call(lambda exp: [p.copy() for p in exp.net.get_params()])


def settle(window, qtbot):
    """Wait until the worker has done what it was asked and the window has its snapshot."""
    qtbot.waitUntil(window.controller.worker.settled, timeout=10000)


def test_next_phase_key_walks_one_sample_and_updates_panels(make_window, qtbot):
    w = make_window("single-neuron")
    inspector = w.panels["backpropInspector"]
    for _ in range(4):  # forward, loss, backward, update
        w.act_next_phase.trigger()
    settle(w, qtbot)
    assert w.controller.experiment.trainer.step_count == 1
    assert "update" in inspector.explanation_text()
    assert w.docks["backpropInspector"].isVisible()
    # the same numbers as one fast step of an identical run
    fast = build(PRESETS["single-neuron"])
    fast.trainer.run(1)
    assert all(np.array_equal(a, b) for a, b in zip(params(w), fast.net.get_params()))
    snap = w.controller.snapshot
    assert snap.step == 1 and snap.walk.position == 4


def test_back_restores_the_parameters_exactly(make_window, qtbot):
    w = make_window("xor")
    before = params(w)
    for _ in range(6):  # one whole sample of a 2-layer net
        w.act_next_phase.trigger()
    settle(w, qtbot)
    assert not all(np.array_equal(a, b) for a, b in zip(before, params(w)))
    for _ in range(6):
        w.act_back_phase.trigger()
    settle(w, qtbot)
    assert all(np.array_equal(a, b) for a, b in zip(before, params(w)))
    assert w.controller.experiment.trainer.step_count == 0


def test_clicked_sample_is_stepped_next(make_window, qtbot):
    w = make_window("xor")
    w.panels["vectors"].sampleClicked.emit(17)
    w.act_next_walk_sample.trigger()
    settle(w, qtbot)
    assert w.controller.snapshot.walk.indices == (17,)
    assert list(w.controller.snapshot.last_indices) == [17]


def test_diagram_selection_reaches_the_inspector(make_window, qtbot):
    w = make_window("circles")
    w.panels["networkDiagram"].select(Selection("connection", 0, i=1, j=2))
    w.act_next_walk_sample.trigger()
    settle(w, qtbot)
    text = w.panels["backpropInspector"].explanation_text()
    assert "Weight from input x2 to neuron 3 (layer 1)" in text
    assert "dL/dw = a_in · delta_out" in text


def test_the_diagram_info_line_follows_each_step_for_the_selection(make_window, qtbot):
    """The line under the drawing tells the selected connection's numbers as of the latest
    snapshot, not as of the click (it said dL/dw = 0, Δw = 0 through a whole step)."""
    w = make_window("circles")
    diagram = w.panels["networkDiagram"]
    sel = Selection("connection", 0, i=1, j=2)
    w.dispatcher.flush()
    diagram.select(sel)
    assert "dL/dw = 0, Δw = 0" in diagram.info.text()
    for _ in range(2):
        w.act_next_walk_sample.trigger()
        settle(w, qtbot)
        w.dispatcher.flush()
        snap = w.controller.snapshot
        g, dw = snap.grad_W[0][1, 2], snap.change_W[0][1, 2]
        assert g != 0 and dw != 0
        assert diagram.info.text() == diagram.text_for(sel)
        assert f"dL/dw = {fmt(g)}, Δw = {fmt(dw)}" in diagram.info.text()


def test_play_finishes_the_sample_then_trains(make_window, qtbot):
    w = make_window("xor")
    w.act_next_phase.trigger()  # a sample half done
    settle(w, qtbot)
    assert w.controller.snapshot.walk.in_sample
    w.act_play.trigger()
    assert not w.controller.stepping
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 50, timeout=10000)
    w.act_play.trigger()


def test_continue_button_hands_back_to_the_worker(make_window, qtbot):
    w = make_window("single-neuron")
    inspector = w.panels["backpropInspector"]
    inspector.buttons["phase"].click()
    inspector.buttons["continue"].click()
    assert w.controller.running and not w.controller.stepping
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 100, timeout=10000)
    w.act_play.trigger()


def test_walk_rewind_matches_engine_walk(make_window, qtbot):
    """The window's walk is the engine's BackpropWalk: same samples, same numbers."""
    w = make_window("single-neuron")
    engine = build(PRESETS["single-neuron"])
    walk = BackpropWalk(engine.trainer)
    for _ in range(9):
        w.act_next_phase.trigger()
        walk.next_phase_step()
    settle(w, qtbot)
    assert w.controller.snapshot.walk.indices == walk.indices
    engine.trainer.sync()
    assert all(np.array_equal(a, b) for a, b in zip(params(w), engine.net.get_params()))


def test_landscape_path_follows_training_while_the_inspector_is_hidden(make_window, qtbot):
    w = make_window("single-neuron")
    inspector = w.panels["backpropInspector"]
    w.docks["backpropInspector"].hide()  # closed: the dispatcher does not update it
    w.controller.run_steps(200_000)  # about a second: some 30 snapshots
    qtbot.waitUntil(lambda: len(inspector._path) > 3, timeout=10000)
    qtbot.waitUntil(lambda: w.controller.worker.idle.is_set(), timeout=10000)
