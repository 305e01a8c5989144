"""What the diagram's hand edits act on (no Qt): the parameter a selection stands for, its value
in a snapshot, and how far a wheel turn or a drag moves it.

A connection (layer l, i, j) is ``W[l][i, j]``; a hidden or output neuron (layer l >= 1,
index j) is its bias ``b[l - 1][j]``; an input neuron has no parameter (a click on it is the
input features' business). Steps: ``WHEEL_STEP`` per wheel notch (120 eighths of a degree),
``DRAG_STEP`` per pixel dragged upwards; Shift makes them ``FINE`` times as large, Ctrl
``COARSE`` times.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnviz.engine.edits import param_label

WHEEL_STEP = 0.1
DRAG_STEP = 0.01
FINE, COARSE = 0.1, 10.0
#: eighths of a degree in one wheel notch (Qt's angleDelta)
NOTCH = 120


@dataclass(frozen=True)
class Param:
    """One parameter: ``kind`` "W" (index (i, j)) or "b" (index (j,)) of layer ``layer``."""

    layer: int
    kind: str
    index: tuple[int, ...]

    @property
    def label(self) -> str:
        return param_label(self.layer, self.kind, self.index)

    @property
    def description(self) -> str:
        """"weight from neuron 1 of layer 0 to neuron 3 of layer 1" / "bias of neuron 2 of
        layer 1" (the diagram's 1-based neurons, 0-based layers)."""
        if self.kind == "W":
            i, j = self.index
            return (f"weight from neuron {i + 1} of layer {self.layer} to neuron {j + 1} of "
                    f"layer {self.layer + 1}")
        return f"bias of neuron {self.index[0] + 1} of layer {self.layer + 1}"

    def value(self, snapshot) -> float:
        """Its value in ``snapshot`` (a ``nnviz.snapshot.Snapshot``)."""
        arrays = snapshot.weights if self.kind == "W" else snapshot.biases
        return float(arrays[self.layer][self.index])

    def is_of(self, edit) -> bool:
        """Whether ``edit`` (a ``nnviz.engine.edits.Edit``) changed this parameter."""
        return (edit.layer, edit.kind, tuple(edit.index)) == (self.layer, self.kind, self.index)


@dataclass(frozen=True)
class EditRequest:
    """Set ``param`` to ``value`` (``merge``: one edit with the last if it was this
    parameter's: a drag, a run of wheel turns)."""

    param: Param
    value: float
    merge: bool = False


def parameter_of(selection) -> Param | None:
    """The parameter a diagram selection (``nnviz.diagram_model.Selection``) stands for, or
    None (nothing selected, or an input neuron)."""
    if selection is None:
        return None
    if selection.kind == "connection":
        return Param(selection.layer, "W", (selection.i, selection.j))
    if selection.layer >= 1:
        return Param(selection.layer - 1, "b", (selection.index,))
    return None


def step_size(base: float, fine: bool, coarse: bool) -> float:
    """``base`` step, times FINE with Shift (``fine``), times COARSE with Ctrl (``coarse``)."""
    return base * (FINE if fine else 1.0) * (COARSE if coarse else 1.0)


def wheel_change(angle: int, fine: bool = False, coarse: bool = False) -> float:
    """The change a wheel turn of ``angle`` eighths of a degree makes (up: more)."""
    return angle / NOTCH * step_size(WHEEL_STEP, fine, coarse)


def drag_change(pixels_up: float, fine: bool = False, coarse: bool = False) -> float:
    """The change a drag ``pixels_up`` pixels upwards makes (down: negative)."""
    return pixels_up * step_size(DRAG_STEP, fine, coarse)
