"""An experiment's whole state as (manifest, arrays), and back.

``capture(experiment, pinned)`` -> (manifest dict of plain values, {member name: array});
``restore(archive)`` -> (experiment, pinned) from a checked ``format.Archive``: the
configuration is rebuilt with ``experiment.build`` (with the saved split and scalers), then the
trainer's ``state_dict`` (parameters, optimiser state, sampler position, random generator,
counters, history; written and read by ``trainer_state``) is loaded, so training continues
with the numbers it would have given had it never been saved.

Every name read from a file is compared with the constants here; member names are generated
by this module, never taken from the file; sizes are bounded before anything is built.
"""

from __future__ import annotations

import re
import time

import numpy as np

from nnviz import __version__
from nnviz.config import MAX_DATA_VALUES, MAX_PARAMS
from nnviz.data import DATASET_SPECS, SCALINGS, TASKS, Dataset, Prepared, Scaler, make_dataset
from nnviz.engine.history import FLUSH_SIZE
from nnviz.experiment import Experiment, TrainingConfig, build
from nnviz.session import trainer_state
from nnviz.session.checks import declared, fail, is_int, is_num, need, str_list

FORMAT = "nnviz-session"
VERSION = 1
#: limits checked before anything is built from a file (with the configuration's MAX_PARAMS and
#: MAX_DATA_VALUES, which build() applies: every run built can be saved and reopened)
MAX_LAYERS = 64
#: pinned runs: a few runs of a few history curves each (a run is drawn as 4 curves)
MAX_PINNED = 20
MAX_PIN_ENTRIES = 64  # names in one pinned run
MAX_PIN_TEXT = 200  # characters of a text value
MAX_PIN_POINTS = trainer_state.MAX_HISTORY_CAPACITY + FLUSH_SIZE  # a history series' most
MAX_PIN_VALUES = 2**23  # values in all pinned arrays together (64 MB as float64)

#: a pinned curve's keys: short plain names
PIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .:()+\-]{0,63}\Z")


# ---------------------------------------------------------------------------- config
def _config(manifest: dict) -> TrainingConfig:
    """The saved configuration: unknown fields, types and limits are checked by
    ``TrainingConfig.from_dict`` against the configuration table (ConfigError names the
    field), before anything is built."""
    return TrainingConfig.from_dict(need(manifest, "config", "dict", "manifest"))


# ---------------------------------------------------------------------------- capture
def _digest(*arrays: np.ndarray) -> str:
    import hashlib  # (here: OpenSSL's load is ~15 ms of the window's start)

    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
    return h.hexdigest()


def _pin_value(v, where: str):
    """A pinned run's plain value: None, bool, number or text up to MAX_PIN_TEXT."""
    if isinstance(v, str) and len(v) > MAX_PIN_TEXT:
        raise ValueError(f"{where} is longer than {MAX_PIN_TEXT} characters")
    return v


def _pinned_state(pinned, arrays: dict) -> list:
    """Manifest entries for pinned runs, their arrays into ``arrays``; ValueError (one line)
    for what ``_pinned`` would refuse to read back."""
    if pinned is None:
        return []
    if len(pinned) > MAX_PINNED:
        raise ValueError(f"at most {MAX_PINNED} pinned runs can be saved")
    out, total = [], 0
    for i, run in enumerate(pinned):
        if len(run) > MAX_PIN_ENTRIES:
            raise ValueError(f"pinned run {i}: more than {MAX_PIN_ENTRIES} entries")
        values, members = {}, []
        for j, (key, v) in enumerate(run.items()):
            if not isinstance(key, str) or not PIN_NAME.match(key):
                raise ValueError(f"pinned run {i}: bad name {key!r} (letters, digits, _ . - "
                                 "space, up to 64)")
            if v is None or isinstance(v, (str, bool, int, float)):
                values[key] = _pin_value(v, f"pinned run {i}: {key!r}")
                continue
            a = np.asarray(v)
            if a.dtype.kind == "f":
                a = a.astype(np.float64)
            elif a.dtype.kind in "iu":
                a = a.astype(np.int64)
            elif a.dtype.kind != "b":
                raise ValueError(f"pinned run {i}: {key!r} is not a numeric array")
            if a.ndim != 1 or a.size > MAX_PIN_POINTS:
                raise ValueError(f"pinned run {i}: {key!r} must be a curve of at most "
                                 f"{MAX_PIN_POINTS} values, not shape {a.shape}")
            total += a.size
            if total > MAX_PIN_VALUES:
                raise ValueError(f"pinned runs hold more than {MAX_PIN_VALUES} values in all")
            arrays[f"pinned/p{i}_{j}.npy"] = a
            members.append([key, j])
        out.append({"values": values, "arrays": members})
    return out


