"""Backpropagation one phase at a time, on the trainer's own kernel.

For a network of L layers one step has 2L + 2 phases:

    forward 0 .. forward L-1     z[l] = a[l] @ W[l] + b[l];  a[l+1] = f(z[l])
    loss                         L and delta[L-1] = dL/dz[L-1]
    backward L-1 .. backward 0   dW[l], db[l], and delta[l-1]
    update                       p += dp (the optimiser's change)

Because the phases are the very calls ``Trainer.run`` makes, stepping a sample through every
phase leaves exactly the parameters of one fast step (for batches up to the kernel's chunk size).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine.trainer import Divergence, Trainer


@dataclass(frozen=True)
class Phase:
    kind: str  # "forward" | "loss" | "backward" | "update"
    layer: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "forward":
            return f"forward: layer {self.layer + 1}"
        if self.kind == "backward":
            return f"backward: layer {self.layer + 1}"
        return self.kind


def phases_of(n_layers: int) -> tuple[Phase, ...]:
    return (
        tuple(Phase("forward", l) for l in range(n_layers))
        + (Phase("loss"),)
        + tuple(Phase("backward", l) for l in range(n_layers - 1, -1, -1))
        + (Phase("update"),)
    )


@dataclass(frozen=True, eq=False)
class PhaseValues:
    """Copies of what the phases done so far computed; lists hold None where not yet computed.

    a[0] is the input (batch, n_0); z[l], a[l+1], delta[l]: (batch, n_{l+1});
    dW[l], db[l] like W[l], b[l]; changes [dW0, db0, ...] after the update.
    """

    indices: np.ndarray | None
    z: list
    a: list
    loss: float | None
    delta: list
    dW: list
    db: list
    changes: list | None


class PhaseStepper:
    """Steps the trainer's next batch (or the given sample ``indices``) phase by phase."""

    def __init__(self, trainer: Trainer, indices=None):
        self.trainer = trainer
        self.kernel = trainer.kernel
        self.kernel.sync_in()
        n_layers = trainer.net.n_layers
        self.phases = phases_of(n_layers)
        self.position = 0
        if indices is None:
            idx, X, Y = trainer.next_batch()
        else:
            idx = np.atleast_1d(np.asarray(indices, dtype=np.intp))
            X, Y = trainer.X[idx], trainer.Y[idx]
        self.indices = np.arange(trainer.n) if idx is None else idx
        self.batch = len(X)
        self.kernel.load(X, Y)
        self.loss: float | None = None
        self.updated = False

    @property
    def done(self) -> bool:
        return self.position >= len(self.phases)

    def advance(self) -> Phase:
        """Perform the next phase and return it."""
        phase = self.phases[self.position]
        with np.errstate(all="ignore"):  # divergence is reported, not warned about
            self._perform(phase)
        self.position += 1
        return phase

    def _perform(self, phase: Phase) -> None:
        k = self.kernel
        if phase.kind == "forward":
            k.forward_layer(phase.layer)
        elif phase.kind == "loss":
            self.loss = k.compute_loss()
            if not np.isfinite(self.loss):
                k.problem = "the loss is not finite"
        elif phase.kind == "backward":
            k.backward_layer(phase.layer)
        else:
            self._update()

    def finish(self) -> None:
        """Perform every remaining phase."""
        while not self.done:
            self.advance()

    def _update(self) -> None:
        t, k = self.trainer, self.kernel
        if k.problem is None:
            k.update()
        if k.problem is not None:
            t.divergence = Divergence(t.step_count + 1, k.problem)
            t.stop_reason = t.divergence.message
            k.problem = None
            return
        k.sync_out()
        self.updated = True
        t._record([self.loss], self.indices, self.batch)
        t._after_segment()

    # ----------------------------------------------------------------- display
    def values(self) -> PhaseValues:
        """Copies of the values computed so far (arrays, whatever the kernel)."""
        k, n_layers = self.kernel, self.trainer.net.n_layers
        done = {(p.kind, p.layer) for p in self.phases[: self.position]}
        z, delta, dW, db = ([None] * n_layers for _ in range(4))
        a = [k.value("a", 0)] + [None] * n_layers
        for l in range(n_layers):
            if ("forward", l) in done:
                z[l], a[l + 1] = k.value("z", l), k.value("a", l + 1)
        loss_done = ("loss", None) in done
        if loss_done:
            delta[n_layers - 1] = k.value("delta", n_layers - 1)
        for l in range(n_layers):
            if ("backward", l) in done:
                dW[l], db[l] = k.value("dW", l), k.value("db", l)
                if l > 0:
                    delta[l - 1] = k.value("delta", l - 1)
        changes = k.changes() if self.updated else None
        return PhaseValues(
            self.indices.copy(), z, a, self.loss if loss_done else None, delta, dW, db, changes
        )
