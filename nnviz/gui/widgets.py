"""Small shared widgets: spin boxes that say why input was refused, a log-scale rate box, a
scroll area that gives a panel all the room there is."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QFrame, QScrollArea, QSpinBox, QWidget

#: the 1-2-5 ladder a log-scale spin box steps along, per decade
LADDER = (1.0, 2.0, 5.0)


def _state(result):
    return result[0] if isinstance(result, tuple) else result


def _fmt(v: float) -> str:
    return f"{v:g}"


def _report(box, result, refusal: str):
    """Emit ``box.problem``: ``refusal`` if Qt's validator refused the text, else ""."""
    box.problem.emit(refusal if _state(result) == QValidator.State.Invalid else "")
    return result


class CheckedSpinBox(QSpinBox):
    """A QSpinBox whose ``problem(str)`` signal says why typed text was refused ("" when fine)."""

    problem = Signal(str)

    def __init__(self, name: str, minimum: int, maximum: int, parent=None):
        super().__init__(parent)
        self.name = name
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def validate(self, text, pos):
        return _report(self, super().validate(text, pos), f"{self.name} must be a whole "
                       f"number from {self.minimum()} to {self.maximum()}")


class CheckedDoubleSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox with the same ``problem(str)`` signal as ``CheckedSpinBox``."""

    problem = Signal(str)

    def __init__(self, name: str, minimum: float, maximum: float, decimals: int = 3,
                 step: float = 0.1, parent=None):
        super().__init__(parent)
        self.name = name
        self.setDecimals(decimals)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        """Shortest form (0.0001, not 0.000100): keeps the box narrow."""
        return f"{round(value, self.decimals()):.{max(self.decimals(), 1)}g}"

    def validate(self, text, pos):
        return _report(self, super().validate(text, pos), f"{self.name} must be a number "
                       f"from {_fmt(self.minimum())} to {_fmt(self.maximum())}")


class LogSpinBox(QDoubleSpinBox):
    """A positive number chosen on a log scale: the arrows walk 1, 2, 5, 10, 20, ...; any value
    in range may be typed (scientific notation welcome). ``problem(str)`` as above."""

    problem = Signal(str)

    def __init__(self, name: str = "learning rate", minimum: float = 1e-6,
                 maximum: float = 10.0, parent=None):
        super().__init__(parent)
        self.name = name
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)

    # text <-> value
    def textFromValue(self, value: float) -> str:
        return _fmt(value)

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        s = text.strip()
        try:
            v = float(s)
        except ValueError:
            partial = s == "" or s[-1] in "eE+-." or s.lower().endswith(("e-", "e+"))
            if partial and all(c in "0123456789.eE+-" for c in s):
                self.problem.emit("")
                return QValidator.State.Intermediate, text, pos
            self.problem.emit(f"{self.name} must be a positive number such as 0.01 or 1e-3")
            return QValidator.State.Invalid, text, pos
        if not (math.isfinite(v) and self.minimum() <= v <= self.maximum()):
            self.problem.emit(f"{self.name} must be from {_fmt(self.minimum())} "
                              f"to {_fmt(self.maximum())}")
            return QValidator.State.Intermediate, text, pos
        self.problem.emit("")
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        return _fmt(self.value())

    # log-scale stepping
    def stepBy(self, steps: int) -> None:
        v = self.value()
        for _ in range(abs(steps)):
            v = ladder_step(v, 1 if steps > 0 else -1)
        self.setValue(min(max(v, self.minimum()), self.maximum()))

    def stepEnabled(self):
        flags = QDoubleSpinBox.StepEnabledFlag.StepNone
        if self.value() < self.maximum():
            flags |= QDoubleSpinBox.StepEnabledFlag.StepUpEnabled
        if self.value() > self.minimum():
            flags |= QDoubleSpinBox.StepEnabledFlag.StepDownEnabled
        return flags


def ladder_step(value: float, direction: int) -> float:
    """The next value up (direction 1) or down (-1) on the 1-2-5 ladder from ``value``."""
    decade = math.floor(math.log10(value))
    rungs = [m * 10.0**d for d in (decade - 1, decade, decade + 1) for m in LADDER]
    eps = value * 1e-9
    if direction > 0:
        return float(f"{min(r for r in rungs if r > value + eps):.12g}")
    return float(f"{max(r for r in rungs if r < value - eps):.12g}")


class PanelScrollArea(QScrollArea):
    """Shows ``panel`` at the area's whole size, and scrolls only where the area is smaller than
    the panel's minimum size.

    (A resizable QScrollArea keeps a panel whose layout has height-for-width, e.g. a word-wrapped
    label, at its *preferred* height: it scrolls and cuts the panel's plots off where they could
    have shrunk to fit.)"""

    def __init__(self, panel: QWidget, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.NoFrame)
        self.setMinimumSize(200, 120)
        self.setWidget(panel)
        panel.installEventFilter(self)

    def panel_size(self) -> QSize:
        """The viewport's size, grown to the panel's minimum where it is smaller; a scroll bar
        shown for one direction takes its room from the other."""
        need = self.widget().minimumSizeHint().expandedTo(self.widget().minimumSize())
        room = self.maximumViewportSize()
        bar_w = self.verticalScrollBar().sizeHint().width()
        bar_h = self.horizontalScrollBar().sizeHint().height()
        v_bar = need.height() > room.height()
        h_bar = need.width() > room.width() - (bar_w if v_bar else 0)
        v_bar = v_bar or (h_bar and need.height() > room.height() - bar_h)
        return QSize(max(need.width(), room.width() - (bar_w if v_bar else 0)),
                     max(need.height(), room.height() - (bar_h if h_bar else 0)))

    def fit(self) -> None:
        if self.widget() is not None:
            self.widget().resize(self.panel_size())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.LayoutRequest and watched is self.widget():
            self.fit()
        return super().eventFilter(watched, event)
