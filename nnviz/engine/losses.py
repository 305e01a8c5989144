"""Loss functions: per-sample value, dL/dy_hat, and the output delta dL/dz_out.

Shapes: z, a (= y_hat) and y are (batch, n_out). The network's loss is the batch mean of the
per-sample loss, so every gradient here carries the factor 1/m (m = batch size).

    squared_error         L = sum_k (y_hat_k - y_k)^2          dL/dy_hat = 2 (y_hat - y)
    half_squared_error    L = 1/2 sum_k (y_hat_k - y_k)^2      dL/dy_hat = y_hat - y
    binary_cross_entropy  L = -sum_k y log y_hat + (1-y) log(1-y_hat),  sigmoid output:
                          from logits, L = max(z, 0) - z y + log(1 + e^-|z|),  dL/dz = y_hat - y
    cross_entropy         L = -sum_k y_k log y_hat_k,  softmax output:
                          from logits, L = logsumexp(z) sum_k y_k - sum_k y_k z_k,
                          dL/dz = y_hat sum_k y_k - y   (= y_hat - y for one-hot targets)

Each object also carries what the app says about it (``formula``, ``derivative_formula``,
``delta_formula``, ``help``; ``tests/test_engine_formulas.py`` checks the text against the
maths) and, where the per-sample kernel supports it, ``scalar_output``: the value and the
output delta of one sample on Python floats, tested equal to the numpy forms.
"""

from __future__ import annotations

import math

import numpy as np

from nnviz.engine.activations import Activation
from nnviz.errors import ConfigError


