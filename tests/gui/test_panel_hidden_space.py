"""The hidden space panel, driven by keys and mouse: the layer slider, the view choice, Refit,
the caption that says what is held and what is approximate."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from nnviz import hidden_space as hs
from nnviz.engine.activations import get_activation
from nnviz.experiment import build, preset
from nnviz.gui.panels.hidden_space import SUB, HiddenSpacePanel
from nnviz.snapshot import prediction_grid, run_info, take_snapshot

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def panel(qtbot):
    p = HiddenSpacePanel()
    qtbot.addWidget(p)
    p.resize(720, 600)
    p.show()
    qtbot.waitExposed(p)
    return p


def svd_projection(A, rows):
    """(rows, 2) PCA coordinates of ``rows`` on the plane of A's points, made here."""
    A = A.astype(np.float64)
    mean = A.mean(axis=0)
    _, _, vt = np.linalg.svd(A - mean, full_matrices=False)
    return (rows.astype(np.float64) - mean) @ vt[:2].T


def test_layer_slider_walks_from_the_plane_to_the_last_hidden_layer(panel, qtbot, show):
    exp, snap = show(panel, "circles-bottleneck", 300)
    plane, space = panel._plane, panel._space
    n = plane.n_line_rows
    assert panel.slider.maximum() == 2 * SUB and panel.position() == 2  # opens at the last
    trace = exp.net.forward(exp.prepared.X_train[plane.rows])
    np.testing.assert_allclose(panel.coords()[n:], trace.a[2], rtol=2e-4, atol=2e-5)
    assert len(panel.boundary_segments()) == 1 and "(exact)" in panel.info.text()

    panel.slider.setFocus()
    qtbot.keyClick(panel.slider, Qt.Key_Home)
    assert panel.position() == 0
    np.testing.assert_array_equal(panel.coords(), plane.coords)
    assert panel.info.text().startswith("The input plane (standardised units)")
    assert len(panel.boundary_segments()) == 0

    qtbot.keyClick(panel.slider, Qt.Key_PageUp)
    assert panel.position() == 1
    C1 = panel.coords()
    np.testing.assert_allclose(np.abs(C1), np.abs(svd_projection(space.points(1), space.acts[1])),
                               rtol=1e-3, atol=1e-4)
    assert "the PCA plane of its 8 tanh neurons, fitted at step 300" in panel.info.text()
    assert panel.plot.getAxis("bottom").labelText == "PC1 of hidden 1"

    for _ in range(5):
        qtbot.keyClick(panel.slider, Qt.Key_Right)
    assert panel.position() == pytest.approx(1.25)
    np.testing.assert_allclose(panel.coords(), 0.75 * C1 + 0.25 * space.acts[2], rtol=1e-5,
                               atol=1e-6)
    assert panel.info.text().startswith("Between hidden layer 1 and hidden layer 2")
    assert "not a layer's values" in panel.info.text()
    assert panel.position_label.text() == "layer 1.25"
    x, y = panel.points.getData()  # what is drawn: the points where the morph puts them
    np.testing.assert_array_equal(np.column_stack([x, y]), panel.coords()[n:])
    lines = np.concatenate([np.column_stack(item.getData()) for item in panel.lines])
    np.testing.assert_array_equal(lines, panel.coords()[:n])

    qtbot.keyClick(panel.slider, Qt.Key_End)
    assert panel.position() == 2
    np.testing.assert_array_equal(panel.coords(), space.acts[2])
    rect = panel.slider.rect()
    qtbot.mouseClick(panel.slider, Qt.LeftButton, pos=QPoint(rect.left() + 3, rect.center().y()))
    assert panel.position() < 2


