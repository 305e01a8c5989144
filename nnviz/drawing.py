"""Points drawn into a running experiment: add one, remove the nearest, re-fit the scaling.

Each edit makes a new Dataset (``nnviz.data.drawn``), a new Prepared with the scalers it had
(``Prepared.with_rows``: the raw rows scaled exactly as a reopened session scales them), and
hands the new rows to the trainer (``Trainer.set_data``): training goes on from where it was,
with the same parameters, optimiser state, counters and history. A drawn point joins the
training rows; removing the nearest point takes it from whichever split it is in. The scaling
stays as fitted (a drawn point far out is scaled like every other) until ``refit_scaling``.
``exp.data_revision`` counts the changes (panels redraw the points when it moves)::

    add_point(exp, (1.0, -2.0), 1)      # x1, x2 in the data's own units, class 1
    add_point(exp, (0.5,), 2.75)        # a curve: x and its y
    remove_nearest(exp, (1.1, -2.0))    # -> the removed row, or DataError if there is none
    refit_scaling(exp)

Every refusal is a one-line DataError/ConfigError and leaves the experiment as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnviz.config import check_run_size
from nnviz.data import Dataset, Prepared
from nnviz.data.drawn import drawable, nearest, with_point, without_row
from nnviz.errors import DataError
from nnviz.experiment import Experiment


def _apply(exp: Experiment, prepared: Prepared, mapping: np.ndarray) -> None:
    """Make ``prepared`` (and its dataset) the experiment's; the trainer's rows follow
    (``mapping``: old training row -> new one, -1 removed)."""
    exp.trainer.set_data(prepared.X_train, prepared.Y_train, mapping,
                         prepared.X_test if prepared.has_test else None,
                         prepared.Y_test if prepared.has_test else None)
    exp.dataset, exp.prepared = prepared.dataset, prepared
    exp.data_revision += 1


def add_point(exp: Experiment, x: Sequence[float], target) -> int:
    """Add a training row at raw position ``x`` with ``target`` (a class index, or a value
    for a curve); returns its row in the dataset."""
    ds, prep = exp.dataset, exp.prepared
    new = with_point(ds, x, target)
    check_run_size(exp.net.sizes, new.X.size, new.Y.size)
    row = ds.n_samples
    train = np.append(prep.train_index, row)
    mapping = np.arange(len(prep.train_index))
    _apply(exp, prep.with_rows(new, train, prep.test_index), mapping)
    return row


def remove_nearest(exp: Experiment, x: Sequence[float],
                   widths: Sequence[float] | None = None) -> int:
    """Remove the row nearest to raw position ``x`` (a curve: (x, y)), training or test,
    distances measured in units of ``widths`` (``nnviz.data.drawn.nearest``); returns the
    row it was. DataError when there is no point."""
    ds, prep = exp.dataset, exp.prepared
    problem = drawable(ds)
    if problem:
        raise DataError(f"draw: {problem}")
    row = nearest(ds, x, widths=widths)
    if row is None:
        raise DataError("draw: there are no points to remove")
    new = without_row(ds, row)
    train, test = prep.train_index, prep.test_index
    mapping = np.arange(len(train))
    mapping[train > row] -= 1
    mapping[train == row] = -1

    def shifted(index: np.ndarray) -> np.ndarray:
        index = index[index != row]
        return index - (index > row)

    _apply(exp, prep.with_rows(new, shifted(train), shifted(test)), mapping)
    return row


def refit_scaling(exp: Experiment) -> None:
    """Fit the scalers again on the training rows now (same kinds); the network keeps its
    weights, so what it computes in the data's units moves with the new scaling."""
    prep = exp.prepared.refitted()
    _apply(exp, prep, np.arange(len(prep.train_index)))


def class_counts(ds: Dataset, index: np.ndarray | None = None) -> np.ndarray:
    """Rows of each class (k,) among ``index`` (default: all); empty for a regression."""
    if ds.task == "regression":
        return np.zeros(0, dtype=np.int64)
    labels = ds.labels if index is None else ds.labels[index]
    return np.bincount(labels, minlength=ds.n_classes)


def training_note(ds: Dataset, train_index: np.ndarray) -> str:
    """One line on what the rows ``train_index`` of ``ds`` can train ("" when nothing is
    missing): no points at all, or classes with none (a class without points is never
    predicted)."""
    if len(train_index) == 0:
        return "no training points yet: click the plane in Draw mode to add some"
    counts = class_counts(ds, train_index)
    empty = [ds.class_names[k] for k in np.flatnonzero(counts == 0)]
    if empty:
        return (f"class {', '.join(empty)} has no training points: training goes on, and "
                "the network learns never to predict it")
    return ""
