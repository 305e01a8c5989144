"""Frozen pictures of a training run, safe to hand from the worker thread to the GUI.

Every array in a ``Snapshot`` is a copy made by ``take_snapshot``; the GUI never sees the
engine's live arrays. Shapes (L = number of weight layers, n_l = neurons in layer l):

    weights[l] (n_l, n_{l+1}), biases[l] (n_{l+1},)      parameters now
    grad_W[l], grad_b[l]                                   gradient of the last step's batch
    change_W[l], change_b[l]                               the change the last step applied
    sample: SampleTrace of the display sample with the current parameters
    mean_activation[l] (n_l,)                              batch-mean |a| over (a subset of)
                                                           the training set, l = 0 .. L
    dead[l], saturated[l] (n_{l+1},) bool                  per hidden/output neuron
    fit: Fit (regression) or None: targets against predictions, with the activity
    grid: PredictionGrid or None (2-D inputs only; refreshed at a lower rate)
    curve: PredictionCurve or None (1 input: the network's y = f(x); with the grid)
    data: DataView: the rows now (points drawn change them while the run trains)
    generation: which run (the controller's count of runs built) it belongs to
    walk: WalkView or None: in step-through mode, the walk these values come from
    replayed: a recorded moment shown again (``nnviz.recorder``, the window's timeline), not
        the run now: a panel that gathers something over snapshots (the inspector's landscape
        path) must not add it
    distributions: DistributionView (engine.distributions): each layer's weight and gradient
                   percentile bands and gradient norms over the run (float32, read-only,
                   one object shared by the snapshots taken between two records)
    edits, undone: the hand edits done (oldest first) and undone (the next redo last):
                   frozen ``nnviz.engine.edits.Edit``s
    current_loss: the mean loss over (up to STATS_ROWS of) the training set with the
                  parameters now (NaN when the activity was not computed)

A ``RunInfo`` describes a run as it was built (configuration, data, layer sizes): what panels
lay themselves out by. Neither refers to the live network or trainer. Drawn points change the
rows of a run while it trains: a snapshot's ``data`` (a new one each time they change,
``revision`` counting) is what the panels that draw points show. A run without training rows
(an empty canvas) has a sample trace of index -1 at the inputs' origin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from nnviz.data import Dataset, Scaler
from nnviz.engine.distributions import DistributionView
from nnviz.engine.edits import Edit
from nnviz.experiment import Experiment, TrainingConfig

#: the most hidden and output neurons whose outputs a prediction grid carries (neuron heatmaps)
NEURON_GRID_MAX = 128
#: rows of the training set used for batch-mean activations, dead/saturated flags and the fit
#: (and of the test set, for the fit)
STATS_ROWS = 2048


@dataclass(frozen=True, eq=False)
class SampleTrace:
    """One sample through the network: index into the training set, a[l] (n_l,), z[l] and
    delta[l] (n_{l+1},), its loss and dL/dy_hat."""

    index: int
    x: np.ndarray
    y: np.ndarray
    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]
    delta: tuple[np.ndarray, ...]
    loss: float
    dL_dyhat: np.ndarray


@dataclass(frozen=True, eq=False)
class PredictionGrid:
    """The network over a plane of two input features, in the data's own units.

    xs (r,), ys (r,): raw coordinates; predicted (r, r, k) with [iy, ix] indexing as meshgrid;
    true (r, r, k) or None; neuron[l] (r, r, n_{l+1}): every neuron's activation (small nets).
    """

    features: tuple[int, int]
    xs: np.ndarray
    ys: np.ndarray
    predicted: np.ndarray
    true: np.ndarray | None
    neuron: tuple[np.ndarray, ...] | None


@dataclass(frozen=True, eq=False)
class PredictionCurve:
    """The network over its one input, in the data's own units: xs (r,) raw inputs spanning
    the bounds, predicted (r, k)."""

    xs: np.ndarray
    predicted: np.ndarray


@dataclass(frozen=True, eq=False)
class DataView:
    """The rows a run trains on now (all read-only, shared, never copied: each change makes
    new ones). revision: ``Experiment.data_revision``; dataset: raw rows; train_index /
    test_index into them; X_train (n, n_0), Y_train: the network's scaled rows; x_scaler,
    y_scaler: raw <-> scaled (a re-fit changes them)."""

    revision: int
    dataset: Dataset
    train_index: np.ndarray
    test_index: np.ndarray
    X_train: np.ndarray
    Y_train: np.ndarray
    x_scaler: Scaler
    y_scaler: Scaler


def data_view(exp: Experiment) -> DataView:
    """The experiment's rows now (references to its immutable arrays: no copy)."""
    p = exp.prepared
    return DataView(exp.data_revision, exp.dataset, _read_only(p.train_index),
                    _read_only(p.test_index), p.X_train, p.Y_train, p.x_scaler, p.y_scaler)


