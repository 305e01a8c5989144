"""Walk samples through backpropagation phase by phase, forwards and back.

A ``BackpropWalk`` drives a ``PhaseStepper`` over the trainer and remembers the trainer's state
at the start of each of the last ``history`` samples. Going back restores that state and replays
the phases up to the one before, so parameters, optimiser state and sample order are restored
bit for bit.

Which sample comes next: "trainer" (drawn by the trainer's own sampler: the tutorial's seeded
random draw for the single-neuron preset), "sequential" (0, 1, 2, ...), or one picked with
``pick(index)``. ``unit="sample"`` steps one sample at a time whatever the trainer's batch size;
``unit="batch"`` steps the trainer's own batches (then a walked step equals a fast step).

A hand edit during a walk (``amend``) acts from the start of the sample under way: its phases
are replayed with the new value, so a sample's phases always see one set of parameters and
rewinding within it keeps the edit, while rewinding to an earlier sample restores the
parameters (and the edit log) as they were before it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from nnviz.engine.phases import Phase, PhaseStepper, PhaseValues, phases_of
from nnviz.engine.state import TrainerState, capture, restore
from nnviz.engine.trainer import Trainer

SAMPLE_MODES = ("trainer", "sequential")


@dataclass(frozen=True)
class _Start:
    """The trainer before a sample, and how that sample was chosen (None: the trainer's draw)."""

    state: TrainerState
    explicit: tuple[int, ...] | None  # None: drawn from the trainer's sampler
    seq_before: int  # the sequential counter before and after choosing this sample
    seq_after: int


class BackpropWalk:
    def __init__(self, trainer: Trainer, mode: str = "trainer", history: int = 200,
                 unit: str = "sample"):
        if mode not in SAMPLE_MODES:
            raise ValueError(f"sample mode must be one of {SAMPLE_MODES}")
        if unit not in ("sample", "batch"):
            raise ValueError("unit must be 'sample' or 'batch'")
        self.trainer = trainer
        self.mode = mode
        self.unit = unit
        self._starts: deque[_Start] = deque(maxlen=history)
        self._picked: int | None = None
        self._next_sequential = 0
        self.stepper: PhaseStepper | None = None
        self.phases = phases_of(trainer.net.n_layers)

    # ----------------------------------------------------------------- state
    @property
    def position(self) -> int:
        """Phases done in the current sample (0 when none is under way)."""
        return 0 if self.stepper is None else self.stepper.position

    @property
    def in_sample(self) -> bool:
        return self.stepper is not None and not self.stepper.done

    @property
    def indices(self) -> tuple[int, ...] | None:
        """The sample(s) under way or just finished."""
        return None if self.stepper is None else tuple(int(i) for i in self.stepper.indices)

    @property
    def can_go_back(self) -> bool:
        return bool(self._starts)

    @property
    def params_before(self) -> tuple | None:
        """[W0, b0, W1, b1, ...] before the current sample's update (what its phases used)."""
        return self._starts[-1].state.params if self._starts and self.stepper else None

    def values(self) -> PhaseValues | None:
        return None if self.stepper is None else self.stepper.values()

    def pick(self, index: int) -> None:
        """Make training sample ``index`` the next sample."""
        if not 0 <= index < self.trainer.n:
            raise ValueError(f"sample index must be in [0, {self.trainer.n}), got {index}")
        self._picked = int(index)

    # ----------------------------------------------------------------- forwards
    def _begin(self) -> None:
        state, seq = capture(self.trainer), self._next_sequential
        if self._picked is not None:
            explicit, self._picked = (self._picked,), None
        elif self.mode == "sequential":
            explicit = (self._next_sequential % self.trainer.n,)
            self._next_sequential += 1
        else:
            explicit = None
        self._starts.append(_Start(state, explicit, seq, self._next_sequential))
        self.stepper = self._stepper(explicit)

    def _stepper(self, explicit: tuple[int, ...] | None) -> PhaseStepper:
        """A stepper on the explicit sample, or on the trainer's next draw."""
        if explicit is None and self.unit == "sample":
            explicit = tuple(self.trainer.sampler.next_samples(1))
        return PhaseStepper(self.trainer, indices=explicit)

    def next_phase_step(self) -> Phase | None:
        """Perform the next phase (starting a new sample when none is under way)."""
        if self.trainer.stopped:
            return None
        if not self.in_sample:
            self._begin()
        return self.stepper.advance()

    def finish_sample(self) -> None:
        """Complete the current sample's phases, or run one whole new sample."""
        if self.trainer.stopped:
            return
        if not self.in_sample:
            self._begin()
        self.stepper.finish()

    def run_to_epoch_end(self) -> int:
        """Finish the current sample, then run samples until the epoch count goes up."""
        epochs = self.trainer.epochs_done
        done = 0
        while not self.trainer.stopped:
            self.finish_sample()
            done += 1
            if self.trainer.epochs_done > epochs:
                break
        return done

    # ----------------------------------------------------------------- backwards
    def back(self) -> bool:
        """Rewind one phase; from a sample's first phase, to the previous sample's last."""
        if not self._starts:
            return False
        if self.stepper is None:
            replay = len(self.phases) - 1
        elif self.position > 1:
            replay = self.position - 1
        else:
            undone = self._starts.pop()
            if not self._starts:
                restore(self.trainer, undone.state)
                self._next_sequential = undone.seq_before
                self.stepper = None
                return True
            replay = len(self.phases)
        start = self._starts[-1]
        restore(self.trainer, start.state)
        self._next_sequential = start.seq_after
        self.stepper = self._stepper(start.explicit)
        for _ in range(replay):
            self.stepper.advance()
        return True

    # ----------------------------------------------------------------- hand edits
    def amend(self, change):
        """Apply ``change(trainer)`` (a hand edit, its undo or redo: ``Trainer.edit``...) as
        of the start of the sample under way, then replay the phases done so far, and return
        what ``change`` returned. The sample's start, which rewinds replay from, then holds the
        change. Between samples (none under way, or one finished) it is applied as it comes."""
        if not self.in_sample:
            return change(self.trainer)
        start, replay = self._starts[-1], self.position
        restore(self.trainer, start.state)
        try:
            return change(self.trainer)
        finally:  # (a refused change changed nothing: the same phases are replayed)
            self._starts[-1] = replace(start, state=capture(self.trainer))
            self.stepper = self._stepper(start.explicit)
            for _ in range(replay):
                self.stepper.advance()
