"""An experiment's whole state as (manifest, arrays), and back.

``capture(experiment, pinned)`` -> (manifest dict of plain values, {member name: array});
``restore(archive)`` -> (experiment, pinned) from a checked ``format.Archive``: the
configuration is rebuilt with ``experiment.build`` (with the saved split and scalers), then the
trainer's ``state_dict`` (parameters, optimiser state, sampler position, random generator,
counters, history) is read back from the file and loaded, so training continues with the
numbers it would have given had it never been saved. The file keeps its own names for the
parts of that state dict (``_*_out`` write them, ``_*_in`` read them).

Every name read from a file is compared with the constants here; member names are generated
by this module, never taken from the file; sizes are bounded before anything is built.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import time

import numpy as np

from nnviz import __version__
from nnviz.data import DATASET_SPECS, SCALINGS, TASKS, Dataset, Prepared, Scaler, make_dataset
from nnviz.engine.history import BUCKET_SERIES, POINT_SERIES, BucketSeries
from nnviz.engine.optimizers import OPTIMIZERS
from nnviz.errors import SessionFileError
from nnviz.experiment import Experiment, TrainingConfig, build

FORMAT = "nnviz-session"
VERSION = 1
#: limits checked before anything is built from a file
MAX_LAYERS = 64
MAX_PARAMS = 20_000_000
MAX_HISTORY_CAPACITY = 2**20
MAX_SAMPLES = 20_000_000
MAX_PINNED = 1000
MAX_PIN_ITEMS = 10_000_000

BIT_GENERATORS = ("PCG64",)
#: the trainer's state_dict entries written as arrays or blocks of their own
_TRAINER_PARTS = ("params", "optimizer", "sampler", "history", "last_indices")
#: a bucket series' plain values / arrays in the file (the names of its state_dict)
_BUCKET_VALUES = ("capacity", "first", "spacing", "width", "n_buckets", "count", "last")
_BUCKET_ARRAYS = ("sum", "min", "max", "pending")
_BIG = 2**62
#: a pinned curve's keys: short plain names
PIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .:()+\-]{0,63}\Z")


def fail(problem: str) -> SessionFileError:
    return SessionFileError(problem)


# ---------------------------------------------------------------------------- small checks
def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _need(d, key: str, kind: str, where: str):
    """d[key] checked to be of ``kind``: int, num, str, bool, list, dict, with '?' for None."""
    if not isinstance(d, dict):
        raise fail(f"{where} must be a JSON object")
    if key not in d:
        raise fail(f"{where}: missing {key!r}")
    v = d[key]
    optional = kind.endswith("?")
    base = kind.rstrip("?")
    if v is None and optional:
        return None
    ok = {
        "int": _is_int, "num": _is_num, "str": lambda x: isinstance(x, str),
        "bool": lambda x: isinstance(x, bool), "list": lambda x: isinstance(x, list),
        "dict": lambda x: isinstance(x, dict),
    }[base](v)
    if not ok:
        raise fail(f"{where}: {key!r} must be {base}, got {_show(v)}")
    return float(v) if base == "num" else v


def _count(d, key: str, where: str, hi: int, lo: int = 0) -> int:
    v = _need(d, key, "int", where)
    if not lo <= v <= hi:
        raise fail(f"{where}: {key!r} out of range ({v})")
    return v


def _show(v) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


def _str_list(v, where: str, n: int | None = None) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(s, str) and len(s) < 1000 for s in v):
        raise fail(f"{where} must be a list of strings")
    if n is not None and len(v) != n:
        raise fail(f"{where} must have {n} entries, got {len(v)}")
    return tuple(v)


# ---------------------------------------------------------------------------- config
def _config_kinds() -> dict[str, tuple]:
    """Field -> accepted JSON types, from TrainingConfig's annotations."""
    base = {"str": str, "int": int, "float": float, "bool": bool, "None": type(None)}
    kinds = {}
    for f in dataclasses.fields(TrainingConfig):
        parts = [p.strip() for p in str(f.type).split("|")]
        kinds[f.name] = tuple(
            "seq" if p.startswith("tuple") else base.get(p, p) for p in parts
        )
    return kinds


