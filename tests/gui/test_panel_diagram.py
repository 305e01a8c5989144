"""The network diagram shows a snapshot's own numbers and redraws what its toggles ask for."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from nnviz.experiment import PRESETS, build
from nnviz.gui import colormaps as cm
from nnviz.gui.panels.diagram import N_BINS, NetworkDiagramPanel, Selection
from nnviz.scales import nice_scale, symmetric_bins
from nnviz.snapshot import prediction_grid, run_info, take_snapshot


@pytest.fixture
def panel(qtbot):
    p = NetworkDiagramPanel()
    qtbot.addWidget(p)
    p.resize(900, 600)
    return p


def number(text: str, name: str) -> float:
    m = re.search(re.escape(name) + r" = (-?[0-9.e+-]+|nan|inf)", text)
    assert m, f"{name} not in {text!r}"
    return float(m.group(1))


def test_renders_every_connection_and_neuron_of_a_small_net(panel, show):
    show(panel, "xor")
    assert panel.colouring.visible.sum() == 2 * 4 + 4 * 1
    # drawn in the background colour: culled
    faded = (panel.colouring.edge_bins == N_BINS // 2).sum()
    assert panel.edges.segment_count() == 2 * 4 + 4 * 1 - faded
    assert panel.neurons.count() == 7
    assert panel.biases.count() == 5
    image = panel.grab().toImage()
    assert image.width() > 100 and image.height() > 100


def test_neuron_hover_values_equal_the_engines(panel, show):
    snap = show(panel, "spiral")[1]
    for layer, j in ((1, 0), (1, 7), (2, 15), (3, 0)):
        text = panel.neuron_text(layer, j)
        assert f"Neuron {j + 1} of layer {layer}" in text
        for name, value in (("z", snap.sample.z[layer - 1][j]), ("a", snap.sample.a[layer][j]),
                            ("delta", snap.sample.delta[layer - 1][j]),
                            ("bias", snap.biases[layer - 1][j]),
                            ("dL/db", snap.grad_b[layer - 1][j]),
                            ("Δb", snap.change_b[layer - 1][j])):
            assert number(text, name) == pytest.approx(value, rel=1e-5, abs=1e-12)
    text = panel.neuron_text(0, 1)
    assert number(text, "a = x") == pytest.approx(snap.sample.x[1], rel=1e-5)


def test_neuron_hover_states_the_activations_derivative(panel, show):
    """The text is the Activation's own, the number the engine's f' at the neuron's a."""
    snap = show(panel, "spiral")[1]
    for layer, j in ((1, 3), (3, 0)):
        act = {"tanh": "1 − tanh²(z) = 1 − a²", "sigmoid": "σ(z)(1 − σ(z)) = a(1 − a)"}[
            snap.activations[layer - 1]]
        a = snap.sample.a[layer][j]
        expected = 1 - a * a if act.startswith("1") else a * (1 - a)
        assert number(panel.neuron_text(layer, j), act) == pytest.approx(expected, rel=1e-5)


def test_connection_hover_values_equal_the_engines(panel, show):
    snap = show(panel, "xor")[1]
    for layer, i, j in ((0, 1, 3), (1, 2, 0)):
        text = panel.connection_text(layer, i, j)
        assert number(text, "w") == pytest.approx(snap.weights[layer][i, j], rel=1e-5)
        assert number(text, "dL/dw") == pytest.approx(snap.grad_W[layer][i, j], rel=1e-5,
                                                      abs=1e-12)
        assert number(text, "Δw") == pytest.approx(snap.change_W[layer][i, j], rel=1e-5,
                                                   abs=1e-12)


def test_before_the_first_step_the_connections_show_as_grey_structure(panel):
    """No step yet: dL/dw and Δw are all zero. The connections are drawn in one grey (the
    strongest weights where a layer is wide), the legend says the colours come after the
    first step, and the strip's norms read 0; by weight they are coloured at once."""
    exp = build(PRESETS["xor"])
    panel.set_run(run_info(exp))
    panel.show_snapshot(take_snapshot(exp))
    assert panel.edges.segment_count() == 2 * 4 + 4 * 1
    assert [p for p, _ in panel.edges._batches] == [panel._structure_pen]
    assert panel.edge_bar.getAxis("left").labelText == "dL/dw (after the first step)"
    assert panel.strip.labels.texts() == ["0", "0"]
    panel.edge_mode.setCurrentIndex(panel.edge_mode.findData("weight"))
    assert panel._structure_pen not in [p for p, _ in panel.edges._batches]
    panel.edge_mode.setCurrentIndex(panel.edge_mode.findData("grad"))
    exp.trainer.run(1)
    panel.show_snapshot(take_snapshot(exp))
    assert panel._structure_pen not in [p for p, _ in panel.edges._batches]
    assert panel.edge_bar.getAxis("left").labelText == "dL/dw"
    wide = build(PRESETS["function-fit"])  # 4,096 per dense layer: the strongest weights
    panel.set_run(run_info(wide))
    panel.show_snapshot(take_snapshot(wide, with_activity=False))
    L = panel._layout
    shown = panel.colouring.visible[L.edge_offsets[1]:L.edge_offsets[2]]
    w = np.abs(wide.net.weights[1].ravel())
    assert 0 < shown.sum() < len(w) and w[shown].min() >= w[~shown].max()


