"""Draw mode (issue 15 item 3) driven with real mouse clicks on the panels' viewports: a click
adds a point of the chosen class, Shift-click the other, right-click removes the nearest; a
curve takes (x, y) samples; the points appear in the panels and training goes on."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from nnviz.data import load_csv
from nnviz.experiment import TrainingConfig

DRAWN = TrainingConfig(dataset="drawn", test_ratio=0.0, hidden=(6,), lr=0.3, batch_size=4)


def click(qtbot, panel, plot, x, y, button=Qt.LeftButton, modifier=Qt.NoModifier):
    """A real mouse click at data position (x, y) of ``plot`` on ``panel.view``."""
    scene = plot.vb.mapViewToScene(QPointF(x, y))
    pos = panel.view.mapFromScene(scene)
    qtbot.mouseClick(panel.view.viewport(), button, modifier, pos=pos)


def tick(qtbot, draw_controls):
    """A real click on the Draw check box's indicator (a box may be wider than its text)."""
    box = draw_controls.check
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(7, box.height() // 2))


def rows(w):
    snap = w.controller.snapshot
    return snap.data.dataset if snap is not None and snap.data is not None else None


def wait_rows(qtbot, w, n):
    qtbot.waitUntil(lambda: rows(w) is not None and rows(w).n_samples == n, timeout=5000)
    return rows(w)


def test_clicks_on_the_prediction_map_add_and_remove_points(make_window, qtbot):
    w = make_window(config=DRAWN)
    heat = w.panels["heatmaps"]
    w.docks["heatmaps"].raise_()
    qtbot.waitExposed(heat)
    plot = heat.plane()
    assert not heat.draw.why_not
    tick(qtbot, heat.draw)
    assert heat.draw.on and "Shift-click the other class (1)" in heat.info.text()
    assert heat.view.viewport().cursor().shape() == Qt.CrossCursor
    click(qtbot, heat, plot, 2.0, 3.0)
    ds = wait_rows(qtbot, w, 1)
    pixel = max(plot.vb.viewPixelSize()) * 1.5  # a click lands on a whole pixel
    np.testing.assert_allclose(ds.X[0], [2.0, 3.0], atol=pixel)  # the data's own units
    assert list(ds.labels) == [0]
    click(qtbot, heat, plot, -3.0, -1.0, modifier=Qt.ShiftModifier)
    ds = wait_rows(qtbot, w, 2)
    assert list(ds.labels) == [0, 1]
    np.testing.assert_allclose(ds.X[1], [-3.0, -1.0], atol=pixel)
    # the new points are drawn at once, where they were clicked
    qtbot.waitUntil(lambda: len(heat.points.xy) == 2, timeout=3000)
    np.testing.assert_allclose(heat.points.train.data["x"], ds.X[:, 0])
    for x, y, k in ((4.0, 4.0, 0), (-4.0, -4.0, 1), (4.5, 2.0, 0), (-2.0, -4.5, 1)):
        click(qtbot, heat, plot, x, y, modifier=Qt.ShiftModifier if k else Qt.NoModifier)
    wait_rows(qtbot, w, 6)
    click(qtbot, heat, plot, -2.9, -1.1, button=Qt.RightButton)  # nearest: (-3, -1)
    ds = wait_rows(qtbot, w, 5)
    assert not np.any(np.all(np.abs(ds.X - [-3.0, -1.0]) < 0.1, axis=1))
    assert w.questions == [] and w.errors == []
    # training goes on on the drawn points, no reset
    w.controller.play()
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 50, timeout=10000)
    click(qtbot, heat, plot, 1.0, -5.0)
    qtbot.waitUntil(lambda: rows(w).n_samples == 6 and w.controller.snapshot.step > 100,
                    timeout=10000)
    assert w.controller.running
    w.controller.pause()
    # the hidden space lays out the points drawn too; no panel failed on the new rows
    hidden = w.panels.get("hiddenSpace")
    if hidden is not None:
        qtbot.waitUntil(lambda: hidden._run.n_train == 6, timeout=5000)
    assert w.panel_errors == {}


def test_the_vectors_panel_draws_in_scaled_coordinates_mapped_back(make_window, qtbot):
    w = make_window(config=DRAWN)
    vec = w.panels["vectors"]
    w.docks["vectors"].raise_()
    qtbot.waitExposed(vec)
    tick(qtbot, vec.draw)
    assert vec.draw.on
    vec.draw.classes.setCurrentIndex(1)
    # the canvas is scaled to [-1, 1] (standard scaling of its bounds -6..6): (0.5, -0.25)
    # on the plane is (3, -1.5) in the data's units
    click(qtbot, vec, vec.plot, 0.5, -0.25)
    ds = wait_rows(qtbot, w, 1)
    pixel = max(vec.plot.vb.viewPixelSize()) * 1.5 * 6.0  # a whole pixel, in data units
    np.testing.assert_allclose(ds.X[0], [3.0, -1.5], atol=pixel)
    assert list(ds.labels) == [1]
    qtbot.waitUntil(lambda: len(vec.points.data) == 1, timeout=3000)
    np.testing.assert_allclose(vec.points.data["x"], ds.X[0, 0] / 6.0)
    click(qtbot, vec, vec.plot, 0.4, -0.2, button=Qt.RightButton)
    wait_rows(qtbot, w, 0)


