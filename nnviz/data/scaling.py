"""Per-column scalers: fitted on training data only, applied to anything, invertible."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.data.dataset import frozen
from nnviz.errors import ConfigError

SCALINGS = ("standard", "minmax", "none")



@dataclass(frozen=True, eq=False)
class Scaler:
    """x_scaled = (x - center) / scale, column by column; x = x_scaled * scale + center.

    standard: center = mean(axis=0), scale = std(axis=0, ddof=0) (the article's).
    minmax:   center = min(axis=0),  scale = max - min, so training data maps to [0, 1].
    none:     center = 0, scale = 1 (transform returns an equal copy).
    A constant column (scale 0) gets scale 1 so it maps to 0 instead of NaN.
    """

    kind: str
    center: np.ndarray  # (d,)
    scale: np.ndarray  # (d,)

    def __post_init__(self) -> None:
        if self.kind not in SCALINGS:
            raise ConfigError(f"scaling must be one of {', '.join(SCALINGS)}, got {self.kind!r}")
        object.__setattr__(self, "center", frozen(self.center))
        object.__setattr__(self, "scale", frozen(self.scale))

    @classmethod
    def fit(cls, data: np.ndarray, kind: str = "standard") -> Scaler:
        """Fit on data (n, d)."""
        data = np.asarray(data, dtype=np.float64)
        if data.ndim != 2 or len(data) == 0:
            raise ConfigError(f"Scaler.fit needs a non-empty (n, d) array, got {data.shape}")
        d = data.shape[1]
        if kind == "standard":
            center, scale = data.mean(axis=0), data.std(axis=0)
        elif kind == "minmax":
            center, scale = data.min(axis=0), data.max(axis=0) - data.min(axis=0)
        elif kind == "none":
            return cls.identity(d)
        else:
            raise ConfigError(f"scaling must be one of {', '.join(SCALINGS)}, got {kind!r}")
        return cls(kind, center, np.where(scale == 0, 1.0, scale))

    @classmethod
    def identity(cls, n_columns: int) -> Scaler:
        """The "none" scaler for n_columns columns."""
        return cls("none", np.zeros(n_columns), np.ones(n_columns))

    @property
    def is_identity(self) -> bool:
        return self.kind == "none"

    def transform(self, data: np.ndarray) -> np.ndarray:
        """(m, d) raw -> (m, d) scaled."""
        return (np.asarray(data, dtype=np.float64) - self.center) / self.scale

    def inverse_transform(self, data: np.ndarray) -> np.ndarray:
        """(m, d) scaled -> (m, d) raw (the data's own units)."""
        return np.asarray(data, dtype=np.float64) * self.scale + self.center
