"""The hidden space: the input plane's grid lines and the training points carried through the
network layer by layer, and a 2-D view of each layer's space (Qt-free: the panel
``nnviz.gui.panels.hidden_space`` only draws what this computes).

Notation (the tutorials'): L weight layers, H = L - 1 hidden layers. Space k = 0 .. H:

    k = 0    the input plane in the network's scaled units, p = x_scaler(raw) (N, 2); the
             network's inputs are a[0] = features(p) (= p for the default features)
    k >= 1   hidden layer k: a[k] = f(a[k-1] @ W[k-1] + b[k-1]) (N, n_k), computed by the
             engine's own layer step (``nnviz.engine.layers.forward``), in float32
    output   reads space H: z = a[H] @ W[H] + b[H] (N, K), y_hat = f_out(z)

Rows (N): the grid lines first (``Plane.n_lines`` lines of ``Plane.samples`` points each: the
first half at constant x2, the second at constant x1), then up to MAX_POINTS training points.

A view of space k puts each a (n_k,) at (u, v) = (a - origin) @ basis, basis (n_k, 2) with
orthonormal columns; the plane it shows is a = origin + (u, v) @ basis.T:

    exact    n_k = 2: basis = I, origin = 0 (nothing is hidden)
    line     n_k = 1: the neuron along u, v = 0
    neurons  two chosen neurons i, j: basis = [e_i, e_j]; origin = the other neurons' mean
             over the points (where the boundary holds them), 0 at i and j
    pca      the points' first two principal axes: basis = V[:, :2] of the SVD of the
             centred points, origin = their mean; fitted on request only (the picture must
             not jump), each axis's sign kept from the last fit (or matched to the previous
             space's picture on the first)
    readout  (space H only) u along the direction the output layer reads, v along the
             points' main spread across it: the boundary drawn there is exact
             (``readout_view``); it follows W, so it is made anew for each snapshot

Morph (the layer slider): at position t = k + s (0 <= s < 1) each row is drawn at
(1 - s) C_k + s C_{k+1}, C_k its (u, v) in space k: only integer positions are a layer's values.

A picture's range (``sticky_box``) moves only when the rows leave it or shrink well inside it.

Decision boundary in space H's view: z(u, v) = z0 + u g_u + v g_v, z0 = origin @ W + b and
(g_u; g_v) = basis.T @ W (2, K): affine, so every piece is straight. One output: the line
f_out(z) = 0.5 (the trainer's accuracy threshold); K outputs: where the two largest z tie
(argmax of y_hat for an increasing f_out, softmax included). Exact for the exact and line
views and the readout plane of K <= 3 outputs; for the others it is the boundary on the shown
plane only (points lie off it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.data.features import expand, is_default
from nnviz.engine import layers
from nnviz.engine.activations import get_activation

#: grid lines per direction, and points along each (tanh folds stay smooth at this density)
LINES = 15
SAMPLES = 64
#: training points carried at most (an evenly spaced subset of larger training sets)
MAX_POINTS = 1000
#: view kinds (see the module docstring)
EXACT, LINE, NEURONS, PCA, READOUT = "exact", "line", "neurons", "pca", "readout"


@dataclass(frozen=True, eq=False)
class Plane:
    """A run's input plane, in the network's scaled units.

    lines (n_lines, samples, 2); points (m, 2); rows (m,): the points' rows in the training
    set; coords (N, 2) float32: both stacked, lines first; inputs (N, n_0) float32: the
    network's inputs for them (``features`` of coords); exact_inputs: inputs are coords."""

    lines: np.ndarray
    points: np.ndarray
    rows: np.ndarray
    coords: np.ndarray
    inputs: np.ndarray
    exact_inputs: bool

    @property
    def n_lines(self) -> int:
        return len(self.lines)

    @property
    def samples(self) -> int:
        return self.lines.shape[1]

    @property
    def n_line_rows(self) -> int:
        return self.lines.shape[0] * self.lines.shape[1]


