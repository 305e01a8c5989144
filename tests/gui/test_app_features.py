"""In the window, by real clicks: the input-feature check boxes (a change is a structure change:
asks first, keeps the hidden layers; the panels name the new inputs; none is refused in one line;
a dataset of other than 2 inputs shows its own inputs instead), Regenerate, and the
predicted-vs-true panel's "Discretize output" and "Show test data"."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox


def click(qtbot, widget):
    """A left click on a button's centre, or on a check box's indicator (a box may be wider
    than its text, and a click beside the text does nothing)."""
    pos = (QPoint(7, widget.height() // 2) if isinstance(widget, QCheckBox)
           else widget.rect().center())
    qtbot.mouseClick(widget, Qt.LeftButton, pos=pos)


def test_a_feature_click_asks_then_rebuilds_keeping_the_hidden_layers(make_window, qtbot):
    w = make_window("circles")
    boxes = w.controls.features.boxes
    assert [b.isChecked() for b in boxes.values()] == [True, True] + [False] * 5
    w.controller.run_steps(20)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 20, timeout=3000)
    w.answer = False
    click(qtbot, boxes["x1^2"])
    qtbot.waitUntil(lambda: len(w.questions) == 1, timeout=3000)
    assert "20 steps done so far will be lost" in w.questions[0]
    assert w.controller.config.features == ("x1", "x2")
    assert not boxes["x1^2"].isChecked()  # reverted
    w.answer = True
    click(qtbot, boxes["x1^2"])
    click(qtbot, boxes["sin(x2)"])
    qtbot.waitUntil(lambda: w.controller.config.features == ("x1", "x2", "x1^2", "sin(x2)"),
                    timeout=3000)
    assert w.controller.config.hidden == (6,)
    assert w.controller.snapshot.step == 0
    assert w.controller.experiment.net.sizes == (4, 6, 1)
    diagram, vectors = w.panels["networkDiagram"], w.panels["vectors"]
    assert diagram._text.feature_names == ("x1", "x2", "x1²", "sin(x2)")
    assert diagram.choice.chosen == ("x1", "x2", "x1^2", "sin(x2)")  # drawn as the inputs
    assert [vectors.feature_x.itemText(i) for i in range(4)] == ["x1", "x2", "x1²", "sin(x2)"]


def test_no_input_is_refused_in_one_line(make_window, qtbot):
    w = make_window("circles")
    boxes = w.controls.features.boxes
    click(qtbot, boxes["x1"])
    qtbot.waitUntil(lambda: w.controller.config.features == ("x2",), timeout=3000)
    click(qtbot, boxes["x2"])
    qtbot.waitUntil(lambda: w.controls.problem.isVisible(), timeout=3000)
    assert w.controls.problem.text() == ("features: choose at least one input (none leaves "
                                         "the network without inputs)")
    assert w.controller.config.features == ("x2",)


def test_a_dataset_without_two_inputs_shows_its_own_inputs(make_window, qtbot):
    """Iris chosen by typing in the Dataset box: the Inputs row names iris's four
    measurements, as the diagram does, instead of greyed x1, x2, x1², ... boxes; back on a
    2-D dataset the boxes return."""
    w = make_window("circles")
    click(qtbot, w.controls.features.boxes["x1*x2"])
    qtbot.waitUntil(lambda: w.controller.config.features == ("x1", "x2", "x1*x2"),
                    timeout=3000)
    w.controls.set_config(w.controller.config)
    features = w.controls.features
    assert features.grid.isVisible() and not features.own.isVisible()
    qtbot.keyClick(w.controls.dataset, Qt.Key_I)  # (a combo box jumps to what is typed)
    qtbot.waitUntil(lambda: w.controller.config.dataset == "iris", timeout=3000)
    assert w.controller.config.features == ("x1", "x2")  # the dataset's own inputs
    assert w.controller.experiment.net.sizes[0] == 4
    names = w.panels["networkDiagram"]._text.feature_names
    assert names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    qtbot.waitUntil(lambda: features.own.isVisible(), timeout=3000)
    assert not features.grid.isVisible()
    assert features.own.text() == ", ".join(names)
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("circles"))
    qtbot.waitUntil(lambda: w.controller.config.dataset == "circles", timeout=3000)
    assert features.grid.isVisible() and not features.own.isVisible()


def test_regenerate_asks_then_draws_a_new_sample(make_window, qtbot):
    w = make_window("circles")
    X0 = w.controller.experiment.dataset.X.copy()
    w.controller.run_steps(20)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 20, timeout=3000)
    w.answer = False
    click(qtbot, w.controls.regenerate)
    qtbot.waitUntil(lambda: len(w.questions) == 1, timeout=3000)
    assert "20 steps done so far will be lost" in w.questions[0]
    assert dict(w.controller.config.dataset_params).get("seed", 0) == 0
    w.answer = True
    click(qtbot, w.controls.regenerate)
    qtbot.waitUntil(lambda: dict(w.controller.config.dataset_params).get("seed") == 1,
                    timeout=3000)
    exp = w.controller.experiment
    assert exp.config.hidden == (6,) and w.controller.snapshot.step == 0
    assert exp.dataset.X.shape == X0.shape and not (exp.dataset.X == X0).all()
    assert w.controls.regenerate is not None  # iris (no seed) has none
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("iris"))
    assert w.controls.regenerate is None


def test_discretize_output_and_show_test_data(make_window, qtbot):
    w = make_window("circles")
    heat = w.panels["heatmaps"]
    w.controller.run_steps(200)
    qtbot.waitUntil(lambda: heat._grid is not None and w.controller.snapshot.step == 200,
                    timeout=5000)
    qtbot.waitUntil(lambda: not w.controller.running, timeout=5000)
    assert len(np.unique(heat.images()["predicted"])) > 2
    click(qtbot, heat.discretize)
    P = heat._grid.predicted[:, :, 0]
    np.testing.assert_array_equal(heat.images()["predicted"], P >= 0.5)
    click(qtbot, heat.discretize)
    np.testing.assert_array_equal(heat.images()["predicted"], heat._grid.predicted[:, :, 0])
    assert heat._test_items and all(item.isVisible() for item in heat._test_items)
    click(qtbot, heat.show_test)
    assert not any(item.isVisible() for item in heat._test_items)
    click(qtbot, heat.show_test)
    assert all(item.isVisible() for item in heat._test_items)


def box_texts(w) -> list[str]:
    return [b.text() for b in w.controls.features.boxes.values()]


def test_the_boxes_name_the_inputs_as_the_diagram_does(make_window, qtbot):
    """function-fit's inputs are x and y: the boxes read x, y, x², ... (they read x1, x2);
    a click on one adds the input the diagram then names the same way; circles' are x1, x2."""
    w = make_window("function-fit")
    diagram = w.panels["networkDiagram"]
    assert diagram._text.feature_names == ("x", "y")
    assert box_texts(w) == ["x", "y", "x²", "y²", "x·y", "sin(x)", "sin(y)"]
    assert "computed from the scaled x, y" in w.controls.features.boxes["x1^2"].toolTip()
    w.answer = True
    click(qtbot, w.controls.features.boxes["sin(x2)"])
    qtbot.waitUntil(lambda: w.controller.config.features == ("x1", "x2", "sin(x2)"),
                    timeout=3000)
    qtbot.waitUntil(lambda: diagram._text.feature_names == ("x", "y", "sin(y)"), timeout=3000)
    assert w.controls.features.boxes["sin(x2)"].text() == "sin(y)"
    w.controls.dataset.setCurrentIndex(w.controls.dataset.findData("circles"))
    qtbot.waitUntil(lambda: w.controller.config.dataset == "circles", timeout=3000)
    assert box_texts(w)[:3] == ["x1", "x2", "x1²"]
