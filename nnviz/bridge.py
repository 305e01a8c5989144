"""A person's own network, data and trainer as an ``Experiment`` the window can adopt (Qt-free).

``nnviz.show(net, X, Y)`` and ``nnviz.watch(trainer)`` (``nnviz/__init__.py``) build here,
check everything before any window opens, then hand the experiment to the window the way a
reopened session is handed (``TrainingController.adopt``)::

    exp = from_network(net, X, Y, lr=0.5, batch_size=None)   # trains net itself, in place
    exp = from_trainer(trainer)                              # trains trainer itself

The experiment holds the caller's own objects (``exp.net is net``): what the window trains is
what the caller reads afterwards. Its ``TrainingConfig`` describes the run honestly (dataset
``ARRAYS``, the network's sizes, activations, initialiser and dtype, the trainer's loss,
optimiser, rate, batch, order and stop condition), so the control panel shows it and a session
file can save and reopen it; a setting outside the configuration table's limits is a one-line
ConfigError naming the field.

Data: X (n, n_in) numbers, Y (n, n_out) or (n,) numbers, finite; a numpy masked array with
masked values is refused (one line naming the first), never read as if unmasked. The task is
the one given, else the loss's (cross_entropy: multiclass, binary_cross_entropy: binary),
else the output activation's: softmax -> multiclass (Y one-hot (n, k), or labels 0..k-1 of
shape (n,)), sigmoid with 0/1 targets -> binary, anything else -> regression. Scaling is
"none" unless asked: the caller's network sees the caller's numbers, bit for bit.
"""

from __future__ import annotations

import numpy as np

from nnviz.config import (
    ARRAYS,
    MAX_INT,
    SETTINGS,
    STOP_FIELDS,
    TASK_LOSS,
    TrainingConfig,
    check_run_size,
    optimizer_settings,
)
from nnviz.data import TASKS, Dataset, Prepared, Scaler, prepare
from nnviz.data.dataset import frozen, one_hot
from nnviz.engine import Network, Trainer
from nnviz.engine.losses import LOSSES, get_loss
from nnviz.errors import ConfigError, DataError
from nnviz.experiment import Experiment, make_trainer

#: ``from_network`` keywords that are TrainingConfig fields (the rest of the table comes from
#: the network: sizes, activations, initialiser, dtype)
RUN_OPTIONS = ("test_ratio", "split_seed", "scaling", "loss", "seed", "optimizer", "lr",
               "momentum", "beta1", "beta2", "eps", "l1", "l2", "batch_size", "order",
               "cumulative_every", *STOP_FIELDS, "description")
#: ``from_network`` keywords that describe the data
DATA_OPTIONS = ("task", "feature_names", "class_names", "target_names")
#: what ``from_network`` uses for an option not given: the configuration table's defaults,
#: except that every row trains (no test split) and nothing is scaled
DEFAULTS = {**{name: getattr(TrainingConfig(), name) for name in RUN_OPTIONS},
            "test_ratio": 0.0, "scaling": "none"}
#: the most characters of a feature, class or target name
MAX_NAME = 200


# ---------------------------------------------------------------------------- checks
def _array(A, what: str) -> np.ndarray:
    """``A`` as a float64 array of finite numbers (DataError naming ``what`` otherwise). A
    numpy masked array with masked entries is refused (its masked values are not data, and
    ``np.asarray`` would train on whatever they hold); one with none is its data."""
    if isinstance(A, (str, bytes, dict)) or A is None:
        raise DataError(f"{what} must be an array of numbers, got {type(A).__name__}")
    if isinstance(A, np.ma.MaskedArray):
        masked = np.ma.getmaskarray(A)
        if masked.any():
            where = tuple(int(i) + 1 for i in np.argwhere(masked)[0])
            place = f"row {where[0]}" + (f", column {where[1]}" if masked.ndim == 2 else "")
            raise DataError(f"{what} is a masked array with {int(masked.sum())} masked "
                            f"value(s), the first at {place}: fill them "
                            f"({what}.filled(value)) or drop their rows first")
        A = np.ma.getdata(A)
    try:
        arr = np.asarray(A)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise DataError(f"{what} must be an array of numbers: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{what} must hold real numbers, got an array of {arr.dtype}")
    if arr.ndim not in (1, 2):
        raise DataError(f"{what} must be 1-D or 2-D, got shape {arr.shape}")
    if arr.size == 0:
        raise DataError(f"{what} is empty (shape {arr.shape})")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) + 1 for i in np.argwhere(bad)[0])
        place = f"row {where[0]}" + (f", column {where[1]}" if arr.ndim == 2 else "")
        raise DataError(f"{what} holds {arr[bad][0]} at {place}: only finite numbers train")
    return arr


