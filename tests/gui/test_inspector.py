"""The backprop inspector shows the walk's numbers, checks gradients and draws the landscape."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.engine.walk import BackpropWalk
from nnviz.experiment import PRESETS, build
from nnviz.explain import fmt
from nnviz.gui.panels.inspector import BackpropInspectorPanel
from nnviz.snapshot import run_info, take_snapshot, walk_view


@dataclass(frozen=True)
class Selection:
    kind: str
    layer: int
    index: int = 0
    i: int = 0
    j: int = 0


@pytest.fixture
def panel(qtbot):
    p = BackpropInspectorPanel()
    qtbot.addWidget(p)
    return p


def start(panel, preset):
    exp = build(PRESETS[preset])
    panel.set_run(run_info(exp))
    return exp, BackpropWalk(exp.trainer)


def test_intro_text_before_any_step(panel):
    start(panel, "xor")
    assert "Step through backpropagation" in panel.explanation_text()


def test_single_neuron_chain_rule_is_shown_with_engine_numbers(panel):
    exp, walk = start(panel, "single-neuron")
    walk.finish_sample()
    panel.set_selection(Selection("connection", 0, i=0, j=0))
    panel.show_walk(walk_view(exp, walk))
    text = panel.explanation_text()
    v = walk.values()
    assert "dL/dw1 = dL/dŷ · dŷ/dz · dz/dw1" in text
    assert fmt(v.dW[0][0, 0]) in text
    exp.trainer.sync()
    assert f"= {fmt(exp.net.weights[0][0, 0])}" in text  # w_new after the update


def test_phase_strip_follows_the_walk(panel, qtbot):
    exp, walk = start(panel, "xor")
    steps = []
    panel.stepRequested.connect(steps.append)
    qtbot.mouseClick(panel.buttons["phase"], Qt.LeftButton)
    assert steps == ["phase"]
    walk.next_phase_step()
    panel.show_walk(walk_view(exp, walk))
    assert len(panel._phase_labels) == 6
    assert "background" in panel._phase_labels[0].styleSheet()
    assert "gray" in panel._phase_labels[2].styleSheet()


def test_gradient_check_agrees_with_backprop(panel):
    exp, walk = start(panel, "circles")
    walk.finish_sample()
    panel.set_selection(Selection("connection", 1, i=2, j=0))
    panel.show_walk(walk_view(exp, walk))
    panel.check_button.click()
    assert panel.last_check.relative_difference < 1e-6
    assert panel.last_check.analytic == pytest.approx(walk.values().dW[1][2, 0], rel=1e-12)
    assert "relative difference" in panel.check_result.text()


def test_landscape_is_drawn_around_the_current_parameters(panel):
    exp, walk = start(panel, "single-neuron")
    assert panel.landscape_hint.isVisible()  # the empty view says what it is for
    exp.trainer.run(100)
    walk.finish_sample()
    panel.show_walk(walk_view(exp, walk))
    panel.landscape_button.click()
    assert not panel.landscape_hint.isVisible()
    land = panel.landscape
    before = walk.params_before
    assert land.center == (before[0][0, 0], before[0][1, 0])
    assert np.isfinite(land.loss).all()
    assert panel.landscape_image.image is not None


def test_snapshots_draw_the_training_path(panel):
    exp, _ = start(panel, "single-neuron")
    for _ in range(5):
        exp.trainer.run(50)
        panel.show_snapshot(take_snapshot(exp, with_activity=False))
    xs, ys = panel.landscape_path.getData()
    assert len(xs) == 5
    np.testing.assert_array_equal(panel.landscape_path_outline.getData()[0], xs)
    assert xs[-1] == exp.net.weights[0][0, 0] and ys[-1] == exp.net.weights[0][1, 0]
