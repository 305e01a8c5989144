"""Real datasets shipped as CSV in nnviz.resources, read by the users' CSV reader."""

from __future__ import annotations

from importlib import resources

from nnviz.data.csvload import load_csv
from nnviz.data.dataset import Dataset

IRIS_SOURCE = ("Fisher (1936) / Anderson (1935), via the UCI Machine Learning Repository; "
               "public domain / CC BY 4.0")


def iris() -> Dataset:
    """Iris: X (150, 4) in cm, Y one-hot (150, 3): setosa, versicolor, virginica."""
    ref = resources.files("nnviz.resources").joinpath("iris.csv")
    with resources.as_file(ref) as path:
        ds = load_csv(path, target="species", task="multiclass", name="iris")
    return Dataset(
        name="iris", X=ds.X, Y=ds.Y, task=ds.task, feature_names=ds.feature_names,
        target_name=ds.target_name, class_names=ds.class_names, bounds=ds.bounds,
        description="Fisher's iris flowers: 3 species, 4 measurements (cm), 150 rows.",
        source=IRIS_SOURCE,
    )
