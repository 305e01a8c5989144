"""Training history that stays small on runs of millions of steps.

``BucketSeries`` keeps a per-step quantity (the loss of every step) in at most ``capacity``
buckets of equal width; when full, neighbouring buckets merge and the width doubles. Each bucket
keeps the mean, min and max of its steps, so a plot of mean with a min/max band keeps the curve's
shape (spikes included) at any length. ``PointSeries`` keeps (x, y) points (one per evaluation),
dropping every other point when full. Each has ``state_dict()`` / ``load_state_dict(d)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_CAPACITY = 8192
#: per-step values wait in a plain list until this many (or a bucket's width) are pending
FLUSH_SIZE = 256


class BucketSeries:
    """Values of consecutive steps first, first+spacing, ... thinned into min/mean/max buckets."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, first: int = 1, spacing: int = 1):
        self.first, self.spacing = first, spacing
        self.width = 1  # values per full bucket
        self.n_buckets = 0  # complete buckets
        self.count = 0  # values seen in all
        self._allocate(capacity)
        self._pending: list[float] = []
        self.last = np.nan

    def __len__(self) -> int:
        """Values recorded, pending ones included."""
        return self.count + len(self._pending)

    def _allocate(self, capacity: int) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.capacity = capacity
        self._sum, self._min, self._max = np.zeros(capacity), np.zeros(capacity), np.zeros(capacity)

    @staticmethod
    def max_pending(width: int) -> int:
        """More pending values than this are never kept (they are flushed into buckets)."""
        return max(width, FLUSH_SIZE)

    def append(self, value: float) -> None:
        self._pending.append(value)
        if len(self._pending) >= self.max_pending(self.width):
            self._flush()

    def extend(self, values) -> None:
        self._pending.extend(np.asarray(values, dtype=float).ravel().tolist())
        if len(self._pending) >= self.max_pending(self.width):
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

    def state_dict(self) -> dict:
        """Copies: capacity, first, spacing, width, n_buckets, count, last; sum, min, max
        (n_buckets,) of the complete buckets; pending (k,) values not yet in a bucket."""
        n = self.n_buckets
        return {"capacity": self.capacity, "first": self.first, "spacing": self.spacing,
                "width": self.width, "n_buckets": n, "count": self.count, "last": self.last,
                "sum": self._sum[:n].copy(), "min": self._min[:n].copy(),
                "max": self._max[:n].copy(), "pending": np.array(self._pending, dtype=float)}

    def load_state_dict(self, d: dict) -> None:
        """Put back a ``state_dict`` (ValueError if it is inconsistent)."""
        cap, n, width = d["capacity"], d["n_buckets"], d["width"]
        if not (0 <= n < cap and width >= 1 and d["count"] == n * width):
            raise ValueError("bucket counts do not match (n_buckets, width, count)")
        if not all(np.shape(d[k]) == (n,) for k in ("sum", "min", "max")):
            raise ValueError(f"bucket arrays must hold {n} values")
        if len(d["pending"]) > self.max_pending(width):
            raise ValueError("too many pending values")
        if cap != self.capacity:
            self._allocate(cap)
        self.first, self.spacing, self.width = d["first"], d["spacing"], width
        self.n_buckets, self.count, self.last = n, d["count"], float(d["last"])
        self._sum[:n], self._min[:n], self._max[:n] = d["sum"], d["min"], d["max"]
        self._pending = np.asarray(d["pending"], dtype=float).tolist()


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

    def state_dict(self) -> dict:
        """Copies: capacity; x, y (k,) the points kept."""
        x, y = self.arrays()
        return {"capacity": self.capacity, "x": x, "y": y}

    def load_state_dict(self, d: dict) -> None:
        """Put back a ``state_dict`` (ValueError if it is inconsistent)."""
        if np.shape(d["x"]) != np.shape(d["y"]) or len(d["x"]) > d["capacity"]:
            raise ValueError("points: x and y must have one value each, at most capacity")
        self.capacity = d["capacity"]
        self.x = np.asarray(d["x"], dtype=float).tolist()
        self.y = np.asarray(d["y"], dtype=float).tolist()


#: History's series by kind, in the order they are saved and shown
BUCKET_SERIES = ("step_loss", "cumulative")
POINT_SERIES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


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
    def empty(cls, cumulative_every: int = 100) -> History:
        return cls(
            step_loss=BucketSeries(),
            cumulative=BucketSeries(first=1, spacing=cumulative_every),
            train_loss=PointSeries(),
            test_loss=PointSeries(),
            train_accuracy=PointSeries(),
            test_accuracy=PointSeries(),
        )

    def state_dict(self) -> dict:
        """{series name: that series' state_dict()} (copies)."""
        return {name: getattr(self, name).state_dict() for name in BUCKET_SERIES + POINT_SERIES}

    def load_state_dict(self, d: dict) -> None:
        """Put back a ``state_dict`` series by series (ValueError naming a bad one)."""
        for name in BUCKET_SERIES + POINT_SERIES:
            try:
                getattr(self, name).load_state_dict(d[name])
            except ValueError as exc:
                raise ValueError(f"history {name}: {exc}") from None
