"""Datasets a person draws: an empty canvas, and adding or removing one point of a dataset.

A canvas is a Dataset with no rows yet and fixed bounds (``CANVAS`` on each axis, the range
TensorFlow Playground's data live in)::

    ds = canvas(classes=2)              # X (0, 2), Y (0, 1): binary, classes "0" and "1"
    ds = canvas(classes=3)              # multiclass: Y one-hot (0, 3)
    ds = canvas(inputs=1)               # a curve to draw: X (0, 1) "x", Y (0, 1) "y"
    ds = with_point(ds, (1.5, -2.0), 1)  # a point of class 1 (x1, x2, class)
    ds = with_point(ds, (0.5,), 3.25)    # a regression sample (x, y)
    i = nearest(ds, (1.4, -2.1))        # the row nearest to a position (None if no rows)
    ds = without_row(ds, i)

Any dataset can be drawn on (a point of any class of a 2-input classification, an (x, y)
sample of a 1-input, 1-target regression). Edits return a new Dataset (datasets are
immutable) with the same bounds, so the plane a person draws on does not move; an edited
built-in is named "<name> (edited)". Bad input raises DataError with one line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nnviz.data.dataset import Dataset, class_targets
from nnviz.errors import DataError

#: (lo, hi) of each axis of a new canvas (a curve's target axis too)
CANVAS = (-6.0, 6.0)
#: the most classes a canvas offers (each needs a colour and a click to choose it)
MAX_CLASSES = 6
NAME = "drawn"


def canvas(classes: int = 2, inputs: int = 2) -> Dataset:
    """An empty canvas: with 2 ``inputs`` a plane of a classification with ``classes``
    classes (2: binary); with 1 a curve y = f(x) of a regression (``classes`` unused)."""
    if inputs not in (1, 2):
        raise DataError(f"drawn: inputs must be 1 (a curve) or 2 (a plane), got {inputs}")
    if inputs == 1:
        return Dataset(name=NAME, X=np.zeros((0, 1)), Y=np.zeros((0, 1)), task="regression",
                       feature_names=("x",), target_name="y", bounds=(CANVAS,),
                       description="An empty canvas: draw samples (x, y) of a curve.")
    if not 2 <= classes <= MAX_CLASSES:
        raise DataError(f"drawn: classes must be 2 to {MAX_CLASSES}, got {classes}")
    Y, task = class_targets(np.zeros(0, dtype=np.int64), classes)
    return Dataset(name=NAME, X=np.zeros((0, 2)), Y=Y, task=task,
                   feature_names=("x1", "x2"), target_name="class",
                   class_names=tuple(str(k) for k in range(classes)),
                   bounds=(CANVAS, CANVAS),
                   description=f"An empty canvas: draw points of {classes} classes.")


def drawable(ds: Dataset) -> str:
    """Why points cannot be drawn on ``ds`` ("" if they can): a plane of a classification
    (2 inputs), or a curve of a regression (1 input, 1 target)."""
    if ds.task == "regression":
        if ds.n_features != 1 or ds.n_outputs != 1:
            return (f"drawing a regression needs 1 input and 1 target (a curve y = f(x)); "
                    f"{ds.name} has {ds.n_features} input(s) and {ds.n_outputs} target(s)")
        return ""
    if ds.n_features != 2:
        return (f"drawing points needs a plane of 2 inputs; {ds.name} has "
                f"{ds.n_features}")
    return ""


def _edited(ds: Dataset) -> str:
    return ds.name if ds.name == NAME or ds.name.endswith(" (edited)") else f"{ds.name} (edited)"


def _position(ds: Dataset, x) -> np.ndarray:
    """``x`` as a finite (d,) float64 position on ``ds``'s inputs (DataError if not)."""
    try:
        pos = np.asarray(x, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise DataError(f"draw: a position must be {ds.n_features} numbers, got {x!r}") from None
    if pos.shape != (ds.n_features,):
        raise DataError(f"draw: a position on {ds.name} is {ds.n_features} number(s) "
                        f"({', '.join(ds.feature_names)}), got {pos.size}")
    for name, v in zip(ds.feature_names, pos):
        if not math.isfinite(v):
            raise DataError(f"draw: {name} = {v} is not a finite number")
    return pos


def _target_row(ds: Dataset, target) -> np.ndarray:
    """The Y row (k,) of a class index or a regression value (DataError if unusable)."""
    if ds.task == "regression":
        if isinstance(target, bool) or not isinstance(target, (int, float, np.number)):
            raise DataError(f"draw: {ds.target_name} must be a number, got {target!r}")
        if not math.isfinite(float(target)):
            raise DataError(f"draw: {ds.target_name} = {target} is not a finite number")
        return np.array([float(target)])
    k = ds.n_classes
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) \
            or not 0 <= int(target) < k:
        raise DataError(f"draw: class must be a whole number from 0 to {k - 1} "
                        f"({', '.join(ds.class_names)}), got {target!r}")
    return class_targets(np.array([int(target)]), k)[0][0]


