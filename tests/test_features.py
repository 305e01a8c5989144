"""Engineered input features (x1², x1·x2, sin(x1), ...): computed after scaling, equal to the
same network trained on the features computed by hand, carried by sessions, the CLI and
exports, refused in one line when unusable."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz import cli
from nnviz.config import TrainingConfig
from nnviz.data import DATASET_SPECS, make_dataset, prepare
from nnviz.data.features import DEFAULT_FEATURES, FEATURES, expand
from nnviz.engine import Network, Trainer
from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS, build
from nnviz.session import export_weights, load_session, save_session
from nnviz.snapshot import run_info

CIRCLES = PRESETS["circles"].replace(features=("x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"),
                                     hidden=(3,), optimizer="adam", lr=0.01)


def test_engineered_features_equal_the_network_trained_on_hand_computed_features():
    exp = build(CIRCLES)
    exp.trainer.run(400)
    exp.trainer.sync()

    # by hand: the same split and scaling, then the columns written out, then the engine API
    c = CIRCLES
    prep = prepare(make_dataset("circles"), test_ratio=c.test_ratio, seed=c.split_seed)
    a, b = prep.X_train[:, 0], prep.X_train[:, 1]
    X = np.column_stack((a * a, b * b, a * b, np.sin(a), np.sin(b)))
    ta, tb = prep.X_test[:, 0], prep.X_test[:, 1]
    X_test = np.column_stack((ta * ta, tb * tb, ta * tb, np.sin(ta), np.sin(tb)))
    net = Network([5, 3, 1], activations=["tanh", "sigmoid"], init=c.init,
                  bias_init=c.bias_init, seed=c.seed)
    trainer = Trainer(net, X, prep.Y_train, X_test=X_test, Y_test=prep.Y_test,
                      loss="binary_cross_entropy", optimizer="adam", lr=0.01,
                      optimizer_settings={"beta1": c.beta1, "beta2": c.beta2, "eps": c.eps},
                      batch_size=c.batch_size, order=c.order, seed=c.seed,
                      cumulative_every=c.cumulative_every, classification=True)
    trainer.run(400)
    trainer.sync()

    np.testing.assert_array_equal(exp.prepared.X_train, X)
    np.testing.assert_array_equal(exp.prepared.X_test, X_test)
    for mine, hand in zip(exp.net.get_params(), net.get_params()):
        np.testing.assert_array_equal(mine, hand)
    mine, hand = exp.trainer.history.step_loss.arrays(), trainer.history.step_loss.arrays()
    for key in mine:
        np.testing.assert_array_equal(mine[key], hand[key])


def test_the_default_leaves_runs_as_they_were():
    assert TrainingConfig().features == DEFAULT_FEATURES == ("x1", "x2")
    for name in ("xor", "iris", "function-fit"):
        config = PRESETS[name]
        exp = build(config)
        prep = prepare(exp.dataset, test_ratio=config.test_ratio, seed=config.split_seed,
                       scaling=config.scaling)
        np.testing.assert_array_equal(exp.prepared.X_train, prep.X_train)
        assert exp.prepared.input_names == exp.dataset.feature_names
    # a session file written before the field existed reads as the default
    d = PRESETS["xor"].to_dict()
    del d["features"]
    assert TrainingConfig.from_dict(d).features == DEFAULT_FEATURES


def test_names_reach_runinfo_and_the_grid_uses_the_features():
    exp = build(PRESETS["circles"].replace(features=["x1²", "x1·x2", "sin(x2)"]))
    assert exp.config.features == ("x1^2", "x1*x2", "sin(x2)")  # labels taken as names
    info = run_info(exp)
    assert info.input_names == ("x1²", "x1·x2", "sin(x2)") and info.sizes[0] == 3
    assert info.dataset.feature_names == ("x1", "x2")  # the plane stays the raw one
    raw = exp.dataset.X[:5]
    s = exp.prepared.x_scaler.transform(raw)
    np.testing.assert_array_equal(exp.prepared.to_network(raw),
                                  np.column_stack((s[:, 0] ** 2, s[:, 0] * s[:, 1],
                                                   np.sin(s[:, 1]))))
    fs = build(PRESETS["function-fit"].replace(dataset_params=(("grid", 10),),
                                               features=("x1", "x1^2", "x1*x2")))
    assert fs.prepared.input_names == ("x", "x²", "x·y")  # the dataset's own input names


@pytest.mark.parametrize("features,match", [
    ((), "features: choose at least one input"),
    (("x3",), "features: unknown 'x3'"),
    (("x1", "x1"), "features: each input once"),
    ("x1", "features must be a list of names"),
])
def test_an_unusable_choice_is_refused_in_one_line(features, match):
    with pytest.raises(ConfigError, match=match) as info:
        PRESETS["xor"].replace(features=features).validate()
    assert "\n" not in str(info.value)


def test_engineered_inputs_need_a_2d_dataset():
    with pytest.raises(ConfigError, match="features: engineered inputs need a dataset of 2 "
                                          "inputs, iris has 4"):
        PRESETS["iris"].replace(features=("x1^2",)).validate()
    for name, spec in DATASET_SPECS.items():  # the registry's count is the data's
        assert make_dataset(name).n_features == spec.n_inputs, name


def test_every_feature_is_a_function_of_the_scaled_pair():
    X = np.array([[0.5, -2.0], [3.0, 0.25]])
    got = expand(X, tuple(FEATURES))
    a, b = X.T
    np.testing.assert_array_equal(got, np.column_stack(
        (a, b, a * a, b * b, a * b, np.sin(a), np.sin(b))))
    assert expand(X, DEFAULT_FEATURES) is X


def test_a_session_with_features_reopens_and_continues_bit_for_bit(tmp_path):
    reference = build(CIRCLES)
    reference.trainer.run(250)
    expected = [reference.trainer.step() for _ in range(50)]
    exp = build(CIRCLES)
    exp.trainer.run(250)
    save_session(tmp_path / "f.nnviz", exp)
    loaded, _ = load_session(tmp_path / "f.nnviz")
    assert loaded.config.features == CIRCLES.features
    np.testing.assert_array_equal(loaded.prepared.X_train, exp.prepared.X_train)
    assert [loaded.trainer.step() for _ in range(50)] == expected


def test_weights_export_names_the_inputs(tmp_path):
    exp = build(CIRCLES)
    path = export_weights(tmp_path / "w.npz", exp)
    with np.load(path) as z:
        meta = json.loads(str(z["meta"][0]))
    assert meta["features"] == list(CIRCLES.features)
    assert meta["inputs"] == ["x1²", "x2²", "x1·x2", "sin(x1)", "sin(x2)"]
    assert meta["sizes"][0] == 5
    with np.load(export_weights(tmp_path / "d.npz", build(PRESETS["xor"]))) as z:
        assert "features" not in json.loads(str(z["meta"][0]))


def test_cli_train_features(tmp_path, capsys):
    save = tmp_path / "c.nnviz"
    code = cli.main(["train", "--preset", "circles", "--features", "x1,x2,x1*x2",
                     "--steps", "20", "--save", str(save)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "network 3-6-1" in out
    exp, _ = load_session(save)
    assert exp.config.features == ("x1", "x2", "x1*x2")
    assert exp.prepared.input_names == ("x1", "x2", "x1·x2")
