"""The chain rule in numbers: text for the backprop inspector, from the engine's own values.

Each ``explain_*`` returns an ``Explanation``: formula lines with the actual numbers, notes in
words, and ``values`` (the raw floats shown, by name) so tests can compare every number with
the engine's. Inputs: the walk's ``PhaseValues`` (what the phases computed so far), the
parameters before the update, and ``row``, the sample within the batch.

Layers are numbered as in the diagram: layer 0 is the input, layer l >= 1 is computed by
W[l-1], b[l-1]; neuron (l, j) has z = z[l-1][row, j], a = a[l][row, j], delta = delta[l-1][row, j].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from nnviz.engine.activations import get_activation
from nnviz.engine.losses import get_loss
from nnviz.engine.optimizers import OPTIMIZERS
from nnviz.engine.phases import Phase, PhaseValues

if TYPE_CHECKING:  # diagram_model imports fmt from here
    from nnviz.diagram_model import Selection

#: terms of a long sum shown before folding the rest into "+ N more terms"
FOLD_TERMS = 4


MINUS = "\u2212"  # the formulas' minus sign (U+2212), as in "ŷ − y"; numbers print "-"


def fmt(v: float) -> str:
    """Numbers as shown: 6 significant digits, no noise for integers."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e6:
        return f"{int(v)}"
    return f"{v:.6g}"


def _number(v: float) -> str:
    """A number put into a formula as an operand: negative ones in parentheses, (−0.1)."""
    return f"({fmt(v)})" if v < 0 else fmt(v)


def vector(vs: Sequence[float], limit: int | None = None) -> str:
    """A vector as (a, b, c) (one element: just the number); beyond ``limit`` elements the rest
    are counted, not shown: (a, b, … 12 more)."""
    vs = [float(v) for v in np.ravel(vs)]
    if len(vs) == 1:
        return fmt(vs[0])
    shown = vs if limit is None or len(vs) <= limit + 1 else vs[:limit]
    more = f", … {len(vs) - len(shown)} more" if len(shown) < len(vs) else ""
    return "(" + ", ".join(fmt(v) for v in shown) + more + ")"


def _with_numbers(formula: str, y_hat: np.ndarray, y: np.ndarray, value: np.ndarray) -> str:
    """``formula`` (a loss's "dL/d… = …" in ŷ, y, Σy), for one output then with the numbers
    put in, then ``value`` (computed by the engine, not from this text; a vector for several
    outputs)."""
    if len(y_hat) > 1:
        return f"{formula} = {vector(value)}"
    rhs = formula.split(" = ", 1)[1]
    put = (rhs.replace("Σy", _number(y.sum())).replace("ŷ", _number(y_hat[0]))
           .replace("y", _number(y[0])))
    return f"{formula} = {put} = {fmt(value[0])}"


def _derivative(act: str, a: float) -> float:
    """f'(z) of activation ``act`` as the engine computes it, from a = f(z)."""
    return float(get_activation(act).derivative(np.asarray(a, dtype=float)))


@dataclass(frozen=True)
class Explanation:
    title: str
    lines: tuple[str, ...]
    notes: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)
    folded: int = 0
    #: what symbols of the lines stand for (plain information, where notes are findings)
    symbols: str = ""


def _sum_terms(ws: Sequence[float], xs: Sequence[float], expand: bool) -> tuple[str, int]:
    terms = [f"{_number(w)}·{_number(x)}" for w, x in zip(ws, xs)]
    if expand or len(terms) <= FOLD_TERMS + 1:
        return " + ".join(terms), 0
    hidden = len(terms) - FOLD_TERMS
    return " + ".join(terms[:FOLD_TERMS]) + f" + … {hidden} more terms", hidden


