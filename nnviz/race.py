"""Optimiser race: copies of one run that differ only in live settings, trained in lockstep.

    racer r = 1..k (k <= MAX_RACERS): build(config_1) switched by ``Trainer.configure`` to
    config_r, which differs from config_1 only in live fields (``nnviz.config``: optimizer, its
    settings, lr, L1/L2), so every racer starts at the same θ0 (same seed) and draws the same
    samples: racer r's run is, bit for bit, the ordinary run build(config_r) (tested; stop
    conditions cleared).
    lockstep: rounds in which every racer still going runs the same steps, one after another.
    path of racer r: θ_r(t) (P,), flat (``landscape.flat_params``), recorded every ``every``
    steps from step 0; at most ``points`` per racer (when full, every other point is dropped
    and ``every`` doubles).
    loss curve of racer r: its trainer's own step-loss history (bucket means, min and max).

The plane the paths are drawn on goes through θ0 with orthonormal directions d1, d2:

    "pca":    D = [θ_r(t) - θ0] stacked over racers and points (N, P);  D = U S Vᵀ;
              d1, d2 = Vᵀ[0], Vᵀ[1] (uncentred: the main directions of movement away from
              the start); ``share`` = (s1² + s2²) / Σ s²: how much of the movement the plane holds
    "params": d1 = e_a, d2 = e_b, two chosen parameters (``landscape.ParamRef``)
    coordinates (u, v) = ((θ - θ0)·d1, (θ - θ0)·d2) + offset (θ0[a], θ0[b] for "params", so
              the axes read as the parameters' values; 0 for "pca")
    landscape  L(u, v) = loss(θ0 + (u - offset_u) d1 + (v - offset_v) d2), float64, on at most
              ``landscape.MAX_ROWS`` training rows, on a resolution² grid covering the paths

A racer that diverges stops there (its parameters kept at their last finite values); the
others go on. A diverged path may run far off: the plane and the grid fit the racers still
going (all racers' points when every one diverged).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.config import (
    LIVE_FIELDS,
    SETTINGS,
    STOP_FIELDS,
    TrainingConfig,
    changed_fields,
    is_int,
    live_changes,
    optimizer_settings,
)
from nnviz.data import Dataset
from nnviz.engine.parallel import blas_threads
from nnviz.engine.trainer import Divergence
from nnviz.errors import ConfigError
from nnviz.experiment import Experiment, build, load_dataset
from nnviz.landscape import MAX_ROWS, ParamRef, flat_params, plane_loss

#: racers at most (four curves and paths stay readable on one picture)
MAX_RACERS = 4
#: points kept per racer's path at most
MAX_PATH_POINTS = 256
#: path values kept in all (racers x points x parameters): 64 MB of float64
MAX_PATH_VALUES = 8_000_000
#: fewer points per path than this: the network is too large to race
MIN_PATH_POINTS = 16
#: the landscape's grid points per side: default and largest (a forward pass each)
RESOLUTION = 41
MAX_RESOLUTION = 101
#: the grid extends past the paths' range by this fraction of it on each side
MARGIN = 0.15
#: points of a loss curve in a view at most (consecutive buckets merged)
CURVE_POINTS = 400
#: a second singular value below this fraction of the first: the paths lie on a line (the
#: Gram matrix's rounding leaves ~1e-8 of the first on a straight line)
FLAT = 1e-6


def racer_label(config: TrainingConfig) -> str:
    """"adam lr 0.01" (the momentum optimiser with its momentum)."""
    name = config.optimizer
    if name == "momentum":
        name += f" {config.momentum:g}"
    return f"{name} lr {config.lr:g}"


def racer_labels(configs: Sequence[TrainingConfig]) -> list[str]:
    """``racer_label`` of each, followed by the other live settings (betas, L1/L2...) that
    differ between the racers, where the racer's optimiser has them."""
    shown = ("optimizer", "lr", "momentum", *STOP_FIELDS)
    varying = [n for n in LIVE_FIELDS if n not in shown
               and len({getattr(c, n) for c in configs}) > 1]
    return [racer_label(c) + "".join(
        f" {n} {getattr(c, n):g}" for n in varying
        if n in ("l1", "l2") or n in optimizer_settings(c.optimizer)) for c in configs]


