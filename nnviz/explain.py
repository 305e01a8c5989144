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
from dataclasses import dataclass, field

import numpy as np

from nnviz.engine.activations import get_activation
from nnviz.engine.losses import get_loss
from nnviz.engine.phases import PhaseValues

#: terms of a long sum shown before folding the rest into "+ N more terms"
FOLD_TERMS = 4


def fmt(v: float) -> str:
    """Numbers as shown: 6 significant digits, no noise for integers."""
    v = float(v)
    if v == int(v) and abs(v) < 1e6:
        return f"{int(v)}"
    return f"{v:.6g}"


def _number(v: float) -> str:
    """A number put into a formula: negative ones in parentheses."""
    return f"({fmt(v)})" if v < 0 else fmt(v)


def _with_numbers(formula: str, y_hat: float, y: float, y_sum: float, value: float) -> str:
    """``formula`` (a loss's "dL/d… = …" in ŷ, y, Σy), then with the numbers put in, then
    ``value`` (computed by the engine, not from this text)."""
    rhs = formula.split(" = ", 1)[1]
    put = rhs.replace("Σy", _number(y_sum)).replace("ŷ", _number(y_hat)).replace("y", _number(y))
    return f"{formula} = {put} = {fmt(value)}"


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


def _sum_terms(ws: Sequence[float], xs: Sequence[float], expand: bool) -> tuple[str, int]:
    terms = [f"{fmt(w)}·{fmt(x)}" for w, x in zip(ws, xs)]
    if expand or len(terms) <= FOLD_TERMS + 1:
        return " + ".join(terms), 0
    hidden = len(terms) - FOLD_TERMS
    return " + ".join(terms[:FOLD_TERMS]) + f" + … {hidden} more terms", hidden


