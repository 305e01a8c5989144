"""The trainer's ``state_dict`` in a session file, and back.

``write(trainer, arrays)`` -> the manifest blocks network, optimizer, trainer, sampler, rng,
history, distributions, and the hand edits if there are any (arrays go into ``arrays``);
``read(archive, manifest, trainer)`` -> the state dict they hold, every value type- and
size-checked (``trainer.load_state_dict`` checks that the parts fit together). The file keeps
its own names: ``cached_gaussian`` for numpy's ``gauss``, ``rng`` beside ``sampler``, counts
instead of lists; member names are generated here.
"""

from __future__ import annotations

import math
import re

import numpy as np

from nnviz.config import SETTINGS
from nnviz.engine.distributions import FIELDS as DIST_FIELDS
from nnviz.engine.distributions import PERCENTILES, DistributionRecorder
from nnviz.engine.edits import KINDS, MAX_EDITS, Edit
from nnviz.engine.history import BUCKET_SERIES, POINT_SERIES, BucketSeries
from nnviz.engine.optimizers import OPTIMIZERS
from nnviz.engine.trainer import MAX_LOSS_PARTS, Trainer, whole_epochs
from nnviz.session.checks import count, declared, fail, is_int, is_num, need

#: limits checked before anything is read
MAX_HISTORY_CAPACITY = 2**20
#: values waiting for a bucket: fewer than its width (or FLUSH_SIZE), and at most this many
#: (a width of 2**20 takes 2**20 * capacity / 2 steps: years at the app's pace)
MAX_PENDING = 2**20
BIT_GENERATORS = ("PCG64",)
#: the trainer's state_dict entries written as arrays or blocks of their own
_PARTS = ("params", "optimizer", "sampler", "history", "distributions", "last_indices",
          "edits")
#: a bucket series' plain values / arrays in the file (the names of its state_dict)
_BUCKET_VALUES = ("capacity", "first", "spacing", "width", "n_buckets", "count", "last")
_BUCKET_ARRAYS = ("sum", "min", "max", "pending")
_BIG = 2**62


def _param_name(i: int) -> str:
    return f"network/{'wb'[i % 2]}{i // 2}.npy"


def _check_finite(params) -> None:
    """Weights and biases must be finite numbers, on the way out and in (one rule for both)."""
    for i, p in enumerate(params):
        if not np.isfinite(p).all():
            name = f"{'Wb'[i % 2]}{i // 2}"
            raise fail(f"network: {name} holds inf or NaN values (a diverged run); "
                       "such weights cannot be trained on")


# ---------------------------------------------------------------------------- write
def write(trainer: Trainer, arrays: dict) -> dict:
    """{block name: manifest block} for the trainer's state now; its arrays into ``arrays``."""
    st, net = trainer.state_dict(), trainer.net
    _check_finite(st["params"])
    for i, p in enumerate(st["params"]):
        arrays[_param_name(i)] = p
    arrays["trainer/last_indices.npy"] = st["last_indices"].astype(np.int64)
    edits = st["edits"]
    return {
        **({"edits": {part: [e.as_list() for e in edits[part]] for part in ("done", "undone")}}
           if edits["done"] or edits["undone"] else {}),
        "network": {"sizes": list(net.sizes), "activations": [a.name for a in net.activations],
                    "dtype": np.dtype(net.dtype).name},
        "optimizer": _optimizer_out(st["optimizer"], arrays),
        "trainer": _trainer_out(st),
        "sampler": _sampler_out(st["sampler"], arrays),
        "rng": _rng_out(st["sampler"]["rng"], arrays),
        "history": _history_out(st["history"], arrays),
        "distributions": _distributions_out(st["distributions"], arrays),
    }


