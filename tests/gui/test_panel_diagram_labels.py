"""The diagram names its inputs (x1, x2, a CSV's columns) and outputs (class names, P(class=1),
the target), whole and beside the neurons at every panel size."""

from __future__ import annotations

import pytest

from nnviz.gui.panels.diagram import NetworkDiagramPanel, Selection

#: a shown top-level panel: the offscreen plugin cannot pass its size hints on (conftest.py)
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def panel(qtbot):
    p = NetworkDiagramPanel()
    qtbot.addWidget(p)
    p.show()
    qtbot.waitExposed(p)
    return p


def texts(panel) -> list[str]:
    return [item.textItem.toPlainText() for item in panel.io_labels]


def assert_whole_and_clear(panel):
    """Every label inside the drawing's box, none over a neuron."""
    box = panel.vb.sceneBoundingRect()
    L = panel._layout
    centres = [panel.vb.mapViewToScene(pg_point(x, y)) for x, y in L.neuron_xy]
    for item in panel.io_labels:
        rect = item.sceneBoundingRect()
        assert rect.width() > 0 and box.contains(rect), item.textItem.toPlainText()
        assert not any(rect.contains(c) for c in centres), item.textItem.toPlainText()


def pg_point(x, y):
    from PySide6.QtCore import QPointF

    return QPointF(float(x), float(y))


@pytest.mark.parametrize("size", [(480, 300), (900, 600), (1400, 900)])
@pytest.mark.parametrize(("preset", "expected"), [
    ("xor", ["x1", "x2", "x1²", "x2²", "x1·x2", "sin(x1)", "sin(x2)", "P(class=1)"]),
    ("iris", ["sepal_length", "sepal_width", "petal_length", "petal_width",
              "setosa", "versicolor", "virginica"]),
])
def test_names_beside_the_inputs_and_outputs(panel, show, qtbot, size, preset, expected):
    panel.resize(*size)
    qtbot.waitUntil(lambda: panel.vb.width() > 0)
    show(panel, preset)
    if size[0] < 600:  # too close for a name each: xor's counted; iris's would take over
        expected = ["7 inputs", "P(class=1)"] if preset == "xor" else []  # 60%: left out
    assert texts(panel) == expected
    assert_whole_and_clear(panel)


def test_candidate_inputs_beside_wide_layers_are_spread_out_and_named(panel, show, qtbot):
    """function-fit's seven candidate inputs beside 64-neuron layers: spread over the
    column (they sat a few pixels apart, under one stacked label), each named."""
    panel.resize(600, 400)
    show(panel, "function-fit", steps=1)
    assert texts(panel) == ["x", "y", "x²", "y²", "x·y", "sin(x)", "sin(y)", "f(x, y)"]
    assert panel._layout.slot_gap > 1
    assert_whole_and_clear(panel)


def test_labels_follow_the_panel_size(panel, show, qtbot):
    panel.resize(900, 600)
    show(panel, "iris")
    before = [item.sceneBoundingRect() for item in panel.io_labels]
    panel.resize(500, 300)
    qtbot.waitUntil(lambda: panel.vb.width() < 450)
    assert_whole_and_clear(panel)
    assert [item.sceneBoundingRect() for item in panel.io_labels] != before


def test_hovering_an_output_names_it(panel, show):
    show(panel, "iris")
    assert panel.text_for(Selection("neuron", 2, index=1)).startswith(
        "Neuron 2 of layer 2 (softmax), output versicolor:")
    assert panel.text_for(Selection("neuron", 0, index=2)).startswith(
        "Input 3 (petal_length)")


def test_a_resize_moves_the_names_it_keeps(panel, show, qtbot):
    """Names that stay (the same text, side and colour) are the same items, moved: a
    TextItem made anew costs ~0.4 ms, and fitting the view tries two scales."""
    panel.resize(900, 600)
    qtbot.waitUntil(lambda: panel.vb.width() > 0)
    show(panel, "xor")
    before = {item.textItem.toPlainText(): item for item in panel.io_labels}
    places = {t: item.pos() for t, item in before.items()}
    panel.resize(1300, 800)
    qtbot.waitUntil(lambda: any(item.pos() != places[t] for t, item in before.items()))
    after = {item.textItem.toPlainText(): item for item in panel.io_labels}
    assert after.keys() == before.keys()
    assert all(after[t] is before[t] for t in after)
    assert_whole_and_clear(panel)
    items = [i for i in panel.vb.addedItems if hasattr(i, "io_style")]
    assert sorted(map(id, items)) == sorted(map(id, panel.io_labels))  # none left behind
