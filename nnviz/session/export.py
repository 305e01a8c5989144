"""Exports for other tools: weights as ``.npz``, history as CSV, the data as CSV.

Weights layout (``export_weights``): arrays ``W0, b0, W1, b1, ...`` with ``W{l}`` of shape
(n_in, n_out) and ``b{l}`` of shape (n_out,), so that ``z = a @ W{l} + b{l}``, and ``meta``, a
one-element string array holding JSON::

    {"format": "nnviz-weights", "version": 1, "sizes": [2, 16, 1],
     "activations": ["tanh", "sigmoid"], "dtype": "float64",
     "x_scaling": {"kind": "standard", "center": [...], "scale": [...]} or null,
     "y_scaling": {...} or null,
     "task": "binary", "feature_names": ["x1", "x2"], "outputs": ["P(class=1)"],
     "class_names": ["0", "1"], "target_names": ["class"]}

Inputs are scaled as x_net = (x - center) / scale (null: used as they are), in the order of
``feature_names``; with engineered features ``meta`` also has "features" (e.g. ["x1^2",
"x2^2"]: the network's inputs, computed from the scaled x1, x2 as ``nnviz.data.features``
says) and "inputs" (their names, e.g. ["x1²", "x2²"]). Outputs return to the data's units as
y = y_net * scale + center. ``outputs`` names each output column: the class of each softmax
output (multiclass), the probability of ``class_names[1]`` (binary: one sigmoid output), or
the target column (regression). The data keys are null when a bare Network is exported.
Activations: sigmoid, tanh, relu, leaky_relu (slope 0.01), identity, softmax (over the last
axis).

History CSV (``export_history_csv``): columns ``series,axis,x,value,min,max``; one row per
step bucket of ``step_loss`` and ``cumulative`` (axis "step", min/max over the bucket) and one
per point of ``train_loss``, ``test_loss``, ``train_accuracy``, ``test_accuracy`` (axis
"epoch", min = max = value).

Data CSV (``export_data_csv``): the dataset's rows now (drawn points included) as
``nnviz.data.csvsave`` writes them; ``data_csv_config`` is the configuration that reopens it.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import numpy as np

from nnviz.data.csvsave import csv_columns, csv_text
from nnviz.data.features import is_default
from nnviz.engine.activations import ACTIVATIONS
from nnviz.engine.history import BUCKET_SERIES, POINT_SERIES
from nnviz.engine.network import Network
from nnviz.errors import NNVizError, SessionFileError
from nnviz.session.atomic import atomic_write
from nnviz.session.format import Archive, to_json_value
from nnviz.session.state import MAX_LAYERS, MAX_PARAMS

WEIGHTS_FORMAT = "nnviz-weights"
WEIGHTS_VERSION = 1
_NPZ_NAMES = re.compile(r"(?:[Wb]\d{1,3}|meta)\.npy\Z")


def _parts(obj):
    """(network, prepared or None) from an Experiment or a Network."""
    if isinstance(obj, Network):
        return obj, None
    obj.trainer.sync()
    return obj.net, obj.prepared


def _scaling(scaler) -> dict | None:
    if scaler is None or scaler.is_identity:
        return None
    return {"kind": scaler.kind, "center": scaler.center.tolist(),
            "scale": scaler.scale.tolist()}


def _names(ds) -> dict:
    """What the inputs and outputs are (module docstring); all None without a dataset."""
    keys = ("task", "feature_names", "outputs", "class_names", "target_names")
    if ds is None:
        return dict.fromkeys(keys)
    return {"task": ds.task, "feature_names": list(ds.feature_names),
            "outputs": list(ds.output_names), "class_names": list(ds.class_names),
            "target_names": list(ds.target_names)}


def weights_meta(experiment_or_net) -> dict:
    """The ``meta`` JSON of the module docstring (the .safetensors export carries it too)."""
    net, prep = _parts(experiment_or_net)
    meta = {
        "format": WEIGHTS_FORMAT, "version": WEIGHTS_VERSION, "sizes": list(net.sizes),
        "activations": [a.name for a in net.activations], "dtype": np.dtype(net.dtype).name,
        "x_scaling": _scaling(prep.x_scaler if prep else None),
        "y_scaling": _scaling(prep.y_scaler if prep else None),
        **_names(prep.dataset if prep else None),
    }
    if prep is not None and not is_default(prep.features):
        meta["features"], meta["inputs"] = list(prep.features), list(prep.input_names)
    return meta


def export_weights(path: str | os.PathLike, experiment_or_net) -> Path:
    """Write the network's parameters as ``.npz`` (layout in the module docstring)."""
    net, _ = _parts(experiment_or_net)
    meta = weights_meta(experiment_or_net)
    arrays = {"meta": np.array([json.dumps(to_json_value(meta), allow_nan=False)])}
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"W{l}"], arrays[f"b{l}"] = W.copy(), b.copy()
    return atomic_write(path, lambda f: np.savez(f, **arrays), "weights")


