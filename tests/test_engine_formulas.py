"""Each formula written once: the text the app shows says what the engine computes, and the
per-sample kernel's pure-Python forms give the numbers of the numpy forms.

The stated formulas are transcribed here by hand (keyed by their exact text), so a change to
either the text or the maths fails until both agree again.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine import ACTIVATIONS, LOSSES, Network, Trainer, layers
from nnviz.engine.kernels import BatchKernel, SampleKernel, make_kernel
from nnviz.engine.optimizers import make_optimizer
from nnviz.engine.walk import BackpropWalk


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


#: name -> (formula text, a = f(z), derivative text, f'(z))
STATED_ACTIVATIONS = {
    "sigmoid": ("a = σ(z) = 1 / (1 + e^−z)", sig,
                "σ(z)(1 − σ(z)) = a(1 − a)", lambda z: sig(z) * (1 - sig(z))),
    "tanh": ("a = tanh z", np.tanh, "1 − tanh²(z) = 1 − a²", lambda z: 1 - np.tanh(z) ** 2),
    "relu": ("a = max(0, z)", lambda z: np.maximum(0, z),
             "1 if z > 0 else 0", lambda z: np.where(z > 0, 1.0, 0.0)),
    "leaky_relu": ("a = z if z > 0 else 0.01 z", lambda z: np.where(z > 0, z, 0.01 * z),
                   "1 if z > 0 else 0.01", lambda z: np.where(z > 0, 1.0, 0.01)),
    "identity": ("a = z", lambda z: z, "1", lambda z: np.ones_like(z)),
}
SOFTMAX_TEXT = ("a_i = e^z_i / Σ_j e^z_j",
                "∂a_i/∂z_j = a_i(δ_ij − a_j); on the diagonal a_i(1 − a_i)")

#: name -> (formula, L(ŷ, y) per sample, derivative text, dL/dŷ, delta text, dL/dz(z, y))
STATED_LOSSES = {
    "squared_error": (
        "L = Σ (ŷ − y)²", lambda p, y: ((p - y) ** 2).sum(-1),
        "dL/dŷ = 2(ŷ − y)", lambda p, y: 2 * (p - y),
        "dL/dz = 2(ŷ − y) · f′(z)", lambda z, y: 2 * (np.tanh(z) - y) * (1 - np.tanh(z) ** 2),
    ),
    "half_squared_error": (
        "L = ½ Σ (ŷ − y)²", lambda p, y: 0.5 * ((p - y) ** 2).sum(-1),
        "dL/dŷ = ŷ − y", lambda p, y: p - y,
        "dL/dz = (ŷ − y) · f′(z)", lambda z, y: (np.tanh(z) - y) * (1 - np.tanh(z) ** 2),
    ),
    "binary_cross_entropy": (
        "L = −Σ [y log ŷ + (1 − y) log(1 − ŷ)]",
        lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(-1),
        "dL/dŷ = (ŷ − y) / (ŷ(1 − ŷ))", lambda p, y: (p - y) / (p * (1 - p)),
        "dL/dz = ŷ − y", lambda z, y: sig(z) - y,
    ),
    "cross_entropy": (
        "L = −Σ y log ŷ", lambda p, y: -(y * np.log(p)).sum(-1),
        "dL/dŷ = −y / ŷ", lambda p, y: -y / p,
        "dL/dz = ŷ·Σy − y", lambda z, y: softmax(z) * y.sum(-1, keepdims=True) - y,
    ),
}
#: the output activation each loss is checked with (the squared errors: tanh, as stated above)
LOSS_OUTPUT = {"squared_error": "tanh", "half_squared_error": "tanh",
               "binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}


def central(f, x, eps=1e-6):
    """d f(x) / dx elementwise for f acting on each element."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


Z = np.linspace(-6, 6, 241) + 0.013  # no point on a kink


