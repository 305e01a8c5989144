"""The training loop: sampling, steps, history, evaluation, stop conditions and divergence.

    trainer = Trainer(net, X, Y, loss="squared_error", lr=0.1, batch_size=1, order="random")
    trainer.run(10_000)           # steps; returns how many ran (fewer if it stopped)
    trainer.history.cumulative    # the tutorial's cumulative error, every 100 steps
    trainer.distributions         # weights' and gradients' percentile bands, every k steps

A step is one gradient update on one batch (batch_size=1: one sample; None: the full batch).
An epoch is n training samples seen. Learning rate, optimiser, its settings, L1/L2 and stop
conditions may change between ``run`` calls without a reset:
``trainer.configure(lr=0.01, optimizer="adam", beta1=0.8)``.
Training stops by itself at a stop condition (``limit_reached``) or a divergence; ``resume``
clears a stop. ``state_dict()`` / ``load_state_dict(d)`` copy out and put back everything a
step reads or writes (parameters, optimiser, sampler and generator, counters, history,
hand edits: ``trainer.edit(layer, "W", (i, j), value)``, ``undo_edit``, ``redo_edit``).

The training rows may change between ``run`` calls (points drawn on the plane):
``trainer.set_data(X, Y, mapping, X_test, Y_test)``. The epoch count stays continuous: from
a change at epoch e0 (samples_seen s0) on, epoch = e0 + (samples_seen - s0) / n with the new
n (``epoch_origin`` = (e0, s0, d0), d0 the whole epochs done then; (0.0, 0, 0) for a run
that never changed, where this is samples_seen / n); epoch k > d0 ends at samples_seen
= s0 + ceil((k - e0) n). An epoch's train loss is the mean of its step losses, whichever
rows they saw. With no rows at all training stops at once with ``NO_DATA``.

Size (~640 lines, over the house's ~450): the loop, ``configure`` and ``state_dict`` sit beside
the fields they read and write; splitting them would spread one object's state over modules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np

from nnviz.engine.distributions import DistributionRecorder, base_every
from nnviz.engine.edits import Edit, EditLog
from nnviz.engine.history import History
from nnviz.engine.kernels import Kernel, make_kernel
from nnviz.engine.losses import Loss, get_loss
from nnviz.engine.network import Network
from nnviz.engine.optimizers import OPTIMIZERS, check_lr, check_regularization, make_optimizer
from nnviz.engine.sampling import Sampler
from nnviz.errors import ConfigError

#: evaluate (test loss, accuracy) at epoch ends, but at most once per this many samples
EVAL_MIN_SAMPLES = 2048
#: the stop conditions (None: not used)
STOP_FIELDS = ("max_steps", "max_epochs", "target_loss")
#: the trainer's own counters in ``state_dict`` (beside params, optimizer, sampler, history,
#: last_indices, divergence and the stop conditions)
_COUNTERS = ("step_count", "samples_seen", "stop_reason", "_epoch_loss_sum",
             "_epoch_loss_steps", "_epochs_done", "_last_eval_samples")
#: why a trainer without training rows does not step
NO_DATA = "there are no training points: draw some (or load data) first"
#: the most floats ``exact_parts`` keeps for an epoch's losses so far (a few, in practice 1-2)
MAX_LOSS_PARTS = 64


def exact_parts(values) -> list[float]:
    """Floats whose exact sum is the exact sum of ``values`` (finite ones): s1 = fsum(values)
    correctly rounded, then the correctly rounded residual, and so on until it is 0. An epoch's
    mean step loss is ``fsum(parts + the rest of the epoch) / steps``: the same bits however
    the steps were split into ``run`` calls (a float running sum would differ in the last
    bit). Non-finite sums are kept as they are."""
    values, parts = list(values), []
    while len(parts) < MAX_LOSS_PARTS:
        s = math.fsum(values + [-p for p in parts])
        if s == 0.0 or not math.isfinite(s):
            if not math.isfinite(s):
                parts = [s]
            return parts
        parts.append(s)
    return parts


@dataclass(frozen=True)
class Divergence:
    """Why training stopped on a non-finite number: at which step, which quantity."""

    step: int
    quantity: str

    @property
    def message(self) -> str:
        return (
            f"training diverged at step {self.step}: {self.quantity}; "
            "parameters kept at their last finite values - lower the learning rate"
        )


class Trainer:
    """Trains ``net`` on (X, Y): X (n, n_in), Y (n, n_out), both already scaled.

    ``order`` is "random" (with replacement, the tutorial's), "shuffle", "sequential" or an
    explicit index sequence. ``rng`` (Generator or legacy RandomState) draws the samples;
    default ``np.random.default_rng(seed)``. ``cumulative_every`` k: the cumulative error is
    measured after steps 1, k+1, 2k+1, ... (the tutorial's ``iteration % k == 0``).
    ``classification`` (default: guessed from the loss) adds accuracy to the evaluations.
    """

    def __init__(
        self,
        net: Network,
        X: np.ndarray,
        Y: np.ndarray,
        *,
        loss: str | Loss = "half_squared_error",
        optimizer: str = "sgd",
        lr: float = 0.01,
        optimizer_settings: dict | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        batch_size: int | None = None,
        order: str | Sequence[int] = "random",
        seed: int | None = None,
        rng=None,
        X_test: np.ndarray | None = None,
        Y_test: np.ndarray | None = None,
        cumulative_every: int = 100,
        classification: bool | None = None,
        max_steps: int | None = None,
        max_epochs: float | None = None,
        target_loss: float | None = None,
    ):
        self.net = net
        self.X = net.check_inputs(X)
        self.Y = net.check_targets(Y, len(self.X))
        self.n = len(self.X)  # 0 is allowed: such a trainer stops at once with NO_DATA
        self.X_test = self.Y_test = None
        if X_test is not None and len(X_test):
            self.X_test = net.check_inputs(X_test)
            self.Y_test = net.check_targets(Y_test, len(self.X_test))
        self.loss_fn = get_loss(loss)
        self.loss_fn.check_output(net.activations[-1].name)
        for what, A in (("inputs X", self.X), ("targets Y", self.Y),
                        ("test inputs X_test", self.X_test), ("test targets Y_test", self.Y_test)):
            if A is not None:
                check_finite(A, what)
                if what.endswith(("Y", "Y_test")):
                    self.loss_fn.check_targets(A, what)
        check_stop(max_steps, max_epochs, target_loss)
        if batch_size is not None and int(batch_size) < 1:
            raise ConfigError(f"batch size must be at least 1, got {batch_size}")
        self._batch_request = None if batch_size is None else int(batch_size)
        self.batch_size = self._fitted_batch()
        if int(cumulative_every) < 1:
            raise ConfigError("cumulative_every must be at least 1")
        self.cumulative_every = int(cumulative_every)
        if classification is None:
            classification = self.loss_fn.requires_output is not None
        self.classification = classification
        self.max_steps, self.max_epochs, self.target_loss = max_steps, max_epochs, target_loss
        rng = rng if rng is not None else np.random.default_rng(seed)
        self.sampler = Sampler(self.n, self.batch_size, order, rng)
        self.optimizer = make_optimizer(optimizer, lr, l1=l1, l2=l2, **(optimizer_settings or {}))

        self.step_count = 0
        self.samples_seen = 0
        self.history = History.empty(self.cumulative_every)
        self.distributions = DistributionRecorder(
            net.n_layers, base=base_every(net.n_params, self.batch_size))
        self.divergence: Divergence | None = None
        self.stop_reason: str | None = None
        self.last_indices = np.zeros(0, dtype=np.intp)
        self._epoch_loss_sum = 0.0  # this epoch's step losses so far: fsum(_epoch_loss_parts)
        self._epoch_loss_parts: list[float] = []  # ... exactly (``exact_parts``)
        self._epoch_loss_steps = 0
        self._epochs_done = 0
        self._last_eval_samples = -EVAL_MIN_SAMPLES
        self.epoch_origin: tuple[float, int, int] = (0.0, 0, 0)
        self._kernel: Kernel | None = None
        self.edits = EditLog()  # hand edits of single parameters (``edit``)

    def _fitted_batch(self) -> int:
        """The batch size asked for, at most n (None: the full batch, n)."""
        return self.n if self._batch_request is None else min(self._batch_request, self.n)

    # ----------------------------------------------------------------- data
    def set_data(self, X: np.ndarray, Y: np.ndarray, mapping: np.ndarray,
                 X_test: np.ndarray | None = None, Y_test: np.ndarray | None = None) -> None:
        """Train on new rows from the next step on, keeping everything else (parameters,
        optimiser state, counters, history). X (n, n_in), Y (n, n_out) scaled like the old
        ones; ``mapping`` (old n,): the new row of each old row, -1 if it was removed (the
        sampler and ``last_indices`` follow it, ``Sampler.reindex``). The epoch goes on from
        where it is (module docstring); the batch size is the one asked for, at most n.
        ConfigError (nothing changed) for rows that cannot be trained on."""
        X = self.net.check_inputs(X)
        Y = self.net.check_targets(Y, len(X))
        mapping = np.asarray(mapping, dtype=np.intp).ravel()
        if len(mapping) != self.n or (mapping.size and mapping.max() >= len(X)):
            raise ValueError("the row mapping does not fit the old and new rows")
        tests = (None, None)
        if X_test is not None and len(X_test):
            tests = (self.net.check_inputs(X_test), None)
            tests = (tests[0], self.net.check_targets(Y_test, len(tests[0])))
        for what, A in (("inputs X", X), ("targets Y", Y),
                        ("test inputs X_test", tests[0]), ("test targets Y_test", tests[1])):
            if A is not None:
                check_finite(A, what)
                if what.endswith(("Y", "Y_test")):
                    self.loss_fn.check_targets(A, what)
        if self.sampler.order == "sequence":
            raise ConfigError("an explicit sample sequence cannot change its rows")
        self.sync()
        self.epoch_origin = (self.epoch, self.samples_seen, self._epochs_done)
        self.X, self.Y, self.n = X, Y, len(X)
        self.X_test, self.Y_test = tests
        old_batch, self.batch_size = self.batch_size, self._fitted_batch()
        self.sampler.reindex(mapping, self.n, self.batch_size)
        last = mapping[self.last_indices] if len(self.last_indices) else self.last_indices
        self.last_indices = last[last >= 0]
        if self.batch_size != old_batch:
            self._kernel = None  # which kernel runs depends on it
        if self.stop_reason == NO_DATA and self.n:
            self.stop_reason = None

    # ----------------------------------------------------------------- settings
    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = check_lr(value)

    def set_optimizer(self, name: str, lr: float | None = None, **settings) -> None:
        """Switch optimiser (its state starts afresh); parameters and history are kept."""
        old = self.optimizer
        self.sync()
        self.optimizer = make_optimizer(
            name, old.lr if lr is None else lr, l1=old.l1, l2=old.l2, **settings
        )
        self._kernel = None

    def set_regularization(self, l1: float = 0.0, l2: float = 0.0) -> None:
        check_regularization(l1, l2)
        self.sync()
        self.optimizer.l1, self.optimizer.l2 = l1, l2
        self._kernel = None

    def configure(self, **changes) -> None:
        """Change how this run trains from the next step on, in one call: ``lr``,
        ``optimizer`` (switching starts its state afresh), the optimiser's own settings
        (``Optimizer.settings``: momentum, beta1, ...), ``l1``, ``l2`` and the stop conditions
        ``max_steps``, ``max_epochs``, ``target_loss`` (None: none). Parameters and history
        are kept; unknown names raise ConfigError."""
        name = changes.pop("optimizer", self.optimizer.name)
        if name not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
        own = OPTIMIZERS[name].settings
        stops = {k: changes.pop(k) for k in ("max_steps", "max_epochs", "target_loss")
                 if k in changes}
        lr = check_lr(changes.pop("lr", self.optimizer.lr))
        l1, l2 = changes.pop("l1", self.optimizer.l1), changes.pop("l2", self.optimizer.l2)
        check_regularization(l1, l2)
        unknown = sorted(set(changes) - set(own))
        if unknown:
            raise ConfigError(f"{name} has no setting(s) {', '.join(unknown)}")
        check_stop(*(stops.get(k, getattr(self, k))
                     for k in ("max_steps", "max_epochs", "target_loss")))
        if name != self.optimizer.name:
            self.set_optimizer(name, lr=lr, **changes)
        else:
            current = {k: getattr(self.optimizer, k) for k in own}
            make_optimizer(name, lr, **{**current, **changes})  # checked as a new one would be
            for key, value in changes.items():
                setattr(self.optimizer, key, value)
            self.optimizer.lr = lr
        if (l1, l2) != (self.optimizer.l1, self.optimizer.l2):
            self.set_regularization(l1, l2)
        for key, value in stops.items():
            setattr(self, key, value)

    @property
    def epoch(self) -> float:
        """Epochs done, fractional: samples seen / training samples (with ``epoch_origin``
        (e0, s0) after a change of rows: e0 + (samples seen - s0) / n)."""
        e0, s0, _ = self.epoch_origin
        return e0 + (self.samples_seen - s0) / self.n if self.n else e0

    def epoch_end(self, k: float) -> int:
        """samples_seen at which epoch count ``k`` is reached: s0 + ceil((k - e0) n)."""
        return epoch_end(self.epoch_origin, self.n, k)

    @property
    def epochs_done(self) -> int:
        """Whole epochs completed."""
        return self._epochs_done

    @property
    def stopped(self) -> bool:
        return self.stop_reason is not None

    def limit_reached(self) -> str | None:
        """Why training must stop now by a stop condition (epochs, steps, target loss), or None
        (``NO_DATA`` without training rows)."""
        if self.n == 0:
            return NO_DATA
        if self.max_epochs is not None and self.epoch >= self.max_epochs:
            return f"reached {self.max_epochs:g} epochs"
        if self.max_steps is not None and self.step_count >= self.max_steps:
            return f"reached {self.max_steps} steps"
        latest = self.history.train_loss.latest
        if self.target_loss is not None and latest <= self.target_loss:
            return f"reached the target loss {self.target_loss:g}"
        return None

    def resume(self) -> bool:
        """Clear a stop so training may go on (a divergence too: the rate may have been
        lowered); False, with ``stop_reason`` up to date, while a stop condition holds (or
        there are no training rows: ``NO_DATA``)."""
        if self.n == 0:
            self.stop_reason = NO_DATA
            return False
        if self.stop_reason is not None and self.divergence is None:
            reason = self.limit_reached()
            if reason is not None:
                self.stop_reason = reason
                return False
        self.stop_reason = self.divergence = None
        return True

    def steps_to_epoch_end(self) -> int:
        """Steps until the epoch count goes up (at least 1)."""
        if self.n == 0:
            return 1
        to_go = self.epoch_end(self._epochs_done + 1) - self.samples_seen
        return max(1, math.ceil(to_go / self.batch_size))

    # ----------------------------------------------------------------- kernels
    @property
    def kernel(self) -> Kernel:
        """The kernel that runs steps now (built on first use, rebuilt after a setting change)."""
        if self._kernel is None:
            self._kernel = make_kernel(self.net, self.loss_fn, self.optimizer, self.batch_size)
        return self._kernel

    def sync(self) -> None:
        """Make ``net.weights``/``net.biases`` current (call before reading them mid-run)."""
        if self._kernel is not None:
            self._kernel.sync_out()

    def reload(self) -> None:
        """Re-read the network's arrays after they were changed from outside."""
        if self._kernel is not None:
            self._kernel.sync_in()

    # ----------------------------------------------------------------- hand edits
    def edit(self, layer: int, kind: str, index, value, *, merge: bool = False) -> Edit:
        """Set one parameter by hand: ``kind`` "W" (``W[layer][index]``, index (i, j)) or "b"
        (``b[layer][index]``) becomes ``value`` from the next step on; the optimiser's state
        is kept as it is. Logged in ``edits`` (undo/redo, state_dict; ``nnviz.engine.edits``).
        ConfigError, nothing changed, for a value that is not a finite number or a parameter
        the network does not have."""
        return self.edits.set(self, layer, kind, index, value, merge=merge)

    def undo_edit(self) -> Edit | None:
        """Undo the last hand edit (its old value back, bit for bit); None if there is none."""
        return self.edits.undo(self)

    def redo_edit(self) -> Edit | None:
        """Redo the last undone hand edit; None if there is none."""
        return self.edits.redo(self)

    # ----------------------------------------------------------------- state
    def state_dict(self) -> dict:
        """Copies of everything a step reads or writes: params [W0, b0, ...]; optimizer,
        sampler, history and distributions (their own ``state_dict``); last_indices;
        divergence (None or
        {step, quantity}); the stop conditions; the counters step_count, samples_seen,
        stop_reason, epoch_loss_sum, epoch_loss_steps, epochs_done, last_eval_samples;
        epoch_loss_parts (``exact_parts``: the epoch's losses so far, exactly); and the hand
        edits (``edits``: {done, undone})."""
        self.sync()
        div = self.divergence
        return {
            "params": self.net.get_params(),
            "optimizer": self.optimizer.state_dict(),
            "sampler": self.sampler.state_dict(),
            "history": self.history.state_dict(),
            "distributions": self.distributions.state_dict(),
            "last_indices": self.last_indices.copy(),
            "divergence": None if div is None else {"step": div.step, "quantity": div.quantity},
            "epoch_origin": self.epoch_origin,
            "edits": self.edits.state_dict(),
            **{k: getattr(self, k) for k in STOP_FIELDS},
            **{k.lstrip("_"): getattr(self, k) for k in _COUNTERS},
            "epoch_loss_parts": list(self._epoch_loss_parts),
        }

    def load_state_dict(self, d: dict) -> None:
        """Put back a ``state_dict`` of a trainer of the same network, data and order, so
        the next steps give bit for bit what they gave after it was taken. Arrays are written
        in place (kernels keep their views); the optimiser is switched if it is another kind.
        ValueError/ConfigError if a part does not fit (the trainer is then partly loaded)."""
        opt = d["optimizer"]
        if opt["name"] != self.optimizer.name:
            self.set_optimizer(opt["name"], opt["lr"], **opt["settings"])
        if (opt["l1"], opt["l2"]) != (self.optimizer.l1, self.optimizer.l2):
            self._kernel = None  # which kernel runs depends on them
        self.optimizer.load_state_dict(opt)
        last = np.array(d["last_indices"], dtype=np.intp, copy=True).ravel()
        if last.size and (last.min() < 0 or last.max() >= self.n):
            raise ValueError("last indices out of range")
        self.net.set_params(d["params"])
        self.reload()
        self.sampler.load_state_dict(d["sampler"])
        self.history.load_state_dict(d["history"])
        dist = d["distributions"]
        if dist["n"] and dist["first"] + (dist["n"] - 1) * dist["every"] > d["step_count"]:
            raise ValueError("distributions: a record after the trainer's step_count")
        self.distributions.load_state_dict(d["distributions"])
        self.last_indices = last
        div = d["divergence"]
        self.divergence = None if div is None else Divergence(div["step"], div["quantity"])
        for k in STOP_FIELDS:
            setattr(self, k, d[k])
        e0, s0, d0 = d.get("epoch_origin", (0.0, 0, 0))  # (older ones: rows never changed)
        self.epoch_origin = (float(e0), int(s0), int(d0))
        for k in _COUNTERS:
            setattr(self, k, d[k.lstrip("_")])
        parts = d.get("epoch_loss_parts")  # (older session files: the rounded sum only)
        self._epoch_loss_parts = exact_parts([self._epoch_loss_sum] if parts is None
                                             else parts)
        self.edits.load_state_dict(d.get("edits", {"done": [], "undone": []}))

    # ----------------------------------------------------------------- running
    def _steps_to_next_event(self) -> int:
        """Steps until the next cumulative-error point, distributions record, evaluation
        or step limit."""
        s = self.step_count
        k = self.cumulative_every
        out = k - (s - 1) % k if s >= 1 else 1
        out = min(out, self.distributions.steps_to_next(s))
        to_eval = self._last_eval_samples + EVAL_MIN_SAMPLES - self.samples_seen
        out = min(out, max(1, math.ceil(to_eval / self.batch_size)))
        if self.max_steps is not None:
            out = min(out, max(1, self.max_steps - s))
        if self.max_epochs is not None:
            to_stop = self.epoch_end(self.max_epochs) - self.samples_seen
            out = min(out, max(1, math.ceil(to_stop / self.batch_size)))
        return out

    def run(self, n_steps: int) -> int:
        """Run up to ``n_steps`` steps; fewer if training stops (see ``stop_reason``)."""
        if n_steps < 0:
            raise ConfigError("the number of steps must be >= 0")
        if self.n == 0:
            self.stop_reason = NO_DATA
            return 0
        kernel = self.kernel
        kernel.sync_in()
        # overflow on the way to divergence is detected and reported, not warned about
        with np.errstate(all="ignore"):
            return self._run(kernel, n_steps)

    def _run(self, kernel: Kernel, n_steps: int) -> int:
        done = 0
        try:
            while done < n_steps and not self.stopped:
                seg = min(n_steps - done, self._steps_to_next_event())
                done += self._record(*kernel.run(self, seg))
                if kernel.problem:
                    self.divergence = Divergence(self.step_count + 1, kernel.problem)
                    self.stop_reason = self.divergence.message
                    kernel.problem = None
                    break
                self._after_segment()
        finally:
            kernel.sync_out()
        return done

    def step(self) -> float:
        """One step; returns its loss (before the update)."""
        self.run(1)
        return self.history.step_loss.latest

    def next_batch(self) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """The next step's (indices, X rows, Y rows); indices None for the full batch."""
        if self.batch_size == self.n:
            return None, self.X, self.Y
        idx = self.sampler.next_batch()
        if len(idx) == 1:
            i = int(idx[0])
            return idx, self.X[i : i + 1], self.Y[i : i + 1]
        return idx, self.X[idx], self.Y[idx]

    def _record(self, losses: list[float], last, sizes: int | list[int] = 1) -> int:
        """Book finished steps (their losses and batch sizes): counts and history."""
        steps = len(losses)
        if not steps:
            return 0
        self.history.step_loss.extend(losses)
        if isinstance(sizes, int):
            ends = self.samples_seen + sizes * np.arange(1, steps + 1)
        else:
            ends = self.samples_seen + np.cumsum(sizes)
        self.step_count += steps
        self.samples_seen = int(ends[-1])
        # epochs completed inside these steps: the mean step loss of each goes to train_loss
        start = 0
        while self.epoch_end(self._epochs_done + 1) <= self.samples_seen:
            self._epochs_done += 1
            end = int(np.searchsorted(ends, self.epoch_end(self._epochs_done))) + 1
            part = losses[start:end]
            total = math.fsum([*self._epoch_loss_parts, *part])
            count = self._epoch_loss_steps + len(part)
            self.history.train_loss.append(self._epochs_done, total / max(1, count))
            self._epoch_loss_sum, self._epoch_loss_parts = 0.0, []
            self._epoch_loss_steps, start = 0, end
        rest = losses[start:]
        if rest:
            self._epoch_loss_parts = exact_parts([*self._epoch_loss_parts, *rest])
            self._epoch_loss_sum = math.fsum(self._epoch_loss_parts)
        self._epoch_loss_steps += len(rest)
        self.last_indices = np.atleast_1d(np.asarray(last, dtype=np.intp))
        return steps

    def _after_segment(self) -> None:
        s = self.step_count
        k = self.cumulative_every
        if s >= 1 and (s - 1) % k == 0 and len(self.history.cumulative) < (s - 1) // k + 1:
            self.history.cumulative.append(self.cumulative_error())
        if self.distributions.due(s):
            self.record_distributions()
        if self.samples_seen - self._last_eval_samples >= EVAL_MIN_SAMPLES:
            self.evaluate()
        reason = self.limit_reached()
        if reason is not None:
            self.stop_reason = reason

    # ----------------------------------------------------------------- measuring
    def record_distributions(self) -> None:
        """Record the weights now and the last step's gradients (``distributions``)."""
        self.sync()
        layers = range(self.net.n_layers)
        self.distributions.record(self.step_count, self.net.weights,
                                  [self.kernel.value("dW", l) for l in layers])

    def cumulative_error(self) -> float:
        """Sum over all training samples of the per-sample loss (the tutorial's measure)."""
        self.sync()
        return float(self._per_sample_loss(self.X, self.Y).sum())

    def _per_sample_loss(self, X, Y) -> np.ndarray:
        trace = self.net.forward(X)
        return self.loss_fn.per_sample(trace.z[-1], trace.output, Y)

    def evaluate(self) -> None:
        """Record test loss and (for classification) train/test accuracy now (x = epoch)."""
        self.sync()
        self._last_eval_samples = self.samples_seen
        h, x = self.history, self.epoch
        if self.X_test is not None:
            h.test_loss.append(x, self.full_loss(test=True))
        if self.classification and self.n:
            h.train_accuracy.append(x, accuracy(self.net.predict(self.X), self.Y))
            if self.X_test is not None:
                h.test_accuracy.append(x, accuracy(self.net.predict(self.X_test), self.Y_test))

    def full_loss(self, test: bool = False) -> float:
        """Mean loss over the whole training (or test) set with the current parameters."""
        self.sync()
        X, Y = (self.X_test, self.Y_test) if test else (self.X, self.Y)
        if X is None or len(X) == 0:
            return math.nan
        return float(self._per_sample_loss(X, Y).mean())

    def final_metrics(self) -> dict:
        """The current parameters on the whole sets: {"train": {"loss", "accuracy"}, "test":
        the same or None}; accuracy for classification only. ``nnviz train`` prints these and
        ``nnviz info`` recomputes them from a saved session, so both report one quantity (the
        history's train_loss is another: the mean of an epoch's step losses, each taken before
        its update)."""
        out: dict = {}
        with np.errstate(all="ignore"):  # after a divergence the losses may overflow: reported
            for part, X, Y in (("train", self.X, self.Y), ("test", self.X_test, self.Y_test)):
                if X is None or len(X) == 0:
                    out[part] = None
                    continue
                m = {"loss": self.full_loss(test=part == "test")}
                if self.classification:
                    m["accuracy"] = accuracy(self.net.predict(X), Y)
                out[part] = m
        return out


def epoch_end(origin: tuple[float, int, int], n: int, k: float) -> int:
    """samples_seen at which the epoch count reaches ``k``, for rows (n of them) that last
    changed at ``origin`` (e0, s0, d0): s0 + ceil((k - e0) n)."""
    e0, s0, _ = origin
    if e0 == 0.0 and s0 == 0:  # rows never changed: exact integers for a whole k, as always
        return k * n if isinstance(k, int) else math.ceil(k * n)
    return s0 + math.ceil((k - e0) * n)


def whole_epochs(origin: tuple[float, int, int], n: int, samples: int) -> int:
    """The whole epochs a trainer counts at ``samples`` seen (what ``Trainer._record`` counts
    one by one): the largest k whose ``epoch_end`` is reached, at least d0; samples // n for
    a run whose rows never changed."""
    e0, s0, d0 = origin
    if n == 0:
        return d0
    if e0 == 0.0 and s0 == 0:
        return samples // n
    k = max(d0, math.floor(e0 + (samples - s0) / n) + 2)  # above the answer, then down
    while k > d0 and epoch_end(origin, n, k) > samples:
        k -= 1
    return k


def check_finite(A: np.ndarray, what: str) -> None:
    """ConfigError naming the first NaN or inf in A (n, d): training on it would only report
    a divergence."""
    bad = ~np.isfinite(A)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ConfigError(f"{what} contain {A[i, j]} (row {i + 1}, column {j + 1}): "
                          "only finite numbers can be trained on")


def check_stop(max_steps, max_epochs, target_loss) -> None:
    """ConfigError for a stop condition that is not a number it can be (None: no limit)."""
    def number(v) -> bool:
        return isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)

    if max_steps is not None and not (number(max_steps) and float(max_steps).is_integer()
                                      and max_steps >= 0):
        raise ConfigError(f"max_steps must be a whole number >= 0, got {max_steps!r}")
    if max_epochs is not None and not (number(max_epochs) and max_epochs > 0):
        raise ConfigError(f"max_epochs must be a positive number, got {max_epochs!r}")
    if target_loss is not None and not number(target_loss):
        raise ConfigError(f"target_loss must be a finite number, got {target_loss!r}")


def accuracy(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Fraction right: argmax for several outputs, threshold 0.5 for one."""
    if y.shape[1] == 1:
        return float(np.mean((y_hat[:, 0] >= 0.5) == (y[:, 0] >= 0.5)))
    return float(np.mean(np.argmax(y_hat, axis=1) == np.argmax(y, axis=1)))
