"""Train/test split by ratio and seed."""

from __future__ import annotations

import numpy as np

from nnviz.errors import ConfigError


def train_test_indices(n: int, test_ratio: float, seed: int = 0,
                       labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sorted int64 index arrays (train, test) into range(n).

    n_test = round(n * test_ratio), drawn with np.random.default_rng(seed). With labels
    (n,) the split is stratified: each class gives round(count * test_ratio) samples to the
    test set and keeps at least one for training. test_ratio 0 -> (arange(n), empty).
    """
    if not (0.0 <= test_ratio < 1.0):
        raise ConfigError(f"test ratio must be in [0, 1), got {test_ratio}")
    if n < 1:
        raise ConfigError(f"cannot split {n} samples")
    rng = np.random.default_rng(seed)
    if labels is None:
        groups = [np.arange(n)]
    else:
        # (the inverse: the classes' groups at once; a plain np.unique also loads numpy.ma,
        # ~15 ms of the window's start, to ask whether the labels are masked)
        _, inverse = np.unique(np.asarray(labels), return_inverse=True)
        groups = [np.flatnonzero(inverse == k) for k in range(int(inverse.max(initial=-1)) + 1)]
    test_parts = []
    for g in groups:
        k = min(int(round(len(g) * test_ratio)), len(g) - 1)
        test_parts.append(rng.permutation(g)[:k])
    test = np.sort(np.concatenate(test_parts)).astype(np.int64)
    train = np.setdiff1d(np.arange(n), test, assume_unique=True).astype(np.int64)
    train.setflags(write=False)
    test.setflags(write=False)
    return train, test
