"""Split a Dataset and scale it for training: what the trainer consumes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from nnviz.data import features as feats
from nnviz.data.dataset import Dataset, frozen
from nnviz.data.scaling import SCALINGS, Scaler
from nnviz.data.split import train_test_indices
from nnviz.errors import ConfigError, DataError

#: Largest magnitude of an input or regression target: its square, and a sum of 1e7 squares
#: (the scaler's variance, the squared error), stay finite (1e300 * 1e7 < 1.8e308).
MAX_ABS_VALUE = 1e150


@dataclass(frozen=True, eq=False)
class Prepared:
    """Scaled, split arrays (read-only float64): X_* (n_*, d), Y_* (n_*, k).

    x_scaler maps the dataset's raw inputs to scaled inputs, which ``features``
    (``nnviz.data.features``; the default: the scaled inputs themselves) turns into the
    network's d inputs; y_scaler maps network outputs back to the data's units (identity for
    classification). train_index / test_index index dataset.X.
    """

    dataset: Dataset
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray
    x_scaler: Scaler
    y_scaler: Scaler
    scaling: str
    test_ratio: float
    seed: int
    features: tuple[str, ...] = feats.DEFAULT_FEATURES

    @property
    def input_names(self) -> tuple[str, ...]:
        """What to call each network input ("x1²", ...; the dataset's names by default)."""
        return feats.labels(self.features, self.dataset.feature_names)

    def with_features(self, features) -> Prepared:
        """The same split and scalers with network inputs ``features`` (ConfigError if the
        choice is unusable), computed from the raw rows: the same bits however it is reached."""
        features = tuple(features)
        if features == self.features:
            return self
        ds = self.dataset
        feats.check_features(features, ds.n_features, ds.name)
        return dataclasses.replace(
            self, features=features,
            X_train=frozen(self.to_network(ds.X[self.train_index], features)),
            X_test=frozen(self.to_network(ds.X[self.test_index], features)))

    def with_rows(self, dataset: Dataset, train_index, test_index,
                  x_scaler: Scaler | None = None, y_scaler: Scaler | None = None) -> Prepared:
        """The same scalers (or the ones given) and features on ``dataset``'s rows
        ``train_index`` / ``test_index`` (sorted int64): what a drawn point or a re-fit makes,
        computed from the raw rows exactly as a reopened session computes them."""
        x_scaler = self.x_scaler if x_scaler is None else x_scaler
        y_scaler = self.y_scaler if y_scaler is None else y_scaler
        train = np.array(train_index, dtype=np.int64)
        test = np.array(test_index, dtype=np.int64)
        train.setflags(write=False)
        test.setflags(write=False)
        return dataclasses.replace(
            self, dataset=dataset, train_index=train, test_index=test,
            x_scaler=x_scaler, y_scaler=y_scaler,
            X_train=frozen(feats.expand(x_scaler.transform(dataset.X[train]), self.features)),
            Y_train=frozen(y_scaler.transform(dataset.Y[train])),
            X_test=frozen(feats.expand(x_scaler.transform(dataset.X[test]), self.features)),
            Y_test=frozen(y_scaler.transform(dataset.Y[test])))

    def refitted(self) -> Prepared:
        """The scalers fitted again, of the same kinds, on the training rows now (a drawn
        dataset keeps its first scaling until a person asks for this). DataError without
        training rows."""
        ds, train = self.dataset, self.train_index
        if len(train) == 0:
            raise DataError("re-fit scaling: there are no training points to fit it on")
        x_scaler = Scaler.fit(ds.X[train], self.x_scaler.kind)
        y_scaler = (Scaler.fit(ds.Y[train], self.y_scaler.kind) if ds.task == "regression"
                    else self.y_scaler)
        return self.with_rows(ds, train, self.test_index, x_scaler, y_scaler)

    @property
    def has_test(self) -> bool:
        """True when the split kept rows for testing (test_ratio > 0)."""
        return len(self.test_index) > 0

    def to_network(self, X_raw: np.ndarray, features=None) -> np.ndarray:
        """Raw inputs (m, d_raw), e.g. a heatmap grid -> network inputs (m, d): scaled, then
        ``features`` (default: this run's)."""
        return feats.expand(self.x_scaler.transform(X_raw),
                            self.features if features is None else features)

    def to_data_units(self, Y_net: np.ndarray) -> np.ndarray:
        """Network outputs (m, k) -> predictions in the data's own units."""
        return self.y_scaler.inverse_transform(Y_net)


def _check_magnitude(dataset: Dataset) -> None:
    """DataError naming the column and row of the first value over MAX_ABS_VALUE in size
    (it would overflow when scaled or squared, and train on zeros or diverge)."""
    parts = [(dataset.X, dataset.feature_names)]
    if dataset.task == "regression":
        parts.append((dataset.Y, (dataset.target_name,) * dataset.Y.shape[1]))
    for A, names in parts:
        big = np.abs(A) > MAX_ABS_VALUE
        if big.any():
            i, j = (int(k) for k in np.argwhere(big)[0])
            name = names[j] if j < len(names) else f"#{j + 1}"
            raise DataError(
                f"{dataset.source or dataset.name}: column {name!r}, data row {i + 1}: "
                f"{A[i, j]:g} is too large (over {MAX_ABS_VALUE:g} in size it overflows when "
                "scaled or squared): use other units"
            )


def prepare(dataset: Dataset, test_ratio: float = 0.0, seed: int = 0,
            scaling: str | None = None, y_scaling: str | None = None,
            stratify: bool = True) -> Prepared:
    """Split (train_test_indices) then scale, fitting on the training rows only.

    Inputs get `scaling` (None: dataset.default_scaling, "standard" except for the
    single-neuron tutorial's raw inputs); regression targets get `y_scaling` (None: same as
    scaling); classification targets are never scaled. With test_ratio 0 and "standard" this is the
    article's (inputs - inputs.mean(0)) / inputs.std(0), bit for bit.
    A dataset without rows (an empty canvas to draw on, ``nnviz.data.drawn``) has nothing to
    split, and its scalers are fitted on its bounds: inputs on the two corners (lo, hi) of
    each feature's, regression targets on the first feature's (a canvas is square), so
    "standard" maps the canvas to [-1, 1].
    """
    scaling = dataset.default_scaling if scaling is None else scaling
    if scaling not in SCALINGS:
        raise ConfigError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")
    y_scaling = scaling if y_scaling is None else y_scaling
    if y_scaling not in SCALINGS:
        raise ConfigError(f"y scaling must be one of {', '.join(SCALINGS)}, got {y_scaling!r}")
    _check_magnitude(dataset)
    if dataset.n_samples == 0:
        return _prepare_canvas(dataset, scaling, y_scaling, test_ratio, seed)
    labels = dataset.labels if (stratify and dataset.task != "regression") else None
    train, test = train_test_indices(dataset.n_samples, test_ratio, seed, labels)
    X_tr, Y_tr = dataset.X[train], dataset.Y[train]
    X_te, Y_te = dataset.X[test], dataset.Y[test]
    x_scaler = Scaler.fit(X_tr, scaling)
    if dataset.task == "regression":
        y_scaler = Scaler.fit(Y_tr, y_scaling)
    else:
        y_scaler = Scaler.identity(dataset.n_outputs)
    return Prepared(
        dataset=dataset,
        X_train=frozen(x_scaler.transform(X_tr)),
        Y_train=frozen(y_scaler.transform(Y_tr)),
        X_test=frozen(x_scaler.transform(X_te)),
        Y_test=frozen(y_scaler.transform(Y_te)),
        train_index=train,
        test_index=test,
        x_scaler=x_scaler,
        y_scaler=y_scaler,
        scaling=scaling,
        test_ratio=float(test_ratio),
        seed=seed,
    )


def _prepare_canvas(dataset: Dataset, scaling: str, y_scaling: str, test_ratio: float,
                    seed: int) -> Prepared:
    """``prepare`` of a dataset without rows: no split, scalers fitted on its bounds."""
    corners = np.array(dataset.bounds, dtype=np.float64).T  # (2, d): lo row, hi row
    x_scaler = Scaler.fit(corners, scaling)
    if dataset.task == "regression":
        y_scaler = Scaler.fit(np.repeat(corners[:, :1], dataset.n_outputs, axis=1), y_scaling)
    else:
        y_scaler = Scaler.identity(dataset.n_outputs)
    empty = np.zeros(0, dtype=np.int64)
    empty.setflags(write=False)
    return Prepared(
        dataset=dataset, X_train=frozen(dataset.X), Y_train=frozen(dataset.Y),
        X_test=frozen(dataset.X), Y_test=frozen(dataset.Y), train_index=empty,
        test_index=empty, x_scaler=x_scaler, y_scaler=y_scaler, scaling=scaling,
        test_ratio=float(test_ratio), seed=seed)
