"""The loss landscape is the loss, evaluated directly."""

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.landscape import ParamRef, loss_landscape


def test_landscape_values_are_the_loss_at_those_parameters():
    exp = build(PRESETS["single-neuron"])
    exp.trainer.run(500)
    net, t = exp.net, exp.trainer
    a, b = ParamRef(0, "W", (0, 0)), ParamRef(0, "W", (1, 0))
    land = loss_landscape(net.get_params(), net.sizes, net.activation_names, t.X, t.Y,
                          "squared_error", a, b, span=2.0, resolution=9)
    assert land.loss.shape == (9, 9) and land.center == (a.get(net.get_params()),
                                                          b.get(net.get_params()))
    probe = net.copy()
    probe.weights[0][0, 0], probe.weights[0][1, 0] = land.us[2], land.vs[7]
    assert land.loss[7, 2] == pytest.approx(probe.loss(t.X, t.Y, "squared_error"), rel=1e-14)
    # the centre is the current loss, and the current parameters are untouched
    assert land.loss[4, 4] == pytest.approx(net.loss(t.X, t.Y, "squared_error"), rel=1e-14)
    assert a.label == "W1[1, 1]" and np.isfinite(land.loss).all()
    with pytest.raises(ValueError):
        loss_landscape(net.get_params(), net.sizes, net.activation_names, t.X, t.Y,
                       "squared_error", a, a)