@dataclass(frozen=True, eq=False)
class Fit:
    """A regression's targets against the network's predictions in the data's own units (first
    output), on up to STATS_ROWS rows of each split: train_true, train_predicted (m,);
    test_true, test_predicted (t,), empty without a test split."""

    train_true: np.ndarray
    train_predicted: np.ndarray
    test_true: np.ndarray
    test_predicted: np.ndarray


def _read_only(a: np.ndarray) -> np.ndarray:
    """A view of ``a`` that cannot be written through (no copy)."""
    view = a.view()
    view.setflags(write=False)
    return view


@dataclass(frozen=True, eq=False)
class RunInfo:
    """A run as it was built, for panels to lay themselves out by (never changes while it
    trains). dataset: the raw data (read-only); sizes (n_0, ..., n_L); activations[l] and
    loss: names; X_train (n, n_0), Y_train (n, n_L): the scaled training rows (read-only,
    float64; the trainer trains on them in its dtype); train_index / test_index index
    dataset.X; x_scaler maps raw inputs to scaled ones, ``scaling`` names it; features (the
    configuration's) turn those into the network's inputs, called input_names ("x1²", ...;
    the dataset's feature_names by default)."""

    config: TrainingConfig
    dataset: Dataset
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    X_train: np.ndarray
    Y_train: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray
    x_scaler: Scaler
    scaling: str
    features: tuple[str, ...]
    input_names: tuple[str, ...]

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def has_test(self) -> bool:
        return len(self.test_index) > 0

    @property
    def n_train(self) -> int:
        return len(self.X_train)


def run_info(exp: Experiment) -> RunInfo:
    """Describe ``exp`` as built (call it before the worker trains it: it reads the config)."""
    prep = exp.prepared
    return RunInfo(
        config=exp.config,
        dataset=exp.dataset,
        sizes=tuple(exp.net.sizes),
        activations=tuple(exp.net.activation_names),
        loss=exp.trainer.loss_fn.name,
        X_train=prep.X_train,
        Y_train=prep.Y_train,
        train_index=_read_only(prep.train_index),
        test_index=_read_only(prep.test_index),
        x_scaler=prep.x_scaler,
        scaling=prep.scaling,
        features=prep.features,
        input_names=prep.input_names,
    )


@dataclass(frozen=True, eq=False)
class Snapshot:
    step: int
    epoch: float
    samples_seen: int
    lr: float
    loss: float
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    grad_W: tuple[np.ndarray, ...]
    grad_b: tuple[np.ndarray, ...]
    change_W: tuple[np.ndarray, ...]
    change_b: tuple[np.ndarray, ...]
    activations: tuple[str, ...]
    sample: SampleTrace
    last_indices: np.ndarray
    mean_activation: tuple[np.ndarray, ...]
    dead: tuple[np.ndarray, ...]
    saturated: tuple[np.ndarray, ...]
    history: Mapping[str, Mapping[str, np.ndarray]]
    stop_reason: str | None = None
    diverged: bool = False
    grid: PredictionGrid | None = None
    fit: Fit | None = None
    generation: int = 0
    walk: WalkView | None = None
    replayed: bool = False
    distributions: DistributionView | None = None
    data: DataView | None = None
    curve: PredictionCurve | None = None
    edits: tuple[Edit, ...] = ()
    undone: tuple[Edit, ...] = ()
    current_loss: float = float("nan")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.weights[0].shape[0],) + tuple(w.shape[1] for w in self.weights)


