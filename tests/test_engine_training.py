"""Trainer, phases, optimisers, divergence and history."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.engine import BucketSeries, Network, PhaseStepper, PointSeries, Trainer
from nnviz.engine.kernels import BatchKernel
from nnviz.engine.phases import phases_of
from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS, build


def xor_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    Y = ((X[:, 0] * X[:, 1]) < 0).astype(float).reshape(-1, 1)
    return X, Y


def make_trainer(batch_size=1, optimizer="sgd", sizes=(2, 4, 1), seed=0, **kw):
    X, Y = xor_data()
    net = Network(list(sizes), hidden="tanh", output="sigmoid", init="xavier", seed=seed)
    kw.setdefault("loss", "binary_cross_entropy")
    return Trainer(net, X, Y, optimizer=optimizer, lr=0.1, batch_size=batch_size, seed=seed,
                   **kw)


def params(net):
    return [p.copy() for p in net.get_params()]


# ---------------------------------------------------------------- phases = one fast step
CASES = [
    dict(batch_size=1),  # pure-Python per-sample kernel
    dict(batch_size=1, sizes=(2, 16, 16, 1)),  # too big for it: numpy kernel, one row
    dict(batch_size=8),
    dict(batch_size=None),
    dict(batch_size=8, optimizer="momentum"),
    dict(batch_size=1, optimizer="adam"),
    dict(batch_size=5, l2=0.01, l1=0.001),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_stepping_all_phases_equals_one_fast_step(case):
    fast, stepped = make_trainer(**case), make_trainer(**case)
    for _ in range(3):  # a few steps, so optimiser state matters too
        fast.run(1)
        stepper = PhaseStepper(stepped)
        kinds = []
        while not stepper.done:
            kinds.append(stepper.advance().kind)
        assert kinds == [p.kind for p in phases_of(stepped.net.n_layers)]
        for a, b in zip(params(fast.net), params(stepped.net)):
            assert np.array_equal(a, b)
        assert np.array_equal(fast.last_indices, stepped.last_indices)
    assert stepped.step_count == fast.step_count == 3
    assert stepped.history.step_loss.latest == fast.history.step_loss.latest


def test_phase_values_follow_the_phases():
    t = make_trainer(batch_size=1, sizes=(2, 3, 1))
    stepper = PhaseStepper(t, indices=[5])
    v = stepper.values()
    assert v.z[0] is None and v.loss is None and v.dW[0] is None
    stepper.advance()  # forward layer 1
    v = stepper.values()
    trace = t.net.forward(t.X[5:6])
    # BLAS sums in its own order (with FMA on AVX-512 CPUs): equal to rounding, not bit for bit
    np.testing.assert_allclose(v.z[0], trace.z[0], rtol=1e-14)
    assert v.z[1] is None
    stepper.advance()
    stepper.advance()  # loss
    grads = t.net.backward(trace, t.Y[5:6], t.loss_fn)
    v = stepper.values()
    assert v.loss == pytest.approx(grads.loss, rel=1e-14)
    np.testing.assert_allclose(v.delta[1], grads.delta[1], rtol=1e-14)
    stepper.finish()
    v = stepper.values()
    for l in range(2):
        np.testing.assert_allclose(v.dW[l], grads.dW[l], rtol=1e-13)
        np.testing.assert_allclose(v.changes[2 * l], -0.1 * grads.dW[l], rtol=1e-13)
    assert list(v.indices) == [5]


# ---------------------------------------------------------------- orders, epochs, stops
def test_sequential_order_and_epoch_bookkeeping():
    t = make_trainer(batch_size=10, order="sequential")
    t.run(7)  # batches of 10, 10, 10, 10, 10, 10 and the last 4 rows: one epoch
    assert t.samples_seen == 64 and t.step_count == 7 and t.epoch == 1.0
    t2 = make_trainer(batch_size=10, order="sequential")
    seen = []
    for _ in range(7):
        t2.run(1)
        seen.extend(t2.last_indices.tolist())
    assert seen == list(range(64))
    assert t2.history.train_loss.arrays()[0].tolist() == [1.0]


def test_shuffle_order_visits_every_sample_once_per_epoch():
    t = make_trainer(batch_size=1, order="shuffle")
    seen = []
    for _ in range(64):
        t.run(1)
        seen.append(int(t.last_indices[0]))
    assert sorted(seen) == list(range(64)) and seen != list(range(64))


def test_explicit_sequence_order():
    t = make_trainer(batch_size=1, order=[3, 1, 4, 1, 5])
    seen = []
    for _ in range(7):
        t.run(1)
        seen.append(int(t.last_indices[0]))
    assert seen == [3, 1, 4, 1, 5, 3, 1]
    with pytest.raises(ConfigError):
        make_trainer(batch_size=1, order=[0, 99])


def test_stop_conditions():
    t = make_trainer(batch_size=8, max_steps=25)
    assert t.run(1000) == 25 and t.stop_reason == "reached 25 steps"
    t = make_trainer(batch_size=8, max_epochs=2)
    assert t.run(1000) == 16 and "2 epochs" in t.stop_reason
    t = make_trainer(batch_size=8, target_loss=0.69)
    t.run(100_000)
    assert "target loss" in t.stop_reason and t.history.train_loss.latest <= 0.69


def test_learning_rate_changes_live():
    a, b = make_trainer(batch_size=8), make_trainer(batch_size=8)
    a.run(5)
    b.run(5)
    b.lr = 0.5
    a.run(1)
    b.run(1)
    assert b.lr == 0.5 and b.optimizer.lr == 0.5
    assert not np.array_equal(a.net.weights[0], b.net.weights[0])
    with pytest.raises(ConfigError):
        b.lr = -1
    with pytest.raises(ConfigError):
        b.lr = float("nan")


def test_switching_optimiser_keeps_parameters_and_history():
    t = make_trainer(batch_size=1)
    t.run(50)
    before = params(t.net)
    t.set_optimizer("adam", lr=0.01)
    assert all(np.array_equal(a, b) for a, b in zip(before, params(t.net)))
    assert t.step_count == 50 and isinstance(t.kernel, BatchKernel)
    t.run(10)
    assert t.step_count == 60 and len(t.history.step_loss) == 60


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_every_optimiser_learns_xor(optimizer):
    t = make_trainer(batch_size=8, optimizer=optimizer, sizes=(2, 8, 1))
    t.lr = 0.05 if optimizer == "adam" else 0.5
    first = t.full_loss()
    t.run(2000)
    assert t.full_loss() < 0.5 * first


def test_l2_shrinks_the_weights():
    plain, decayed = make_trainer(batch_size=8), make_trainer(batch_size=8, l2=0.1)
    plain.run(500)
    decayed.run(500)
    assert np.linalg.norm(decayed.net.weights[0]) < np.linalg.norm(plain.net.weights[0])


def test_cumulative_error_is_the_sum_of_per_sample_losses():
    t = make_trainer(batch_size=1, cumulative_every=10)
    t.run(25)
    assert len(t.history.cumulative) == 3  # after steps 1, 11, 21
    net, X, Y = t.net, t.X, t.Y
    trace = net.forward(X)
    assert t.cumulative_error() == pytest.approx(
        float(t.loss_fn.per_sample(trace.z[-1], trace.output, Y).sum()), rel=1e-14)


def test_evaluation_records_test_loss_and_accuracy():
    exp = build(PRESETS["circles"])
    exp.trainer.run(600)
    h = exp.trainer.history
    assert len(h.test_loss) >= 1 and len(h.test_accuracy) >= 1 and len(h.train_accuracy) >= 1
    assert 0.0 <= h.test_accuracy.latest <= 1.0


# ---------------------------------------------------------------- divergence
@pytest.mark.parametrize("batch_size, dtype", [(1, np.float64), (8, np.float64),
                                               (None, np.float64), (8, np.float32)])
def test_divergence_stops_with_finite_parameters(batch_size, dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 2)) * 10
    Y = rng.normal(size=(32, 1)) * 100
    net = Network([2, 4, 1], hidden="relu", output="identity", seed=0, dtype=dtype)
    t = Trainer(net, X, Y, loss="squared_error", lr=1e3, batch_size=batch_size, seed=0)
    ran = t.run(10_000)
    assert ran < 10_000 and t.divergence is not None
    assert t.divergence.step == ran + 1
    assert "lower the learning rate" in t.stop_reason and f"step {ran + 1}" in t.stop_reason
    assert all(np.isfinite(p).all() for p in net.get_params())
    assert t.run(5) == 0  # stays stopped


# ---------------------------------------------------------------- history
def test_bucket_series_stays_bounded_and_keeps_shape():
    s = BucketSeries(capacity=64)
    values = np.abs(np.sin(np.arange(1_000_000) / 5000.0)) + 1.0
    values[123_456] = 100.0  # one spike
    for block in np.array_split(values, 97):
        s.extend(block)
    arr = s.arrays()
    assert len(s) == 1_000_000
    assert len(arr["step"]) <= 64 + s.width
    assert arr["max"].max() == 100.0 and arr["min"].min() == values.min()
    # the mean of all buckets equals the mean of all values (equal-width buckets)
    full = s.n_buckets * s.width
    assert np.mean(arr["mean"][: s.n_buckets]) == pytest.approx(values[:full].mean(), rel=1e-12)
    assert arr["step"][0] == 1 and np.all(np.diff(arr["step"]) > 0)


def test_bucket_series_shows_pending_values_as_buckets_of_its_width():
    """Values not yet flushed (up to 255) are shown as buckets of the current width, the last
    one partial: exactly the chunks of the whole series, with no raw tail after the means."""
    values = np.random.default_rng(1).normal(size=310)
    s = BucketSeries(capacity=64)
    s.extend(values[:300])  # flushed: merged to a width of 8, 4 values left pending
    s.extend(values[300:])  # 14 pending
    arr = s.arrays()
    assert s.width == 8 and len(s._pending) == 14
    chunks = [values[i:i + 8] for i in range(0, 310, 8)]
    np.testing.assert_allclose(arr["mean"], [c.mean() for c in chunks], rtol=1e-12)
    np.testing.assert_array_equal(arr["min"], [c.min() for c in chunks])
    np.testing.assert_array_equal(arr["max"], [c.max() for c in chunks])
    np.testing.assert_array_equal(arr["step"], 1 + np.arange(0, 310, 8))


def test_history_of_a_million_steps_is_small():
    t = make_trainer(batch_size=1, cumulative_every=100)
    t.run(1_000_000)
    h = t.history
    assert len(h.step_loss) == 1_000_000 and len(h.step_loss.arrays()["step"]) <= 8192 * 2
    assert len(h.cumulative) == 10_000
    assert len(h.train_loss.x) <= 8193


def test_point_series_thins_when_full():
    p = PointSeries(capacity=10)
    for i in range(100):
        p.append(i, i * 2.0)
    x, y = p.arrays()
    assert len(x) <= 10 and x[-1] == 99 and np.all(y == 2 * x)


# ---------------------------------------------------------------- network contract
def test_network_contract_shapes():
    net = Network([2, 64, 64, 64, 1], hidden="relu", output="identity", seed=99,
                  dtype=np.float64)
    assert [w.shape for w in net.weights] == [(2, 64), (64, 64), (64, 64), (64, 1)]
    assert [b.shape for b in net.biases] == [(64,), (64,), (64,), (1,)]
    X = np.random.default_rng(0).normal(size=(10, 2))
    trace = net.forward(X)
    assert trace.output.shape == (10, 1)
    grads = net.backward(trace, np.zeros((10, 1)), loss="half_squared_error")
    assert math.isfinite(grads.loss)
    assert [g.shape for g in grads.dW] == [w.shape for w in net.weights]
    assert [g.shape for g in grads.db] == [b.shape for b in net.biases]
    net.weights[0][0, 0] = 5.0  # assignable in place
    assert net.forward(X).z[0][0, 0] != trace.z[0][0, 0] or X[0, 0] == 0


def test_trace_arrays_held_by_the_caller_are_never_recycled():
    rng = np.random.default_rng(0)
    net = Network([2, 256, 256, 1], seed=0)
    X1, X2 = rng.normal(size=(512, 2)), rng.normal(size=(512, 2))
    kept = net.forward(X1)
    copy = [a.copy() for a in kept.a]
    for _ in range(3):
        net.forward(X2)
    for a, c in zip(kept.a, copy):
        assert np.array_equal(a, c)


def test_large_batches_split_across_threads_match_one_thread():
    from nnviz.engine import parallel

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5000, 2)), rng.normal(size=(5000, 1))
    net = Network([2, 32, 32, 1], seed=0)
    old = parallel.get_threads()
    try:
        parallel.set_threads(1)
        g1 = net.backward(net.forward(X), Y)
        parallel.set_threads(2)
        g2 = net.backward(net.forward(X), Y)
    finally:
        parallel.set_threads(old)
    assert g1.loss == pytest.approx(g2.loss, rel=1e-12)
    for a, b in zip(g1.dW, g2.dW):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("bad, match", [
    (dict(sizes=[2]), "at least an input and an output"),
    (dict(sizes=[2, 0, 1]), "at least one neuron"),
    (dict(sizes=[2, 3, 1], hidden="softmax"), "only be the output"),
    (dict(sizes=[2, 3, 1], hidden="swish"), "unknown activation"),
    (dict(sizes=[2, 1], output="softmax"), "at least two output"),
    (dict(sizes=[2, 1], init="orthogonal"), "unknown initialiser"),
    (dict(sizes=[2, 1], dtype="int32"), "float64 or float32"),
])
def test_bad_network_settings_raise_config_error(bad, match):
    sizes = bad.pop("sizes")
    with pytest.raises(ConfigError, match=match):
        Network(sizes, **bad)


def test_bad_trainer_inputs_raise_config_error():
    X, Y = xor_data()
    net = Network([2, 3, 1], output="sigmoid", seed=0)
    with pytest.raises(ConfigError, match="inputs must be"):
        Trainer(net, X[:, :1], Y)
    with pytest.raises(ConfigError, match="targets must be"):
        Trainer(net, X, np.zeros((len(X), 2)))
    with pytest.raises(ConfigError, match="batch size"):
        Trainer(net, X, Y, batch_size=0)
    with pytest.raises(ConfigError, match="unknown optimizer"):
        Trainer(net, X, Y, optimizer="lbfgs")
    with pytest.raises(ConfigError, match="learning rate"):
        Trainer(net, X, Y, lr=0)
