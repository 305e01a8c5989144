"""The inputs a person turns on and off on the network diagram (numpy only, no Qt).

For a built-in dataset of 2 inputs the candidates are the engineered features
(``nnviz.data.features``: x1, x2, x1², x2², x1·x2, sin(x1), sin(x2)) and the choice is the
configuration's ``features``; for a CSV file they are its numeric columns other than the target
(``Dataset.input_columns``) and the choice is ``csv_features``. Every candidate has a slot in
the diagram's input column (``DiagramLayout(..., input_slots=choice.slots())``); the network's
input k sits in slot ``slots[k]``, the others are drawn greyed.

    choice = input_choice(run)        # None: the inputs are fixed (iris, a reopened CSV ...)
    choice.toggled(3)                 # the new selection, or ConfigError if none is left
    feature_planes(bounds, x_scaler, 2, FEATURES)   # each feature's picture over the plane
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.data.features import DEFAULT_FEATURES, FEATURES, check_features, expand, labels
from nnviz.data.registry import DATASET_SPECS
from nnviz.errors import ConfigError
from nnviz.scales import nice_scale, plot_values

#: pixels per side of a feature's picture (computed once per run)
PICTURE_RESOLUTION = 24


def engineered_inputs(dataset: str) -> bool:
    """True for a built-in dataset of 2 inputs: the engineered features apply to it."""
    return dataset in DATASET_SPECS and DATASET_SPECS[dataset].n_inputs == 2


@dataclass(frozen=True)
class InputChoice:
    """field: the configuration field the choice edits ("features" or "csv_features");
    names: the candidates in that field's spelling, in the order drawn; labels: their drawn
    names; chosen: the network's inputs in order (a subset of names)."""

    field: str
    names: tuple[str, ...]
    labels: tuple[str, ...]
    chosen: tuple[str, ...]

    @property
    def on(self) -> tuple[bool, ...]:
        """(n_candidates,) whether each candidate is a network input."""
        return tuple(n in self.chosen for n in self.names)

    def slots(self) -> tuple[int, tuple[int, ...]]:
        """(number of slots, the slot of each network input in the network's order)."""
        return len(self.names), tuple(self.names.index(n) for n in self.chosen)

    def toggled(self, k: int) -> tuple[str, ...]:
        """The selection after turning candidate ``k`` on or off (``toggle``)."""
        return toggle(self.field, self.chosen, self.names[k], self.names)


def toggle(field: str, chosen, name: str, order=()) -> tuple[str, ...]:
    """``chosen`` with input ``name`` turned on or off: in the candidates' ``order`` where
    given (else a new input comes last); ConfigError (one line, naming ``field``) if that
    leaves no input."""
    chosen = tuple(chosen)
    new = tuple(n for n in chosen if n != name) if name in chosen else (*chosen, name)
    if order:
        new = tuple(n for n in order if n in new)
    if field == "features":
        check_features(new, 2)
    elif not new:
        raise ConfigError(f"{field}: choose at least one input column (none leaves the "
                          "network without inputs)")
    return new


def input_choice(run) -> InputChoice | None:
    """What the diagram offers for a ``nnviz.snapshot.RunInfo`` (None: nothing to choose)."""
    config, ds = run.config, run.dataset
    if engineered_inputs(config.dataset) and ds.n_features == 2:
        names = tuple(FEATURES)
        return InputChoice("features", names, labels(names, ds.feature_names),
                           tuple(run.features))
    columns = tuple(getattr(ds, "input_columns", ()))
    if config.dataset == "csv" and columns and set(ds.feature_names) <= set(columns):
        return InputChoice("csv_features", columns, columns, tuple(ds.feature_names))
    return None


def feature_planes(bounds, x_scaler, features=DEFAULT_FEATURES,
                   resolution: int = PICTURE_RESOLUTION):
    """Each feature's value over the data's plane ``bounds`` ((lo, hi) of the raw x1, x2):
    [(image (resolution, resolution) with [iy, ix] indexing, symmetric level), ...] in network
    units (``x_scaler`` applied, then the feature)."""
    (x0, x1), (y0, y1) = bounds[:2]
    t = np.linspace(0.0, 1.0, resolution)  # (lo (1 - t) + hi t: no overflow near ±1e308)
    xs, ys = np.meshgrid(x0 * (1 - t) + x1 * t, y0 * (1 - t) + y1 * t)
    raw = np.column_stack((xs.ravel(), ys.ravel()))
    with np.errstate(all="ignore"):
        scaled = expand(x_scaler.transform(raw) if x_scaler is not None else raw,
                        tuple(features))
        planes = []
        for j in range(scaled.shape[1]):
            col = plot_values(np.nan_to_num(scaled[:, j].reshape(xs.shape), nan=0.0,
                                            posinf=0.0, neginf=0.0))
            planes.append((col, nice_scale(float(np.max(np.abs(col), initial=0)))))
    return planes