def racer_configs(base: TrainingConfig, optimizers: Sequence[str] | None = None,
                  lrs: Sequence[float] | None = None) -> list[TrainingConfig]:
    """One configuration per (optimizer, lr) pair, optimizers outermost (None: the base's);
    ConfigError (one line) for an unknown optimizer, a learning rate beyond the table's
    limits, a repeated racer or more than MAX_RACERS."""
    optimizers = list(optimizers) if optimizers else [base.optimizer]
    lrs = list(lrs) if lrs else [base.lr]
    for name, values in (("optimizer", optimizers), ("lr", lrs)):
        for v in values:
            SETTINGS[name].check(v)
    n = len(optimizers) * len(lrs)
    if n > MAX_RACERS:
        raise ConfigError(f"a race has at most {MAX_RACERS} racers, got {n} "
                          f"({len(optimizers)} optimizer(s) x {len(lrs)} learning rate(s))")
    return [base.replace(optimizer=o, lr=lr, description="") for o in optimizers for lr in lrs]


def coarsen(curve: dict, n: int = CURVE_POINTS) -> dict:
    """A ``BucketSeries.arrays()`` curve in at most ``n`` points: groups of k = ceil(len / n)
    consecutive buckets, each the first step, the mean of the means, min and max of the group."""
    size = len(curve["step"])
    k = max(1, -(-size // n))
    if k == 1:
        return curve
    starts = np.arange(0, size, k)
    counts = np.diff(np.append(starts, size))
    return {"step": curve["step"][starts],
            "mean": np.add.reduceat(curve["mean"], starts) / counts,
            "min": np.minimum.reduceat(curve["min"], starts),
            "max": np.maximum.reduceat(curve["max"], starts)}


@dataclass(frozen=True, eq=False)
class Plane:
    """The plane through ``origin`` θ0 (P,) spanned by orthonormal ``d1``, ``d2`` (P,);
    ``offset`` is added to the coordinates; ``labels`` name the axes; ``share``: the fraction
    of the paths' squared displacement the plane holds (1 for "params": the axes are
    parameters, the others held at θ0); ``note``: what the picture must say about it."""

    kind: str
    origin: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    offset: tuple[float, float]
    labels: tuple[str, str]
    share: float
    note: str

    def coords(self, thetas: np.ndarray) -> np.ndarray:
        """(N, P) parameter vectors -> (N, 2) plane coordinates (the projection)."""
        D = np.atleast_2d(np.asarray(thetas, dtype=np.float64)) - self.origin
        return np.column_stack([D @ self.d1, D @ self.d2]) + np.asarray(self.offset)


def top_directions(D: np.ndarray, k: int = 2) -> tuple[np.ndarray, np.ndarray, float]:
    """The k largest singular values s (k,) of D (N, P) and their right singular vectors
    vt (k, P), and Σ s² over all of them (‖D‖²), of D scaled to max |D| = 1 (a diverged path's
    1e200s would overflow s²). From the eigenvectors of the smaller Gram matrix, DᵀD (P, P) or
    DDᵀ (N, N) (v = Dᵀu / s): as exact as the SVD for the leading directions and faster; on one
    BLAS thread (on a loaded 2-core machine a 2-thread SVD of 471 x 337 took 2.5 s, a 1-thread
    one 0.16 s, this 0.06 s)."""
    P = D.shape[1]
    scale = float(np.abs(D).max()) if D.size else 0.0
    if scale == 0:
        return np.zeros(0), np.zeros((0, P)), 0.0
    D = D / scale
    total = float(np.sum(D * D))
    with blas_threads(1):
        lam, W = np.linalg.eigh(D.T @ D if len(D) >= P else D @ D.T)  # ascending
    if len(D) >= P:
        top = np.argsort(lam)[::-1][:k]
        return np.sqrt(np.maximum(lam[top], 0.0)), W[:, top].T, total
    U = W
    top = [i for i in np.argsort(lam)[::-1][:k] if lam[i] > 0]
    s = np.sqrt(lam[top])
    vt = (D.T @ U[:, top]).T if top else np.zeros((0, P))
    return s, vt / np.linalg.norm(vt, axis=1, keepdims=True), total


def pca_plane(origin: np.ndarray, points: np.ndarray) -> Plane:
    """The plane through ``origin`` along the two main directions of ``points`` (N, P) seen
    from it (module docstring); each direction's sign makes the points' mean coordinate >= 0.
    Directions the points do not give (they lie on a line, or there are none) are filled
    with unit vectors orthogonal to those they do, and the note says so."""
    origin = np.asarray(origin, dtype=np.float64)
    D = np.asarray(points, dtype=np.float64).reshape(-1, origin.size) - origin
    D = D[np.isfinite(D).all(axis=1)]
    P = origin.size
    s, vt, total = top_directions(D)
    found = [vt[i] for i in range(min(2, len(s))) if s[i] > FLAT * (s[0] if s[0] else 1.0)
             and s[i] > 0]
    note = ""
    if len(found) < 2:
        note = ("the paths lie on a line: the second direction is arbitrary" if found else
                "the paths have not moved: both directions are arbitrary")
    dirs = list(found)
    for j in np.argsort([abs(v) for v in (found[0] if found else np.zeros(P))]):
        if len(dirs) == 2 or P < 2:
            break
        e = np.zeros(P)
        e[j] = 1.0
        for d in dirs:
            e -= (e @ d) * d
        if np.linalg.norm(e) > 0.5:
            dirs.append(e / np.linalg.norm(e))
    while len(dirs) < 2:  # a one-parameter network: a zero second direction
        dirs.append(np.zeros(P))
    dirs = [d if np.sum(D @ d) >= 0 else -d for d in dirs]
    share = min(1.0, float(np.sum(s[: len(found)] ** 2) / total)) if total > 0 else 1.0
    text = f"PCA plane through the start: {100 * share:.1f}% of the paths' movement"
    return Plane("pca", origin, dirs[0], dirs[1], (0.0, 0.0), ("direction 1", "direction 2"),
                 share, text + (f"; {note}" if note else ""))


def param_plane(origin: np.ndarray, sizes, a: ParamRef, b: ParamRef) -> Plane:
    """The plane of two parameters a (x) and b (y), every other one held at the start."""
    if a == b:
        raise ConfigError("choose two different parameters")
    a, b = (ParamRef.parse(r.label, sizes) for r in (a, b))  # within this network (ConfigError)
    origin = np.asarray(origin, dtype=np.float64)
    d1, d2 = np.zeros(origin.size), np.zeros(origin.size)
    ia, ib = a.flat_index(sizes), b.flat_index(sizes)
    d1[ia], d2[ib] = 1.0, 1.0
    return Plane("params", origin, d1, d2, (float(origin[ia]), float(origin[ib])),
                 (a.label, b.label), 1.0, f"the loss over {a.label} and {b.label}, every other "
                 "parameter held at the start (the paths move them too)")


@dataclass(frozen=True, eq=False)
class RaceLandscape:
    """The loss over the plane: ``loss`` (len(vs), len(us)) at coordinates us (x), vs (y)."""

    plane: Plane
    us: np.ndarray
    vs: np.ndarray
    loss: np.ndarray
    rows: int


@dataclass(frozen=True, eq=False)
class RacerView:
    """One racer as of a moment: ``curve`` (step, mean, min, max of its step losses,
    ``coarsen``ed), ``path`` (n, 2) plane coordinates (start, recorded points, now), ``final``
    metrics (``Trainer.final_metrics``) when asked for."""

    label: str
    config: TrainingConfig
    steps: int
    seconds: float
    curve: dict
    path: np.ndarray
    divergence: str | None
    final: dict | None

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else math.nan


@dataclass(frozen=True, eq=False)
class RaceView:
    """A frozen picture of a race: its racers, the plane, the landscape (None if not drawn),
    ``title`` (the data and network)."""

    title: str
    step: int
    racers: tuple[RacerView, ...]
    plane: Plane
    landscape: RaceLandscape | None
    finished: bool


class Racer:
    """One racer: its experiment, path so far and time spent training."""

    def __init__(self, exp: Experiment, label: str):
        self.exp = exp
        self.config = exp.config
        self.label = label
        self.seconds = 0.0
        self.path_steps: list[int] = []
        self.path: list[np.ndarray] = []

    @property
    def trainer(self):
        return self.exp.trainer

    @property
    def divergence(self) -> Divergence | None:
        return self.exp.trainer.divergence

    def theta(self) -> np.ndarray:
        self.trainer.sync()
        return flat_params(self.exp.net.get_params())

    def record(self) -> None:
        self.path_steps.append(self.trainer.step_count)
        self.path.append(self.theta())

    def run(self, n: int) -> None:
        t0 = time.perf_counter()
        self.trainer.run(n)
        self.seconds += time.perf_counter() - t0


def _racer(base: TrainingConfig, config: TrainingConfig, dataset: Dataset) -> Experiment:
    """``base``'s run switched to ``config``'s live settings before its first step, as the
    window switches a running trainer (``Trainer.configure``): the run of ``config``."""
    exp = build(base, dataset=dataset)
    exp.trainer.configure(**live_changes(base, config))
    exp.config = config
    return exp


class Race:
    """Racers built from ``configs`` (see ``racer_configs``), trained together by ``advance``.

    ``dataset``: the data every racer trains on (default: loaded once from the first config).
    ConfigError if the configurations differ in more than live fields, there are none or more
    than MAX_RACERS, or the paths of a network this large would not fit MAX_PATH_VALUES.
    """

    def __init__(self, configs: Sequence[TrainingConfig], dataset: Dataset | None = None,
                 max_points: int = MAX_PATH_POINTS, every: int = 1):
        configs = list(configs)
        if not 1 <= len(configs) <= MAX_RACERS:
            raise ConfigError(f"a race has 1 to {MAX_RACERS} racers, got {len(configs)}")
        for c in configs:
            if not isinstance(c, TrainingConfig):
                raise ConfigError(f"a racer is a TrainingConfig, got {type(c).__name__}")
        clear = dict.fromkeys(STOP_FIELDS)
        configs = [c.replace(**clear) for c in configs]
        base = configs[0]
        for i, c in enumerate(configs[1:], 2):
            fixed = [n for n in changed_fields(base, c) if not SETTINGS[n].live]
            if fixed:
                raise ConfigError(f"racer {i} differs from racer 1 in {', '.join(fixed)}: "
                                  "racers may differ only in live settings (optimizer, lr...)")
            if c == base or any(c == o for o in configs[1:i - 1]):
                raise ConfigError(f"racer {i} ({racer_label(c)}) is the same as another")
        base.validate()
        ds = dataset if dataset is not None else load_dataset(base)
        first = build(base, dataset=ds)  # (its size checked before the others are built)
        n_params = first.net.n_params
        points = min(int(max_points), MAX_PATH_VALUES // (len(configs) * n_params))
        if points < MIN_PATH_POINTS:
            raise ConfigError(f"a network of {n_params:,} parameters is too large to race "
                              f"{len(configs)} copies (their paths hold at most "
                              f"{MAX_PATH_VALUES:,} values)")
        exps = [first] + [_racer(base, c, ds) for c in configs[1:]]
        self.racers = [Racer(e, label) for e, label in zip(exps, racer_labels(configs))]
        self.points = points - points % 2
        self.every = max(1, int(every))
        self.step = 0
        self.origin = self.racers[0].theta()
        for r in self.racers:
            r.record()

    # ------------------------------------------------------------------ training
    @property
    def going(self) -> list[Racer]:
        return [r for r in self.racers if r.divergence is None]

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(self.racers[0].exp.net.sizes)

    def advance(self, n_steps: int) -> int:
        """Train every racer still going ``n_steps`` more steps, round-robin in rounds that
        end at the next path point; returns the lockstep steps done (fewer once all
        diverged). A racer that diverges keeps its last finite point as its path's end."""
        if not (is_int(n_steps) and n_steps >= 0):
            raise ConfigError(f"the number of steps must be a whole number >= 0, "
                              f"got {n_steps!r}")
        target = self.step + int(n_steps)
        while self.step < target and self.going:
            next_point = (self.step // self.every + 1) * self.every
            seg = min(target, next_point) - self.step
            for r in self.going:
                r.run(seg)
                if r.divergence is not None:
                    r.record()
            self.step += seg
            if self.step == next_point:
                self._record()
        return self.step - (target - int(n_steps))

    def _record(self) -> None:
        going = self.going
        for r in going:
            r.record()
        if going and len(going[0].path) > self.points:
            for r in going:
                r.path, r.path_steps = r.path[::2], r.path_steps[::2]
            self.every *= 2

    # ------------------------------------------------------------------ the plane
    def fitted_points(self) -> np.ndarray:
        """(N, P) the points the plane and grid fit: paths and current parameters of the
        racers still going (of all when every one diverged)."""
        racers = self.going or self.racers
        pts = [p for r in racers for p in r.path]
        pts += [r.theta() for r in racers]
        return np.array(pts)

    def plane(self, params: tuple[ParamRef, ParamRef] | None = None) -> Plane:
        """The PCA plane of the paths, or the plane of two parameters ``params``."""
        if params is not None:
            return param_plane(self.origin, self.sizes, *params)
        return pca_plane(self.origin, self.fitted_points())

    def landscape(self, plane: Plane, resolution: int = RESOLUTION,
                  cancelled=None) -> RaceLandscape:
        """The loss on a resolution² grid over ``plane`` covering the fitted points (+MARGIN);
        for "pca" both axes have the same span (distances in the picture are distances).
        ``cancelled``: see ``landscape.plane_loss``."""
        if not (is_int(resolution) and 3 <= resolution <= MAX_RESOLUTION):
            raise ConfigError(f"the landscape's resolution must be 3 to {MAX_RESOLUTION}, "
                              f"got {resolution}")
        uv = plane.coords(self.fitted_points())
        uv = uv[np.isfinite(uv).all(axis=1)]
        lo, hi = uv.min(axis=0), uv.max(axis=0)
        span = np.maximum(hi - lo, 1e-12)
        if plane.kind == "pca":
            span[:] = span.max()
        else:
            span = np.maximum(span, 0.1 * np.maximum(np.abs(hi), np.abs(lo)).max() + 1e-3)
        mid = (lo + hi) / 2
        half = span * (0.5 + MARGIN)
        us = np.linspace(mid[0] - half[0], mid[0] + half[0], int(resolution))
        vs = np.linspace(mid[1] - half[1], mid[1] + half[1], int(resolution))
        exp = self.racers[0].exp
        tr = exp.trainer
        off_u, off_v = plane.offset
        loss = plane_loss(plane.origin, plane.d1, plane.d2, us - off_u, vs - off_v,
                          exp.net.sizes, exp.net.activation_names, tr.X, tr.Y, tr.loss_fn.name,
                          cancelled)
        return RaceLandscape(plane, us, vs, loss, min(len(tr.X), MAX_ROWS))

    # ------------------------------------------------------------------ views
    def view(self, plane: Plane, landscape: RaceLandscape | None = None,
             final: bool = False, finished: bool = False) -> RaceView:
        """Copies of everything a picture draws, paths on ``plane``; ``final``: with each
        racer's final metrics (a pass over the whole data)."""
        racers = []
        for r in self.racers:
            pts = list(r.path)
            if r.divergence is None and r.path_steps[-1] != r.trainer.step_count:
                pts.append(r.theta())
            div = r.divergence
            racers.append(RacerView(
                r.label, r.config, r.trainer.step_count, r.seconds,
                coarsen(r.trainer.history.step_loss.arrays()), plane.coords(np.array(pts)),
                None if div is None else div.message,
                r.trainer.final_metrics() if final else None))
        return RaceView(self.title, self.step, tuple(racers), plane, landscape, finished)

    @property
    def title(self) -> str:
        exp = self.racers[0].exp
        tr = exp.trainer
        batch = "full batch" if tr.batch_size == tr.n else f"batch {tr.batch_size}"
        acts = ", ".join(exp.net.activation_names)
        return (f"Optimiser race on {exp.dataset.name}: network "
                f"{'-'.join(map(str, self.sizes))} ({acts}), loss {tr.loss_fn.name}, {batch}, "
                f"seed {exp.config.seed}")
