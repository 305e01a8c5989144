"""The loss landscape is the loss, evaluated directly."""

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.landscape import PATH_POINTS, LandscapePath, ParamRef, loss_landscape


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


def test_landscape_path_pairs_selection_and_points():
    """The window's record of the inspector's landscape: its pair of parameters and path."""

    track = LandscapePath()
    assert not track.record([np.ones((2, 4)), np.zeros(4)])  # no run yet: nothing
    track.start((2, 4, 1))
    assert track.params == [ParamRef(1, "W", (0, 0)), ParamRef(1, "W", (1, 0))]
    params = [np.zeros((2, 4)), np.zeros(4), np.arange(4.0).reshape(4, 1), np.zeros(1)]
    assert track.record(params) and not track.record(params)  # the same point once
    assert track.points == [(0.0, 1.0)]
    assert not track.select(ParamRef(1, "W", (1, 0)))  # one of the two: nothing changes
    assert track.points == [(0.0, 1.0)]
    assert track.select(ParamRef(0, "W", (1, 3)))  # the newer of the two and the chosen
    assert track.params == [ParamRef(1, "W", (1, 0)), ParamRef(0, "W", (1, 3))]
    assert track.points == []
    for k in range(PATH_POINTS + 5):
        params[2][1, 0] = k
        track.record(params)
    assert len(track.points) == PATH_POINTS and track.points[-1][0] == PATH_POINTS + 4
    track.start((3, 1, 2))  # one neuron in the last hidden layer: its bias is the second
    assert track.params == [ParamRef(1, "W", (0, 0)), ParamRef(1, "b", (0,))]
    assert track.points == []
