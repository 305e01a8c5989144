"""Training kernels: one gradient step, split into the phases of backpropagation.

Both kernels follow one protocol (``Kernel``), so the trainer, the phase stepper and snapshots
never ask which one runs. The phases, which the step-through mode calls one at a time and
``run`` calls back to back (a stepped sample ends with exactly the parameters of a fast step):

    load(X, Y)          the batch: X (m, n_0), Y (m, n_out)
    forward_layer(l)    z[l] = a[l] @ W[l] + b[l];  a[l+1] = f_l(z[l])           (layers.forward)
    compute_loss()      L (batch mean) and delta[L-1] = dL/dz[L-1]
    backward_layer(l)   dW[l] = a[l].T @ delta[l];  db[l] = sum delta[l];
                        delta[l-1] = f'(z[l-1]) * (delta[l] @ W[l].T)          (layers.backward)
    update()            the optimiser's change; refused (``problem`` set) if not finite

``BatchKernel`` is numpy with preallocated buffers; batches larger than ``chunk`` rows are
processed chunk by chunk so the activations stay in cache. ``SampleKernel`` is plain Python
floats for one sample through a tiny network with plain SGD, where numpy's per-call cost
would dominate (the single-neuron tutorial runs ~10x faster this way). ``make_kernel`` picks.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

import numpy as np

from nnviz.engine import layers
from nnviz.engine.layers import backward_py, forward_py
from nnviz.engine.losses import Loss
from nnviz.engine.network import CHUNK_ROWS, Network
from nnviz.engine.optimizers import SGD, Optimizer
from nnviz.engine.parallel import row_parts, run_parts

if TYPE_CHECKING:
    from nnviz.engine.trainer import Trainer

#: networks up to this many parameters train one sample at a time in pure Python
SAMPLE_KERNEL_MAX_PARAMS = 64


class Kernel(Protocol):
    """What the trainer, the phase stepper and snapshots use of a kernel.

    ``problem`` is set (and the step not applied) when a loss or an update is not finite.
    """

    problem: str | None

    def run(self, trainer: Trainer, count: int) -> tuple[list[float], object, int | list[int]]:
        """Up to ``count`` steps on the trainer's next batches, stopping at a problem:
        (the steps' losses, the last step's sample indices, batch size(s)) for
        ``Trainer._record``."""

    def load(self, X: np.ndarray, Y: np.ndarray) -> None: ...
    def forward_layer(self, l: int) -> None: ...
    def compute_loss(self) -> float: ...
    def backward_layer(self, l: int) -> None: ...
    def update(self) -> bool: ...

    def value(self, name: str, l: int) -> np.ndarray:
        """A copy of what the phases computed: ``name`` "z", "a", "delta" ((m, n) rows of the
        loaded batch) or "dW", "db" (summed over it) of layer ``l``."""

    def changes(self) -> list[np.ndarray]:
        """Copies of the last update's change of [W0, b0, W1, b1, ...] (zeros before one)."""

    def sync_in(self) -> None:
        """Re-read the network's arrays (after they were changed from outside)."""

    def sync_out(self) -> None:
        """Make the network's arrays current."""


def make_kernel(net: Network, loss: Loss, optimizer: Optimizer, batch_size: int) -> Kernel:
    """The kernel for these settings: per-sample pure Python where it is supported, else numpy."""
    if batch_size == 1 and SampleKernel.supports(net, loss, optimizer):
        return SampleKernel(net, loss, optimizer)
    return BatchKernel(net, loss, optimizer)


