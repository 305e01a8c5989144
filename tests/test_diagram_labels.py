"""The diagram's input and output names, without Qt: which names, where, and room for them."""

from __future__ import annotations

import pytest

from nnviz.diagram_model import LABEL_CHARS, DiagramLayout, clip, io_names
from nnviz.experiment import PRESETS, build


@pytest.mark.parametrize(("preset", "inputs", "outputs"), [
    ("xor", ("x1", "x2"), ("P(class=1)",)),
    ("single-neuron", ("x1", "x2"), ("P(y=1)",)),
    ("iris", ("sepal_length", "sepal_width", "petal_length", "petal_width"),
     ("setosa", "versicolor", "virginica")),
    ("function-fit", ("x", "y"), ("f(x, y)",)),
])
def test_names_come_from_the_data(preset, inputs, outputs):
    exp = build(PRESETS[preset].replace(dataset_params=(("grid", 10),))
                if preset == "function-fit" else PRESETS[preset])
    ds = exp.dataset
    assert io_names(exp.net.sizes, ds.feature_names, ds.output_names) == (inputs, outputs)


def test_names_fall_back_to_x_and_y():
    assert io_names((3, 4, 1)) == (("x1", "x2", "x3"), ("y",))
    assert io_names((2, 2), ("a",), ("p", "q", "r")) == (("x1", "x2"), ("y1", "y2"))


def test_one_name_per_neuron_beside_its_circle():
    L = DiagramLayout((2, 4, 3))
    labels = L.io_labels(("x1", "x2"), ("a", "b", "c"), px_per_unit=60, line_px=16)
    assert [text for _, _, text, _ in labels] == ["x1", "x2", "a", "b", "c"]
    for x, y, _, side in labels[:2]:
        assert side == "left" and x < L.x[0] - L.radius and y in L.y[0]
    for x, y, _, side in labels[2:]:
        assert side == "right" and x > L.x[-1] + L.radius and y in L.y[-1]


def test_a_tight_or_dense_layer_gets_one_label():
    L = DiagramLayout((2, 64, 1))
    labels = L.io_labels(("x", "y"), ("f",), px_per_unit=8, line_px=16)  # neighbours 8 px apart
    assert [(t, side) for _, _, t, side in labels] == [("x\ny", "left"), ("f", "right")]
    assert labels[0][1] == 0.0  # beside the middle of the layer
    wide = DiagramLayout((30, 4, 1))
    names = [f"feature_{k}" for k in range(30)]
    left = [t for _, _, t, side in wide.io_labels(names, ("y",), 100, 16, 300) if side == "left"]
    assert left == ["30 inputs"]  # neither one each (dense) nor 30 lines in 300 px
    left = [t for _, _, t, side in wide.io_labels(names, ("y",), 100, 16, 600) if side == "left"]
    assert left == ["\n".join(names)]
    assert clip("a" * 40, LABEL_CHARS) == "a" * (LABEL_CHARS - 1) + "…"


@pytest.mark.parametrize(("view_px", "left_px", "right_px"), [
    ((300, 150), 90, 70),  # width is the tighter: the labels squeeze the network
    ((900, 150), 90, 70),  # height is the tighter: the labels fit in the spare width
    ((280, 600), 10, 120),
])
def test_the_view_leaves_room_for_the_labels(view_px, left_px, right_px):
    L = DiagramLayout((4, 8, 3))
    (x0, x1), (y0, y1) = L.view_range(0.0, view_px, left_px, right_px)
    w, h = view_px
    units_per_px = max((x1 - x0) / w, (y1 - y0) / h)  # locked aspect: the tighter direction
    edge = L.radius + 0.12
    assert -edge - x0 >= left_px * units_per_px - 1e-9
    assert x1 - (L.x[-1] + edge) >= right_px * units_per_px - 1e-9
    assert L.view_range() == L.view_range(0.0, view_px)  # no labels: the plain margins
    # with the hidden counts' text below too: both kinds of room at one scale
    (x0, x1), (y0, y1) = L.view_range(40, view_px, left_px, right_px)
    units_per_px = max((x1 - x0) / w, (y1 - y0) / h)
    assert L.hidden_y - y0 >= 40 * units_per_px - 1e-9
    assert -edge - x0 >= left_px * units_per_px - 1e-9
    assert x1 - (L.x[-1] + edge) >= right_px * units_per_px - 1e-9
