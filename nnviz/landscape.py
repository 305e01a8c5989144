"""The loss over a window of two parameters, all others held fixed; or over a plane.

    L(u, v) = mean loss over the rows with p_a = u, p_b = v,  u in p_a ± span, v in p_b ± span
    L(u, v) = mean loss at θ0 + u d1 + v d2       (``plane_loss``: θ0, d1, d2 flat, (P,))

A parameter is named (layer, kind, index): kind "W" with index (i, j) or "b" with index (j,);
its ``label`` ("W2[1, 3]", 1-based) reads back with ``ParamRef.parse``. The flat parameter
vector θ is [W0.ravel(), b0, W1.ravel(), b1, ...] (``flat_params``, ``ParamRef.flat_index``).
Computed on a float64 copy of the network, one forward pass (on at most MAX_ROWS training
rows) per grid point: ~0.05 s for the single neuron, ~0.3 s for the article's MLP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from nnviz.engine import Network
from nnviz.engine.edits import param_label
from nnviz.engine.losses import get_loss
from nnviz.errors import ConfigError

#: training rows used at most (the landscape is a picture, not a measurement)
MAX_ROWS = 512


@dataclass(frozen=True)
class ParamRef:
    layer: int
    kind: str  # "W" or "b"
    index: tuple[int, ...]

    @property
    def label(self) -> str:
        return param_label(self.layer, self.kind, self.index)

    def get(self, params) -> float:
        """Value in [W0, b0, W1, b1, ...]."""
        return float(params[2 * self.layer + (self.kind == "b")][self.index])

    def flat_index(self, sizes) -> int:
        """Position in the flat vector θ of a network of layer ``sizes``."""
        shapes = param_shapes(sizes)
        k = 2 * self.layer + (self.kind == "b")
        return sum(int(np.prod(s)) for s in shapes[:k]) + int(
            np.ravel_multi_index(self.index, shapes[k]))

    @classmethod
    def parse(cls, text: str, sizes) -> ParamRef:
        """``label``'s text ("W2[1, 3]", "b1[4]": 1-based) as a parameter of a network of
        layer ``sizes``; ConfigError (one line) if it names none."""
        m = re.fullmatch(r"\s*([Wb])(\d+)\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*", str(text))
        if m is None:
            raise ConfigError(f"{str(text)[:40]!r} is not a parameter: write W<layer>[<from>, "
                              "<to>] or b<layer>[<neuron>], counted from 1 (e.g. W1[1, 2])")
        kind, numbers = m.group(1), [int(g) for g in m.groups()[1:] if g is not None]
        layer, index = numbers[0] - 1, tuple(i - 1 for i in numbers[1:])
        n_layers = len(sizes) - 1
        if not 0 <= layer < n_layers:
            raise ConfigError(f"{text.strip()}: the network has layers 1 to {n_layers}")
        shape = param_shapes(sizes)[2 * layer + (kind == "b")]
        if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape)):
            size = " x ".join(map(str, shape))
            raise ConfigError(f"{text.strip()}: {kind}{layer + 1} is {size}; give "
                              f"{'two indices' if kind == 'W' else 'one index'} within it")
        return cls(layer, kind, index)


#: points a LandscapePath keeps at most (the latest)
PATH_POINTS = 2000


class LandscapePath:
    """The two parameters a loss landscape is drawn over and the path training took through
    them: ``points`` [(p_a, p_b), ...], the latest PATH_POINTS, a point added only when it
    differs from the last. Kept by the window for the backprop inspector, so the path follows
    training while the inspector is hidden or not built yet (Qt-free).

    A run starts with (W[L-1][0, 0], W[L-1][1, 0]) of the last layer L-1 (its bias b[L-1][0]
    instead of the second where the last hidden layer has one neuron); a connection chosen in
    the diagram replaces the older of the two."""

    def __init__(self):
        self.params: list[ParamRef] = []  # [a, b], or [] before a run
        self.points: list[tuple[float, float]] = []

    def start(self, sizes) -> None:
        """A new run of layer ``sizes``: its default pair, no path."""
        n_in, last = sizes[-2], len(sizes) - 2
        self.params = [ParamRef(last, "W", (0, 0)),
                       ParamRef(last, "W", (1, 0)) if n_in > 1 else ParamRef(last, "b", (0,))]
        self.points.clear()

    def select(self, ref: ParamRef) -> bool:
        """Draw over ``ref`` and the newer of the two (the path starts again); False if it is
        one of the two already (nothing changes)."""
        if not self.params or ref in self.params:
            return False
        self.params = [self.params[-1], ref]
        self.points.clear()
        return True

    def record(self, params) -> bool:
        """Add the point of ``params`` [W0, b0, W1, b1, ...]; True if it was added."""
        if not self.params:
            return False
        a, b = self.params
        point = (a.get(params), b.get(params))
        if self.points and self.points[-1] == point:
            return False
        self.points.append(point)
        del self.points[:-PATH_POINTS]
        return True

    def record_snapshot(self, snapshot) -> bool:
        """``record`` the parameters of ``snapshot`` (its weights and biases)."""
        return self.record([p for pair in zip(snapshot.weights, snapshot.biases) for p in pair])


def param_shapes(sizes) -> list[tuple[int, ...]]:
    """Shapes of [W0, b0, W1, b1, ...] for layer ``sizes``."""
    return [s for a, b in zip(sizes, sizes[1:]) for s in ((a, b), (b,))]


def flat_params(params) -> np.ndarray:
    """θ (P,) float64: [W0.ravel(), b0, W1.ravel(), b1, ...] of ``params`` [W0, b0, ...]."""
    return np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in params])


def _float64_net(params, sizes, activations) -> Network:
    net = Network(sizes, activations=activations, seed=0)
    net.set_params([np.asarray(p, dtype=np.float64) for p in params])
    return net


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
    net = _float64_net(params, sizes, activations)
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


class Cancelled(Exception):
    """``plane_loss`` stopped because its ``cancelled()`` said so."""


def plane_loss(origin, d1, d2, us, vs, sizes, activations, X, Y, loss: str,
               cancelled=None) -> np.ndarray:
    """L[iv, iu] = mean loss at θ = origin + us[iu] d1 + vs[iv] d2 (flat vectors (P,), float64)
    over the first MAX_ROWS rows of X, Y; inf where the loss is not finite. ``cancelled()``
    (optional) is asked before each row of the grid: True raises Cancelled (a window that
    closes need not wait for a large network's grid)."""
    shapes = param_shapes(sizes)
    net = _float64_net([np.zeros(s) for s in shapes], sizes, activations)
    targets = [p for pair in zip(net.weights, net.biases) for p in pair]
    bounds = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
    X, Y = np.asarray(X, dtype=np.float64)[:MAX_ROWS], np.asarray(Y, dtype=np.float64)[:MAX_ROWS]
    origin, d1, d2 = (np.asarray(a, dtype=np.float64) for a in (origin, d1, d2))
    loss_fn = get_loss(loss)
    out = np.empty((len(vs), len(us)))
    with np.errstate(all="ignore"):  # far from the paths the loss may overflow: inf
        for iv, v in enumerate(vs):
            if cancelled is not None and cancelled():
                raise Cancelled
            row = origin + v * d2
            for iu, u in enumerate(us):
                theta = row + u * d1
                for k, dst in enumerate(targets):
                    dst[...] = theta[bounds[k]:bounds[k + 1]].reshape(dst.shape)
                trace = net.forward(X)
                out[iv, iu] = loss_fn.value(trace.z[-1], trace.output, Y)
    out[~np.isfinite(out)] = np.inf
    return out
