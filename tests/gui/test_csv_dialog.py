"""The CSV import dialog, driven with clicks and keys: preview, target, features, task; a bad
file or choice is refused in the dialog before the window asks to discard anything."""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from nnviz.data.csvload import PREVIEW_ROWS, preview_csv
from nnviz.gui import csv_dialog
from nnviz.gui.csv_dialog import CsvDialog

#: the offscreen platform cannot pass a shown dialog's size hints to a window system
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
REG_HEADER = "x1,x2,noise,height,weight,colour"
IRIS = str(resources.files("nnviz.resources").joinpath("iris.csv"))


@pytest.fixture
def reg_csv(tmp_path):
    """80 rows: two inputs, noise, two numeric targets and a text column."""
    X = np.random.default_rng(0).uniform(-2, 2, (80, 3))
    rows = [f"{a:.3f},{b:.3f},{c:.3f},{np.sin(a) + b:.4f},{a * b:.4f},"
            f"{'red' if a > 0 else 'blue'}" for a, b, c in X]
    path = tmp_path / "reg.csv"
    path.write_text(REG_HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def dialog_for(qtbot, path, **kw) -> CsvDialog:
    dialog = CsvDialog(path, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.LeftButton, pos=widget.rect().center())


def test_iris_preview_shows_rows_kinds_and_the_inferred_task(qtbot):
    d = dialog_for(qtbot, IRIS)
    assert d.table.rowCount() == PREVIEW_ROWS and d.table.columnCount() == 5
    assert d.table.horizontalHeaderItem(4).text() == "species\ncategorical"
    assert d.table.item(0, 4).text() == "setosa"
    assert d.roles.item(4, 1).text() == "categorical, 3 values"
    assert d.target_boxes["species"].isChecked()
    assert [n for n, b in d.feature_boxes.items() if b.isChecked()] == [
        "sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert d.status.text() == ("Classification: 'species' into 3 classes "
                               "(setosa, versicolor, virginica) from 4 features")
    assert d.ok_button.isEnabled() and d.problem() == ""
    assert "150 rows, 5 columns" in d.info.text()


def test_targets_features_and_task_chosen_with_clicks_and_keys(qtbot, reg_csv):
    d = dialog_for(qtbot, reg_csv)
    assert d.selection() == ("colour", ("x1", "x2", "noise", "height", "weight"), None)
    click(qtbot, d.target_boxes["height"])           # a target is not also a feature
    assert not d.feature_boxes["height"].isChecked()
    click(qtbot, d.target_boxes["colour"])           # colour: neither target nor feature
    assert d.selection() == ("height", ("x1", "x2", "noise", "weight"), None)
    assert d.status.text() == "Regression: predict 'height' from 4 features"
    click(qtbot, d.target_boxes["weight"])           # a second target
    d.feature_boxes["noise"].setFocus()
    qtbot.keyClick(d.feature_boxes["noise"], Qt.Key_Space)
    assert d.selection() == (("height", "weight"), ("x1", "x2"), None)
    assert d.status.text() == "Regression: predict 2 targets (height, weight) from 2 features"

    click(qtbot, d.task_buttons["classification"])
    assert not d.ok_button.isEnabled()
    assert d.problem() == ("task 'classification' takes one target column, 2 are chosen "
                           "(several targets are a multi-output regression)")
    click(qtbot, d.task_buttons["regression"])
    assert d.ok_button.isEnabled()
    with qtbot.waitSignal(d.accepted, timeout=2000):
        qtbot.keyClick(d, Qt.Key_Return)
    ds = d.dataset
    assert ds.task == "regression" and ds.Y.shape == (80, 2) and ds.X.shape == (80, 2)
    assert ds.target_names == ("height", "weight") and ds.feature_names == ("x1", "x2")
    assert d.config_changes() == {
        "dataset": "csv", "dataset_params": (), "csv_path": str(reg_csv),
        "csv_target": ("height", "weight"), "csv_features": ("x1", "x2"),
        "csv_task": "regression"}


def test_a_text_feature_is_refused_until_unticked(qtbot, reg_csv):
    d = dialog_for(qtbot, reg_csv)
    click(qtbot, d.target_boxes["height"])
    click(qtbot, d.feature_boxes["colour"])           # tick the text column as a feature
    assert d.problem() == "line 2, column 'colour': not a number: 'red'"
    assert not d.ok_button.isEnabled()
    click(qtbot, d.ok_button)
    assert d.isVisible() and d.dataset is None
    click(qtbot, d.feature_boxes["colour"])
    assert d.ok_button.isEnabled()


def test_every_numeric_column_button_skips_targets_and_text(qtbot, reg_csv):
    d = dialog_for(qtbot, reg_csv)
    click(qtbot, d.target_boxes["height"])
    for box in d.feature_boxes.values():
        box.setChecked(False)
    assert d.problem() == "no feature columns: choose at least one"
    click(qtbot, d.all_features)
    assert d.selection()[1] == ("x1", "x2", "noise", "weight")


def test_classification_of_a_numeric_column_on_request(qtbot, tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("hours,grade\n" + "".join(f"{i},{i % 12}\n" for i in range(40)))
    d = dialog_for(qtbot, path)
    assert d.status.text() == "Regression: predict 'grade' from 1 feature"  # 12 values
    click(qtbot, d.task_buttons["classification"])
    assert d.status.text() == ("Classification: 'grade' into 12 classes (0, 1, 2, 3, 4, ...) "
                               "from 1 feature")  # numbers in numeric order


@pytest.mark.parametrize("content, message", [
    ("x,y\n1,2\n3\n", "line 3: short row: 1 fields, expected 2 (x, y)"),
    ("", "empty file"),
    ("x,x\n1,2\n", "line 1, column 'x': duplicate column name (also column 1)"),
])
def test_a_bad_file_is_shown_in_one_line_and_ok_stays_off(qtbot, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    d = dialog_for(qtbot, path)
    assert d.problem() == message and "\n" not in d.problem()
    assert str(path) in d.status.toolTip()
    assert not d.ok_button.isEnabled() and not d.roles.isEnabled()
    qtbot.keyClick(d, Qt.Key_Return)
    assert d.isVisible() and d.dataset is None


def test_ok_reads_the_whole_file_and_stays_open_on_a_late_problem(qtbot, tmp_path,
                                                                  monkeypatch):
    path = tmp_path / "late.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(10)) + "oops,1\n")
    monkeypatch.setattr(csv_dialog, "preview_csv", functools.partial(preview_csv, scan_rows=5))
    d = dialog_for(qtbot, path)
    assert d.ok_button.isEnabled() and "OK reads the rest" in d.status.text()
    click(qtbot, d.ok_button)
    assert d.isVisible() and d.dataset is None
    assert d.problem() == "line 12, column 'x': not a number: 'oops'"


def test_a_saved_choice_is_shown_again_and_a_stale_one_falls_back(qtbot, reg_csv):
    d = dialog_for(qtbot, reg_csv, target=("height", "weight"), features=("x1",),
                   task="regression")
    assert d.selection() == (("height", "weight"), ("x1",), "regression")
    stale = dialog_for(qtbot, reg_csv, target="gone", features=("x1",), task="regression")
    assert stale.selection()[0] == "colour" and stale.selection()[2] is None


# ------------------------------------------------------------------ in the window
def run_some_steps(qtbot, w, n=20):
    w.controller.run_steps(n)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == n, timeout=5000)


def test_window_bad_file_is_refused_before_anything_is_discarded(make_window, qtbot,
                                                                 tmp_path):
    w = make_window("xor")
    run_some_steps(qtbot, w)
    before = w.controller.experiment
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    d = w.open_csv(str(bad))
    assert d.isVisible() and "line 3: short row" in d.problem()
    click(qtbot, d.ok_button)
    click(qtbot, d.buttons.button(d.buttons.StandardButton.Cancel))
    assert not d.isVisible() and w.questions == [] and w.errors == []
    assert w.controller.experiment is before and w.controller.snapshot.step == 20
    assert w.controls.config() == w.controller.config


def test_window_trains_on_the_chosen_columns_after_asking(make_window, qtbot, reg_csv):
    w = make_window("xor")
    run_some_steps(qtbot, w)
    d = w.open_csv(str(reg_csv))
    click(qtbot, d.target_boxes["height"])
    click(qtbot, d.target_boxes["colour"])   # the default target, now neither
    assert d.selection() == ("height", ("x1", "x2", "noise", "weight"), None)
    assert w.questions == []                 # nothing asked while choosing
    click(qtbot, d.ok_button)
    assert len(w.questions) == 1 and "20 steps" in w.questions[0]
    config = w.controller.config
    assert (config.dataset, config.csv_target, config.csv_features, config.csv_task) == (
        "csv", "height", ("x1", "x2", "noise", "weight"), None)
    exp = w.controller.experiment
    assert exp.task == "regression" and exp.dataset.n_features == 4
    assert exp.net.activations[-1].name == "identity"  # the task's output, not xor's
    assert w.windowTitle() == "nnviz — reg.csv" and w.controller.snapshot.step == 0
    assert w.controls.config() == config and w.csv_dialog is None

    again = w.open_csv(str(reg_csv))  # reopening the file shows the choice in use
    assert again.selection() == ("height", ("x1", "x2", "noise", "weight"), None)
    again.reject()


def test_window_run_unchanged_after_cancel_or_no(make_window, qtbot, reg_csv):
    w = make_window("xor")
    run_some_steps(qtbot, w)
    before = w.controller.experiment
    d = w.open_csv(str(reg_csv))
    qtbot.keyClick(d, Qt.Key_Escape)
    assert not d.isVisible() and w.questions == []
    w.answer = False                          # OK in the dialog, then "Cancel" when asked
    d = w.open_csv(str(reg_csv))
    click(qtbot, d.target_boxes["height"])
    click(qtbot, d.target_boxes["colour"])
    click(qtbot, d.ok_button)
    assert len(w.questions) == 1
    assert w.controller.experiment is before and w.controller.snapshot.step == 20
    assert w.controller.config.dataset == "xor" and w.controls.config() == w.controller.config


def test_window_drop_opens_the_dialog(make_window, qtbot, reg_csv):
    w = make_window("xor")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(reg_csv))])
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    w.dropEvent(event)
    assert w.csv_dialog is not None and w.csv_dialog.path == str(reg_csv)
    assert w.controller.config.dataset == "xor"
    w.csv_dialog.reject()


def test_window_session_keeps_the_choice(make_window, qtbot, reg_csv, tmp_path):
    w = make_window("xor")
    d = w.open_csv(str(reg_csv))
    click(qtbot, d.target_boxes["weight"])
    click(qtbot, d.target_boxes["height"])
    click(qtbot, d.target_boxes["colour"])
    click(qtbot, d.feature_boxes["noise"])
    click(qtbot, d.ok_button)
    assert w.controller.experiment.dataset.target_names == ("height", "weight")
    path = tmp_path / "two.nnviz"
    assert w.sessions.save_session(str(path))
    w2 = make_window("xor")
    assert w2.sessions.open_session(str(path))
    config = w2.controller.config
    assert config.csv_target == ("height", "weight") and config.csv_features == ("x1", "x2")
    ds = w2.controller.experiment.dataset
    assert ds.target_names == ("height", "weight") and ds.Y.shape == (80, 2)
