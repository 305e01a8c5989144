"""The inspector's chain-rule text shows the engine's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine.walk import BackpropWalk
from nnviz.experiment import PRESETS, build
from nnviz.explain import explain_connection, explain_neuron, explain_output, fmt


def walked(preset, phases=None, pick=None):
    exp = build(PRESETS[preset])
    walk = BackpropWalk(exp.trainer)
    if pick is not None:
        walk.pick(pick)
    if phases is None:
        walk.finish_sample()
    else:
        for _ in range(phases):
            walk.next_phase_step()
    return exp, walk


def test_single_neuron_chain_rule_in_numbers():
    """Seed 001: dL/dw = dL/dŷ · dŷ/dz · dz/dw, each factor with its number."""
    exp, walk = walked("single-neuron")
    v, before = walk.values(), walk.params_before
    i = walk.indices[0]
    ex = explain_output(v, exp.trainer.Y[[i]], "squared_error", exp.net.activation_names, before)
    x, y = exp.trainer.X[i], exp.trainer.Y[i, 0]
    w, b = before[0][:, 0], before[1][0]
    z = x @ w + b
    y_hat = 1 / (1 + np.exp(-z))
    assert ex.values["y_hat"][0] == pytest.approx(y_hat, rel=1e-15)
    assert ex.values["dL_dyhat"][0] == pytest.approx(2 * (y_hat - y), rel=1e-14)
    assert ex.values["dyhat_dz"] == pytest.approx(y_hat * (1 - y_hat), rel=1e-14)
    chain = [line for line in ex.lines if line.startswith("dL/dw1")][0]
    assert "dL/dŷ · dŷ/dz · dz/dw1" in chain
    assert chain.endswith(fmt(v.dW[0][0, 0]))
    assert v.dW[0][0, 0] == pytest.approx(2 * (y_hat - y) * y_hat * (1 - y_hat) * x[0], rel=1e-13)


def test_neuron_sum_is_folded_and_expandable():
    exp, walk = walked("function-fit", phases=2)  # forward layers 1 and 2 of [2,64,64,64,1]
    v, before = walk.values(), walk.params_before
    ex = explain_neuron(v, before, exp.net.activation_names, layer=2, index=5)
    assert ex.folded == 60 and "60 more terms" in ex.lines[0]
    full = explain_neuron(v, before, exp.net.activation_names, layer=2, index=5, expand=True)
    assert full.folded == 0 and full.lines[0].count("·") == 64 + 1  # + "Σ w·a"
    assert ex.values["z"] == v.z[1][0, 5]
    expected = before[2][:, 5] @ v.a[1][0] + before[3][5]
    assert ex.values["z"] == pytest.approx(expected, rel=1e-12)
    not_yet = explain_neuron(v, before, exp.net.activation_names, layer=3, index=0)
    assert "not computed yet" in not_yet.lines[0]


def test_dead_relu_is_explained_in_words():
    exp, walk = walked("function-fit", pick=1234)  # one sample of the article's grid
    v, before = walk.values(), walk.params_before
    assert v.a[0].shape == (1, 2)
    dead = np.flatnonzero(v.a[1][0] == 0)
    assert dead.size, "the article's net has ReLUs at zero for most samples"
    j = int(dead[0])
    ex = explain_neuron(v, before, exp.net.activation_names, layer=1, index=j)
    assert any("passes no gradient" in n for n in ex.notes)
    assert ex.values["delta"] == 0.0
    conn = explain_connection(v, before, exp.net.activation_names, layer=1, i=j, j=0,
                              lr=exp.trainer.lr)
    assert conn.values["grad"] == 0.0 and conn.values["change"] == 0.0
    assert any("does not change" in n for n in conn.notes)


def test_connection_update_equals_engine():
    exp, walk = walked("xor")
    v, before = walk.values(), walk.params_before
    ex = explain_connection(v, before, exp.net.activation_names, layer=0, i=1, j=2,
                            lr=exp.trainer.lr)
    assert ex.values["grad"] == v.dW[0][1, 2]
    exp.trainer.sync()
    assert before[0][1, 2] + ex.values["change"] == exp.net.weights[0][1, 2]
    assert ex.lines[-1].endswith(fmt(exp.net.weights[0][1, 2]))


@pytest.mark.parametrize("preset", ["xor", "iris", "function-fit"])
def test_output_text_and_numbers_come_from_the_engines_loss(preset):
    """The formulas shown are the Loss's own; dL/dŷ is the engine's Gradients.dL_dyhat and, for
    a loss fused with its output activation, dL/dz is the walk's own delta (times m)."""
    exp, walk = walked(preset)
    v, before = walk.values(), walk.params_before
    i = walk.indices[0]
    loss, net = exp.trainer.loss_fn, exp.net
    ex = explain_output(v, exp.trainer.Y[[i]], loss.name, net.activation_names, before)
    assert any(line.startswith(loss.formula) for line in ex.lines)
    assert any(line.startswith(loss.derivative_formula) for line in ex.lines)
    probe = net.copy()
    probe.set_params(before)
    grads = probe.backward(probe.forward(exp.trainer.X[[i]]), exp.trainer.Y[[i]], loss)
    np.testing.assert_allclose(ex.values["dL_dyhat"], grads.dL_dyhat[0], rtol=1e-12)
    if loss.fused:
        assert any(line.startswith(loss.delta_formula) for line in ex.lines)
        np.testing.assert_allclose(ex.values["dL_dz"], v.delta[-1][0] * len(v.a[0]), rtol=1e-12)
    else:
        assert "dL_dz" not in ex.values


