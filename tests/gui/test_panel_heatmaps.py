"""Predicted vs true shows the snapshot's grid in the data's units, on one colour scale."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pyqtgraph as pg
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.gui.panels.heatmaps import HeatmapsPanel
from nnviz.snapshot import run_info, take_snapshot


@pytest.fixture
def panel(qtbot):
    p = HeatmapsPanel()
    qtbot.addWidget(p)
    p.resize(900, 450)
    return p


def test_regression_true_predicted_and_error_share_the_grid(panel, show):
    exp, snap = show(panel, "function-fit", 20)
    images = panel.images()
    g = snap.grid
    np.testing.assert_allclose(images["true"], g.true[:, :, 0])
    np.testing.assert_allclose(images["predicted"], g.predicted[:, :, 0])
    np.testing.assert_allclose(images["error"], g.predicted[:, :, 0] - g.true[:, :, 0])
    lo, hi = exp.dataset.Y.min(), exp.dataset.Y.max()
    for key in ("true", "predicted"):
        np.testing.assert_allclose(panel._images[key].levels, [lo, hi])
    assert "f(x, y)" in panel._bars[0].getAxis("left").labelText
    rect = panel._images["predicted"].mapRectToParent(panel._images["predicted"].boundingRect())
    assert rect.left() < -10 < rect.left() + 0.5 and rect.right() > 10


def test_a_snapshot_without_a_grid_keeps_the_last_one(panel, show):
    exp, snap = show(panel, "xor")
    before = panel.images()["predicted"].copy()
    exp2 = build(PRESETS["xor"])
    exp2.trainer.run(400)
    later = replace(take_snapshot(exp2), grid=None)
    panel.show_snapshot(later)
    np.testing.assert_array_equal(panel.images()["predicted"], before)
    assert panel.current.position()[0] == pytest.approx(
        exp.dataset.X[exp.prepared.train_index[later.sample.index], 0])


def test_binary_probability_with_train_points_and_outlined_test_points(panel, show):
    exp, snap = show(panel, "circles")
    np.testing.assert_allclose(panel.images()["predicted"], snap.grid.predicted[:, :, 0])
    assert tuple(panel._images["predicted"].levels) == (0.0, 1.0)
    scatters = [i for i in panel._plots["predicted"].items
                if isinstance(i, pg.ScatterPlotItem) and i is not panel.current]
    train, test = scatters
    assert len(train.data) == len(exp.prepared.train_index)
    assert len(test.data) == len(exp.prepared.test_index)
    assert all(b is None or b.style() == 0 for b in test.data["brush"])  # outlined: no fill


def test_multiclass_shows_class_regions(panel, show):
    _, snap = show(panel, "iris")
    rgb = panel.images()["predicted"]
    assert rgb.shape == (64, 64, 3) and rgb.dtype == np.uint8
    assert "other features at their training mean" in panel.info.text()


def test_clicking_a_point_emits_its_training_index(panel, qtbot, show):
    show(panel, "spiral")
    train = next(i for i in panel._plots["predicted"].items
                 if isinstance(i, pg.ScatterPlotItem) and i is not panel.current)
    with qtbot.waitSignal(panel.sampleClicked) as blocker:
        train.sigClicked.emit(train, [train.points()[5]], None)
    assert blocker.args == [5]


def test_regression_fit_plots_each_prediction_against_its_target(panel, qtbot, show):
    _, snap = show(panel, "function-fit", 20)
    fit = snap.fit
    x, y = panel.fit_train.getData()
    np.testing.assert_array_equal(x, fit.train_true)
    np.testing.assert_array_equal(y, fit.train_predicted)
    rmse = np.sqrt(np.mean((fit.train_predicted - fit.train_true) ** 2))
    assert panel.fit_plot.titleLabel.text == f"Fit: RMSE {rmse:.3g}"
    (x0, x1), (y0, y1) = panel.fit_plot.vb.viewRange()
    assert (x0, x1) == (y0, y1)  # the diagonal of exact predictions runs corner to corner
    values = np.concatenate([fit.train_true, fit.train_predicted])
    assert x0 <= values.min() and values.max() <= x1
    with qtbot.waitSignal(panel.sampleClicked) as blocker:
        panel.fit_train.sigClicked.emit(panel.fit_train, [panel.fit_train.points()[7]], None)
    assert blocker.args == [7]


def test_fit_with_one_input_feature_and_none_for_classification(panel, tmp_path, show):
    show(panel, "xor")
    assert panel.fit_plot is None
    path = tmp_path / "line.csv"
    xs = np.linspace(-1, 1, 40)
    path.write_text("x,y\n" + "".join(f"{x},{3 * x + 1}\n" for x in xs))
    exp = build(PRESETS["xor"].replace(dataset="csv", csv_path=str(path), test_ratio=0.25))
    exp.trainer.run(30)
    panel.set_run(run_info(exp))
    snap = take_snapshot(exp)
    panel.show_snapshot(snap)
    assert panel.fit_plot is not None and not panel._images  # no input plane for one feature
    assert panel.curve_plot is not None  # one input: the samples and the network's curve
    assert panel.info.text().startswith("y against x: the samples and the network's curve")
    x, y = panel.fit_test.getData()
    np.testing.assert_array_equal(x, snap.fit.test_true)
    assert len(x) == 10 and ", test " in panel.fit_plot.titleLabel.text


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_a_small_panel_shows_one_plot_at_a_time(panel, qtbot, show):
    """function-fit's four plots two by two left each map ~24 px at 1024x700: there the panel
    shows the plot its selector names, with its colour bar, across the whole view."""
    from PySide6.QtCore import Qt

    from nnviz.gui.panels.map_choice import fits_two_by_two

    assert fits_two_by_two(900, 450) and not fits_two_by_two(260, 480)
    show(panel, "function-fit", 20)
    panel.show()
    qtbot.waitUntil(lambda: not panel._maps.compact, timeout=2000)
    in_view = panel.view.ci.items
    assert all(p in in_view for p in (*panel._plots.values(), panel.fit_plot))
    assert not panel.map_choice.isVisible()
    panel.resize(260, 520)
    qtbot.waitUntil(lambda: panel.map_choice.isVisible(), timeout=3000)
    assert panel._plots["predicted"] in panel.view.ci.items
    assert panel._plots["error"] not in panel.view.ci.items
    panel.map_choice.setFocus()
    for _ in range(2):  # Prediction -> True function -> Error
        qtbot.keyClick(panel.map_choice, Qt.Key_Down)
    qtbot.waitUntil(lambda: panel._plots["error"] in panel.view.ci.items, timeout=2000)
    assert panel.err_bar in panel.view.ci.items
    assert panel._plots["predicted"] not in panel.view.ci.items
    (x0, x1), (y0, y1) = panel._plots["error"].vb.viewRange()
    assert x0 < -9.5 and x1 > 9.5 and y0 < -9.5 and y1 > 9.5  # the whole input plane
    panel.resize(900, 450)
    qtbot.waitUntil(lambda: not panel.map_choice.isVisible(), timeout=3000)
    assert all(p in panel.view.ci.items for p in (*panel._plots.values(), panel.fit_plot))