def check_network(net) -> Network:
    """``net`` if it is a usable Network: arrays of its sizes and dtype, finite."""
    if not isinstance(net, Network):
        raise ConfigError(f"net must be an nnviz.engine.Network, got {type(net).__name__}")
    sizes = net.sizes
    for l in range(len(sizes) - 1):
        for kind, arrays, shape in (("weights", net.weights, (sizes[l], sizes[l + 1])),
                                    ("biases", net.biases, (sizes[l + 1],))):
            a = arrays[l] if l < len(arrays) else None
            if not isinstance(a, np.ndarray) or a.shape != shape or a.dtype != net.dtype:
                got = "missing" if a is None else (
                    f"{getattr(a, 'shape', '?')} {getattr(a, 'dtype', type(a).__name__)}")
                raise ConfigError(f"net.{kind}[{l}] must be a {shape} {net.dtype} array for "
                                  f"sizes {list(sizes)}, got {got}")
            if not np.isfinite(a).all():
                raise ConfigError(f"net.{kind}[{l}] holds NaN or inf: only finite weights train")
    if len(net.weights) != len(sizes) - 1 or len(net.biases) != len(sizes) - 1:
        raise ConfigError(f"net has {len(net.weights)} weight and {len(net.biases)} bias "
                          f"arrays for {len(sizes) - 1} layers")
    return net


def _names(names, n: int, what: str, default) -> tuple[str, ...]:
    if names is None:
        return tuple(default)
    if isinstance(names, str) or not all(isinstance(s, str) for s in names):
        raise DataError(f"{what} must be a list of {n} names (text), got {names!r:.60}")
    names = tuple(names)
    if len(names) != n or any(not s or len(s) > MAX_NAME for s in names):
        raise DataError(f"{what} must be {n} names of 1 to {MAX_NAME} characters, "
                        f"got {len(names)}")
    return names


def infer_task(output: str, Y: np.ndarray, loss: str | None = None) -> str:
    """The task of targets ``Y`` for a network with this ``output`` activation and ``loss``
    (see the module docstring)."""
    if loss == "cross_entropy" or (loss is None and output == "softmax"):
        return "multiclass"
    if loss == "binary_cross_entropy":
        return "binary"
    one_column = Y.ndim == 1 or Y.shape[1] == 1
    if output == "sigmoid" and one_column and np.isin(Y, (0.0, 1.0)).all():
        return "binary"
    return "regression"


def targets(Y: np.ndarray, task: str, n_out: int) -> np.ndarray:
    """``Y`` as the (n, n_out) targets of ``task`` (labels 0..k-1 become one-hot rows);
    DataError (one line) for targets the task has no meaning for."""
    if task == "multiclass" and (Y.ndim == 1 or Y.shape[1] == 1) and n_out > 1:
        labels = Y.ravel()
        bad = (labels != np.round(labels)) | (labels < 0) | (labels >= n_out)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(f"Y: labels of {n_out} classes are whole numbers 0 to "
                            f"{n_out - 1}, got {labels[i]:g} in row {i + 1}")
        return one_hot(labels.astype(np.int64), n_out)
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if Y.shape[1] != n_out:
        raise DataError(f"Y has {Y.shape[1]} column(s) but the network has {n_out} output(s)")
    if task == "binary":
        bad = (Y < 0) | (Y > 1)
        what = "0/1 labels or probabilities"
    elif task == "multiclass":
        bad = (Y < 0).any(axis=1) | (np.abs(Y.sum(axis=1) - 1.0) > 1e-6)
        what = "rows that are one-hot (or probabilities summing to 1)"
    else:
        return Y
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise DataError(f"Y: a {task} target needs {what}; row {i + 1} is "
                        f"{np.array2string(Y[i, :6], precision=4)}")
    return Y