def _trainer_out(st: dict) -> dict:
    """The counters and stop conditions; the epoch's exact loss parts only when the rounded
    sum does not say it all, the epoch origin only once the rows changed (files stay as they
    were for most runs)."""
    out = {k: v for k, v in st.items() if k not in _PARTS}
    if len(out["epoch_loss_parts"]) <= 1:
        del out["epoch_loss_parts"]
    if out["epoch_origin"] == (0.0, 0, 0):  # (a run whose rows never changed: as before)
        del out["epoch_origin"]
    return out


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


def _distributions_out(d: dict, arrays: dict) -> dict:
    for name in DIST_FIELDS:
        arrays[f"distributions/{name}.npy"] = d[name]
    return {k: d[k] for k in ("capacity", "base", "every", "first", "n")}


# ---------------------------------------------------------------------------- read
def _params_in(ar, m: dict, net) -> list[np.ndarray]:
    d = need(m, "network", "dict", "manifest")
    sizes = need(d, "sizes", "list", "network")
    if not all(is_int(n) for n in sizes) or sizes != list(net.sizes):
        raise fail("network: sizes do not match the configuration")
    if need(d, "dtype", "str", "network") != np.dtype(net.dtype).name:
        raise fail("network: dtype does not match the configuration")
    if need(d, "activations", "list", "network") != [a.name for a in net.activations]:
        raise fail("network: activations do not match the configuration")
    dt = np.dtype(net.dtype).name
    shapes = [p.shape for pair in zip(net.weights, net.biases) for p in pair]
    params = [ar.array(_param_name(i), shape=shape, dtype=dt) for i, shape in enumerate(shapes)]
    _check_finite(params)
    return params


def _optimizer_in(ar, m: dict, params: list[np.ndarray]) -> dict:
    d = need(m, "optimizer", "dict", "manifest")
    name = need(d, "name", "str", "optimizer")
    if name not in OPTIMIZERS:
        raise fail(f"optimizer: unknown {name[:40]!r}")
    names, state_names = tuple(OPTIMIZERS[name].settings), OPTIMIZERS[name].state_names
    raw = need(d, "settings", "dict", "optimizer")
    if set(raw) != set(names):
        raise fail(f"optimizer: settings must be {', '.join(names) or 'none'}")
    settings = {k: need(raw, k, "num", "optimizer settings") for k in names}
    for k, v in settings.items():
        if k in SETTINGS:
            declared(k, v, "optimizer")
        elif not math.isfinite(v):
            raise fail(f"optimizer: {k} must be finite")
    n = count(d, "changes", "optimizer", len(params))
    if n not in (0, len(params)):
        raise fail("optimizer: wrong number of change arrays")
    counts = need(d, "state", "dict", "optimizer")
    if set(counts) != set(state_names) or any(counts[k] != n for k in counts):
        raise fail("optimizer: state arrays do not match the parameters")
    out = {"name": name, "settings": settings, "t": count(d, "t", "optimizer", _BIG),
           **{k: need(d, k, "num", "optimizer") for k in ("lr", "l1", "l2")}}
    for k in ("lr", "l1", "l2"):
        declared(k, out[k], "optimizer")
    for key in ("changes", *state_names):
        out[key] = [ar.array(f"optimizer/{key}_{i}.npy", shape=p.shape, dtype=p.dtype.name)
                    for i, p in enumerate(params[:n])]
    return out


def _sampler_in(ar, m: dict, n: int) -> dict:
    s = need(m, "sampler", "dict", "manifest")
    has_cycle = need(s, "cycle", "bool", "sampler")
    return {"order": need(s, "order", "str", "sampler")[:40],
            "pos": count(s, "pos", "sampler", _BIG),
            "cycle": ar.array("sampler/cycle.npy", dtype="int64", ndim=1, max_items=n)
            if has_cycle else None,
            "rng": _rng_in(ar, need(m, "rng", "dict", "manifest"))}


