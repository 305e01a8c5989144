"""A Dataset as CSV text that ``load_csv`` reads back to the same values.

Columns: the features (``feature_names``), then the target(s): one column per regression
target, or the class name of each row (classification). Numbers are written with ``repr``
(the shortest text that reads back to the same float64), so reopening gives X and Y bit for
bit; class names reopen in ``load_csv``'s order (sorted), which is a drawn dataset's own
("0", "1", ...). A class without rows is not in the file, so it reopens with fewer classes.
"""

from __future__ import annotations

import csv
import io

from nnviz.data.dataset import Dataset
from nnviz.errors import DataError


def csv_columns(ds: Dataset) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(feature columns, target columns) of ``csv_text``; DataError if two share a name
    (load_csv could not tell them apart)."""
    targets = ds.target_names if ds.task == "regression" else (ds.target_name,)
    names = (*ds.feature_names, *targets)
    if len(set(names)) != len(names):
        raise DataError(f"save as CSV: column names repeat ({', '.join(names)})")
    return tuple(ds.feature_names), tuple(targets)


def csv_text(ds: Dataset) -> str:
    """The header and one line per row (LF line ends); DataError for a dataset without
    rows (a CSV file needs at least one)."""
    if ds.n_samples == 0:
        raise DataError(f"save as CSV: {ds.name} has no points yet")
    features, targets = csv_columns(ds)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((*features, *targets))
    X = ds.X.tolist()
    if ds.task == "regression":
        for x, y in zip(X, ds.Y.tolist()):
            writer.writerow([repr(v) for v in (*x, *y)])
    else:
        names = ds.class_names
        for x, k in zip(X, ds.labels.tolist()):
            writer.writerow([*(repr(v) for v in x), names[k]])
    return out.getvalue()
