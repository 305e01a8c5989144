"""A run's recording: the snapshots it published, kept within a memory budget, thinned evenly.

``Recording.offer(snapshot)`` keeps a frame (the snapshot without its ``history``) when the
snapshot opens a new bucket of ``gap`` steps::

    kept  <=>  step // gap  >  last_kept_step // gap        (the first snapshot always)

so frames lie about ``gap`` steps apart however often snapshots come. When the frames' bytes
exceed ``budget`` the gap doubles (again, until a frame goes) and only the first frame of each
new bucket stays: about every other frame, still spread evenly over the run. Memory is
therefore at most ``budget`` (plus one frame and the latest snapshot), ``gap`` grows like
``steps * frame_bytes / budget``, and a frame's step is never more than ``gap`` from the
nearest kept one.

Bytes are counted per array *owner* (a view counts its base), each owner once however many
frames share it: the worker reuses a prediction grid and the activity over several snapshots,
so they cost once. The loss history is not kept per frame: it is the biggest part of a small
network's snapshot (up to 8,192 buckets x 4 columns x 2 series, ~0.5 MB, against ~0.3 MB for
all of function-fit's other arrays) and only grows; ``replay(frame, history)`` cuts the live
run's history at the frame's step instead (``history_until``). The distributions
(``Snapshot.distributions``, up to ~0.25 MB for function-fit, a new copy at each record) are
kept the same way: the latest snapshot's, cut at the frame's step (``view_until``).

A recording belongs to one run (``generation``, ``run``: its ``RunInfo``); a new run starts a
new ``Recording``. Qt-free: the window's timeline and ``nnviz train --record`` both use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from nnviz.engine.distributions import view_until

#: bytes of frames a recording keeps at most (the issue's bound for a long function-fit run)
DEFAULT_BUDGET = 200 * 2**20
#: frames kept however big they are (a first and a last picture of a huge network)
MIN_FRAMES = 2
#: the history a frame is stored with (``replay`` puts the run's own back)
NO_HISTORY: Mapping = MappingProxyType({})


def _owner(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def array_owners(obj, out: dict[int, np.ndarray] | None = None,
                 _seen: set[int] | None = None) -> dict[int, np.ndarray]:
    """id -> owner array of every numpy array reachable from ``obj`` through dataclass
    fields, mappings, tuples/lists and plain objects' attributes (each owner once)."""
    out = {} if out is None else out
    seen = set() if _seen is None else _seen
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:  # an object array's items are counted as objects
            for item in obj.ravel():
                array_owners(item, out, seen)
        owner = _owner(obj)
        out[id(owner)] = owner
        return out
    if obj is None or isinstance(obj, (str, bytes, int, float, complex, bool, np.generic)):
        return out
    if id(obj) in seen:
        return out
    seen.add(id(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        children = (getattr(obj, f.name) for f in dataclasses.fields(obj))
    elif isinstance(obj, Mapping):
        children = obj.values()
    elif isinstance(obj, (tuple, list, set, frozenset)):
        children = obj
    elif hasattr(obj, "__dict__"):
        children = vars(obj).values()
    else:
        children = ()
    for child in children:
        array_owners(child, out, seen)
    return out


def snapshot_nbytes(snapshot, with_history: bool = True) -> int:
    """Bytes of the arrays a snapshot holds (each owner once); ``with_history`` False leaves
    out its loss history, as a recording stores it."""
    if not with_history and dataclasses.is_dataclass(snapshot):
        snapshot = dataclasses.replace(snapshot, history=NO_HISTORY)
    return sum(a.nbytes for a in array_owners(snapshot).values())


def history_until(history: Mapping, step: int, epoch: float) -> Mapping:
    """``history`` (series -> column -> array, as ``Snapshot.history``) cut at a past moment:
    a series with a "step" column keeps its rows with step <= ``step``; one with an "x" column
    (epochs) those with x <= ``epoch``; any other series whole. Read-only views, no copies of
    what is cut off."""
    out = {}
    for name, columns in history.items():
        if "step" in columns:
            x, bound = np.asarray(columns["step"]), step
        elif "x" in columns:
            x, bound = np.asarray(columns["x"]), epoch * (1 + 1e-12)
        else:
            out[name] = columns
            continue
        n = int(np.searchsorted(x, bound, side="right"))  # x ascends
        out[name] = MappingProxyType({k: np.asarray(v)[:n] for k, v in columns.items()})
    return MappingProxyType(out)


def replay(frame, history: Mapping | None, distributions=None):
    """A recorded ``frame`` as a Snapshot panels can show (``replayed`` set): the run's
    ``history`` (the live snapshot's, of the same run) cut at the frame's step; None keeps
    the frame's own; ``distributions`` (the live snapshot's) likewise."""
    changes = {"replayed": True}
    if history is not None:
        changes["history"] = history_until(history, frame.step, frame.epoch)
    if distributions is not None:
        changes["distributions"] = view_until(distributions, frame.step)
    return dataclasses.replace(frame, **changes)


class Recording:
    """The frames of one run (``generation``; ``run``: its RunInfo, or None), at most
    ``budget`` bytes of arrays. ``frames``: Snapshots without history, in step order;
    ``latest``: the last snapshot offered, also without history (the run's end, when the
    last bucket's frame is older); ``history``: that snapshot's history, which ``frame(i)``
    cuts at frame i's step."""

    def __init__(self, run=None, generation: int = 0, budget: int = DEFAULT_BUDGET):
        if not budget > 0:
            raise ValueError("a recording's budget must be a positive number of bytes")
        self.run, self.generation, self.budget = run, generation, int(budget)
        self.frames: list = []
        self.latest = None
        self.history: Mapping | None = None  # the last snapshot's (``replay`` cuts it)
        self.distributions = None  # the last snapshot's (likewise)
        self.gap = 1  # steps per bucket
        self.nbytes = 0  # bytes of the frames' arrays, each owner once
        self.thinnings = 0
        self._owners: dict[int, list] = {}  # id -> [owner array, frames holding it]
        self._frame_owners: list[tuple[int, ...]] = []

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def steps(self) -> list[int]:
        return [f.step for f in self.frames]

    def offer(self, snapshot) -> bool:
        """Record ``snapshot`` if it opens a new bucket (see the module docstring); a snapshot
        of another run is ignored. A step below the last frame's (step-through rewound) drops
        the frames after it. Returns whether it was kept."""
        if snapshot.generation != self.generation:
            return False
        frame = dataclasses.replace(snapshot, history=NO_HISTORY, distributions=None)
        self.latest, self.history = frame, snapshot.history
        self.distributions = snapshot.distributions
        while self.frames and self.frames[-1].step > frame.step:
            self._drop(len(self.frames) - 1)
        if self.frames and frame.step // self.gap <= self.frames[-1].step // self.gap:
            return False
        self._add(frame)
        while self.nbytes > self.budget and len(self.frames) > MIN_FRAMES:
            self._thin()
        return True

    def index_at(self, step: int) -> int:
        """The index of the frame nearest ``step`` (ties: the earlier); -1 when empty."""
        if not self.frames:
            return -1
        steps = np.fromiter((f.step for f in self.frames), dtype=np.int64, count=len(self))
        i = int(np.searchsorted(steps, step))
        if i == len(steps) or (i > 0 and step - steps[i - 1] <= steps[i] - step):
            i -= 1
        return i

    def frame(self, i: int):
        """Frame ``i`` as a Snapshot to show: the run's history cut at its step."""
        return replay(self.frames[i], self.history, self.distributions)

    def export_frames(self, most: int | None = None) -> list:
        """The moments to animate, as Snapshots to show: the kept frames, then ``latest`` if
        it is newer; ``most``: at most that many, evenly chosen (the first and last kept)."""
        frames = list(self.frames)
        if self.latest is not None and (not frames or self.latest.step > frames[-1].step):
            frames.append(self.latest)
        if most is not None and len(frames) > most >= 2:
            picks = np.unique(np.round(np.linspace(0, len(frames) - 1, most)).astype(int))
            frames = [frames[i] for i in picks]
        return [replay(f, self.history, self.distributions) for f in frames]

    # ------------------------------------------------------------------ internals
    def _add(self, frame) -> None:
        ids = []
        for key, owner in array_owners(frame).items():
            entry = self._owners.get(key)
            if entry is None:
                self._owners[key] = [owner, 1]
                self.nbytes += owner.nbytes
            else:
                entry[1] += 1
            ids.append(key)
        self.frames.append(frame)
        self._frame_owners.append(tuple(ids))

    def _drop(self, i: int) -> None:
        for key in self._frame_owners.pop(i):
            entry = self._owners[key]
            entry[1] -= 1
            if entry[1] == 0:
                self.nbytes -= entry[0].nbytes
                del self._owners[key]
        del self.frames[i]

    def _thin(self) -> None:
        """Double the gap (until some frame goes) and keep the first frame of each bucket."""
        n = len(self.frames)
        while len(self.frames) == n:
            self.gap *= 2
            buckets = [f.step // self.gap for f in self.frames]
            for i in range(n - 1, 0, -1):
                if buckets[i] == buckets[i - 1]:
                    self._drop(i)
        self.thinnings += 1
