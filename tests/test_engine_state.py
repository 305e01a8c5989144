"""state_dict() / load_state_dict(): a trainer taken apart and put back continues bit for bit."""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest

from nnviz.engine import BucketSeries, Network, PointSeries, Trainer
from nnviz.engine.kernels import BatchKernel, SampleKernel
from nnviz.engine.optimizers import make_optimizer
from nnviz.engine.sampling import Sampler
from nnviz.engine.state import capture, restore
from nnviz.errors import ConfigError


def make_trainer(optimizer="sgd", order="random", batch_size=1, legacy=False, sizes=(2, 3, 1),
                 **kw):
    """A small XOR-like problem; legacy: the sample order comes from a RandomState."""
    data = np.random.default_rng(0)
    X = data.uniform(-1, 1, size=(37, 2))
    Y = ((X[:, 0] * X[:, 1]) < 0).astype(float).reshape(-1, 1)
    net = Network(list(sizes), hidden="tanh", output="sigmoid", init="xavier", seed=1)
    rng = np.random.RandomState(5) if legacy else np.random.default_rng(5)
    return Trainer(net, X, Y, loss="binary_cross_entropy", optimizer=optimizer, lr=0.1,
                   batch_size=batch_size, order=order, rng=rng, cumulative_every=7, **kw)


def run_record(t: Trainer, steps: int):
    """Losses of ``steps`` single steps, then everything observable about the trainer."""
    losses = [t.step() for _ in range(steps)]
    t.sync()
    h = t.history
    return (losses, [p.copy() for p in t.net.get_params()], t.step_count, t.samples_seen,
            t.last_indices.tolist(), h.step_loss.arrays(), h.cumulative.arrays(),
            [getattr(h, n).arrays() for n in ("train_loss", "train_accuracy")])