class _Lane:
    """Buffers and phase arithmetic for the rows of one thread: activations, deltas, gradients."""

    def __init__(self, net: Network, loss: Loss):
        self.net, self.loss = net, loss
        self.grads = [np.zeros_like(p) for pair in zip(net.weights, net.biases) for p in pair]
        self._tmp = [np.zeros_like(w) for w in net.weights]
        self._workspaces: dict[int, tuple[list, list, list]] = {}

    def _workspace(self, rows: int):
        ws = self._workspaces.get(rows)
        if ws is None:
            if len(self._workspaces) > 4:
                self._workspaces.clear()
            dt, sizes = self.net.dtype, self.net.sizes
            z = [np.empty((rows, n), dt) for n in sizes[1:]]
            a = [None] + [np.empty((rows, n), dt) for n in sizes[1:]]
            delta = [np.empty((rows, n), dt) for n in sizes[1:]]
            ws = self._workspaces[rows] = (z, a, delta)
        return ws

    def load(self, X: np.ndarray, Y: np.ndarray, m: int, accumulate: bool) -> None:
        self.z, self.a, self.delta = self._workspace(len(X))
        self.a[0] = X
        self.Y, self.m, self.accumulate = Y, m, accumulate

    def forward_layer(self, l: int) -> None:
        net = self.net
        layers.forward(self.a[l], net.weights[l], net.biases[l], net.activations[l], self.z[l],
                       self.a[l + 1])

    def compute_loss(self) -> float:
        """Sum of this chunk's per-sample losses (the kernel divides by m)."""
        L = self.net.n_layers - 1
        z, a, y = self.z[L], self.a[L + 1], self.Y
        self.loss.output_delta(z, a, y, self.net.activations[L], out=self.delta[L], m=self.m)
        return float(self.loss.per_sample(z, a, y).sum())

    def backward_layer(self, l: int) -> None:
        net = self.net
        layers.backward(
            self.a[l], self.delta[l], net.weights[l], self.grads[2 * l], self.grads[2 * l + 1],
            net.activations[l - 1] if l > 0 else None, self.delta[l - 1] if l > 0 else None,
            self._tmp[l] if self.accumulate else None,
        )

    def run_rows(self, X: np.ndarray, Y: np.ndarray, m: int, chunk: int) -> float:
        """Forward and backward over X in chunks, summing into ``grads``; the loss sum."""
        n_layers, total = self.net.n_layers, 0.0
        for start in range(0, len(X), chunk):
            self.load(X[start : start + chunk], Y[start : start + chunk], m, start > 0)
            for l in range(n_layers):
                self.forward_layer(l)
            total += self.compute_loss()
            for l in range(n_layers - 1, -1, -1):
                self.backward_layer(l)
        return total


