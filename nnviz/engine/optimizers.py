"""Optimisers: turn gradients into in-place parameter changes.

Parameters and gradients are parallel lists [W0, b0, W1, b1, ...]. Regularisation applies to
weights only (even positions):  g_W += l2 * W + l1 * sign(W)   (loss + l2/2 |W|^2 + l1 |W|_1).

    sgd        dp = -lr g
    momentum   v = mu v - lr g;                 dp = v
    adam       m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
               dp = -lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

After ``apply``, ``changes[i]`` holds the applied dp of parameter i (the GUI's Δw). Every
setting is a plain attribute and may change between steps without a reset.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnviz.errors import ConfigError


class Optimizer:
    name = ""
    #: the settings a person can change, with their help text
    settings: dict[str, str] = {}

    def __init__(self, lr: float = 0.01, l1: float = 0.0, l2: float = 0.0):
        self.lr = lr
        self.l1 = l1
        self.l2 = l2
        self.t = 0
        self.changes: list[np.ndarray] = []

    def _buffers(self, params: Sequence[np.ndarray]) -> None:
        if len(self.changes) != len(params):
            self.changes = [np.zeros_like(p) for p in params]
            self._init_state(params)

    def _init_state(self, params) -> None:
        pass

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

    def apply(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """One step: ``compute`` then ``commit``."""
        self.compute(params, grads)
        self.commit(params)

    def _change(self, i: int, g: np.ndarray, dp: np.ndarray) -> None:
        raise NotImplementedError

    def state_arrays(self) -> dict[str, list[np.ndarray]]:
        """The optimiser's state (for saving a session): name -> list of arrays."""
        return {}

    def describe(self) -> str:
        return f"{self.name}(lr={self.lr:g})"

    def reset(self) -> None:
        self.t = 0
        self.changes = []


class SGD(Optimizer):
    name = "sgd"
    rule = "w ← w − lr · dL/dw"

    def _change(self, i, g, dp):
        np.multiply(g, -self.lr, out=dp)


class Momentum(Optimizer):
    name = "momentum"
    rule = "v ← μ v − lr · dL/dw;  w ← w + v"
    settings = {"momentum": "fraction of the previous change kept (μ, 0 to 1)"}

    def __init__(self, lr=0.01, momentum=0.9, **kw):
        super().__init__(lr, **kw)
        self.momentum = momentum

    def _init_state(self, params):
        self.velocity = [np.zeros_like(p) for p in params]

    def _change(self, i, g, dp):
        v = self.velocity[i]
        v *= self.momentum
        v -= self.lr * g
        dp[...] = v

    def state_arrays(self):
        return {"velocity": getattr(self, "velocity", [])}


class Adam(Optimizer):
    name = "adam"
    rule = "w ← w − lr · m̂ / (√v̂ + ε)"
    settings = {
        "beta1": "decay of the gradient average (β1)",
        "beta2": "decay of the squared-gradient average (β2)",
        "eps": "added to the denominator (ε)",
    }

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, **kw):
        super().__init__(lr, **kw)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def _init_state(self, params):
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

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

    def state_arrays(self):
        return {"m": getattr(self, "m", []), "v": getattr(self, "v", [])}


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


def check_lr(lr: float) -> float:
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ConfigError(f"learning rate must be a positive number, got {lr!r}")
    return float(lr)
