"""The error panel draws the snapshot's history, reads values under the mouse, pins runs."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from nnviz.experiment import PRESETS, build
from nnviz.gui.graphics import sticky_range
from nnviz.gui.panels.error_curve import ErrorCurvePanel, curves_of
from nnviz.snapshot import run_info, take_snapshot


@pytest.fixture
def panel(qtbot):
    p = ErrorCurvePanel()
    qtbot.addWidget(p)
    p.resize(700, 600)
    p.show()
    return p


def trained(preset="single-neuron", steps=1000, **changes):
    exp = build(PRESETS[preset].replace(**changes))
    exp.trainer.run(steps)
    return exp, take_snapshot(exp)


def test_curves_follow_the_history(panel):
    exp, snap = trained()
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    x, y = panel.items["step"].getOriginalDataset()
    np.testing.assert_array_equal(y, snap.history["step_loss"]["mean"])
    cx, cy = panel.items["cumulative"].getOriginalDataset()
    np.testing.assert_array_equal(cx, snap.history["cumulative"]["step"])
    assert len(cy) == 10  # steps 1, 101, ..., 901: the tutorial's every-100 measure
    tx, _ = panel.items["train"].getOriginalDataset()
    assert tx[-1] == pytest.approx(snap.history["train_loss"]["x"][-1] * snap.step / snap.epoch)


def test_millions_of_steps_stay_bounded(panel):
    exp, snap = trained("xor", steps=200_000, batch_size=1)
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    x, _ = panel.items["step"].getOriginalDataset()
    assert len(x) <= 8192 + 256
    assert panel.items["step"].opts["autoDownsample"] and panel.items["step"].opts["clipToView"]


def test_hover_readout_names_step_and_value(panel, qtbot):
    exp, snap = trained()
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    text = panel.readout_text(500)
    s, v = panel.values_at(500)["step"]
    assert f"step {int(s):,}" in text and f"loss {v:.4g}" in text
    vb = panel.loss_plot.vb
    panel.loss_plot.setXRange(0, 1000, padding=0)
    qtbot.waitUntil(lambda: vb.viewRange()[0][1] == pytest.approx(1000, rel=0.05))
    scene_pos = vb.mapViewToScene(QPointF(500, float(np.mean(vb.viewRange()[1]))))
    panel._on_mouse_moved((scene_pos,))
    assert panel.readout.text().startswith("step ")
    assert panel.cursor[0].isVisible()


def test_sticky_range_holds_the_data_and_moves_rarely():
    rng = np.random.default_rng(0)
    shown, moves = None, 0
    for k in range(1, 301):  # a noisy falling loss, one update at a time
        y = 1.0 / np.sqrt(np.arange(1, k + 1)) + 0.05 * rng.random(k)
        new = sticky_range(float(y.min()), float(y.max()), shown)
        assert new[0] <= y.min() and y.max() <= new[1]
        moves += new != shown
        shown = new
    assert moves <= 6
    assert sticky_range(0.0, 1.0, (-100.0, 100.0)) == (0.0, 1.0)  # far too tall: shrinks
    assert sticky_range(2.0, 2.0, None) == pytest.approx((2.0, 2.0), abs=0.1)
    assert sticky_range(np.nan, 1.0, (0.0, 1.0)) == (0.0, 1.0)


def test_y_ranges_follow_the_data_in_steps(panel):
    exp, snap = trained("xor", steps=100)
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    (_, _), (lo, hi) = panel.loss_plot.vb.viewRange()
    y = panel.items["step"].getOriginalDataset()[1]
    assert lo <= y.min() and y.max() <= hi
    before = panel.loss_plot.vb.viewRange()[1]
    exp.trainer.run(5)
    panel.show_snapshot(take_snapshot(exp))
    assert panel.loss_plot.vb.viewRange()[1] == before  # five more steps: the axis stays put
    panel.log_y.setChecked(True)
    (_, _), (lo, hi) = panel.loss_plot.vb.viewRange()
    assert lo <= np.log10(y.min()) and np.log10(y.max()) <= hi


def test_log_y_toggle(panel):
    exp, snap = trained()
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    panel.log_y.setChecked(True)
    assert panel.loss_plot.ctrl.logYCheck.isChecked()
    panel.log_y.setChecked(False)
    assert not panel.loss_plot.ctrl.logYCheck.isChecked()


def test_pin_keeps_a_faded_overlay_across_runs(panel):
    exp, snap = trained()
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    assert panel.pin()
    assert panel.pins == [panel.pins[0]] and "lr 0.1, 1,000 steps" in panel.pins[0]
    exp2, snap2 = trained(lr=0.01, steps=3000)
    panel.set_run(run_info(exp2))
    panel.show_snapshot(snap2)
    pinned_items = panel._pins[0][1]
    x, y = pinned_items[0].getOriginalDataset()
    np.testing.assert_array_equal(y, snap.history["step_loss"]["mean"])
    assert pinned_items[0].opts["pen"].color().alpha() < 255
    panel.clear_pins()
    assert panel.pins == []
    assert pinned_items[0] not in panel.loss_plot.listDataItems()


def test_nothing_to_pin_before_training(panel):
    exp = build(PRESETS["xor"])
    panel.set_run(run_info(exp))
    panel.show_snapshot(take_snapshot(exp))
    assert not panel.pin()


def test_curves_of_converts_epochs_to_steps():
    _, snap = trained("xor", steps=100)
    c = curves_of(snap)
    ex = snap.history["train_loss"]["x"]
    np.testing.assert_allclose(c.series["train"][0], ex * 16)  # 160 rows / batch 10


def test_sparse_series_mark_their_points(panel):
    """single-neuron evaluates once per 2,048 samples: its first accuracy point is drawn as a
    dot (a line through one point draws nothing); a long series is a plain line."""
    exp, snap = trained(steps=1000)
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    acc = panel.items["train_accuracy"]
    assert len(acc.getOriginalDataset()[0]) == 1
    assert acc.opts["symbol"] == "o" and acc.marked_points() == 1
    assert panel.items["step"].opts["symbol"] is None  # 1,000 points
    exp.trainer.run(60 * 2048)
    panel.show_snapshot(take_snapshot(exp))
    assert len(acc.getOriginalDataset()[0]) > 40 and acc.opts["symbol"] is None


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_titles_and_axis_labels_give_way_in_a_small_panel(panel, qtbot):
    """Wide: the full titles beside their legends; narrow: the short ones (the legend ran into
    them); short plots drop their y-axis label (the rotated labels ran together)."""
    exp, snap = trained("xor", steps=300)
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    panel.resize(1100, 700)
    qtbot.waitUntil(lambda: panel.cum_plot.titleLabel.text.startswith("Cumulative error over"))
    assert panel.loss_plot.titleLabel.text == "Loss per step"
    assert panel.loss_plot.getAxis("left").label.isVisible()
    panel.resize(520, 260)
    qtbot.waitUntil(lambda: panel.cum_plot.titleLabel.text == "Cumulative error")
    # the short title where it fits beside the legend, none where even it would run into it
    # (the plot selector above names the plot)
    loss = panel.loss_plot
    assert loss.titleLabel.text in ("Loss", "")
    if loss.titleLabel.text:
        title = loss.titleLabel.item.sceneBoundingRect()
        assert title.right() <= loss.legend.sceneBoundingRect().left() + 1
    qtbot.waitUntil(lambda: not panel.cum_plot.getAxis("left").label.isVisible())


def test_pins_beyond_what_a_session_holds_drop_the_oldest(panel):
    from nnviz.session.state import MAX_PINNED

    exp, snap = trained(steps=50)
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    for i in range(MAX_PINNED + 3):
        assert panel.pin(f"p{i}")
    assert panel.pins == [f"p{i}" for i in range(3, MAX_PINNED + 3)]
    n_items = len(panel.loss_plot.listDataItems())
    panel.clear_pins()
    assert len(panel.loss_plot.listDataItems()) == n_items - 2 * MAX_PINNED


def legend_texts(plot) -> list[str]:
    return [label.text for _, label in plot.legend.items]


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_plot_is_built_when_first_chosen_as_if_it_had_always_been(qtbot):
    """A short panel shows one plot and builds only it; the plot chosen next in the selector
    (down-arrow keys) is built then, with what a panel tall enough for all three shows: its
    curves, the pinned run, the legend without the test series of a run with no test set,
    the log axis and the y range."""
    tall, panel = ErrorCurvePanel(), ErrorCurvePanel()
    for p, height in ((tall, 900), (panel, 220)):
        qtbot.addWidget(p)
        p.resize(700, height)
        p.show()
    exp, snap = trained("xor", steps=300, test_ratio=0.0)
    exp2, snap2 = trained("xor", steps=600, test_ratio=0.0, lr=0.3)
    for p in (tall, panel):
        p.set_run(run_info(exp))
        p.show_snapshot(snap)
        assert p.pin("first")
        p.set_run(run_info(exp2))
        qtbot.mouseClick(p.log_y, Qt.LeftButton)
        p.show_snapshot(snap2)
    assert len(tall.built_plots()) == 3
    qtbot.waitUntil(lambda: panel.plot_choice.isVisible())
    assert panel.built_plots() == [panel.loss_plot]
    for i in (1, 2):  # cumulative, then accuracy
        qtbot.keyClick(panel.plot_choice, Qt.Key_Down)
        assert panel.plot_choice.currentIndex() == i
        assert len(panel.built_plots()) == i + 1
        built, full = panel.built_plots()[-1], tall.plots[i]
        assert built.scene() is not None and built.isVisible()
        assert legend_texts(built) == legend_texts(full)
        assert built.ctrl.logYCheck.isChecked() == full.ctrl.logYCheck.isChecked()
        for a, b in zip(built.listDataItems(), full.listDataItems()):
            np.testing.assert_array_equal(a.yData, b.yData)
        assert len(built.listDataItems()) == len(full.listDataItems()) >= 2  # (+ the pin)
        np.testing.assert_allclose(built.vb.viewRange()[1], full.vb.viewRange()[1])
    assert "test accuracy" not in legend_texts(panel.acc_plot)
    assert built.ctrl.logYCheck.isChecked() is False  # (accuracy: never log)
    assert panel.cum_plot.ctrl.logYCheck.isChecked()


def test_sticky_range_ahead_leaves_a_step_on_the_side_the_data_ran_past():
    shown = sticky_range(-1.0, 0.5, None, ahead=True)  # (none shown: as without ahead)
    assert shown == sticky_range(-1.0, 0.5, None)
    lower = sticky_range(-1.6, 0.5, shown, ahead=True)  # a falling log-loss ran past
    plain = sticky_range(-1.6, 0.5, shown)
    assert lower[0] < plain[0] and lower[1] == plain[1]
    assert sticky_range(-1.9, 0.5, lower, ahead=True) == lower  # held the next time
