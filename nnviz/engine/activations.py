"""Activation functions, each with its derivative, its text and its properties beside it.

Every activation maps pre-activations ``z`` (batch, n) to activations ``a`` of the same shape.
The backward pass needs ``da/dz``; for every elementwise activation here it can be computed from
``a`` alone, so the fast path never has to keep ``z``:

    sigmoid      a = 1 / (1 + e^-z)        da/dz = a (1 - a)
    tanh         a = tanh z                da/dz = 1 - a^2
    relu         a = max(0, z)             da/dz = 1 if a > 0 else 0
    leaky_relu   a = z if z > 0 else s z   da/dz = 1 if a > 0 else s      (s = 0.01)
    identity     a = z                     da/dz = 1
    softmax      a_i = e^z_i / sum_j e^z_j (rows)  -- not elementwise: backward is a
                 Jacobian-vector product  g -> a * (g - sum(g * a))

Each object also carries what the app says about it (``formula``, ``derivative_formula``,
``help``: the inspector, tooltips and the diagram read them here, and
``tests/test_engine_formulas.py`` checks the text against the maths), what the diagram marks
(``saturation``, ``can_die``, ``bounded``), and scalar forms of f and f' on Python floats for
the per-sample kernel (``scalar``, ``scalar_derivative``; tested equal to the numpy forms).
"""

from __future__ import annotations

import math
from math import exp

import numpy as np

from nnviz.errors import ConfigError

LEAKY_SLOPE = 0.01


class Activation:
    """Base: ``forward(z, out)`` writes a = f(z); ``backprop(a, g, out)`` writes g * f'(z)."""

    name = ""
    output_only = False
    #: a = f(z), as the app shows it
    formula = ""
    #: f'(z) = da/dz, as the app shows it (in z, and in a where the engine computes it so)
    derivative_formula = ""
    #: one line for a tooltip: what it does and what to watch for
    help = ""
    #: (lowest, highest) value of ``a``
    output_range: tuple[float, float] = (-math.inf, math.inf)
    #: bounds of ``a`` used to call a neuron saturated (None: cannot saturate)
    saturation: tuple[float, float] | None = None
    #: True if a neuron can die: output 0 and pass no gradient on every sample
    can_die = False

    #: a = f(z) on one Python float, for the per-sample kernel (None: not elementwise)
    scalar = None
    #: da/dz from ``a`` on one Python float; None where it is 1 everywhere (identity: the kernel
    #: skips the product) or where ``scalar`` is None
    scalar_derivative = None

    @property
    def bounded(self) -> bool:
        """True if ``a`` stays within a finite range on both sides."""
        return all(math.isfinite(v) for v in self.output_range)

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, a: np.ndarray) -> np.ndarray:
        """Elementwise da/dz from the activations ``a`` (a new array)."""
        raise NotImplementedError

    def backprop(self, a: np.ndarray, g: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """dL/dz = dL/da * da/dz, given ``a`` and ``g`` = dL/da; may write into ``out`` (or g)."""
        return np.multiply(g, self.derivative(a), out=out)

    def __repr__(self) -> str:
        return f"<activation {self.name}>"


class Sigmoid(Activation):
    name = "sigmoid"
    formula = "a = σ(z) = 1 / (1 + e^−z)"
    derivative_formula = "σ(z)(1 − σ(z)) = a(1 − a)"
    help = "σ(z) = 1 / (1 + e^−z), squashes to (0, 1); saturates (f′ ≈ 0) for large |z|"
    output_range = (0.0, 1.0)
    saturation = (0.01, 0.99)

    @staticmethod
    def scalar(z):
        # below -log(largest float) math.exp raises where numpy's gives inf and 1 / inf = 0
        return 1.0 / (1.0 + exp(-z)) if z >= -709.782712893384 else 0.0

    @staticmethod
    def scalar_derivative(a):
        return a * (1.0 - a)

    def forward(self, z, out=None):
        # The textbook formula, bit for bit the tutorial's. For z << 0, e^-z overflows to inf
        # and 1 / inf = 0 is the correct limit, so the overflow is silenced, not avoided.
        out = np.empty_like(z) if out is None else out
        with np.errstate(over="ignore"):
            np.divide(1.0, 1.0 + np.exp(-z), out=out)
        return out

    def derivative(self, a):
        return a * (1.0 - a)

    def backprop(self, a, g, out=None):
        out = np.multiply(g, a, out=out)
        out *= 1.0 - a
        return out


class Tanh(Activation):
    name = "tanh"
    formula = "a = tanh z"
    derivative_formula = "1 − tanh²(z) = 1 − a²"
    help = "tanh(z), squashes to (−1, 1), centred on 0; saturates (f′ ≈ 0) for large |z|"
    output_range = (-1.0, 1.0)
    saturation = (-0.99, 0.99)
    scalar = staticmethod(math.tanh)

    @staticmethod
    def scalar_derivative(a):
        return 1.0 - a * a

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, a):
        return 1.0 - a * a

    def backprop(self, a, g, out=None):
        return np.multiply(g, 1.0 - a * a, out=out)


