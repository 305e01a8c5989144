"""The vectors panel draws the inputs the network sees and each first-layer weight vector."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from nnviz.gui import colormaps as cm
from nnviz.gui.panels.vectors import MAX_POINTS, VectorsPanel


@pytest.fixture
def panel(qtbot):
    p = VectorsPanel()
    qtbot.addWidget(p)
    p.resize(700, 500)
    return p


def segments(item) -> np.ndarray:
    return np.array([[ln.x1(), ln.y1(), ln.x2(), ln.y2()] for _, lines in item._batches
                     for ln in lines])


def test_single_neuron_is_the_tutorial_picture(panel, show):
    exp, snap = show(panel, "single-neuron", 200)
    pts = panel.points.data
    assert len(pts) == 8
    np.testing.assert_allclose(np.column_stack((pts["x"], pts["y"])), exp.prepared.X_train)
    colors = {QColor(b.color()).name() for b in pts["brush"]}
    assert colors == {QColor(cm.CLASS_COLORS[0]).name(), QColor(cm.CLASS_COLORS[1]).name()}
    # red = class 0, green = class 1
    labels = exp.dataset.labels[exp.prepared.train_index]
    for k, brush in zip(range(8), pts["brush"]):
        assert brush.color().name() == QColor(cm.CLASS_COLORS[labels[k]]).name()
    # the blue arrow is the weight vector, from the origin
    w = snap.weights[0][:, 0]
    seg = segments(panel.vectors)
    np.testing.assert_allclose(seg[0], [0, 0, w[0], w[1]])
    pen0 = panel.vectors._batches[0][0]
    assert pen0.color().name() == QColor(cm.NEURON_COLORS[0]).name()
    assert "raw" in panel.plot.getAxis("bottom").labelText


def test_boundary_line_is_where_w_x_plus_b_is_zero(panel, show):
    _, snap = show(panel, "single-neuron", 200)
    w, b = snap.weights[0][:, 0], snap.biases[0][0]
    line = segments(panel.vectors)[3]
    for x, y in (line[:2], line[2:]):
        assert w[0] * x + w[1] * y + b == pytest.approx(0, abs=1e-9)


def test_current_sample_is_ringed_in_network_coordinates(panel, show):
    _, snap = show(panel, "xor")
    np.testing.assert_allclose(panel.current.position(), snap.sample.x[:2])
    assert "standardised" in panel.note.text()


def test_choosing_features_changes_the_vectors(panel, show):
    exp, snap = show(panel, "iris")
    assert panel.feature_x.isEnabled() and panel.feature_x.count() == 4
    panel.feature_y.setCurrentIndex(3)
    _, w, b = panel.weight_vectors()
    np.testing.assert_allclose(w, snap.weights[0][[0, 3]].T)
    pts = panel.points.data
    np.testing.assert_allclose(pts["y"], exp.prepared.X_train[:, 3])
    assert panel.plot.getAxis("left").labelText.startswith("petal_width")


def test_clicking_a_point_emits_its_training_index(panel, qtbot, show):
    show(panel, "xor")
    point = panel.points.points()[17]
    with qtbot.waitSignal(panel.sampleClicked) as blocker:
        panel.points.sigClicked.emit(panel.points, [point], None)
    assert blocker.args == [17]


def test_many_points_and_neurons_are_thinned(panel, show):
    exp, _ = show(panel, "function-fit", 5)
    assert len(panel.points.data) == MAX_POINTS
    assert len(panel._shown) == 12 and "12 longest of 64" in panel.info.text()
    rows = panel.points.data["data"].astype(int)
    np.testing.assert_allclose(panel.points.data["x"], exp.prepared.X_train[rows, 0])
