"""``TrainingConfig``: every setting of a run, each declared once with how it is checked and shown.

Each field of the frozen dataclass carries a ``Setting`` (``dataclasses.field`` metadata): its
kind, limits or choices, help text, and whether a change applies to the running trainer
(``live``: learning rate, optimiser settings, L1/L2, stop condition) or needs a new run (data,
architecture, initialiser, seed, batch, order...). ``SETTINGS`` (name -> Setting) is that
table; ``TrainingConfig.validate``, the control panel's widgets, session files
(``from_dict``) and the ``nnviz train`` flags all read it, so a limit exists in one place and a
value refused anywhere is refused with the same one-line message::

    SETTINGS["lr"].message(50_000)   # "lr must be a positive number from 1e-07 to 1000, got 50000"
    live_changes(old, new)           # {"lr": 0.02} if only live fields differ, else None

Size (~470 lines, over the house's ~450): most of it is the declared table itself, one entry
per field, which is the point of the module.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.data import DATASET_SPECS, SCALINGS
from nnviz.data.csvload import TASK_CHOICES as CSV_TASKS
from nnviz.data.features import (
    DEFAULT_FEATURES,
    FEATURES,
    canonical,
    check_features,
    is_default,
)
from nnviz.data.registry import check_params
from nnviz.engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nnviz.engine.initializers import INITIALIZERS
from nnviz.engine.losses import LOSSES, get_loss
from nnviz.engine.optimizers import OPTIMIZERS
from nnviz.engine.sampling import ORDERS
from nnviz.errors import ConfigError

#: the output activation and loss that suit each task
TASK_OUTPUT = {"regression": "identity", "binary": "sigmoid", "multiclass": "softmax"}
TASK_LOSS = {
    "regression": "half_squared_error",
    "binary": "binary_cross_entropy",
    "multiclass": "cross_entropy",
}
#: the ``dataset`` of a run on arrays handed in from Python (``nnviz.show`` / ``nnviz.watch``):
#: the data travels with the run (sessions save it), never rebuilt from the configuration
ARRAYS = "arrays"
#: the largest seed and count: what a 32-bit spin box and every random generator take
MAX_INT = 2**31 - 1
#: the smallest non-zero size of a number: a control keeps 323 decimals (Qt's most), which hold
#: every double at least this large exactly
MIN_MAGNITUDE = 1e-300
#: the stop-condition fields; at most one is set
STOP_FIELDS = ("max_steps", "max_epochs", "target_loss")
#: the most CSV columns a configuration names
MAX_COLUMNS = 10_000
#: the largest run: weights and biases, and values in the inputs X (rows x features) or the
#: targets Y. ``build`` refuses more, so every run built can be saved and reopened (session
#: files check the same numbers before reading an array)
MAX_PARAMS = 20_000_000
MAX_DATA_VALUES = 20_000_000
#: kinds: "int", "float", "rate" (positive, log scale), "choice", "flag", "text", "layers"
#: (neurons per hidden layer), "names" (one activation per layer), "params" (the dataset's),
#: "bias" (a number or "normal"), "columns" (CSV column names), "target" (one name or several),
#: "features" (the network's inputs, ``nnviz.data.features``)
KINDS = ("int", "float", "rate", "choice", "flag", "text", "layers", "names", "params", "bias",
         "columns", "target", "features")
#: kinds whose value is a tuple (lists are taken too)
SEQUENCES = ("layers", "names", "columns", "target", "features")


def check_run_size(sizes, x_values: int, y_values: int) -> None:
    """ConfigError unless a network of layer ``sizes`` and data of ``x_values`` inputs and
    ``y_values`` targets are within MAX_PARAMS and MAX_DATA_VALUES."""
    n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    if n_params > MAX_PARAMS:
        raise ConfigError(f"hidden: a network of {n_params:,} weights and biases is too large "
                          f"(at most {MAX_PARAMS:,})")
    for what, n in (("inputs", x_values), ("targets", y_values)):
        if n > MAX_DATA_VALUES:
            raise ConfigError(f"dataset: {n:,} values in the {what} (rows x columns) are too "
                              f"many (at most {MAX_DATA_VALUES:,})")


def _show(v) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


def _fmt(v) -> str:
    return f"{v:g}"


def is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def is_number(v) -> bool:
    """A finite int or float, 0 or at least ``MIN_MAGNITUDE`` in size."""
    return ((is_int(v) or isinstance(v, (float, np.floating))) and math.isfinite(v)
            and (v == 0 or abs(v) >= MIN_MAGNITUDE))


def is_tiny(v) -> bool:
    """A float closer to 0 than ``MIN_MAGNITUDE`` (and not 0)."""
    return isinstance(v, (float, np.floating)) and 0 < abs(v) < MIN_MAGNITUDE


@dataclass(frozen=True)
class Setting:
    """How one ``TrainingConfig`` field is checked, shown and applied.

    ``min``/``max`` bound a number (or each neuron count of "layers"); ``max_len`` bounds a
    text's characters or a sequence's entries; ``optional``: None is allowed and means
    ``none_text`` ("auto", "full batch"; ``none_word`` on the command line). ``step`` is the
    arrows' step of its control. ``live``: a change applies to the running trainer.
    """

    kind: str
    help: str
    label: str = ""
    live: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    optional: bool = False
    none_text: str = ""
    none_word: str = "none"
    max_len: int = 0
    step: float = 1.0
    name: str = ""

    # ------------------------------------------------------------------ text
    def rule(self) -> str:
        """What a valid value is, in words ("a whole number from 1 to 2147483647")."""
        k = self.kind
        if k in ("int", "layers"):
            text = f"a whole number from {self.min} to {self.max}"
        elif k == "float":
            text = f"a number from {_fmt(self.min)} to {_fmt(self.max)}"
        elif k == "rate":
            text = f"a positive number from {_fmt(self.min)} to {_fmt(self.max)}"
        elif k == "bias":
            text = f"a number from {_fmt(self.min)} to {_fmt(self.max)} or 'normal'"
        elif k == "choice":
            text = "one of " + ", ".join(self.choices)
        elif k == "flag":
            text = "true or false"
        elif k == "text":
            text = f"text of at most {self.max_len} characters"
        elif k == "features":
            text = "some of " + ", ".join(self.choices)
        else:
            text = f"a list of at most {self.max_len} entries"
        if self.optional:
            text += f", or None ({self.none_text})"
        return text

    def message(self, value) -> str:
        """The one-line refusal of ``value`` (the same in validation, widgets and flags)."""
        if self.kind == "choice" and isinstance(value, str):
            return f"{self.name}: unknown {_show(value)} ({self.name} must be {self.rule()})"
        if self.kind in ("columns", "target"):
            return f"{self.name} must be a column name or a list of them, got {_show(value)}"
        if self.kind == "layers":
            return f"{self.name}: neurons per layer must be {self.rule()}, got {_show(value)}"
        if is_tiny(value):
            return f"{self.name} must be 0 or at least {MIN_MAGNITUDE:g} in size, got {value!r}"
        return f"{self.name} must be {self.rule()}, got {_show(value)}"

    def tooltip(self) -> str:
        when = "changes live" if self.live else "changing it restarts the run"
        return f"{self.help} ({when})"

    # ------------------------------------------------------------------ checks
    def accepts(self, value) -> bool:
        """True if ``value`` is within this setting's kind and limits (one value of a
        "layers"/"names" setting: one entry)."""
        if value is None:
            return self.optional
        k = self.kind
        if k == "int" or k == "layers":
            return is_int(value) and self.min <= value <= self.max
        if k in ("float", "rate"):
            return is_number(value) and self.min <= value <= self.max
        if k == "bias":
            return value == "normal" or (is_number(value) and self.min <= value <= self.max)
        if k in ("choice", "names"):
            return isinstance(value, str) and value in self.choices
        if k == "flag":
            return isinstance(value, bool)
        if k == "text":
            return isinstance(value, str) and len(value) <= self.max_len
        if k in ("columns", "target"):
            names = (value,) if k == "target" and isinstance(value, str) else value
            return isinstance(names, tuple) and 0 < len(names) <= MAX_COLUMNS and all(
                isinstance(n, str) and 0 < len(n) <= self.max_len for n in names)
        return True

    def check(self, value) -> None:
        """ConfigError (naming the field) unless ``value`` is acceptable."""
        if self.kind in ("layers", "names") and value is not None:
            if not isinstance(value, tuple):
                raise ConfigError(f"{self.name} must be a list, got {_show(value)}")
            if len(value) > self.max_len:
                raise ConfigError(f"{self.name}: at most {self.max_len} hidden layers, "
                                  f"got {len(value)}")
            for v in value:
                if not self.accepts(v):
                    raise ConfigError(self.message(v))
            return
        if self.kind == "features":
            if not (isinstance(value, tuple) and all(isinstance(f, str) for f in value)):
                raise ConfigError(f"{self.name} must be a list of names, got {_show(value)}")
            check_features(value, None)
            return
        if self.kind == "params":
            if not (isinstance(value, tuple) and len(value) <= self.max_len and all(
                    isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)
                    for p in value)):
                raise ConfigError(f"{self.name} must be a mapping of at most {self.max_len} "
                                  f"names to numbers, got {_show(value)}")
            return
        if not self.accepts(value):
            raise ConfigError(self.message(value))


def setting(default, kind: str, help: str, **spec):
    """A dataclass field whose ``Setting`` is kept in its metadata."""
    if kind not in KINDS:
        raise ValueError(f"unknown setting kind {kind!r}")
    compare = spec.pop("compare", True)
    return field(default=default, compare=compare,
                 metadata={"setting": Setting(kind, help, **spec)})


def _opt_help(name: str) -> str:
    """An optimiser setting's help, from the optimiser that has it."""
    return next(cls.settings[name] for cls in OPTIMIZERS.values() if name in cls.settings)


