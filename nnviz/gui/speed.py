"""The toolbar's pace control: steps per second in a spin box (up = faster), and a toggle for
"as fast as possible" one click away.

The arrows (and PageUp/PageDown, the wheel) move along the 1-2-5 ladder the learning rate's box
uses (1, 2, 5, 10, 20, 50, ... steps/s), so a few clicks span slow motion to a blur; any whole
number can be typed.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from nnviz.gui.widgets import CheckedSpinBox, ladder_step

#: the fastest pace that can be typed, in steps/s
SPEED_MAX = 100_000


class PaceSpinBox(CheckedSpinBox):
    """Steps per second, 1 to ``SPEED_MAX``; the arrows step along the 1-2-5 ladder."""

    def __init__(self, parent=None):
        super().__init__("speed", 1, SPEED_MAX, parent)
        self.setSuffix(" steps/s")
        self.setAccelerated(False)  # one rung per click: the ladder is coarse already
        self.setToolTip("training pace in steps per second (up: faster); the button beside "
                        "it trains as fast as possible")

    def stepBy(self, steps: int) -> None:
        value = float(self.value())
        for _ in range(abs(steps)):
            value = ladder_step(value, 1 if steps > 0 else -1)
        self.setValue(int(round(min(max(value, self.minimum()), self.maximum()))))


def full_speed_action(parent) -> QAction:
    """The checkable "as fast as possible" toggle that sits beside a ``PaceSpinBox``."""
    action = QAction("As fast as possible", parent)
    action.setCheckable(True)
    action.setToolTip("train as fast as the computer can (the panels then redraw less often); "
                      "off: the pace in steps per second beside it")
    action.setStatusTip("train as fast as possible")
    return action
