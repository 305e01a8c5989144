"""preview_csv and the column choice: kinds and counts, features, several targets, task."""

import numpy as np
import pytest

from nnviz.data import load_csv, prepare
from nnviz.data.csvload import PREVIEW_ROWS, CsvChoice, preview_csv
from nnviz.errors import ConfigError, DataError
from nnviz.experiment import TrainingConfig, build


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


MIXED = "a,b,label,c\n" + "".join(
    f"{i},{i * 0.5},{'cat' if i % 3 else 'dog'},{i % 4}\n" for i in range(30))


def test_preview_shows_first_rows_kinds_and_counts(tmp_path):
    p = preview_csv(write(tmp_path, MIXED))
    assert p.names == ("a", "b", "label", "c") and p.delimiter == ","
    assert len(p.rows) == PREVIEW_ROWS and p.rows[1] == ("1", "0.5", "cat", "1")
    assert p.n_rows == 30 and p.complete
    kinds = {c.name: (c.kind, c.distinct) for c in p.columns}
    assert kinds == {"a": ("numeric", 30), "b": ("numeric", 30), "label": ("categorical", 2),
                     "c": ("numeric", 4)}
    assert p.columns[2].summary() == "categorical, 2 values"
    assert p.columns[3].class_names == ("0", "1", "2", "3")


def test_preview_scans_only_the_first_rows_when_told(tmp_path):
    p = preview_csv(write(tmp_path, MIXED + "31,x,cat,1\n"), rows=3, scan_rows=30)
    assert len(p.rows) == 3 and p.n_rows == 30 and not p.complete
    assert p.columns[1].kind == "numeric"  # the 'x' on row 31 was not scanned
    with pytest.raises(DataError, match=r"line 32, column 'b': not a number: 'x'"):
        load_csv(p.path, target="label")  # loading reads every row


def test_preview_counts_blank_and_non_finite_cells(tmp_path):
    p = preview_csv(write(tmp_path, "x,y\n1,2\n,3\nnan,4\n"))
    assert p.columns[0].kind == "numeric" and p.columns[0].bad == 2
    assert p.columns[0].summary() == "numeric, 1 value, 2 blank or non-finite"
    with pytest.raises(DataError, match=r"line 3, column 'x': blank cell"):
        p.choose()


def test_default_choice_is_the_last_column_against_all_others(tmp_path):
    p = preview_csv(write(tmp_path, MIXED))
    with pytest.raises(DataError, match=r"line 2, column 'label': not a number: 'dog'"):
        p.choose()  # target 'c', features a, b and 'label', which is text
    numeric = preview_csv(write(tmp_path, "a,b,c\n1,2,0\n3,4,1\n", "n.csv"))
    assert numeric.choose() == CsvChoice(("c",), ("a", "b"), "binary", ("0", "1"))


@pytest.mark.parametrize("target, features, task, expect", [
    ("label", ["a", "b"], None, CsvChoice(("label",), ("a", "b"), "binary", ("cat", "dog"))),
    ("c", ["a"], None, CsvChoice(("c",), ("a",), "multiclass", ("0", "1", "2", "3"))),
    ("c", ["a"], "regression", CsvChoice(("c",), ("a",), "regression")),
    (["b", "c"], ["a"], None, CsvChoice(("b", "c"), ("a",), "regression")),
    (["c", "b"], ["a"], "regression", CsvChoice(("c", "b"), ("a",), "regression")),
    (3, [1, 0], "classification",
     CsvChoice(("c",), ("b", "a"), "multiclass", ("0", "1", "2", "3"))),
])
def test_choose_target_features_and_task(tmp_path, target, features, task, expect):
    path = write(tmp_path, MIXED)
    assert preview_csv(path).choose(target, features, task) == expect
    ds = load_csv(path, target=target, features=features, task=task)
    assert ds.task == expect.task and ds.feature_names == expect.features
    assert ds.target_names == expect.targets and ds.class_names == expect.class_names
    assert ds.X.shape == (30, len(expect.features))