def _last_grads(exp: Experiment):
    """The last step's gradients and changes as arrays (zeros before the first step)."""
    trainer, net = exp.trainer, exp.net
    if trainer.step_count == 0:
        zeros_W = tuple(np.zeros_like(w) for w in net.weights)
        zeros_b = tuple(np.zeros_like(b) for b in net.biases)
        return zeros_W, zeros_b, zeros_W, zeros_b
    kernel, layers = trainer.kernel, range(net.n_layers)
    changes = kernel.changes()
    return (tuple(kernel.value("dW", l) for l in layers),
            tuple(kernel.value("db", l) for l in layers),
            tuple(changes[0::2]), tuple(changes[1::2]))


def sample_trace(exp: Experiment, index: int) -> SampleTrace:
    """Forward and backward of training sample ``index`` with the current parameters (no
    training rows: index -1, inputs and targets 0)."""
    t = exp.trainer
    if t.n == 0:
        index = -1
        x = np.zeros((1, exp.net.sizes[0]), dtype=t.X.dtype)
        y = np.zeros((1, exp.net.sizes[-1]), dtype=t.Y.dtype)
    else:
        x, y = t.X[index : index + 1], t.Y[index : index + 1]
    trace = exp.net.forward(x)
    grads = exp.net.backward(trace, y, t.loss_fn)
    return SampleTrace(
        index=int(index),
        x=x[0].copy(),
        y=y[0].copy(),
        z=tuple(z[0].copy() for z in trace.z),
        a=tuple(a[0].copy() for a in trace.a),
        delta=tuple(d[0].copy() for d in grads.delta),
        loss=float(grads.loss),
        dL_dyhat=grads.dL_dyhat[0].copy(),
    )


def activity(exp: Experiment, trace=None):
    """Batch-mean |a| per neuron and the dead / saturated flags, on up to STATS_ROWS rows
    (``trace``: the forward pass of those rows, if already made)."""
    if trace is None:
        trace = exp.net.forward(exp.trainer.X[:STATS_ROWS])
    if len(trace.a[0]) == 0:  # no rows: nothing is active, dead or saturated
        return (tuple(np.zeros(a.shape[1]) for a in trace.a),
                *(tuple(np.zeros(a.shape[1], dtype=bool) for a in trace.a[1:]),) * 2)
    mean = tuple(np.abs(a).mean(axis=0) for a in trace.a)
    dead, saturated = [], []
    for act, a in zip(exp.net.activations, trace.a[1:]):
        if act.can_die:
            dead.append(np.all(a <= 0, axis=0))
        else:
            dead.append(np.zeros(a.shape[1], dtype=bool))
        if act.saturation is not None:
            lo, hi = act.saturation
            saturated.append(np.mean((a <= lo) | (a >= hi), axis=0) > 0.9)
        else:
            saturated.append(np.zeros(a.shape[1], dtype=bool))
    return mean, tuple(dead), tuple(saturated)


def fit_points(exp: Experiment, train_output=None) -> Fit | None:
    """The regression fit on up to STATS_ROWS rows of each split (None for classification);
    ``train_output``: the network's output for those training rows, if already computed."""
    if exp.dataset.task != "regression":
        return None
    t, prep = exp.trainer, exp.prepared

    def pair(X, Y, output=None):
        if X is None or not len(X):
            return np.zeros(0), np.zeros(0)
        X, Y = X[:STATS_ROWS], Y[:STATS_ROWS]
        output = exp.net.forward(X).output if output is None else output
        return (prep.to_data_units(Y)[:, 0].copy(), prep.to_data_units(output)[:, 0].copy())

    return Fit(*pair(t.X, t.Y, train_output), *pair(t.X_test, t.Y_test))


def history_arrays(exp: Experiment) -> Mapping[str, Mapping[str, np.ndarray]]:
    """series name -> column name -> a copy of the column, as read-only mappings."""
    h = exp.trainer.history
    out = {"step_loss": h.step_loss.arrays(), "cumulative": h.cumulative.arrays()}
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        x, y = getattr(h, name).arrays()
        out[name] = {"x": x, "y": y}
    return MappingProxyType({k: MappingProxyType(v) for k, v in out.items()})


