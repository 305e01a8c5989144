"""Networks nnviz did not make, and nnviz networks for other tools.

Reading (``load_network``): a ``.safetensors`` file (a format that holds only tensors and a
string table, so it cannot carry code), nnviz's own ``.npz`` export (``export.py``), or a
PyTorch ``state_dict`` file read with ``torch.load(..., weights_only=True)`` when torch is
installed. The tensors must be those of an ``nn.Sequential`` of ``Linear`` layers (activations
hold no tensors)::

    "<prefix>.weight": (n_out, n_in)   "<prefix>.bias": (n_out,)   (bias optional: zeros)

layers ordered by their prefix in natural order ("0" < "2" < "10", "fc1" < "fc2"); nnviz's
W[l] = weight.T, so ``z = a @ W + b`` equals torch's ``x @ weight.T + bias``. Activations and
the task come from the file's metadata (safetensors ``__metadata__["nnviz"]``, the JSON below),
otherwise from the caller (``activation`` for hidden layers: one name, or one per layer
comma-separated; ``output`` for the last).

Writing: ``export_safetensors`` writes ``"{2l}.weight"`` = W[l].T and ``"{2l}.bias"`` (the
names ``nn.Sequential(Linear, act, Linear, act, ...)`` gives them) and, as
``__metadata__["nnviz"]``, the JSON ``export.weights_meta`` gives the ``.npz`` export (sizes,
activations, dtype, scaling, task, feature/class/target names, outputs).

``export_torch`` writes that file and, beside it, a runnable ``.py`` building the same
``nn.Sequential`` and loading it (``TORCH_TEMPLATE``).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnviz.engine.activations import ACTIVATIONS
from nnviz.engine.network import Network
from nnviz.errors import ConfigError, NNVizError, SessionFileError
from nnviz.inputfile import NotRegularFile, read_capped
from nnviz.session.atomic import atomic_write
from nnviz.session.export import WEIGHTS_FORMAT, _parts, load_weights, weights_meta
from nnviz.session.format import to_json_value
from nnviz.session.state import MAX_LAYERS, MAX_PARAMS

#: largest weights file read (MAX_PARAMS float64 values and room for headers)
MAX_FILE_BYTES = MAX_PARAMS * 8 + 64 * 2**20
#: largest safetensors JSON header (the format's own limit is 100 MB; ours holds ~130 names)
MAX_HEADER_BYTES = 16 * 2**20
#: output activation -> the task it implies when the file does not say
OUTPUT_TASK = {"softmax": "multiclass", "sigmoid": "binary", "identity": "regression"}
_CONV = {3: "Conv1d", 4: "Conv2d", 5: "Conv3d"}
_NORM = re.compile(r"\.(running_mean|running_var|num_batches_tracked)\Z")


@dataclass(frozen=True)
class LoadedNetwork:
    """A network read from a file, and what the file said about it (None/() if nothing)."""

    net: Network
    kind: str  # "safetensors", "npz" or "torch"
    task: str | None = None
    feature_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()
    x_scaling: dict | None = field(default=None, compare=False)
    y_scaling: dict | None = field(default=None, compare=False)


# ---------------------------------------------------------------------- reading
def load_network(path: str | os.PathLike, activation: str | None = None,
                 output: str | None = None) -> LoadedNetwork:
    """The network in ``path`` (kind from its first bytes, not its name). ``activation`` /
    ``output`` name the hidden and output activations when the file does not; the file's
    own metadata wins. SessionFileError (one line naming the file and the problem) for
    anything else, ConfigError for a missing or unknown activation."""
    label = str(path)
    try:
        data = read_capped(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise SessionFileError(f"{label}: no such file") from None
    except NotRegularFile as exc:
        raise SessionFileError(f"{label}: is {exc.strerror}") from None
    except OSError as exc:
        raise SessionFileError(f"{label}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SessionFileError(f"{label}: larger than {MAX_FILE_BYTES // 2**20} MB")
    if len(data) < 8:
        raise SessionFileError(f"{label}: empty or truncated ({len(data)} bytes)")
    if data[:2] == b"PK":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
                NotImplementedError):  # "zip file version 12.8" from a flipped byte
            raise SessionFileError(f"{label}: a damaged zip archive (truncated or corrupt)"
                                   ) from None
        if any(n.endswith("data.pkl") for n in names):
            tensors, meta = _read_torch(data, label), None
        else:
            return _from_npz(path, label)
    elif data[:1] == b"\x80" and data[8:9] != b"{":  # a pickle (torch's legacy format),
        # not a safetensors header whose length's first byte happens to be 0x80
        tensors, meta = _read_torch(data, label), None
    else:
        tensors, meta = _read_safetensors(data, label)
    return network_from_tensors(tensors, meta, label, activation, output,
                                "torch" if meta is None else "safetensors")


def _from_npz(path, label: str) -> LoadedNetwork:
    net = load_weights(path)
    return LoadedNetwork(net, "npz", OUTPUT_TASK.get(net.activations[-1].name))


def _read_safetensors(data: bytes, label: str) -> tuple[dict[str, np.ndarray], dict]:
    """(tensors in file order, the nnviz metadata or {}) of a safetensors file's bytes."""
    bad = f"{label}: not a safetensors, PyTorch or nnviz .npz file"
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES or data[8:9] != b"{":
        raise SessionFileError(bad)
    if 8 + n > len(data):
        raise SessionFileError(f"{label}: truncated safetensors file (header of {n} bytes, "
                               f"file of {len(data)})")
    try:
        header = json.loads(data[8:8 + n])
    except (ValueError, RecursionError):
        raise SessionFileError(f"{label}: corrupt safetensors header (not JSON)") from None
    if not isinstance(header, dict):
        raise SessionFileError(f"{label}: corrupt safetensors header (not a JSON object)")
    meta = header.get("__metadata__") or {}
    nnviz_meta = {}
    if isinstance(meta, dict) and isinstance(meta.get("nnviz"), str):
        try:
            nnviz_meta = json.loads(meta["nnviz"])
        except (ValueError, RecursionError):
            raise SessionFileError(f"{label}: its nnviz metadata is not JSON") from None
        if not isinstance(nnviz_meta, dict) or nnviz_meta.get("format") != WEIGHTS_FORMAT:
            raise SessionFileError(f"{label}: its nnviz metadata is not nnviz-weights")
    for key, info in header.items():
        if key == "__metadata__":
            continue
        dtype = info.get("dtype") if isinstance(info, dict) else None
        if dtype not in ("F64", "F32", "F16", "BF16"):
            raise SessionFileError(f"{label}: tensor {key!r} is {dtype}, not floating point")
        if dtype == "BF16":
            raise SessionFileError(f"{label}: tensor {key!r} is bfloat16, which numpy cannot "
                                   "hold: save it as float32")
    from safetensors import SafetensorError
    from safetensors.numpy import load

    try:
        arrays = load(data)
    except (SafetensorError, ValueError, TypeError, KeyError, OverflowError) as exc:
        raise SessionFileError(f"{label}: corrupt safetensors file: "
                               f"{str(exc).splitlines()[0][:200] if str(exc) else 'bad data'}"
                               ) from None
    order = [k for k in header if k != "__metadata__"]
    return {k: arrays[k] for k in order if k in arrays}, nnviz_meta


