"""Classic 2-D problems, each drawn from its own np.random.default_rng(seed).

Classification: `noise` is the standard deviation of Gaussian jitter added to the inputs
(for "gaussians" it is each cloud's standard deviation). Regression: `noise` is the standard
deviation of Gaussian noise added to the targets; `function` stays noise-free.
"""

from __future__ import annotations

import numpy as np

from nnviz.data.dataset import Dataset, class_targets
from nnviz.errors import ConfigError


def _check(name: str, samples: int, noise: float, min_samples: int = 2) -> None:
    if samples < min_samples:
        raise ConfigError(f"{name}: samples must be at least {min_samples}, got {samples}")
    if not np.isfinite(noise) or noise < 0:
        raise ConfigError(f"{name}: noise must be a finite number >= 0, got {noise}")


def _per_class(samples: int, classes: int) -> list[int]:
    """Split samples as evenly as possible: e.g. 7 into 3 classes -> [3, 2, 2]."""
    base, extra = divmod(samples, classes)
    return [base + (1 if k < extra else 0) for k in range(classes)]


def _classification(name, X, labels, n_classes, rng, description, params) -> Dataset:
    """Shuffle (X, labels) with rng and wrap them as a Dataset."""
    order = rng.permutation(len(X))
    Y, task = class_targets(labels[order], n_classes)
    return Dataset(
        name=name,
        X=X[order],
        Y=Y,
        task=task,
        feature_names=("x1", "x2"),
        target_name="class",
        class_names=tuple(str(k) for k in range(n_classes)),
        description=description,
        params=params,
    )


