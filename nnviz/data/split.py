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
        labels = np.asarray(labels)
        groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    test_parts = []
    for g in groups:
        k = min(int(round(len(g) * test_ratio)), len(g) - 1)
        test_parts.append(rng.permutation(g)[:k])
    test = np.sort(np.concatenate(test_parts)).astype(np.int64)
    train = np.setdiff1d(np.arange(n), test).astype(np.int64)
    train.setflags(write=False)
    test.setflags(write=False)
    return train, test
