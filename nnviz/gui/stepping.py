"""Step-through mode, run on the training worker's thread (no Qt here).

The GUI thread sends actions (``TrainingController.walk``/``pick``) to the ``Worker``, which
applies them with ``StepThrough.act`` between training slices: one phase of backprop on one
sample ("phase"), the rest of the sample or a whole new one ("sample"), samples up to the end of
the epoch ("epoch"), one phase back ("back", parameters restored exactly), or the next sample
chosen (("pick", index)). While a walk is active the worker publishes ``walk_snapshot``s: frozen
Snapshots whose ``walk`` field is a ``WalkView``, through the same latest-wins hand-off as
training snapshots; the first snapshot without a walk tells the GUI that stepping has ended.
Leaving (Play, a training step) finishes the sample under way, so no phase is left half done.
"""

from __future__ import annotations

from nnviz.engine.trainer import Trainer
from nnviz.engine.walk import SAMPLE_MODES, BackpropWalk

ACTIONS = ("back", "phase", "sample", "epoch")


class StepThrough:
    """The worker's walk: created by the first action on a trainer, dropped by ``leave`` or
    ``forget``. ``mode``: how the next sample is chosen (``nnviz.engine.walk.SAMPLE_MODES``)."""

    def __init__(self) -> None:
        self.walk: BackpropWalk | None = None
        self.mode = "trainer"

    @property
    def active(self) -> bool:
        return self.walk is not None

    def set_mode(self, mode: str) -> None:
        if mode not in SAMPLE_MODES:
            raise ValueError(f"sample mode must be one of {SAMPLE_MODES}")
        self.mode = mode
        if self.walk is not None:
            self.walk.mode = mode

    def act(self, trainer: Trainer, action) -> str | None:
        """Perform ``action`` (one of ACTIONS, or ("pick", index)) on ``trainer``; returns a
        line for the status bar, or None."""
        if trainer.n == 0:  # (nothing to step through: an empty canvas)
            trainer.resume()
            return trainer.stop_reason
        if self.walk is None or self.walk.trainer is not trainer:
            self.walk = BackpropWalk(trainer, mode=self.mode)
        walk = self.walk
        if isinstance(action, tuple) and action[0] == "pick":
            walk.pick(int(action[1]))
            return f"sample {int(action[1]) + 1} is next: press Next phase to step it"
        if action == "back":
            if not walk.back():
                return "nothing to rewind: this is where stepping started"
        elif action == "phase":
            walk.next_phase_step()
        elif action == "sample":
            walk.finish_sample()
        elif action == "epoch":
            walk.run_to_epoch_end()
        else:
            raise ValueError(f"unknown step action {action!r}")
        return trainer.stop_reason if trainer.stopped else None

    def finish_sample(self) -> bool:
        """Complete the sample under way (its remaining phases); True if there was one."""
        if self.walk is None or not self.walk.in_sample:
            return False
        self.walk.finish_sample()
        return True

    def leave(self) -> bool:
        """Finish the sample under way and drop the walk; True if a walk was active."""
        active = self.walk is not None
        self.finish_sample()
        self.walk = None
        return active

    def forget(self) -> None:
        """The run was replaced: the walk belongs to the old trainer."""
        self.walk = None
