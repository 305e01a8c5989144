"""An experiment's whole state as (manifest, arrays), and back.

``capture(experiment, pinned)`` -> (manifest dict of plain values, {member name: array});
``restore(archive)`` -> (experiment, pinned) from a checked ``format.Archive``: the
configuration is rebuilt with ``experiment.build`` (with the saved split and scalers), then the
parameters, optimiser state, sampler position, random generator, counters and history are put
back, so training continues with the numbers it would have given had it never been saved.

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
from nnviz.engine.history import BucketSeries, History, PointSeries
from nnviz.engine.trainer import Divergence
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

OPT_SETTINGS = {"sgd": (), "momentum": ("momentum",), "adam": ("beta1", "beta2", "eps")}
OPT_STATE = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v")}
BUCKET_SERIES = ("step_loss", "cumulative")
POINT_SERIES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
BIT_GENERATORS = ("PCG64",)
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


def _bucket_state(s: BucketSeries, name: str, arrays: dict) -> dict:
    n = s.n_buckets
    arrays[f"history/{name}_sum.npy"] = s._sum[:n].copy()
    arrays[f"history/{name}_min.npy"] = s._min[:n].copy()
    arrays[f"history/{name}_max.npy"] = s._max[:n].copy()
    arrays[f"history/{name}_pending.npy"] = np.asarray(s._pending, dtype=np.float64)
    return {"capacity": s.capacity, "first": s.first, "spacing": s.spacing, "width": s.width,
            "n_buckets": n, "count": s.count, "last": s.last}


def _rng_state(rng, arrays: dict) -> dict:
    if isinstance(rng, np.random.RandomState):
        kind, keys, pos, has_gauss, cached = rng.get_state()
        arrays["rng/keys.npy"] = np.asarray(keys, dtype="<u4")
        return {"kind": str(kind), "pos": int(pos), "has_gauss": int(has_gauss),
                "cached_gaussian": float(cached)}
    st = rng.bit_generator.state
    return {"kind": st["bit_generator"], "state": str(st["state"]["state"]),
            "inc": str(st["state"]["inc"]), "has_uint32": int(st["has_uint32"]),
            "uinteger": int(st["uinteger"])}


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
    tr.sync()
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
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        arrays[f"network/w{l}.npy"], arrays[f"network/b{l}.npy"] = W, b
    opt = tr.optimizer
    state = opt.state_arrays()
    for key in OPT_STATE[opt.name]:
        for i, a in enumerate(state.get(key, [])):
            arrays[f"optimizer/{key}_{i}.npy"] = a
    for i, a in enumerate(opt.changes):
        arrays[f"optimizer/changes_{i}.npy"] = a
    m["optimizer"] = {
        "name": opt.name, "lr": opt.lr, "l1": opt.l1, "l2": opt.l2, "t": opt.t,
        "settings": {k: float(getattr(opt, k)) for k in OPT_SETTINGS[opt.name]},
        "state": {k: len(state.get(k, [])) for k in OPT_STATE[opt.name]},
        "changes": len(opt.changes),
    }
    div = tr.divergence
    m["trainer"] = {
        "step_count": tr.step_count, "samples_seen": tr.samples_seen,
        "divergence": None if div is None else {"step": div.step, "quantity": div.quantity},
        "stop_reason": tr.stop_reason, "epoch_loss_sum": tr._epoch_loss_sum,
        "epoch_loss_steps": tr._epoch_loss_steps, "epochs_done": tr._epochs_done,
        "last_eval_samples": tr._last_eval_samples, "max_steps": tr.max_steps,
        "max_epochs": tr.max_epochs, "target_loss": tr.target_loss,
    }
    arrays["trainer/last_indices.npy"] = np.asarray(tr.last_indices, dtype=np.int64)
    sp = tr.sampler
    if sp.order == "sequence":
        raise ValueError("a session cannot save an explicit sample sequence")
    m["sampler"] = {"order": sp.order, "pos": int(sp._pos), "cycle": sp._cycle is not None}
    if sp._cycle is not None:
        arrays["sampler/cycle.npy"] = np.asarray(sp._cycle, dtype=np.int64)
    m["rng"] = _rng_state(tr.rng, arrays)
    h = tr.history
    hist = {name: _bucket_state(getattr(h, name), name, arrays) for name in BUCKET_SERIES}
    for name in POINT_SERIES:
        s: PointSeries = getattr(h, name)
        hist[name] = {"capacity": s.capacity}
        arrays[f"history/{name}_x.npy"], arrays[f"history/{name}_y.npy"] = s.arrays()
    m["history"] = hist
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


def _network(ar, m: dict, exp: Experiment) -> None:
    d = _need(m, "network", "dict", "manifest")
    net = exp.net
    if _need(d, "sizes", "list", "network") != list(net.sizes):
        raise fail("network: sizes do not match the configuration")
    if _need(d, "activations", "list", "network") != [a.name for a in net.activations]:
        raise fail("network: activations do not match the configuration")
    dt = np.dtype(net.dtype).name
    params = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        params.append(ar.array(f"network/w{l}.npy", shape=W.shape, dtype=dt))
        params.append(ar.array(f"network/b{l}.npy", shape=b.shape, dtype=dt))
    net.set_params(params)


def _optimizer(ar, m: dict, exp: Experiment) -> None:
    d = _need(m, "optimizer", "dict", "manifest")
    name = _need(d, "name", "str", "optimizer")
    if name not in OPT_SETTINGS:
        raise fail(f"optimizer: unknown {name[:40]!r}")
    raw = _need(d, "settings", "dict", "optimizer")
    if set(raw) != set(OPT_SETTINGS[name]):
        raise fail(f"optimizer: settings must be {', '.join(OPT_SETTINGS[name]) or 'none'}")
    settings = {k: _need(raw, k, "num", "optimizer settings") for k in OPT_SETTINGS[name]}
    if not all(math.isfinite(v) for v in settings.values()):
        raise fail("optimizer: settings must be finite")
    tr = exp.trainer
    tr.set_optimizer(name, lr=_need(d, "lr", "num", "optimizer"), **settings)
    tr.set_regularization(_need(d, "l1", "num", "optimizer"), _need(d, "l2", "num", "optimizer"))
    opt = tr.optimizer
    opt.t = _count(d, "t", "optimizer", 2**62)
    shapes = [p.shape for pair in zip(exp.net.weights, exp.net.biases) for p in pair]
    dt = np.dtype(exp.net.dtype).name
    n = _count(d, "changes", "optimizer", len(shapes))
    if n not in (0, len(shapes)):
        raise fail("optimizer: wrong number of change arrays")
    counts = _need(d, "state", "dict", "optimizer")
    if set(counts) != set(OPT_STATE[name]) or any(counts[k] != n for k in counts):
        raise fail("optimizer: state arrays do not match the parameters")
    if n:
        for key in OPT_STATE[name]:
            setattr(opt, key, [ar.array(f"optimizer/{key}_{i}.npy", shape=s, dtype=dt)
                               for i, s in enumerate(shapes)])
        opt.changes = [ar.array(f"optimizer/changes_{i}.npy", shape=s, dtype=dt)
                       for i, s in enumerate(shapes)]


def _trainer(ar, m: dict, exp: Experiment) -> None:
    d = _need(m, "trainer", "dict", "manifest")
    tr = exp.trainer
    big = 2**62
    tr.step_count = _count(d, "step_count", "trainer", big)
    tr.samples_seen = _count(d, "samples_seen", "trainer", big)
    div = _need(d, "divergence", "dict?", "trainer")
    tr.divergence = None if div is None else Divergence(
        _count(div, "step", "divergence", big), _need(div, "quantity", "str", "divergence")[:200]
    )
    reason = _need(d, "stop_reason", "str?", "trainer")
    tr.stop_reason = None if reason is None else reason[:500]
    tr._epoch_loss_sum = _need(d, "epoch_loss_sum", "num", "trainer")
    tr._epoch_loss_steps = _count(d, "epoch_loss_steps", "trainer", big)
    tr._epochs_done = _count(d, "epochs_done", "trainer", big)
    tr._last_eval_samples = _count(d, "last_eval_samples", "trainer", big, lo=-big)
    tr.max_steps = _need(d, "max_steps", "int?", "trainer")
    tr.max_epochs = _need(d, "max_epochs", "num?", "trainer")
    tr.target_loss = _need(d, "target_loss", "num?", "trainer")
    last = ar.array("trainer/last_indices.npy", dtype="int64", ndim=1, max_items=tr.n)
    if last.size and (last.min() < 0 or last.max() >= tr.n):
        raise fail("trainer: last indices out of range")
    tr.last_indices = last.astype(np.intp)

    s = _need(m, "sampler", "dict", "manifest")
    sp = tr.sampler
    if _need(s, "order", "str", "sampler") != sp.order:
        raise fail("sampler: order does not match the configuration")
    if _need(s, "cycle", "bool", "sampler"):
        cycle = ar.array("sampler/cycle.npy", dtype="int64", ndim=1, max_items=tr.n)
        if cycle.size == 0 or cycle.min() < 0 or cycle.max() >= tr.n:
            raise fail("sampler: cycle indices out of range")
        sp._cycle = cycle.astype(np.intp)
        sp._pos = _count(s, "pos", "sampler", len(cycle))
    else:
        sp._cycle, sp._pos = None, _count(s, "pos", "sampler", 0)
    _rng(ar, _need(m, "rng", "dict", "manifest"), tr.rng)


def _rng(ar, d: dict, rng) -> None:
    kind = _need(d, "kind", "str", "rng")
    if isinstance(rng, np.random.RandomState):
        if kind != "MT19937":
            raise fail(f"rng: expected MT19937, got {kind[:40]!r}")
        keys = ar.array("rng/keys.npy", shape=(624,), dtype="uint32")
        state = ("MT19937", keys, _count(d, "pos", "rng", 624),
                 _count(d, "has_gauss", "rng", 1), _need(d, "cached_gaussian", "num", "rng"))
        rng.set_state(state)
        return
    name = rng.bit_generator.state["bit_generator"]
    if kind not in BIT_GENERATORS or kind != name:
        raise fail(f"rng: expected {name}, got {kind[:40]!r}")
    ints = {}
    for key in ("state", "inc"):
        text = _need(d, key, "str", "rng")
        if not re.fullmatch(r"\d{1,40}", text) or int(text) >= 2**128:
            raise fail(f"rng: bad {key}")
        ints[key] = int(text)
    rng.bit_generator.state = {
        "bit_generator": name, "state": ints,
        "has_uint32": _count(d, "has_uint32", "rng", 1),
        "uinteger": _count(d, "uinteger", "rng", 2**32 - 1),
    }


def _history(ar, m: dict, exp: Experiment) -> None:
    d = _need(m, "history", "dict", "manifest")
    series = {}
    for name in BUCKET_SERIES:
        h = _need(d, name, "dict", "history")
        where = f"history {name}"
        cap = _count(h, "capacity", where, MAX_HISTORY_CAPACITY, lo=2)
        if cap % 2:
            raise fail(f"{where}: capacity must be even")
        s = BucketSeries(cap, first=_count(h, "first", where, 2**62),
                         spacing=_count(h, "spacing", where, 2**62, lo=1))
        s.width = _count(h, "width", where, 2**62, lo=1)
        s.n_buckets = n = _count(h, "n_buckets", where, cap - 1)
        s.count = _count(h, "count", where, 2**62)
        if s.count != n * s.width:
            raise fail(f"{where}: counts do not match")
        s.last = _need(h, "last", "num", where)
        for part, buf in (("sum", s._sum), ("min", s._min), ("max", s._max)):
            buf[:n] = ar.array(f"history/{name}_{part}.npy", shape=(n,), dtype="float64")
        pending = ar.array(f"history/{name}_pending.npy", dtype="float64", ndim=1,
                           max_items=max(s.width, 256))
        s._pending = pending.tolist()
        series[name] = s
    for name in POINT_SERIES:
        h = _need(d, name, "dict", "history")
        cap = _count(h, "capacity", f"history {name}", MAX_HISTORY_CAPACITY, lo=1)
        s = PointSeries(cap)
        x = ar.array(f"history/{name}_x.npy", dtype="float64", ndim=1, max_items=cap)
        y = ar.array(f"history/{name}_y.npy", shape=x.shape, dtype="float64")
        s.x, s.y = x.tolist(), y.tolist()
        series[name] = s
    exp.trainer.history = History(**series)


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
    _network(ar, m, exp)
    _optimizer(ar, m, exp)
    _trainer(ar, m, exp)
    _history(ar, m, exp)
    pinned = _pinned(ar, m)
    exp.trainer.reload()
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