def param_problem(dataset: str, name: str, value) -> str:
    """Why ``value`` cannot be the built-in ``dataset``'s parameter ``name`` ("" if it can):
    the registry's limits, and a number a control keeps exactly."""
    try:
        check_params(dataset, {name: value})
    except ConfigError as exc:
        return str(exc)
    if is_tiny(value):
        return f"{dataset}: {name} must be 0 or at least {MIN_MAGNITUDE:g} in size, got {value!r}"
    return ""


def optimizer_settings(name: str) -> tuple[str, ...]:
    """The settings the optimiser ``name`` has (its own declaration), e.g. ("momentum",)."""
    return tuple(OPTIMIZERS[name].settings)


@dataclass(frozen=True)
class TrainingConfig:
    """Everything needed to rebuild a run from scratch (all plain values, JSON-friendly).

    dataset: a built-in name (``nnviz.data.DATASET_SPECS``), "csv" with ``csv_path``, or
    "arrays" (``ARRAYS``: a person's own arrays, from ``nnviz.show``/``nnviz.watch``).
    hidden: neurons per hidden layer; activations: one per hidden layer (None: ``activation``
    for all). output/loss None: chosen from the task. batch_size None: the full batch.
    Construction normalises equal spellings: lists become tuples, ``dataset_params`` a sorted
    tuple of pairs, ``activations`` all equal to ``activation`` None.
    """

    dataset: str = setting("xor", "choice", "the training data", label="Dataset",
                           choices=(*DATASET_SPECS, "csv", ARRAYS))
    dataset_params: tuple[tuple[str, float], ...] = setting(
        (), "params", "the built-in dataset's parameters (others at their defaults)",
        max_len=16)
    csv_path: str | None = setting(None, "text", "the CSV file (dataset csv)", optional=True,
                                   none_text="no file", max_len=4096)
    csv_target: str | tuple[str, ...] | None = setting(
        None, "target", "the CSV file's target column, or several for a multi-output "
        "regression", optional=True, none_text="the last column", max_len=1000)
    csv_features: tuple[str, ...] | None = setting(
        None, "columns", "the CSV file's input columns", optional=True,
        none_text="every other column", max_len=1000)
    csv_task: str | None = setting(None, "choice", "what the CSV file's target is",
                                   choices=CSV_TASKS, optional=True,
                                   none_text="inferred from its values")
    test_ratio: float = setting(0.2, "float", "fraction of the rows held out to measure the "
                                "test loss (0: train on all)", label="Test ratio", min=0.0,
                                max=0.99, step=0.05)
    split_seed: int = setting(0, "int", "seed of the random train/test split",
                              label="Split seed", min=0, max=MAX_INT)
    scaling: str | None = setting(None, "choice", "how the inputs (and regression targets) "
                                  "are scaled: standard (mean 0, std 1), minmax ([0, 1]) or "
                                  "none", label="Scaling", choices=SCALINGS, optional=True,
                                  none_text="the dataset's own", none_word="auto")
    features: tuple[str, ...] = setting(
        DEFAULT_FEATURES, "features", "the network's inputs: the dataset's own (x1, x2), or "
        "for a 2-D dataset any of x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2), computed from "
        "the scaled inputs", label="Features", choices=tuple(FEATURES), max_len=len(FEATURES))
    hidden: tuple[int, ...] = setting((4,), "layers", "neurons per hidden layer",
                                      min=1, max=4096, max_len=32)
    activation: str = setting("tanh", "choice", "activation of every hidden layer (each "
                              "layer's own choice overrides it)", label="Activation",
                              choices=HIDDEN_ACTIVATIONS)
    activations: tuple[str, ...] | None = setting(
        None, "names", "activation of each hidden layer", choices=HIDDEN_ACTIVATIONS,
        optional=True, none_text="activation for all", max_len=32)
    output: str | None = setting(None, "choice", "activation of the output layer (auto: "
                                 "sigmoid for two classes, softmax for more, identity for "
                                 "regression)", label="Output", choices=tuple(ACTIVATIONS),
                                 optional=True, none_text="auto", none_word="auto")
    loss: str | None = setting(None, "choice", "the loss (auto: the one that suits the task)",
                               label="Loss", choices=tuple(LOSSES), optional=True,
                               none_text="auto", none_word="auto")
    init: str = setting("xavier", "choice", "how the initial weights are drawn",
                        label="Initialiser", choices=tuple(INITIALIZERS))
    bias_init: float | str = setting(0.0, "bias", "initial biases: a constant, or 'normal' "
                                     "(drawn like the tutorial's)", label="Bias init",
                                     min=-10.0, max=10.0, step=0.1)
    seed: int = setting(0, "int", "seed of the initial weights and the sample order: the "
                        "same seed gives the same run", label="Seed", min=0, max=MAX_INT)
    legacy_rng: bool = setting(False, "flag", "draw the weights and the sample order from "
                               "np.random.RandomState(seed), as the tutorials' "
                               "np.random.seed did", label="Tutorial RNG")
    dtype: str = setting("float64", "choice", "floating-point precision of the network",
                         label="Precision", choices=("float64", "float32"))
    optimizer: str = setting("sgd", "choice", "how gradients become weight changes (its "
                             "state starts afresh when switched)", label="Optimiser",
                             live=True, choices=tuple(OPTIMIZERS))
    lr: float = setting(0.1, "rate", "learning rate: how far each update moves the weights",
                        label="Learning rate", live=True, min=1e-7, max=1000.0)
    momentum: float = setting(0.9, "float", _opt_help("momentum"), label="Momentum",
                              live=True, min=0.0, max=0.999999, step=0.05)
    beta1: float = setting(0.9, "float", _opt_help("beta1"), label="Beta1", live=True,
                           min=0.0, max=0.999999, step=0.01)
    beta2: float = setting(0.999, "float", _opt_help("beta2"), label="Beta2", live=True,
                           min=0.0, max=0.999999, step=0.001)
    eps: float = setting(1e-8, "rate", _opt_help("eps"), label="Epsilon", live=True,
                         min=1e-15, max=1.0)
    l1: float = setting(0.0, "float", "L1 penalty on the weights, l1 · Σ|w|", label="L1",
                        live=True, min=0.0, max=100.0, step=0.0001)
    l2: float = setting(0.0, "float", "L2 penalty on the weights, l2/2 · Σw²", label="L2",
                        live=True, min=0.0, max=100.0, step=0.0001)
    batch_size: int | None = setting(10, "int", "samples per step: 1 = one sample at a time "
                                     "(the tutorial's SGD), full batch = all training "
                                     "samples", label="Batch size", min=1, max=MAX_INT,
                                     optional=True, none_text="full batch", none_word="full")
    order: str = setting("random", "choice", "how samples are drawn: random (with "
                         "replacement), shuffled each epoch, or in order",
                         label="Sample order", choices=ORDERS)
    cumulative_every: int = setting(100, "int", "steps between two measurements of the "
                                    "tutorial's cumulative error", label="Cumulative every",
                                    min=1, max=1_000_000, step=10)
    max_steps: int | None = setting(None, "int", "pause after this many steps", live=True,
                                    min=1, max=MAX_INT, optional=True,
                                    none_text="no limit", step=100)
    max_epochs: float | None = setting(None, "float", "pause after this many epochs",
                                       live=True, min=0.01, max=1e6, optional=True,
                                       none_text="no limit", step=10)
    target_loss: float | None = setting(None, "float", "pause when the train loss is at or "
                                        "below this", live=True, min=0.0, max=1e6,
                                        optional=True, none_text="no target", step=0.01)
    description: str = setting("", "text", "what this configuration shows", compare=False,
                               max_len=2000)

    def __post_init__(self) -> None:
        fix = {name: tuple(getattr(self, name)) for name, s in SETTINGS.items()
               if s.kind in SEQUENCES and isinstance(getattr(self, name), list)}
        if isinstance(self.dataset_params, dict):
            fix["dataset_params"] = tuple(sorted(self.dataset_params.items()))
        elif isinstance(self.dataset_params, tuple) and all(
                isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)
                for p in self.dataset_params):
            fix["dataset_params"] = tuple(sorted(self.dataset_params))
        features = fix.get("features", self.features)
        if isinstance(features, tuple) and all(isinstance(f, str) for f in features):
            names = tuple(canonical(f) for f in features)  # a set of inputs: the table's order
            known = all(f in FEATURES for f in names)
            fix["features"] = tuple(sorted(names, key=list(FEATURES).index)) if known else names
        hidden = fix.get("hidden", self.hidden)
        acts = fix.get("activations", self.activations)
        if isinstance(hidden, tuple) and isinstance(acts, tuple) and len(acts) == len(hidden) \
                and all(a == self.activation for a in acts):
            fix["activations"] = None
        for name, value in fix.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes) -> TrainingConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["dataset_params"] = dict(self.dataset_params)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TrainingConfig:
        """From ``to_dict``'s output (JSON: lists, a params mapping); unknown keys, wrong types
        and values beyond the limits raise ConfigError naming the field."""
        if not isinstance(d, dict):
            raise ConfigError("the configuration must be a mapping")
        unknown = sorted(str(k)[:40] for k in set(d) - set(SETTINGS))
        if unknown:
            raise ConfigError(f"unknown configuration field(s): {', '.join(unknown)}")
        d = dict(d)
        if "dataset_params" in d and not isinstance(d["dataset_params"], dict):
            raise ConfigError("dataset_params must be a mapping")
        for key in ("hidden", "activations", "features"):
            if d.get(key) is not None and not isinstance(d[key], (list, tuple)):
                raise ConfigError(f"{key} must be a list")
        config = cls(**d)
        config.validate()
        return config

    # ------------------------------------------------------------------ checks
    def output_activation(self, task: str) -> str:
        return self.output or TASK_OUTPUT[task]

    def loss_name(self, task: str) -> str:
        return self.loss or TASK_LOSS[task]

    def hidden_activations(self) -> tuple[str, ...]:
        return self.activations or (self.activation,) * len(self.hidden)

    def validate(self) -> None:
        """Raise ConfigError (one line, naming the field) for anything unusable: every field
        against its ``Setting``, then the rules between fields."""
        for name, s in SETTINGS.items():
            s.check(getattr(self, name))
        if self.dataset == "csv":
            if not self.csv_path:
                raise ConfigError("dataset: csv needs a file (csv_path)")
        elif self.dataset == ARRAYS:
            given = [n for n in (*CSV_FIELDS, "dataset_params") if getattr(self, n)]
            if given:
                raise ConfigError(f"{', '.join(given)}: not with dataset {ARRAYS}")
            if not is_default(self.features):
                raise ConfigError(f"features: a run on {ARRAYS} takes their columns as its "
                                  "inputs (engineered inputs are for built-in datasets)")
        else:
            given = [n for n in CSV_FIELDS if getattr(self, n) is not None]
            if given:
                raise ConfigError(f"{', '.join(given)}: only with dataset csv")
            params = dict(self.dataset_params)
            check_params(self.dataset, params)
            check_features(self.features, DATASET_SPECS[self.dataset].inputs(params),
                           self.dataset)
            for name, value in params.items():
                problem = param_problem(self.dataset, name, value)
                if problem:
                    raise ConfigError(problem)
        if self.activations is not None and len(self.activations) != len(self.hidden):
            raise ConfigError("activations: give one per hidden layer")
        if self.output is not None and self.loss is not None:
            get_loss(self.loss).check_output(self.output)
        stops = [name for name in STOP_FIELDS if getattr(self, name) is not None]
        if len(stops) > 1:
            raise ConfigError(f"{', '.join(stops)}: give at most one stop condition")


