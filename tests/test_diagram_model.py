"""The network diagram's model without Qt: geometry, hit-testing, which connections show,
colour scaling, hover text."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nnviz.diagram_model import (
    N_BINS,
    DiagramLayout,
    DiagramSettings,
    DiagramText,
    Selection,
    colour,
    heat_level,
    hidden_text,
    layer_spacing,
    marked,
    strip_norms,
    strip_range,
)
from nnviz.experiment import PRESETS, build
from nnviz.explain import Names
from nnviz.scales import nice_scale, symmetric_bins
from nnviz.snapshot import take_snapshot

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def run(preset: str, steps: int):
    exp = build(PRESETS[preset])
    exp.trainer.run(steps)
    return exp, take_snapshot(exp)


def test_the_model_never_loads_qt():
    code = ("import sys, nnviz.diagram_model as m, nnviz.scales\n"
            "from nnviz.experiment import PRESETS, build\n"
            "from nnviz.snapshot import take_snapshot\n"
            "exp = build(PRESETS['xor']); exp.trainer.run(5); s = take_snapshot(exp)\n"
            "L = m.DiagramLayout(s.sizes); m.colour(L, s, m.DiagramSettings()); L.hit(0, 0)\n"
            "bad = [k for k in sys.modules if k.startswith(('PySide6', 'pyqtgraph', 'shiboken'))]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_layout_places_layers_and_connections_in_weight_order():
    L = DiagramLayout((2, 4, 1))
    assert L.neuron_xy.shape == (7, 2) and L.segments.shape == (2 * 4 + 4 * 1, 4)
    assert list(L.edge_offsets) == [0, 8, 12] and list(L.neuron_offsets) == [0, 2, 6, 7]
    # layers dx apart, each centred on y = 0, neighbours 1 apart
    np.testing.assert_allclose(L.neuron_xy[:2], [[0, 0.5], [0, -0.5]])
    np.testing.assert_allclose(L.neuron_xy[6], [2 * L.dx, 0.0])
    # connection W[0][1, 3]: flat index i * n_out + j, from the edge of one circle to the next
    e = L.edge_flat(0, 1, 3)
    assert e == 7 and (L.edge_layer[e], L.edge_i[e], L.edge_j[e]) == (0, 1, 3)
    x0, y0, x1, y1 = L.segments[e]
    assert (x0, y0) == (L.radius, L.y[0][1]) and (x1, y1) == (L.dx - L.radius, L.y[1][3])
    assert L.bias_xy.shape == (5, 2) and not L.dense and DiagramLayout((2, 64, 1)).dense
    (vx0, vx1), (vy0, vy1) = L.view_range()
    assert vx0 < L.neuron_xy[:, 0].min() and vx1 > L.neuron_xy[:, 0].max()
    assert vy0 <= L.hidden_y < L.neuron_xy[:, 1].min() and vy1 > L.neuron_xy[:, 1].max()


def test_hit_finds_neurons_then_drawn_connections():
    L = DiagramLayout((2, 4, 1))
    x, y = L.neuron_xy[L.neuron_flat(1, 2)]
    assert L.hit(x + 0.3, y) == Selection("neuron", 1, index=2)  # inside radius + tolerance
    x0, y0, x1, y1 = L.segments[L.edge_flat(1, 3, 0)]
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    assert L.hit(*mid, 0.01) == Selection("connection", 1, i=3, j=0)
    assert L.hit(L.dx / 2, 10.0) is None  # far from everything
    visible = np.ones(len(L.segments), bool)
    visible[L.edge_flat(1, 3, 0)] = False  # a hidden connection cannot be hit
    assert L.hit(*mid, 0.01, visible) is None


def test_auto_scale_bins_every_layer_on_the_largest_value():
    _, s = run("xor", 50)
    L = DiagramLayout(s.sizes)
    c = colour(L, s, DiagramSettings(edge_mode="weight"))
    w = np.concatenate([x.ravel() for x in s.weights])
    top = max(np.abs(w).max(), max(np.abs(b).max() for b in s.biases))
    assert c.edge_scale == nice_scale(top)
    np.testing.assert_array_equal(c.edge_bins, symmetric_bins(w, nice_scale(top), N_BINS))
    assert c.visible.all() and c.hidden == (0, 0) and not c.blank
    assert c.edge_label == "weight w"
    # per layer: W[l] / its own scale; fixed: saturates at the ends
    c = colour(L, s, DiagramSettings(edge_mode="weight", scale_mode="layer"))
    np.testing.assert_array_equal(c.edge_bins[:8], symmetric_bins(
        s.weights[0].ravel(), nice_scale(np.abs(s.weights[0]).max()), N_BINS))
    assert c.edge_label == "weight w (per layer)"
    c = colour(L, s, DiagramSettings(scale_mode="fixed", fixed_scale=1e-9))
    assert set(np.unique(c.edge_bins)) <= {0, N_BINS // 2, N_BINS - 1}


def test_neuron_colours_by_sample_mean_or_delta():
    _, s = run("xor", 50)
    L = DiagramLayout(s.sizes)
    c = colour(L, s, DiagramSettings())
    a = np.concatenate(s.sample.a)
    np.testing.assert_allclose(c.neuron_values, a)
    assert c.neuron_scale == nice_scale(np.abs(a[2:]).max())  # the inputs do not set it
    assert not c.neuron_from_zero and c.neuron_label == "neuron a"
    c = colour(L, s, DiagramSettings(neuron_mode="mean"))
    assert c.neuron_from_zero and (c.neuron_values >= 0).all()
    c = colour(L, s, DiagramSettings(neuron_mode="delta"))
    assert (c.neuron_values[:2] == 0).all()  # inputs have no delta
    np.testing.assert_allclose(c.neuron_values[2:], np.concatenate(s.sample.delta))


def test_before_the_first_step_the_strongest_weights_show_as_structure():
    exp, _ = run("function-fit", 0)
    s = take_snapshot(exp, with_activity=False)
    L = DiagramLayout(s.sizes)
    c = colour(L, s, DiagramSettings())
    assert c.blank and c.edge_label == "dL/dw (after the first step)"
    lo, hi = L.edge_offsets[1], L.edge_offsets[2]
    shown = c.visible[lo:hi]
    assert shown.sum() == L.budget(1) == 256 and c.hidden[1] == 4096 - 256
    w = np.abs(s.weights[1].ravel())
    assert w[shown].min() >= w[~shown].max()
    assert hidden_text(c.hidden[1], 4096) == "3,840 of 4,096\nweaker hidden"
    assert hidden_text(0, 8) == ""
    assert colour(L, s, DiagramSettings(budget="all")).visible.all()


def test_dead_and_saturated_marks_sit_on_their_neurons():
    _, s = run("xor", 50)
    L = DiagramLayout(s.sizes)
    dead = tuple(np.zeros_like(d) for d in s.dead)
    dead[0][1] = True
    sat = tuple(np.zeros_like(d) for d in s.saturated)
    sat[1][0] = True
    d, t = marked(L, replace(s, dead=dead, saturated=sat))
    np.testing.assert_array_equal(d, L.neuron_xy[[L.neuron_flat(1, 1)]])
    np.testing.assert_array_equal(t, L.neuron_xy[[L.neuron_flat(2, 0)]])


def test_strip_range_in_whole_decades_with_room_for_labels():
    norms, logs = strip_norms([np.zeros((2, 2)), np.full((2, 2), 0.05)])
    assert norms[0] == 0 and np.isnan(logs[0]) and logs[1] == pytest.approx(-1.0)
    assert strip_range(logs, 0.0) == (-6.0, 1.0)
    lo, hi = strip_range(np.array([-9.2, 3.4]), 0.25)
    assert lo == -10.0 and hi == np.ceil((3.4 + 10 * 0.25) / 0.75)
    assert heat_level("tanh", np.array([5.0])) == 1.0
    assert heat_level("relu", np.array([-3.0, 0.1])) == 5.0


def test_hover_text_reads_the_snapshots_numbers():
    _, s = run("xor", 50)
    text = DiagramText(Names(("x1", "x2")))
    t = text.of(s, Selection("neuron", 0, index=1))
    assert t.startswith("Input 2 (x2), layer 0")
    t = text.of(s, Selection("connection", 0, i=1, j=3))
    for name, value in (("w", s.weights[0][1, 3]), ("dL/dw", s.grad_W[0][1, 3])):
        m = re.search(re.escape(name) + r" = (-?[0-9.e+-]+)", t)
        assert m and float(m.group(1)) == pytest.approx(value, rel=1e-5, abs=1e-12)
    t = text.of(s, Selection("neuron", 1, index=2))
    assert t.startswith("Neuron 3 of layer 1 (")
    assert text.of(s, None) == "" and text.of(None, Selection("neuron", 1)) == ""


def test_view_range_leaves_room_for_the_hidden_counts_text():
    L = DiagramLayout((2, 64, 64, 64, 1))
    _, (bottom, top) = L.view_range()
    (x0, x1), (b2, t2) = L.view_range(label_px=34, view_px=(560, 330))
    assert t2 == top and b2 < bottom  # more room than the default 7% of the height
    units_per_px = max((x1 - x0) / 560, (t2 - b2) / 330)
    assert (L.hidden_y - b2) / units_per_px >= 34 - 1e-9


@pytest.mark.parametrize("sizes", [(2, 4, 1), (2, 8, 8, 3), (4, 8, 3), (1, 16, 16, 1)])
@pytest.mark.parametrize("aspect", [1.8, 2.2, 2.6])  # (xor at 1.6: the floor DX_MIN)
def test_the_drawing_takes_the_shape_of_a_wide_box(sizes, aspect):
    """The layer spacing follows the box: the view's width / height is the box's (the
    drawing fills it), with neurons still 1 apart and round (the same unit both ways)."""
    L = DiagramLayout(sizes, aspect)
    (x0, x1), (y0, y1) = L.view_range()
    assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect, rel=0.02)
    assert np.allclose(np.diff(L.y[1]), -1.0)
    assert L.dx > DiagramLayout(sizes).dx  # wider than the narrowest spacing


def test_layer_spacing_is_capped_for_small_networks_and_floored_in_tall_boxes():
    assert layer_spacing((2, 1), 10.0) == 4.0  # two neurons: not spread across a screen
    assert layer_spacing((2, 4, 1), 10.0) == 6.0  # at most 2 neuron spans
    assert layer_spacing((2, 4, 1), 0.3) == layer_spacing((2, 4, 1)) == 2.5
    assert layer_spacing((2, 4, 1), float("nan")) == 2.5
    L = DiagramLayout((2, 4, 1), 10.0)  # hit-testing follows the wider layout
    x, y = L.neuron_xy[L.neuron_flat(2, 0)]
    assert x == 2 * 6.0 and L.hit(x, y) == Selection("neuron", 2, index=0)


def test_hidden_counts_have_shorter_forms_for_narrow_layer_gaps():
    from nnviz.diagram_model import hidden_texts

    texts = hidden_texts(3840, 4096)
    assert texts[0] == "3,840 of 4,096\nweaker hidden" and texts[-1] == ""
    widths = [max(map(len, t.split("\n"))) for t in texts]
    assert widths == sorted(widths, reverse=True)  # longest first
    assert hidden_texts(0, 8) == ("",)