@dataclass(frozen=True)
class Names:
    """How the text names neurons: layer 0's by ``inputs`` (the run's input names: "x1²", a
    CSV column; unnamed: x1, x2, ...), layer ``last``'s by ``outputs`` (what each stands for:
    a class, P(class=1), a target), the others "neuron 2 (layer 1)"."""

    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    last: int | None = None  # the output layer's number (None: outputs unnamed)

    def input(self, index: int) -> str:
        return self.inputs[index] if index < len(self.inputs) else f"x{index + 1}"

    def output(self, layer: int, index: int) -> str | None:
        """Output neuron (layer, index)'s name, or None (not an output, or unnamed)."""
        ok = layer == self.last and index < len(self.outputs)
        return self.outputs[index] if ok else None

    def neuron(self, layer: int, index: int) -> str:
        """"input x1²", "output versicolor (neuron 2, layer 2)", "neuron 3 (layer 1)"."""
        if layer == 0:
            return f"input {self.input(index)}"
        output = self.output(layer, index)
        if output is not None:
            return f"output {output} (neuron {index + 1}, layer {layer})"
        return f"neuron {index + 1} (layer {layer})"

    def param(self, layer: int, kind: str, index: tuple[int, ...]) -> str:
        """W[layer][i, j] is the weight from neuron i of layer ``layer`` to neuron j of the
        next; b[layer][j] the bias of neuron j of layer ``layer + 1``."""
        if kind == "W":
            i, j = index
            return f"Weight from {self.neuron(layer, i)} to {self.neuron(layer + 1, j)}"
        return f"Bias of {self.neuron(layer + 1, index[0])}"


UNNAMED = Names()


def _delta_lines(values: PhaseValues, params_before: Sequence[np.ndarray],
                 activations: Sequence[str], layer: int, index: int, row: int,
                 expand: bool) -> tuple[list[str], dict, int]:
    """delta of neuron (layer, index), layer >= 1, once the backward pass has computed it:
    from the loss (output layer) or f′(z) · Σ w·delta_next. Lines, values, folded terms."""
    l = layer - 1
    delta_arr = values.delta[l]
    if delta_arr is None:
        return [], {}, 0
    act = activations[l]
    delta = delta_arr[row, index]
    vals, lines, folded = {"delta": float(delta)}, [], 0
    if l + 1 < len(activations) and values.delta[l + 1] is not None:
        W_next = params_before[2 * (l + 1)]
        d_next = values.delta[l + 1][row]
        back = float(W_next[index] @ d_next)
        terms, folded = _sum_terms(W_next[index], d_next, expand)
        df = _derivative(act, values.a[layer][row, index])
        lines.append(f"f′(z) = {get_activation(act).derivative_formula} = {fmt(df)}")
        lines.append(f"Σ w·delta_next = {terms} = {fmt(back)}")
        lines.append(f"delta = f′(z) · Σ w·delta_next = {_number(df)} · {_number(back)} "
                     f"= {fmt(delta)}")
        vals.update(back=back, df=df)
    else:
        lines.append(f"delta = dL/dz = {fmt(delta)}  (from the loss; see the output)")
    return lines, vals, folded


def explain_neuron(
    values: PhaseValues,
    params_before: Sequence[np.ndarray],
    activations: Sequence[str],
    layer: int,
    index: int,
    row: int = 0,
    expand: bool = False,
    names: Names = UNNAMED,
) -> Explanation:
    """z = Σ w·x + b (layer 1) or Σ w·a + b, a = f(z), and (once backward got there) delta,
    for neuron (layer, index); inputs and outputs as ``names`` calls them."""
    title = f"Neuron {index + 1} of layer {layer}"
    if layer == 0:
        x, name = values.a[0][row, index], names.input(index)
        return Explanation(f"{title} (input {name})", (f"{name} = {fmt(x)}",), values={"a": x})
    output = names.output(layer, index)
    if output is not None:
        title += f" (output {output})"
    l = layer - 1
    W, b = params_before[2 * l], params_before[2 * l + 1]
    act = activations[l]
    if values.z[l] is None:
        return Explanation(title, ("not computed yet: the forward pass has not reached it",))
    a_in = values.a[l][row]
    z, a = values.z[l][row, index], values.a[l + 1][row, index]
    terms, folded = _sum_terms(W[:, index], a_in, expand)
    x = "x" if layer == 1 else "a"
    lines = [f"z = Σ w·{x} + b = {terms} + {_number(b[index])} = {fmt(z)}",
             f"{get_activation(act).formula} = {fmt(a)}"]
    vals = {"z": float(z), "a": float(a), "b": float(b[index])}
    more, delta_vals, more_folded = _delta_lines(values, params_before, activations, layer,
                                                 index, row, expand)
    lines += more
    vals.update(delta_vals)
    notes = []
    if get_activation(act).can_die and a == 0:
        notes.append(
            f"This {act} neuron's output is 0 for this sample (z = {fmt(z)} ≤ 0): it passes no "
            "gradient. Its outgoing weights get dL/dw = a · delta = 0, and its own delta is 0, "
            "so nothing before it learns through it from this sample."
        )
    return Explanation(title, tuple(lines), tuple(notes), vals, folded + more_folded)