class ReLU(Activation):
    name = "relu"
    formula = "a = max(0, z)"
    derivative_formula = "1 if z > 0 else 0"
    help = "max(0, z): dies (passes no gradient) when z < 0 on every sample"
    output_range = (0.0, math.inf)
    can_die = True

    @staticmethod
    def scalar(z):
        return z if z > 0.0 else 0.0

    @staticmethod
    def scalar_derivative(a):
        return 1.0 if a > 0.0 else 0.0

    def forward(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def derivative(self, a):
        return (a > 0).astype(a.dtype)

    def backprop(self, a, g, out=None):
        # a multiply by the mask: ~20x faster than the boolean assignment out[a <= 0] = 0
        return np.multiply(g, a > 0, out=out)


class LeakyReLU(Activation):
    name = "leaky_relu"
    formula = f"a = z if z > 0 else {LEAKY_SLOPE} z"
    derivative_formula = f"1 if z > 0 else {LEAKY_SLOPE}"
    help = f"z if z > 0 else {LEAKY_SLOPE} z: a ReLU that keeps a small gradient, so cannot die"

    @staticmethod
    def scalar(z):
        return z if z > 0.0 else LEAKY_SLOPE * z

    @staticmethod
    def scalar_derivative(a):
        return 1.0 if a > 0.0 else LEAKY_SLOPE

    def forward(self, z, out=None):
        return np.maximum(z, LEAKY_SLOPE * z, out=out)

    def derivative(self, a):
        return np.where(a > 0, a.dtype.type(1.0), a.dtype.type(LEAKY_SLOPE))

    def backprop(self, a, g, out=None):
        return np.multiply(g, self.derivative(a), out=out)


class Identity(Activation):
    name = "identity"
    formula = "a = z"
    derivative_formula = "1"
    help = "z unchanged (regression outputs)"

    @staticmethod
    def scalar(z):
        return z

    def forward(self, z, out=None):
        if out is None:
            return z.copy()
        if out is not z:
            np.copyto(out, z)
        return out

    def derivative(self, a):
        return np.ones_like(a)

    def backprop(self, a, g, out=None):
        if out is None or out is g:
            return g
        np.copyto(out, g)
        return out


class Softmax(Activation):
    name = "softmax"
    output_only = True
    formula = "a_i = e^z_i / Σ_j e^z_j"
    derivative_formula = "∂a_i/∂z_j = a_i(δ_ij − a_j); on the diagonal a_i(1 − a_i)"
    help = "probabilities over classes, summing to 1 (multi-class outputs)"
    output_range = (0.0, 1.0)

    def forward(self, z, out=None):
        out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, a):
        """The diagonal of the Jacobian, a_i (1 - a_i): shown per neuron, not used to backprop."""
        return a * (1.0 - a)

    def backprop(self, a, g, out=None):
        # J^T g with J_ij = a_i (delta_ij - a_j):  a * (g - <g, a>)
        dot = np.sum(g * a, axis=1, keepdims=True)
        out = np.subtract(g, dot, out=out)
        out *= a
        return out


ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Identity(), Softmax())
}
HIDDEN_ACTIVATIONS = tuple(name for name, act in ACTIVATIONS.items() if not act.output_only)


def get_activation(name: str | Activation) -> Activation:
    """The activation called ``name``; a ConfigError naming the choices otherwise."""
    if isinstance(name, Activation):
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