_CONFIG_KINDS = _config_kinds()


def _check_config_types(d: dict) -> None:
    for key, value in d.items():
        kinds = _CONFIG_KINDS.get(key)
        if kinds is None:
            raise fail(f"config: unknown field {str(key)[:40]!r}")
        if key == "dataset_params":
            ok = isinstance(value, dict) and all(
                isinstance(k, str) and _is_num(v) for k, v in value.items()
            )
        elif isinstance(value, list):
            elem = _is_int if key == "hidden" else (lambda s: isinstance(s, str))
            ok = "seq" in kinds and len(value) <= MAX_LAYERS and all(elem(x) for x in value)
        elif isinstance(value, bool):
            ok = bool in kinds
        elif _is_int(value):
            ok = int in kinds or float in kinds
        else:
            ok = type(value) in kinds
        if not ok:
            raise fail(f"config: field {key!r} has a wrong type: {_show(value)}")


def _config(manifest: dict) -> TrainingConfig:
    d = _need(manifest, "config", "dict", "manifest")
    _check_config_types(d)
    d = dict(d)
    if isinstance(d.get("bias_init"), int):
        d["bias_init"] = float(d["bias_init"])
    return TrainingConfig.from_dict(d)  # ConfigError names the field


# ---------------------------------------------------------------------------- capture
def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
    return h.hexdigest()


def _optimizer_out(o: dict, arrays: dict) -> dict:
    names = OPTIMIZERS[o["name"]].state_names
    for key in ("changes", *names):
        for i, a in enumerate(o[key]):
            arrays[f"optimizer/{key}_{i}.npy"] = a
    return {"name": o["name"], "lr": o["lr"], "l1": o["l1"], "l2": o["l2"], "t": o["t"],
            "settings": {k: float(v) for k, v in o["settings"].items()},
            "state": {k: len(o[k]) for k in names}, "changes": len(o["changes"])}


def _sampler_out(sp: dict, arrays: dict) -> dict:
    if sp["order"] == "sequence":
        raise ValueError("a session cannot save an explicit sample sequence")
    if sp["cycle"] is not None:
        arrays["sampler/cycle.npy"] = sp["cycle"].astype(np.int64)
    return {"order": sp["order"], "pos": int(sp["pos"]), "cycle": sp["cycle"] is not None}


def _rng_out(st: dict, arrays: dict) -> dict:
    if st["bit_generator"] == "MT19937":
        arrays["rng/keys.npy"] = np.asarray(st["state"]["key"], dtype="<u4")
        return {"kind": "MT19937", "pos": int(st["state"]["pos"]),
                "has_gauss": int(st["has_gauss"]), "cached_gaussian": float(st["gauss"])}
    return {"kind": st["bit_generator"], "state": str(st["state"]["state"]),
            "inc": str(st["state"]["inc"]), "has_uint32": int(st["has_uint32"]),
            "uinteger": int(st["uinteger"])}


def _history_out(h: dict, arrays: dict) -> dict:
    out = {}
    for name in BUCKET_SERIES:
        for part in _BUCKET_ARRAYS:
            arrays[f"history/{name}_{part}.npy"] = h[name][part]
        out[name] = {k: h[name][k] for k in _BUCKET_VALUES}
    for name in POINT_SERIES:
        for axis in ("x", "y"):
            arrays[f"history/{name}_{axis}.npy"] = h[name][axis]
        out[name] = {"capacity": h[name]["capacity"]}
    return out