def summary(exp: Experiment) -> dict:
    """A few facts for ``nnviz info`` and recovery lists: the latest recorded values."""
    tr, h = exp.trainer, exp.trainer.history
    return {
        "sizes": list(exp.net.sizes),
        "activations": [a.name for a in exp.net.activations],
        "dataset": exp.dataset.name,
        "task": exp.dataset.task,
        "n_train": int(len(exp.prepared.train_index)),
        "n_test": int(len(exp.prepared.test_index)),
        "loss": tr.loss_fn.name,
        "optimizer": tr.optimizer.name,
        "lr": tr.lr,
        "steps": tr.step_count,
        "epochs": tr.epoch,
        "last_step_loss": h.step_loss.latest,
        "train_loss": h.train_loss.latest,
        "test_loss": h.test_loss.latest,
        "train_accuracy": h.train_accuracy.latest,
        "test_accuracy": h.test_accuracy.latest,
        "stop_reason": tr.stop_reason,
    }


def capture(exp: Experiment, pinned=None) -> tuple[dict, dict[str, np.ndarray]]:
    """(manifest, arrays) holding everything needed to continue ``exp`` exactly."""
    ds, prep = exp.dataset, exp.prepared
    arrays: dict[str, np.ndarray] = {}
    m: dict = {"format": FORMAT, "version": VERSION, "nnviz": __version__,
               "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    m["config"] = exp.config.to_dict()
    # the rows themselves, unless the built-in dataset as made (csv, arrays, drawn or edited)
    if (exp.config.dataset not in DATASET_SPECS or exp.config.dataset == "drawn"
            or ds.name != exp.config.dataset):
        arrays["dataset/x.npy"], arrays["dataset/y.npy"] = ds.X, ds.Y
        m["dataset"] = {
            "kind": "data", "name": ds.name, "task": ds.task,
            "feature_names": list(ds.feature_names), "target_name": ds.target_name,
            "class_names": list(ds.class_names), "bounds": [list(b) for b in ds.bounds],
            "description": ds.description, "source": ds.source,
            "default_scaling": ds.default_scaling,
        }
        if ds.target_names != (ds.target_name,):  # several targets (older files: one)
            m["dataset"]["target_names"] = list(ds.target_names)
    else:
        m["dataset"] = {"kind": "builtin", "name": ds.name, "n": ds.n_samples,
                        "sha256": _digest(ds.X, ds.Y)}
    arrays["prepared/train_index.npy"] = np.asarray(prep.train_index, dtype=np.int64)
    arrays["prepared/test_index.npy"] = np.asarray(prep.test_index, dtype=np.int64)
    for tag, sc in (("x", prep.x_scaler), ("y", prep.y_scaler)):
        arrays[f"prepared/{tag}_center.npy"] = sc.center
        arrays[f"prepared/{tag}_scale.npy"] = sc.scale
    m["prepared"] = {"scaling": prep.scaling, "test_ratio": prep.test_ratio, "seed": prep.seed,
                     "x_scaler": prep.x_scaler.kind, "y_scaler": prep.y_scaler.kind}
    m.update(trainer_state.write(exp.trainer, arrays))
    m["pinned"] = _pinned_state(pinned, arrays)
    m["summary"] = summary(exp)
    return m, arrays


# ---------------------------------------------------------------------------- restore
def _dataset(ar, m: dict, config: TrainingConfig) -> Dataset:
    d = need(m, "dataset", "dict", "manifest")
    kind = need(d, "kind", "str", "dataset")
    if kind == "builtin":
        if config.dataset not in DATASET_SPECS:
            raise fail(f"dataset: unknown built-in {config.dataset!r}")
        _check_builtin_size(config)
        ds = make_dataset(config.dataset, **dict(config.dataset_params))
        if need(d, "sha256", "str", "dataset") != _digest(ds.X, ds.Y):
            raise fail(f"built-in dataset {config.dataset!r} differs from the one saved "
                       "(saved by another nnviz version?)")
        return ds
    if kind != "data":
        raise fail(f"dataset: unknown kind {kind[:40]!r}")
    X = ar.array("dataset/x.npy", dtype="float64", ndim=2, max_items=MAX_DATA_VALUES)
    n, n_in = X.shape
    Y = ar.array("dataset/y.npy", shape=(n, None), dtype="float64", max_items=MAX_DATA_VALUES)
    task = need(d, "task", "str", "dataset")
    if task not in TASKS:
        raise fail(f"dataset: unknown task {task[:40]!r}")
    bounds = need(d, "bounds", "list", "dataset")
    if len(bounds) != n_in or not all(
        isinstance(b, list) and len(b) == 2 and all(is_num(x) for x in b) for b in bounds
    ):
        raise fail("dataset: bounds must be one [lo, hi] per feature")
    scaling = need(d, "default_scaling", "str", "dataset")
    if scaling not in SCALINGS:
        raise fail(f"dataset: unknown scaling {scaling[:40]!r}")
    return Dataset(
        name=need(d, "name", "str", "dataset")[:200],
        X=X, Y=Y, task=task,
        feature_names=str_list(d.get("feature_names"), "dataset: feature_names", n_in),
        target_name=need(d, "target_name", "str", "dataset")[:200],
        target_names=(str_list(d["target_names"], "dataset: target_names",
                               Y.shape[1] if task == "regression" else 1)
                      if "target_names" in d else ()),
        class_names=str_list(d.get("class_names"), "dataset: class_names"),
        bounds=tuple((float(lo), float(hi)) for lo, hi in bounds),
        description=need(d, "description", "str", "dataset")[:2000],
        source=need(d, "source", "str", "dataset")[:2000],
        default_scaling=scaling,
    )


def _check_builtin_size(config: TrainingConfig) -> None:
    spec = DATASET_SPECS[config.dataset]
    known = {p.name for p in spec.params}
    for k, _v in config.dataset_params:
        if k not in known:
            raise fail(f"dataset {config.dataset!r}: unknown parameter {k[:40]!r}")


def _index(ar, name: str, n: int) -> np.ndarray:
    a = ar.array(name, dtype="int64", ndim=1, max_items=n)
    if a.size and (a.min() < 0 or a.max() >= n or np.any(np.diff(a) <= 0)):
        raise fail(f"{name}: indices must be increasing and within the dataset")
    a.setflags(write=False)
    return a


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


def _prepared(ar, m: dict, ds: Dataset) -> Prepared:
    p = need(m, "prepared", "dict", "manifest")
    train = _index(ar, "prepared/train_index.npy", ds.n_samples)
    test = _index(ar, "prepared/test_index.npy", ds.n_samples)
    if np.intersect1d(train, test).size:  # (no train rows: a canvas drawn empty, which
        raise fail("prepared: the train and test rows must be disjoint")  # says so, not steps)
    scalers = []
    for tag, cols in (("x", ds.n_features), ("y", ds.n_outputs)):
        kind = need(p, f"{tag}_scaler", "str", "prepared")
        if kind not in SCALINGS:
            raise fail(f"prepared: unknown scaling {kind[:40]!r}")
        center = ar.array(f"prepared/{tag}_center.npy", shape=(cols,), dtype="float64")
        scale = ar.array(f"prepared/{tag}_scale.npy", shape=(cols,), dtype="float64")
        if not (np.isfinite(center).all() and np.isfinite(scale).all() and np.all(scale != 0)):
            raise fail(f"prepared: the {tag} scaler must be finite with non-zero scales")
        scalers.append(Scaler(kind, center, scale))
    x_scaler, y_scaler = scalers
    scaling = need(p, "scaling", "str", "prepared")
    if scaling not in SCALINGS:
        raise fail(f"prepared: unknown scaling {scaling[:40]!r}")
    return Prepared(
        dataset=ds,
        X_train=_frozen(x_scaler.transform(ds.X[train])),
        Y_train=_frozen(y_scaler.transform(ds.Y[train])),
        X_test=_frozen(x_scaler.transform(ds.X[test])),
        Y_test=_frozen(y_scaler.transform(ds.Y[test])),
        train_index=train, test_index=test, x_scaler=x_scaler, y_scaler=y_scaler,
        scaling=scaling,
        test_ratio=declared("test_ratio", need(p, "test_ratio", "num", "prepared"), "prepared"),
        seed=declared("split_seed", need(p, "seed", "int", "prepared"), "prepared"),
    )


def _check_network_size(config: TrainingConfig, ds: Dataset) -> None:
    sizes = [ds.n_features, *config.hidden, ds.n_outputs]
    if len(sizes) - 1 > MAX_LAYERS:
        raise fail(f"network: too many layers ({len(sizes) - 1})")
    n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    if n_params > MAX_PARAMS:
        raise fail(f"network: too many parameters ({n_params})")


def _pinned(ar, m: dict) -> list[dict]:
    """The pinned runs, within the limits ``_pinned_state`` saves by (each array's size and
    the total are checked from its header, before its data is read)."""
    runs = need(m, "pinned", "list", "manifest")
    if len(runs) > MAX_PINNED:
        raise fail(f"too many pinned runs ({len(runs)}, at most {MAX_PINNED})")
    out, budget = [], MAX_PIN_VALUES
    for i, run in enumerate(runs):
        where = f"pinned run {i}"
        values = need(run, "values", "dict", where)
        items = need(run, "arrays", "list", where)
        if len(values) + len(items) > MAX_PIN_ENTRIES:
            raise fail(f"{where}: more than {MAX_PIN_ENTRIES} entries")
        pin: dict = {}
        for key, v in values.items():
            if not PIN_NAME.match(key) or not (v is None or isinstance(v, (str, bool, int, float))):
                raise fail(f"{where}: bad entry {key[:40]!r}")
            if isinstance(v, str) and len(v) > MAX_PIN_TEXT:
                raise fail(f"{where}: {key!r} is longer than {MAX_PIN_TEXT} characters")
            pin[key] = v
        for item in items:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and PIN_NAME.match(item[0]) and is_int(item[1])
                    and 0 <= item[1] < MAX_PIN_ENTRIES and item[0] not in pin):
                raise fail(f"{where}: bad array entry")
            name = f"pinned/p{i}_{item[1]}.npy"
            arr = ar.array(name, ndim=1, max_items=min(MAX_PIN_POINTS, budget))
            budget -= arr.size
            arr.setflags(write=False)
            pin[item[0]] = arr
        out.append(pin)
    return out