def test_two_chosen_neurons_and_the_held_boundary(panel, qtbot, show):
    exp, snap = show(panel, "spiral", 300)
    space = panel._space
    assert panel.position() == 2 and not panel.neuron_u.isEnabled()
    panel.mode.setFocus()
    qtbot.keyClick(panel.mode, Qt.Key_Down)
    assert panel.mode.currentData() == hs.NEURONS
    assert panel.neuron_u.isEnabled() and not panel.refit.isEnabled()
    qtbot.keyClick(panel.neuron_v, Qt.Key_Up)  # neuron 2 -> 3
    np.testing.assert_array_equal(panel.coords(), space.acts[2][:, [0, 2]])
    text = panel.info.text()
    assert "neurons 1 and 3 of its 16 tanh neurons" in text
    assert "other 14 neurons held at their mean" in text and "approximate" in text
    assert panel.plot.getAxis("left").labelText == "hidden 2, neuron 3"
    # the line: P = 0.5 with the other neurons at their mean over the points
    held = space.points(2).astype(np.float64).mean(axis=0)
    W, b = snap.weights[-1], snap.biases[-1]
    segments = panel.boundary_segments(box=(-1e3, 1e3, -1e3, 1e3))
    assert len(segments) == 1
    if not len(panel.boundary_segments()):
        assert "(not in view here)" in text
    for f in (0.0, 0.5, 1.0):
        u, v = segments[0, :2] + f * (segments[0, 2:] - segments[0, :2])
        a = held.copy()
        a[[0, 2]] = u, v
        y = get_activation("sigmoid").forward((a @ W + b)[None])
        assert y[0, 0] == pytest.approx(0.5, abs=1e-9)
    assert panel.boundary_pen.style() == Qt.DashLine

    qtbot.keyClick(panel.neuron_u, Qt.Key_Up)
    qtbot.keyClick(panel.neuron_u, Qt.Key_Up)  # 3 = the other's: that one gives way
    assert (panel.neuron_u.value(), panel.neuron_v.value()) == (3, 4)
    np.testing.assert_array_equal(panel.coords(), space.acts[2][:, [2, 3]])
    qtbot.keyClick(panel.slider, Qt.Key_PageDown)  # hidden 1 keeps its own choice
    assert (panel.neuron_u.value(), panel.neuron_v.value()) == (1, 2)


def test_refit_fits_the_pca_planes_again_and_only_then(panel, qtbot, show, trained):
    exp, snap = show(panel, "spiral", 300)
    fitted = panel._pca[2]
    assert panel._pca_step[2] == snap.step
    assert f"fitted at step 300: it holds {fitted.explained:.0%} of the points' variance." \
        in panel.info.text()
    _, later = trained("spiral", 900)
    panel.show_snapshot(later)
    assert panel._pca[2] is fitted  # not refitted by a new snapshot: the picture holds still
    now = hs.plane_share(fitted, panel._space.points(2))
    assert f"it holds {now:.0%} of the points' variance now (Refit" in panel.info.text()
    qtbot.mouseClick(panel.refit, Qt.LeftButton)
    assert panel._pca[2] is not fitted and panel._pca_step[2] == later.step
    assert np.all(np.sum(panel._pca[2].basis * fitted.basis, axis=0) > 0)  # no flip
    assert "fitted at step 900: it holds" in panel.info.text()
    assert panel.boundary_pen.style() == Qt.DashLine
    assert "on the PCA plane through the points' mean" in panel.info.text()


def test_problems_without_two_inputs_say_why(panel, show):
    show(panel, "iris")
    assert panel.info.text() == ("Hidden space needs a problem of 2 input features (the plane "
                                 "to carry through the network); iris has 4.")
    assert not panel.slider.isEnabled() and not panel.mode.isEnabled()
    assert len(panel.points.data) == 0


def test_regression_points_by_target_and_no_boundary(panel, qtbot, show):
    exp, snap = show(panel, "function-fit", 5)
    assert len(panel._plane.rows) == hs.MAX_POINTS
    assert panel.info.text().endswith("Points coloured by f(x, y); no decision boundary (a "
                                      "regression).")
    qtbot.keyClick(panel.slider, Qt.Key_PageDown)
    assert panel.info.text().endswith("Points coloured by f(x, y).")
    assert len(panel.boundary_segments()) == 0


def test_a_diverged_snapshot_draws_nothing_and_says_so(panel, show):
    exp, snap = show(panel, "circles-bottleneck", 50)
    bad = list(snap.weights)
    bad[0] = np.full_like(bad[0], np.nan)
    panel.show_snapshot(replace(snap, weights=tuple(bad)))
    assert "not finite" in panel.info.text() and len(panel.points.data) == 0


def test_clicking_a_point_follows_that_training_sample(panel, qtbot, show):
    exp, snap = show(panel, "circles-bottleneck", 300)
    k = 17
    u, v = panel.coords()[panel._plane.n_line_rows + k]
    scene = panel.plot.vb.mapViewToScene(QPointF(float(u), float(v)))
    pos = panel.view.mapFromScene(scene)
    with qtbot.waitSignal(panel.sampleClicked) as blocker:
        qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=pos)
    assert blocker.args == [int(panel._plane.rows[k])]