def prediction_grid(exp: Experiment, resolution: int = 64, features=(0, 1),
                    neurons: bool = True, max_neurons: int = NEURON_GRID_MAX
                    ) -> PredictionGrid | None:
    """The network's output (and each neuron's, for small nets) over two input features;
    other features are held at their training mean. None for 1-D inputs."""
    ds, prep = exp.dataset, exp.prepared
    if ds.n_features < 2:
        return None
    i, j = features
    xs = np.linspace(*ds.bounds[i], resolution)
    ys = np.linspace(*ds.bounds[j], resolution)
    gx, gy = np.meshgrid(xs, ys)
    rows = ds.X[prep.train_index]
    held = rows.mean(axis=0) if len(rows) else np.mean(ds.bounds, axis=1)
    raw = np.tile(held, (gx.size, 1))
    raw[:, i], raw[:, j] = gx.ravel(), gy.ravel()
    trace = exp.net.forward(prep.to_network(raw))
    predicted = prep.to_data_units(trace.output).reshape(resolution, resolution, -1)
    true = None
    if ds.function is not None and ds.n_features == 2:
        true = ds.true_values(raw).reshape(resolution, resolution, -1)
    neuron = None
    if neurons and sum(exp.net.sizes[1:]) <= max_neurons:
        neuron = tuple(a.reshape(resolution, resolution, -1).copy() for a in trace.a[1:])
    return PredictionGrid((i, j), xs, ys, np.array(predicted), true, neuron)


def prediction_curve(exp: Experiment, resolution: int = 64) -> PredictionCurve | None:
    """The network's output over its one input, across the bounds (None for more inputs)."""
    ds, prep = exp.dataset, exp.prepared
    if ds.n_features != 1:
        return None
    xs = np.linspace(*ds.bounds[0], resolution)
    out = exp.net.forward(prep.to_network(xs[:, None])).output
    return PredictionCurve(xs, np.array(prep.to_data_units(out)))


def take_snapshot(exp: Experiment, index: int | None = None, grid: PredictionGrid | None = None,
                  with_activity: bool = True, generation: int = 0,
                  curve: PredictionCurve | None = None) -> Snapshot:
    """Copy everything a panel may show. ``index``: the display sample (default: the first
    sample of the last step's batch); ``with_activity``: also the activity and the fit (a
    forward pass of up to STATS_ROWS rows per split; else zeros and None); ``generation``:
    the run's number (``Snapshot.generation``)."""
    t, net = exp.trainer, exp.net
    t.sync()
    if index is None:
        index = int(t.last_indices[0]) if len(t.last_indices) else 0
    grad_W, grad_b, change_W, change_b = _last_grads(exp)
    fit, current_loss = None, float("nan")
    if with_activity:
        trace = net.forward(t.X[:STATS_ROWS])
        mean, dead, saturated = activity(exp, trace)
        fit = fit_points(exp, trace.output)
        if len(trace.output):  # (no rows: an empty canvas has no loss)
            current_loss = float(t.loss_fn.per_sample(trace.z[-1], trace.output,
                                                      t.Y[:STATS_ROWS]).mean())
    else:
        mean = tuple(np.zeros(n) for n in net.sizes)
        dead = saturated = tuple(np.zeros(n, dtype=bool) for n in net.sizes[1:])
    return Snapshot(
        step=t.step_count,
        epoch=t.epoch,
        samples_seen=t.samples_seen,
        lr=t.lr,
        loss=float(t.history.step_loss.latest),
        weights=tuple(w.copy() for w in net.weights),
        biases=tuple(b.copy() for b in net.biases),
        grad_W=grad_W,
        grad_b=grad_b,
        change_W=change_W,
        change_b=change_b,
        activations=net.activation_names,
        sample=sample_trace(exp, index),
        last_indices=t.last_indices.copy(),
        mean_activation=mean,
        dead=dead,
        saturated=saturated,
        history=history_arrays(exp),
        stop_reason=t.stop_reason,
        diverged=t.divergence is not None,
        grid=grid,
        fit=fit,
        generation=generation,
        distributions=t.distributions.view(),
        data=data_view(exp),
        curve=curve,
        edits=tuple(t.edits.done),
        undone=tuple(t.edits.undone),
        current_loss=current_loss,
    )