def point_rows(n_train: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """Which training rows are carried: all of them, or ``max_points`` evenly spaced."""
    if n_train <= max_points:
        return np.arange(n_train)
    return np.unique(np.linspace(0, n_train - 1, max_points).round().astype(np.intp))


def input_plane(run, n_lines: int = LINES, samples: int = SAMPLES,
                max_points: int = MAX_POINTS) -> Plane | None:
    """The plane of a run (``nnviz.snapshot.RunInfo``) with 2 input features: ``n_lines``
    lines each way across the data's bounds, and its training points; None otherwise."""
    ds = run.dataset
    if ds.n_features != 2:
        return None
    (x0, x1), (y0, y1) = ds.bounds
    lines = []
    for y in spaced(y0, y1, n_lines):  # constant x2
        lines.append(np.column_stack([spaced(x0, x1, samples), np.full(samples, y)]))
    for x in spaced(x0, x1, n_lines):  # constant x1
        lines.append(np.column_stack([np.full(samples, x), spaced(y0, y1, samples)]))
    rows = point_rows(run.n_train, max_points)
    # (a scaled value beyond float64, from data near ±1e308, is ±inf: carried as such)
    with np.errstate(over="ignore"):
        lines = run.x_scaler.transform(np.concatenate(lines)).reshape(2 * n_lines, samples, 2)
        points = run.x_scaler.transform(np.asarray(ds.X)[run.train_index[rows]])
        coords = np.concatenate([lines.reshape(-1, 2), points])
        inputs = expand(coords, run.features)
    return Plane(lines=lines, points=points, rows=rows, coords=as_float32(coords),
                 inputs=as_float32(inputs), exact_inputs=is_default(run.features))


def spaced(lo: float, hi: float, n: int) -> np.ndarray:
    """n values (n,) evenly spaced from lo to hi, as lo (1 - t) + hi t: ends near ±1e308 do
    not overflow (np.linspace's hi - lo did, to inf and NaN)."""
    t = np.linspace(0.0, 1.0, n)
    with np.errstate(over="ignore"):  # (a rounding past ±max: clipped back to the ends)
        return np.clip(lo * (1.0 - t) + hi * t, min(lo, hi), max(lo, hi))


def as_float32(values) -> np.ndarray:
    """``values`` as float32: a finite value beyond float32's range becomes ±inf, NaN stays
    (as the cast does, without its overflow warning)."""
    v = np.asarray(values, dtype=np.float64)
    big = np.abs(v) > np.finfo(np.float32).max  # (False for NaN)
    return np.where(big, np.copysign(np.inf, v), v).astype(np.float32)


def carry(inputs: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
          activations: Sequence[str]) -> tuple[np.ndarray, ...]:
    """a[1], ..., a[len(weights)] (N, n_k) float32 for network inputs (N, n_0), each layer by
    ``engine.layers.forward`` (z = a @ W + b; a = f(z)). Non-finite values pass through."""
    a = np.asarray(inputs, dtype=np.float32)
    out = []
    with np.errstate(all="ignore"):  # a diverged run: NaN and inf, shown as such
        for W, b, name in zip(weights, biases, activations):
            z = np.empty((len(a), W.shape[1]), dtype=np.float32)
            layers.forward(a, np.asarray(W, np.float32), np.asarray(b, np.float32),
                           get_activation(name), z, z)
            out.append(z)
            a = z
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Space:
    """Spaces 0 .. H for one set of parameters: acts[k] (N, n_k) float32, rows as the
    plane's (``n_line_rows`` grid-line rows, then the points)."""

    acts: tuple[np.ndarray, ...]
    n_line_rows: int

    @property
    def depth(self) -> int:
        """H: the last space (the one the output layer reads)."""
        return len(self.acts) - 1

    def points(self, k: int) -> np.ndarray:
        return self.acts[k][self.n_line_rows:]

    def finite(self) -> bool:
        return all(bool(np.isfinite(a).all()) for a in self.acts)


def carry_plane(plane: Plane, weights, biases, activations) -> Space:
    """Space 0 (the plane) and the hidden layers' activations of its rows (the output layer,
    weights[-1], is not applied)."""
    hidden = carry(plane.inputs, weights[:-1], biases[:-1], activations[:-1])
    return Space((plane.coords,) + hidden, len(plane.coords) - len(plane.points))


@dataclass(frozen=True, eq=False)
class View:
    """A 2-D view of one space (see the module docstring): kind; origin (n,), basis (n, 2)
    float64; neurons (i, j) for kind "neurons"; explained: the share of the points' variance
    on a PCA plane."""

    kind: str
    origin: np.ndarray
    basis: np.ndarray
    neurons: tuple[int, int] | None = None
    explained: float | None = None
    exact_readout: bool = False

    @property
    def exact(self) -> bool:
        """True when the boundary drawn in this view is exact: the view hides nothing
        (n <= 2), or it is the readout plane of an output of at most 3 neurons."""
        return self.kind in (EXACT, LINE) or self.exact_readout

    def project(self, A: np.ndarray) -> np.ndarray:
        """(u, v) (N, 2) float32 of activations A (N, n)."""
        if self.kind == EXACT:
            return A
        if self.kind == LINE:
            return np.column_stack([A[:, 0], np.zeros(len(A), A.dtype)])
        if self.kind == NEURONS:
            return A[:, list(self.neurons)]
        with np.errstate(all="ignore"):  # (a @ B - origin @ B: no centred copy of A)
            basis = self.basis.astype(A.dtype)
            return A @ basis - self.origin.astype(A.dtype) @ basis


def plane_share(view: View, points: np.ndarray) -> float:
    """The share of the points' (m, n) variance that lies along the view's plane: ||P_c B||² /
    ||P_c||², P_c the centred points, B the basis (a PCA view's ``explained`` when they are
    the points it was fitted to; less as training moves them)."""
    A = np.asarray(points, np.float64)
    centred = A - A.mean(axis=0)
    total = float(np.sum(centred ** 2))
    return float(np.sum((centred @ view.basis) ** 2) / total) if total > 0 else 1.0


def exact_view(n: int) -> View:
    """The view of a space of 1 or 2 neurons."""
    if n == 1:
        return View(LINE, np.zeros(1), np.array([[1.0, 0.0]]))
    if n != 2:
        raise ValueError(f"an exact view needs 1 or 2 neurons, not {n}")
    return View(EXACT, np.zeros(2), np.eye(2))


def neuron_view(points: np.ndarray, i: int, j: int) -> View:
    """Neurons i (u) and j (v) of a space; the others held at their mean over ``points``
    (m, n) in the plane the view shows."""
    n = points.shape[1]
    if not (0 <= i < n and 0 <= j < n and i != j):
        raise ValueError(f"choose two different neurons of 0..{n - 1}, not {i} and {j}")
    origin = np.asarray(points, np.float64).mean(axis=0)
    origin[[i, j]] = 0.0
    basis = np.zeros((n, 2))
    basis[i, 0] = basis[j, 1] = 1.0
    return View(NEURONS, origin, basis, neurons=(i, j))


def fit_pca(points: np.ndarray, previous: View | None = None,
            like: np.ndarray | None = None) -> View:
    """The PCA view of a space from its points (m, n), n >= 3: origin = their mean, basis =
    the first two right singular vectors of the centred points. Each axis's sign: the one
    closest to ``previous``'s axis (a refit must not flip the picture), else the one whose
    coordinates grow with ``like``'s column (m, 2: these points in the previous space's
    picture: the morph does not mirror), else the one making its largest entry positive."""
    A = np.asarray(points, np.float64)
    origin = A.mean(axis=0)
    centred = A - origin
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    n = A.shape[1]
    basis = np.zeros((n, 2))
    k = min(2, len(vt))
    basis[:, :k] = vt[:k].T
    _complete(basis, k)  # fewer points than axes: any orthonormal completion
    for c in range(2):
        if previous is not None and previous.basis.shape == basis.shape:
            sign = np.sign(previous.basis[:, c] @ basis[:, c])
        elif like is not None and len(like) == len(A):
            sign = np.sign((centred @ basis[:, c]) @ (like[:, c] - like[:, c].mean()))
        else:
            sign = np.sign(basis[np.argmax(np.abs(basis[:, c])), c])
        basis[:, c] *= -1.0 if sign < 0 else 1.0
    s = s / s[0] if len(s) and s[0] > 0 else s  # (huge activations: s² would overflow)
    total = float(np.sum(s ** 2))
    explained = float(np.sum(s[:2] ** 2) / total) if total > 0 else 1.0
    return View(PCA, origin, basis, explained=explained)


def _complete(basis: np.ndarray, c: int) -> None:
    """Columns c.. of ``basis`` (n, 2), in place: unit vectors orthogonal to the columns
    before them (an axis along which the columns so far are smallest, minus its projection)."""
    n = basis.shape[0]
    for k in range(c, basis.shape[1]):
        e = np.eye(n)[np.argmin(np.abs(basis[:, :k]).sum(axis=1))]
        e = e - basis[:, :k] @ (basis[:, :k].T @ e)
        basis[:, k] = e / np.linalg.norm(e)


def readout_view(points: np.ndarray, W: np.ndarray, previous: View | None = None) -> View:
    """The readout plane of the last hidden space (n >= 3) for the output layer's W (n, K):
    u along the direction(s) the output reads, v along the points' (m, n) main spread across
    it; origin = their mean. K = 1: u = w / |w| (u grows with the output); K = 2: the
    direction of w_1 - w_0; K = 3: the plane of w_1 - w_0 and w_2 - w_0 (both axes). The
    output depends on a only through these directions, so for K <= 3 the boundary drawn on
    this plane is the exact one and every point sits on its own side of it ("readout" views
    are exact); for K > 3 the first two such directions (approximate). v's sign: the one
    closest to ``previous``'s (the picture follows W without flipping)."""
    A = np.asarray(points, np.float64)
    W = np.asarray(W, np.float64)
    n, K = W.shape
    origin = A.mean(axis=0)
    reads = W if K == 1 else W[:, 1:] - W[:, :1]  # (n, 1 or K - 1)
    q, r = np.linalg.qr(reads[:, :2])
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)  # each axis grows with its direction
    basis = np.zeros((n, 2))
    basis[:, :q.shape[1]] = q
    if q.shape[1] == 1:  # v: the points' main spread across u
        centred = A - origin
        across = centred - np.outer(centred @ q[:, 0], q[:, 0])
        v = np.linalg.svd(across, full_matrices=False)[2][0]
        v -= q[:, 0] * (q[:, 0] @ v)
        size = np.linalg.norm(v)
        if not size > 1e-6:  # every point on u's line (or at one place): any v across u
            _complete(basis, 1)
            v = basis[:, 1]
        else:
            v /= size
        if previous is not None and previous.basis.shape == basis.shape and \
                previous.basis[:, 1] @ v < 0:
            v = -v
        basis[:, 1] = v
    return View(READOUT, origin, basis, explained=None, exact_readout=K <= 3)