def xor(samples: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Uniform points in [-1, 1]^2; class 1 where x1*x2 < 0 (signs differ), then jitter."""
    _check("xor", samples, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(samples, 2))
    labels = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    X = X + rng.normal(0.0, noise, size=X.shape)
    return _classification("xor", X, labels, 2, rng, "XOR: class 1 where the signs differ.",
                           {"samples": samples, "noise": noise, "seed": seed})


def circles(samples: int = 200, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Class 0 on the circle r = 1, class 1 on r = 0.5, angles uniform, then jitter."""
    _check("circles", samples, noise)
    rng = np.random.default_rng(seed)
    n0, n1 = _per_class(samples, 2)
    t = rng.uniform(0.0, 2 * np.pi, samples)
    r = np.r_[np.full(n0, 1.0), np.full(n1, 0.5)]
    X = np.column_stack((r * np.cos(t), r * np.sin(t)))
    X = X + rng.normal(0.0, noise, size=X.shape)
    labels = np.r_[np.zeros(n0, np.int64), np.ones(n1, np.int64)]
    return _classification("circles", X, labels, 2, rng, "A ring (0) around a smaller ring (1).",
                           {"samples": samples, "noise": noise, "seed": seed})


def gaussians(samples: int = 200, noise: float = 1.0, seed: int = 0) -> Dataset:
    """Two Gaussian clouds centred at (-2, -2) (class 0) and (2, 2) (class 1), std = noise."""
    _check("gaussians", samples, noise)
    rng = np.random.default_rng(seed)
    n0, n1 = _per_class(samples, 2)
    centres = np.r_[np.tile([-2.0, -2.0], (n0, 1)), np.tile([2.0, 2.0], (n1, 1))]
    X = centres + rng.normal(0.0, noise, size=(samples, 2))
    labels = np.r_[np.zeros(n0, np.int64), np.ones(n1, np.int64)]
    return _classification("gaussians", X, labels, 2, rng,
                           "Two Gaussian clouds at (-2, -2) and (2, 2).",
                           {"samples": samples, "noise": noise, "seed": seed})


def spiral(samples: int = 300, noise: float = 0.05, seed: int = 0, classes: int = 2) -> Dataset:
    """`classes` interleaved arms: arm k has r = linspace(0.05, 1, n_k) and angle
    theta = 2*pi*k/classes + 3*pi*r; point = r*(cos theta, sin theta) + jitter."""
    _check("spiral", samples, noise, min_samples=2 * classes)
    if classes not in (2, 3):
        raise ConfigError(f"spiral: classes must be 2 or 3, got {classes}")
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for k, n_k in enumerate(_per_class(samples, classes)):
        r = np.linspace(0.05, 1.0, n_k)
        theta = 2 * np.pi * k / classes + 3 * np.pi * r
        parts.append(np.column_stack((r * np.cos(theta), r * np.sin(theta))))
        labels.append(np.full(n_k, k, dtype=np.int64))
    X = np.concatenate(parts)
    X = X + rng.normal(0.0, noise, size=X.shape)
    return _classification("spiral", X, np.concatenate(labels), classes, rng,
                           f"{classes} interleaved spiral arms.",
                           {"samples": samples, "noise": noise, "seed": seed, "classes": classes})


def moons(samples: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two half moons: class 0 at (cos t, sin t), class 1 at (1 - cos t, 0.5 - sin t),
    t uniform in [0, pi], then jitter."""
    _check("moons", samples, noise)
    rng = np.random.default_rng(seed)
    n0, n1 = _per_class(samples, 2)
    t0 = rng.uniform(0.0, np.pi, n0)
    t1 = rng.uniform(0.0, np.pi, n1)
    X = np.r_[np.column_stack((np.cos(t0), np.sin(t0))),
              np.column_stack((1.0 - np.cos(t1), 0.5 - np.sin(t1)))]
    X = X + rng.normal(0.0, noise, size=X.shape)
    labels = np.r_[np.zeros(n0, np.int64), np.ones(n1, np.int64)]
    return _classification("moons", X, labels, 2, rng, "Two interleaving half moons.",
                           {"samples": samples, "noise": noise, "seed": seed})


PLANE_COEF = (2.0, -3.0, 1.0)  # z = 2*x1 - 3*x2 + 1
REGRESSION_LO, REGRESSION_HI = -5.0, 5.0


def _plane_true(points: np.ndarray) -> np.ndarray:
    a, b, c = PLANE_COEF
    points = np.asarray(points, dtype=np.float64)
    return (a * points[:, 0] + b * points[:, 1] + c).reshape(-1, 1)


def _regression(name, X, f, rng, noise, description, params) -> Dataset:
    Y = f(X) + rng.normal(0.0, noise, size=(len(X), 1))
    box = (REGRESSION_LO, REGRESSION_HI)
    return Dataset(name=name, X=X, Y=Y, task="regression", feature_names=("x1", "x2"),
                   target_name="z", bounds=(box, box), function=f,
                   description=description, params=params)


def plane(samples: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """z = 2*x1 - 3*x2 + 1 (+ noise) at uniform points in [-5, 5]^2."""
    _check("plane", samples, noise, min_samples=1)
    rng = np.random.default_rng(seed)
    X = rng.uniform(REGRESSION_LO, REGRESSION_HI, size=(samples, 2))
    return _regression("plane", X, _plane_true, rng, noise, "The plane z = 2 x1 - 3 x2 + 1.",
                       {"samples": samples, "noise": noise, "seed": seed})


class GaussianSurface:
    """z = sum_i h_i * exp(-|x - c_i|^2 / (2 s_i^2)); callable on (m, 2) -> (m, 1)."""

    def __init__(self, centres: np.ndarray, widths: np.ndarray, heights: np.ndarray):
        self.centres = np.array(centres, dtype=np.float64)
        self.widths = np.array(widths, dtype=np.float64)
        self.heights = np.array(heights, dtype=np.float64)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=np.float64)
        d2 = ((points[:, None, :] - self.centres[None, :, :]) ** 2).sum(axis=2)  # (m, bumps)
        return (self.heights * np.exp(-d2 / (2 * self.widths**2))).sum(axis=1).reshape(-1, 1)


def gaussian_surface(samples: int = 400, noise: float = 0.05, seed: int = 0,
                     bumps: int = 3) -> Dataset:
    """A sum of `bumps` Gaussian bumps on [-5, 5]^2 (centres in [-3.5, 3.5]^2, widths in
    [0.8, 2], heights +-[0.5, 1.5], all from default_rng(seed)), sampled uniformly."""
    _check("gaussian-surface", samples, noise, min_samples=1)
    if not 1 <= bumps <= 8:
        raise ConfigError(f"gaussian-surface: bumps must be 1..8, got {bumps}")
    rng = np.random.default_rng(seed)
    f = GaussianSurface(
        centres=rng.uniform(-3.5, 3.5, size=(bumps, 2)),
        widths=rng.uniform(0.8, 2.0, size=bumps),
        heights=rng.uniform(0.5, 1.5, size=bumps) * rng.choice([-1.0, 1.0], size=bumps),
    )
    X = rng.uniform(REGRESSION_LO, REGRESSION_HI, size=(samples, 2))
    return _regression("gaussian-surface", X, f, rng, noise,
                       f"A sum of {bumps} Gaussian bumps.",
                       {"samples": samples, "noise": noise, "seed": seed, "bumps": bumps})
