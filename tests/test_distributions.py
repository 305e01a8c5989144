"""Distributions over time (issue 16 item 2): the recorded bands are numpy's percentiles of the
weights and of gradients computed here independently; the memory stays bounded over 100,000
records with evenly spaced steps; the state round trips bit for bit, through session files
too; files with records that make no sense are refused; the vanishing-gradient preset's first
layer gets orders of magnitude less gradient than its fix's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.engine import Network, Trainer
from nnviz.engine.distributions import (
    MAX_BASE_EVERY,
    PERCENTILES,
    DistributionRecorder,
    base_every,
    percentiles_sorted,
)
from nnviz.engine.initializers import init_weights
from nnviz.errors import SessionFileError
from nnviz.experiment import PRESETS, build
from nnviz.session import load_session, save_session
from nnviz.session.format import write_archive
from nnviz.session.state import capture
from nnviz.snapshot import take_snapshot


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60))
def test_percentiles_of_sorted_values_are_numpys_exactly(values):
    x = np.array(values)
    np.testing.assert_array_equal(percentiles_sorted(np.sort(x)), np.percentile(x, PERCENTILES))


def small_trainer(batch_size=4, seed=0, **kw):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(40, 3)), rng.uniform(size=(40, 2))
    net = Network([3, 7, 5, 2], hidden="tanh", output="sigmoid", init="xavier", seed=seed)
    return Trainer(net, X, Y, loss="half_squared_error", lr=0.3, batch_size=batch_size,
                   seed=seed, **kw)


@pytest.mark.parametrize("batch_size", [1, 4, None])
def test_bands_are_numpy_percentiles_of_the_parameters_at_the_recorded_steps(batch_size):
    """Step by step: at each step a record is added, the weights after the step and the
    gradient of its batch (net.backward on the parameters before it) give the bands."""
    t = small_trainer(batch_size)
    rec = t.distributions
    checked = 0
    for _ in range(3 * rec.base + 5):
        before = t.net.get_params()
        n = len(rec)
        t.run(1)
        if len(rec) == n:
            continue
        rows = np.arange(t.n) if batch_size is None else t.last_indices
        net = Network(t.net.sizes, activations=t.net.activation_names, seed=0)
        net.set_params(before)
        grads = net.backward(net.forward(t.X[rows]), t.Y[rows], t.loss_fn)
        got = rec.arrays()
        assert got["step"][-1] == t.step_count
        for l in range(t.net.n_layers):
            W, dW = t.net.weights[l], grads.dW[l]
            np.testing.assert_array_equal(got["weights"][-1, l], np.percentile(W, PERCENTILES))
            np.testing.assert_allclose(got["grads"][-1, l], np.percentile(dW, PERCENTILES),
                                       rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(got["grad_abs"][-1, l],
                                       np.percentile(np.abs(dW), PERCENTILES),
                                       rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(got["grad_norm"][-1, l], np.linalg.norm(dW), rtol=1e-9)
        checked += 1
    assert checked == 3


def test_base_interval_follows_the_work_of_a_step():
    assert base_every(8577, 10_000) == 1  # function-fit: a record is cheap beside a step
    assert base_every(17, 10) == MAX_BASE_EVERY  # xor: capped
    assert base_every(1024, 8) == 4 and base_every(1000, 8) == 8
    assert all(b & (b - 1) == 0 for b in (base_every(n, m) for n in (1, 50, 999)
                                             for m in (1, 3, 100)))


def test_memory_stays_bounded_over_100000_records_with_even_steps():
    rec = DistributionRecorder(2, capacity=4096, base=2)
    arrays = {k: v for k, v in rec._arrays.items()}
    nbytes = sum(v.nbytes for v in arrays.values())
    step, grads = 0, [np.zeros((2, 2)), np.ones((2, 1))]
    for i in range(100_000):
        step += rec.steps_to_next(step)
        assert rec.due(step)
        # the weights carry their step: every band of a record is its step
        rec.record(step, [np.full((2, 2), float(step)), np.full((2, 1), -float(step))], grads)
        assert 0 < len(rec) < 4096
        if i in (4094, 4095, 4096, 9999, 99_999):
            got = rec.arrays()
            steps = got["step"]
            assert np.all(np.diff(steps) == rec.every)  # evenly spaced,
            assert 0 <= step - steps[-1] < rec.every  # from the latest step
            assert steps[0] <= rec.every * 2 and len(steps) >= 2048  # to the first
            bands = np.broadcast_to(steps[:, None], (len(steps), len(PERCENTILES)))
            np.testing.assert_array_equal(got["weights"][:, 0, :], bands)
            np.testing.assert_array_equal(got["weights"][:, 1, :], -bands)
            np.testing.assert_array_equal(got["grad_norm"], [[0.0, 2**0.5]] * len(steps))
    assert rec._arrays == arrays and sum(v.nbytes for v in arrays.values()) == nbytes
    # each doubling comes after 2,048 records: (100,000 - 4,096) / 2,048 + 1 = 47 of them
    assert rec.every == 2 * 2**47 and step > 2048 * rec.every


def test_a_gap_starts_the_records_afresh():
    rec = DistributionRecorder(1, capacity=8, base=1)
    w = [np.ones((2, 2))]
    for s in (1, 2, 3):
        rec.record(s, w, w)
    rec.record(7, w, w)
    assert list(rec.steps()) == [7]


def test_view_is_a_frozen_copy_made_once_per_record():
    t = small_trainer()
    t.run(200)
    v = t.distributions.view()
    assert v is t.distributions.view() and v.weights.dtype == np.float32
    assert not v.weights.flags.writeable and len(v) == len(t.distributions)
    a = take_snapshot(build_xor_after(100))
    assert a.distributions is not None and len(a.distributions) == 100 // 64
    t.run(t.distributions.every)
    assert t.distributions.view() is not v and len(v) == 200 // 64


def build_xor_after(steps):
    exp = build(PRESETS["xor"])
    exp.trainer.run(steps)
    return exp


def test_state_dict_round_trip_bit_for_bit_and_continues_identically():
    a = small_trainer()
    a.run(5000)
    b = small_trainer()
    b.load_state_dict(a.state_dict())
    for t in (a, b):
        t.run(3000)
    for k, v in a.distributions.arrays().items():
        np.testing.assert_array_equal(v, b.distributions.arrays()[k], err_msg=k)
    assert (a.distributions.every, a.distributions.first) == \
        (b.distributions.every, b.distributions.first)


def test_session_save_and_reopen_continue_identically(tmp_path):
    exp = build(PRESETS["vanishing-gradients"])
    exp.trainer.run(3000)
    save_session(tmp_path / "s.nnviz", exp)
    again, _ = load_session(tmp_path / "s.nnviz")
    for k, v in exp.trainer.distributions.state_dict().items():
        np.testing.assert_array_equal(v, again.trainer.distributions.state_dict()[k], err_msg=k)
    for e in (exp, again):
        e.trainer.run(12_000)
    got, want = again.trainer.distributions.arrays(), exp.trainer.distributions.arrays()
    assert len(want["step"]) > 200
    for k in want:
        np.testing.assert_array_equal(got[k], want[k], err_msg=k)


# ---------------------------------------------------------------------------- session sense
def craft(path, change):
    exp = build(PRESETS["xor"])
    exp.trainer.run(700)
    manifest, arrays = capture(exp)
    change(manifest["distributions"], arrays)
    with open(path, "wb") as f:
        write_archive(f, manifest, arrays)
    return path


def _set(key, value):
    return lambda d, a: d.__setitem__(key, value)


def _array(name, fn):
    def change(d, a):
        a[f"distributions/{name}.npy"] = fn(a[f"distributions/{name}.npy"].copy())
    return change


def _nan(x):
    x[0, 0, 0] = np.nan
    return x


@pytest.mark.parametrize("change, words", [
    (_set("every", 96), "power of two"),
    (_set("every", 32), "'every' out of range"),
    (_set("first", 65), "do not fit"),
    (_set("n", 10**9), "'n' out of range"),
    (_set("capacity", 2**40), "'capacity' out of range"),
    (_set("base", 1), "'base' out of range"),
    (_set("first", 6400), "after the trainer's step_count"),
    (_set("n", 3), "shape"),
    (_array("weights", lambda x: x[..., ::-1]), "must rise"),
    (_array("grads", _nan), "NaN"),
    (_array("grad_norm", lambda x: -x), ">= 0"),
    (_array("grad_abs", lambda x: x[:, :1]), "shape"),
])
def test_records_that_make_no_sense_are_refused(tmp_path, change, words):
    path = craft(tmp_path / "bad.nnviz", change)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    msg = str(info.value)
    assert "\n" not in msg and words in msg and "distributions" in msg, msg


def test_a_file_saved_before_distributions_loads_with_none_and_records_on(tmp_path):
    def drop(m, a):
        for k in [k for k in a if k.startswith("distributions/")]:
            del a[k]
        del m["distributions"]

    exp = build(PRESETS["xor"])
    exp.trainer.run(700)
    manifest, arrays = capture(exp)
    drop(manifest, arrays)
    with open(tmp_path / "old.nnviz", "wb") as f:
        write_archive(f, manifest, arrays)
    again, _ = load_session(tmp_path / "old.nnviz")
    assert len(again.trainer.distributions) == 0
    again.trainer.run(200)
    assert list(again.trainer.distributions.steps()) == [704, 768, 832, 896]


# ---------------------------------------------------------------------------- presets
def test_he_initialiser_draws_normal_with_variance_2_over_n_in():
    W = init_weights("he", np.random.default_rng(0), 500, 400)
    assert abs(W.mean()) < 0.01 * np.sqrt(2 / 500)
    assert W.var() == pytest.approx(2 / 500, rel=0.01)


def test_vanishing_preset_first_layer_gradient_is_orders_below_its_fix():
    """Measured, not assumed: mean gradient norm of each layer over the first 1,024 steps."""
    norms = {}
    for name in ("vanishing-gradients", "vanishing-fixed"):
        exp = build(PRESETS[name])
        exp.trainer.run(1024)
        norms[name] = exp.trainer.distributions.arrays()["grad_norm"].mean(axis=0)
    vanish, fixed = norms["vanishing-gradients"], norms["vanishing-fixed"]
    assert vanish[0] < 1e-2 * fixed[0]  # the first layer: two orders of magnitude and more
    assert vanish[0] < 1e-2 * vanish[-1]  # and far below its own last layer
    assert fixed[0] > 0.3 * fixed[-1]  # where the fix keeps it


def test_a_recording_keeps_one_view_and_cuts_it_for_each_past_moment():
    """The timeline's frames carry no bands of their own (a new copy each record would
    cost a frame's size again): a replayed moment shows the latest bands up to its step."""
    from nnviz.recorder import Recording, array_owners

    exp = build(PRESETS["vanishing-gradients"])
    rec = Recording(generation=0)
    for _ in range(12):
        exp.trainer.run(300)
        rec.offer(take_snapshot(exp, with_activity=False))
    latest = take_snapshot(exp, with_activity=False).distributions
    assert all(f.distributions is None for f in rec.frames)
    owners = array_owners(list(rec.frames))  # each array once, as the recording counts
    assert rec.nbytes == sum(a.nbytes for a in owners.values())
    assert not any(np.shares_memory(a, latest.weights) for a in owners.values())
    for i, frame in enumerate(rec.frames):
        shown = rec.frame(i).distributions
        assert shown.step[-1] <= frame.step < shown.step[-1] + 2 * latest.every
        n = len(shown)
        np.testing.assert_array_equal(shown.weights, latest.weights[:n])
        assert np.shares_memory(shown.grad_norm, latest.grad_norm)  # slices, not copies
    assert rec.frame(len(rec) - 1).distributions is latest