def _gradient_line(values: PhaseValues, layer: int, i: int, j: int, row: int) -> tuple[str, dict]:
    """dL/dw = a_in · delta_out for W[layer][i, j] (a sum over the batch for several rows)."""
    a_in = values.a[layer][:, i]
    delta = values.delta[layer][:, j]
    grad = values.dW[layer][i, j]
    vals = {"a_in": float(a_in[row]), "delta": float(delta[row]), "grad": float(grad)}
    if len(a_in) == 1:
        line = (f"dL/dw = a_in · delta_out = {_number(a_in[0])} · {_number(delta[0])} "
                f"= {fmt(grad)}")
    else:
        line = f"dL/dw = Σ over the batch of a_in · delta_out = {fmt(grad)}"
    return line, vals


def _for_param(text: str, name: str) -> str:
    """An optimiser's text about a weight w, said of parameter ``name`` ("w" or "b")."""
    return text.replace("dL/dw", f"dL/d{name}").replace("Δw", f"Δ{name}")


def _update_lines(name: str, old: float, grad: float, change: float, lr: float,
                  optimizer: str) -> tuple[str, ...]:
    """The step Δp of parameter ``name`` ("w" or "b") and p_new = p + Δp, from the engine's own
    change (for SGD without a penalty the change is −lr · dL/dp, and the text says so)."""
    step = f"Δ{name}"
    rule = _for_param(OPTIMIZERS[optimizer].step_formula, name)
    if optimizer == "sgd" and np.isclose(change, -lr * grad, rtol=1e-9, atol=0.0):
        how = f"{step} = {rule} = {MINUS}{fmt(lr)} · {_number(grad)} = {fmt(change)}"
    elif optimizer == "sgd":
        how = f"{step} = −lr · (dL/d{name} + L1/L2 penalty) = {fmt(change)}"
    else:
        how = f"{step} ({optimizer}) = {rule} = {fmt(change)}"
    return (how, f"{name}_new = {name} + {step} = {fmt(old)} + {_number(change)} "
                 f"= {fmt(old + change)}")


def explain_connection(
    values: PhaseValues,
    params_before: Sequence[np.ndarray],
    activations: Sequence[str],
    layer: int,
    i: int,
    j: int,
    lr: float,
    optimizer: str = "sgd",
    row: int = 0,
    names: Names = UNNAMED,
) -> Explanation:
    """Weight from neuron i of layer ``layer`` to neuron j of the next: dL/dw and its update
    (neurons as ``names`` calls them)."""
    W = params_before[2 * layer]
    w = W[i, j]
    title = names.param(layer, "W", (i, j))
    lines, notes, vals = [f"w = {fmt(w)}"], [], {"w": float(w)}
    if values.dW[layer] is None:
        lines.append("dL/dw: not computed yet: the backward pass has not reached this layer")
        return Explanation(title, tuple(lines), values=vals)
    line, more = _gradient_line(values, layer, i, j, row)
    lines.append(line)
    vals.update(more)
    if values.changes is not None:
        change = values.changes[2 * layer][i, j]
        vals["change"] = float(change)
        lines += _update_lines("w", w, vals["grad"], change, lr, optimizer)
    a_in = values.a[layer][:, i]
    if (len(a_in) == 1 and layer > 0 and get_activation(activations[layer - 1]).can_die
            and a_in[0] == 0):
        notes.append(
            f"Its input neuron is a {activations[layer - 1]} at 0 for this sample, so "
            "dL/dw = 0 · delta = 0: this weight does not change (the article's w9)."
        )
    return Explanation(title, tuple(lines), tuple(notes), vals)


