"""Which training samples each step uses.

    random       each step draws its batch uniformly with replacement (the tutorial's
                 ``np.random.randint(len(X))`` per iteration, generalised to batches)
    shuffle      each epoch is a fresh permutation, cut into consecutive batches
    sequential   0, 1, ..., n-1, cut into batches, repeated
    a sequence   an explicit list of indices, cut into batches, repeated

The generator may be a ``np.random.Generator`` or a legacy ``RandomState`` (drawing blocks from
a RandomState gives the same numbers as drawing one at a time, so the tutorial's stream is kept).
``state_dict()`` / ``load_state_dict(d)`` copy out and put back the position and the generator.

When the training rows change under a running sampler (points drawn or removed,
``reindex(mapping, n)``), it goes on from where it is, reproducibly: "random" draws from the
new n from its next batch on; an epoch order ("shuffle", "sequential") keeps the rest of the
current cycle with each kept row renumbered and removed rows left out (the position moves
back by the removed rows already used), so no row is seen twice or skipped in that epoch;
rows added join from the next cycle (a permutation of the new n). Nothing is drawn from
the generator by a change. An explicit sequence cannot change its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnviz.errors import ConfigError

ORDERS = ("random", "shuffle", "sequential")


def rng_state(rng) -> dict:
    """A copy of the generator's state: numpy's own dict (``get_state(legacy=False)`` for a
    RandomState: bit_generator "MT19937", state {key (624,) uint32, pos}, has_gauss, gauss;
    ``bit_generator.state`` for a Generator, e.g. "PCG64": state {state, inc}, has_uint32,
    uinteger)."""
    if isinstance(rng, np.random.RandomState):
        st = rng.get_state(legacy=False)
        st["state"]["key"] = st["state"]["key"].copy()
        return st
    return rng.bit_generator.state


def set_rng_state(rng, state: dict) -> None:
    """Put ``rng_state(...)`` back into ``rng`` in place (others holding ``rng`` see it)."""
    legacy = isinstance(rng, np.random.RandomState)
    kind = (rng.get_state(legacy=False) if legacy else rng.bit_generator.state)["bit_generator"]
    if state.get("bit_generator") != kind:
        raise ValueError(f"random generator state is not {kind}")
    if legacy:
        rng.set_state(state)
    else:
        rng.bit_generator.state = state


class Sampler:
    """Yields index arrays of ``batch`` rows out of ``n`` samples, in the chosen order."""

    def __init__(self, n: int, batch: int, order: str | Sequence[int], rng):
        self.n, self.batch, self.rng = n, batch, rng
        if isinstance(order, str):
            if order not in ORDERS:
                raise ConfigError(f"unknown sample order {order!r}; choose one of {ORDERS}")
            self.order, self.sequence = order, None
        else:
            seq = np.asarray(order, dtype=np.intp).ravel()
            if seq.size == 0 or seq.min() < 0 or seq.max() >= n:
                raise ConfigError(f"a sample sequence needs indices between 0 and {n - 1}")
            self.order, self.sequence = "sequence", seq
        self._cycle: np.ndarray | None = None
        self._pos = 0

    def _integers(self, size: int) -> np.ndarray:
        if isinstance(self.rng, np.random.RandomState):
            return self.rng.randint(self.n, size=size)
        return self.rng.integers(self.n, size=size)

    def _next_cycle(self) -> np.ndarray:
        if self.order == "shuffle":
            return self.rng.permutation(self.n)
        if self.order == "sequential":
            return np.arange(self.n)
        return self.sequence

    def next_batch(self) -> np.ndarray:
        """Indices of the next step's batch (a cycle's last batch may be shorter)."""
        if self.order == "random":
            return self._integers(self.batch)
        if self._cycle is None or self._pos >= len(self._cycle):
            self._cycle, self._pos = self._next_cycle(), 0
        out = self._cycle[self._pos : self._pos + self.batch]
        self._pos += len(out)
        return out

    def reindex(self, mapping: np.ndarray, n: int, batch: int) -> None:
        """The training rows changed: old row i is now row ``mapping[i]`` (-1: removed) of
        ``n`` rows, batches of ``batch`` (see the module docstring). ConfigError for an
        explicit sequence."""
        mapping = np.asarray(mapping, dtype=np.intp)
        if len(mapping) != self.n:
            raise ValueError(f"a row mapping needs {self.n} entries, got {len(mapping)}")
        if self.order == "sequence":
            raise ConfigError("an explicit sample sequence cannot change its rows")
        if self._cycle is not None:
            new = mapping[self._cycle]
            used_removed = int(np.count_nonzero(new[: self._pos] < 0))
            kept = new[new >= 0]
            self._pos -= used_removed
            self._cycle = kept if kept.size else None
            if self._cycle is None:
                self._pos = 0
        self.n, self.batch = int(n), int(batch)

    def state_dict(self) -> dict:
        """Copies: order, cycle (the current epoch's indices, or None), pos (indices of the
        cycle already used), rng (``rng_state``)."""
        return {"order": self.order, "pos": self._pos, "rng": rng_state(self.rng),
                "cycle": None if self._cycle is None else self._cycle.copy()}

    def load_state_dict(self, d: dict) -> None:
        """Put back a ``state_dict`` of a sampler of the same order (the generator in place:
        whoever shares it sees the restored stream). ValueError if it does not fit."""
        if d["order"] != self.order:
            raise ValueError(f"sample order {d['order']!r} does not match {self.order!r}")
        cycle, pos = d["cycle"], d["pos"]
        if cycle is None:
            if pos != 0:
                raise ValueError("a sampler without a cycle must be at position 0")
        else:
            cycle = np.array(cycle, dtype=np.intp, copy=True)
            if cycle.ndim != 1 or cycle.size == 0 or cycle.min() < 0 or cycle.max() >= self.n:
                raise ValueError(f"cycle indices must be between 0 and {self.n - 1}")
            if not 0 <= pos <= len(cycle):
                raise ValueError("sampler position outside its cycle")
        set_rng_state(self.rng, d["rng"])
        self._cycle, self._pos = cycle, int(pos)

    def next_samples(self, count: int) -> list[int]:
        """For batch 1: the next ``count`` sample indices as Python ints (drawn in blocks)."""
        if self.order == "random":
            return self._integers(count).tolist()
        out: list[int] = []
        while len(out) < count:
            if self._cycle is None or self._pos >= len(self._cycle):
                self._cycle, self._pos = self._next_cycle(), 0
            take = self._cycle[self._pos : self._pos + count - len(out)]
            self._pos += len(take)
            out.extend(take.tolist())
        return out