def explain_neuron(
    values: PhaseValues,
    params_before: Sequence[np.ndarray],
    activations: Sequence[str],
    layer: int,
    index: int,
    row: int = 0,
    expand: bool = False,
) -> Explanation:
    """z = Σ w·a + b, a = f(z), and (once backward got there) delta, for neuron (layer, index)."""
    title = f"Neuron {index + 1} of layer {layer}"
    if layer == 0:
        x = values.a[0][row, index]
        return Explanation(title + " (input)", (f"x{index + 1} = {fmt(x)}",), values={"a": x})
    l = layer - 1
    W, b = params_before[2 * l], params_before[2 * l + 1]
    act = activations[l]
    lines, notes, vals, folded = [], [], {}, 0
    if values.z[l] is None:
        return Explanation(title, ("not computed yet: the forward pass has not reached it",))
    a_in = values.a[l][row]
    z, a = values.z[l][row, index], values.a[l + 1][row, index]
    terms, folded = _sum_terms(W[:, index], a_in, expand)
    lines.append(f"z = Σ w·a + b = {terms} + {fmt(b[index])} = {fmt(z)}")
    lines.append(f"{get_activation(act).formula} = {fmt(a)}")
    vals.update(z=float(z), a=float(a), b=float(b[index]))
    delta_arr = values.delta[l]
    if delta_arr is not None:
        delta = delta_arr[row, index]
        vals["delta"] = float(delta)
        if l + 1 < len(activations) and values.delta[l + 1] is not None:
            W_next = params_before[2 * (l + 1)]
            d_next = values.delta[l + 1][row]
            back = float(W_next[index] @ d_next)
            terms, more = _sum_terms(W_next[index], d_next, expand)
            folded += more
            df = _derivative(act, a)
            lines.append(f"f′(z) = {get_activation(act).derivative_formula} = {fmt(df)}")
            lines.append(
                f"delta = f′(z) · Σ w·delta_next = {fmt(df)} · "
                f"({terms}) = {fmt(df)} · {fmt(back)} = {fmt(delta)}"
            )
            vals["back"] = back
        else:
            lines.append(f"delta = dL/dz = {fmt(delta)}  (from the loss; see the output)")
    if get_activation(act).can_die and a == 0:
        notes.append(
            f"This {act} neuron's output is 0 for this sample (z = {fmt(z)} ≤ 0): it passes no "
            "gradient. Its outgoing weights get dL/dw = a · delta = 0, and its own delta is 0, "
            "so nothing before it learns through it from this sample."
        )
    return Explanation(title, tuple(lines), tuple(notes), vals, folded)


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
) -> Explanation:
    """Weight from neuron i of layer ``layer`` to neuron j of the next: dL/dw and its update."""
    W = params_before[2 * layer]
    w = W[i, j]
    title = f"Weight from neuron {i + 1} (layer {layer}) to neuron {j + 1} (layer {layer + 1})"
    lines, notes, vals = [f"w = {fmt(w)}"], [], {"w": float(w)}
    if values.dW[layer] is None:
        lines.append("dL/dw: not computed yet: the backward pass has not reached this layer")
        return Explanation(title, tuple(lines), values=vals)
    a_in = values.a[layer][:, i]
    delta = values.delta[layer][:, j]
    grad = values.dW[layer][i, j]
    vals.update(a_in=float(a_in[row]), delta=float(delta[row]), grad=float(grad))
    if len(a_in) == 1:
        lines.append(f"dL/dw = a_in · delta_out = {fmt(a_in[0])} · {fmt(delta[0])} = {fmt(grad)}")
    else:
        lines.append(f"dL/dw = Σ over the batch of a_in · delta_out = {fmt(grad)}")
    if values.changes is not None:
        change = values.changes[2 * layer][i, j]
        vals["change"] = float(change)
        if optimizer == "sgd":
            lines.append(
                f"w_new = w − lr · dL/dw = {fmt(w)} − {fmt(lr)} · {fmt(grad)} = {fmt(w + change)}"
            )
        else:
            lines.append(
                f"w_new = w + Δw ({optimizer}) = {fmt(w)} + {fmt(change)} = {fmt(w + change)}"
            )
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
    """The loss, dL/dŷ and (for a loss fused with its output activation) dL/dz, with the
    formulas of the engine's ``Loss``; for one neuron and a squared error, the tutorial's chain
    rule."""
    out = len(activations) - 1
    loss_fn, act = get_loss(loss), get_activation(activations[-1])
    if values.a[-1] is None:
        return Explanation("Output and loss", ("not computed yet",))
    y_hat = values.a[-1][row]
    y = np.asarray(y)[row]
    lines = [f"ŷ = {', '.join(fmt(v) for v in y_hat)}    y = {', '.join(fmt(v) for v in y)}"]
    vals = {"y_hat": y_hat.tolist(), "y": y.tolist()}
    if values.loss is None:
        lines.append(f"{loss_fn.formula}: not computed yet")
        return Explanation("Output and loss", tuple(lines), values=vals)
    lines.append(f"{loss_fn.formula};  batch mean = {fmt(values.loss)}")
    vals["loss"] = float(values.loss)
    first = "  (first output)" if len(y_hat) > 1 else ""
    with np.errstate(all="ignore"):
        g = loss_fn.grad_output(y_hat[None], y[None])[0]  # each sample's own, no 1/m
    lines.append(_with_numbers(loss_fn.derivative_formula, y_hat[0], y[0], y.sum(), g[0]) + first)
    vals["dL_dyhat"] = g.tolist()
    if loss_fn.fused:
        z_out = values.z[-1][row]
        dz = loss_fn.output_delta(z_out[None], y_hat[None], y[None], act, m=1)[0]
        lines.append(_with_numbers(loss_fn.delta_formula, y_hat[0], y[0], y.sum(), dz[0]) + first
                     + f"  ({act.name} and {loss} together)")
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
        for i in range(W.shape[0]):
            x = values.a[0][row, i]
            lines.append(
                f"dL/dw{i + 1} = dL/dŷ · dŷ/dz · dz/dw{i + 1} = {fmt(g[0])} · {fmt(dyhat_dz)} · "
                f"{fmt(x)} = {fmt(values.dW[0][i, 0])}"
            )
        lines.append(
            f"dL/db = dL/dŷ · dŷ/dz · 1 = {fmt(g[0])} · {fmt(dyhat_dz)} = "
            f"{fmt(values.db[0][0])}   (dŷ/dz = {act.derivative_formula} = {fmt(dyhat_dz)})"
        )
        vals["dyhat_dz"] = float(dyhat_dz)
    return Explanation("Output and loss", tuple(lines), values=vals)
