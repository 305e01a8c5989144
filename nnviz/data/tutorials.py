"""The source tutorials' data: the single neuron's 8 points and the article's function fit."""

from __future__ import annotations

import numpy as np

from nnviz.data.dataset import Dataset
from nnviz.errors import ConfigError

#: The single-neuron tutorial's 8 points (x1, x2), exactly as given.
SINGLE_NEURON_INPUTS = (
    (3, 1.5), (2, 1), (4, 1.5), (3, 4), (3.5, 0.5), (2, 0.5), (5.5, 1), (1, 1),
)
#: Their classes, in the same order.
SINGLE_NEURON_TARGETS = (0, 1, 0, 1, 0, 1, 1, 0)

#: The article's domain: [-10, 10] on both axes.
SURFACE_LO, SURFACE_HI = -10.0, 10.0


def single_neuron() -> Dataset:
    """The tutorial's 8 points: X (8, 2) raw, Y (8, 1) in {0, 1}; no scaling implied."""
    return Dataset(
        name="single-neuron",
        X=np.array(SINGLE_NEURON_INPUTS, dtype=np.float64),
        Y=np.array(SINGLE_NEURON_TARGETS, dtype=np.float64).reshape(-1, 1),
        task="binary",
        feature_names=("x1", "x2"),
        target_name="y",
        class_names=("0", "1"),
        description="The single-neuron tutorial's 8 points (binary, raw inputs).",
        source="Real Python single-neuron tutorial, via seeds 000/001",
        default_scaling="none",
    )


def surface_function(x, y):
    """The article's f(x, y) = sin(x) + x*cos(y) + y + 3**(x/3), elementwise."""
    return np.sin(x) + x * np.cos(y) + y + 3 ** (x / 3)


def _surface_true(points: np.ndarray) -> np.ndarray:
    """f on raw points (m, 2) -> (m, 1)."""
    points = np.asarray(points, dtype=np.float64)
    x = np.ascontiguousarray(points[:, 0])
    y = np.ascontiguousarray(points[:, 1])
    return surface_function(x, y).reshape(-1, 1)


def function_surface(grid: int = 100, samples: int = 0, seed: int = 0) -> Dataset:
    """The article's regression target on [-10, 10]^2.

    samples == 0: the N x N grid built exactly as the article does (N = grid):
        x = linspace(-10, 10, N); y = same; X, Y = meshgrid(x, y)
        inputs = column_stack((X.flatten(), Y.flatten())); outputs = f(X, Y).flatten()
    samples > 0: x and y each uniform(-10, 10, samples) from default_rng(seed).
    """
    if samples < 0 or grid < 2:
        raise ConfigError(f"function-surface: need grid >= 2 and samples >= 0, got {grid}, "
                          f"{samples}")
    if samples == 0:
        x = np.linspace(-10, 10, grid)
        y = np.linspace(-10, 10, grid)
        X, Y = np.meshgrid(x, y)
        inputs = np.column_stack((X.flatten(), Y.flatten()))
        outputs = surface_function(X, Y).flatten()
        how = f"{grid}x{grid} grid"
        params = {"grid": grid}
    else:
        rng = np.random.default_rng(seed)
        x = rng.uniform(SURFACE_LO, SURFACE_HI, samples)
        y = rng.uniform(SURFACE_LO, SURFACE_HI, samples)
        inputs = np.column_stack((x, y))
        outputs = surface_function(x, y)
        how = f"{samples} random samples (seed {seed})"
        params = {"samples": samples, "seed": seed}
    return Dataset(
        name="function-surface",
        X=inputs,
        Y=outputs.reshape(-1, 1),
        task="regression",
        feature_names=("x", "y"),
        target_name="f(x, y)",
        bounds=((SURFACE_LO, SURFACE_HI), (SURFACE_LO, SURFACE_HI)),
        function=_surface_true,
        description=f"f(x, y) = sin(x) + x cos(y) + y + 3^(x/3) on [-10, 10]^2, {how}.",
        source="MLP from scratch article, seed 003",
        params=params,
    )
