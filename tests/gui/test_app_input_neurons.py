"""The network diagram's input layer, by real mouse clicks in the window: every candidate input
(x1, x2, x1², x2², x1·x2, sin(x1), sin(x2)) is drawn with its name and a picture over the plane,
the ones not chosen greyed; a click on one turns it on or off through the control panel's one
structure-edit path (asks before discarding progress, keeps the hidden layers, check boxes
follow); a click that would leave no input is refused in one line."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QPointF, Qt

from nnviz.data.features import FEATURES
from nnviz.experiment import PRESETS


def click_slot(qtbot, window, slot: int, on_picture: bool = False) -> None:
    """A left click on input candidate ``slot``'s circle (or its picture) in the diagram."""
    panel = window.panels["networkDiagram"]
    L = panel._layout
    x, y = (L.picture_xy() if on_picture else L.slot_xy)[slot]
    pos = panel.view.mapFromScene(panel.vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=pos)


def slot_of(name: str) -> int:
    return list(FEATURES).index(name)


@pytest.fixture
def window(make_window, qtbot):
    w = make_window("circles")
    w.resize(1280, 720)
    qtbot.waitExposed(w)
    panel = w.panels["networkDiagram"]
    qtbot.waitUntil(lambda: panel._layout is not None and panel.choice is not None,
                    timeout=3000)
    return w


def test_every_candidate_is_drawn_with_its_name_and_picture(window, qtbot):
    panel = window.panels["networkDiagram"]
    assert panel.choice.names == tuple(FEATURES)
    assert panel.choice.on == (True, True) + (False,) * 5
    assert len(panel.pictures) == 7 and all(p.isVisible() for p in panel.pictures)
    assert [p.opacity() < 1 for p in panel.pictures] == [False, False] + [True] * 5

    def names():  # one per candidate, or stacked in one where they sit too close
        return "\n".join(item.textItem.toPlainText() for item in panel.io_labels
                         if item.textItem.toPlainText() != "P(class=1)")

    qtbot.waitUntil(lambda: names() == "x1\nx2\nx1²\nx2²\nx1·x2\nsin(x1)\nsin(x2)",
                    timeout=3000)
    assert panel.off_inputs.count() == 5
    # the two chosen inputs sit in their slots; the others are dashed circles in theirs
    L = panel._layout
    assert (L.neuron_xy[:2] == L.slot_xy[:2]).all()


def test_a_click_on_an_input_asks_then_rebuilds_keeping_the_hidden_layers(window, qtbot):
    w = window
    w.controller.run_steps(20)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 20, timeout=3000)
    w.answer = False
    click_slot(qtbot, w, slot_of("x1^2"))
    qtbot.waitUntil(lambda: len(w.questions) == 1, timeout=3000)
    assert "20 steps done so far will be lost" in w.questions[0]
    assert w.controller.config.features == ("x1", "x2")
    assert not w.controls.features.boxes["x1^2"].isChecked()  # the boxes went back too
    w.answer = True
    click_slot(qtbot, w, slot_of("x1^2"))
    qtbot.waitUntil(lambda: w.controller.config.features == ("x1", "x2", "x1^2"),
                    timeout=3000)
    assert w.controls.features.boxes["x1^2"].isChecked()  # one path: the boxes follow
    assert w.controller.config.hidden == (6,)
    assert w.controller.experiment.net.sizes == (3, 6, 1)
    panel = w.panels["networkDiagram"]
    qtbot.waitUntil(lambda: panel.choice.on[slot_of("x1^2")], timeout=3000)
    assert panel._layout.sizes == (3, 6, 1)
    # a click on the picture of a chosen input turns it off
    click_slot(qtbot, w, slot_of("x1"), on_picture=True)
    qtbot.waitUntil(lambda: w.controller.config.features == ("x2", "x1^2"), timeout=3000)


def test_a_click_leaving_no_input_is_refused_in_one_line(make_window, qtbot):
    config = dataclasses.replace(PRESETS["circles"], features=("x1^2",))
    w = make_window(None, config=config)
    panel = w.panels["networkDiagram"]
    qtbot.waitUntil(lambda: panel.choice is not None, timeout=3000)
    click_slot(qtbot, w, slot_of("x1^2"))
    assert panel.info.text() == ("features: choose at least one input (none leaves the "
                                 "network without inputs)")
    assert w.questions == [] and w.controller.config.features == ("x1^2",)
    assert w.controls.features.value() == ("x1^2",)