def _read_torch(data: bytes, label: str) -> dict[str, np.ndarray]:
    """The tensors of a PyTorch state_dict file's bytes, loaded weights-only (no code runs)."""
    try:
        import torch
    except ImportError:
        raise SessionFileError(f"{label}: a PyTorch file: install torch to open it (pip "
                               "install 'nnviz-app[torch]'), or save it as .safetensors"
                               ) from None
    try:
        obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise SessionFileError(f"{label}: not a weights-only state_dict (loading it would run "
                               "code): save model.state_dict() instead") from None
    except Exception:  # torch raises RuntimeError, EOFError, ValueError... on damaged files
        raise SessionFileError(f"{label}: a PyTorch file that cannot be read "
                               "(truncated or corrupt)") from None
    if not isinstance(obj, dict):
        raise SessionFileError(f"{label}: holds a {type(obj).__name__}, not a state_dict")
    tensors = {}
    for key, value in obj.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise SessionFileError(f"{label}: {str(key)[:80]!r} is not a tensor (a checkpoint? "
                                   "save model.state_dict() alone)")
        if not value.is_floating_point() and not _NORM.search(key):
            raise SessionFileError(f"{label}: tensor {key!r} is {value.dtype}, "
                                   "not floating point")
        if value.is_floating_point():
            value = value.detach().to(torch.float64)
        tensors[key] = value.cpu().numpy()
    return tensors