def explain_output(
    values: PhaseValues,
    y: np.ndarray,
    loss: str,
    activations: Sequence[str],
    params_before: Sequence[np.ndarray] | None = None,
    row: int = 0,
) -> Explanation:
    """ŷ and y, the loss, dL/dŷ and (for a loss fused with its output activation) dL/dz, with
    the formulas of the engine's ``Loss``; for one neuron and a squared error, the tutorial's
    chain rule."""
    out = len(activations) - 1
    loss_fn, act = get_loss(loss), get_activation(activations[-1])
    symbols = ""
    if values.a[-1] is None:
        return Explanation("Output and loss", ("not computed yet",))
    y_hat = values.a[-1][row]
    y = np.asarray(y)[row]
    lines = [f"ŷ = {vector(y_hat)}", f"y = {vector(y)}"]
    vals = {"y_hat": y_hat.tolist(), "y": y.tolist()}
    if values.loss is None:
        lines.append(f"{loss_fn.formula}: not computed yet")
        return Explanation("Output and loss", tuple(lines), values=vals)
    mean = "  (the batch mean)" if len(values.a[0]) > 1 else ""
    lines.append(f"{loss_fn.formula} = {fmt(values.loss)}{mean}")
    vals["loss"] = float(values.loss)
    with np.errstate(all="ignore"):
        g = loss_fn.grad_output(y_hat[None], y[None])[0]  # each sample's own, no 1/m
    lines.append(_with_numbers(loss_fn.derivative_formula, y_hat, y, g))
    vals["dL_dyhat"] = g.tolist()
    if loss_fn.fused:
        z_out = values.z[-1][row]
        dz = loss_fn.output_delta(z_out[None], y_hat[None], y[None], act, m=1)[0]
        lines.append(_with_numbers(loss_fn.delta_formula, y_hat, y, dz))
        symbols = (f"{act.name} output and {loss} together: dL/dz comes straight from ŷ and y, "
                   "without f′(z).")
        vals["dL_dz"] = dz.tolist()
    # the tutorial's chain rule: one sigmoid (or other) neuron, squared error, one sample
    W = None if params_before is None else params_before[-2]
    if (
        out == 0
        and len(y_hat) == 1
        and values.dW[0] is not None
        and W is not None
        and not loss_fn.fused
    ):
        dyhat_dz = _derivative(act.name, y_hat[0])
        lines.append(f"dŷ/dz = {act.derivative_formula} = {fmt(dyhat_dz)}")
        for i in range(W.shape[0]):
            x = values.a[0][row, i]
            lines.append(
                f"dL/dw{i + 1} = dL/dŷ · dŷ/dz · dz/dw{i + 1} = {_number(g[0])} · "
                f"{_number(dyhat_dz)} · {_number(x)} = {fmt(values.dW[0][i, 0])}"
            )
        lines.append(
            f"dL/db = dL/dŷ · dŷ/dz · 1 = {_number(g[0])} · {_number(dyhat_dz)} = "
            f"{fmt(values.db[0][0])}"
        )
        vals["dyhat_dz"] = float(dyhat_dz)
    return Explanation("Output and loss", tuple(lines), values=vals, symbols=symbols)


def _largest_change(changes: Sequence[np.ndarray]) -> tuple[int, str, tuple[int, ...]]:
    """(layer, "W" or "b", index) of the parameter whose change has the largest magnitude."""
    best = max(range(len(changes)), key=lambda k: np.abs(changes[k]).max(initial=0.0))
    index = np.unravel_index(int(np.abs(changes[best]).argmax()), changes[best].shape)
    return best // 2, "Wb"[best % 2], tuple(int(i) for i in index)