@pytest.mark.parametrize("target, features, task, message", [
    ("label", ["a", "label"], None, "column 'label' is both a target and a feature"),
    ("label", [], None, "no feature columns: choose at least one"),
    ([], ["a"], None, "no target column: choose at least one"),
    ("label", ["a", "a"], None, "column 'a' is chosen twice as a feature"),
    ("label", ["z"], None, "no column named 'z' (columns: a, b, label, c)"),
    ("label", [7], None, "feature index 7 out of range for 4 columns"),
    (["b", "c"], ["a"], "classification",
     "task 'classification' takes one target column, 2 are chosen"),
    (["b", "label"], ["a"], None, "line 2, column 'label': not a number: 'dog'"),
    ("label", ["a"], "regression", "line 2, column 'label': not a number: 'dog'"),
    ("c", ["a"], "binary", "task 'binary' needs 2 classes, target 'c' has 4 (0, 1, 2, 3)"),
])
def test_bad_choices_give_the_same_line_in_preview_and_load(tmp_path, target, features, task,
                                                           message):
    path = write(tmp_path, MIXED)
    with pytest.raises(DataError) as from_preview:
        preview_csv(path).choose(target, features, task)
    with pytest.raises(DataError) as from_load:
        load_csv(path, target=target, features=features, task=task)
    assert str(from_preview.value) == str(from_load.value)
    assert str(from_load.value).startswith(f"{path}: ") and message in str(from_load.value)
    assert "\n" not in str(from_load.value)


def test_bad_task_and_column_types_are_config_errors(tmp_path):
    p = preview_csv(write(tmp_path, MIXED))
    with pytest.raises(ConfigError, match="task must be one of"):
        p.choose(task="clustering")
    with pytest.raises(ConfigError, match="feature must be a column name or index"):
        p.choose("label", [1.5])


def test_bad_file_is_refused_by_the_preview(tmp_path):
    with pytest.raises(DataError, match=r"line 3: short row: 1 fields, expected 2"):
        preview_csv(write(tmp_path, "x,y\n1,2\n3\n"))
    with pytest.raises(DataError, match=r"empty file"):
        preview_csv(write(tmp_path, ""))


def test_multi_output_regression_trains_and_scales_each_target(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (60, 2))
    Y = np.column_stack((X[:, 0] + X[:, 1], 100 * X[:, 0] * X[:, 1]))
    rows = "".join(",".join(repr(float(v)) for v in row) + "\n" for row in np.hstack((X, Y)))
    path = write(tmp_path, "x1,x2,u,v\n" + rows)
    ds = load_csv(path, target=["u", "v"])
    assert ds.task == "regression" and ds.target_name == "u, v" and ds.n_outputs == 2
    assert np.array_equal(ds.Y, Y) and np.array_equal(ds.X, X)
    p = prepare(ds, scaling="standard")
    assert np.allclose(p.Y_train.std(axis=0), 1.0)
    config = TrainingConfig(dataset="csv", csv_path=str(path), csv_target=("u", "v"),
                            csv_features=("x1", "x2"), test_ratio=0.0, batch_size=None)
    exp = build(config)
    assert tuple(exp.net.sizes) == (2, 4, 2)
    first = exp.trainer.full_loss()
    exp.trainer.run(200)
    assert exp.trainer.full_loss() < 0.5 * first


def test_config_carries_the_choice_through_a_dict(tmp_path):
    path = write(tmp_path, MIXED)
    config = TrainingConfig(dataset="csv", csv_path=str(path), csv_target=("b", "c"),
                            csv_features=("a",), csv_task="regression")
    d = config.to_dict()
    d["csv_target"], d["csv_features"] = list(d["csv_target"]), list(d["csv_features"])
    assert TrainingConfig.from_dict(d) == config
    exp = build(config)
    assert exp.dataset.feature_names == ("a",) and exp.dataset.target_names == ("b", "c")
    with pytest.raises(ConfigError, match="csv_task must be one of"):
        config.replace(csv_task="cluster").validate()
    with pytest.raises(ConfigError, match="csv_features must be a column name or a list"):
        config.replace(csv_features=()).validate()