def _natural(prefix: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", prefix))


def network_from_tensors(tensors: dict[str, np.ndarray], meta: dict | None, label: str,
                         activation: str | None = None, output: str | None = None,
                         kind: str = "safetensors") -> LoadedNetwork:
    """A LoadedNetwork from a state_dict's tensors (layout in the module docstring)."""
    meta = meta or {}
    layers: dict[str, dict[str, np.ndarray]] = {}
    for key, t in tensors.items():
        if _NORM.search(key):
            raise SessionFileError(f"{label}: {key!r} belongs to a BatchNorm layer: only "
                                   "Linear layers and activations can be opened")
        prefix, _, part = key.rpartition(".")
        if part not in ("weight", "bias"):
            raise SessionFileError(f"{label}: {key!r} is not a Linear layer's weight or bias")
        if not np.isfinite(t).all():
            raise SessionFileError(f"{label}: tensor {key!r} holds NaN or infinity")
        layers.setdefault(prefix, {})[part] = t
    if not layers:
        raise SessionFileError(f"{label}: holds no tensors")
    if len(layers) > MAX_LAYERS:
        raise SessionFileError(f"{label}: {len(layers)} layers, at most {MAX_LAYERS}")
    params, sizes = [], []
    for prefix in sorted(layers, key=_natural):
        name = f"{prefix}.weight" if prefix else "weight"
        W, b = layers[prefix].get("weight"), layers[prefix].get("bias")
        if W is None:
            raise SessionFileError(f"{label}: {prefix or 'bias'!r} has a bias but no weight")
        if W.ndim != 2:
            what = (f"{_CONV[W.ndim]} weights ({W.ndim}-D)" if W.ndim in _CONV else
                    f"a {W.ndim}-D weight (a normalisation layer?)")
            raise SessionFileError(f"{label}: {name!r} is {what}: only Linear layers "
                                   "(2-D weights) can be opened")
        n_out, n_in = W.shape
        if sizes and n_in != sizes[-1]:
            raise SessionFileError(
                f"{label}: shapes do not chain: {name!r} takes {n_in} inputs but the layer "
                f"before gives {sizes[-1]}")
        if b is not None and b.shape != (n_out,):
            raise SessionFileError(f"{label}: {prefix}.bias has shape {b.shape}, "
                                   f"expected ({n_out},)")
        if not sizes:
            sizes.append(n_in)
        sizes.append(n_out)
        params += [np.array(W.T), np.array(b) if b is not None else np.zeros(n_out)]
    if sum((a + 1) * c for a, c in zip(sizes, sizes[1:])) > MAX_PARAMS:
        raise SessionFileError(f"{label}: more than {MAX_PARAMS:,} parameters")
    if meta.get("sizes") not in (None, sizes):
        raise SessionFileError(f"{label}: its metadata says sizes {meta.get('sizes')}, the "
                               f"tensors give {sizes}")
    acts = _activations(meta, len(sizes) - 1, label, activation, output)
    dtype = meta.get("dtype") if meta.get("dtype") in ("float32", "float64") else "float64"
    try:
        net = Network(sizes, activations=acts, dtype=dtype, seed=0)
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc}") from None
    net.set_params([p.astype(net.dtype) for p in params])
    task = meta.get("task")
    return LoadedNetwork(
        net, kind, task if task in ("regression", "binary", "multiclass")
        else OUTPUT_TASK.get(acts[-1]),
        _names(meta, "feature_names"), _names(meta, "class_names"),
        meta.get("x_scaling") if isinstance(meta.get("x_scaling"), dict) else None,
        meta.get("y_scaling") if isinstance(meta.get("y_scaling"), dict) else None)