def explain_update(
    values: PhaseValues,
    params_before: Sequence[np.ndarray],
    lr: float,
    optimizer: str,
    param: tuple[int, str, tuple[int, ...]] | None = None,
    row: int = 0,
    names: Names = UNNAMED,
) -> Explanation:
    """The update of one parameter: its old value, its gradient, the step and the new value.
    ``param`` = (layer, "W" or "b", index); None: the parameter that changed most; neurons
    as ``names`` calls them."""
    if values.changes is None:
        return Explanation("Update", ("not computed yet",))
    largest = param is None
    if largest:
        param = _largest_change(values.changes)
    layer, kind, index = param
    k = 2 * layer + (kind == "b")
    name = "w" if kind == "W" else "b"
    old, change = params_before[k][index], values.changes[k][index]
    if kind == "W":
        grad_line, _ = _gradient_line(values, layer, *index, row)
        grad = values.dW[layer][index]
    else:
        grad = values.db[layer][index]
        grad_line = f"dL/db = delta_out = {fmt(grad)}"
    title = names.param(layer, kind, index) + (", the largest change" if largest else "")
    lines = (f"{name} = {fmt(old)}", grad_line,
             *_update_lines(name, old, grad, change, lr, optimizer))
    vals = {"old": float(old), "grad": float(grad), "change": float(change),
            "new": float(old + change), "param": param}
    symbols = _for_param(OPTIMIZERS[optimizer].step_symbols, name)
    return Explanation(title, lines, values=vals, symbols=symbols)


def explain_phase(
    phase: Phase,
    values: PhaseValues,
    params_before: Sequence[np.ndarray],
    activations: Sequence[str],
    y: np.ndarray,
    loss: str,
    lr: float,
    optimizer: str,
    selection: Selection | None = None,
    row: int = 0,
    expand: bool = False,
    names: Names = UNNAMED,
) -> Explanation:
    """What ``phase`` (the one just done) computed, for the selected neuron or parameter where
    the phase computed it, else for the first neuron (forward, backward) or the largest change
    (update). The title names the phase and what it shows; neurons as ``names`` calls them."""
    sel = selection
    if phase.kind == "forward":
        layer = phase.layer + 1
        index = sel.index if sel is not None and sel.kind == "neuron" and sel.layer == layer else 0
        ex = explain_neuron(values, params_before, activations, layer, index, row, expand,
                            names)
        return replace(ex, title=f"Forward — {ex.title}")
    if phase.kind == "loss":
        ex = explain_output(values, y, loss, activations, params_before, row)
        return replace(ex, title="Loss — the output against the target")
    if phase.kind == "backward":
        l = phase.layer
        i = j = 0
        if sel is not None and sel.kind == "connection" and sel.layer == l:
            i, j = sel.i, sel.j
        elif sel is not None and sel.kind == "neuron" and sel.layer == l + 1:
            j = sel.index
        elif sel is not None and sel.kind == "neuron" and sel.layer == l and l >= 1:
            i = sel.index
        grad_line, vals = _gradient_line(values, l, i, j, row)
        lines = [f"{names.param(l, 'W', (i, j))}:", "  " + grad_line,
                 f"{names.param(l, 'b', (j,))}:",
                 f"  dL/db = delta_out = {fmt(values.db[l][j])}"]
        vals["grad_b"] = float(values.db[l][j])
        folded = 0
        if l >= 1:
            more, delta_vals, folded = _delta_lines(values, params_before, activations, l, i,
                                                    row, expand)
            lines += [f"delta of {names.neuron(l, i)}, sent back:"] + ["  " + m for m in more]
            vals["delta_in"] = delta_vals.get("delta")
        title = f"Backward, layer {l + 1} — its gradients" + (", and delta sent back"
                                                               if l >= 1 else "")
        return Explanation(title, tuple(lines), values=vals,
                           folded=folded)
    param = None
    if sel is not None and sel.kind == "connection":
        param = (sel.layer, "W", (sel.i, sel.j))
    elif sel is not None and sel.kind == "neuron" and sel.layer >= 1:
        param = (sel.layer - 1, "b", (sel.index,))
    ex = explain_update(values, params_before, lr, optimizer, param, row, names)
    return replace(ex, title=f"Update — {ex.title}")