def _rng_in(ar, d: dict) -> dict:
    kind = need(d, "kind", "str", "rng")
    if kind == "MT19937":
        return {"bit_generator": kind,
                "state": {"key": ar.array("rng/keys.npy", shape=(624,), dtype="uint32"),
                          "pos": count(d, "pos", "rng", 624)},
                "has_gauss": count(d, "has_gauss", "rng", 1),
                "gauss": need(d, "cached_gaussian", "num", "rng")}
    if kind not in BIT_GENERATORS:
        raise fail(f"rng: unknown kind {kind[:40]!r}")
    ints = {}
    for key in ("state", "inc"):
        text = need(d, key, "str", "rng")
        if not re.fullmatch(r"\d{1,40}", text) or int(text) >= 2**128:
            raise fail(f"rng: bad {key}")
        ints[key] = int(text)
    return {"bit_generator": kind, "state": ints,
            "has_uint32": count(d, "has_uint32", "rng", 1),
            "uinteger": count(d, "uinteger", "rng", 2**32 - 1)}


def _bucket_width(h: dict, where: str, cap: int, n: int) -> int:
    """A bucket width the series can reach: 1, or a power of two once the buckets have
    merged (which leaves at least half of them full)."""
    width = count(h, "width", where, _BIG, lo=1)
    if width & (width - 1) or (width > 1 and n < cap // 2):
        raise fail(f"{where}: bucket width {width} does not fit {n} of {cap} buckets")
    return width


def _history_in(ar, m: dict, history) -> dict:
    d = need(m, "history", "dict", "manifest")
    out = {}
    for name in BUCKET_SERIES:
        h = need(d, name, "dict", "history")
        where = f"history {name}"
        cap = count(h, "capacity", where, MAX_HISTORY_CAPACITY, lo=2)
        n = count(h, "n_buckets", where, cap - 1)
        width = _bucket_width(h, where, cap, n)
        s = {"capacity": cap, "n_buckets": n, "width": width,
             "first": count(h, "first", where, _BIG),
             "spacing": count(h, "spacing", where, _BIG, lo=1),
             "count": count(h, "count", where, _BIG), "last": need(h, "last", "num", where),
             "pending": ar.array(f"history/{name}_pending.npy", dtype="float64", ndim=1,
                                 max_items=min(BucketSeries.max_pending(width),
                                               MAX_PENDING))}
        series = getattr(history, name)  # the steps it records follow the configuration
        if (s["first"], s["spacing"]) != (series.first, series.spacing):
            raise fail(f"{where}: first and spacing must be {series.first} and "
                       f"{series.spacing} (the configuration's)")
        for part in ("sum", "min", "max"):
            s[part] = ar.array(f"history/{name}_{part}.npy", shape=(n,), dtype="float64")
        out[name] = s
    for name in POINT_SERIES:
        h = need(d, name, "dict", "history")
        cap = count(h, "capacity", f"history {name}", MAX_HISTORY_CAPACITY, lo=1)
        x = ar.array(f"history/{name}_x.npy", dtype="float64", ndim=1, max_items=cap)
        y = ar.array(f"history/{name}_y.npy", shape=x.shape, dtype="float64")
        out[name] = {"capacity": cap, "x": x, "y": y}
    return out


def read(ar, m: dict, trainer: Trainer) -> dict:
    """The state dict the file holds for ``trainer`` (types and sizes checked, not loaded)."""
    d = need(m, "trainer", "dict", "manifest")
    n = trainer.n
    div = need(d, "divergence", "dict?", "trainer")
    reason = need(d, "stop_reason", "str?", "trainer")
    params = _params_in(ar, m, trainer.net)
    optimizer = _optimizer_in(ar, m, params)
    counters = _counters(d, n)
    if optimizer["t"] > counters["step_count"]:
        raise fail("optimizer: t (its updates) is more than the trainer's step_count")
    return {
        "params": params,
        "edits": _edits_in(m, trainer.net, counters["step_count"]),
        "optimizer": optimizer,
        "sampler": _sampler_in(ar, m, n),
        "history": _history_in(ar, m, trainer.history),
        "distributions": _distributions_in(ar, m, trainer),
        "last_indices": ar.array("trainer/last_indices.npy", dtype="int64", ndim=1,
                                 max_items=n),
        "divergence": None if div is None else {
            "step": count(div, "step", "divergence", _BIG),
            "quantity": need(div, "quantity", "str", "divergence")[:200]},
        "stop_reason": None if reason is None else reason[:500],
        **counters,
        **_stop_conditions(d),
    }


def _epoch_origin(d: dict, samples_seen: int) -> tuple[float, int, int]:
    """(e0, s0, d0) of the trainer's last change of rows (``Trainer.epoch_origin``; files of
    runs that never changed, and older files, have none: (0.0, 0, 0))."""
    if "epoch_origin" not in d:
        return (0.0, 0, 0)
    origin = need(d, "epoch_origin", "list", "trainer")
    ok = (len(origin) == 3 and is_num(origin[0]) and 0 <= origin[0] < _BIG
          and is_int(origin[1]) and 0 <= origin[1] <= samples_seen
          and is_int(origin[2]) and 0 <= origin[2] <= origin[0] + 1)
    if not ok:
        raise fail("trainer: epoch_origin must be [epochs, samples, whole epochs] with "
                   "samples at most samples_seen")
    return (float(origin[0]), int(origin[1]), int(origin[2]))


def _edits_in(m: dict, net, steps: int) -> dict:
    """The hand edits: at most MAX_EDITS in all (what a trainer keeps), each [step, layer,
    kind, [index...], old, new] naming a parameter the network has, at a step it has done,
    with finite values. A file from before hand edits has none."""
    if "edits" not in m:
        return {"done": [], "undone": []}
    d = need(m, "edits", "dict", "manifest")
    parts = {part: need(d, part, "list", "edits") for part in ("done", "undone")}
    if len(parts["done"]) + len(parts["undone"]) > MAX_EDITS:
        raise fail(f"edits: at most {MAX_EDITS} hand edits are kept, the file has "
                   f"{len(parts['done']) + len(parts['undone'])}")
    return {part: [_edit_in(item, net, steps, f"edits {part} {k}")
                   for k, item in enumerate(items)] for part, items in parts.items()}


def _edit_in(item, net, steps: int, where: str) -> Edit:
    if not isinstance(item, list) or len(item) != 6:
        raise fail(f"{where}: must be [step, layer, kind, index, old, new]")
    step, layer, kind, index, old, new = item
    if not is_int(step) or not 0 <= step <= steps:
        raise fail(f"{where}: step must be a whole number 0 .. {steps} (the steps done)")
    if kind not in KINDS or not is_int(layer) or not 0 <= layer < len(net.weights):
        raise fail(f"{where}: no parameter {str(kind)[:10]!r} in layer {str(layer)[:20]}")
    shape = (net.weights if kind == "W" else net.biases)[layer].shape
    if (not isinstance(index, list) or len(index) != len(shape)
            or not all(is_int(i) and 0 <= i < n for i, n in zip(index, shape))):
        raise fail(f"{where}: index {str(index)[:40]} is not in {kind}[{layer}] of shape {shape}")
    for value in (old, new):
        if not (is_num(value) and math.isfinite(value)):
            raise fail(f"{where}: the old and new values must be finite numbers")
    return Edit(step, layer, kind, tuple(index), float(old), float(new))


def _counters(d: dict, n: int) -> dict:
    """The trainer's counters, consistent with each other: epochs_done is the whole epochs
    in samples_seen (samples_seen // n for a run whose rows never changed; from its
    epoch_origin on, the epochs whose end ``Trainer.epoch_end`` it reached: the trainer
    counts epochs up to it one by one after each step)."""
    out = {"step_count": count(d, "step_count", "trainer", _BIG),
           "samples_seen": count(d, "samples_seen", "trainer", _BIG),
           "epoch_loss_sum": need(d, "epoch_loss_sum", "num", "trainer"),
           "epoch_loss_steps": count(d, "epoch_loss_steps", "trainer", _BIG),
           "epochs_done": count(d, "epochs_done", "trainer", _BIG),
           "last_eval_samples": count(d, "last_eval_samples", "trainer", _BIG, lo=-_BIG)}
    origin = out["epoch_origin"] = _epoch_origin(d, out["samples_seen"])
    if out["epochs_done"] != whole_epochs(origin, n, out["samples_seen"]):
        raise fail(f"trainer: epochs_done {out['epochs_done']} does not match samples_seen "
                   f"{out['samples_seen']} of {n} training rows")
    if out["last_eval_samples"] > out["samples_seen"]:
        raise fail("trainer: last_eval_samples is after samples_seen")
    if out["step_count"] > out["samples_seen"]:
        raise fail("trainer: step_count is more than samples_seen (a step sees a sample or more)")
    if out["epoch_loss_steps"] > out["step_count"]:
        raise fail("trainer: epoch_loss_steps is more than step_count")
    if "epoch_loss_parts" in d:  # (files before it: the rounded sum stands for them)
        parts = need(d, "epoch_loss_parts", "list", "trainer")
        if len(parts) > MAX_LOSS_PARTS or not all(is_num(p) for p in parts):
            raise fail(f"trainer: epoch_loss_parts must be at most {MAX_LOSS_PARTS} numbers")
        out["epoch_loss_parts"] = [float(p) for p in parts]
    return out


def _stop_conditions(d: dict) -> dict:
    """max_steps, max_epochs and target_loss within the configuration table's limits."""
    return {k: declared(k, need(d, k, kind, "trainer"), "trainer")
            for k, kind in (("max_steps", "int?"), ("max_epochs", "num?"),
                            ("target_loss", "num?"))}


def _distributions_in(ar, m: dict, trainer: Trainer) -> dict:
    """The recorded bands (files before them: none). Their sense: the configuration's capacity
    and base interval; an interval base * 2^k; records at multiples of it, none after the
    trainer's step (checked by ``Trainer.load_state_dict``); each band sorted (percentiles
    rise), magnitudes and norms >= 0, no NaN."""
    rec = trainer.distributions
    if "distributions" not in m:  # saved before distributions were recorded
        return DistributionRecorder(rec.n_layers, rec.capacity, rec.base).state_dict()
    d = need(m, "distributions", "dict", "manifest")
    where = "distributions"
    out = {"capacity": count(d, "capacity", where, rec.capacity, lo=rec.capacity),
           "base": count(d, "base", where, rec.base, lo=rec.base),
           "every": count(d, "every", where, _BIG, lo=rec.base),
           "first": count(d, "first", where, _BIG)}
    out["n"] = count(d, "n", where, rec.capacity - 1)
    every = out["every"]
    if every & (every - 1) or out["first"] % every or (out["n"] and not out["first"]):
        raise fail(f"{where}: records at step {out['first']} every {every} steps do not fit "
                   f"(a power of two of at least {rec.base}, records at its multiples)")
    if out["n"] and out["first"] + (out["n"] - 1) * every > _BIG:
        raise fail(f"{where}: records beyond the largest step")
    n, L, k = out["n"], rec.n_layers, len(PERCENTILES)
    for name in DIST_FIELDS:
        shape = (n, L) if name == "grad_norm" else (n, L, k)
        a = ar.array(f"distributions/{name}.npy", shape=shape, dtype="float64")
        if np.isnan(a).any():
            raise fail(f"{where}: {name} holds NaN values")
        if name != "grad_norm" and np.any(np.diff(a, axis=-1) < 0):
            raise fail(f"{where}: {name} percentiles must rise from 0% to 100%")
        if name in ("grad_abs", "grad_norm") and np.any(a < 0):
            raise fail(f"{where}: {name} must be >= 0")
        out[name] = a
    return out