def morph(coords: Sequence[np.ndarray], t: float) -> np.ndarray:
    """Rows (N, 2) at slider position ``t`` in [0, len(coords) - 1]: coords[k] at an integer
    k, else (1 - s) coords[k] + s coords[k + 1] with k = floor(t), s = t - k."""
    t = min(max(float(t), 0.0), len(coords) - 1.0)
    k = int(np.floor(t))
    s = t - k
    if s == 0.0:
        return coords[k]
    return (1.0 - s) * coords[k] + s * coords[k + 1]


def sticky_box(coords: np.ndarray, shown=None, margin: float = 0.05, slack: float = 1.5):
    """((u0, u1), (v0, v1)) to show rows (N, 2): their extent and ``margin`` of it on each
    side, or ``shown`` while that holds them (with half the margin) and is at most ``slack``
    times as long on each axis (a range that moves with every update re-lays the axes);
    ``shown`` (or a unit box) if they are not all finite."""
    lo, hi = coords.min(axis=0).astype(float), coords.max(axis=0).astype(float)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        return shown or ((-1.0, 1.0), (-1.0, 1.0))
    span = np.maximum(hi - lo, 1e-6 * np.maximum(1.0, np.abs(hi)))
    lo, hi = lo - margin * span, hi + margin * span
    if shown is not None and all(
            shown[a][0] <= lo[a] + 0.5 * margin * span[a]
            and hi[a] - 0.5 * margin * span[a] <= shown[a][1]
            and shown[a][1] - shown[a][0] <= slack * (hi[a] - lo[a]) for a in range(2)):
        return shown
    return tuple((float(lo[a]), float(hi[a])) for a in range(2))


