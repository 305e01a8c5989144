"""A fully connected network: parameters, forward pass with a trace, backward pass.

Notation (the tutorials'): layer l maps a[l] (batch, n_l) to a[l+1] (batch, n_{l+1}):

    z[l]   = a[l] @ W[l] + b[l]            W[l]: (n_l, n_{l+1}),  b[l]: (n_{l+1},)
    a[l+1] = f_l(z[l])
    delta[L-1] = dL/dz[L-1]                from the loss (includes the batch mean's 1/m)
    dW[l]  = a[l].T @ delta[l]             db[l] = sum over the batch of delta[l]
    delta[l-1] = f'_{l-1}(z[l-1]) * (delta[l] @ W[l].T)

Each layer's step is ``nnviz.engine.layers`` (shared with the trainer's kernels).
``forward`` and ``backward`` return fresh arrays the caller may keep (notebooks, the GUI's
snapshots). The trainer's fast paths live in ``nnviz.engine.kernels``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.engine import layers
from nnviz.engine.activations import Activation, get_activation
from nnviz.engine.buffers import BufferPool
from nnviz.engine.initializers import init_weights
from nnviz.engine.losses import Loss, get_loss
from nnviz.engine.parallel import row_parts, run_parts
from nnviz.errors import ConfigError

#: rows per chunk of a large batch: 2048 x 64 float64 activations = 1 MiB per layer
CHUNK_ROWS = 2048

DTYPES = {"float64": np.float64, "float32": np.float32}


@dataclass(frozen=True, eq=False)
class ForwardTrace:
    """Everything the forward pass computed for a batch.

    a[0] is the input X (batch, n_0); z[l] and a[l+1] are (batch, n_{l+1}) for l = 0..L-1.
    """

    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        """y_hat, (batch, n_out)."""
        return self.a[-1]


@dataclass(frozen=True, eq=False)
class Gradients:
    """The backward pass of a batch: batch-mean loss and its gradients.

    dW[l], db[l] have the shapes of W[l], b[l]; delta[l] = dL/dz[l] is (batch, n_{l+1});
    dL_dyhat is each sample's own dL_i/dy_hat (batch, n_out), without the 1/m.
    """

    loss: float
    dW: tuple[np.ndarray, ...]
    db: tuple[np.ndarray, ...]
    delta: tuple[np.ndarray, ...]
    dL_dyhat: np.ndarray


def _as_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(DTYPES.get(dtype, dtype))
    except TypeError:
        raise ConfigError(f"unknown dtype {dtype!r}; choose float64 or float32") from None
    if dt not in (np.float64, np.float32):
        raise ConfigError(f"dtype must be float64 or float32, not {dt}")
    return dt


class Network:
    """Weights, biases and activations of a fully connected network.

    ``Network([2, 64, 64, 64, 1], hidden="relu", output="identity", seed=99)`` builds
    W[l] (sizes[l], sizes[l+1]) and b[l] (sizes[l+1],). ``activations`` (one name per layer)
    overrides ``hidden``/``output``. ``rng`` may be a ``np.random.Generator`` or a legacy
    ``np.random.RandomState`` (to rebuild the tutorials' ``np.random.seed`` draws); otherwise
    ``np.random.default_rng(seed)`` is used. ``bias_init`` is a constant or "normal".
    """

    def __init__(
        self,
        sizes: Sequence[int],
        hidden: str = "relu",
        output: str = "identity",
        *,
        activations: Sequence[str] | None = None,
        init: str = "uniform",
        bias_init: float | str = 0.0,
        seed: int | None = None,
        rng: np.random.Generator | np.random.RandomState | None = None,
        dtype=np.float64,
    ):
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2:
            raise ConfigError("a network needs at least an input and an output layer")
        if any(n < 1 for n in sizes):
            raise ConfigError(f"every layer needs at least one neuron, got sizes {sizes}")
        n_layers = len(sizes) - 1
        if activations is None:
            activations = [hidden] * (n_layers - 1) + [output]
        if len(activations) != n_layers:
            raise ConfigError(
                f"{n_layers} layers need {n_layers} activations, got {len(activations)}"
            )
        acts = [get_activation(name) for name in activations]
        for l, act in enumerate(acts[:-1]):
            if act.output_only:
                raise ConfigError(f"{act.name} can only be the output activation (layer {l + 1})")
        if acts[-1].name == "softmax" and sizes[-1] < 2:
            raise ConfigError("a softmax output needs at least two output neurons")

        self.sizes = tuple(sizes)
        self.activations: tuple[Activation, ...] = tuple(acts)
        self.dtype = _as_dtype(dtype)
        self.init = init
        self.seed = seed
        if rng is None:
            rng = np.random.default_rng(seed)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self._pool = BufferPool()  # recycles trace arrays the caller no longer holds
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.weights.append(init_weights(init, rng, n_in, n_out).astype(self.dtype))
            if bias_init == "normal":
                b = rng.standard_normal(size=n_out)
            elif isinstance(bias_init, str):
                raise ConfigError(f"bias_init must be a number or 'normal', not {bias_init!r}")
            else:
                b = np.full(n_out, float(bias_init))
            self.biases.append(b.astype(self.dtype))

    # ----------------------------------------------------------------- description
    @property
    def n_layers(self) -> int:
        """Number of weight layers L (the input layer is not counted)."""
        return len(self.weights)

    @property
    def n_params(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    @property
    def activation_names(self) -> tuple[str, ...]:
        return tuple(act.name for act in self.activations)

    def __repr__(self) -> str:
        return (
            f"Network({list(self.sizes)}, activations={list(self.activation_names)}, "
            f"dtype={self.dtype.name})"
        )

    def copy(self) -> Network:
        """An independent network with copied parameters."""
        new = object.__new__(Network)
        new.__dict__.update(self.__dict__)
        new._pool = BufferPool()
        new.weights = [w.copy() for w in self.weights]
        new.biases = [b.copy() for b in self.biases]
        return new

    def get_params(self) -> list[np.ndarray]:
        """Copies of [W0, b0, W1, b1, ...]."""
        return [p.copy() for pair in zip(self.weights, self.biases) for p in pair]

    def set_params(self, params: Sequence[np.ndarray]) -> None:
        """Write [W0, b0, W1, b1, ...] into the existing arrays (in place, shapes checked)."""
        targets = [p for pair in zip(self.weights, self.biases) for p in pair]
        if len(params) != len(targets):
            raise ConfigError(f"expected {len(targets)} parameter arrays, got {len(params)}")
        for dst, src in zip(targets, params):
            src = np.asarray(src)
            if src.shape != dst.shape:
                raise ConfigError(f"parameter shape {src.shape} does not match {dst.shape}")
            dst[...] = src

    def check_inputs(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ConfigError(f"inputs must be (batch, {self.sizes[0]}), got shape {X.shape}")
        return X

    def check_targets(self, Y: np.ndarray, batch: int) -> np.ndarray:
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.ndim == 1:
            Y = Y.reshape(batch, -1)
        if Y.shape != (batch, self.sizes[-1]):
            raise ConfigError(f"targets must be ({batch}, {self.sizes[-1]}), got shape {Y.shape}")
        return Y

    # ----------------------------------------------------------------- forward / backward
    def forward(self, X: np.ndarray) -> ForwardTrace:
        """z[l] = a[l] @ W[l] + b[l];  a[l+1] = f_l(z[l]).  X: (batch, n_0).

        Large batches are computed in row parts on several threads (``engine.parallel``)."""
        X = self.check_inputs(X)
        m = len(X)
        zs = tuple(self._pool.empty((m, n), self.dtype) for n in self.sizes[1:])
        a = (X,) + tuple(self._pool.empty((m, n), self.dtype) for n in self.sizes[1:])
        params = list(zip(self.weights, self.biases, self.activations))

        def part(_, rows):
            for start in range(rows.start, rows.stop, CHUNK_ROWS):
                chunk = slice(start, min(start + CHUNK_ROWS, rows.stop))
                for l, (W, b, act) in enumerate(params):
                    layers.forward(a[l][chunk], W, b, act, zs[l][chunk], a[l + 1][chunk])

        run_parts(part, row_parts(m))
        return ForwardTrace(zs, a)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """y_hat (batch, n_out), keeping no intermediate arrays."""
        h = self.check_inputs(X)
        for W, b, act in zip(self.weights, self.biases, self.activations):
            out = np.empty((len(h), W.shape[1]), self.dtype)
            layers.forward(h, W, b, act, out, out)
            h = out
        return h

    def loss(self, X: np.ndarray, Y: np.ndarray, loss: str | Loss = "half_squared_error") -> float:
        """Batch-mean loss of the current parameters on (X, Y)."""
        trace = self.forward(X)
        return get_loss(loss).value(
            trace.z[-1], trace.output, self.check_targets(Y, len(trace.output))
        )

    def backward(
        self, trace: ForwardTrace, Y: np.ndarray, loss: str | Loss = "half_squared_error"
    ) -> Gradients:
        """Gradients of the batch-mean loss: delta, dW, db for every layer (see module doc)."""
        loss_fn = get_loss(loss)
        loss_fn.check_output(self.activations[-1].name)
        m = trace.output.shape[0]
        Y = self.check_targets(Y, m)
        z_out, y_hat = trace.z[-1], trace.output
        value = loss_fn.value(z_out, y_hat, Y)
        dL_dyhat = loss_fn.grad_output(y_hat, Y)
        delta = loss_fn.output_delta(z_out, y_hat, Y, self.activations[-1])
        deltas = [self._pool.empty(z.shape, z.dtype) for z in trace.z[:-1]] + [delta]

        W, acts = self.weights, (None,) + self.activations[:-1]  # acts[l] = f_{l-1}

        def part(_, rows):
            dW, db = [np.empty_like(w) for w in W], [np.empty_like(b) for b in self.biases]
            tmp = [None] * len(W)  # later chunks add through scratch arrays
            for start in range(rows.start, rows.stop, CHUNK_ROWS):
                chunk = slice(start, min(start + CHUNK_ROWS, rows.stop))
                if start > rows.start and tmp[0] is None:
                    tmp = [np.empty_like(w) for w in W]
                for l in range(self.n_layers - 1, -1, -1):
                    layers.backward(
                        trace.a[l][chunk], deltas[l][chunk], W[l], dW[l], db[l], acts[l],
                        deltas[l - 1][chunk] if l > 0 else None, tmp[l],
                    )
            return dW, db

        results = run_parts(part, row_parts(m))
        dW, db = results[0]
        for more_dW, more_db in results[1:]:
            for l in range(self.n_layers):
                dW[l] += more_dW[l]
                db[l] += more_db[l]
        return Gradients(
            loss=value,
            dW=tuple(dW),
            db=tuple(db),
            delta=tuple(deltas),
            dL_dyhat=dL_dyhat,
        )
