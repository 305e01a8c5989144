"""Named built-in datasets and their parameters, for make_dataset and the GUI's controls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nnviz.data import drawn, realdata, synthetic, tutorials
from nnviz.data.dataset import Dataset
from nnviz.errors import ConfigError


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a dataset: a control in the GUI."""

    name: str
    type: type  # int or float
    default: int | float
    min: int | float
    max: int | float
    help: str


@dataclass(frozen=True)
class DatasetSpec:
    """A built-in dataset. task is the task at the default parameters (spiral with
    classes=3 is multiclass): the built Dataset's task is authoritative."""

    name: str
    description: str
    task: str
    params: tuple[ParamSpec, ...]
    build: Callable[..., Dataset]
    n_inputs: int = 2  # columns of its X (engineered features need 2)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def inputs(self, params: dict) -> int:
        """Columns of its X with ``params``: n_inputs, or the "inputs" parameter's value
        where it has one (a drawn canvas: 2, a plane, or 1, a curve)."""
        if any(p.name == "inputs" for p in self.params):
            return int(params.get("inputs", self.defaults()["inputs"]))
        return self.n_inputs


def _samples(default: int) -> ParamSpec:
    return ParamSpec("samples", int, default, 4, 100_000, "number of points")


def _noise(default: float, help: str) -> ParamSpec:
    return ParamSpec("noise", float, default, 0.0, 5.0, help)


SEED = ParamSpec("seed", int, 0, 0, 2**31 - 1, "random seed (np.random.default_rng)")
JITTER = "std of Gaussian jitter added to the inputs"
TARGET_NOISE = "std of Gaussian noise added to the targets"

_SPECS = (
    DatasetSpec("single-neuron", "The single-neuron tutorial's 8 points (raw inputs).",
                "binary", (), tutorials.single_neuron),
    DatasetSpec("function-surface",
                "The article's f(x, y) = sin(x) + x cos(y) + y + 3^(x/3) on [-10, 10]^2.",
                "regression",
                (ParamSpec("grid", int, 100, 2, 400, "grid points per axis (N x N)"),
                 ParamSpec("samples", int, 0, 0, 100_000,
                           "random samples instead of the grid (0 = use the grid)"),
                 SEED),
                tutorials.function_surface),
    DatasetSpec("xor", "XOR: class 1 where x1 and x2 have opposite signs.", "binary",
                (_samples(200), _noise(0.1, JITTER), SEED), synthetic.xor),
    DatasetSpec("circles", "A ring around a smaller ring.", "binary",
                (_samples(200), _noise(0.05, JITTER), SEED), synthetic.circles),
    DatasetSpec("gaussians", "Two Gaussian clouds at (-2, -2) and (2, 2).", "binary",
                (_samples(200), _noise(1.0, "std of each cloud"), SEED), synthetic.gaussians),
    DatasetSpec("spiral", "Interleaved spiral arms (2 or 3 classes).", "binary",
                (_samples(300), _noise(0.05, JITTER), SEED,
                 ParamSpec("classes", int, 2, 2, 3, "number of arms (classes)")),
                synthetic.spiral),
    DatasetSpec("moons", "Two interleaving half moons.", "binary",
                (_samples(200), _noise(0.1, JITTER), SEED), synthetic.moons),
    DatasetSpec("plane", "Regression on the plane z = 2 x1 - 3 x2 + 1 over [-5, 5]^2.",
                "regression", (_samples(200), _noise(0.1, TARGET_NOISE), SEED),
                synthetic.plane),
    DatasetSpec("gaussian-surface", "Regression on a sum of Gaussian bumps over [-5, 5]^2.",
                "regression",
                (_samples(400), _noise(0.05, TARGET_NOISE), SEED,
                 ParamSpec("bumps", int, 3, 1, 8, "number of Gaussian bumps")),
                synthetic.gaussian_surface),
    DatasetSpec("iris", "Fisher's iris: 3 species, 4 features, 150 rows (shipped CSV).",
                "multiclass", (), realdata.iris, n_inputs=4),
    DatasetSpec("drawn", "An empty canvas: click points onto the plane (Draw mode), or "
                "(x, y) samples of a curve.", "binary",
                (ParamSpec("classes", int, 2, 2, drawn.MAX_CLASSES,
                           "classes of points to draw on the plane"),
                 ParamSpec("inputs", int, 2, 1, 2,
                           "2: points (x1, x2) of classes; 1: samples (x, y) of a curve, "
                           "a regression")),
                drawn.canvas),
)

#: name -> DatasetSpec, in menu order.
DATASET_SPECS: dict[str, DatasetSpec] = {s.name: s for s in _SPECS}


def coerce_param(spec: DatasetSpec, p: ParamSpec, value):
    """``value`` as the parameter's type, checked against its limits (ConfigError if not)."""
    if p.type is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok or (isinstance(value, float) and value.is_integer())
    else:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok:
        raise ConfigError(f"{spec.name}: {p.name} must be {p.type.__name__}, got {value!r}")
    value = p.type(value)
    if not p.min <= value <= p.max:
        raise ConfigError(f"{spec.name}: {p.name} must be in [{p.min}, {p.max}], got {value}")
    return value


def check_params(name: str, params: dict) -> dict:
    """``params`` of the built-in dataset ``name`` checked (names, types, limits, grid or
    samples) and coerced to their types; ConfigError (one line) otherwise."""
    spec = DATASET_SPECS.get(name)
    if spec is None:
        raise ConfigError(f"unknown dataset {name!r}; choose from {', '.join(DATASET_SPECS)}")
    known = {p.name: p for p in spec.params}
    unknown = sorted(set(params) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise ConfigError(f"{name}: unknown parameter(s) {', '.join(map(str, unknown))} "
                          f"(parameters: {allowed})")
    if name == "function-surface" and params.get("samples") and "grid" in params:
        raise ConfigError("function-surface: give grid or samples, not both")
    return {k: coerce_param(spec, known[k], v) for k, v in params.items()}


def make_dataset(name: str, **params) -> Dataset:
    """Build the built-in dataset `name` with params (others at their defaults)."""
    checked = check_params(name, params)
    spec = DATASET_SPECS[name]
    return spec.build(**{**spec.defaults(), **checked})