class BatchKernel:
    """One step of (mini-)batch gradient descent on ``net`` with numpy buffers reused per size.

    A batch larger than ``chunk`` rows goes through in chunks (activations stay in cache); one
    larger than ``parallel.MIN_ROWS_PER_THREAD`` per thread is split across threads, each with
    its own buffers, and their gradients are summed in a fixed order (deterministic).
    """

    def __init__(self, net: Network, loss: Loss, optimizer: Optimizer, chunk: int = CHUNK_ROWS):
        self.net, self.loss, self.opt, self.chunk = net, loss, optimizer, chunk
        self.params = [p for pair in zip(net.weights, net.biases) for p in pair]
        self.lanes = [_Lane(net, loss)]
        self.grads = self.lanes[0].grads
        self.problem: str | None = None

    # -- phases (on lane 0: one chunk, as the fast path does for batches up to ``chunk``)
    def load(self, X: np.ndarray, Y: np.ndarray) -> None:
        lane = self.lanes[0]
        lane.load(X, Y, len(X), False)
        self.z, self.a, self.delta = lane.z, lane.a, lane.delta

    def forward_layer(self, l: int) -> None:
        self.lanes[0].forward_layer(l)

    def compute_loss(self) -> float:
        lane = self.lanes[0]
        return lane.compute_loss() / lane.m

    def backward_layer(self, l: int) -> None:
        self.lanes[0].backward_layer(l)

    def update(self) -> bool:
        """Apply the optimiser's change; False (and ``problem`` set) if it is not finite."""
        self.opt.compute(self.params, self.grads)
        for i, dp in enumerate(self.opt.changes):
            if not math.isfinite(float(dp.sum())):
                self.problem = f"the update of {_param_name(i)} is not finite"
                return False
        self.opt.commit(self.params)
        return True

    # -- the fast path
    def run(self, trainer: Trainer, count: int) -> tuple[list[float], np.ndarray, list[int]]:
        losses, sizes, idx = [], [], None
        for _ in range(count):
            idx, X, Y = trainer.next_batch()
            value = self.step(X, Y)
            if self.problem:
                break
            losses.append(value)
            sizes.append(len(X))
        return losses, (np.arange(trainer.n) if idx is None else idx), sizes

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        """One gradient step on the batch (X, Y); returns its loss before the update."""
        m = len(X)
        parts = row_parts(m) if m > self.chunk else [slice(0, m)]
        while len(self.lanes) < len(parts):
            self.lanes.append(_Lane(self.net, self.loss))
        sums = run_parts(
            lambda i, rows: self.lanes[i].run_rows(X[rows], Y[rows], m, self.chunk), parts
        )
        for lane in self.lanes[1 : len(parts)]:
            for g, h in zip(self.grads, lane.grads):
                g += h
        total = math.fsum(sums) / m
        if not math.isfinite(total):
            self.problem = "the loss is not finite"
        else:
            self.update()
        return total

    # -- views
    def value(self, name: str, l: int) -> np.ndarray:
        if name in ("dW", "db"):
            return self.grads[2 * l + (name == "db")].copy()
        return getattr(self, name)[l].copy()

    def changes(self) -> list[np.ndarray]:
        if not self.opt.changes:
            return [np.zeros_like(p) for p in self.params]
        return [c.copy() for c in self.opt.changes]

    def sync_in(self) -> None:
        """Nothing to do: this kernel works on the network's own arrays."""

    def sync_out(self) -> None:
        """Nothing to do: this kernel works on the network's own arrays."""


def _param_name(i: int) -> str:
    return f"{'Wb'[i % 2]}[{i // 2}]"


