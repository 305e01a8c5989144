"""The loss over a window of two parameters, all others held fixed.

    L(u, v) = mean loss over the rows with p_a = u, p_b = v,  u in p_a ± span, v in p_b ± span

A parameter is named (layer, kind, index): kind "W" with index (i, j) or "b" with index (j,).
Computed on a float64 copy of the network, one forward pass (on at most MAX_ROWS training
rows) per grid point: ~0.05 s for the single neuron, ~0.3 s for the article's MLP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine import Network
from nnviz.engine.losses import get_loss

#: training rows used at most (the landscape is a picture, not a measurement)
MAX_ROWS = 512


@dataclass(frozen=True)
class ParamRef:
    layer: int
    kind: str  # "W" or "b"
    index: tuple[int, ...]

    @property
    def label(self) -> str:
        idx = ", ".join(str(i + 1) for i in self.index)
        return f"{self.kind}{self.layer + 1}[{idx}]"

    def get(self, params) -> float:
        """Value in [W0, b0, W1, b1, ...]."""
        return float(params[2 * self.layer + (self.kind == "b")][self.index])


@dataclass(frozen=True, eq=False)
class Landscape:
    a: ParamRef
    b: ParamRef
    us: np.ndarray  # (res,) values of parameter a
    vs: np.ndarray  # (res,) values of parameter b
    loss: np.ndarray  # (res, res), [iv, iu]
    center: tuple[float, float]


def loss_landscape(params, sizes, activations, X, Y, loss: str, a: ParamRef, b: ParamRef,
                   span: float | None = None, resolution: int = 41) -> Landscape:
    """Loss on a resolution x resolution grid around the current values of ``a`` and ``b``."""
    if a == b:
        raise ValueError("choose two different parameters")
    net = Network(sizes, activations=activations, seed=0)
    net.set_params([np.asarray(p, dtype=np.float64) for p in params])
    X, Y = np.asarray(X)[:MAX_ROWS], np.asarray(Y)[:MAX_ROWS]
    pa = net.weights[a.layer] if a.kind == "W" else net.biases[a.layer]
    pb = net.weights[b.layer] if b.kind == "W" else net.biases[b.layer]
    ca, cb = float(pa[a.index]), float(pb[b.index])
    if span is None:
        span = max(1.0, 1.5 * max(abs(ca), abs(cb)))
    us = np.linspace(ca - span, ca + span, resolution)
    vs = np.linspace(cb - span, cb + span, resolution)
    loss_fn = get_loss(loss)
    out = np.empty((resolution, resolution))
    for iv, v in enumerate(vs):
        pb[b.index] = v
        for iu, u in enumerate(us):
            pa[a.index] = u
            trace = net.forward(X)
            out[iv, iu] = loss_fn.value(trace.z[-1], trace.output, Y)
    return Landscape(a, b, us, vs, out, (ca, cb))