def _names(meta: dict, key: str) -> tuple[str, ...]:
    v = meta.get(key)
    return tuple(v) if isinstance(v, list) and all(isinstance(s, str) for s in v) else ()


def _activations(meta: dict, n_layers: int, label: str, activation: str | None,
                 output: str | None) -> list[str]:
    acts = meta.get("activations")
    if acts is not None:
        if not (isinstance(acts, list) and len(acts) == n_layers
                and all(isinstance(a, str) and a in ACTIVATIONS for a in acts)):
            raise SessionFileError(f"{label}: bad activations in its metadata")
        return acts
    missing = [flag for flag, value, needed in (("--activation (hidden layers)", activation,
                                                  n_layers > 1),
                                                 ("--output (output layer)", output, True))
               if needed and value is None]
    if missing:
        raise ConfigError(f"{label}: the file does not name its activations: give "
                          f"{' and '.join(missing)}")
    hidden = activation.split(",") if activation else []
    if len(hidden) == 1:
        hidden *= n_layers - 1
    if len(hidden) != n_layers - 1:
        raise ConfigError(f"--activation: {len(hidden)} names for {n_layers - 1} hidden layers")
    for flag, value in [*(("--activation", a) for a in hidden), ("--output", output)]:
        if value not in ACTIVATIONS:
            raise ConfigError(f"{flag}: unknown activation {value!r}; choose one of "
                              f"{', '.join(ACTIVATIONS)}")
    return [*hidden, output]


# ---------------------------------------------------------------------- writing
def safetensors_bytes(experiment_or_net) -> bytes:
    """The ``.safetensors`` file of an Experiment's or a Network's parameters."""
    from safetensors.numpy import save

    net, _ = _parts(experiment_or_net)
    tensors = {}
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        tensors[f"{2 * l}.weight"] = np.ascontiguousarray(W.T)
        tensors[f"{2 * l}.bias"] = np.ascontiguousarray(b)
    meta = json.dumps(to_json_value(weights_meta(experiment_or_net)), allow_nan=False)
    return save(tensors, metadata={"nnviz": meta})


def export_safetensors(path: str | os.PathLike, experiment_or_net) -> Path:
    """Write the parameters as ``.safetensors`` with nnviz metadata (module docstring)."""
    data = safetensors_bytes(experiment_or_net)
    return atomic_write(path, lambda f: f.write(data), "weights")


#: activation name -> the torch module that computes it (nnviz's leaky_relu slope is 0.01)
TORCH_MODULES = {"sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()",
                 "leaky_relu": "nn.LeakyReLU(0.01)", "identity": "nn.Identity()",
                 "softmax": "nn.Softmax(dim=-1)"}

TORCH_TEMPLATE = '''\
"""A PyTorch copy of a network trained in nnviz: {sizes}, activations {acts}.

Its weights are in {weights} beside this file (W of Linear layer l: "{{2l}}.weight", (out, in)).
    python {script} < inputs.csv     prints one row of outputs per row of inputs
    from {module} import predict     predict(x): (batch, {n_in}) inputs in the data's units
Needs torch and safetensors (pip install torch safetensors).
"""

import json
import sys
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn

WEIGHTS = Path(__file__).resolve().with_name({weights!r})
with safe_open(WEIGHTS, framework="pt") as f:
    META = json.loads(f.metadata()["nnviz"])
DTYPE = {{"float64": torch.float64, "float32": torch.float32}}[META["dtype"]]
ACTIVATIONS = {{{modules}}}


def build_model() -> nn.Sequential:
    """Linear, activation, Linear, activation, ... with the exported weights loaded."""
    layers = []
    sizes = META["sizes"]
    for n_in, n_out, act in zip(sizes, sizes[1:], META["activations"]):
        layers += [nn.Linear(n_in, n_out, dtype=DTYPE), ACTIVATIONS[act]()]
    model = nn.Sequential(*layers)
    model.load_state_dict(load_file(WEIGHTS))
    return model.eval()


MODEL = build_model()


def _scaling(name):
    s = META.get(name)
    if not s:
        return None
    return (torch.tensor(s["center"], dtype=DTYPE), torch.tensor(s["scale"], dtype=DTYPE))


X_SCALING, Y_SCALING = _scaling("x_scaling"), _scaling("y_scaling")


def predict(x) -> torch.Tensor:
    """Outputs (batch, n_out) in the data's units for inputs x (batch, n_in) in its units:
    x_net = (x - center) / scale; y = y_net * scale + center (as nnviz scaled them)."""
    x = torch.as_tensor(x, dtype=DTYPE)
    if X_SCALING is not None:
        x = (x - X_SCALING[0]) / X_SCALING[1]
    with torch.no_grad():
        y = MODEL(x)
    if Y_SCALING is not None:
        y = y * Y_SCALING[1] + Y_SCALING[0]
    return y


if __name__ == "__main__":
    rows = [[float(v) for v in line.split(",")] for line in sys.stdin if line.strip()]
    if rows:
        for out in predict(rows).tolist():
            print(",".join(repr(v) for v in out))
'''


