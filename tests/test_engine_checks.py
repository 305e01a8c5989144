"""The engine refuses what it cannot train on, with one line (issue 14 item 17): targets a
loss is not defined for, NaN/inf in the data, impossible stop conditions and optimiser
settings. Nothing is trained into a meaningless loss or reported as a divergence."""

import math

import numpy as np
import pytest

from nnviz.engine import Network
from nnviz.engine.optimizers import make_optimizer
from nnviz.engine.trainer import Trainer
from nnviz.errors import ConfigError


def trainer(Y, output="sigmoid", loss="binary_cross_entropy", X=None, **kw):
    Y = np.asarray(Y, dtype=float)
    X = np.linspace(-1, 1, 2 * len(Y)).reshape(len(Y), 2) if X is None else X
    net = Network([2, 3, Y.shape[1]], hidden="tanh", output=output, seed=0)
    return Trainer(net, X, Y, loss=loss, lr=0.1, **kw)


def one_line(exc_info) -> str:
    msg = str(exc_info.value)
    assert "\n" not in msg and len(msg) < 200
    return msg


@pytest.mark.parametrize("Y, shown", [([[5], [-3]], "5 in row 1"), ([[0], [1.5]], "1.5 in row 2")])
def test_bce_targets_outside_0_1_are_refused(Y, shown):
    with pytest.raises(ConfigError) as info:
        trainer(Y)
    msg = one_line(info)
    assert msg.startswith("binary_cross_entropy needs targets Y in [0, 1]") and shown in msg


def test_bce_accepts_labels_and_probabilities():
    t = trainer([[0], [1], [0.25]])
    t.run(20)
    assert t.history.step_loss.latest >= 0


@pytest.mark.parametrize("Y", [[[3, -1, 0], [0, 1, 0]], [[0.5, 0.6, 0], [1, 0, 0]],
                               [[0, 0, 0], [1, 0, 0]]])
def test_cross_entropy_targets_must_be_probabilities(Y):
    with pytest.raises(ConfigError) as info:
        trainer(Y, output="softmax", loss="cross_entropy")
    assert one_line(info).startswith("cross_entropy needs each row of targets Y to be one-hot")


def test_cross_entropy_trains_on_one_hot_and_soft_labels():
    t = trainer([[1, 0, 0], [0.2, 0.3, 0.5]], output="softmax", loss="cross_entropy")
    t.run(50)
    assert t.history.step_loss.latest > 0


def test_test_targets_are_checked_too():
    net = Network([2, 3, 1], hidden="tanh", output="sigmoid", seed=0)
    X = np.zeros((2, 2))
    with pytest.raises(ConfigError, match="test targets Y_test in"):
        Trainer(net, X, [[0], [1]], loss="binary_cross_entropy", X_test=X,
                Y_test=[[0], [7]])


@pytest.mark.parametrize("where, value", [("X", np.nan), ("X", np.inf), ("Y", -np.inf),
                                          ("Y", np.nan)])
def test_non_finite_data_is_named_not_reported_as_divergence(where, value):
    X = np.ones((3, 2))
    Y = np.ones((3, 1))
    (X if where == "X" else Y)[1, 0] = value
    with pytest.raises(ConfigError) as info:
        trainer(Y, output="identity", loss="half_squared_error", X=X)
    msg = one_line(info)
    assert msg.startswith(("inputs X contain", "targets Y contain"))
    assert "row 2, column 1" in msg and "learning rate" not in msg


@pytest.mark.parametrize("kw, field", [
    ({"max_epochs": math.nan}, "max_epochs"), ({"max_epochs": 0}, "max_epochs"),
    ({"max_epochs": math.inf}, "max_epochs"), ({"max_steps": -1}, "max_steps"),
    ({"max_steps": 2.5}, "max_steps"), ({"max_steps": math.nan}, "max_steps"),
    ({"target_loss": math.nan}, "target_loss"), ({"max_epochs": "3"}, "max_epochs"),
])
def test_impossible_stop_conditions_are_one_line(kw, field):
    with pytest.raises(ConfigError) as info:
        trainer([[0], [1]], **kw)
    assert one_line(info).startswith(f"{field} must be")


@pytest.mark.parametrize("settings, field", [
    ({"eps": 0.0}, "adam eps"), ({"eps": -1e-8}, "adam eps"), ({"eps": math.nan}, "adam eps"),
    ({"beta1": 1.0}, "beta1"), ({"beta2": 5}, "beta2"), ({"beta2": -0.1}, "beta2"),
    ({"beta1": math.nan}, "beta1"),
])
def test_adam_settings_outside_their_range_are_refused(settings, field):
    with pytest.raises(ConfigError) as info:
        make_optimizer("adam", 0.01, **settings)
    assert one_line(info).startswith(f"{field} must be")


def test_momentum_outside_0_1_is_refused():
    with pytest.raises(ConfigError, match=r"momentum must be a number in \[0, 1\)"):
        make_optimizer("momentum", 0.01, momentum=1.5)
    assert make_optimizer("adam", 0.01, beta1=0.0, beta2=0.999, eps=1e-8).eps == 1e-8
