"""Drawn data (issue 15 item 3): points added to and removed from a running experiment.

The exact checks: an experiment edited while it trains continues as an experiment built on
the final rows and loaded with its state at that moment; a full-batch step after an edit is
the gradient step computed by hand on the new rows; the same edits give the same run; a
session saved after edits continues bit for bit; the CSV it saves reads back to the same
values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz import drawing
from nnviz.data import load_csv, make_dataset, prepare
from nnviz.data.drawn import CANVAS, canvas, nearest, with_point, without_row
from nnviz.engine.sampling import Sampler
from nnviz.engine.trainer import NO_DATA, whole_epochs
from nnviz.errors import ConfigError, DataError, SessionFileError
from nnviz.experiment import TrainingConfig, build
from nnviz.session import load_session, save_session
from nnviz.session.export import data_csv_config, export_data_csv
from nnviz.snapshot import prediction_curve, prediction_grid, take_snapshot

DRAWN = TrainingConfig(dataset="drawn", test_ratio=0.0, hidden=(5,), batch_size=3,
                       order="shuffle", seed=4)


def scribble(exp, count: int, seed: int = 0) -> None:
    """``count`` points at random places of the canvas, classes in turn (or y = sin x)."""
    rng = np.random.default_rng(seed)
    ds = exp.dataset
    for i in range(count):
        x = rng.uniform(*CANVAS, size=ds.n_features)
        target = float(np.sin(x[0])) if ds.task == "regression" else i % ds.n_classes
        drawing.add_point(exp, x, target)


def same_state(a, b) -> None:
    sa, sb = a.trainer.state_dict(), b.trainer.state_dict()
    for pa, pb in zip(sa["params"], sb["params"]):
        np.testing.assert_array_equal(pa, pb)
    assert sa["samples_seen"] == sb["samples_seen"] and sa["epoch_origin"] == sb["epoch_origin"]
    assert sa["epochs_done"] == sb["epochs_done"]
    np.testing.assert_array_equal(a.trainer.history.step_loss.arrays()["mean"],
                                  b.trainer.history.step_loss.arrays()["mean"])
    np.testing.assert_array_equal(a.trainer.history.train_loss.arrays()[1],
                                  b.trainer.history.train_loss.arrays()[1])


# ----------------------------------------------------------------- the engine after edits
@pytest.mark.parametrize("order", ["random", "shuffle", "sequential"])
def test_an_edited_run_continues_as_a_run_built_on_the_final_rows(order):
    exp = build(DRAWN.replace(order=order, optimizer="adam", lr=0.02))
    scribble(exp, 9)
    exp.trainer.run(7)  # mid-epoch: the cycle is part used
    scribble(exp, 4, seed=1)
    drawing.remove_nearest(exp, exp.dataset.X[2])
    drawing.remove_nearest(exp, exp.dataset.X[9])
    state = exp.trainer.state_dict()
    fresh = build(exp.config, prepared=exp.prepared)  # the final rows, the same scalers
    fresh.trainer.load_state_dict(state)
    np.testing.assert_array_equal(fresh.trainer.X, exp.trainer.X)
    for e in (exp, fresh):
        e.trainer.run(40)
    same_state(exp, fresh)


def test_a_full_batch_step_after_an_edit_is_the_gradient_step_on_the_new_rows():
    exp = build(DRAWN.replace(batch_size=None, order="sequential", lr=0.5))
    scribble(exp, 6)
    exp.trainer.run(3)
    drawing.add_point(exp, (1.0, -2.0), 1)
    drawing.remove_nearest(exp, exp.dataset.X[0])
    net, t = exp.net, exp.trainer
    t.sync()
    X = exp.prepared.to_network(exp.dataset.X[exp.prepared.train_index])
    Y = exp.dataset.Y[exp.prepared.train_index]
    assert len(X) == 6 and t.batch_size == 6  # the full batch follows the rows
    grads = net.backward(net.forward(X), Y, t.loss_fn)
    want = [p - 0.5 * g for pair in zip(zip(net.weights, net.biases),
                                        zip(grads.dW, grads.db))
            for p, g in zip(*pair)]
    t.run(1)
    for got, w in zip(t.state_dict()["params"], want):
        np.testing.assert_allclose(got, w, rtol=1e-12, atol=1e-15)


def test_the_same_edits_give_the_same_run():
    runs = []
    for _ in range(2):
        exp = build(DRAWN.replace(order="random"))
        scribble(exp, 5)
        exp.trainer.run(11)
        drawing.remove_nearest(exp, (0.0, 0.0))
        scribble(exp, 3, seed=7)
        exp.trainer.run(25)
        runs.append(exp)
    same_state(*runs)


def test_the_epoch_goes_on_continuously_across_an_edit():
    exp = build(DRAWN.replace(batch_size=1, order="sequential"))
    scribble(exp, 4)
    t = exp.trainer
    t.run(6)  # 1.5 epochs of 4
    before = t.epoch
    scribble(exp, 4, seed=3)  # now 8 rows
    assert t.epoch == before == 1.5 and t.epoch_origin == (1.5, 6, 1)
    t.run(4)  # half an epoch of 8 more: epoch 2 is reached
    assert t.epoch == 2.0 and t.epochs_done == 2
    x, _ = t.history.train_loss.arrays()
    assert list(x) == [1, 2]
    assert whole_epochs(t.epoch_origin, t.n, t.samples_seen) == 2


def test_a_removed_row_leaves_the_shuffled_epoch_and_added_rows_wait_for_the_next():
    s = Sampler(5, 1, "shuffle", np.random.default_rng(0))
    cycle = [int(s.next_batch()[0]) for _ in range(2)]
    rest = list(s.state_dict()["cycle"][2:])
    gone = rest[0]
    mapping = np.arange(5) - (np.arange(5) > gone)
    mapping[gone] = -1
    s.reindex(mapping, 5, 1)  # one removed, one added (row 4 of the new numbering)
    state = s.rng.bit_generator.state
    got = [int(s.next_batch()[0]) for _ in range(2)]
    assert got == [int(mapping[r]) for r in rest[1:]]
    assert s.rng.bit_generator.state == state  # a change draws nothing
    assert sorted(int(mapping[r]) for r in cycle + rest[1:]) == [0, 1, 2, 3]
    assert sorted(int(s.next_batch()[0]) for _ in range(5)) == [0, 1, 2, 3, 4]


def test_training_continues_with_new_points_without_a_reset():
    exp = build(DRAWN.replace(lr=0.3))
    scribble(exp, 8)
    exp.trainer.run(200)
    steps, params = exp.trainer.step_count, exp.trainer.state_dict()["params"]
    drawing.add_point(exp, (5.0, 5.0), 0)
    assert exp.trainer.step_count == steps  # nothing reset
    for a, b in zip(params, exp.trainer.state_dict()["params"]):
        np.testing.assert_array_equal(a, b)
    assert exp.trainer.run(50) == 50 and exp.data_revision == 9


# ----------------------------------------------------------------- empty and missing
def test_an_empty_canvas_says_why_it_does_not_train():
    exp = build(DRAWN)
    assert exp.trainer.n == 0 and exp.dataset.n_samples == 0
    assert exp.trainer.run(10) == 0 and exp.trainer.stop_reason == NO_DATA
    assert not exp.trainer.resume()
    snap = take_snapshot(exp, grid=prediction_grid(exp))
    assert snap.sample.index == -1 and snap.data.dataset.n_samples == 0
    assert np.isfinite(snap.grid.predicted).all()
    assert drawing.training_note(exp.dataset, exp.prepared.train_index).startswith(
        "no training points")
    drawing.add_point(exp, (1.0, 1.0), 1)
    assert exp.trainer.resume() and exp.trainer.run(5) == 5


def test_a_class_without_points_still_trains_and_is_named():
    exp = build(DRAWN.replace(dataset_params=(("classes", 3),)))
    for x in ((1.0, 1.0), (2.0, -1.0), (-3.0, 0.5)):
        drawing.add_point(exp, x, 0)
    drawing.add_point(exp, (0.0, 4.0), 2)
    assert "class 1 has no training points" in drawing.training_note(
        exp.dataset, exp.prepared.train_index)
    assert exp.trainer.run(30) == 30
    assert np.isfinite(exp.trainer.full_loss())


def test_a_canvas_is_scaled_by_its_bounds_until_refitted():
    exp = build(DRAWN)
    np.testing.assert_array_equal(exp.prepared.x_scaler.center, [0.0, 0.0])
    np.testing.assert_array_equal(exp.prepared.x_scaler.scale, [6.0, 6.0])  # -> [-1, 1]
    scribble(exp, 6)
    scale = exp.prepared.x_scaler.scale.copy()
    drawing.add_point(exp, (5.9, 5.9), 0)
    np.testing.assert_array_equal(exp.prepared.x_scaler.scale, scale)  # stays as fitted
    drawing.refit_scaling(exp)
    rows = exp.dataset.X[exp.prepared.train_index]
    np.testing.assert_array_equal(exp.prepared.x_scaler.scale, rows.std(axis=0))
    np.testing.assert_array_equal(exp.trainer.X, (rows - rows.mean(0)) / rows.std(0))
    assert exp.trainer.run(5) == 5


def test_a_curve_is_drawn_as_x_y_samples():
    exp = build(DRAWN.replace(dataset_params=(("inputs", 1),)))
    assert exp.dataset.task == "regression" and exp.dataset.n_features == 1
    scribble(exp, 12)
    np.testing.assert_array_equal(exp.dataset.Y[:, 0], np.sin(exp.dataset.X[:, 0]))
    exp.trainer.run(100)
    curve = prediction_curve(exp)
    assert curve.xs.shape == (64,) and curve.predicted.shape == (64, 1)
    row = drawing.remove_nearest(exp, (exp.dataset.X[3, 0], exp.dataset.Y[3, 0]))
    assert row == 3 and exp.dataset.n_samples == 11


def test_an_edited_builtin_keeps_its_test_rows_and_removes_from_either_split():
    exp = build(TrainingConfig(dataset="xor", test_ratio=0.2))
    n_test = len(exp.prepared.test_index)
    drawing.add_point(exp, (0.5, 0.5), 1)
    assert exp.dataset.name == "xor (edited)" and len(exp.prepared.test_index) == n_test
    test_row = int(exp.prepared.test_index[0])
    drawing.remove_nearest(exp, exp.dataset.X[test_row])
    assert len(exp.prepared.test_index) == n_test - 1 and len(exp.trainer.X_test) == n_test - 1
    assert exp.trainer.run(20) == 20


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize("x, target, match", [
    ((math.nan, 1.0), 0, "x1 = nan is not a finite number"),
    ((1.0, math.inf), 0, "x2 = inf is not a finite number"),
    ((1.0,), 0, "is 2 number"),
    (("a", 1.0), 0, "a position must be 2 numbers"),
    ((1.0, 1.0), 2, r"class must be a whole number from 0 to 1 \(0, 1\), got 2"),
    ((1.0, 1.0), -1, "got -1"),
    ((1.0, 1.0), True, "got True"),
    ((1.0, 1.0), 0.5, "got 0.5"),
])
def test_bad_points_are_refused_with_one_line_and_change_nothing(x, target, match):
    exp = build(DRAWN)
    scribble(exp, 2)
    before = exp.dataset
    with pytest.raises(DataError, match=match) as info:
        drawing.add_point(exp, x, target)
    assert "\n" not in str(info.value)
    assert exp.dataset is before and exp.trainer.n == 2 and exp.data_revision == 2


def test_other_refusals():
    curve = build(DRAWN.replace(dataset_params=(("inputs", 1),)))
    with pytest.raises(DataError, match="y = nan is not a finite number"):
        drawing.add_point(curve, (1.0,), math.nan)
    with pytest.raises(DataError, match="there are no points to remove"):
        drawing.remove_nearest(build(DRAWN), (0.0, 0.0))
    with pytest.raises(DataError, match="no training points to fit it on"):
        drawing.refit_scaling(build(DRAWN))
    with pytest.raises(DataError, match="drawing a regression needs 1 input"):
        drawing.add_point(build(TrainingConfig(dataset="plane")), (0.0, 0.0), 1.0)
    with pytest.raises(DataError, match="needs a plane of 2 inputs; iris has 4"):
        drawing.add_point(build(TrainingConfig(dataset="iris")), (0.0,) * 4, 0)
    with pytest.raises(DataError, match="no row 5 to remove"):
        without_row(with_point(canvas(), (0.0, 0.0), 0), 5)
    with pytest.raises(DataError, match="classes must be 2 to 6"):
        canvas(classes=1)
    with pytest.raises(ConfigError, match="classes must be in"):
        TrainingConfig(dataset="drawn", dataset_params=(("classes", 9),)).validate()
    assert nearest(canvas(), (0.0, 0.0)) is None
    with pytest.raises(ConfigError, match="engineered inputs need a dataset of 2 inputs, "
                                          "drawn has 1"):
        DRAWN.replace(dataset_params=(("inputs", 1),), features=("x1^2",)).validate()
    DRAWN.replace(features=("x1^2", "x2^2")).validate()  # a plane takes them


# ----------------------------------------------------------------- sessions and CSV
def test_a_session_with_drawn_points_reopens_and_continues_bit_for_bit(tmp_path):
    exp = build(DRAWN.replace(optimizer="adam", lr=0.01))
    save_session(tmp_path / "empty.nnviz", exp)
    empty, _ = load_session(tmp_path / "empty.nnviz")
    assert empty.trainer.n == 0 and empty.dataset.bounds == exp.dataset.bounds
    scribble(exp, 10)
    exp.trainer.run(17)
    drawing.remove_nearest(exp, (0.0, 0.0))
    drawing.refit_scaling(exp)
    exp.trainer.run(5)
    save_session(tmp_path / "drawn.nnviz", exp)
    again, _ = load_session(tmp_path / "drawn.nnviz")
    np.testing.assert_array_equal(again.dataset.X, exp.dataset.X)
    np.testing.assert_array_equal(again.prepared.x_scaler.scale, exp.prepared.x_scaler.scale)
    for e in (exp, again):
        e.trainer.run(60)
    same_state(exp, again)


def test_an_edited_builtin_is_saved_with_its_rows(tmp_path):
    exp = build(TrainingConfig(dataset="moons", test_ratio=0.2, order="shuffle"))
    exp.trainer.run(33)
    drawing.add_point(exp, (0.0, 2.0), 0)
    save_session(tmp_path / "m.nnviz", exp)
    again, _ = load_session(tmp_path / "m.nnviz")
    assert again.dataset.name == "moons (edited)" and again.dataset.n_samples == 201
    for e in (exp, again):
        e.trainer.run(30)
    same_state(exp, again)


def test_a_bad_epoch_origin_in_a_file_is_refused(tmp_path):
    import json
    import zipfile
    exp = build(DRAWN)
    scribble(exp, 3)
    exp.trainer.run(4)
    scribble(exp, 1)
    save_session(tmp_path / "a.nnviz", exp)
    with zipfile.ZipFile(tmp_path / "a.nnviz") as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    m = json.loads(items["manifest.json"])
    m["trainer"]["epoch_origin"] = [1.0, 10**6, 1]
    items["manifest.json"] = json.dumps(m).encode()
    with zipfile.ZipFile(tmp_path / "b.nnviz", "w") as zf:
        for n, data in items.items():
            zf.writestr(n, data)
    with pytest.raises(SessionFileError, match="epoch_origin must be"):
        load_session(tmp_path / "b.nnviz")


@pytest.mark.parametrize("params", [(("classes", 3),), (("inputs", 1),), ()])
def test_saved_csv_reopens_with_the_same_values(tmp_path, params):
    exp = build(DRAWN.replace(dataset_params=params))
    scribble(exp, 9)
    path = export_data_csv(tmp_path / "drawn.csv", exp)
    config = data_csv_config(exp.config, path, exp.dataset)
    again = build(config)
    np.testing.assert_array_equal(again.dataset.X, exp.dataset.X)
    np.testing.assert_array_equal(again.dataset.Y, exp.dataset.Y)
    assert again.dataset.class_names == exp.dataset.class_names
    assert again.dataset.feature_names == exp.dataset.feature_names


def test_a_builtin_saved_as_csv_reopens_with_the_same_values(tmp_path):
    ds = make_dataset("spiral", classes=3)
    export_data_csv(tmp_path / "s.csv", ds)
    again = load_csv(tmp_path / "s.csv", target="class")
    np.testing.assert_array_equal(again.X, ds.X)
    np.testing.assert_array_equal(again.Y, ds.Y)


def test_an_empty_canvas_is_not_saved_as_csv(tmp_path):
    with pytest.raises(DataError, match="has no points yet"):
        export_data_csv(tmp_path / "e.csv", build(DRAWN))
    assert not (tmp_path / "e.csv").exists()


def test_prepare_of_a_canvas_has_no_rows_and_bounded_scalers():
    p = prepare(canvas(inputs=1), scaling="minmax")
    assert len(p.train_index) == 0 and p.X_train.shape == (0, 1)
    np.testing.assert_array_equal(p.x_scaler.transform([[-6.0], [6.0]]), [[0.0], [1.0]])
    np.testing.assert_array_equal(p.y_scaler.transform([[6.0]]), [[1.0]])