def test_a_curve_takes_x_y_samples(make_window, qtbot):
    w = make_window(config=DRAWN.replace(dataset_params=(("inputs", 1),)))
    heat = w.panels["heatmaps"]
    w.docks["heatmaps"].raise_()
    qtbot.waitExposed(heat)
    assert heat.curve_plot is not None and "curve" in w.panels["vectors"].draw.why_not
    tick(qtbot, heat.draw)
    assert "adds the sample (x, y)" in heat.info.text()
    for x in (-4.0, -2.0, 0.0, 2.0, 4.0):
        click(qtbot, heat, heat.curve_plot, x, x / 2)
    ds = wait_rows(qtbot, w, 5)
    px, py = heat.curve_plot.vb.viewPixelSize()  # a click lands on a whole pixel
    np.testing.assert_allclose(ds.X[:, 0], [-4, -2, 0, 2, 4], atol=1.5 * px)
    np.testing.assert_allclose(ds.Y[:, 0], [-2, -1, 0, 1, 2], atol=1.5 * py)
    w.controller.run_steps(200)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 200, timeout=10000)
    assert w.controller.snapshot.curve is not None
    qtbot.waitUntil(lambda: heat.curve.getData()[0] is not None, timeout=5000)
    x, y = heat.curve.getData()
    assert len(x) == 64 and np.isfinite(y).all()


def test_an_empty_canvas_says_why_it_does_not_train(make_window, qtbot):
    w = make_window(config=DRAWN)
    w.controller.play()
    qtbot.waitUntil(lambda: "no training points" in w.statusBar().currentMessage()
                    or not w.controller.running, timeout=5000)
    assert w.errors == [] and w.controller.snapshot.step == 0
    heat = w.panels["heatmaps"]
    tick(qtbot, heat.draw)
    click(qtbot, heat, heat.plane(), 0.0, 0.0, button=Qt.RightButton)  # nothing to remove
    qtbot.waitUntil(lambda: "no points to remove" in w.statusBar().currentMessage(),
                    timeout=5000)
    assert w.errors == []


def test_new_drawing_menu_and_csv_round_trip(make_window, qtbot, tmp_path):
    w = make_window("xor")
    w.draws.new_drawing_actions[1].trigger()  # three classes
    qtbot.waitUntil(lambda: w.controller.config.dataset == "drawn", timeout=5000)
    heat = w.panels["heatmaps"]
    assert heat.draw.on and heat.draw.classes.count() == 3
    qtbot.waitExposed(heat)
    for k, (x, y) in enumerate(((1, 1), (-1, 2), (3, -3))):
        heat.draw.classes.setCurrentIndex(k)
        click(qtbot, heat, heat.plane(), x, y)
    ds = wait_rows(qtbot, w, 3)
    assert list(ds.labels) == [0, 1, 2]
    assert w.draws.save_csv(str(tmp_path / "d.csv"))
    again = load_csv(tmp_path / "d.csv", target="class")
    np.testing.assert_array_equal(again.X, ds.X)
    np.testing.assert_array_equal(again.Y, ds.Y)
    # a rebuild of other settings keeps the points drawn
    w.apply_config(w.controller.config.replace(hidden=(3,)))
    qtbot.waitUntil(lambda: w.controller.run.sizes == (2, 3, 3), timeout=5000)
    assert w.controller.run.dataset.n_samples == 3


@pytest.mark.parametrize("preset", ["xor"])
def test_drawing_on_a_dataset_refits_on_request(make_window, qtbot, preset):
    w = make_window(preset)
    heat = w.panels["heatmaps"]
    w.docks["heatmaps"].raise_()
    qtbot.waitExposed(heat)
    tick(qtbot, heat.draw)
    n = rows(w).n_samples
    click(qtbot, heat, heat.plane(), 0.5, 0.5)
    ds = wait_rows(qtbot, w, n + 1)
    assert ds.name == "xor (edited)"
    before = w.controller.snapshot.data.x_scaler.center.copy()
    w.draws.act_refit.trigger()
    qtbot.waitUntil(lambda: w.controller.snapshot.data.revision == 2, timeout=5000)
    assert not np.array_equal(w.controller.snapshot.data.x_scaler.center, before)


def test_a_new_dataset_asks_before_dropping_points_drawn(make_window, qtbot):
    w = make_window(config=DRAWN)
    heat = w.panels["heatmaps"]
    w.docks["heatmaps"].raise_()
    qtbot.waitExposed(heat)
    tick(qtbot, heat.draw)
    click(qtbot, heat, heat.plane(), 1.0, 1.0)
    wait_rows(qtbot, w, 1)
    w.answer = False
    assert not w.apply_config(w.controller.config.replace(dataset_params=(("classes", 3),)))
    assert w.questions == ["This discards the points drawn. Continue?"]
    assert rows(w).n_samples == 1
    assert w.apply_config(w.controller.config.replace(lr=0.5, hidden=(2,)))  # keeps them
    assert len(w.questions) == 1 and w.controller.run.dataset.n_samples == 1
