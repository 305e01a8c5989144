"""nnviz.bridge: a person's own Network, arrays and Trainer as the experiment the window adopts
(Qt-free): the configuration describes them, the data is theirs bit for bit, bad input is one
line before any window opens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnviz
from nnviz.bridge import from_network, from_trainer, infer_task
from nnviz.config import ARRAYS, TrainingConfig
from nnviz.engine import Network, Trainer
from nnviz.errors import ConfigError, DataError, NNVizError
from nnviz.experiment import build
from nnviz.session import load_session, save_session

ROOT = Path(__file__).resolve().parent.parent
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0, 1, 1, 0])


def xor_net(**kw) -> Network:
    return Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=1, **kw)


def test_import_nnviz_loads_neither_qt_nor_numpy():
    code = ("import sys, nnviz\n"
            "assert callable(nnviz.show) and callable(nnviz.watch)\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken', "
            "'pyqtgraph', 'numpy'))]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_show_builds_the_run_of_the_callers_objects():
    net = xor_net()
    exp = from_network(net, X, Y, lr=0.5, batch_size=None, feature_names=["a", "b"])
    c = exp.config
    assert exp.net is net and exp.trainer.net is net
    assert (c.dataset, c.hidden, c.activation, c.output, c.dtype) == (
        ARRAYS, (4,), "tanh", "sigmoid", "float64")
    assert (c.loss, c.lr, c.batch_size, c.scaling, c.test_ratio) == (
        "binary_cross_entropy", 0.5, None, "none", 0.0)
    assert exp.task == "binary" and exp.dataset.feature_names == ("a", "b")
    # the caller's numbers, unscaled and in their order
    np.testing.assert_array_equal(exp.prepared.X_train, X)
    np.testing.assert_array_equal(exp.trainer.X, X)
    np.testing.assert_array_equal(exp.trainer.Y[:, 0], Y)
    assert exp.trainer.batch_size == 4 and exp.trainer.loss_fn.name == "binary_cross_entropy"
    c.validate()
    assert TrainingConfig.from_dict(c.to_dict()) == c  # a session can save it


def test_the_task_follows_the_loss_then_the_output():
    assert infer_task("softmax", np.zeros(3)) == "multiclass"
    assert infer_task("sigmoid", np.array([0.0, 1.0])) == "binary"
    assert infer_task("sigmoid", np.array([0.0, 0.5])) == "regression"
    assert infer_task("identity", np.array([0.0, 1.0])) == "regression"
    assert infer_task("sigmoid", np.array([0.0, 0.5]), "binary_cross_entropy") == "binary"
    net = Network([4, 5, 3], hidden="relu", output="softmax", seed=0)
    rows = np.random.default_rng(0).normal(size=(6, 4))
    exp = from_network(net, rows, [0, 2, 1, 1, 0, 2], class_names=["r", "g", "b"])
    assert exp.task == "multiclass" and exp.config.loss == "cross_entropy"
    np.testing.assert_array_equal(exp.trainer.Y.argmax(axis=1), [0, 2, 1, 1, 0, 2])
    assert exp.dataset.class_names == ("r", "g", "b")
    reg = from_network(Network([1, 3, 1], hidden="tanh", output="identity", seed=0),
                       np.linspace(-1, 1, 9), np.linspace(-1, 1, 9) ** 2)
    assert reg.task == "regression" and reg.config.loss == "half_squared_error"


def test_options_and_scaling_reach_the_trainer():
    exp = from_network(xor_net(), X * 10, Y, optimizer="momentum", momentum=0.5, lr=0.01,
                       scaling="standard", loss="squared_error", order="shuffle", seed=4)
    assert exp.trainer.optimizer.name == "momentum" and exp.trainer.optimizer.momentum == 0.5
    assert exp.trainer.loss_fn.name == "squared_error" and exp.task == "binary"
    assert abs(exp.trainer.X.mean()) < 1e-12  # asked for: standard scaling
    np.testing.assert_array_equal(exp.trainer.X, exp.prepared.x_scaler.transform(X * 10))


def test_a_float32_network_and_integer_arrays():
    net = xor_net(dtype=np.float32)
    exp = from_network(net, X.astype(int), Y)
    assert exp.config.dtype == "float32" and exp.trainer.X.dtype == np.float32


def test_watch_describes_the_trainer():
    net = Network([2, 3, 1], hidden="relu", output="identity", seed=2)
    Yr = X.sum(axis=1, keepdims=True)
    t = Trainer(net, X, Yr, X_test=X[:2], Y_test=Yr[:2], optimizer="adam", lr=0.003,
                batch_size=2, order="sequential", max_epochs=50, cumulative_every=7)
    t.run(5)
    exp = from_trainer(t)
    c = exp.config
    assert exp.trainer is t and exp.net is net
    assert (c.optimizer, c.lr, c.batch_size, c.order, c.max_epochs, c.cumulative_every) == (
        "adam", 0.003, 2, "sequential", 50, 7)
    assert (c.hidden, c.activation, c.output, c.loss) == ((3,), "relu", "identity",
                                                          "half_squared_error")
    assert exp.task == "regression" and exp.prepared.has_test
    np.testing.assert_array_equal(exp.prepared.X_train, X)
    np.testing.assert_array_equal(exp.prepared.X_test, X[:2])
    assert t.step_count == 5  # nothing ran


def test_a_session_saves_and_reopens_a_run_on_arrays(tmp_path):
    exp = from_network(xor_net(), X, Y, lr=0.5)
    exp.trainer.run(30)
    save_session(tmp_path / "run.nnviz", exp)
    back, _ = load_session(tmp_path / "run.nnviz")
    assert back.config == exp.config and back.dataset.task == "binary"
    np.testing.assert_array_equal(back.dataset.X, X)
    exp.trainer.run(20)
    back.trainer.run(20)
    for a, b in zip(exp.net.get_params(), back.net.get_params()):
        np.testing.assert_array_equal(a, b)
    # the configuration alone cannot rebuild arrays: one line, not a traceback
    with pytest.raises(ConfigError, match="nnviz.show"):
        build(exp.config)
    rebuilt = build(exp.config, dataset=exp.dataset)  # with them it can (Reset)
    assert rebuilt.net.sizes == (2, 4, 1)


BAD_DATA = [
    ("abc", Y, "X must be an array of numbers, got str"),
    (None, Y, "X must be an array of numbers, got NoneType"),
    ([[0, 1], [1]], Y, "X must be an array of numbers"),
    (np.ones((4, 3)), Y, r"X has 3 column\(s\) but the network takes 2 input\(s\)"),
    (np.ones((4, 2, 1)), Y, "X must be 1-D or 2-D"),
    (np.ones((0, 2)), Y, "X is empty"),
    (np.ones(4), Y, r"X must be \(n, 2\)"),
    (X + 1j, Y, "X must hold real numbers"),
    (np.where(X == 1, np.nan, X), Y, "X holds nan at row 2, column 2"),
    (np.where(X == 1, np.inf, X), Y, "X holds inf"),
    (X * 1e200, Y, "too large"),
    (X, np.ones(5), "X has 4 rows but Y has 5"),
    (X, np.ones((4, 2)), r"Y has 2 column\(s\) but the network has 1 output"),
    (X, np.array([0, 1, np.nan, 0]), "Y holds nan at row 3"),
    (X, ["a", "b", "c", "d"], "Y must hold real numbers"),
    # masked values are not data: refused, never trained on as the numbers under the mask
    (np.ma.masked_greater(X, 0.5), Y, r"X is a masked array with 4 masked value\(s\), the "
     r"first at row 2, column 2: fill them \(X.filled\(value\)\) or drop their rows"),
    (X, np.ma.array([0.0, 1, 1, 0], mask=[0, 0, 1, 0]),
     "Y is a masked array with 1 masked value.*row 3:"),
    (np.ma.masked_invalid(np.where(X == 1, np.nan, X)), Y, "X is a masked array"),
]


@pytest.mark.parametrize("Xb, Yb, message", BAD_DATA)
def test_bad_data_is_one_line_before_any_window(Xb, Yb, message):
    with pytest.raises(DataError, match=message) as info:
        nnviz.show(xor_net(), Xb, Yb)
    assert "\n" not in str(info.value)


BAD_OPTIONS = [
    (dict(lr=1e9), ConfigError, "lr must be a positive number"),
    (dict(lr="fast"), ConfigError, "lr must be"),
    (dict(hidden=(3,)), ConfigError, "hidden: comes from the network"),
    (dict(epochs=3), ConfigError, "unknown option"),
    (dict(task="clustering"), ConfigError, "task: unknown"),
    (dict(task="binary", loss="cross_entropy"), ConfigError, "needs a softmax output"),
    (dict(loss="nope"), ConfigError, "loss: unknown"),
    (dict(batch_size=0), ConfigError, "batch_size must be"),
    (dict(max_steps=3, max_epochs=2), ConfigError, "at most one stop condition"),
    (dict(test_ratio=1.5), ConfigError, "test_ratio must be"),
    (dict(feature_names=["a"]), DataError, "feature_names must be 2 names"),
    (dict(feature_names="ab"), DataError, "feature_names must be a list"),
    (dict(task="multiclass"), DataError, "Y: a multiclass target"),
]


@pytest.mark.parametrize("options, kind, message", BAD_OPTIONS)
def test_bad_options_are_one_line_naming_the_field(options, kind, message):
    with pytest.raises(kind, match=message) as info:
        nnviz.show(xor_net(), X, Y, **options)
    assert "\n" not in str(info.value)


def test_a_bad_network_is_one_line():
    with pytest.raises(ConfigError, match="net must be an nnviz.engine.Network, got list"):
        nnviz.show([2, 4, 1], X, Y)
    net = xor_net()
    net.weights[0][0, 0] = np.nan
    with pytest.raises(ConfigError, match=r"net.weights\[0\] holds NaN"):
        nnviz.show(net, X, Y)
    net = xor_net()
    net.biases[1] = np.zeros(3)
    with pytest.raises(ConfigError, match=r"net.biases\[1\] must be a \(1,\) float64 array"):
        nnviz.show(net, X, Y)
    big = Network([2, 5000, 1], hidden="tanh", output="sigmoid", seed=0)
    with pytest.raises(ConfigError, match="hidden: neurons per layer must be"):
        nnviz.show(big, X, Y)
    labels = Network([2, 3], hidden="tanh", output="softmax", seed=0)
    with pytest.raises(DataError, match="labels of 3 classes are whole numbers 0 to 2, got 5"):
        nnviz.show(labels, X, [0, 1, 5, 2])


def test_a_trainer_beyond_the_window_is_one_line():
    with pytest.raises(ConfigError, match="trainer must be an nnviz.engine.Trainer"):
        nnviz.watch("trainer")
    seq = Trainer(xor_net(), X, Y, order=[0, 1, 2], batch_size=1)
    with pytest.raises(ConfigError, match="order: the window trains in one of"):
        nnviz.watch(seq)
    two = Trainer(xor_net(), X, Y, max_steps=10, max_epochs=5)
    with pytest.raises(ConfigError, match="max_steps, max_epochs: the window takes at most"):
        nnviz.watch(two)
    fast = Trainer(xor_net(), X, Y, lr=0.1)
    fast.optimizer.lr = 5000.0
    with pytest.raises(ConfigError, match="lr must be a positive number"):
        nnviz.watch(fast)


def test_errors_are_project_errors():
    assert issubclass(DataError, NNVizError) and issubclass(ConfigError, NNVizError)


def test_an_epochs_mean_loss_does_not_depend_on_how_run_was_split():
    """The window trains in slices: 1,000 steps as run(1000) or as 1,000 run(1) calls give
    the same bits everywhere, the epoch means (the train_loss series) included."""
    rng = np.random.default_rng(0)
    Xr, Yr = rng.normal(size=(37, 2)), rng.normal(size=(37, 1))

    def trainer():
        net = Network([2, 6, 1], hidden="tanh", output="identity", seed=1)
        return Trainer(net, Xr, Yr, lr=0.05, batch_size=3, seed=1)

    a, b = trainer(), trainer()
    a.run(1000)
    for _ in range(1000):
        b.run(1)
    np.testing.assert_array_equal(a.history.train_loss.arrays()[1],
                                  b.history.train_loss.arrays()[1])
    for p, q in zip(a.net.get_params(), b.net.get_params()):
        np.testing.assert_array_equal(p, q)


def test_a_session_saved_mid_epoch_continues_the_epochs_mean_bit_for_bit(tmp_path):
    rng = np.random.default_rng(3)
    Xr, Yr = rng.normal(size=(37, 2)), rng.normal(size=(37, 1))
    net = Network([2, 5, 1], hidden="tanh", output="identity", seed=2)
    exp = from_network(net, Xr, Yr, lr=0.05, batch_size=3, seed=5)
    exp.trainer.run(7)  # 21 of 37 rows: mid-epoch
    save_session(tmp_path / "mid.nnviz", exp)
    back, _ = load_session(tmp_path / "mid.nnviz")
    exp.trainer.run(500)
    back.trainer.run(500)
    np.testing.assert_array_equal(exp.trainer.history.train_loss.arrays()[1],
                                  back.trainer.history.train_loss.arrays()[1])


# ---------------------------------------------------------------------------- worst inputs
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

WORST = st.sampled_from([0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e308, -1e-320, 1e151, 2.0])
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
ARRAYS_ANY = st.one_of(
    hnp.arrays(np.float64, SHAPES, elements=WORST | st.integers(-3, 3).map(float)),
    hnp.arrays(np.int64, SHAPES, elements=st.integers(-3, 3)),
    hnp.arrays(np.bool_, SHAPES),
    st.lists(st.lists(WORST, max_size=3), max_size=5),
    st.sampled_from([None, "x", b"y", {"a": 1}, 3.0, [], [[]], object(), np.array(["a", "b"]),
                     np.array([1 + 2j, 3j]), np.array([[1, 2], [3]], dtype=object)]),
)
OPTIONS = st.dictionaries(
    st.sampled_from(["lr", "batch_size", "task", "loss", "seed", "test_ratio", "scaling",
                     "order", "max_epochs", "feature_names", "class_names", "momentum"]),
    st.one_of(WORST, st.integers(-5, 2**40), st.booleans(), st.none(),
              st.sampled_from(["binary", "multiclass", "regression", "cross_entropy", "none",
                               "standard", "shuffle", "", "x" * 300]),
              st.lists(st.text(max_size=3), max_size=4)),
    max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(Xb=ARRAYS_ANY, Yb=ARRAYS_ANY, options=OPTIONS,
       sizes=st.sampled_from([(2, 3, 1), (2, 3), (1, 2, 1)]), output=st.sampled_from(
           ["sigmoid", "softmax", "identity"]))
def test_any_input_builds_or_is_one_nnviz_line(Xb, Yb, options, sizes, output):
    """Whatever is handed in: a run, or a one-line NNVizError (never another exception)."""
    if output == "softmax" and sizes[-1] < 2:
        output = "sigmoid"
    net = Network(list(sizes), hidden="tanh", output=output, seed=0)
    try:
        exp = from_network(net, Xb, Yb, **options)
    except NNVizError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert exp.net is net and np.isfinite(exp.trainer.X).all()
    assert exp.trainer.X.shape == (len(exp.prepared.X_train), sizes[0])
    exp.trainer.run(3)  # it trains


# ---------------------------------------------------------------------------- slicing
RUNS = {
    "per-sample kernel": dict(batch_size=1, sizes=[2, 3, 1], output="sigmoid",
                              loss="squared_error"),
    "mini-batch adam, shuffle": dict(batch_size=4, optimizer="adam", lr=0.01,
                                     order="shuffle"),
    "full batch, float32, test rows": dict(batch_size=None, dtype=np.float32, test=True),
    "softmax, momentum, sequential": dict(batch_size=5, sizes=[2, 4, 3], output="softmax",
                                          loss="cross_entropy", optimizer="momentum",
                                          order="sequential"),
}


@pytest.mark.parametrize("name", RUNS)
def test_training_in_slices_gives_the_bits_of_one_run(name):
    """The window trains in slices of a few steps (the worker's 2-5 ms): any split of n steps
    into run() calls ends where run(n) ends, bit for bit, history included."""
    spec = dict(RUNS[name])
    sizes, output = spec.pop("sizes", [2, 5, 1]), spec.pop("output", "identity")
    dtype, test = spec.pop("dtype", np.float64), spec.pop("test", False)
    rng = np.random.default_rng(4)
    Xr = rng.normal(size=(41, 2))
    Yr = (np.eye(3)[rng.integers(0, 3, 41)] if output == "softmax" else
          (Xr[:, :1] > 0).astype(float) if output == "sigmoid" else Xr[:, :1] * Xr[:, 1:])

    def trainer():
        net = Network(sizes, hidden="tanh", output=output, seed=1, dtype=dtype)
        extra = dict(X_test=Xr[:7], Y_test=Yr[:7]) if test else {}
        return Trainer(net, Xr, Yr, seed=3, cumulative_every=9, **extra, **spec)

    whole, sliced = trainer(), trainer()
    whole.run(700)
    cuts = rng.integers(1, 40, size=100)
    done = 0
    for k in cuts:
        k = int(min(k, 700 - done))
        done += sliced.run(k)
    assert done == 700
    a, b = whole.state_dict(), sliced.state_dict()
    for p, q in zip(a.pop("params"), b.pop("params")):
        np.testing.assert_array_equal(p, q)
    ha, hb = a.pop("history"), b.pop("history")
    assert str(a) == str(b)  # optimiser, sampler, generator, counters
    for series in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        np.testing.assert_array_equal(ha[series]["y"], hb[series]["y"], err_msg=series)
    for series in ("step_loss", "cumulative"):
        x, y = (getattr(t.history, series).arrays() for t in (whole, sliced))
        for key in x:
            np.testing.assert_array_equal(x[key], y[key], err_msg=f"{series} {key}")


def test_the_title_names_the_data_and_a_bad_one_is_one_line():
    exp = from_network(xor_net(), X, Y, name="my xor")
    assert exp.dataset.name == "my xor" and exp.config.dataset == ARRAYS
    assert from_network(xor_net(), X, Y).dataset.name == "your arrays"
    for bad in (5, "", "x" * 201):
        with pytest.raises(ConfigError, match="title must be text"):
            nnviz.show(xor_net(), X, Y, title=bad) if bad != "" else from_network(
                xor_net(), X, Y, name=bad)


def test_masked_arrays_without_masked_values_are_their_data():
    plain = from_network(xor_net(), X, Y)
    masked = from_network(xor_net(), np.ma.array(X, mask=False), np.ma.masked_invalid(Y))
    assert type(masked.dataset.X) is np.ndarray and type(masked.dataset.Y) is np.ndarray
    assert np.array_equal(masked.dataset.X, plain.dataset.X)
    assert np.array_equal(masked.dataset.Y, plain.dataset.Y)
    plain.trainer.run(20)
    masked.trainer.run(20)
    for a, b in zip(plain.net.get_params(), masked.net.get_params()):
        assert np.array_equal(a, b)