def with_point(ds: Dataset, x: Sequence[float], target) -> Dataset:
    """``ds`` with one more row at its end: inputs ``x`` (d,), target a class index
    (classification) or a value (regression)."""
    problem = drawable(ds)
    if problem:
        raise DataError(f"draw: {problem}")
    pos, y = _position(ds, x), _target_row(ds, target)
    return _replace_rows(ds, np.vstack((ds.X, pos[None])), np.vstack((ds.Y, y[None])))


def without_row(ds: Dataset, index: int) -> Dataset:
    """``ds`` without row ``index`` (DataError if there is no such row)."""
    if ds.n_samples == 0:
        raise DataError(f"draw: {ds.name} has no points to remove")
    if not 0 <= int(index) < ds.n_samples:
        raise DataError(f"draw: no row {index} to remove (rows 0 to {ds.n_samples - 1})")
    keep = np.arange(ds.n_samples) != int(index)
    return _replace_rows(ds, ds.X[keep], ds.Y[keep])


def nearest(ds: Dataset, x: Sequence[float], rows: np.ndarray | None = None,
            widths: Sequence[float] | None = None) -> int | None:
    """The row (of ``rows``, default all) nearest to position ``x``, each axis measured in
    units of its width in ``widths`` (what a view shows; default: the bounds, and for a
    curve's target axis the targets' range), so a plane drawn square is measured as seen;
    None if there are no rows. For a curve (1 input, regression) ``x`` = (x, y)."""
    rows = np.arange(ds.n_samples) if rows is None else np.asarray(rows, dtype=np.intp)
    if len(rows) == 0:
        return None
    curve = ds.task == "regression" and ds.n_features == 1
    pts = np.column_stack((ds.X[rows, 0], ds.Y[rows, 0])) if curve else ds.X[rows]
    if widths is None:
        widths = [hi - lo for lo, hi in ds.bounds]
        if curve:
            widths.append(float(np.ptp(ds.Y[:, 0])))
    width = np.asarray(widths, dtype=np.float64).ravel()
    pos = np.asarray(x, dtype=np.float64).ravel()
    if pos.shape != (pts.shape[1],) or width.shape != pos.shape or not np.isfinite(pos).all():
        raise DataError(f"draw: a position must be {pts.shape[1]} finite numbers, got {x!r}")
    width = np.where(np.isfinite(width) & (width > 0), width, 1.0)
    d2 = (((pts - pos) / width) ** 2).sum(axis=1)
    return int(rows[int(np.argmin(d2))])


def _replace_rows(ds: Dataset, X: np.ndarray, Y: np.ndarray) -> Dataset:
    return Dataset(
        name=_edited(ds), X=X, Y=Y, task=ds.task, feature_names=ds.feature_names,
        target_name=ds.target_name, class_names=ds.class_names, target_names=ds.target_names,
        bounds=ds.bounds, function=ds.function, description=ds.description,
        source=ds.source, default_scaling=ds.default_scaling, params=ds.params)
