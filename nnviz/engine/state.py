"""In-memory copies of everything a training step changes, to rewind a trainer exactly.

``capture(trainer)`` takes the trainer's ``state_dict()`` (parameters, optimiser state, sampler
position and random generator, counters, history); ``restore(trainer, state)`` puts it back, so
the next steps give bit for bit the numbers they gave the first time. The stop conditions are
settings, not progress: a rewind keeps the ones set now.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.engine.trainer import STOP_FIELDS, Trainer


@dataclass(frozen=True, eq=False)
class TrainerState:
    """A trainer's ``state_dict()`` (copies; never modified, so it may be restored often)."""

    state: dict

    @property
    def params(self) -> tuple[np.ndarray, ...]:
        """[W0, b0, W1, b1, ...] as they were."""
        return tuple(self.state["params"])


def capture(trainer: Trainer) -> TrainerState:
    return TrainerState(trainer.state_dict())


def restore(trainer: Trainer, state: TrainerState) -> None:
    """Put ``state`` back into ``trainer`` (in place: kernels and views stay valid)."""
    trainer.load_state_dict({**state.state, **{k: getattr(trainer, k) for k in STOP_FIELDS}})
