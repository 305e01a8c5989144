"""The diagram's input candidates (nnviz.diagram_inputs) and their slots in the layout."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nnviz.data.features import FEATURES
from nnviz.diagram_inputs import InputChoice, feature_planes, input_choice, toggle
from nnviz.diagram_model import DiagramLayout
from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS, build
from nnviz.snapshot import run_info


def test_a_2d_dataset_offers_the_seven_features_and_iris_nothing():
    choice = input_choice(run_info(build(dataclasses.replace(
        PRESETS["circles"], features=("x2", "x1*x2")))))
    assert choice.field == "features" and choice.names == tuple(FEATURES)
    assert choice.labels == ("x1", "x2", "x1²", "x2²", "x1·x2", "sin(x1)", "sin(x2)")
    assert choice.on == (False, True, False, False, True, False, False)
    assert choice.slots() == (7, (1, 4))
    assert input_choice(run_info(build(PRESETS["iris"]))) is None


def test_toggling_keeps_the_table_order_and_refuses_no_input():
    choice = InputChoice("features", tuple(FEATURES), tuple(FEATURES), ("x2", "sin(x1)"))
    assert choice.toggled(0) == ("x1", "x2", "sin(x1)")
    assert choice.toggled(1) == ("sin(x1)",)
    with pytest.raises(ConfigError, match="^features: choose at least one input"):
        InputChoice("features", ("x1", "x2"), ("x1", "x2"), ("x1",)).toggled(0)
    assert toggle("csv_features", ("a", "b"), "c") == ("a", "b", "c")
    with pytest.raises(ConfigError, match="^csv_features: choose at least one input column"):
        toggle("csv_features", ("a",), "a")


def test_the_inputs_sit_in_their_slots_and_a_slot_is_hit_on_its_circle_or_picture():
    L = DiagramLayout((2, 1, 1), input_slots=(7, (2, 3)), picture=0.64)
    assert L.slot_xy.shape == (7, 2) and L.slot_gap == 1.0
    np.testing.assert_array_equal(L.neuron_xy[:2], L.slot_xy[[2, 3]])
    assert L.hidden_y < L.slot_xy[:, 1].min()  # the counts go below every candidate
    for k in range(7):
        assert L.hit_slot(*L.slot_xy[k]) == k
        assert L.hit_slot(*L.picture_xy()[k]) == k
    assert L.hit_slot(L.x[1], 0.0) is None
    (x0, _), _ = L.view_range(10, (800, 600), 40, 40)
    assert x0 < L.picture_xy()[0, 0] - L.picture / 2  # the pictures and names in view
    wide = DiagramLayout((7, 64, 1), input_slots=(7, tuple(range(7))), picture=0.64)
    assert wide.slot_gap == 8.0 and wide.picture == pytest.approx(8 * 0.64)


def test_feature_pictures_are_the_features_over_the_scaled_plane():
    exp = build(PRESETS["circles"])
    ds, scaler = exp.dataset, exp.prepared.x_scaler
    planes = feature_planes(ds.bounds, scaler, tuple(FEATURES), resolution=5)
    (x0, x1), (y0, y1) = ds.bounds
    corner = scaler.transform(np.array([[x1, y0]]))[0]  # [iy=0, ix=-1]
    values = [p[0][0, -1] for p in planes]
    a, b = corner
    np.testing.assert_allclose(values, [a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)])
    assert all(np.max(np.abs(p)) <= m for p, m in planes)
    huge = feature_planes(((-1e308, 1e308), (-1e308, 1e308)), None, tuple(FEATURES), 3)
    assert all(np.isfinite(p).all() and np.isfinite(m) for p, m in huge)