def _pinned_state(pinned, arrays: dict) -> list:
    if pinned is None:
        return []
    if len(pinned) > MAX_PINNED:
        raise ValueError(f"at most {MAX_PINNED} pinned runs can be saved")
    out = []
    for i, run in enumerate(pinned):
        values, members = {}, []
        for j, (key, v) in enumerate(run.items()):
            if not isinstance(key, str) or not PIN_NAME.match(key):
                raise ValueError(f"pinned run {i}: bad name {key!r} (letters, digits, _ . - "
                                 "space, up to 64)")
            if v is None or isinstance(v, (str, bool, int, float)):
                values[key] = v
                continue
            a = np.asarray(v)
            if a.dtype.kind == "f":
                a = a.astype(np.float64)
            elif a.dtype.kind in "iu":
                a = a.astype(np.int64)
            elif a.dtype.kind != "b":
                raise ValueError(f"pinned run {i}: {key!r} is not a numeric array")
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
    tr, net, ds, prep = exp.trainer, exp.net, exp.dataset, exp.prepared
    st = tr.state_dict()
    arrays: dict[str, np.ndarray] = {}
    m: dict = {"format": FORMAT, "version": VERSION, "nnviz": __version__,
               "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    m["config"] = exp.config.to_dict()
    if exp.config.dataset == "csv" or ds.name != exp.config.dataset:
        arrays["dataset/x.npy"], arrays["dataset/y.npy"] = ds.X, ds.Y
        m["dataset"] = {
            "kind": "data", "name": ds.name, "task": ds.task,
            "feature_names": list(ds.feature_names), "target_name": ds.target_name,
            "class_names": list(ds.class_names), "bounds": [list(b) for b in ds.bounds],
            "description": ds.description, "source": ds.source,
            "default_scaling": ds.default_scaling,
        }
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
    m["network"] = {"sizes": list(net.sizes), "activations": [a.name for a in net.activations],
                    "dtype": np.dtype(net.dtype).name}
    for i, p in enumerate(st["params"]):
        arrays[f"network/{'wb'[i % 2]}{i // 2}.npy"] = p
    m["optimizer"] = _optimizer_out(st["optimizer"], arrays)
    m["trainer"] = {k: v for k, v in st.items() if k not in _TRAINER_PARTS}
    arrays["trainer/last_indices.npy"] = st["last_indices"].astype(np.int64)
    m["sampler"] = _sampler_out(st["sampler"], arrays)
    m["rng"] = _rng_out(st["sampler"]["rng"], arrays)
    m["history"] = _history_out(st["history"], arrays)
    m["pinned"] = _pinned_state(pinned, arrays)
    m["summary"] = summary(exp)
    return m, arrays


# ---------------------------------------------------------------------------- restore
def _dataset(ar, m: dict, config: TrainingConfig) -> Dataset:
    d = _need(m, "dataset", "dict", "manifest")
    kind = _need(d, "kind", "str", "dataset")
    if kind == "builtin":
        if config.dataset not in DATASET_SPECS:
            raise fail(f"dataset: unknown built-in {config.dataset!r}")
        _check_builtin_size(config)
        ds = make_dataset(config.dataset, **dict(config.dataset_params))
        if _need(d, "sha256", "str", "dataset") != _digest(ds.X, ds.Y):
            raise fail(f"built-in dataset {config.dataset!r} differs from the one saved "
                       "(saved by another nnviz version?)")
        return ds
    if kind != "data":
        raise fail(f"dataset: unknown kind {kind[:40]!r}")
    X = ar.array("dataset/x.npy", dtype="float64", ndim=2, max_items=MAX_SAMPLES)
    n, n_in = X.shape
    Y = ar.array("dataset/y.npy", shape=(n, None), dtype="float64", max_items=MAX_SAMPLES)
    task = _need(d, "task", "str", "dataset")
    if task not in TASKS:
        raise fail(f"dataset: unknown task {task[:40]!r}")
    bounds = _need(d, "bounds", "list", "dataset")
    if len(bounds) != n_in or not all(
        isinstance(b, list) and len(b) == 2 and all(_is_num(x) for x in b) for b in bounds
    ):
        raise fail("dataset: bounds must be one [lo, hi] per feature")
    scaling = _need(d, "default_scaling", "str", "dataset")
    if scaling not in SCALINGS:
        raise fail(f"dataset: unknown scaling {scaling[:40]!r}")
    return Dataset(
        name=_need(d, "name", "str", "dataset")[:200],
        X=X, Y=Y, task=task,
        feature_names=_str_list(d.get("feature_names"), "dataset: feature_names", n_in),
        target_name=_need(d, "target_name", "str", "dataset")[:200],
        class_names=_str_list(d.get("class_names"), "dataset: class_names"),
        bounds=tuple((float(lo), float(hi)) for lo, hi in bounds),
        description=_need(d, "description", "str", "dataset")[:2000],
        source=_need(d, "source", "str", "dataset")[:2000],
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
    p = _need(m, "prepared", "dict", "manifest")
    train = _index(ar, "prepared/train_index.npy", ds.n_samples)
    test = _index(ar, "prepared/test_index.npy", ds.n_samples)
    if len(train) == 0 or np.intersect1d(train, test).size:
        raise fail("prepared: the train and test rows must be disjoint, with some train rows")
    scalers = []
    for tag, cols in (("x", ds.n_features), ("y", ds.n_outputs)):
        kind = _need(p, f"{tag}_scaler", "str", "prepared")
        if kind not in SCALINGS:
            raise fail(f"prepared: unknown scaling {kind[:40]!r}")
        center = ar.array(f"prepared/{tag}_center.npy", shape=(cols,), dtype="float64")
        scale = ar.array(f"prepared/{tag}_scale.npy", shape=(cols,), dtype="float64")
        if not (np.isfinite(center).all() and np.isfinite(scale).all() and np.all(scale != 0)):
            raise fail(f"prepared: the {tag} scaler must be finite with non-zero scales")
        scalers.append(Scaler(kind, center, scale))
    x_scaler, y_scaler = scalers
    scaling = _need(p, "scaling", "str", "prepared")
    if scaling not in SCALINGS:
        raise fail(f"prepared: unknown scaling {scaling[:40]!r}")
    return Prepared(
        dataset=ds,
        X_train=_frozen(x_scaler.transform(ds.X[train])),
        Y_train=_frozen(y_scaler.transform(ds.Y[train])),
        X_test=_frozen(x_scaler.transform(ds.X[test])),
        Y_test=_frozen(y_scaler.transform(ds.Y[test])),
        train_index=train, test_index=test, x_scaler=x_scaler, y_scaler=y_scaler,
        scaling=scaling, test_ratio=_need(p, "test_ratio", "num", "prepared"),
        seed=_need(p, "seed", "int", "prepared"),
    )


def _check_network_size(config: TrainingConfig, ds: Dataset) -> None:
    sizes = [ds.n_features, *config.hidden, ds.n_outputs]
    if len(sizes) - 1 > MAX_LAYERS:
        raise fail(f"network: too many layers ({len(sizes) - 1})")
    n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    if n_params > MAX_PARAMS:
        raise fail(f"network: too many parameters ({n_params})")


def _params_in(ar, m: dict, exp: Experiment) -> list[np.ndarray]:
    d = _need(m, "network", "dict", "manifest")
    net = exp.net
    if _need(d, "sizes", "list", "network") != list(net.sizes):
        raise fail("network: sizes do not match the configuration")
    if _need(d, "activations", "list", "network") != [a.name for a in net.activations]:
        raise fail("network: activations do not match the configuration")
    dt = np.dtype(net.dtype).name
    shapes = [p.shape for pair in zip(net.weights, net.biases) for p in pair]
    return [ar.array(f"network/{'wb'[i % 2]}{i // 2}.npy", shape=shape, dtype=dt)
            for i, shape in enumerate(shapes)]


def _optimizer_in(ar, m: dict, params: list[np.ndarray]) -> dict:
    d = _need(m, "optimizer", "dict", "manifest")
    name = _need(d, "name", "str", "optimizer")
    if name not in OPTIMIZERS:
        raise fail(f"optimizer: unknown {name[:40]!r}")
    names, state_names = tuple(OPTIMIZERS[name].settings), OPTIMIZERS[name].state_names
    raw = _need(d, "settings", "dict", "optimizer")
    if set(raw) != set(names):
        raise fail(f"optimizer: settings must be {', '.join(names) or 'none'}")
    settings = {k: _need(raw, k, "num", "optimizer settings") for k in names}
    if not all(math.isfinite(v) for v in settings.values()):
        raise fail("optimizer: settings must be finite")
    n = _count(d, "changes", "optimizer", len(params))
    if n not in (0, len(params)):
        raise fail("optimizer: wrong number of change arrays")
    counts = _need(d, "state", "dict", "optimizer")
    if set(counts) != set(state_names) or any(counts[k] != n for k in counts):
        raise fail("optimizer: state arrays do not match the parameters")
    out = {"name": name, "settings": settings, "t": _count(d, "t", "optimizer", _BIG),
           **{k: _need(d, k, "num", "optimizer") for k in ("lr", "l1", "l2")}}
    for key in ("changes", *state_names):
        out[key] = [ar.array(f"optimizer/{key}_{i}.npy", shape=p.shape, dtype=p.dtype.name)
                    for i, p in enumerate(params[:n])]
    return out


def _sampler_in(ar, m: dict, n: int) -> dict:
    s = _need(m, "sampler", "dict", "manifest")
    has_cycle = _need(s, "cycle", "bool", "sampler")
    return {"order": _need(s, "order", "str", "sampler")[:40],
            "pos": _count(s, "pos", "sampler", _BIG),
            "cycle": ar.array("sampler/cycle.npy", dtype="int64", ndim=1, max_items=n)
            if has_cycle else None,
            "rng": _rng_in(ar, _need(m, "rng", "dict", "manifest"))}


def _rng_in(ar, d: dict) -> dict:
    kind = _need(d, "kind", "str", "rng")
    if kind == "MT19937":
        return {"bit_generator": kind,
                "state": {"key": ar.array("rng/keys.npy", shape=(624,), dtype="uint32"),
                          "pos": _count(d, "pos", "rng", 624)},
                "has_gauss": _count(d, "has_gauss", "rng", 1),
                "gauss": _need(d, "cached_gaussian", "num", "rng")}
    if kind not in BIT_GENERATORS:
        raise fail(f"rng: unknown kind {kind[:40]!r}")
    ints = {}
    for key in ("state", "inc"):
        text = _need(d, key, "str", "rng")
        if not re.fullmatch(r"\d{1,40}", text) or int(text) >= 2**128:
            raise fail(f"rng: bad {key}")
        ints[key] = int(text)
    return {"bit_generator": kind, "state": ints,
            "has_uint32": _count(d, "has_uint32", "rng", 1),
            "uinteger": _count(d, "uinteger", "rng", 2**32 - 1)}


def _history_in(ar, m: dict) -> dict:
    d = _need(m, "history", "dict", "manifest")
    out = {}
    for name in BUCKET_SERIES:
        h = _need(d, name, "dict", "history")
        where = f"history {name}"
        cap = _count(h, "capacity", where, MAX_HISTORY_CAPACITY, lo=2)
        n = _count(h, "n_buckets", where, cap - 1)
        width = _count(h, "width", where, _BIG, lo=1)
        s = {"capacity": cap, "n_buckets": n, "width": width,
             "first": _count(h, "first", where, _BIG),
             "spacing": _count(h, "spacing", where, _BIG, lo=1),
             "count": _count(h, "count", where, _BIG), "last": _need(h, "last", "num", where),
             "pending": ar.array(f"history/{name}_pending.npy", dtype="float64", ndim=1,
                                 max_items=BucketSeries.max_pending(width))}
        for part in ("sum", "min", "max"):
            s[part] = ar.array(f"history/{name}_{part}.npy", shape=(n,), dtype="float64")
        out[name] = s
    for name in POINT_SERIES:
        h = _need(d, name, "dict", "history")
        cap = _count(h, "capacity", f"history {name}", MAX_HISTORY_CAPACITY, lo=1)
        x = ar.array(f"history/{name}_x.npy", dtype="float64", ndim=1, max_items=cap)
        y = ar.array(f"history/{name}_y.npy", shape=x.shape, dtype="float64")
        out[name] = {"capacity": cap, "x": x, "y": y}
    return out


def _trainer_in(ar, m: dict, exp: Experiment) -> dict:
    """The trainer's state_dict as the file holds it (types and sizes checked)."""
    d = _need(m, "trainer", "dict", "manifest")
    n = exp.trainer.n
    div = _need(d, "divergence", "dict?", "trainer")
    reason = _need(d, "stop_reason", "str?", "trainer")
    params = _params_in(ar, m, exp)
    return {
        "params": params,
        "optimizer": _optimizer_in(ar, m, params),
        "sampler": _sampler_in(ar, m, n),
        "history": _history_in(ar, m),
        "last_indices": ar.array("trainer/last_indices.npy", dtype="int64", ndim=1,
                                 max_items=n),
        "divergence": None if div is None else {
            "step": _count(div, "step", "divergence", _BIG),
            "quantity": _need(div, "quantity", "str", "divergence")[:200]},
        "stop_reason": None if reason is None else reason[:500],
        "step_count": _count(d, "step_count", "trainer", _BIG),
        "samples_seen": _count(d, "samples_seen", "trainer", _BIG),
        "epoch_loss_sum": _need(d, "epoch_loss_sum", "num", "trainer"),
        "epoch_loss_steps": _count(d, "epoch_loss_steps", "trainer", _BIG),
        "epochs_done": _count(d, "epochs_done", "trainer", _BIG),
        "last_eval_samples": _count(d, "last_eval_samples", "trainer", _BIG, lo=-_BIG),
        "max_steps": _need(d, "max_steps", "int?", "trainer"),
        "max_epochs": _need(d, "max_epochs", "num?", "trainer"),
        "target_loss": _need(d, "target_loss", "num?", "trainer"),
    }


def _pinned(ar, m: dict) -> list[dict]:
    runs = _need(m, "pinned", "list", "manifest")
    if len(runs) > MAX_PINNED:
        raise fail("too many pinned runs")
    out = []
    for i, run in enumerate(runs):
        where = f"pinned run {i}"
        values = _need(run, "values", "dict", where)
        pin: dict = {}
        for key, v in values.items():
            if not PIN_NAME.match(key) or not (v is None or isinstance(v, (str, bool, int, float))):
                raise fail(f"{where}: bad entry {key[:40]!r}")
            pin[key] = v[:1000] if isinstance(v, str) else v
        for item in _need(run, "arrays", "list", where):
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and PIN_NAME.match(item[0]) and _is_int(item[1]) and 0 <= item[1] < 10_000):
                raise fail(f"{where}: bad array entry")
            arr = ar.array(f"pinned/p{i}_{item[1]}.npy", max_items=MAX_PIN_ITEMS)
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
    if not _is_int(version) or version < 1:
        raise fail("bad format version")
    if version > VERSION:
        raise fail(f"format version {version} is newer than this nnviz reads ({VERSION})")
    config = _config(m)
    ds = _dataset(ar, m, config)
    _check_network_size(config, ds)
    prepared = _prepared(ar, m, ds)
    exp = build(config, prepared=prepared)
    state = _trainer_in(ar, m, exp)
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
    s = _need(m, "summary", "dict", "manifest")
    out = {"version": m.get("version"), "saved_at": m.get("saved_at"), "nnviz": m.get("nnviz")}
    for key, kind in (("sizes", "list"), ("activations", "list"), ("dataset", "str"),
                      ("task", "str"), ("n_train", "int"), ("n_test", "int"), ("loss", "str"),
                      ("optimizer", "str"), ("lr", "num"), ("steps", "int"), ("epochs", "num"),
                      ("last_step_loss", "num"), ("train_loss", "num"), ("test_loss", "num"),
                      ("train_accuracy", "num"), ("test_accuracy", "num"),
                      ("stop_reason", "str?")):
        out[key] = _need(s, key, kind, "summary")
    if not all(_is_int(n) for n in out["sizes"]):
        raise fail("summary: sizes must be integers")
    _str_list(out["activations"], "summary: activations")
    return out
