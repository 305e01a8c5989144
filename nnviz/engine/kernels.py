"""Training kernels: one gradient step, split into the phases of backpropagation.

Both kernels expose the same phases, which the step-through mode calls one at a time and
``step`` calls back to back, so a stepped sample ends with exactly the parameters of a fast step:

    load(X, Y)          the batch: X (m, n_0), Y (m, n_out)
    forward_layer(l)    z[l] = a[l] @ W[l] + b[l];  a[l+1] = f_l(z[l])
    compute_loss()      L (batch mean) and delta[L-1] = dL/dz[L-1]
    backward_layer(l)   dW[l] = a[l].T @ delta[l];  db[l] = sum delta[l];
                        delta[l-1] = f'(z[l-1]) * (delta[l] @ W[l].T)
    update()            the optimiser's change; refused (``problem`` set) if not finite

``BatchKernel`` is numpy with preallocated buffers; batches larger than ``chunk`` rows are
processed chunk by chunk so the activations stay in cache. ``SampleKernel`` is plain Python
floats for one sample through a tiny network with plain SGD, where numpy's per-call cost
would dominate (the single-neuron tutorial runs ~10x faster this way).
"""

from __future__ import annotations

import math
from operator import mul

import numpy as np

from nnviz.engine.losses import Loss
from nnviz.engine.network import CHUNK_ROWS, Network
from nnviz.engine.optimizers import SGD, Optimizer
from nnviz.engine.parallel import row_parts, run_parts

#: networks up to this many parameters train one sample at a time in pure Python
SAMPLE_KERNEL_MAX_PARAMS = 64


class _Lane:
    """Buffers and phase arithmetic for the rows of one thread: activations, deltas, gradients."""

    def __init__(self, net: Network, loss: Loss):
        self.net, self.loss = net, loss
        self.grads = [np.zeros_like(p) for pair in zip(net.weights, net.biases) for p in pair]
        self._tmp = [np.zeros_like(w) for w in net.weights]
        self._workspaces: dict[int, tuple[list, list, list]] = {}
        self.loss_sum = 0.0

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
        z, a = self.z[l], self.a[l + 1]
        np.matmul(self.a[l], self.net.weights[l], out=z)
        z += self.net.biases[l]
        self.net.activations[l].forward(z, out=a)

    def compute_loss(self) -> float:
        """Sum of this chunk's per-sample losses (the kernel divides by m)."""
        L = self.net.n_layers - 1
        z, a, y = self.z[L], self.a[L + 1], self.Y
        self.loss.output_delta(z, a, y, self.net.activations[L], out=self.delta[L], m=self.m)
        return float(self.loss.per_sample(z, a, y).sum())

    def backward_layer(self, l: int) -> None:
        delta = self.delta[l]
        dW, db = self.grads[2 * l], self.grads[2 * l + 1]
        if self.accumulate:
            tmp = self._tmp[l]
            np.matmul(self.a[l].T, delta, out=tmp)
            dW += tmp
            db += delta.sum(axis=0)
        else:
            np.matmul(self.a[l].T, delta, out=dW)
            np.sum(delta, axis=0, out=db)
        if l > 0:
            g = self.delta[l - 1]
            np.matmul(delta, self.net.weights[l].T, out=g)
            self.net.activations[l - 1].backprop(self.a[l], g, out=g)

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
        self.loss_value = math.nan

    # -- phases (on lane 0: one chunk, as the fast path does for batches up to ``chunk``)
    def load(self, X: np.ndarray, Y: np.ndarray) -> None:
        lane = self.lanes[0]
        lane.load(X, Y, len(X), False)
        self.z, self.a, self.delta = lane.z, lane.a, lane.delta

    def forward_layer(self, l: int) -> None:
        self.lanes[0].forward_layer(l)

    def compute_loss(self) -> float:
        lane = self.lanes[0]
        self.loss_value = lane.compute_loss() / lane.m
        return self.loss_value

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
        self.loss_value = total = math.fsum(sums) / m
        if not math.isfinite(total):
            self.problem = "the loss is not finite"
        else:
            self.update()
        return total

    def sync_in(self) -> None:
        """Nothing to do: this kernel works on the network's own arrays."""

    def sync_out(self) -> None:
        """Nothing to do: this kernel works on the network's own arrays."""


def _param_name(i: int) -> str:
    return f"{'Wb'[i % 2]}[{i // 2}]"