def load_weights(path: str | os.PathLike) -> Network:
    """A Network with the parameters of an ``export_weights`` file (checked like sessions)."""
    label = str(path)
    try:
        with Archive(path, label, names=_NPZ_NAMES, manifest=False) as ar:
            meta_arr = ar.array("meta.npy", shape=(1,), text=True)
            meta = json.loads(str(meta_arr[0]))
            if not isinstance(meta, dict) or meta.get("format") != WEIGHTS_FORMAT:
                raise ar.fail("not an nnviz weights file")
            sizes, acts, dtype = meta.get("sizes"), meta.get("activations"), meta.get("dtype")
            if not (isinstance(sizes, list) and 2 <= len(sizes) <= MAX_LAYERS + 1
                    and all(type(n) is int and 1 <= n <= 100_000 for n in sizes)):
                raise ar.fail("bad sizes in meta")
            if sum((a + 1) * b for a, b in zip(sizes, sizes[1:])) > MAX_PARAMS:
                raise ar.fail("too many parameters")
            if not (isinstance(acts, list) and len(acts) == len(sizes) - 1
                    and all(isinstance(a, str) and a in ACTIVATIONS for a in acts)):
                raise ar.fail("bad activations in meta")
            if dtype not in ("float64", "float32"):
                raise ar.fail("bad dtype in meta")
            net = Network(sizes, activations=acts, dtype=dtype, seed=0)
            params = []
            for l in range(len(sizes) - 1):
                params.append(ar.array(f"W{l}.npy", shape=(sizes[l], sizes[l + 1]), dtype=dtype))
                params.append(ar.array(f"b{l}.npy", shape=(sizes[l + 1],), dtype=dtype))
            net.set_params(params)
            return net
    except SessionFileError:
        raise
    except (NNVizError, ValueError, TypeError) as exc:
        raise SessionFileError(f"{label}: bad weights file: {str(exc)[:200]}") from None


def _history(obj):
    if hasattr(obj, "trainer"):
        return obj.trainer.history
    return getattr(obj, "history", obj)


def export_history_csv(path: str | os.PathLike, experiment_or_history) -> Path:
    """Write the training history as CSV (columns in the module docstring)."""
    h = _history(experiment_or_history)
    out = io.StringIO()
    out.write("series,axis,x,value,min,max\n")
    for name in BUCKET_SERIES:
        a = getattr(h, name).arrays()
        cols = (a["step"].tolist(), a["mean"].tolist(), a["min"].tolist(), a["max"].tolist())
        for row in zip(*cols):
            out.write(f"{name},step,{int(row[0])},{row[1]!r},{row[2]!r},{row[3]!r}\n")
    for name in POINT_SERIES:
        x, y = getattr(h, name).arrays()
        for xi, yi in zip(x.tolist(), y.tolist()):
            out.write(f"{name},epoch,{xi!r},{yi!r},{yi!r},{yi!r}\n")
    data = out.getvalue().encode("utf-8")
    return atomic_write(path, lambda f: f.write(data), "history")


def export_data_csv(path: str | os.PathLike, experiment_or_dataset) -> Path:
    """Write the dataset's rows as CSV (``nnviz.data.csvsave``); DataError without rows."""
    ds = getattr(experiment_or_dataset, "dataset", experiment_or_dataset)
    data = csv_text(ds).encode("utf-8")
    return atomic_write(path, lambda f: f.write(data), "data")


def data_csv_config(config, path: str | os.PathLike, dataset):
    """``config`` (a TrainingConfig) reading ``path``, as ``export_data_csv`` wrote
    ``dataset``: its columns and task named, the rest kept."""
    features, targets = csv_columns(dataset)
    return config.replace(dataset="csv", dataset_params=(), csv_path=os.fspath(path),
                          csv_target=targets if len(targets) > 1 else targets[0],
                          csv_features=features, csv_task=dataset.task)
