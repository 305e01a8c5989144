"""What a training configuration builds: dataset, prepared arrays, network, trainer.

``TrainingConfig`` (``nnviz.config``: every field declared once, with its limits) is what the
control panel, the CLI and session files speak; ``build(config)`` turns it into an
``Experiment``. ``PRESETS`` are named configurations, two of which reproduce the tutorials
exactly (their ``legacy_rng`` draws the initial weights and the sample order from
``np.random.RandomState(seed)``, as ``np.random.seed`` did).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.config import (
    ARRAYS,
    TASK_LOSS,
    TASK_OUTPUT,
    TrainingConfig,
    check_run_size,
    optimizer_settings,
)
from nnviz.data import Dataset, Prepared, load_csv, make_dataset, prepare
from nnviz.data.features import is_default
from nnviz.engine import Network, Trainer
from nnviz.engine.losses import get_loss
from nnviz.errors import ConfigError

__all__ = ["TASK_LOSS", "TASK_OUTPUT", "PRESETS", "DEFAULT_PRESET", "Experiment",
           "TrainingConfig", "build", "load_dataset", "make_trainer", "preset"]


@dataclass
class Experiment:
    """A built configuration: the live objects one run trains."""

    config: TrainingConfig
    dataset: Dataset
    prepared: Prepared
    net: Network
    trainer: Trainer
    #: how many times its rows or scaling changed (``nnviz.drawing``): 0 as built
    data_revision: int = 0

    @property
    def task(self) -> str:
        return self.dataset.task


def load_dataset(config: TrainingConfig) -> Dataset:
    if config.dataset == ARRAYS:
        raise ConfigError(f"dataset: {ARRAYS} come from Python (nnviz.show(net, X, Y)) and travel "
                          "with their run; choose a built-in dataset or a CSV file")
    if config.dataset == "csv":
        return load_csv(config.csv_path, target=config.csv_target,
                        features=config.csv_features, task=config.csv_task)
    return make_dataset(config.dataset, **dict(config.dataset_params))


def build(config: TrainingConfig, dataset: Dataset | None = None,
          prepared: Prepared | None = None) -> Experiment:
    """Dataset -> split and scaling -> network -> trainer, all from ``config``.

    ``prepared`` (a reopened session's saved split and scalers) replaces ``prepare``;
    its dataset is used. The network's inputs are ``config.features`` of the scaled inputs
    (``Prepared.with_features``), computed the same way on both paths.
    """
    config.validate()
    if prepared is not None:
        ds = prepared.dataset
    else:
        ds = dataset if dataset is not None else load_dataset(config)
    n_in = ds.n_features if is_default(config.features) else len(config.features)
    sizes = [n_in, *config.hidden, ds.n_outputs]
    check_run_size(sizes, ds.X.size, ds.Y.size)  # what a session file holds
    if prepared is None:
        prepared = prepare(ds, test_ratio=config.test_ratio, seed=config.split_seed,
                           scaling=config.scaling)
    prepared = prepared.with_features(config.features)
    output = config.output_activation(ds.task)
    loss = config.loss_name(ds.task)
    get_loss(loss).check_output(output)
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
    trainer = make_trainer(config, net, prepared, rng)
    return Experiment(config, ds, prepared, net, trainer)


def make_trainer(config: TrainingConfig, net: Network, prepared: Prepared,
                 rng=None) -> Trainer:
    """The Trainer ``config`` describes, training ``net`` on ``prepared``'s rows: loss,
    optimiser and its settings, L1/L2, batch, order, seed (or the shared legacy ``rng``),
    stop condition; test rows if the split kept some. ``build`` and ``nnviz.bridge`` (a
    person's own network) both make their trainer here."""
    task = prepared.dataset.task
    settings = {name: getattr(config, name) for name in optimizer_settings(config.optimizer)}
    return Trainer(
        net,
        prepared.X_train,
        prepared.Y_train,
        X_test=prepared.X_test if prepared.has_test else None,
        Y_test=prepared.Y_test if prepared.has_test else None,
        loss=config.loss_name(task),
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
        classification=task != "regression",
        max_steps=config.max_steps,
        max_epochs=config.max_epochs,
        target_loss=config.target_loss,
    )


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
    "circles-bottleneck": TrainingConfig(
        dataset="circles", hidden=(8, 2), activation="tanh", optimizer="sgd", lr=0.03,
        batch_size=10, description="A ring around a ring through a 2-neuron bottleneck: in "
        "the Hidden space panel the tanh layers unfold the plane until a straight line "
        "separates the rings (~2,500 steps).",
    ),
    "spiral": TrainingConfig(
        dataset="spiral", hidden=(16, 16), activation="tanh", optimizer="adam", lr=0.01,
        batch_size=16, description="Two interleaved spirals: two hidden layers, Adam.",
    ),
    "iris": TrainingConfig(
        dataset="iris", hidden=(8,), activation="tanh", optimizer="adam", lr=0.01,
        batch_size=8, description="Fisher's iris: 4 measurements, 3 species, softmax output.",
    ),
    # the pair below differs only in activation and initialiser (measured: after 1,000 steps
    # the first layer's gradient norm is ~1e-3 of the last's with sigmoid, ~2x with ReLU/He;
    # the sigmoid net stays at 50% accuracy for 10,000 steps, the ReLU net reaches 100%)
    "vanishing-gradients": TrainingConfig(
        dataset="circles", hidden=(8,) * 8, activation="sigmoid", init="normal",
        optimizer="sgd", lr=0.1, batch_size=10,
        description="Vanishing gradients: 8 sigmoid layers, N(0, 1) weights. Each layer "
        "multiplies the gradient by sigmoid' <= 1/4: the first layers barely learn (see "
        "Distributions); compare vanishing-fixed.",
    ),
    "vanishing-fixed": TrainingConfig(
        dataset="circles", hidden=(8,) * 8, activation="relu", init="he",
        optimizer="sgd", lr=0.1, batch_size=10,
        description="The same 8 layers with ReLU and He weights, N(0, 2/n_in): the "
        "gradient keeps its size through the depth and every layer learns.",
    ),
}
DEFAULT_PRESET = "xor"
#: steps per second each preset opens at in the window, so a new user sees the fit form over
#: ~10-20 s (xor: the boundary settles after ~1,000-3,000 steps); None: as fast as possible
#: (function-fit's full-batch steps take ~50 ms: full speed is already a watchable ~20 steps/s)
PRESET_PACE: dict[str, float | None] = {
    "single-neuron": 20, "function-fit": None, "xor": 200, "circles": 200, "spiral": 200,
    "iris": 100, "circles-bottleneck": 150, "vanishing-gradients": 200, "vanishing-fixed": 200,
}


def preset(name: str) -> TrainingConfig:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
