"""Engineered input features of a 2-D problem (TensorFlow Playground's set).

A run's ``features`` names the network's inputs, each a function of the two scaled inputs
(x1, x2) = x_scaler.transform(raw), computed column by column after scaling::

    x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)

    expand(X, ("x1^2", "x2^2"))      # (m, 2) scaled -> (m, 2): [x1**2, x2**2]

The default ``("x1", "x2")`` means the dataset's own inputs unchanged, whatever their number
(``expand`` returns its argument itself), so every run without a choice is the run it was.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnviz.errors import ConfigError

#: the network's inputs when nothing is chosen: the dataset's own
DEFAULT_FEATURES = ("x1", "x2")

#: name -> (f(x1, x2) on scaled columns, label with {0}/{1} standing for the inputs' names)
FEATURES: dict[str, tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], str]] = {
    "x1": (lambda a, b: a, "{0}"),
    "x2": (lambda a, b: b, "{1}"),
    "x1^2": (lambda a, b: a * a, "{0}²"),
    "x2^2": (lambda a, b: b * b, "{1}²"),
    "x1*x2": (lambda a, b: a * b, "{0}·{1}"),
    "sin(x1)": (lambda a, b: np.sin(a), "sin({0})"),
    "sin(x2)": (lambda a, b: np.sin(b), "sin({1})"),
}
#: the spellings of the labels also taken as names ("x1²" for "x1^2", "x1·x2" for "x1*x2")
ALIASES = {"x1²": "x1^2", "x2²": "x2^2", "x1·x2": "x1*x2", "x2*x1": "x1*x2"}


def is_default(features) -> bool:
    """True for the dataset's own inputs (``DEFAULT_FEATURES``)."""
    return tuple(features) == DEFAULT_FEATURES


def canonical(name: str) -> str:
    """A feature name in its table spelling (spaces dropped, aliases resolved)."""
    name = name.replace(" ", "")
    return ALIASES.get(name, name)


def check_features(features, n_inputs: int | None, dataset: str = "the dataset") -> None:
    """ConfigError (one line, naming ``features``) unless ``features`` is a usable choice for
    a dataset of ``n_inputs`` inputs (None: not known yet): at least one, known, no repeats,
    and a 2-D dataset for anything but the default."""
    features = tuple(features)
    if not features:
        raise ConfigError("features: choose at least one input (none leaves the network "
                          "without inputs)")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ConfigError(f"features: unknown {unknown[0]!r} (choose among "
                          f"{', '.join(FEATURES)})")
    if len(set(features)) != len(features):
        raise ConfigError(f"features: each input once, got {', '.join(features)}")
    if not is_default(features) and n_inputs is not None and n_inputs != 2:
        raise ConfigError(f"features: engineered inputs need a dataset of 2 inputs, "
                          f"{dataset} has {n_inputs}")


def expand(X: np.ndarray, features) -> np.ndarray:
    """Scaled inputs X (m, 2) -> the network's inputs (m, len(features)), float64;
    the default returns X itself."""
    if is_default(features):
        return X
    a, b = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[f][0](a, b) for f in features])


def labels(features, names) -> tuple[str, ...]:
    """What to call each network input: the dataset's ``names`` for the default, else each
    feature's label written with them ("x1²", "sin(x)")."""
    if is_default(features):
        return tuple(names)
    return tuple(FEATURES[f][1].format(*names) for f in features)