def _default_loss(task: str, output: str) -> str:
    """The task's loss if the output activation suits it, else the half squared error."""
    loss = TASK_LOSS[task]
    needs = get_loss(loss).requires_output
    return loss if needs is None or needs == output else "half_squared_error"


def _config(net: Network, **fields) -> TrainingConfig:
    """The configuration of a run on ``net`` (its architecture) with ``fields``; ConfigError
    naming the field if anything is outside the table's limits."""
    acts = net.activation_names
    hidden_acts = acts[:-1]
    arch = dict(hidden=tuple(net.sizes[1:-1]), output=acts[-1],
                activations=hidden_acts or None, init=getattr(net, "init", "xavier"),
                dtype=net.dtype.name)
    if hidden_acts:
        arch["activation"] = hidden_acts[0]
    try:
        config = TrainingConfig(dataset=ARRAYS, **arch, **fields)
    except TypeError as exc:  # (an unknown keyword is caught by the callers first)
        raise ConfigError(str(exc)) from None
    config.validate()
    check_run_size(net.sizes, 0, 0)
    return config


# ---------------------------------------------------------------------------- builders
#: what a run on arrays is called when its caller gives no name (the window's title)
DEFAULT_NAME = "your arrays"


def _name(name) -> str:
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        raise ConfigError(f"title must be text of 1 to {MAX_NAME} characters, got {name!r:.60}")
    return name


def from_network(net: Network, X, Y, name: str = DEFAULT_NAME, **options) -> Experiment:
    """An experiment training ``net`` itself (in place) on X (n, n_in) and Y (see the module
    docstring), with a Trainer made as ``build`` makes one (``make_trainer``).

    ``name``: what the window calls the data (its title). options: ``task``,
    ``feature_names`` (n_in), ``class_names``, ``target_names``; and the
    configuration fields ``RUN_OPTIONS`` (default ``DEFAULTS``: the table's, but no test
    split and no scaling). With the defaults it trains exactly as
    ``Trainer(net, X, Y, loss=..., lr=0.1, batch_size=10, seed=0)`` would in plain Python.
    """
    net = check_network(net)
    name = _name(name)
    unknown = sorted(set(options) - set(RUN_OPTIONS) - set(DATA_OPTIONS))
    if unknown:
        fromnet = [n for n in unknown if n in SETTINGS]
        if fromnet:
            raise ConfigError(f"{', '.join(fromnet)}: comes from the network itself "
                              f"({net!r:.80}), not an option")
        raise ConfigError(f"unknown option(s) {', '.join(unknown)}; the options are "
                          f"{', '.join(DATA_OPTIONS + RUN_OPTIONS)}")
    n_in, n_out = net.sizes[0], net.sizes[-1]
    X = _array(X, "X")
    if X.ndim == 1:
        if n_in != 1:
            raise DataError(f"X must be (n, {n_in}) for a network of {n_in} inputs, got "
                            f"shape {X.shape}")
        X = X.reshape(-1, 1)
    if X.shape[1] != n_in:
        raise DataError(f"X has {X.shape[1]} column(s) but the network takes {n_in} input(s)")
    Y = _array(Y, "Y")
    if len(Y) != len(X):
        raise DataError(f"X has {len(X)} rows but Y has {len(Y)}")
    output = net.activation_names[-1]
    loss = options.get("loss")
    if loss is not None and loss not in LOSSES:
        raise ConfigError(SETTINGS["loss"].message(loss))
    if loss is not None:
        get_loss(loss).check_output(output)
    task = options.get("task")
    if task is None:
        task = infer_task(output, Y, loss)
    elif task not in TASKS:
        raise ConfigError(f"task: unknown {task!r:.40} (task must be one of {', '.join(TASKS)})")
    Y = targets(Y, task, n_out)
    run = {name: options.get(name, DEFAULTS[name]) for name in RUN_OPTIONS}
    if run["loss"] is None:
        run["loss"] = _default_loss(task, output)
    config = _config(net, **run)
    ds = _dataset(X, Y, task, net, options, config.description, name)
    check_run_size(net.sizes, ds.X.size, ds.Y.size)
    prepared = prepare(ds, test_ratio=config.test_ratio, seed=config.split_seed,
                       scaling=config.scaling)
    return Experiment(config, ds, prepared, net, make_trainer(config, net, prepared))