@dataclass(frozen=True, eq=False)
class WalkView:
    """A frozen view of a backprop walk for the GUI (copies only).

    phase_labels: every phase of one step; position: how many are done; in_sample: a sample
    is under way (some of its phases not done yet); values: the walk's PhaseValues;
    params_before: [W0, b0, ...] the phases used; Y: targets of the sample rows.
    """

    phase_labels: tuple[str, ...]
    position: int
    in_sample: bool
    indices: tuple[int, ...] | None
    values: object  # nnviz.engine.phases.PhaseValues | None
    params_before: tuple[np.ndarray, ...] | None
    Y: np.ndarray | None
    loss: str
    optimizer: str
    lr: float
    activations: tuple[str, ...]
    step: int
    can_go_back: bool
    stop_reason: str | None

    @property
    def last_kind(self) -> str | None:
        """Kind of the phase done last ("forward", "loss", "backward", "update"), or None."""
        return self.phase_labels[self.position - 1].split(":")[0] if self.position else None


def walk_view(exp: Experiment, walk) -> WalkView:
    """Copy what the inspector and the diagram show of ``walk`` (a BackpropWalk on exp)."""
    t = exp.trainer
    indices = walk.indices
    before = walk.params_before
    return WalkView(
        phase_labels=tuple(p.label for p in walk.phases),
        position=walk.position,
        in_sample=walk.in_sample,
        indices=indices,
        values=walk.values(),
        params_before=None if before is None else tuple(p.copy() for p in before),
        Y=None if indices is None else t.Y[list(indices)].copy(),
        loss=t.loss_fn.name,
        optimizer=t.optimizer.name,
        lr=t.lr,
        activations=exp.net.activation_names,
        step=t.step_count,
        can_go_back=walk.can_go_back,
        stop_reason=t.stop_reason,
    )


def walk_snapshot(exp: Experiment, walk, generation: int = 0) -> Snapshot:
    """A Snapshot of ``exp`` in step-through mode: ``walk`` (a BackpropWalk on exp) as its
    ``walk`` field, and the walk's values as its sample trace, gradients and changes (layers
    the phases have not reached yet are zeros)."""
    index = walk.indices[0] if walk.indices else None
    snap = take_snapshot(exp, index=index, grid=prediction_grid(exp),
                         curve=prediction_curve(exp))
    snap = dataclasses.replace(snap, generation=generation, walk=walk_view(exp, walk))
    values = snap.walk.values
    if values is None:
        return snap
    row = 0
    n_layers = exp.net.n_layers
    sizes = exp.net.sizes

    def row_or_zeros(arr, n):
        return np.zeros(n) if arr is None else np.array(arr[row], dtype=float)

    sample = SampleTrace(
        index=int(index),
        x=np.array(values.a[0][row], dtype=float),
        y=snap.sample.y,
        z=tuple(row_or_zeros(values.z[l], sizes[l + 1]) for l in range(n_layers)),
        a=(np.array(values.a[0][row], dtype=float),)
        + tuple(row_or_zeros(values.a[l + 1], sizes[l + 1]) for l in range(n_layers)),
        delta=tuple(row_or_zeros(values.delta[l], sizes[l + 1]) for l in range(n_layers)),
        loss=float(values.loss) if values.loss is not None else float("nan"),
        dL_dyhat=snap.sample.dL_dyhat,
    )
    zeros_W = [np.zeros_like(w) for w in snap.weights]
    zeros_b = [np.zeros_like(b) for b in snap.biases]
    grad_W = tuple(zeros_W[l] if values.dW[l] is None else values.dW[l] for l in range(n_layers))
    grad_b = tuple(zeros_b[l] if values.db[l] is None else values.db[l] for l in range(n_layers))
    changes = values.changes
    change_W = tuple(zeros_W) if changes is None else tuple(changes[0::2])
    change_b = tuple(zeros_b) if changes is None else tuple(changes[1::2])
    return dataclasses.replace(snap, sample=sample, grad_W=grad_W, grad_b=grad_b,
                               change_W=change_W, change_b=change_b,
                               last_indices=np.asarray(walk.indices, dtype=np.intp))
