"""Training history that stays small on runs of millions of steps.

``BucketSeries`` keeps a per-step quantity (the loss of every step) in at most ``capacity``
buckets of equal width; when full, neighbouring buckets merge and the width doubles. Each bucket
keeps the mean, min and max of its steps, so a plot of mean with a min/max band keeps the curve's
shape (spikes included) at any length. ``PointSeries`` keeps (x, y) points (one per evaluation),
dropping every other point when full.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_CAPACITY = 8192


class BucketSeries:
    """Values of consecutive steps first, first+spacing, ... thinned into min/mean/max buckets."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, first: int = 1, spacing: int = 1):
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.capacity, self.first, self.spacing = capacity, first, spacing
        self.width = 1  # values per full bucket
        self.n_buckets = 0  # complete buckets
        self.count = 0  # values seen in all
        self._sum = np.zeros(capacity)
        self._min = np.zeros(capacity)
        self._max = np.zeros(capacity)
        self._pending: list[float] = []
        self.last = np.nan

    def __len__(self) -> int:
        """Values recorded, pending ones included."""
        return self.count + len(self._pending)

    def append(self, value: float) -> None:
        self._pending.append(value)
        if len(self._pending) >= max(self.width, 256):
            self._flush()

    def extend(self, values) -> None:
        self._pending.extend(np.asarray(values, dtype=float).ravel().tolist())
        if len(self._pending) >= max(self.width, 256):
            self._flush()

    def _flush(self) -> None:
        pending = self._pending
        while len(pending) >= self.width:
            n_full = min(len(pending) // self.width, self.capacity - self.n_buckets)
            if n_full == 0:
                self._merge()
                continue
            block = np.asarray(pending[: n_full * self.width]).reshape(n_full, self.width)
            sl = slice(self.n_buckets, self.n_buckets + n_full)
            self._sum[sl] = block.sum(axis=1)
            self._min[sl] = block.min(axis=1)
            self._max[sl] = block.max(axis=1)
            self.n_buckets += n_full
            self.count += block.size
            self.last = float(block[-1, -1])
            pending = pending[n_full * self.width :]
            if self.n_buckets == self.capacity:
                self._merge()
        self._pending = pending

    def _merge(self) -> None:
        half = self.capacity // 2
        s, lo, hi = self._sum, self._min, self._max
        s[:half] = s[0::2] + s[1::2]
        lo[:half] = np.minimum(lo[0::2], lo[1::2])
        hi[:half] = np.maximum(hi[0::2], hi[1::2])
        self.n_buckets = half
        self.width *= 2

    def arrays(self) -> dict[str, np.ndarray]:
        """Copies: step (the first step of each bucket), mean, min, max; the pending values in
        buckets of the current width, the last one maybe partial. (As single values they drew
        a burst at the curve's end: raw steps beside bucket means.)"""
        n, w = self.n_buckets, self.width
        tail = np.asarray(self._pending, dtype=float)
        steps = self.first + self.spacing * np.arange(n) * w
        mean = self._sum[:n] / w
        lo, hi = self._min[:n].copy(), self._max[:n].copy()
        if tail.size:
            starts = np.arange(0, tail.size, w)
            sizes = np.diff(np.append(starts, tail.size))
            steps = np.concatenate([steps, self.first + self.spacing * (n * w + starts)])
            mean = np.concatenate([mean, np.add.reduceat(tail, starts) / sizes])
            lo = np.concatenate([lo, np.minimum.reduceat(tail, starts)])
            hi = np.concatenate([hi, np.maximum.reduceat(tail, starts)])
        return {"step": steps, "mean": mean, "min": lo, "max": hi}

    @property
    def latest(self) -> float:
        return self._pending[-1] if self._pending else self.last


class PointSeries:
    """(x, y) points, at most ``capacity``: when full, every other point is dropped."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY):
        self.capacity = capacity
        self.x: list[float] = []
        self.y: list[float] = []

    def __len__(self) -> int:
        return len(self.x)

    def append(self, x: float, y: float) -> None:
        self.x.append(x)
        self.y.append(y)
        if len(self.x) > self.capacity:
            # keep the newest point and every other older one
            self.x[:-1] = self.x[:-1][0::2]
            self.y[:-1] = self.y[:-1][0::2]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self.x, dtype=float), np.array(self.y, dtype=float)

    @property
    def latest(self) -> float:
        return self.y[-1] if self.y else float("nan")


@dataclass
class History:
    """What a run recorded.

    step_loss     loss of each step's batch, before its update (BucketSeries over steps)
    cumulative    the tutorial's "cumulative error over all training instances": the sum of
                  per-sample losses on the whole training set, after steps 1, k+1, 2k+1, ...
    train_loss    per epoch: mean of that epoch's step losses (full batch: the loss the article
                  prints, computed before the epoch's update); x = epoch number (1-based)
    test_loss, train_accuracy, test_accuracy   per evaluation (x = epoch, fractional)
    """

    step_loss: BucketSeries
    cumulative: BucketSeries
    train_loss: PointSeries
    test_loss: PointSeries
    train_accuracy: PointSeries
    test_accuracy: PointSeries

    @classmethod
    def empty(cls, cumulative_every: int = 100, capacity: int = DEFAULT_CAPACITY) -> History:
        return cls(
            step_loss=BucketSeries(capacity),
            cumulative=BucketSeries(capacity, first=1, spacing=cumulative_every),
            train_loss=PointSeries(capacity),
            test_loss=PointSeries(capacity),
            train_accuracy=PointSeries(capacity),
            test_accuracy=PointSeries(capacity),
        )