def same(a, b) -> bool:
    """Exact equality of nested tuples/lists/dicts of floats and arrays (NaN equals NaN)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b, equal_nan=a.dtype.kind == "f") and a.dtype == b.dtype
    return a == b or (a != a and b != b)


KERNELS = {"sample": dict(batch_size=1), "batch-of-1": dict(batch_size=1, sizes=(2, 9, 9, 1)),
           "batch": dict(batch_size=5), "full": dict(batch_size=None)}
GRID = list(itertools.product(("sgd", "momentum", "adam"), ("random", "shuffle", "sequential"),
                              KERNELS, (False, True)))


@pytest.mark.parametrize("optimizer,order,kernel,legacy", GRID)
def test_a_fresh_trainer_loaded_with_a_state_dict_continues_bit_for_bit(optimizer, order,
                                                                        kernel, legacy):
    kw = dict(optimizer=optimizer, order=order, legacy=legacy, **KERNELS[kernel])
    t = make_trainer(**kw)
    t.run(53)  # mid-epoch, mid-cycle, after a cumulative point and an epoch
    state = t.state_dict()
    expected = run_record(t, 40)

    fresh = make_trainer(**kw)
    fresh.load_state_dict(state)
    assert same(run_record(fresh, 40), expected)
    # the same trainer, rewound, too; and the state dict was not used up by loading it
    t.load_state_dict(state)
    assert same(run_record(t, 40), expected)


def test_the_kernels_the_grid_means_are_the_ones_that_run():
    assert isinstance(make_trainer(**KERNELS["sample"]).kernel, SampleKernel)
    assert isinstance(make_trainer(**KERNELS["batch-of-1"]).kernel, BatchKernel)
    assert isinstance(make_trainer(optimizer="adam", **KERNELS["sample"]).kernel, BatchKernel)


@pytest.mark.parametrize("kernel", ["sample", "batch"])
def test_a_state_dict_is_a_copy(kernel):
    t = make_trainer(optimizer="sgd" if kernel == "sample" else "adam", order="shuffle",
                     batch_size=1 if kernel == "sample" else 4)
    t.run(300)
    state = t.state_dict()
    frozen = copy.deepcopy(state)
    t.run(300)
    t.sync()
    t.lr = 0.5
    t.set_regularization(l2=0.1)
    t.net.weights[0][...] = 7.0
    assert same(state, frozen)


def test_loading_switches_back_an_optimizer_changed_since():
    t = make_trainer(optimizer="momentum", batch_size=4)
    t.run(20)
    state = t.state_dict()
    expected = run_record(t, 30)
    t.set_optimizer("adam", lr=0.01)
    t.set_regularization(l1=0.01)
    t.run(5)
    t.load_state_dict(state)
    assert (t.optimizer.name, t.optimizer.l1, t.optimizer.momentum) == ("momentum", 0.0, 0.9)
    assert same(run_record(t, 30), expected)


def test_loading_into_a_sample_kernel_trainer_after_regularization_rebuilds_the_kernel():
    t = make_trainer(optimizer="sgd", batch_size=1)
    t.run(10)
    assert isinstance(t.kernel, SampleKernel)
    state = t.state_dict()
    t.set_regularization(l2=0.01)  # the numpy kernel takes over
    t.run(10)
    assert isinstance(t.kernel, BatchKernel)
    t.load_state_dict(state)
    assert isinstance(t.kernel, SampleKernel)
    assert t.step_count == 10 and t.optimizer.l2 == 0.0


def test_rewind_keeps_the_stop_conditions_set_now():
    t = make_trainer()
    t.run(10)
    state = capture(t)
    t.max_steps = 15
    t.run(10)
    assert t.step_count == 15 and t.stopped
    restore(t, state)
    assert t.step_count == 10 and t.max_steps == 15 and not t.stopped


def test_optimizer_state_dict_round_trip_and_checks():
    params = [np.ones((2, 3)), np.ones(3)]
    grads = [np.full((2, 3), 0.5), np.full(3, -0.25)]
    a = make_optimizer("adam", 0.01, beta1=0.8)
    for _ in range(3):
        a.compute(params, grads)
    d = a.state_dict()
    assert set(d) == {"name", "lr", "l1", "l2", "t", "settings", "changes", "m", "v"}
    assert d["settings"] == {"beta1": 0.8, "beta2": 0.999, "eps": 1e-8} and d["t"] == 3
    b = make_optimizer("adam", 0.5)
    b.load_state_dict(d)
    a.compute(params, grads)
    b.compute(params, grads)
    assert same(a.state_dict(), b.state_dict())
    with pytest.raises(ValueError, match="adam"):
        make_optimizer("momentum", 0.1).load_state_dict(d)
    with pytest.raises(ConfigError, match="learning rate"):
        b.load_state_dict({**d, "lr": -1.0})
    with pytest.raises(ConfigError, match="L2"):
        b.load_state_dict({**d, "l2": float("nan")})
    with pytest.raises(ValueError, match="settings"):
        b.load_state_dict({**d, "settings": {"beta1": 0.9}})


def test_bucket_series_round_trip_into_another_capacity():
    values = np.random.default_rng(2).normal(size=1000)
    a = BucketSeries(capacity=16, first=1, spacing=3)
    a.extend(values[:700])
    b = BucketSeries()
    b.load_state_dict(a.state_dict())
    assert b.capacity == 16 and (b.first, b.spacing) == (1, 3)
    for s in (a, b):
        s.extend(values[700:])
    assert same(a.arrays(), b.arrays()) and a.latest == b.latest and len(a) == len(b)
    bad = {**a.state_dict(), "count": a.count + 1}
    with pytest.raises(ValueError, match="counts"):
        b.load_state_dict(bad)
    with pytest.raises(ValueError, match="pending"):
        b.load_state_dict({**a.state_dict(), "pending": np.zeros(10_000)})
    with pytest.raises(ValueError, match="even"):
        b.load_state_dict({**a.state_dict(), "capacity": 17})


def test_point_series_round_trip():
    a = PointSeries(capacity=6)
    for i in range(20):
        a.append(i / 3, i * 0.5)
    b = PointSeries()
    b.load_state_dict(a.state_dict())
    a.append(9.0, 1.0)
    b.append(9.0, 1.0)
    assert same(a.arrays(), b.arrays()) and b.capacity == 6
    with pytest.raises(ValueError):
        b.load_state_dict({"capacity": 6, "x": np.zeros(3), "y": np.zeros(2)})


@pytest.mark.parametrize("legacy", [False, True])
def test_sampler_round_trip_restores_the_shared_generator_in_place(legacy):
    rng = np.random.RandomState(1) if legacy else np.random.default_rng(1)
    s = Sampler(10, 3, "shuffle", rng)
    s.next_batch()
    d = s.state_dict()
    expected = [s.next_batch().tolist() for _ in range(9)]
    s.load_state_dict(d)
    assert [s.next_batch().tolist() for _ in range(9)] == expected
    twin = Sampler(10, 3, "random", rng)  # shares the generator, as trainer and sampler do
    s.load_state_dict(d)
    first = twin.next_batch().tolist()
    s.load_state_dict(d)
    assert twin.next_batch().tolist() == first
    with pytest.raises(ValueError, match="order"):
        Sampler(10, 3, "sequential", rng).load_state_dict(d)
    other = np.random.default_rng(1) if legacy else np.random.RandomState(1)
    with pytest.raises(ValueError, match="generator"):
        Sampler(10, 3, "shuffle", other).load_state_dict(d)
    with pytest.raises(ValueError, match="cycle"):
        s.load_state_dict({**d, "cycle": np.array([0, 10])})


def test_loading_refuses_indices_outside_the_data():
    t = make_trainer()
    t.run(3)
    with pytest.raises(ValueError, match="last indices"):
        t.load_state_dict({**t.state_dict(), "last_indices": np.array([37])})


# ---------------------------------------------------------------- stop conditions
def test_limit_reached_names_the_condition_that_holds():
    t = make_trainer(batch_size=1)
    assert t.limit_reached() is None
    t.max_steps = 5
    assert t.run(100) == 5 and t.stop_reason == "reached 5 steps" == t.limit_reached()
    t.max_epochs = 0.1
    assert t.limit_reached() == "reached 0.1 epochs"


def test_resume_refuses_while_a_condition_holds_and_clears_otherwise():
    t = make_trainer(batch_size=1, max_steps=5)
    t.run(10)
    assert not t.resume() and t.stopped
    t.max_steps = None
    t.max_epochs = 0.05  # 1.85 samples: already passed
    assert not t.resume() and t.stop_reason == "reached 0.05 epochs"
    t.max_epochs = None
    assert t.resume() and not t.stopped and t.run(3) == 3


def test_resume_clears_a_divergence_even_while_a_condition_holds():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(32, 2)) * 10, rng.normal(size=(32, 1)) * 100
    net = Network([2, 4, 1], hidden="relu", output="identity", seed=0)
    t = Trainer(net, X, Y, loss="squared_error", lr=1e3, batch_size=8, seed=0)
    t.run(10_000)
    assert t.divergence is not None
    t.max_steps = 0  # holds, but the stop was the divergence
    assert t.resume() and t.divergence is None and not t.stopped


@pytest.mark.parametrize("batch_size", [1, 5, 36, None])
def test_steps_to_epoch_end_is_exactly_the_steps_that_end_the_epoch(batch_size):
    t = make_trainer(batch_size=batch_size)
    for _ in range(4):
        k, epochs = t.steps_to_epoch_end(), t.samples_seen // t.n
        t.run(k - 1)
        assert t.samples_seen // t.n == epochs
        t.run(1)
        assert t.samples_seen // t.n == epochs + 1