def restore(ar) -> tuple[Experiment, list[dict]]:
    """(experiment, pinned) from a checked archive, ready to continue training."""
    m = ar.manifest
    if m.get("format") != FORMAT:
        raise fail("not an nnviz session file")
    version = m.get("version")
    if not is_int(version) or version < 1:
        raise fail("bad format version")
    if version > VERSION:
        raise fail(f"format version {version} is newer than this nnviz reads ({VERSION})")
    config = _config(m)
    ds = _dataset(ar, m, config)
    _check_network_size(config, ds)
    prepared = _prepared(ar, m, ds)
    exp = build(config, prepared=prepared)
    state = trainer_state.read(ar, m, exp.trainer)
    pinned = _pinned(ar, m)
    try:
        exp.trainer.load_state_dict(state)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return exp, pinned


def read_summary(ar) -> dict:
    """The manifest's summary block, type-checked (no arrays read)."""
    m = ar.manifest
    if m.get("format") != FORMAT:
        raise fail("not an nnviz session file")
    s = need(m, "summary", "dict", "manifest")
    out = {"version": m.get("version"), "saved_at": m.get("saved_at"), "nnviz": m.get("nnviz")}
    for key, kind in (("sizes", "list"), ("activations", "list"), ("dataset", "str"),
                      ("task", "str"), ("n_train", "int"), ("n_test", "int"), ("loss", "str"),
                      ("optimizer", "str"), ("lr", "num"), ("steps", "int"), ("epochs", "num"),
                      ("last_step_loss", "num"), ("train_loss", "num"), ("test_loss", "num"),
                      ("train_accuracy", "num"), ("test_accuracy", "num"),
                      ("stop_reason", "str?")):
        out[key] = need(s, key, kind, "summary")
    if not all(is_int(n) for n in out["sizes"]):
        raise fail("summary: sizes must be integers")
    str_list(out["activations"], "summary: activations")
    return out
