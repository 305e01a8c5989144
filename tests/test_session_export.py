"""Weights export (.npz) loads into numpy and PyTorch; history exports as CSV."""

import csv
import json

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.session import export_history_csv, export_weights, load_weights


@pytest.fixture
def trained():
    config = PRESETS["xor"].replace(hidden=(6, 5, 4), activations=("relu", "tanh", "leaky_relu"))
    exp = build(config)
    exp.trainer.run(300)
    return exp


def numpy_forward(path, X):
    """The README's numpy snippet."""
    f = np.load(path)  # allow_pickle=False is numpy's default
    meta = json.loads(str(f["meta"][0]))
    act = {"identity": lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
           "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
           "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
           "softmax": lambda z: np.exp(z - z.max(1, keepdims=True))
           / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)}
    a = X
    for l, name in enumerate(meta["activations"]):
        a = act[name](a @ f[f"W{l}"] + f[f"b{l}"])
    return a


def test_layout_and_meta(tmp_path, trained):
    path = export_weights(tmp_path / "w.npz", trained)
    f = np.load(path)
    assert sorted(f.files) == ["W0", "W1", "W2", "W3", "b0", "b1", "b2", "b3", "meta"]
    meta = json.loads(str(f["meta"][0]))
    assert meta["format"] == "nnviz-weights" and meta["sizes"] == [2, 6, 5, 4, 1]
    assert meta["activations"] == ["relu", "tanh", "leaky_relu", "sigmoid"]
    assert meta["x_scaling"]["kind"] == "standard" and meta["y_scaling"] is None
    for l, (W, b) in enumerate(zip(trained.net.weights, trained.net.biases)):
        np.testing.assert_array_equal(f[f"W{l}"], W)
        np.testing.assert_array_equal(f[f"b{l}"], b)


@pytest.mark.parametrize("preset", ["xor", "iris", "function-fit"])
def test_numpy_snippet_and_load_weights_match_predict(tmp_path, preset):
    config = PRESETS[preset]
    if preset == "function-fit":
        config = config.replace(dataset_params=(("grid", 10),))
    exp = build(config)
    exp.trainer.run(50)
    path = export_weights(tmp_path / "w.npz", exp)
    X = exp.prepared.X_train
    expected = exp.net.predict(X)
    np.testing.assert_allclose(numpy_forward(path, X), expected, rtol=0, atol=1e-12)
    net = load_weights(path)
    assert net.sizes == exp.net.sizes
    np.testing.assert_array_equal(net.predict(X), expected)


def test_torch_sequential_matches_predict(tmp_path, trained):
    torch = pytest.importorskip("torch")
    from torch import nn

    path = export_weights(tmp_path / "w.npz", trained)
    # --- the README's snippet
    f = np.load(path)
    meta = json.loads(str(f["meta"][0]))
    act = {"identity": nn.Identity, "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
           "leaky_relu": lambda: nn.LeakyReLU(0.01), "softmax": lambda: nn.Softmax(dim=-1)}
    layers = []
    for l, name in enumerate(meta["activations"]):
        W, b = f[f"W{l}"], f[f"b{l}"]
        linear = nn.Linear(*W.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, act[name]()]
    model = nn.Sequential(*layers)
    # ---
    X = trained.prepared.X_test
    with torch.no_grad():
        out = model(torch.from_numpy(X.copy())).numpy()
    np.testing.assert_allclose(out, trained.net.predict(X), rtol=0, atol=1e-12)


def test_history_csv(tmp_path, trained):
    path = export_history_csv(tmp_path / "h.csv", trained)
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["series", "axis", "x", "value", "min", "max"]
    steps = [r for r in rows if r["series"] == "step_loss"]
    losses = trained.trainer.history.step_loss.arrays()["mean"]
    assert len(steps) == 300 and [float(r["value"]) for r in steps] == losses.tolist()
    assert {r["series"] for r in rows} >= {"step_loss", "cumulative", "train_loss",
                                          "test_loss", "train_accuracy"}
    epochs = [r for r in rows if r["series"] == "train_loss"]
    assert all(r["axis"] == "epoch" for r in epochs)
    assert len(epochs) == len(trained.trainer.history.train_loss)


@pytest.mark.parametrize("preset", ["iris", "function-fit", "xor"])
def test_weights_say_what_the_inputs_and_outputs_are(tmp_path, preset):
    """Feature names, which output is which class (or target) and the scaling are enough to
    go from raw rows to answers in the data's own terms."""
    config = PRESETS[preset]
    if preset == "function-fit":
        config = config.replace(dataset_params=(("grid", 10),))
    exp = build(config)
    exp.trainer.run(50)
    ds = exp.dataset
    meta = json.loads(str(np.load(export_weights(tmp_path / "w.npz", exp))["meta"][0]))
    assert meta["task"] == ds.task
    assert meta["feature_names"] == list(ds.feature_names)
    assert meta["class_names"] == list(ds.class_names)
    assert meta["target_names"] == list(ds.target_names)
    raw = ds.X[exp.prepared.train_index]
    xs = meta["x_scaling"]
    x_net = (raw - np.array(xs["center"])) / np.array(xs["scale"]) if xs else raw
    out = numpy_forward(tmp_path / "w.npz", x_net)
    expected = exp.prepared.to_data_units(exp.net.predict(exp.prepared.X_train))
    if meta["y_scaling"]:
        ys = meta["y_scaling"]
        out = out * np.array(ys["scale"]) + np.array(ys["center"])
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9)
    if preset == "iris":
        assert meta["outputs"] == ["setosa", "versicolor", "virginica"]
        named = [meta["outputs"][k] for k in out.argmax(1)]
        truth = [ds.class_names[k] for k in ds.labels[exp.prepared.train_index]]
        assert np.mean(np.array(named) == np.array(truth)) > 0.6
    elif preset == "xor":
        assert meta["outputs"] == ["P(class=1)"]
    else:
        assert meta["outputs"] == ["f(x, y)"]


def test_a_bare_network_exports_without_data_names(tmp_path, trained):
    meta = json.loads(str(np.load(export_weights(tmp_path / "w.npz", trained.net))["meta"][0]))
    assert meta["feature_names"] is None and meta["outputs"] is None
    assert meta["x_scaling"] is None
