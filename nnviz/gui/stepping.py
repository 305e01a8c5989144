"""Step-through mode: the GUI thread walks samples through backprop while the worker is idle.

``StepThrough`` pauses the training worker (``TrainingController.wait_idle``), then drives a
``BackpropWalk`` on the current experiment's trainer. After every action it publishes a frozen
``WalkView`` (for the inspector) and a ``Snapshot`` whose sample trace, gradients and changes are
the walk's own values (layers not yet reached are zero), for the other panels. "continue"
finishes the sample under way and hands the trainer back to the worker at full speed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from nnviz.engine.walk import BackpropWalk
from nnviz.snapshot import walk_snapshot, walk_view

ACTIONS = ("back", "phase", "sample", "epoch", "continue")


class StepThrough(QObject):
    """Signals: ``walked(WalkView, Snapshot)`` after each action; ``message(str)``."""

    walked = Signal(object, object)
    message = Signal(str)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.walk: BackpropWalk | None = None
        self.mode = "trainer"

    @property
    def active(self) -> bool:
        return self.walk is not None

    def _ensure_walk(self) -> BackpropWalk | None:
        exp = self.controller.experiment
        if exp is None:
            return None
        if not self.controller.wait_idle():
            self.message.emit("the training thread is busy; try again")
            return None
        if self.walk is None or self.walk.trainer is not exp.trainer:
            self.walk = BackpropWalk(exp.trainer, mode=self.mode)
        return self.walk

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if self.walk is not None:
            self.walk.mode = mode

    def pick(self, index: int) -> None:
        """Make training sample ``index`` the next one stepped."""
        walk = self._ensure_walk()
        if walk is None:
            return
        walk.pick(int(index))
        self.message.emit(f"sample {index + 1} is next: press Next phase to step it")

    def act(self, action: str) -> None:
        """One of ACTIONS."""
        if action not in ACTIONS:
            raise ValueError(f"unknown step action {action!r}")
        if action == "continue":
            self.leave()
            self.controller.play()
            return
        walk = self._ensure_walk()
        if walk is None:
            return
        if action == "back":
            if not walk.back():
                self.message.emit("nothing to rewind: this is where stepping started")
        elif action == "phase":
            walk.next_phase_step()
        elif action == "sample":
            walk.finish_sample()
        else:
            walk.run_to_epoch_end()
        if walk.trainer.stopped:
            self.message.emit(walk.trainer.stop_reason)
        self.publish()

    def leave(self) -> None:
        """Finish the sample under way (so no phase is left half done) and drop the walk."""
        if self.walk is not None and self.walk.in_sample:
            self.controller.wait_idle()
            self.walk.finish_sample()
            self.publish()
        self.walk = None

    def forget(self) -> None:
        """The run was replaced (load, reset, open): the walk belongs to the old trainer."""
        self.walk = None

    def publish(self) -> None:
        exp, walk = self.controller.experiment, self.walk
        if exp is None or walk is None:
            return
        view = walk_view(exp, walk)
        snap = walk_snapshot(exp, walk)
        self.controller.snapshot = snap
        self.walked.emit(view, snap)