def torch_script(script_name: str, weights_name: str, experiment_or_net) -> str:
    """The text of the runnable PyTorch script (``TORCH_TEMPLATE``)."""
    net, _ = _parts(experiment_or_net)
    modules = ", ".join(f'"{k}": lambda: {v}' for k, v in TORCH_MODULES.items())
    return TORCH_TEMPLATE.format(
        sizes=list(net.sizes), acts=", ".join(a.name for a in net.activations),
        weights=weights_name, script=script_name, module=Path(script_name).stem,
        n_in=net.sizes[0], modules=modules)


def torch_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """(script, weights) ``export_torch`` writes for ``path``: ``.py`` added if missing, the
    weights beside it; NNVizError unless the script's name can be imported."""
    script = Path(path)
    if script.suffix != ".py":
        script = script.with_name(script.name + ".py")
    if not re.fullmatch(r"[A-Za-z_]\w*", script.stem):
        raise NNVizError(f"{script.name}: a script name must be a Python identifier "
                         "(letters, digits, _) so it can be imported")
    return script, script.with_suffix(".safetensors")


def export_torch(path: str | os.PathLike, experiment_or_net) -> tuple[Path, Path]:
    """Write a runnable PyTorch script at ``path`` (``.py`` added if missing) and its weights
    as ``.safetensors`` beside it; returns (script, weights)."""
    script, weights = torch_paths(path)
    data = safetensors_bytes(experiment_or_net)
    text = torch_script(script.name, weights.name, experiment_or_net).encode("utf-8")
    atomic_write(weights, lambda f: f.write(data), "weights")
    atomic_write(script, lambda f: f.write(text), "script")
    return script, weights


# ---------------------------------------------------------------------- a run from a file
def build_from_network(config, loaded: LoadedNetwork, dataset=None):
    """An Experiment on ``config``'s data (or ``dataset``) whose network starts from
    ``loaded``'s weights: hidden sizes, activations and dtype from the file; input and output
    sizes must match the data's features and outputs (ConfigError saying how they differ).
    A file with nnviz metadata also sets the scaling kind it was trained with."""
    from nnviz.experiment import build, load_dataset

    net = loaded.net
    acts = [a.name for a in net.activations]
    changes = dict(hidden=tuple(net.sizes[1:-1]), activations=tuple(acts[:-1]) or None,
                   output=acts[-1], dtype=np.dtype(net.dtype).name, description="")
    if loaded.kind != "torch" and loaded.x_scaling is not None:
        changes["scaling"] = loaded.x_scaling.get("kind", config.scaling)
    if acts[:-1]:
        changes["activation"] = acts[0]
    config = config.replace(**changes)
    ds = dataset if dataset is not None else load_dataset(config)
    if (ds.n_features, ds.n_outputs) != (net.sizes[0], net.sizes[-1]):
        raise ConfigError(
            f"the network takes {net.sizes[0]} inputs and gives {net.sizes[-1]} outputs; the "
            f"data {ds.name!r} has {ds.n_features} features and {ds.n_outputs} outputs")
    exp = build(config, dataset=ds)
    exp.net.set_params([p.copy() for p in net.get_params()])
    exp.trainer.reload()
    return exp
