"""In-memory copies of everything a training step changes, to rewind a trainer exactly.

``capture(trainer)`` copies the parameters, the optimiser's state, the sampler's position and
random generator, the trainer's counters and its history; ``restore(trainer, state)`` puts them
back, so the next steps give bit for bit the numbers they gave the first time.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from nnviz.engine.trainer import Trainer

_TRAINER_FIELDS = (
    "step_count",
    "samples_seen",
    "history",
    "divergence",
    "stop_reason",
    "last_indices",
    "_epoch_loss_sum",
    "_epoch_loss_steps",
    "_epochs_done",
    "_last_eval_samples",
)
_SAMPLER_FIELDS = ("_cycle", "_pos")


@dataclass(frozen=True, eq=False)
class TrainerState:
    params: tuple[np.ndarray, ...]
    optimizer: dict
    sampler: dict
    rng: object
    trainer: dict


def capture(trainer: Trainer) -> TrainerState:
    trainer.sync()
    opt = {k: v for k, v in trainer.optimizer.__dict__.items()}
    return TrainerState(
        params=tuple(trainer.net.get_params()),
        optimizer=copy.deepcopy(opt),
        sampler=copy.deepcopy({k: getattr(trainer.sampler, k) for k in _SAMPLER_FIELDS}),
        rng=copy.deepcopy(trainer.rng),
        trainer=copy.deepcopy({k: getattr(trainer, k) for k in _TRAINER_FIELDS}),
    )


def restore(trainer: Trainer, state: TrainerState) -> None:
    """Put ``state`` back into ``trainer`` (in place: kernels and views stay valid)."""
    trainer.net.set_params(state.params)
    trainer.optimizer.__dict__.update(copy.deepcopy(state.optimizer))
    rng = copy.deepcopy(state.rng)
    # the trainer and its sampler share one generator object: restore it in place
    if isinstance(rng, np.random.RandomState):
        trainer.rng.set_state(rng.get_state())
    else:
        trainer.rng.bit_generator.state = rng.bit_generator.state
    for k, v in copy.deepcopy(state.sampler).items():
        setattr(trainer.sampler, k, v)
    for k, v in copy.deepcopy(state.trainer).items():
        setattr(trainer, k, v)
    trainer.reload()
