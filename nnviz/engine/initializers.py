"""Weight initialisers: each draws W (n_in, n_out) from its own ``np.random.Generator``.

    uniform         W ~ U(-1, 1)                          (the MLP article)
    normal          W ~ N(0, 1)                           (the single-neuron tutorial's randn)
    xavier          W ~ U(-l, l),  l = sqrt(6 / (n_in + n_out))       (Glorot)
    he              W ~ N(0, 2 / n_in)                                (Kaiming, for ReLU)

The tutorials seeded numpy's legacy global generator: pass ``Network(rng=RandomState(seed))``
to rebuild their exact draws (the presets that reproduce them do).
"""

from __future__ import annotations

import numpy as np

from nnviz.errors import ConfigError


def _uniform(rng, n_in, n_out):
    return rng.uniform(-1.0, 1.0, size=(n_in, n_out))


def _normal(rng, n_in, n_out):
    return rng.standard_normal(size=(n_in, n_out))


def _xavier(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _he(rng, n_in, n_out):
    return rng.standard_normal(size=(n_in, n_out)) * np.sqrt(2.0 / n_in)


INITIALIZERS = {"uniform": _uniform, "normal": _normal, "xavier": _xavier, "he": _he}


def init_weights(name: str, rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """A float64 (n_in, n_out) weight matrix drawn by the initialiser ``name``."""
    try:
        draw = INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown initialiser {name!r}; choose one of {', '.join(INITIALIZERS)}"
        ) from None
    return draw(rng, n_in, n_out)