def test_circles_with_the_squares_and_one_hidden_neuron_learns_a_circle(make_window, qtbot):
    """Issue 15: x1² and x2² alone (chosen by four clicks on the diagram), one hidden neuron:
    the boundary is a circle, every training point classified right."""
    config = dataclasses.replace(PRESETS["circles"], hidden=(1,))
    w = make_window(None, config=config)
    w.resize(1280, 720)
    panel = w.panels["networkDiagram"]
    qtbot.waitUntil(lambda: panel.choice is not None, timeout=3000)
    for name in ("x1^2", "x2^2", "x1", "x2"):  # on first: never none left on the way
        click_slot(qtbot, w, slot_of(name))
    qtbot.waitUntil(lambda: w.controller.config.features == ("x1^2", "x2^2"), timeout=3000)
    assert w.controller.experiment.net.sizes == (2, 1, 1)
    w.controller.run_steps(600)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 600, timeout=20000)
    qtbot.waitUntil(lambda: not w.controller.running, timeout=5000)
    assert w.controller.experiment.trainer.final_metrics()["train"]["accuracy"] == 1.0


def test_a_csv_files_columns_are_inputs_turned_on_and_off_by_a_click(make_window, qtbot,
                                                                    tmp_path):
    """Each numeric column of a CSV file (not the target, not text) is an input candidate."""
    path = tmp_path / "points.csv"
    rows = ["a,b,c,name,label"] + [f"{k % 7},{(3 * k) % 5},{k % 3},n{k % 4},{k % 2}"
                                     for k in range(40)]
    path.write_text("\n".join(rows) + "\n")
    config = PRESETS["xor"].replace(dataset="csv", csv_path=str(path), csv_target="label",
                                    csv_features=("a", "b"), hidden=(3,))
    w = make_window(None, config=config)
    panel = w.panels["networkDiagram"]
    qtbot.waitUntil(lambda: panel.choice is not None, timeout=3000)
    assert panel.choice.field == "csv_features"
    assert panel.choice.names == ("a", "b", "c")  # ("name" is text, "label" the target)
    assert panel.choice.on == (True, True, False) and panel.pictures == []
    click_slot(qtbot, w, 2)  # c on
    qtbot.waitUntil(lambda: w.controller.config.csv_features == ("a", "b", "c"),
                    timeout=3000)
    assert w.controller.experiment.net.sizes == (3, 3, 1)
    qtbot.waitUntil(lambda: panel.choice.on == (True, True, True), timeout=3000)
    click_slot(qtbot, w, 0)  # a off
    qtbot.waitUntil(lambda: w.controller.config.csv_features == ("b", "c"), timeout=3000)
    assert w.controller.experiment.dataset.feature_names == ("b", "c")


def hover_slot(qtbot, hover, window, slot: int, says) -> str:
    """The info line once the mouse rests on input candidate ``slot``'s circle and the line
    ``says(text)`` (moved onto it again until then: the panel may still be laying out)."""
    panel = window.panels["networkDiagram"]

    def on_it() -> bool:
        hover(panel.view, panel.vb.mapViewToScene(QPointF(*panel._layout.slot_xy[slot])))
        return says(panel.info.text())

    qtbot.waitUntil(on_it, timeout=3000)
    return panel.info.text()


def test_the_inputs_say_that_a_click_adds_or_removes_them(window, qtbot, hover):
    """A click on an input removes it (it does not select it): the info line says so before
    anything is hovered, and hovering an input says what a click on it will do."""
    panel = window.panels["networkDiagram"]
    qtbot.waitUntil(lambda: panel._snapshot is not None, timeout=3000)
    assert "click to select it (an input: to remove it)." in panel.info.text()
    chosen = hover_slot(qtbot, hover, window, slot_of("x2"), lambda t: t.startswith("Input 2 (x2)"))
    assert chosen.startswith("Input 2 (x2), layer 0: a = x = ")
    assert chosen.endswith("click to remove this input (a new network, the hidden layers "
                           "kept)")
    other = hover_slot(qtbot, hover, window, slot_of("sin(x1)"), lambda t: t.startswith("sin(x1)"))
    assert other == ("sin(x1): not an input of this network; click to add it (a new network, "
                     "the hidden layers kept)")