#: field name -> Setting, in the dataclass's order: the one table
SETTINGS: dict[str, Setting] = {
    f.name: dataclasses.replace(f.metadata["setting"], name=f.name)
    for f in dataclasses.fields(TrainingConfig)
}
#: the fields that describe a CSV dataset (None unless dataset is "csv")
CSV_FIELDS = ("csv_path", "csv_target", "csv_features", "csv_task")
#: fields whose change applies to the running trainer (``Trainer.configure``)
LIVE_FIELDS = tuple(name for name, s in SETTINGS.items() if s.live)


def changed_fields(old: TrainingConfig, new: TrainingConfig) -> tuple[str, ...]:
    """Names of the compared fields (all but ``description``) whose values differ."""
    return tuple(f.name for f in dataclasses.fields(TrainingConfig)
                 if f.compare and getattr(old, f.name) != getattr(new, f.name))


def live_changes(old: TrainingConfig, new: TrainingConfig) -> dict | None:
    """``Trainer.configure`` keywords taking a run of ``old`` to ``new``, or None if some
    difference needs a new run. A switched optimiser gets all of its own settings."""
    changed = changed_fields(old, new)
    if any(not SETTINGS[name].live for name in changed):
        return None
    own = optimizer_settings(new.optimizer)
    others = {n for cls in OPTIMIZERS.values() for n in cls.settings} - set(own)
    names = [n for n in changed if n not in others]
    if "optimizer" in changed:
        names += [n for n in own if n not in names]
    return {n: getattr(new, n) for n in LIVE_FIELDS if n in names}