def test_neuron_text_states_the_activation_and_its_derivative():
    exp, walk = walked("xor")
    v, before = walk.values(), walk.params_before
    ex = explain_neuron(v, before, exp.net.activation_names, layer=1, index=0)
    tanh = exp.net.activations[0]
    assert ex.lines[1].startswith(tanh.formula)
    derivative = [line for line in ex.lines if line.startswith("f′(z)")][0]
    assert tanh.derivative_formula in derivative
    assert derivative.endswith(fmt(1 - v.a[1][0, 0] ** 2))


def test_inputs_and_outputs_are_named_as_the_run_names_them():
    """The inputs are the run's (features x2 and sin(x1): the first input is x2, not x1), the
    outputs what they stand for (iris's species), in a neuron's text, a weight's title, the
    update's and the phases'; without names, x1, x2, ... and neurons by number."""
    from nnviz.diagram_model import io_names
    from nnviz.explain import Names, explain_phase, explain_update
    from nnviz.snapshot import run_info

    exp = build(PRESETS["xor"].replace(features=("x2", "sin(x1)")))
    names = Names(run_info(exp).input_names)
    assert names.inputs == ("x2", "sin(x1)")
    walk = BackpropWalk(exp.trainer)
    walk.finish_sample()
    v, before, acts = walk.values(), walk.params_before, exp.net.activation_names
    first = explain_neuron(v, before, acts, layer=0, index=0, names=names)
    assert first.title == "Neuron 1 of layer 0 (input x2)"
    assert first.lines == (f"x2 = {fmt(v.a[0][0, 0])}",)
    assert explain_neuron(v, before, acts, layer=0, index=1).lines[0].startswith("x2 = ")
    weight = explain_connection(v, before, acts, 0, 1, 2, exp.config.lr, names=names)
    assert weight.title == "Weight from input sin(x1) to neuron 3 (layer 1)"
    update = explain_update(v, before, exp.config.lr, "sgd", (0, "W", (1, 2)), names=names)
    assert update.title == weight.title
    backward_1 = next(p for p in walk.phases if p.kind == "backward" and p.layer == 0)
    lines = explain_phase(backward_1, v, before, acts, exp.trainer.Y, "binary_cross_entropy",
                          exp.config.lr, "sgd", names=names).lines
    assert lines[0] == "Weight from input x2 to neuron 1 (layer 1):"

    exp, walk = walked("iris")
    info = run_info(exp)
    names = Names(info.input_names, io_names(info.sizes, info.input_names,
                                             info.dataset.output_names)[1], last=2)
    v, before, acts = walk.values(), walk.params_before, exp.net.activation_names
    out = explain_neuron(v, before, acts, layer=2, index=1, names=names)
    assert out.title == "Neuron 2 of layer 2 (output versicolor)"
    weight = explain_connection(v, before, acts, 1, 0, 1, exp.config.lr, names=names)
    assert weight.title == "Weight from neuron 1 (layer 1) to output versicolor (neuron 2, layer 2)"
    bias = explain_update(v, before, exp.config.lr, exp.config.optimizer, (1, "b", (2,)),
                          names=names)
    assert bias.title == "Bias of output virginica (neuron 3, layer 2)"
    first = explain_neuron(v, before, acts, layer=0, index=3, names=names)
    assert first.lines[0].startswith("petal_width = ")