class SampleKernel:
    """Per-sample SGD in pure Python floats for tiny networks (see ``supports``).

    Parameters live in Python lists while training (W by columns: cols[l][j][i] = W[l][i, j]);
    ``sync_out`` writes them back into the network's arrays, ``sync_in`` reads them. The maths is
    ``layers.forward_py``/``backward_py`` with the activations' and the loss's scalar forms.
    """

    def __init__(self, net: Network, loss: Loss, optimizer: Optimizer):
        self.net, self.loss, self.opt = net, loss, optimizer
        self.n_layers = net.n_layers
        self.f = [act.scalar for act in net.activations]
        self.df = [act.scalar_derivative for act in net.activations]
        self._loss_output = loss.scalar_output(self.df[-1])
        self.problem: str | None = None
        self.delta: list = [None] * self.n_layers
        self.dW: list = [None] * self.n_layers
        self._rows = None  # the trainer's X, and its rows as lists (built on the first run)
        self.sync_in()

    @staticmethod
    def supports(net: Network, loss: Loss, optimizer: Optimizer) -> bool:
        return (
            type(optimizer) is SGD
            and not (optimizer.l1 or optimizer.l2)
            and net.n_params <= SAMPLE_KERNEL_MAX_PARAMS
            and net.dtype == np.float64
            and all(act.scalar is not None for act in net.activations)
            and loss.scalar_output(None) is not None
        )

    def sync_in(self) -> None:
        self.cols = [w.T.tolist() for w in self.net.weights]
        self.b = [b.tolist() for b in self.net.biases]

    def sync_out(self) -> None:
        for w, cols, b, bl in zip(self.net.weights, self.cols, self.net.biases, self.b):
            w[...] = np.array(cols).T
            b[...] = bl

    # -- phases
    def load(self, X: np.ndarray, Y: np.ndarray) -> None:
        if len(X) != 1:
            raise ValueError("this trainer steps one sample at a time")
        self.a = [X[0].tolist()]
        self.z = []
        self.y = Y[0].tolist()

    def forward_layer(self, l: int) -> None:
        z, a = forward_py(self.a[l], self.cols[l], self.b[l], self.f[l])
        self.z.append(z)
        self.a.append(a)

    def compute_loss(self) -> float:
        L = self.n_layers - 1
        value, self.delta[L] = self._loss_output(self.z[L], self.a[L + 1], self.y)
        return value

    def backward_layer(self, l: int) -> None:
        self.dW[l], back = backward_py(
            self.a[l], self.delta[l], self.cols[l] if l > 0 else None,
            self.df[l - 1] if l > 0 else None,
        )
        if l > 0:
            self.delta[l - 1] = back

    def update(self) -> bool:
        """SGD: w += dL/dw * (-lr); refused (``problem`` set, nothing changed) if not finite."""
        step = -self.opt.lr
        new_cols, new_b, total = [], [], 0.0
        for cols, dcols, b, delta in zip(self.cols, self.dW, self.b, self.delta):
            nc = [[w + d * step for w, d in zip(col, dcol)] for col, dcol in zip(cols, dcols)]
            nb = [v + d * step for v, d in zip(b, delta)]
            total += sum(nb) + sum(map(sum, nc))
            new_cols.append(nc)
            new_b.append(nb)
        if total - total != 0.0:  # inf or nan somewhere
            self.problem = "the update of the parameters is not finite"
            return False
        self.cols, self.b = new_cols, new_b
        return True

    # -- the fast path
    def run(self, trainer: Trainer, count: int) -> tuple[list[float], int | None, int]:
        if self._rows is None or self._rows[0] is not trainer.X:
            self._rows = (trainer.X, trainer.X.tolist(), trainer.Y.tolist())
        _, Xl, Yl = self._rows
        indices = trainer.sampler.next_samples(count)
        kstep, losses = self.step, []
        for i in indices:
            value = kstep(Xl[i], Yl[i])
            if self.problem:
                break
            losses.append(value)
        return losses, (indices[len(losses) - 1] if losses else None), 1

    def step(self, x: list[float], y: list[float]) -> float:
        """One SGD step on one sample (lists); returns its loss before the update.

        The phases back to back, with their calls inlined (a method call per phase costs ~5%
        of a step of the single-neuron tutorial); tests prove it equals stepping them."""
        f, cols, b = self.f, self.cols, self.b
        a, z = [x], []
        for l in range(self.n_layers):
            zl, al = forward_py(a[l], cols[l], b[l], f[l])
            z.append(zl)
            a.append(al)
        value, d = self._loss_output(zl, al, y)
        delta, dW, df = self.delta, self.dW, self.df
        for l in range(self.n_layers - 1, 0, -1):
            delta[l] = d
            dW[l], d = backward_py(a[l], d, cols[l], df[l - 1])
        delta[0] = d
        dW[0] = backward_py(x, d, None, None)[0]
        self.a, self.z, self.y = a, z, y
        if value - value != 0.0:  # inf or nan
            self.problem = "the loss is not finite"
        else:
            self.update()
        return value

    # -- views (dW, db: the sample's own, since m = 1; zeros before the first backward pass)
    def value(self, name: str, l: int) -> np.ndarray:
        if name in ("dW", "db") and self.dW[l] is None:
            return np.zeros_like(self.net.weights[l] if name == "dW" else self.net.biases[l])
        if name == "dW":
            return np.array(self.dW[l], dtype=float).T
        if name == "db":
            return np.array(self.delta[l], dtype=float)
        return np.atleast_2d(np.array(getattr(self, name)[l], dtype=float))

    def changes(self) -> list[np.ndarray]:
        """SGD's change, -lr dL/dp (this kernel applies it itself, not through the optimiser)."""
        step = -self.opt.lr
        return [step * self.value(name, l) for l in range(self.n_layers) for name in ("dW", "db")]