@pytest.mark.parametrize("name", list(STATED_ACTIVATIONS))
def test_activation_text_is_what_the_engine_computes(name):
    act = ACTIVATIONS[name]
    formula, f, derivative_text, df = STATED_ACTIVATIONS[name]
    assert (act.formula, act.derivative_formula) == (formula, derivative_text)
    a = act.forward(Z.copy())
    np.testing.assert_allclose(a, f(Z), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(act.derivative(a), df(Z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(central(lambda z: act.forward(z), Z), df(Z), rtol=1e-6, atol=1e-9)
    assert act.help  # the tooltip says something


def test_softmax_text_is_what_the_engine_computes():
    act = ACTIVATIONS["softmax"]
    assert (act.formula, act.derivative_formula) == SOFTMAX_TEXT
    z = np.array([[0.3, -1.2, 2.0, 0.1]])
    a = act.forward(z.copy())
    np.testing.assert_allclose(a, np.exp(z) / np.exp(z).sum(), rtol=1e-14)
    jac = a[0][:, None] * (np.eye(4) - a[0][None, :])  # the stated ∂a_i/∂z_j
    numeric = np.array([central(lambda t, j=j: act.forward(z + t * np.eye(4)[j])[0], 0.0)
                        for j in range(4)]).T  # [i, j] = ∂a_i/∂z_j
    np.testing.assert_allclose(numeric, jac, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(act.derivative(a)[0], np.diag(jac), rtol=1e-14)
    g = np.array([[0.5, -1.0, 0.25, 2.0]])
    np.testing.assert_allclose(act.backprop(a, g.copy()), g @ jac, rtol=1e-13)  # J^T g


@pytest.mark.parametrize("name", list(STATED_LOSSES))
def test_loss_text_is_what_the_engine_computes(name):
    """Value, dL/dŷ and dL/dz against the stated forms and against finite differences of the
    engine's own per-sample loss, with soft targets (not only one-hot ones)."""
    loss, act = LOSSES[name], ACTIVATIONS[LOSS_OUTPUT[name]]
    formula, L, derivative_text, dL, delta_text, delta = STATED_LOSSES[name]
    assert (loss.formula, loss.derivative_formula, loss.delta_formula) == (
        formula, derivative_text, delta_text)
    assert loss.help
    rng = np.random.default_rng(7)
    z = rng.normal(size=(5, 3))
    y = rng.uniform(0.05, 0.95, size=(5, 3))  # soft targets; cross-entropy's rows do not sum to 1
    a = act.forward(z.copy())
    np.testing.assert_allclose(loss.per_sample(z, a, y), L(a, y), rtol=1e-12)
    np.testing.assert_allclose(loss.grad_output(a, y), dL(a, y), rtol=1e-12)
    np.testing.assert_allclose(
        loss.grad_output(a, y),
        np.array([[central(lambda t, i=i, k=k: L(a[i] + t * np.eye(3)[k], y[i]), 0.0)
                   for k in range(3)] for i in range(5)]),
        rtol=1e-6)
    out_delta = loss.output_delta(z, a, y, act, m=1)
    np.testing.assert_allclose(out_delta, delta(z, y), rtol=1e-12, atol=1e-15)

    def engine_loss(i, zi):
        zi = zi[None]
        return loss.per_sample(zi, act.forward(zi.copy()), y[i : i + 1])[0]

    numeric = np.array([[central(lambda t, i=i, k=k: engine_loss(i, z[i] + t * np.eye(3)[k]), 0.0)
                         for k in range(3)] for i in range(5)])
    np.testing.assert_allclose(out_delta, numeric, rtol=1e-6, atol=1e-9)
    # the batch mean's 1/m
    np.testing.assert_allclose(loss.output_delta(z, a, y, act), out_delta / 5, rtol=1e-15)


def test_cross_entropy_delta_is_unchanged_bit_for_bit_for_one_hot_targets():
    loss, act = LOSSES["cross_entropy"], ACTIVATIONS["softmax"]
    z = np.random.default_rng(1).normal(size=(6, 4))
    y = np.eye(4)[[0, 3, 1, 1, 2, 0]]
    a = act.forward(z.copy())
    assert np.array_equal(loss.output_delta(z, a, y, act), (a - y) / 6)


# ----------------------------------------------------------------- properties
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_marks_are_properties_of_the_maths(name):
    """can_die: f' is 0 for every z < 0; bounded: f stays in output_range, which is finite;
    saturation thresholds lie inside that range (where f' is near 0)."""
    act = ACTIVATIONS[name]
    z = np.linspace(-50, 50, 1001).reshape(-1, 1) + 0.01
    if act.output_only:
        z = np.hstack([z, np.zeros_like(z)])
    a = act.forward(z.copy())
    lo, hi = act.output_range
    assert np.all((a >= lo) & (a <= hi))
    if not act.bounded:
        assert np.max(np.abs(a)) > 10
    negative = z[:, 0] < 0
    assert act.can_die == bool(np.all(act.derivative(a)[negative, 0] == 0))
    if act.saturation is not None:
        s_lo, s_hi = act.saturation
        assert lo < s_lo < s_hi < hi and act.bounded
        edge = act.derivative(np.array([s_lo, s_hi]))
        assert np.all(edge < 0.05)


def test_bounded_and_can_die_are_what_panels_relied_on():
    assert {n for n, a in ACTIVATIONS.items() if a.bounded} == {"tanh", "sigmoid", "softmax"}
    assert {n for n, a in ACTIVATIONS.items() if a.can_die} == {"relu"}


# ----------------------------------------------------------------- scalar forms = numpy forms
SCALAR_Z = [-800.0, -709.78, -709.0, -100.0, -36.9, -3.0, -1e-300, 0.0, 1e-300, 0.5, 3.0, 36.9,
            100.0, 710.0, 800.0]


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.scalar is not None])
def test_scalar_activation_equals_numpy(name):
    act = ACTIVATIONS[name]
    z = np.array(SCALAR_Z + list(np.linspace(-10, 10, 401)))
    with np.errstate(over="ignore"):
        a = act.forward(z.copy())
    scalar = np.array([act.scalar(float(v)) for v in z])
    np.testing.assert_allclose(scalar, a, rtol=1e-15, atol=0)  # libm vs numpy: <= 2 ulp
    d = act.derivative(a)
    scalar_d = np.array([1.0 if act.scalar_derivative is None else act.scalar_derivative(float(v))
                         for v in a])
    assert np.array_equal(scalar_d, d)


@pytest.mark.parametrize("name", [n for n, loss in LOSSES.items()
                                  if loss.scalar_output(None) is not None])
@pytest.mark.parametrize("output", ["sigmoid", "tanh", "identity", "relu"])
def test_scalar_loss_equals_numpy(name, output):
    loss, act = LOSSES[name], ACTIVATIONS[output]
    if loss.requires_output not in (None, output):
        pytest.skip("not a pairing the engine accepts")
    rng = np.random.default_rng(3)
    for _ in range(20):
        z = rng.normal(scale=4, size=(1, 2))
        y = rng.integers(2, size=(1, 2)).astype(float) if loss.fused else rng.normal(size=(1, 2))
        a = act.forward(z.copy())
        value, delta = loss.scalar_output(act.scalar_derivative)(z[0].tolist(), a[0].tolist(),
                                                                 y[0].tolist())
        assert value == pytest.approx(loss.per_sample(z, a, y)[0], rel=1e-15, abs=1e-300)
        np.testing.assert_allclose(delta, loss.output_delta(z, a, y, act, m=1)[0], rtol=1e-15)


def test_pure_python_layer_equals_numpy_layer():
    rng = np.random.default_rng(5)
    a_prev, W, b = rng.normal(size=(1, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    for name in ("tanh", "sigmoid", "relu", "leaky_relu", "identity"):
        act = ACTIVATIONS[name]
        z, a = np.empty((1, 4)), np.empty((1, 4))
        layers.forward(a_prev, W, b, act, z, a)
        z_py, a_py = layers.forward_py(a_prev[0].tolist(), W.T.tolist(), b.tolist(), act.scalar)
        np.testing.assert_allclose(z_py, z[0], rtol=1e-14)
        np.testing.assert_allclose(a_py, a[0], rtol=1e-14)
        h = act.forward(rng.normal(size=(1, 3)))  # a_prev = f(z_prev), with this f
        delta = rng.normal(size=(1, 4))
        dW, db, delta_prev = np.empty((3, 4)), np.empty(4), np.empty((1, 3))
        layers.backward(h, delta, W, dW, db, act, delta_prev)
        dW_py, back = layers.backward_py(h[0].tolist(), delta[0].tolist(), W.T.tolist(),
                                         act.scalar_derivative)
        np.testing.assert_allclose(np.array(dW_py).T, dW, rtol=1e-15)
        np.testing.assert_allclose(delta[0], db, rtol=0)
        np.testing.assert_allclose(back, delta_prev[0], rtol=1e-14, atol=1e-300)
        assert layers.backward_py(h[0].tolist(), delta[0].tolist(), None, None)[1] is None


def test_network_is_built_from_the_layer_functions():
    """Network.forward/backward give what layers.forward/backward give, layer by layer."""
    rng = np.random.default_rng(2)
    net = Network([3, 5, 4, 2], hidden="tanh", output="sigmoid", seed=4)
    X, Y = rng.normal(size=(7, 3)), rng.integers(2, size=(7, 2)).astype(float)
    trace = net.forward(X)
    grads = net.backward(trace, Y, "binary_cross_entropy")
    a = X
    for l, (W, b, act) in enumerate(zip(net.weights, net.biases, net.activations)):
        z, out = np.empty((7, W.shape[1])), np.empty((7, W.shape[1]))
        layers.forward(a, W, b, act, z, out)
        assert np.array_equal(z, trace.z[l]) and np.array_equal(out, trace.a[l + 1])
        a = out
    for l in range(net.n_layers):
        dW, db = np.empty_like(net.weights[l]), np.empty_like(net.biases[l])
        prev = np.empty_like(trace.z[l - 1]) if l else None
        layers.backward(trace.a[l], grads.delta[l], net.weights[l], dW, db,
                        net.activations[l - 1] if l else None, prev)
        assert np.array_equal(dW, grads.dW[l]) and np.array_equal(db, grads.db[l])
        if l:
            assert np.array_equal(prev, grads.delta[l - 1])


# ----------------------------------------------------------------- the two kernels agree
SAMPLE_CASES = [
    ("sigmoid", "sigmoid", "squared_error"),
    ("tanh", "identity", "half_squared_error"),
    ("relu", "tanh", "squared_error"),
    ("leaky_relu", "sigmoid", "binary_cross_entropy"),
    ("identity", "relu", "half_squared_error"),
]


def pair(hidden, output, loss):
    """The same network and data on the per-sample and on the numpy kernel."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(12, 2))
    Y = (rng.integers(2, size=(12, 1)).astype(float) if loss == "binary_cross_entropy"
         else rng.normal(size=(12, 1)))
    out = []
    for optimizer, settings in (("sgd", {}), ("momentum", {"momentum": 0.0})):
        net = Network([2, 3, 1], hidden=hidden, output=output, seed=3)
        out.append(Trainer(net, X, Y, loss=loss, lr=0.05, batch_size=1, order="sequential",
                           optimizer=optimizer, optimizer_settings=settings, seed=0))
    return out


@pytest.mark.parametrize("hidden, output, loss", SAMPLE_CASES)
def test_sample_kernel_equals_batch_kernel(hidden, output, loss):
    python, numpy = pair(hidden, output, loss)
    assert isinstance(python.kernel, SampleKernel) and isinstance(numpy.kernel, BatchKernel)
    python.run(60)
    numpy.run(60)
    for p, q in zip(python.net.get_params(), numpy.net.get_params()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)
    assert python.history.step_loss.latest == pytest.approx(numpy.history.step_loss.latest,
                                                            rel=1e-12)
    assert python.full_loss() == pytest.approx(numpy.full_loss(), rel=1e-12)


@pytest.mark.parametrize("hidden, output, loss", SAMPLE_CASES[:3])
def test_both_kernels_show_the_same_phase_values(hidden, output, loss):
    """The kernel protocol's views: a walked sample shows the same arrays on either kernel."""
    python, numpy = pair(hidden, output, loss)
    walks = [BackpropWalk(t, mode="sequential") for t in (python, numpy)]
    for _ in range(2 * len(walks[0].phases) + 3):
        for w in walks:
            w.next_phase_step()
        v, u = walks[0].values(), walks[1].values()
        for name in ("z", "a", "delta", "dW", "db"):
            for x, y in zip(getattr(v, name), getattr(u, name)):
                assert (x is None) == (y is None)
                if x is not None:
                    assert x.shape == y.shape
                    np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-15)
        assert (v.changes is None) == (u.changes is None)
        if v.changes is not None:
            for x, y in zip(v.changes, u.changes):
                np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-15)


def test_make_kernel_picks_by_what_the_python_kernel_supports():
    net = Network([2, 3, 1], hidden="tanh", output="sigmoid", seed=0)
    loss, sgd = LOSSES["binary_cross_entropy"], make_optimizer("sgd", 0.1)
    assert isinstance(make_kernel(net, loss, sgd, 1), SampleKernel)
    assert isinstance(make_kernel(net, loss, sgd, 2), BatchKernel)
    assert isinstance(make_kernel(net, loss, make_optimizer("sgd", 0.1, l2=0.1), 1), BatchKernel)
    assert isinstance(make_kernel(net, loss, make_optimizer("adam", 0.1), 1), BatchKernel)
    soft = Network([2, 3, 2], hidden="tanh", output="softmax", seed=0)
    assert isinstance(make_kernel(soft, LOSSES["cross_entropy"], sgd, 1), BatchKernel)
    big = Network([2, 16, 1], hidden="tanh", output="sigmoid", seed=0)
    assert isinstance(make_kernel(big, loss, sgd, 1), BatchKernel)
