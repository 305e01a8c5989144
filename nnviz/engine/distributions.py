"""Distributions over time: each layer's weights and gradients as percentile bands, per step.

TensorBoard's distribution view for nnviz's networks. A record at step s (after that step's
update) holds, for every weight layer l (W[l]: (n_l, n_{l+1})):

    weights[l]    percentiles P of the values of W[l]                       (len(P),)
    grads[l]      percentiles P of dW[l], the gradient of step s's batch    (len(P),)
    grad_abs[l]   percentiles P of |dW[l]| (what a log axis can show)        (len(P),)
    grad_norm[l]  ||dW[l]||_F = sqrt(sum_ij dW[l]_ij^2)                      scalar

P = PERCENTILES, TensorBoard's basis points: 0, 7, 16, 31, 50, 69, 84, 93, 100 % (for a normal
distribution about -inf/-1.5/-1/-0.5/0/0.5/1/1.5/+inf standard deviations), each as numpy's
default ``np.percentile`` (linear interpolation between the sorted values; tests check it).
Biases are left out: a layer's n_{l+1} biases are a different population from its weights.

Bounded memory, as ``history.BucketSeries`` bounds the loss: fewer than ``capacity`` records,
at steps ``first, first + every, first + 2 every, ...`` (multiples of ``every``). When full,
every other record goes (those not at a multiple of 2 every) and ``every`` doubles, so the records
stay evenly spaced and cover the whole run at any length: after N steps ``every`` is about
N / capacity and N steps cost about capacity * (1 + log2(N / (capacity * base))) / 2 records.
``base`` (the smallest interval, ``base_every``) keeps a record's cost small beside the steps
it spans for tiny networks, whose steps cost less than a record's numpy calls.

Measured (benchmarks/bench_distributions.py): a record of function-fit's [2, 64, 64, 64, 1]
costs ~0.25 ms (three sorts of 4,096 values per layer dominate) against a ~50 ms step.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: the percentiles of each band (TensorBoard's basis points / 100)
PERCENTILES = (0.0, 7.0, 16.0, 31.0, 50.0, 69.0, 84.0, 93.0, 100.0)
#: records kept at most (a power of two: thinning halves it)
DEFAULT_CAPACITY = 512
#: the largest capacity a session file may claim
MAX_CAPACITY = 2**14
#: the most steps between records when a run starts (``base_every``'s cap)
MAX_BASE_EVERY = 64
#: a record costs about this many multiply-adds of a training step (its numpy calls' fixed
#: cost per layer, and sorting): ``base_every`` spaces records so they cost a few percent
RECORD_WORK = 2**15
#: the arrays a record holds, with their shape after the record axis: (L, len(P)) or (L,)
FIELDS = ("weights", "grads", "grad_abs", "grad_norm")


def base_every(n_params: int, batch_size: int) -> int:
    """The interval a run starts recording at: the smallest power of two b with
    b * batch_size * n_params >= RECORD_WORK, at most MAX_BASE_EVERY (1 for function-fit's
    8,577 parameters on 10,000 rows; 64 for xor's 17 on batches of 10)."""
    work = max(1, int(batch_size)) * max(1, int(n_params))
    b = 1
    while b * work < RECORD_WORK and b < MAX_BASE_EVERY:
        b *= 2
    return b


@functools.lru_cache(maxsize=64)
def _positions(n: int, q: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                      np.ndarray]:
    """numpy's linear-method positions for n sorted values: (lo, hi, t, t >= 0.5)."""
    pos = (n - 1) * np.true_divide(np.asarray(q, dtype=float), 100)
    lo = np.floor(pos).astype(np.intp)
    t = pos - lo
    return lo, np.minimum(lo + 1, n - 1), t, t >= 0.5


def percentiles_sorted(s: np.ndarray, q: Sequence[float] = PERCENTILES) -> np.ndarray:
    """``np.percentile(x, q)`` (method "linear") of the values whose sorted copy is ``s``
    (..., n), along the last axis, computed as numpy does: position (n - 1) q / 100,
    interpolated between its neighbours (numpy's ``_lerp``, same rounding). (..., len(q))."""
    lo, hi, t, upper = _positions(s.shape[-1], tuple(q))
    a, b = s[..., lo], s[..., hi]
    diff = b - a
    out = a + diff * t
    np.subtract(b, diff * (1 - t), out=out, where=upper)
    return out


def layer_record(W: np.ndarray, dW: np.ndarray) -> tuple[np.ndarray, float]:
    """(bands (3, len(P)): the percentiles of W, dW and |dW|; ||dW||_F) of one layer."""
    g = np.asarray(dW, dtype=np.float64).ravel()
    values = np.empty((3, g.size))
    values[0] = np.asarray(W).ravel()
    values[1] = g
    np.abs(g, out=values[2])
    values.sort(axis=1)
    return percentiles_sorted(values), math.sqrt(float(np.dot(g, g)))


@dataclass(frozen=True, eq=False)
class DistributionView:
    """A frozen copy of a recorder for the GUI (float32 arrays, read-only; shared by every
    snapshot taken until the next record). step (n,) int64; weights, grads, grad_abs
    (n, L, len(P)); grad_norm (n, L); every: steps between records; percentiles: P."""

    step: np.ndarray
    weights: np.ndarray
    grads: np.ndarray
    grad_abs: np.ndarray
    grad_norm: np.ndarray
    every: int
    percentiles: tuple[float, ...] = PERCENTILES

    def __len__(self) -> int:
        return len(self.step)

    @property
    def n_layers(self) -> int:
        return self.grad_norm.shape[1]


def view_until(view: DistributionView | None, step: int) -> DistributionView | None:
    """``view`` as it stood at ``step``: its records at steps <= ``step`` (read-only slices,
    no copies; records thinned away since are not brought back). A recording of a run keeps
    only its latest view and cuts it for each past moment (``nnviz.recorder.replay``)."""
    if view is None:
        return None
    n = int(np.searchsorted(view.step, step, side="right"))
    if n == len(view):
        return view
    return dataclasses.replace(view, **{k: getattr(view, k)[:n] for k in ("step", *FIELDS)})


class DistributionRecorder:
    """Percentile bands and gradient norms of ``n_layers`` weight layers, every ``every`` steps
    (``base`` at first), at most ``capacity`` records (see the module doc)."""

    def __init__(self, n_layers: int, capacity: int = DEFAULT_CAPACITY, base: int = 1):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        if base < 1 or base & (base - 1):
            raise ValueError("base must be a power of two")
        self.n_layers, self.capacity, self.base = int(n_layers), int(capacity), int(base)
        k = len(PERCENTILES)
        self._arrays = {
            "weights": np.zeros((capacity, n_layers, k)),
            "grads": np.zeros((capacity, n_layers, k)),
            "grad_abs": np.zeros((capacity, n_layers, k)),
            "grad_norm": np.zeros((capacity, n_layers)),
        }
        self.version = 0  # counts changes, so a view is copied once per change
        self._view: DistributionView | None = None
        self._view_version = -1
        self.clear()

    def clear(self) -> None:
        """Forget every record; back to the ``base`` interval."""
        self.every, self.first, self.n = self.base, 0, 0
        self.version += 1

    def __len__(self) -> int:
        return self.n

    @property
    def last_step(self) -> int:
        """The step of the newest record (-1 if none)."""
        return self.first + (self.n - 1) * self.every if self.n else -1

    def steps(self) -> np.ndarray:
        return self.first + self.every * np.arange(self.n, dtype=np.int64)

    def steps_to_next(self, step: int) -> int:
        """Steps from ``step`` to the next step a record is due at (>= 1)."""
        return self.every - step % self.every

    def due(self, step: int) -> bool:
        return step > 0 and step % self.every == 0 and step > self.last_step

    def record(self, step: int, weights: Sequence[np.ndarray],
               grads: Sequence[np.ndarray]) -> None:
        """Record the layers' weights W[l] and gradients dW[l] at ``step`` (a step ``due``;
        after a gap in the records, as a run rewound by hand, the records start afresh)."""
        if len(weights) != self.n_layers or len(grads) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} layers")
        if self.n and step != self.last_step + self.every:
            self.clear()
        i = self.n
        a = self._arrays
        for l, (W, dW) in enumerate(zip(weights, grads)):
            bands, a["grad_norm"][i, l] = layer_record(W, dW)
            a["weights"][i, l], a["grads"][i, l], a["grad_abs"][i, l] = bands
        if self.n == 0:
            self.first = step
        self.n += 1
        self.version += 1
        if self.n == self.capacity:  # thinned now, so the next record is due at the new every
            self._thin()

    def _thin(self) -> None:
        """Keep the records at multiples of 2 every (every other one); double ``every``."""
        start = 0 if self.first % (2 * self.every) == 0 else 1
        kept = range(start, self.n, 2)
        for arr in self._arrays.values():
            arr[: len(kept)] = arr[start : self.n : 2]
        self.first += start * self.every
        self.n = len(kept)
        self.every *= 2

    def arrays(self) -> dict[str, np.ndarray]:
        """Copies: step (n,) and each of FIELDS with the record axis first, n long."""
        return {"step": self.steps(), **{k: v[: self.n].copy() for k, v in self._arrays.items()}}

    def view(self) -> DistributionView:
        """A frozen float32 copy, made once per change (snapshots between records share it)."""
        if self._view_version != self.version:
            a = self.arrays()
            for k, v in a.items():
                if k != "step":
                    a[k] = v.astype(np.float32)
                a[k].setflags(write=False)
            self._view = DistributionView(every=self.every, **a)
            self._view_version = self.version
        return self._view

    # ----------------------------------------------------------------- state
    def state_dict(self) -> dict:
        """Copies: capacity, base, every, first, n; FIELDS arrays (n, ...)."""
        return {"capacity": self.capacity, "base": self.base, "every": self.every,
                "first": self.first, "n": self.n,
                **{k: v[: self.n].copy() for k, v in self._arrays.items()}}

    def load_state_dict(self, d: dict) -> None:
        """Put back a ``state_dict`` (ValueError if it is inconsistent)."""
        cap, base, every, first, n = (int(d[k]) for k in ("capacity", "base", "every",
                                                             "first", "n"))
        if cap != self.capacity or base != self.base:
            raise ValueError(f"distributions: capacity and base must be {self.capacity} and "
                             f"{self.base}")
        if not (0 <= n < cap and every >= base and every % base == 0
                and every & (every - 1) == 0 and first >= 0 and first % every == 0
                and (n == 0 or first > 0)):
            raise ValueError("distributions: records and interval do not fit together")
        L, k = self.n_layers, len(PERCENTILES)
        for name in FIELDS:
            shape = (n, L) if name == "grad_norm" else (n, L, k)
            if np.shape(d[name]) != shape:
                raise ValueError(f"distributions: {name} must have shape {shape}")
        for name in FIELDS:
            self._arrays[name][:n] = d[name]
        self.every, self.first, self.n = every, first, n
        self.version += 1