def test_edge_mode_toggle_changes_the_colours(panel, show):
    snap = show(panel, "xor")[1]
    grad_bins = panel.colouring.edge_bins.copy()
    panel.edge_mode.setCurrentIndex(panel.edge_mode.findData("weight"))
    weights = np.concatenate([w.ravel() for w in snap.weights])
    top = max(np.abs(weights).max(), max(np.abs(b).max() for b in snap.biases))
    expected = symmetric_bins(weights, nice_scale(top), N_BINS)
    np.testing.assert_array_equal(panel.colouring.edge_bins, expected)
    assert not np.array_equal(panel.colouring.edge_bins, grad_bins)
    assert panel.edge_bar.getAxis("left").labelText == "weight w"


def test_fixed_scale_saturates_the_colours(panel, show):
    show(panel, "xor")
    panel.scale_mode.setCurrentIndex(panel.scale_mode.findData("fixed"))
    panel.fixed_scale.setValue(1e-6)
    assert set(np.unique(panel.colouring.edge_bins)) <= {0, N_BINS // 2, N_BINS - 1}
    assert panel.edge_bar.levels() == (-1e-6, 1e-6)


def test_neuron_mode_toggle_uses_the_batch_mean(panel, show):
    snap = show(panel, "xor")[1]
    sample = panel.colouring.neuron_bins.copy()
    np.testing.assert_allclose(panel.neuron_values(), np.concatenate(snap.sample.a))
    panel.neuron_mode.setCurrentIndex(panel.neuron_mode.findData("mean"))
    np.testing.assert_allclose(panel.neuron_values(), np.concatenate(snap.mean_activation))
    assert not np.array_equal(panel.colouring.neuron_bins, sample)
    # a mean |a| >= 0: the legend shows (0, scale) in the upper half of the colour map, and
    # the bar's colour at a value is the neuron's colour for that value
    assert panel.neuron_bar.levels() == (0.0, panel.colouring.neuron_scale)
    top = cm.lut(cm.ACTIVATION, N_BINS)[-1][:3]
    bar_top = panel.neuron_bar.colorMap().map(1.0, mode="byte")[:3]
    np.testing.assert_allclose(bar_top, top, atol=2)
    bar_zero = panel.neuron_bar.colorMap().map(0.0, mode="byte")[:3]
    np.testing.assert_allclose(bar_zero, cm.lut(cm.ACTIVATION, N_BINS)[N_BINS // 2][:3], atol=2)
    panel.neuron_mode.setCurrentIndex(panel.neuron_mode.findData("sample"))
    scale = panel.colouring.neuron_scale
    assert panel.neuron_bar.levels() == (-scale, scale)


def test_wide_layers_show_the_strongest_connections_and_count_the_rest(panel, show):
    snap = show(panel, "function-fit", 20)[1]
    assert panel.colouring.visible.sum() == 128 + 256 + 256 + 64
    # |dL/dw| < 5% of the scale: the background colour
    faded = panel.colouring.edge_bins == N_BINS // 2
    assert panel.edges.segment_count() == (panel.colouring.visible & ~faded).sum()
    texts = [t.textItem.toPlainText() for t in panel._hidden_labels]
    assert texts[1].startswith("3,840 of 4,096") and texts[0] == ""
    # the drawn connections of W[1] are its largest |dL/dw|
    L = panel._layout
    vis = panel.colouring.visible[L.edge_offsets[1]:L.edge_offsets[2]]
    g = np.abs(snap.grad_W[1].ravel())
    assert g[vis].min() >= g[~vis].max()
    panel.budget_mode.setCurrentIndex(panel.budget_mode.findData("all"))
    assert panel.colouring.visible.all()
    assert panel.edges.segment_count() == 8384 - (panel.colouring.edge_bins == N_BINS // 2).sum()
    assert all(t.textItem.toPlainText() == "" for t in panel._hidden_labels)


def test_dead_relu_neurons_are_marked(panel, show):
    snap = show(panel, "function-fit", 300)[1]
    n_dead = int(sum(d.sum() for d in snap.dead))
    assert n_dead > 0  # the article's dead-ReLU insight, visible after a few hundred steps
    assert panel.dead_marks.count() == n_dead
    layer = next(l for l, d in enumerate(snap.dead) if d.any())
    j = int(np.flatnonzero(snap.dead[layer])[0])
    # the activity looks at the first 2,048 of function-fit's 10,000 rows, and says so
    assert "DEAD: zero on all 2,048 training samples checked (of 10,000)" in \
        panel.neuron_text(layer + 1, j)


def test_neuron_heatmaps_show_the_grid(panel, show):
    snap = show(panel, "xor")[1]
    assert not panel._images
    panel.heatmaps.setChecked(True)
    assert len(panel._images) == 7
    assert not panel.neurons.isVisible()
    hidden = panel._images[2 + 3]  # layer 1, neuron 4
    np.testing.assert_allclose(hidden.image.T, snap.grid.neuron[0][:, :, 3])
    panel.heatmaps.setChecked(False)
    assert panel.neurons.isVisible() and not hidden.isVisible()


def test_neuron_heatmaps_are_offered_only_where_they_can_be_drawn(panel, show):
    show(panel, "xor")
    assert panel.heatmaps.isEnabled()
    panel.heatmaps.setChecked(True)
    show(panel, "function-fit")  # 193 neurons: the grid carries no per-neuron outputs
    assert not panel.heatmaps.isEnabled()
    assert "at most 128 neurons (this one has 193)" in panel.heatmaps.toolTip()
    assert not panel._images and panel.neurons.isVisible()
    show(panel, "circles")
    assert panel.heatmaps.isEnabled() and len(panel._images) == 2 + 6 + 1


def test_neuron_heatmaps_are_redrawn_only_for_a_new_grid(panel, show, monkeypatch):
    """The worker repeats its last grid in every snapshot until the next (5 a second): the
    images are set once per grid, and again after the heatmaps are switched off and on."""
    exp, snap = show(panel, "xor")
    panel.heatmaps.setChecked(True)
    calls = []
    monkeypatch.setattr(panel._images[2], "setImage", lambda *a, **k: calls.append(1))
    panel.show_snapshot(replace(snap, step=snap.step + 1))  # same grid object
    assert calls == []
    exp.trainer.run(5)
    panel.show_snapshot(take_snapshot(exp, grid=prediction_grid(exp)))
    assert calls == [1]
    panel.heatmaps.setChecked(False)
    panel.heatmaps.setChecked(True)
    assert calls == [1, 1]


def test_gradient_strip_shows_log_norms_per_layer(panel, show):
    snap = show(panel, "spiral")[1]
    heights = panel.strip.bars.opts["height"]
    logs = [np.log10(np.linalg.norm(g)) for g in snap.grad_W]
    # each bar's top at its log norm (bars start at the strip's bottom, never below it)
    y0 = panel.strip.bars.opts["y0"]
    assert y0 == panel.strip.plot.vb.viewRange()[1][0]
    np.testing.assert_allclose(np.asarray(heights) + y0, logs)
    assert panel.strip.labels.texts() == [f"{np.linalg.norm(g):.1e}" for g in snap.grad_W]


def test_gradient_strip_bars_stop_at_its_floor(panel, show):
    """A norm below 1e-12 draws an empty bar on the floor, not one hanging below it."""
    snap = show(panel, "xor")[1]
    panel.show_snapshot(replace(snap, step=snap.step + 1,
                                grad_W=tuple(1e-20 * g for g in snap.grad_W)))
    assert np.all(np.asarray(panel.strip.bars.opts["height"]) == 0.0)


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("preset", ["single-neuron", "function-fit"])
@pytest.mark.parametrize("height", [380, 600])
def test_gradient_strip_labels_stay_inside_the_strip(panel, qtbot, show, preset, height):
    """Each bar's value label fits above it, also when the norm is above 1 (single-neuron's
    first steps) and in a short panel; the axis is labelled in powers of ten."""
    panel.resize(700, height)
    panel.show()
    qtbot.waitExposed(panel)
    show(panel, preset, 5)
    qtbot.waitUntil(lambda: panel.strip.plot.vb.height() > 0)
    panel.strip.fit_range()
    panel.view.grab()
    box = panel.strip.plot.vb.sceneBoundingRect()
    for text in panel.strip.labels.sceneRects():
        assert box.top() <= text.top() and text.bottom() <= box.bottom() + 1, (text, box)
    assert panel.strip.plot.getAxis("left").tickStrings([-6, -4, 0, 2], 1, 2) == [
        "10⁻⁶", "10⁻⁴", "10⁰", "10²"]


def test_hit_and_select_emit_the_selection(panel, qtbot, show):
    show(panel, "xor")
    L = panel._layout
    x, y = L.neuron_xy[L.neuron_offsets[1] + 2]
    assert panel.hit(x, y) == Selection("neuron", 1, index=2)
    x0, y0, x1, y1 = L.segments[L.edge_offsets[0] + 1 * 4 + 3]  # W[0][1, 3]
    assert panel.hit((x0 + x1) / 2, (y0 + y1) / 2, 0.01) == Selection("connection", 0, i=1, j=3)
    with qtbot.waitSignal(panel.selectionChanged) as blocker:
        panel.select(Selection("connection", 0, i=1, j=3))
    assert blocker.args[0] == Selection("connection", 0, i=1, j=3)
    assert panel.selected_edge.segment_count() == 1
    assert panel.info.text() == panel.connection_text(0, 1, 3)


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show()
def test_mouse_click_on_a_neuron_selects_it(panel, qtbot, show):
    show(panel, "xor")
    panel.show()
    qtbot.waitExposed(panel)
    L = panel._layout
    x, y = L.neuron_xy[L.neuron_offsets[2]]  # the output neuron
    scene = panel.vb.mapViewToScene(QPointF(x, y))
    pos = panel.view.mapFromScene(scene)
    with qtbot.waitSignal(panel.selectionChanged) as blocker:
        qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=pos)
    assert blocker.args[0] == Selection("neuron", 2, index=0)
    assert "Neuron 1 of layer 2 (sigmoid)" in panel.info.text()


def test_new_experiment_replaces_the_layout(panel, show):
    show(panel, "spiral")
    show(panel, "single-neuron")
    assert panel.edges.segment_count() == 2
    assert len(panel._hidden_labels) == 1 and len(panel.strip.labels.texts()) == 1
    assert "Neuron 1 of layer 1 (sigmoid)" in panel.neuron_text(1, 0)


def test_connections_faded_to_the_background_are_not_drawn(panel, show):
    snap = show(panel, "function-fit", 20)[1]
    panel.budget_mode.setCurrentIndex(panel.budget_mode.findData("all"))
    middle = panel._edge_pens[N_BINS // 2]
    assert cm.invisible(middle)  # (253, 253, 253) on white
    assert not any(cm.invisible(panel._edge_pens[b]) for b in range(N_BINS) if b != N_BINS // 2)
    drawn = panel.edges.segment_count()
    panel.fixed_scale.setValue(1e-6)  # the smallest fixed scale: most connections saturate
    panel.scale_mode.setCurrentIndex(panel.scale_mode.findData("fixed"))
    strong = sum(int((np.abs(g) / 1e-6 >= 0.05).sum()) for g in snap.grad_W)
    assert panel.edges.segment_count() == strong > drawn


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("size", [(800, 520), (700, 420)])
def test_hidden_counts_are_not_cut_off(panel, qtbot, show, size):
    """The two-line "n of m weaker hidden" text under a wide layer stays inside the view (it
    was clipped to its first line: the room below the network was in view units, the text's
    height is in pixels)."""
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    show(panel, "function-fit", 20)
    panel.view.grab()
    box = panel.vb.sceneBoundingRect()
    labels = [t for t in panel._hidden_labels if t.textItem.toPlainText()]
    assert labels
    for label in labels:
        text = label.textItem.mapRectToScene(label.textItem.boundingRect())
        assert box.top() <= text.top() and text.bottom() <= box.bottom() + 1, (text, box)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_hovering_a_gradient_bar_names_its_layer_and_norm(panel, qtbot, show, hover):
    """The strip's bars say what they are when hovered (in a short strip its axis has no room
    for its name): the layer, its weights' shape and ‖dL/dW‖, the engine's; before a step and
    after a divergence, why there is no bar."""
    panel.show()
    qtbot.waitExposed(panel)
    snap = show(panel, "spiral")[1]
    strip = panel.strip

    def hover_bar(l: int) -> str:
        x = strip.bars.opts["x"][l]
        hover(panel.view, strip.plot.vb.mapViewToScene(QPointF(x, strip.range[0] + 0.5)))
        return panel.info.text()

    text = hover_bar(1)
    assert text.startswith("Layer 2's weights W2 (16×16): ‖dL/dW‖ = ")
    assert number(text, "‖dL/dW‖") == pytest.approx(np.linalg.norm(snap.grad_W[1]), rel=1e-5)
    assert "their gradient's size this step" in text
    assert hover_bar(0).startswith("Layer 1's weights W1 (2×16)")
    panel.show_snapshot(replace(snap, step=snap.step + 1,
                                grad_W=tuple(np.full_like(g, np.inf) for g in snap.grad_W)))
    assert hover_bar(2) == "Layer 3's weights W3 (16×1): ‖dL/dW‖ is not finite (the run diverged)"
    panel.show_snapshot(replace(snap, step=snap.step + 2,
                                grad_W=tuple(0 * g for g in snap.grad_W)))
    assert hover_bar(2).endswith("no gradient yet: train a step")