def output_threshold(output: str, level: float = 0.5) -> float | None:
    """z where the output activation f_out(z) = level (bisection on the engine's own f,
    increasing); None if it never gets there."""
    act = get_activation(output)
    lo, hi = -60.0, 60.0

    def f(z: float) -> float:
        return float(act.forward(np.array([[z]]))[0, 0])

    if not f(lo) <= level <= f(hi):
        return None
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid) < level:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * max(1.0, abs(mid)):
            break
    return 0.5 * (lo + hi)


def _clip(normal, c: float, constraints, box) -> np.ndarray | None:
    """The part of the line normal . p + c = 0 where every constraint (a (2,), e) has
    a . p + e >= 0 and p lies in box (u0, u1, v0, v1): (u0, v0, u1, v1), or None. Each
    (in)equation is first divided by its largest |coefficient| (the same line, no overflow in
    normal . normal for coefficients near ±1e308)."""
    normal, c = _unit(normal, c)
    norm2 = float(normal @ normal)
    if not np.isfinite(norm2) or norm2 < 1e-24 or not np.isfinite(c):
        return None
    p0 = -c * normal / norm2
    d = np.array([-normal[1], normal[0]])
    u0, u1, v0, v1 = box
    halves = list(constraints) + [((1.0, 0.0), -u0), ((-1.0, 0.0), u1),
                                  ((0.0, 1.0), -v0), ((0.0, -1.0), v1)]
    t_lo, t_hi = -np.inf, np.inf
    for a, e in halves:
        a, e = _unit(a, e)
        q, r = float(a @ d), float(a @ p0 + e)
        if abs(q) < 1e-15:
            if r < 0:
                return None
        elif q > 0:
            t_lo = max(t_lo, -r / q)
        else:
            t_hi = min(t_hi, -r / q)
    if not t_lo < t_hi:
        return None
    return np.concatenate([p0 + t_lo * d, p0 + t_hi * d])


