"""Backprop against central finite differences, for every activation x loss pairing."""

from __future__ import annotations

import itertools
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.engine import HIDDEN_ACTIVATIONS, Network, finite_difference, gradient_check
from nnviz.errors import ConfigError

OUTPUTS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")
PAIRINGS = [(out, loss) for out in OUTPUTS for loss in ("squared_error", "half_squared_error")]
PAIRINGS += [("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy")]


def targets(rng, loss, m, k):
    if loss == "cross_entropy":
        return np.eye(k)[rng.integers(k, size=m)]
    if loss == "binary_cross_entropy":
        return rng.integers(2, size=(m, k)).astype(float)
    return rng.normal(size=(m, k))


def all_parameters(net):
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        for index in np.ndindex(W.shape):
            yield l, "W", index
        for index in np.ndindex(b.shape):
            yield l, "b", index


def near_kink(net, X, threshold=1e-4):
    """True if some relu/leaky_relu pre-activation is so near 0 that FD straddles the kink."""
    trace = net.forward(X)
    for act, z in zip(net.activations, trace.z):
        if act.name in ("relu", "leaky_relu") and np.any(np.abs(z) < threshold):
            return True
    return False


#: the finite differences' step
FD_STEP = 1e-6


def check_network(net, X, Y, loss, rtol=1e-6):
    """Every dL/dθ against its central difference, to ``rtol`` plus the difference's rounding:
    L(θ ± h) each carry ~ε·|L| of it, so (L₊ − L₋) / 2h is off by up to ~ε·|L| / h (a loss of
    10 and h = 1e-6: ~2e-9, more than a fixed 1e-9 allowed)."""
    grads = net.backward(net.forward(X), Y, loss)
    rounding = 4 * np.finfo(float).eps * max(1.0, abs(grads.loss)) / FD_STEP
    for l, kind, index in all_parameters(net):
        analytic = (grads.dW if kind == "W" else grads.db)[l][index]
        numeric = finite_difference(net, X, Y, loss, l, kind, index, eps=FD_STEP)
        scale = max(abs(analytic), abs(numeric))
        assert abs(analytic - numeric) <= rtol * scale + rounding, \
            (l, kind, index, analytic, numeric)


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("output, loss", PAIRINGS)
def test_gradients_match_finite_differences(hidden, output, loss):
    rng = np.random.default_rng(zlib.crc32(f"{hidden} {output} {loss}".encode()))
    for _attempt in range(20):
        n_out = 3 if output == "softmax" else int(rng.integers(1, 4))
        sizes = [int(rng.integers(1, 4))] + list(rng.integers(1, 5, size=2)) + [n_out]
        net = Network(sizes, hidden=hidden, output=output, init="xavier",
                      bias_init=0.1, seed=int(rng.integers(1 << 30)))
        X = rng.normal(size=(5, sizes[0]))
        if not near_kink(net, X):
            break
    check_network(net, X, targets(rng, loss, 5, n_out), loss)


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
    pairing=st.sampled_from([p for p in PAIRINGS if p[0] != "softmax"]),
    hidden=st.sampled_from(["sigmoid", "tanh", "identity"]),
    seed=st.integers(0, 2**31),
    batch=st.integers(1, 7),
)
def test_random_architectures_match_finite_differences(sizes, pairing, hidden, seed, batch):
    """Smooth activations only: random architectures never meet a ReLU kink."""
    output, loss = pairing
    rng = np.random.default_rng(seed)
    net = Network(sizes, hidden=hidden, output=output, init="xavier", bias_init=0.1, seed=seed)
    X = rng.normal(size=(batch, sizes[0]))
    check_network(net, X, targets(rng, loss, batch, sizes[-1]), loss)


