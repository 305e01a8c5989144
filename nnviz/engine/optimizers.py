"""Optimisers: turn gradients into in-place parameter changes.

Parameters and gradients are parallel lists [W0, b0, W1, b1, ...]. Regularisation applies to
weights only (even positions):  g_W += l2 * W + l1 * sign(W)   (loss + l2/2 |W|^2 + l1 |W|_1).

    sgd        dp = -lr g
    momentum   v = mu v - lr g;                 dp = v
    adam       m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
               dp = -lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

After ``compute``, ``changes[i]`` holds dp of parameter i (the GUI's Δw). Every setting is a
plain attribute and may change between steps without a reset. ``state_dict()`` /
``load_state_dict(d)`` copy out and put back everything a step reads or writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nnviz.errors import ConfigError


class Optimizer:
    name = ""
    #: the change Δw of one weight w in a step, as the inspector shows it (g = dL/dw with any
    #: L1/L2 penalty added)
    step_formula = ""
    #: what the symbols of ``step_formula`` beyond lr and dL/dw stand for
    step_symbols = ""
    #: the settings a person can change, with their help text
    settings: dict[str, str] = {}
    #: per-parameter state arrays (lists parallel to the parameters), zero at the start
    state_names: tuple[str, ...] = ()

    def __init__(self, lr: float = 0.01, l1: float = 0.0, l2: float = 0.0):
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.t = 0
        self.changes: list[np.ndarray] = []
        for key in self.state_names:
            setattr(self, key, [])

    def _buffers(self, params: Sequence[np.ndarray]) -> None:
        if len(self.changes) != len(params):
            self.changes = [np.zeros_like(p) for p in params]
            for key in self.state_names:
                setattr(self, key, [np.zeros_like(p) for p in params])

    def regularized(self, params, grads) -> list[np.ndarray]:
        """Gradients with the L1/L2 terms added to the weights (copies only when needed)."""
        if not (self.l1 or self.l2):
            return list(grads)
        out = list(grads)
        for i in range(0, len(params), 2):
            g = grads[i].copy()
            if self.l2:
                g += self.l2 * params[i]
            if self.l1:
                g += self.l1 * np.sign(params[i])
            out[i] = g
        return out

    def compute(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Fill ``self.changes`` with this step's change of each parameter (not yet applied)."""
        self._buffers(params)
        self.t += 1
        grads = self.regularized(params, grads)
        for i, g in enumerate(grads):
            self._change(i, g, self.changes[i])

    def commit(self, params: Sequence[np.ndarray]) -> None:
        """p += dp for every parameter."""
        for p, dp in zip(params, self.changes):
            p += dp

    def _change(self, i: int, g: np.ndarray, dp: np.ndarray) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Copies of everything a step reads or writes: name, lr, l1, l2, t, settings
        {name: value}, changes and each of ``state_names`` (lists of arrays, empty before the
        first step)."""
        d = {"name": self.name, "lr": self.lr, "l1": self.l1, "l2": self.l2, "t": self.t,
             "settings": {k: getattr(self, k) for k in self.settings},
             "changes": [a.copy() for a in self.changes]}
        for key in self.state_names:
            d[key] = [a.copy() for a in getattr(self, key)]
        return d

    def load_state_dict(self, d: dict) -> None:
        """Put back a ``state_dict`` of an optimiser of this kind (arrays copied in place when
        the shapes match). ConfigError for a bad rate, ValueError for other mismatches."""
        if d["name"] != self.name:
            raise ValueError(f"optimizer state of {d['name']!r} given to {self.name!r}")
        if set(d["settings"]) != set(self.settings):
            raise ValueError(f"{self.name} settings must be {', '.join(self.settings) or 'none'}")
        lists = [d["changes"], *(d[key] for key in self.state_names)]
        if any(len(a) != len(lists[0]) for a in lists):
            raise ValueError("optimizer state arrays do not match each other")
        self.lr = check_lr(d["lr"])
        self.l1, self.l2 = check_regularization(d["l1"], d["l2"])
        self.t = int(d["t"])
        for key, value in d["settings"].items():
            setattr(self, key, value)
        self.changes = _copied(self.changes, d["changes"])
        for key in self.state_names:
            setattr(self, key, _copied(getattr(self, key), d[key]))


def _copied(old: list[np.ndarray], new: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``new``'s values: written into ``old``'s arrays when shapes and dtypes match, else copies."""
    if len(old) == len(new) and all(
        a.shape == np.shape(b) and a.dtype == np.asarray(b).dtype for a, b in zip(old, new)
    ):
        for a, b in zip(old, new):
            a[...] = b
        return old
    return [np.array(b, copy=True) for b in new]


