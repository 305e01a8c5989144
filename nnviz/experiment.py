"""A training configuration and what it builds: dataset, prepared arrays, network, trainer.

``TrainingConfig`` is a frozen dataclass (the control panel, the CLI and session files all speak
it); ``build(config)`` turns it into an ``Experiment``. ``PRESETS`` are named configurations,
two of which reproduce the tutorials exactly (their ``legacy_rng`` draws the initial weights and
the sample order from ``np.random.RandomState(seed)``, as ``np.random.seed`` did).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from nnviz.data import DATASET_SPECS, Dataset, Prepared, load_csv, make_dataset, prepare
from nnviz.data.csvload import TASK_CHOICES as CSV_TASKS
from nnviz.engine import Network, Trainer
from nnviz.engine.activations import HIDDEN_ACTIVATIONS
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


@dataclass(frozen=True)
class TrainingConfig:
    """Everything needed to rebuild a run from scratch (all plain values, JSON-friendly).

    dataset: a built-in name (``nnviz.data.DATASET_SPECS``) or "csv" with ``csv_path``;
    csv_target: a column name, or several for a multi-output regression (None: the last
    column); csv_features: the input columns (None: every other one); csv_task: regression,
    classification, binary or multiclass (None: inferred), as ``load_csv`` takes them.
    hidden: neurons per hidden layer; activations: one per hidden layer (None: ``activation``
    for all). output/loss None: chosen from the task. batch_size None: the full batch.
    """

    dataset: str = "xor"
    dataset_params: tuple[tuple[str, float], ...] = ()
    csv_path: str | None = None
    csv_target: str | tuple[str, ...] | None = None
    csv_features: tuple[str, ...] | None = None
    csv_task: str | None = None
    test_ratio: float = 0.2
    split_seed: int = 0
    scaling: str | None = None
    hidden: tuple[int, ...] = (4,)
    activation: str = "tanh"
    activations: tuple[str, ...] | None = None
    output: str | None = None
    loss: str | None = None
    init: str = "xavier"
    bias_init: float | str = 0.0
    seed: int = 0
    legacy_rng: bool = False
    dtype: str = "float64"
    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    l1: float = 0.0
    l2: float = 0.0
    batch_size: int | None = 10
    order: str = "random"
    cumulative_every: int = 100
    max_steps: int | None = None
    max_epochs: float | None = None
    target_loss: float | None = None
    description: str = field(default="", compare=False)

    def replace(self, **changes) -> TrainingConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["dataset_params"] = dict(self.dataset_params)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TrainingConfig:
        """From ``to_dict``'s output; unknown keys and wrong types raise ConfigError."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ConfigError(f"unknown configuration field(s): {', '.join(unknown)}")
        d = dict(d)
        if "dataset_params" in d:
            params = d["dataset_params"]
            if not isinstance(params, dict):
                raise ConfigError("dataset_params must be a mapping")
            d["dataset_params"] = tuple(sorted(params.items()))
        for key in ("hidden", "activations", "csv_features"):
            if d.get(key) is not None:
                if not isinstance(d[key], (list, tuple)):
                    raise ConfigError(f"{key} must be a list")
                d[key] = tuple(d[key])
        if isinstance(d.get("csv_target"), list):
            d["csv_target"] = tuple(d["csv_target"])
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
        """Raise ConfigError (one line, naming the field) for anything unusable."""
        if self.dataset != "csv" and self.dataset not in DATASET_SPECS:
            raise ConfigError(f"dataset: unknown {self.dataset!r}")
        if self.dataset == "csv" and not self.csv_path:
            raise ConfigError("dataset: csv needs a file (csv_path)")
        for key in ("csv_target", "csv_features"):
            v = getattr(self, key)
            if v is not None and not (isinstance(v, str) and key == "csv_target") and not (
                    isinstance(v, tuple) and v and all(isinstance(c, str) for c in v)):
                raise ConfigError(f"{key} must be a column name or a list of them, got {v!r}")
        if self.csv_task not in (None, *CSV_TASKS):
            raise ConfigError(f"csv_task must be one of {', '.join(CSV_TASKS)} or None, "
                              f"got {self.csv_task!r}")
        if not 0.0 <= self.test_ratio < 1.0:
            raise ConfigError(f"test_ratio must be in [0, 1), got {self.test_ratio}")
        if any((not isinstance(n, (int, np.integer))) or n < 1 or n > 4096 for n in self.hidden):
            raise ConfigError(f"hidden: neurons per layer must be 1 to 4096, got {self.hidden}")
        acts = self.hidden_activations()
        if len(acts) != len(self.hidden):
            raise ConfigError("activations: give one per hidden layer")
        for a in (*acts, self.activation):
            if a not in HIDDEN_ACTIVATIONS:
                raise ConfigError(f"activation: unknown {a!r}")
        if self.init not in INITIALIZERS:
            raise ConfigError(f"init: unknown {self.init!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"optimizer: unknown {self.optimizer!r}")
        if self.loss is not None and self.loss not in LOSSES:
            raise ConfigError(f"loss: unknown {self.loss!r}")
        if self.order not in ORDERS:
            raise ConfigError(f"order: unknown {self.order!r}")
        if not (np.isfinite(self.lr) and self.lr > 0):
            raise ConfigError(f"lr must be a positive number, got {self.lr}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.dtype not in ("float64", "float32"):
            raise ConfigError(f"dtype must be float64 or float32, got {self.dtype!r}")
        for name in ("l1", "l2"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ConfigError(f"{name} must be a number >= 0, got {v}")


@dataclass
class Experiment:
    """A built configuration: the live objects one run trains."""

    config: TrainingConfig
    dataset: Dataset
    prepared: Prepared
    net: Network
    trainer: Trainer

    @property
    def task(self) -> str:
        return self.dataset.task


def load_dataset(config: TrainingConfig) -> Dataset:
    if config.dataset == "csv":
        return load_csv(config.csv_path, target=config.csv_target,
                        features=config.csv_features, task=config.csv_task)
    return make_dataset(config.dataset, **dict(config.dataset_params))


def build(config: TrainingConfig, dataset: Dataset | None = None,
          prepared: Prepared | None = None) -> Experiment:
    """Dataset -> split and scaling -> network -> trainer, all from ``config``.

    ``prepared`` (a reopened session's saved split and scalers) replaces ``prepare``;
    its dataset is used.
    """
    config.validate()
    if prepared is not None:
        ds = prepared.dataset
    else:
        ds = dataset if dataset is not None else load_dataset(config)
        prepared = prepare(ds, test_ratio=config.test_ratio, seed=config.split_seed,
                           scaling=config.scaling)
    output = config.output_activation(ds.task)
    loss = config.loss_name(ds.task)
    get_loss(loss).check_output(output)
    sizes = [ds.n_features, *config.hidden, ds.n_outputs]
    rng = np.random.RandomState(config.seed) if config.legacy_rng else None
    net = Network(
        sizes,
        activations=[*config.hidden_activations(), output],
        init=config.init,
        bias_init=config.bias_init,
        seed=config.seed,
        rng=rng,
        dtype=config.dtype,
    )
    settings = {}
    if config.optimizer == "momentum":
        settings = {"momentum": config.momentum}
    elif config.optimizer == "adam":
        settings = {"beta1": config.beta1, "beta2": config.beta2, "eps": config.eps}
    trainer = Trainer(
        net,
        prepared.X_train,
        prepared.Y_train,
        X_test=prepared.X_test if prepared.has_test else None,
        Y_test=prepared.Y_test if prepared.has_test else None,
        loss=loss,
        optimizer=config.optimizer,
        lr=config.lr,
        optimizer_settings=settings,
        l1=config.l1,
        l2=config.l2,
        batch_size=config.batch_size,
        order=config.order,
        seed=config.seed,
        rng=rng,
        cumulative_every=config.cumulative_every,
        classification=ds.task != "regression",
        max_steps=config.max_steps,
        max_epochs=config.max_epochs,
        target_loss=config.target_loss,
    )
    return Experiment(config, ds, prepared, net, trainer)


PRESETS: dict[str, TrainingConfig] = {
    "single-neuron": TrainingConfig(
        dataset="single-neuron", test_ratio=0.0, scaling="none", hidden=(), output="sigmoid",
        loss="squared_error", init="normal", bias_init="normal", seed=42, legacy_rng=True,
        optimizer="sgd", lr=0.1, batch_size=1, order="random", cumulative_every=100,
        description="The tutorial: one sigmoid neuron, 8 points, squared error, per-sample "
        "SGD at lr 0.1 (np.random.seed(42)).",
    ),
    "function-fit": TrainingConfig(
        dataset="function-surface", dataset_params=(("grid", 100),), test_ratio=0.0,
        scaling="standard", hidden=(64, 64, 64), activation="relu", output="identity",
        loss="half_squared_error", init="uniform", seed=99, legacy_rng=True, optimizer="sgd",
        lr=0.001, batch_size=None, cumulative_every=20,
        description="The article: [2, 64, 64, 64, 1] ReLU fitting sin(x) + x cos(y) + y + "
        "3^(x/3), full batch, lr 0.001 (np.random.seed(99)).",
    ),
    "xor": TrainingConfig(
        dataset="xor", hidden=(4,), activation="tanh", optimizer="sgd", lr=0.1, batch_size=10,
        description="XOR with one hidden layer of 4 tanh neurons.",
    ),
    "circles": TrainingConfig(
        dataset="circles", hidden=(6,), activation="tanh", optimizer="sgd", lr=0.1,
        batch_size=10, description="A ring around a ring: 6 tanh neurons bend the boundary.",
    ),
    "spiral": TrainingConfig(
        dataset="spiral", hidden=(16, 16), activation="tanh", optimizer="adam", lr=0.01,
        batch_size=16, description="Two interleaved spirals: two hidden layers, Adam.",
    ),
    "iris": TrainingConfig(
        dataset="iris", hidden=(8,), activation="tanh", optimizer="adam", lr=0.01,
        batch_size=8, description="Fisher's iris: 4 measurements, 3 species, softmax output.",
    ),
}
DEFAULT_PRESET = "xor"
#: steps per second each preset opens at in the window, so a new user sees the fit form over
#: ~10-20 s (xor: the boundary settles after ~1,000-3,000 steps); None: as fast as possible
#: (function-fit's full-batch steps take ~50 ms: full speed is already a watchable ~20 steps/s)
PRESET_PACE: dict[str, float | None] = {
    "single-neuron": 20, "function-fit": None, "xor": 200, "circles": 200, "spiral": 200,
    "iris": 100,
}


def preset(name: str) -> TrainingConfig:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
