"""Hand edits of one weight or bias: part of the run, undoable, saved with it.

    edit = trainer.edit(1, "W", (0, 2), -1.3)   # W[1][0, 2] = -1.3 from the next step on
    trainer.undo_edit()                          # W[1][0, 2] back to edit.old, bit for bit
    trainer.redo_edit()                          # and to edit.new again

An ``Edit(step, layer, kind, index, old, new)`` says that at ``step`` (the trainer's step count
then: the edit acts on step ``step + 1`` onwards) parameter ``kind`` ("W": ``W[layer][i, j]``,
"b": ``b[layer][j]``) went from ``old`` to ``new``, both as stored in the network's dtype (a
float32 network rounds a typed 0.1; ``new`` is the rounded value, so redo is exact). Only that
one number changes: the optimiser's state (momentum's velocity, Adam's moments and its t) is
kept as it is, as if the parameter had been moved by an outside hand between two steps; the
history and counters are kept too.

``EditLog`` holds the edits done (oldest first) and those undone (for redo, newest last);
a new edit clears the undone ones. It is part of ``Trainer.state_dict()`` (``"edits"``), so a
step-through rewind (``nnviz.engine.state``) and a saved session bring it back with the
parameters. At most ``MAX_EDITS`` edits are kept; the oldest is then forgotten (no longer
undoable; its value stays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from numbers import Real

import numpy as np

from nnviz.errors import ConfigError

#: edits remembered (done + undone); the oldest done edit is forgotten beyond it
MAX_EDITS = 1000
KINDS = ("W", "b")


def param_label(layer: int, kind: str, index) -> str:
    """How a parameter is named to a person: 1-based, "W2[1, 3]" is W[1][0, 2], "b1[4]" is
    b[0][3] (the layer numbers the diagram's and the inspector's)."""
    idx = ", ".join(str(int(i) + 1) for i in index)
    return f"{kind}{layer + 1}[{idx}]"


def parse_value(value, dtype=np.float64) -> float:
    """A typed or given parameter value as a float: a finite real number, or text holding one.
    ConfigError (one line, with the reason) for anything else: empty text, not a number,
    NaN, ±inf, beyond float64 (1e400), or beyond what ``dtype`` holds (float32: ±3.4e38)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ConfigError("type a number for the new value")
        try:
            number = float(text)
        except ValueError:
            raise ConfigError(f"{text[:40]!r} is not a number") from None
    elif isinstance(value, Real) and not isinstance(value, (bool, np.bool_)):
        number = float(value)
    else:
        raise ConfigError(f"a weight or bias must be a number, got {type(value).__name__}")
    if math.isnan(number):
        raise ConfigError("NaN is not a value a weight or bias can take")
    if math.isinf(number):
        raise ConfigError(f"{value!s:.40} is not finite: a weight or bias must be a finite "
                          "number (at most about ±1.8e308)")
    top = float(np.finfo(dtype).max)
    if abs(number) > top:
        raise ConfigError(f"{number:g} is beyond what a {np.dtype(dtype).name} network holds "
                          f"(at most ±{top:.3g})")
    return number


@dataclass(frozen=True)
class Edit:
    """One hand edit: at ``step``, parameter (layer, kind, index) went from ``old`` to ``new``."""

    step: int
    layer: int
    kind: str
    index: tuple[int, ...]
    old: float
    new: float

    @property
    def label(self) -> str:
        return param_label(self.layer, self.kind, self.index)

    @property
    def text(self) -> str:
        """"W2[1, 3]: 0.42 → -1.3 (step 120)" (values to 4 significant digits)."""
        return f"{self.label}: {self.old:.4g} → {self.new:.4g} (step {self.step:,})"

    def same_parameter(self, other: Edit) -> bool:
        return (self.layer, self.kind, self.index) == (other.layer, other.kind, other.index)

    def as_list(self) -> list:
        """[step, layer, kind, [index...], old, new]: plain values (a session's JSON)."""
        return [self.step, self.layer, self.kind, list(self.index), self.old, self.new]


def parameter(net, layer: int, kind: str, index) -> tuple[np.ndarray, tuple[int, ...]]:
    """(the array holding parameter (layer, kind, index) in ``net``, the index as a tuple);
    ConfigError for a layer, kind or index the network does not have."""
    if kind not in KINDS:
        raise ConfigError(f"a parameter kind is 'W' or 'b', got {kind!r}")
    n = len(net.weights)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < n:
        raise ConfigError(f"layer must be 0 .. {n - 1}, got {layer!r}")
    p = (net.weights if kind == "W" else net.biases)[int(layer)]
    try:
        idx = tuple(int(i) for i in np.atleast_1d(index))
    except (TypeError, ValueError):
        raise ConfigError(f"index {index!r} is not a tuple of whole numbers") from None
    if len(idx) != p.ndim or not all(0 <= i < s for i, s in zip(idx, p.shape)):
        raise ConfigError(f"{kind}[{layer}] has shape {p.shape}: no index {idx}")
    return p, idx


class EditLog:
    """The edits done (``done``, oldest first) and undone (``undone``, the next redo last)."""

    def __init__(self) -> None:
        self.done: list[Edit] = []
        self.undone: list[Edit] = []

    def set(self, trainer, layer: int, kind: str, index, value, merge: bool = False) -> Edit:
        """Set the parameter to ``value`` (``parse_value``) and log it (see module docstring).
        ``merge``: fold it into the last edit if that changed the same parameter (one drag or
        a run of wheel turns is one edit: undo returns to the value before all of it)."""
        p, idx = parameter(trainer.net, layer, kind, index)
        number = parse_value(value, p.dtype)
        trainer.sync()
        old = float(p[idx])
        p[idx] = number
        edit = Edit(int(trainer.step_count), int(layer), kind, idx, old, float(p[idx]))
        trainer.reload()
        if merge and self.done and self.done[-1].same_parameter(edit):
            self.done[-1] = replace(edit, old=self.done[-1].old)
        else:
            self.done.append(edit)
            del self.done[:-MAX_EDITS]
        self.undone.clear()
        return self.done[-1]

    def undo(self, trainer) -> Edit | None:
        """Put the last edit's parameter back to its ``old`` value; None if nothing to undo."""
        if not self.done:
            return None
        edit = self.done.pop()
        self._write(trainer, edit, edit.old)
        self.undone.append(edit)
        return edit

    def redo(self, trainer) -> Edit | None:
        """Set the last undone edit's ``new`` value again; None if nothing to redo."""
        if not self.undone:
            return None
        edit = self.undone.pop()
        self._write(trainer, edit, edit.new)
        self.done.append(edit)
        return edit

    @staticmethod
    def _write(trainer, edit: Edit, value: float) -> None:
        p, idx = parameter(trainer.net, edit.layer, edit.kind, edit.index)
        trainer.sync()
        p[idx] = value
        trainer.reload()

    # ----------------------------------------------------------------- state
    def state_dict(self) -> dict:
        """{"done": [Edit...], "undone": [Edit...]} (copies; edits are frozen)."""
        return {"done": list(self.done), "undone": list(self.undone)}

    def load_state_dict(self, d: dict) -> None:
        self.done, self.undone = list(d["done"]), list(d["undone"])


def edit_from_list(item) -> Edit:
    """``Edit.as_list`` back (types not checked: the session reader checks them)."""
    step, layer, kind, index, old, new = item
    return Edit(int(step), int(layer), str(kind), tuple(int(i) for i in index), float(old),
                float(new))