def test_a_large_loss_keeps_its_gradient_check():
    """The case hypothesis found (loss 10.5): analytic 1.5795770e-4, central difference
    1.5795631e-4, apart by 1.4e-9, the difference's own rounding at h = 1e-6."""
    rng = np.random.default_rng(3)
    net = Network([4, 6, 1, 5], hidden="sigmoid", output="sigmoid", init="xavier",
                  bias_init=0.1, seed=3)
    X = rng.normal(size=(1, 4))
    check_network(net, X, targets(rng, "squared_error", 1, 5), "squared_error")


@pytest.mark.parametrize("output, loss", PAIRINGS)
def test_float32_gradients_close_to_float64(output, loss):
    rng = np.random.default_rng(7)
    n_out = 3 if output == "softmax" else 2
    net64 = Network([3, 8, 8, n_out], hidden="tanh", output=output, init="xavier", seed=3)
    net32 = Network([3, 8, 8, n_out], hidden="tanh", output=output, init="xavier", seed=3,
                    dtype=np.float32)
    X, Y = rng.normal(size=(16, 3)), targets(rng, loss, 16, n_out)
    g64 = net64.backward(net64.forward(X), Y, loss)
    g32 = net32.backward(net32.forward(X), Y, loss)
    assert g32.dW[0].dtype == np.float32 and g32.delta[0].dtype == np.float32
    assert g32.loss == pytest.approx(g64.loss, rel=1e-5)
    for a, b in zip(g32.dW + g32.db, g64.dW + g64.db):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_gradient_check_reports_relative_difference():
    rng = np.random.default_rng(0)
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=1)
    X, Y = rng.normal(size=(6, 2)), rng.integers(2, size=(6, 1)).astype(float)
    check = gradient_check(net, X, Y, "binary_cross_entropy", 0, "W", (1, 2))
    assert check.relative_difference < 1e-7
    grads = net.backward(net.forward(X), Y, "binary_cross_entropy")
    assert check.analytic == grads.dW[0][1, 2]


def test_relu_neuron_with_zero_output_passes_no_gradient():
    """Seed 003's hand-worked example: a hidden ReLU at 0 gets no gradient on its outgoing
    weight, nor on its incoming ones."""
    net = Network([2, 3, 1], hidden="relu", output="identity", seed=0)
    net.weights[0][:] = [[0.5, 0.2, -0.9], [0.3, 0.4, -0.2]]
    net.biases[0][:] = [0.0, 0.0, 0.0]
    net.weights[1][:] = [[0.1], [0.2], [0.3]]
    X, Y = np.array([[0.4, 0.6]]), np.array([[0.8]])
    trace = net.forward(X)
    assert trace.a[1][0, 2] == 0.0
    grads = net.backward(trace, Y, "half_squared_error")
    assert grads.dW[1][2, 0] == 0.0
    assert not grads.dW[0][:, 2].any() and grads.db[0][2] == 0.0
    assert grads.dW[1][0, 0] != 0.0


def test_sigmoid_and_softmax_are_stable_on_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for output, loss in (("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy")):
            net = Network([1, 2], output=output, seed=0)
            net.weights[0][:] = [[1e4, -1e4]]
            X = np.array([[1.0], [-1.0]])
            Y = np.array([[1.0, 0.0], [0.0, 1.0]]) if output == "softmax" else np.ones((2, 2))
            grads = net.backward(net.forward(X), Y, loss)
            assert np.isfinite(grads.loss)
            assert all(np.isfinite(g).all() for g in grads.dW)


def test_mismatched_output_and_loss_are_refused():
    rng = np.random.default_rng(0)
    for output, loss in itertools.product(("identity", "tanh", "softmax"),
                                          ("binary_cross_entropy",)):
        net = Network([2, 2], output=output, seed=0)
        with pytest.raises(ConfigError, match="needs a sigmoid output"):
            net.backward(net.forward(rng.normal(size=(3, 2))), np.ones((3, 2)), loss)
    net = Network([2, 2], output="sigmoid", seed=0)
    with pytest.raises(ConfigError, match="needs a softmax output"):
        net.backward(net.forward(rng.normal(size=(3, 2))), np.eye(2)[[0, 1, 0]], "cross_entropy")