def _dataset(X, Y, task, net, options, description: str, name: str) -> Dataset:
    n_in, n_out = X.shape[1], Y.shape[1]
    features = _names(options.get("feature_names"), n_in, "feature_names",
                      [f"x{j + 1}" for j in range(n_in)])
    n_classes = 2 if task == "binary" else n_out
    classes = () if task == "regression" else _names(
        options.get("class_names"), n_classes, "class_names", [str(k) for k in range(n_classes)])
    target_names = _names(options.get("target_names"), n_out, "target_names",
                          ["y"] if n_out == 1 else [f"y{k + 1}" for k in range(n_out)]) \
        if task == "regression" else ("class",)
    try:
        return Dataset(name=name, X=X, Y=Y, task=task, feature_names=features,
                       target_name=target_names[0] if len(target_names) == 1 else "y",
                       target_names=target_names if task == "regression" else (),
                       class_names=classes, description=description,
                       source="Python arrays", default_scaling="none")
    except DataError as exc:
        raise DataError(str(exc).replace(f"dataset {name!r}: ", "")) from None


def from_trainer(trainer: Trainer, name: str = DEFAULT_NAME) -> Experiment:
    """An experiment on ``trainer`` itself (its network, rows, optimiser, sampler, history):
    what the window trains continues exactly what ``trainer.run`` would do. Its rows are
    shown as they are (scaling "none"); test rows, if any, follow the training rows."""
    if not isinstance(trainer, Trainer):
        raise ConfigError(f"trainer must be an nnviz.engine.Trainer, got "
                          f"{type(trainer).__name__}")
    net = check_network(trainer.net)
    name = _name(name)
    trainer.sync()
    order = trainer.sampler.order
    if order not in SETTINGS["order"].choices:
        raise ConfigError(f"order: the window trains in one of "
                          f"{', '.join(SETTINGS['order'].choices)} orders, not an explicit "
                          "index sequence")
    stops = [k for k in STOP_FIELDS if getattr(trainer, k) is not None]
    if len(stops) > 1:
        raise ConfigError(f"{', '.join(stops)}: the window takes at most one stop condition")
    opt = trainer.optimizer
    has_test = trainer.X_test is not None
    X_test = trainer.X_test if has_test else np.zeros((0, net.sizes[0]))
    Y_test = trainer.Y_test if has_test else np.zeros((0, net.sizes[-1]))
    n, t = len(trainer.X), len(X_test)
    fields = dict(
        test_ratio=round(t / (n + t), 2), scaling="none", loss=trainer.loss_fn.name,
        seed=net.seed if isinstance(net.seed, int) and 0 <= net.seed <= MAX_INT else 0,
        legacy_rng=isinstance(trainer.sampler.rng, np.random.RandomState),
        optimizer=opt.name, lr=opt.lr, l1=opt.l1, l2=opt.l2,
        **{name: getattr(opt, name) for name in optimizer_settings(opt.name)},
        batch_size=None if trainer.batch_size == n else trainer.batch_size, order=order,
        cumulative_every=trainer.cumulative_every,
        **{k: getattr(trainer, k) for k in STOP_FIELDS})
    config = _config(net, **fields)
    X = np.concatenate([trainer.X, X_test]).astype(np.float64)
    Y = np.concatenate([trainer.Y, Y_test]).astype(np.float64)
    task = infer_task(net.activation_names[-1], Y, trainer.loss_fn.name)
    ds = _dataset(X, targets(Y, task, net.sizes[-1]), task, net, {}, "", name)
    d, k = net.sizes[0], net.sizes[-1]
    prepared = Prepared(
        dataset=ds, X_train=frozen(ds.X[:n]), Y_train=frozen(ds.Y[:n]),
        X_test=frozen(ds.X[n:]), Y_test=frozen(ds.Y[n:]),
        train_index=_index(0, n), test_index=_index(n, n + t),
        x_scaler=Scaler.identity(d), y_scaler=Scaler.identity(k), scaling="none",
        test_ratio=config.test_ratio, seed=config.split_seed)
    return Experiment(config, ds, prepared, net, trainer)


def _index(start: int, stop: int) -> np.ndarray:
    a = np.arange(start, stop, dtype=np.int64)
    a.setflags(write=False)
    return a