class Loss:
    """Base: per-sample value and gradient with respect to the network output."""

    name = ""
    #: the per-sample loss, as the app shows it
    formula = ""
    #: dL/dŷ of one sample (what ``grad_output`` computes)
    derivative_formula = ""
    #: dL/dz of the output layer for one sample, where backpropagation starts
    delta_formula = ""
    #: one line for a tooltip
    help = ""
    #: the output activation this loss is defined with (None: any)
    requires_output: str | None = None
    #: True if dL/dz of the output comes straight from ŷ and y (``delta_formula``), without
    #: going through dL/dŷ and f'(z)
    fused = False

    def per_sample(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of each sample, shape (batch,)."""
        raise NotImplementedError

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        """Batch-mean loss."""
        return float(np.mean(self.per_sample(z, a, y)))

    def grad_output(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL_i/dy_hat for each sample's own loss L_i (no 1/m), shape (batch, n_out)."""
        raise NotImplementedError

    def output_delta(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, act: Activation, out=None, m=None
    ) -> np.ndarray:
        """dL/dz_out of the batch-mean loss: f'(z) * dL/dy_hat / m (chain rule).

        ``m`` is the batch size (default: the rows given; larger when given one chunk)."""
        g = self.grad_output(a, y)
        g /= m or a.shape[0]
        return act.backprop(a, g, out=out)

    def check_targets(self, Y: np.ndarray, what: str = "targets") -> None:
        """Refuse (ConfigError, one line) targets this loss is not defined for; Y (n, n_out)."""

    def scalar_output(self, df):
        """``(z, a, y) -> (L, delta)`` for one sample on Python lists: ``per_sample`` and
        ``output_delta`` (m = 1) for the per-sample kernel, with the output activation's
        ``scalar_derivative`` ``df`` bound in (a closure: ~3% of the tutorial's step faster
        than passing it); None where this loss has no such form."""
        return None

    def check_output(self, activation: str) -> None:
        """Refuse an output activation this loss is not defined with."""
        if self.requires_output and activation != self.requires_output:
            raise ConfigError(
                f"loss {self.name} needs a {self.requires_output} output, not {activation}"
            )


class SquaredError(Loss):
    name = "squared_error"
    formula = "L = Σ (ŷ − y)²"
    derivative_formula = "dL/dŷ = 2(ŷ − y)"
    delta_formula = "dL/dz = 2(ŷ − y) · f′(z)"
    help = "Σ (ŷ − y)²: the sum of squared differences (the single-neuron tutorial's error)"
    scale = 1.0

    def scalar_output(self, df):
        scale, factor = self.scale, 2.0 * self.scale

        def output(z, a, y):
            diff = [ak - yk for ak, yk in zip(a, y)]
            value = scale * sum([d * d for d in diff])
            g = [d * factor for d in diff] if factor != 1.0 else diff
            return value, (g if df is None else [gk * df(ak) for gk, ak in zip(g, a)])

        return output

    def per_sample(self, z, a, y):
        d = a - y
        return self.scale * np.einsum("ij,ij->i", d, d)

    def grad_output(self, a, y):
        g = np.subtract(a, y)
        g *= 2.0 * self.scale
        return g

    def output_delta(self, z, a, y, act, out=None, m=None):
        out = np.subtract(a, y, out=out)
        factor = 2.0 * self.scale / (m or a.shape[0])
        if factor != 1.0:
            out *= factor
        return act.backprop(a, out, out=out)


class HalfSquaredError(SquaredError):
    name = "half_squared_error"
    formula = "L = ½ Σ (ŷ − y)²"
    derivative_formula = "dL/dŷ = ŷ − y"
    delta_formula = "dL/dz = (ŷ − y) · f′(z)"
    help = "½ Σ (ŷ − y)²: half the squared error, so dL/dŷ = ŷ − y (the MLP article's)"
    scale = 0.5


class _LogitLoss(Loss):
    """A loss paired with its output activation so that dL/dz = (ŷ − y) / m (fused)."""

    fused = True

    def output_delta(self, z, a, y, act, out=None, m=None):
        out = np.subtract(a, y, out=out)
        out /= m or a.shape[0]
        return out


class BinaryCrossEntropy(_LogitLoss):
    name = "binary_cross_entropy"
    formula = "L = −Σ [y log ŷ + (1 − y) log(1 − ŷ)]"
    derivative_formula = "dL/dŷ = (ŷ − y) / (ŷ(1 − ŷ))"
    delta_formula = "dL/dz = ŷ − y"
    help = ("for 0/1 targets with a sigmoid output; computed from z, so never log 0, and "
            "dL/dz = ŷ − y")
    requires_output = "sigmoid"

    def check_targets(self, Y, what="targets"):
        """y in [0, 1] (labels 0/1, or probabilities): elsewhere L has no minimum."""
        bad = (Y < 0) | (Y > 1)
        if bad.any():
            i, k = (int(v) for v in np.argwhere(bad)[0])
            raise ConfigError(f"{self.name} needs {what} in [0, 1] (0/1 labels or "
                              f"probabilities), got {Y[i, k]:g} in row {i + 1}")

    def scalar_output(self, df):
        return self._scalar_output

    @staticmethod
    def _scalar_output(z, a, y):
        value = sum(
            max(zk, 0.0) - zk * yk + math.log1p(math.exp(-abs(zk))) for zk, yk in zip(z, y)
        )
        return value, [ak - yk for ak, yk in zip(a, y)]

    def per_sample(self, z, a, y):
        per = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return per.sum(axis=1)

    def grad_output(self, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a - y) / (a * (1.0 - a))


class CrossEntropy(_LogitLoss):
    name = "cross_entropy"
    formula = "L = −Σ y log ŷ"
    derivative_formula = "dL/dŷ = −y / ŷ"
    delta_formula = "dL/dz = ŷ·Σy − y"
    help = ("for one-hot targets with a softmax output; computed from z, and "
            "dL/dz = ŷ − y when the targets sum to 1")
    requires_output = "softmax"

    def check_targets(self, Y, what="targets"):
        """Each row a probability vector (one-hot, or >= 0 summing to 1): else L has no
        minimum."""
        bad = (Y < 0).any(axis=1) | (np.abs(Y.sum(axis=1) - 1.0) > 1e-6)
        if bad.any():
            i = int(np.argmax(bad))
            shown = ", ".join(f"{v:g}" for v in Y[i, :6]) + (", ..." if Y.shape[1] > 6 else "")
            raise ConfigError(f"{self.name} needs each row of {what} to be one-hot or "
                              f"probabilities summing to 1, got [{shown}] in row {i + 1}")

    def per_sample(self, z, a, y):
        zmax = z.max(axis=1, keepdims=True)
        logsumexp = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        return logsumexp * y.sum(axis=1) - np.einsum("ij,ij->i", y, z)

    def grad_output(self, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -y / a

    def output_delta(self, z, a, y, act, out=None, m=None):
        # ŷ·Σy − y: the exact gradient of per_sample for any targets; ŷ − y, bit for bit, for
        # one-hot ones (Σy = 1.0)
        out = np.multiply(a, y.sum(axis=1, keepdims=True), out=out)
        out -= y
        out /= m or a.shape[0]
        return out


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (SquaredError(), HalfSquaredError(), BinaryCrossEntropy(), CrossEntropy())
}


def get_loss(name: str | Loss) -> Loss:
    """The loss called ``name``; a ConfigError naming the choices otherwise."""
    if isinstance(name, Loss):
        return name
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None


def losses_for_output(activation: str) -> tuple[str, ...]:
    """The losses that make sense with this output activation (for the GUI's choices)."""
    return tuple(
        name for name, loss in LOSSES.items() if loss.requires_output in (None, activation)
    )