def _unit(a, e: float) -> tuple[np.ndarray, float]:
    """(a, e) of a . p + e divided by max |a_i| (a (2,)): the same line or half-plane with
    coefficients in [-1, 1]; as given if a is 0 or not finite (an offset beyond float64: inf,
    no line)."""
    a = np.asarray(a, np.float64)
    s = float(np.max(np.abs(a)))
    if not (np.isfinite(s) and s > 0):
        return a, float(e)
    e = float(e)
    return a / s, e / s if abs(e) < s * 1e300 else float(np.copysign(np.inf, e))


def boundary(view: View, W: np.ndarray, b: np.ndarray, output: str, box) -> np.ndarray:
    """The output layer's decision boundary in ``view`` of space H, clipped to box (u0, u1,
    v0, v1): segments (s, 4) as u0, v0, u1, v1 (see the module docstring). W (n_H, K), b (K,);
    empty when there is none in the box (or the parameters are not finite)."""
    W, b = np.asarray(W, np.float64), np.asarray(b, np.float64)
    with np.errstate(all="ignore"):  # non-finite parameters: no line (``_clip``)
        z0 = view.origin @ W + b  # (K,)
        G = view.basis.T @ W  # (2, K): dz/du, dz/dv
    segments = []
    if W.shape[1] == 1:
        t = output_threshold(output)
        if t is not None:
            segments.append(_clip(G[:, 0], z0[0] - t, (), box))
    else:
        K = W.shape[1]
        for i in range(K):
            for j in range(i + 1, K):
                others = [(G[:, i] - G[:, m], z0[i] - z0[m]) for m in range(K) if m not in (i, j)]
                segments.append(_clip(G[:, i] - G[:, j], z0[i] - z0[j], others, box))
    segments = [s for s in segments if s is not None]
    return np.array(segments).reshape(-1, 4)