def test_morph_button_animates_the_slider_and_stops_when_hidden(panel, qtbot, show):
    show(panel, "circles-bottleneck", 50)
    start = panel.slider.value()
    qtbot.mouseClick(panel.play, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.slider.value() != start)
    panel.hide()
    assert not panel.play.isChecked() and not panel._timer.isActive()


def test_in_the_window_the_panel_follows_training(make_window, qtbot):
    w = make_window("circles-bottleneck")
    panel = w.panels["hiddenSpace"]
    w.docks["hiddenSpace"].raise_()
    qtbot.waitUntil(lambda: panel._space is not None, timeout=10_000)
    assert panel.info.text().startswith("Hidden layer 2, its 2 tanh neurons (exact)")
    panel.sampleClicked.emit(17)  # a clicked point is the sample stepped next
    w.act_next_walk_sample.trigger()
    qtbot.waitUntil(lambda: w.controller.snapshot.walk is not None
                    and w.controller.snapshot.walk.indices == (17,), timeout=10_000)


def test_readout_plane_draws_the_exact_boundary(panel, qtbot, show):
    exp, snap = show(panel, "spiral", 300)
    panel.mode.setFocus()
    qtbot.keyClick(panel.mode, Qt.Key_Down)
    qtbot.keyClick(panel.mode, Qt.Key_Down)
    assert panel.mode.currentData() == hs.READOUT
    assert panel.refit.isVisible() and not panel.neuron_u.isVisible()
    text = panel.info.text()
    assert "on the readout plane" in text and "(exact: nothing off this plane changes" in text
    assert panel.boundary_pen.style() == Qt.SolidLine
    assert panel.plot.getAxis("bottom").labelText == "hidden 2 along the readout"
    u0, _, u1, _ = panel.boundary_segments(box=(-1e3, 1e3, -1e3, 1e3))[0]
    assert u0 == pytest.approx(u1)  # the output reads u alone: a vertical line
    W, b = snap.weights[-1], snap.biases[-1]
    y = get_activation("sigmoid").forward(
        panel._space.points(2).astype(np.float64) @ W + b)[:, 0]
    u = panel.coords()[panel._plane.n_line_rows:, 0]
    assert np.all((u >= u0) == (y >= 0.5))  # every point on the side of its prediction
    qtbot.keyClick(panel.slider, Qt.Key_PageDown)  # other layers: their PCA plane
    assert "the PCA plane of its 16 tanh neurons" in panel.info.text()


# Adversarial cases: a saturated (or dead) last hidden layer whose points all coincide, read
# by an output layer of zero weights (the readout plane has no direction to read). Driven by
# keys; a numpy warning is an error here.

def _shown(panel, exp):
    snap = take_snapshot(exp, grid=prediction_grid(exp))
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    return snap


def _readout(panel, qtbot):
    panel.mode.setFocus()
    while panel.mode.currentData() != hs.READOUT:
        qtbot.keyClick(panel.mode, Qt.Key_Down)


@pytest.mark.parametrize("reads", ["nothing", "neuron 1"])
def test_coinciding_points_read_by_zero_weights(panel, qtbot, reads):
    """Every point of the last hidden layer at one place (its weights 0: tanh(bias)), the
    output layer's weights 0 (or reading neuron 1 alone): finite views, no warning."""
    exp = build(preset("spiral"))
    net = exp.net
    net.weights[-2][...] = 0.0
    net.biases[-2][...] = 0.5
    net.weights[-1][...] = 0.0
    if reads == "neuron 1":
        net.weights[-1][0] = 1.0
    exp.trainer.reload()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _shown(panel, exp)
        for mode in range(panel.mode.count()):  # every view (PCA, neurons, readout)
            panel.mode.setCurrentIndex(mode)
            if mode == panel.mode.count() - 1:
                _readout(panel, qtbot)
            qtbot.keyClick(panel.slider, Qt.Key_End)
            coords = panel.coords()
            assert coords is not None and np.isfinite(coords).all()
            assert panel._views[-1].basis.shape[1] == 2
            assert np.isfinite(panel._views[-1].basis).all()
            assert "nan" not in panel.info.text().lower()
