"""The Dataset record: raw inputs and targets in their own units, plus what a view needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from nnviz.errors import DataError

TASKS = ("regression", "binary", "multiclass")

#: Fraction of each feature's range added on both sides of a point cloud's bounds.
BOUNDS_MARGIN = 0.1

TrueFunction = Callable[[np.ndarray], np.ndarray]


def frozen(a) -> np.ndarray:
    """A read-only float64 copy (datasets, scalers and prepared splits are immutable)."""
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


def cloud_bounds(X: np.ndarray, margin: float = BOUNDS_MARGIN) -> tuple[tuple[float, float], ...]:
    """Per feature (lo, hi) = (min - margin*range, max + margin*range); range 0 -> +-0.5."""
    X = np.asarray(X, dtype=np.float64)
    big = float(np.finfo(np.float64).max)
    out = []
    for j in range(X.shape[1]):
        lo, hi = float(X[:, j].min()), float(X[:, j].max())
        pad = margin * hi - margin * lo if hi > lo else 0.5  # (hi - lo may overflow)
        out.append((max(lo - pad, -big), min(hi + pad, big)))  # finite near ±1e308
    return tuple(out)


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels (n,) -> one-hot float64 (n, n_classes)."""
    Y = np.zeros((len(labels), n_classes), dtype=np.float64)
    Y[np.arange(len(labels)), labels] = 1.0
    return Y


def class_targets(labels: np.ndarray, n_classes: int) -> tuple[np.ndarray, str]:
    """Integer labels -> (Y, task): (n,1) 0/1 for 2 classes, one-hot (n,k) for more."""
    labels = np.asarray(labels, dtype=np.int64)
    if n_classes == 2:
        return labels.astype(np.float64).reshape(-1, 1), "binary"
    return one_hot(labels, n_classes), "multiclass"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A dataset in its own units.

    X: (n, d) float64 inputs. Y: (n, k) float64 targets: one column per target for
    regression (k > 1: a multi-output regression), (n, 1) 0/1 for binary, one-hot (n, k) for
    multiclass. Arrays are read-only copies. target_names: the targets' columns (default:
    (target_name,)); target_name: what to call them together.
    bounds: per feature (lo, hi) for heatmaps (given: n may be 0, an empty canvas to draw
    points on, ``nnviz.data.drawn``). function: the true f mapping raw (m, d)
    inputs to raw (m, 1) targets, or None. default_scaling: what prepare() uses when not
    told ("none" for the single-neuron tutorial, which trains on raw inputs).
    input_columns: a CSV file's columns that could be inputs (numeric, not a target), in the
    file's order, feature_names among them; () for other datasets.
    """

    name: str
    X: np.ndarray
    Y: np.ndarray
    task: str
    feature_names: tuple[str, ...]
    target_name: str
    class_names: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()
    bounds: tuple[tuple[float, float], ...] = ()
    function: TrueFunction | None = None
    description: str = ""
    source: str = ""
    default_scaling: str = "standard"
    params: dict = field(default_factory=dict)
    input_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        X, Y = frozen(self.X), frozen(self.Y)
        if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y) or (len(X) == 0 and not self.bounds):
            raise DataError(
                f"dataset {self.name!r}: X must be (n, d) and Y (n, k) with n > 0 (0 only "
                f"with given bounds: an empty canvas), got {X.shape} and {Y.shape}"
            )
        if not (np.isfinite(X).all() and np.isfinite(Y).all()):
            raise DataError(f"dataset {self.name!r}: inputs and targets must be finite")
        if self.default_scaling not in ("standard", "minmax", "none"):
            raise DataError(f"dataset {self.name!r}: unknown scaling {self.default_scaling!r}")
        if self.task not in TASKS:
            raise DataError(f"dataset {self.name!r}: unknown task {self.task!r}")
        if len(self.feature_names) != X.shape[1]:
            raise DataError(
                f"dataset {self.name!r}: {len(self.feature_names)} feature names "
                f"for {X.shape[1]} features"
            )
        if self.task == "multiclass" and len(self.class_names) != Y.shape[1]:
            raise DataError(f"dataset {self.name!r}: class names do not match Y's columns")
        targets = tuple(str(s) for s in self.target_names) or (str(self.target_name),)
        if self.task == "regression" and Y.shape[1] != len(targets):
            raise DataError(f"dataset {self.name!r}: {len(targets)} target names for "
                            f"{Y.shape[1]} target columns")
        if self.task != "regression" and len(targets) != 1:
            raise DataError(f"dataset {self.name!r}: a {self.task} dataset has one target")
        if self.task == "binary" and Y.shape[1] != 1:
            raise DataError(f"dataset {self.name!r}: a binary target must be (n, 1)")
        if self.task == "binary" and len(self.class_names) != 2:
            raise DataError(f"dataset {self.name!r}: a binary dataset needs 2 class names")
        bounds = tuple((float(lo), float(hi)) for lo, hi in self.bounds) or cloud_bounds(X)
        if len(bounds) != X.shape[1]:
            raise DataError(f"dataset {self.name!r}: bounds must give (lo, hi) per feature")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "feature_names", tuple(str(s) for s in self.feature_names))
        object.__setattr__(self, "input_columns", tuple(str(s) for s in self.input_columns))
        object.__setattr__(self, "class_names", tuple(str(s) for s in self.class_names))
        object.__setattr__(self, "target_names", targets)
        object.__setattr__(self, "params", dict(self.params))

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.Y.shape[1]

    @property
    def output_names(self) -> tuple[str, ...]:
        """What each network output (column of Y) stands for: a class (multiclass, one
        softmax output per class), the probability of class_names[1] ("P(class=1)"; binary,
        one sigmoid output), or a target column (regression)."""
        if self.task == "multiclass":
            return self.class_names
        if self.task == "binary":
            return (f"P({self.target_name}={self.class_names[1]})",)
        return self.target_names

    @property
    def n_classes(self) -> int:
        """2 for binary, k for multiclass, 0 for regression."""
        return len(self.class_names) if self.task != "regression" else 0

    @property
    def labels(self) -> np.ndarray:
        """Integer class per sample (n,) for classification; raises for regression."""
        if self.task == "binary":
            return (self.Y[:, 0] > 0.5).astype(np.int64)
        if self.task == "multiclass":
            return np.argmax(self.Y, axis=1)
        raise DataError(f"dataset {self.name!r} is a regression: it has no class labels")

    def grid(self, resolution: int = 100, features: Sequence[int] = (0, 1)) -> np.ndarray:
        """Points (resolution**2, 2) covering bounds of two features, row-major as meshgrid:
        x = linspace(lo0, hi0, r); y = linspace(lo1, hi1, r); X, Y = meshgrid(x, y)."""
        i, j = features
        xs = np.linspace(*self.bounds[i], resolution)
        ys = np.linspace(*self.bounds[j], resolution)
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack((gx.flatten(), gy.flatten()))

    def true_values(self, points: np.ndarray) -> np.ndarray | None:
        """The true function at raw points (m, d) -> (m, 1), or None when there is none."""
        if self.function is None:
            return None
        return np.asarray(self.function(np.asarray(points, dtype=np.float64))).reshape(-1, 1)
