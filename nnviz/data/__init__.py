"""nnviz.data: datasets for the engine, pure numpy (never imports Qt).

Built-in datasets (the tutorials' data, classic 2-D problems, iris), users' CSV files,
train/test split and invertible scaling::

    from nnviz.data import make_dataset, load_csv, prepare

    ds = make_dataset("function-surface", grid=100)     # X (10000, 2), Y (10000, 1)
    ds = make_dataset("spiral", samples=300, noise=0.05, seed=1, classes=3)
    ds = load_csv("my.csv", target="label")              # task inferred; DataError if bad
    ds = load_csv("my.csv", target=["u", "v"], features=["a", "b"])  # multi-output regression
    pv = preview_csv("my.csv")                           # first rows, each column's kind
    pv.choose("label", ["a", "b"], task=None)            # checks a choice like load_csv
    p = prepare(ds, test_ratio=0.2, seed=0, scaling="standard")
    p.X_train, p.Y_train, p.X_test, p.Y_test             # scaled float64, Y 2-D
    y_shown = p.to_data_units(y_net)                     # predictions in the data's units

DATASET_SPECS lists every name with its description, task and parameters.
"""

from nnviz.data.csvload import MAX_CSV_BYTES, CsvPreview, load_csv, preview_csv
from nnviz.data.dataset import TASKS, Dataset
from nnviz.data.prepare import Prepared, prepare
from nnviz.data.registry import DATASET_SPECS, DatasetSpec, ParamSpec, make_dataset
from nnviz.data.scaling import SCALINGS, Scaler
from nnviz.data.split import train_test_indices

__all__ = [
    "DATASET_SPECS",
    "CsvPreview",
    "MAX_CSV_BYTES",
    "SCALINGS",
    "TASKS",
    "Dataset",
    "DatasetSpec",
    "ParamSpec",
    "Prepared",
    "Scaler",
    "load_csv",
    "make_dataset",
    "prepare",
    "preview_csv",
    "train_test_indices",
]