class SGD(Optimizer):
    name = "sgd"
    step_formula = "−lr · dL/dw"

    def _change(self, i, g, dp):
        np.multiply(g, -self.lr, out=dp)


class Momentum(Optimizer):
    name = "momentum"
    step_formula = "μ · Δw_previous − lr · dL/dw"
    step_symbols = "μ: the momentum setting; Δw_previous: this parameter's previous change"
    settings = {"momentum": "fraction of the previous change kept (μ, 0 to 1)"}
    state_names = ("velocity",)

    def __init__(self, lr=0.01, momentum=0.9, **kw):
        super().__init__(lr, **kw)
        self.momentum = _fraction("momentum", momentum)

    def _change(self, i, g, dp):
        v = self.velocity[i]
        v *= self.momentum
        v -= self.lr * g
        dp[...] = v



class Adam(Optimizer):
    name = "adam"
    step_formula = "−lr · m̂ / (√v̂ + ε)"
    step_symbols = ("m̂, v̂: running means of dL/dw and of (dL/dw)² (β1, β2), bias-corrected; "
                    "ε keeps the division finite")
    settings = {
        "beta1": "decay of the gradient average (β1)",
        "beta2": "decay of the squared-gradient average (β2)",
        "eps": "added to the denominator (ε)",
    }
    state_names = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, **kw):
        super().__init__(lr, **kw)
        self.beta1, self.beta2 = _fraction("beta1", beta1), _fraction("beta2", beta2)
        if not (isinstance(eps, (int, float)) and np.isfinite(eps) and eps > 0):
            raise ConfigError(f"adam eps must be a positive number, got {eps!r}")
        self.eps = float(eps)

    def _change(self, i, g, dp):
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * (g * g)
        m_hat_scale = 1.0 / (1.0 - self.beta1**self.t)
        v_hat_scale = 1.0 / (1.0 - self.beta2**self.t)
        np.sqrt(v * v_hat_scale, out=dp)
        dp += self.eps
        np.divide(m, dp, out=dp)
        dp *= -self.lr * m_hat_scale


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def make_optimizer(name: str, lr: float, **settings) -> Optimizer:
    """An optimiser by name; unknown names and bad settings raise ConfigError."""
    try:
        cls = OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}"
        ) from None
    check_lr(lr)
    try:
        return cls(lr=lr, **settings)
    except TypeError as exc:
        raise ConfigError(f"bad setting for {name}: {exc}") from None


def _fraction(name: str, value) -> float:
    """A decay rate in [0, 1): 1 or more makes the averages grow without bound."""
    if not (isinstance(value, (int, float)) and 0 <= value < 1):
        raise ConfigError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def check_lr(lr: float) -> float:
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ConfigError(f"learning rate must be a positive number, got {lr!r}")
    return float(lr)


def check_regularization(l1: float, l2: float) -> tuple[float, float]:
    """(l1, l2) unchanged if both are finite and >= 0, else ConfigError."""
    for name, v in (("L1", l1), ("L2", l2)):
        if not (math.isfinite(v) and v >= 0):
            raise ConfigError(f"{name} rate must be a number >= 0, got {v!r}")
    return l1, l2
