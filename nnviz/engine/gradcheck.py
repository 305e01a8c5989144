"""Finite-difference gradient check of any single parameter.

    dL/dp ~ (L(p + eps) - L(p - eps)) / (2 eps)          (central difference, error O(eps^2))

computed on a float64 copy of the network, so it also checks float32 networks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine.losses import Loss, get_loss
from nnviz.engine.network import Network


@dataclass(frozen=True)
class GradientCheck:
    analytic: float
    numeric: float

    @property
    def relative_difference(self) -> float:
        """|analytic - numeric| / max(|analytic|, |numeric|, 1e-12)."""
        scale = max(abs(self.analytic), abs(self.numeric), 1e-12)
        return abs(self.analytic - self.numeric) / scale


def _param(net: Network, layer: int, kind: str) -> np.ndarray:
    if kind not in ("W", "b"):
        raise ValueError("kind is 'W' (a weight) or 'b' (a bias)")
    return net.weights[layer] if kind == "W" else net.biases[layer]


def finite_difference(
    net: Network, X, Y, loss: str | Loss, layer: int, kind: str, index, eps: float = 1e-6
) -> float:
    """Central-difference dL/dp of the batch-mean loss, p = W[layer][index] or b[layer][index]."""
    net64 = net.copy()
    net64.dtype = np.dtype(np.float64)
    net64.weights = [w.astype(np.float64) for w in net.weights]
    net64.biases = [b.astype(np.float64) for b in net.biases]
    p = _param(net64, layer, kind)
    original = p[index]
    p[index] = original + eps
    up = net64.loss(X, Y, loss)
    p[index] = original - eps
    down = net64.loss(X, Y, loss)
    p[index] = original
    return (up - down) / (2 * eps)


def gradient_check(
    net: Network, X, Y, loss: str | Loss, layer: int, kind: str, index, eps: float = 1e-6
) -> GradientCheck:
    """Backprop's dL/dp beside its finite-difference estimate."""
    grads = net.backward(net.forward(X), Y, get_loss(loss))
    analytic = (grads.dW if kind == "W" else grads.db)[layer][index]
    return GradientCheck(
        float(analytic), finite_difference(net, X, Y, loss, layer, kind, index, eps)
    )
