"""The toolbar's pace control: steps per second in a spin box (up = faster), and a toggle for
"as fast as possible" one click away.

The arrows (and PageUp/PageDown, the wheel) move along a 1-2-5 ladder of paces (1, 2, 5, 10,
20, 50, ... steps/s), so a few clicks span slow-motion to a blur; any whole number can be typed.
"""

from __future__ import annotations

import bisect

from PySide6.QtGui import QAction

from nnviz.gui.widgets import CheckedSpinBox

#: the fastest pace that can be typed, in steps/s
SPEED_MAX = 100_000
#: the paces the arrows step through: 1, 2, 5, 10, ..., SPEED_MAX
LADDER = tuple(m * 10 ** e for e in range(6) for m in (1, 2, 5) if m * 10 ** e <= SPEED_MAX)


def ladder_step(value: int, steps: int) -> int:
    """The pace ``steps`` rungs above (below, if negative) ``value`` on ``LADDER``; a value
    between two rungs counts as the rung below it (up) or above it (down)."""
    if steps > 0:
        k = bisect.bisect_right(LADDER, value) - 1 + steps
    else:
        k = bisect.bisect_left(LADDER, value) + steps
    return LADDER[min(len(LADDER) - 1, max(0, k))]


class PaceSpinBox(CheckedSpinBox):
    """Steps per second, 1 to ``SPEED_MAX``; the arrows step along ``LADDER``."""

    def __init__(self, parent=None):
        super().__init__("speed", 1, SPEED_MAX, parent)
        self.setSuffix(" steps/s")
        self.setAccelerated(False)  # one rung per click: the ladder is coarse already
        self.setToolTip("training pace in steps per second (up: faster); the button beside "
                        "it trains as fast as possible")

    def stepBy(self, steps: int) -> None:
        self.setValue(ladder_step(self.value(), steps))


def full_speed_action(parent) -> QAction:
    """The checkable "as fast as possible" toggle that sits beside a ``PaceSpinBox``."""
    action = QAction("As fast as possible", parent)
    action.setCheckable(True)
    action.setToolTip("train as fast as the computer can (the panels then redraw less often); "
                      "off: the pace in steps per second beside it")
    action.setStatusTip("train as fast as possible")
    return action