def _py_forward(name: str):
    """Scalar activation a = f(z) for the pure-Python kernel."""
    if name == "sigmoid":
        return lambda z: 1.0 / (1.0 + math.exp(-z)) if z > -700.0 else 0.0
    if name == "tanh":
        return math.tanh
    if name == "relu":
        return lambda z: z if z > 0.0 else 0.0
    if name == "leaky_relu":
        return lambda z: z if z > 0.0 else 0.01 * z
    return lambda z: z


def _py_derivative(name: str):
    """Scalar da/dz from a."""
    if name == "sigmoid":
        return lambda a: a * (1.0 - a)
    if name == "tanh":
        return lambda a: 1.0 - a * a
    if name == "relu":
        return lambda a: 1.0 if a > 0.0 else 0.0
    if name == "leaky_relu":
        return lambda a: 1.0 if a > 0.0 else 0.01
    return None  # identity


class SampleKernel:
    """Per-sample SGD in pure Python floats for tiny networks (see ``supports``).

    Parameters live in Python lists while training (W by columns: cols[l][j][i] = W[l][i, j]);
    ``sync_out`` writes them back into the network's arrays, ``sync_in`` reads them.
    """

    def __init__(self, net: Network, loss: Loss, optimizer: Optimizer):
        self.net, self.loss, self.opt = net, loss, optimizer
        self.n_layers = net.n_layers
        self.f = [_py_forward(act.name) for act in net.activations]
        self.df = [_py_derivative(act.name) for act in net.activations]
        self.bce = loss.name == "binary_cross_entropy"
        self.grad_scale = 2.0 if loss.name == "squared_error" else 1.0
        self.value_scale = 1.0 if loss.name == "squared_error" else 0.5
        self.problem: str | None = None
        self.loss_value = math.nan
        self.delta: list = [None] * self.n_layers
        self.dW: list = [None] * self.n_layers
        self.sync_in()

    @staticmethod
    def supports(net: Network, loss: Loss, optimizer: Optimizer) -> bool:
        return (
            type(optimizer) is SGD
            and not (optimizer.l1 or optimizer.l2)
            and net.n_params <= SAMPLE_KERNEL_MAX_PARAMS
            and net.dtype == np.float64
            and net.activations[-1].name != "softmax"
            and loss.name in ("squared_error", "half_squared_error", "binary_cross_entropy")
        )

    def sync_in(self) -> None:
        self.cols = [w.T.tolist() for w in self.net.weights]
        self.b = [b.tolist() for b in self.net.biases]

    def sync_out(self) -> None:
        for w, cols, b, bl in zip(self.net.weights, self.cols, self.net.biases, self.b):
            w[...] = np.array(cols).T
            b[...] = bl

    # -- phases
    def load(self, x: list[float], y: list[float]) -> None:
        self.a = [x]
        self.z = []
        self.y = y

    def forward_layer(self, l: int) -> None:
        h, f = self.a[l], self.f[l]
        z = [sum(map(mul, h, col)) + b for col, b in zip(self.cols[l], self.b[l])]
        self.z.append(z)
        self.a.append([f(v) for v in z])

    def compute_loss(self) -> float:
        L = self.n_layers - 1
        a, y = self.a[L + 1], self.y
        diff = [ak - yk for ak, yk in zip(a, y)]
        if self.bce:
            value = sum(
                max(zk, 0.0) - zk * yk + math.log1p(math.exp(-abs(zk)))
                for zk, yk in zip(self.z[L], y)
            )
            self.delta[L] = diff
        else:
            value = self.value_scale * sum([d * d for d in diff])
            scale, df = self.grad_scale, self.df[L]
            g = [d * scale for d in diff] if scale != 1.0 else diff
            self.delta[L] = g if df is None else [gk * df(ak) for gk, ak in zip(g, a)]
        self.loss_value = value
        return value

    def backward_layer(self, l: int) -> None:
        delta, h = self.delta[l], self.a[l]
        self.dW[l] = [[hi * dj for hi in h] for dj in delta]  # by columns, like self.cols
        if l > 0:
            df, a = self.df[l - 1], self.a[l]
            back = [sum(map(mul, delta, row)) for row in zip(*self.cols[l])]
            self.delta[l - 1] = back if df is None else [g * df(ak) for g, ak in zip(back, a)]

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

    def step(self, x: list[float], y: list[float]) -> float:
        """One SGD step on one sample (lists); returns its loss before the update."""
        n_layers = self.n_layers
        self.a = [x]
        self.z = []
        self.y = y
        for l in range(n_layers):
            self.forward_layer(l)
        value = self.compute_loss()
        for l in range(n_layers - 1, -1, -1):
            self.backward_layer(l)
        if value - value != 0.0:  # inf or nan
            self.problem = "the loss is not finite"
        else:
            self.update()
        return value
