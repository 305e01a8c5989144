"""What the diagram's hand edits act on: selection -> parameter, its value, wheel/drag steps."""

from __future__ import annotations

from nnviz.diagram_model import Selection
from nnviz.engine.edits import Edit
from nnviz.experiment import PRESETS, build
from nnviz.hand_edit import (
    COARSE,
    DRAG_STEP,
    FINE,
    WHEEL_STEP,
    Param,
    drag_change,
    parameter_of,
    wheel_change,
)
from nnviz.snapshot import take_snapshot


def test_a_connection_is_its_weight_a_computed_neuron_its_bias_an_input_nothing():
    assert parameter_of(Selection("connection", 1, i=2, j=0)) == Param(1, "W", (2, 0))
    assert parameter_of(Selection("neuron", 2, index=0)) == Param(1, "b", (0,))
    assert parameter_of(Selection("neuron", 0, index=1)) is None
    assert parameter_of(None) is None
    p = Param(1, "W", (2, 0))
    assert p.label == "W2[3, 1]"
    assert p.description == "weight from neuron 3 of layer 1 to neuron 1 of layer 2"
    assert Param(0, "b", (3,)).description == "bias of neuron 4 of layer 1"
    assert p.is_of(Edit(5, 1, "W", (2, 0), 0.0, 1.0))
    assert not p.is_of(Edit(5, 1, "b", (2,), 0.0, 1.0))


def test_values_come_from_the_snapshot():
    exp = build(PRESETS["xor"])
    snap = take_snapshot(exp)
    assert Param(1, "W", (2, 0)).value(snap) == float(exp.net.weights[1][2, 0])
    assert Param(0, "b", (1,)).value(snap) == float(exp.net.biases[0][1])


def test_wheel_and_drag_steps_with_modifiers():
    assert wheel_change(120) == WHEEL_STEP and wheel_change(-240) == -2 * WHEEL_STEP
    assert wheel_change(120, fine=True) == WHEEL_STEP * FINE
    assert wheel_change(120, coarse=True) == WHEEL_STEP * COARSE
    assert drag_change(10) == 10 * DRAG_STEP and drag_change(-3, fine=True) == -3 * DRAG_STEP * FINE
