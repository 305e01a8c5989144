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


def equation_blocks(panel):
    """(text, lines it is laid out on, its width) of each block of an equation on show (an
    equation wider than the text is one block per row it is laid out on)."""
    wanted = {row.strip() for rows in panel.equation_rows for row in rows}
    out, block = [], panel.text.document().begin()
    while block.isValid():
        if block.text().strip() in wanted:
            layout = block.layout()
            out.append((block.text().strip(), layout.lineCount(),
                        layout.boundingRect().width()))
        block = block.next()
    return out


def assert_equations_fit(panel):
    """Each equation is laid out on rows that join back into it, each row one line of the
    text, none wider than the text area; no sideways scroll bar. Returns how many
    equations took more than one row."""
    assert [" ".join(rows).strip() for rows in panel.equation_rows] == \
        [line.strip() for line in panel.equations() if not line.endswith(":")]
    blocks = equation_blocks(panel)
    assert {text for text, _, _ in blocks} == \
        {row.strip() for rows in panel.equation_rows for row in rows}
    room = panel.text.viewport().width() - 2 * panel.text.document().documentMargin()
    for text, lines, width in blocks:
        assert lines == 1, f"equation row broken over {lines} lines: {text!r}"
        assert width <= room, (text, width, room)
    assert panel.text.horizontalScrollBar().maximum() == 0
    return sum(len(rows) > 1 for rows in panel.equation_rows)


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show()
def test_equations_are_laid_out_to_the_width_and_never_scroll_sideways(panel, qtbot):
    """A narrow panel: a long equation continues on rows that start at one of its top-level
    signs (=, +, −), laid out again when the panel is resized; prose notes wrap; every phase
    has its section."""
    panel.resize(480, 420)
    panel.show()
    qtbot.waitExposed(panel)
    exp, walk = start(panel, "iris")
    broken = 0
    for phase in walk.phases:
        walk.next_phase_step()
        panel.show_walk(walk_view(exp, walk))
        qtbot.waitUntil(lambda: panel._laid_out_for == panel._equation_room())
        title = panel.shown[0].title
        assert title.split(" — ")[0].split(",")[0].lower() == phase.kind
        broken += assert_equations_fit(panel)
        for rows in panel.equation_rows:
            assert all(row[:2] in ("= ", "+ ", "− ", "· ", "/ ") for row in rows[1:]), rows
    assert broken, "at 480 px some iris equation is wider than the text: the check ran"
    note = panel.shown[0].symbols  # adam's symbols, a long sentence
    block = panel.text.document().find(note[:20]).block()
    assert block.layout().lineCount() > 1, "prose wraps (only equations are kept whole)"
    panel.resize(1400, 420)  # wide: every equation whole on one row again
    qtbot.waitUntil(lambda: panel._laid_out_for == panel._equation_room())
    assert assert_equations_fit(panel) == 0


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show()
def test_inspector_at_1280x720_keeps_every_equation_whole(make_window, qtbot):
    w = make_window("iris")
    w.resize(1280, 720)
    inspector = w.panels["backpropInspector"]
    n_phases = 2 * len(w.controller.experiment.net.weights) + 2
    for k in range(1, n_phases + 1):
        w.act_next_phase.trigger()
        qtbot.waitUntil(lambda k=k: inspector._view is not None
                        and inspector._view.position == k)
        qtbot.wait(1)
        assert inspector.equations()
        assert_equations_fit(inspector)
