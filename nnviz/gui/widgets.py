"""Small shared widgets: spin boxes that say why input was refused (in the words of the
setting's own check, ``nnviz.config.Setting.message``) and keep every value exactly, a
log-scale rate box, a scroll area that gives a panel all the room there is."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QFrame, QScrollArea, QSpinBox, QWidget

from nnviz.config import MIN_MAGNITUDE
from nnviz.errors import ConfigError

#: the 1-2-5 ladder a log-scale spin box steps along, per decade
LADDER = (1.0, 2.0, 5.0)
#: Qt's largest number of decimals: QDoubleSpinBox rounds every value to its decimals, and
#: with these it keeps every double in our ranges exactly (checked on 20,000 random values)
EXACT_DECIMALS = 323
#: characters that may be part of a number being typed
_NUMBER_CHARS = set("0123456789.eE+-")


def _state(result):
    return result[0] if isinstance(result, tuple) else result


def _fmt(v: float) -> str:
    return f"{v:g}"


def exact_text(v: float) -> str:
    """The shortest text that reads back as exactly ``v`` (0.1, 1e-05, 0.123456789)."""
    short = f"{v:g}"
    return short if float(short) == v else repr(float(v))


def _parse(text: str, kind=float):
    try:
        return kind(text.strip())
    except ValueError:
        return None


def _partial(text: str) -> bool:
    """Text on its way to a number ("", "-", "1e", "2.")."""
    s = text.strip()
    return all(c in _NUMBER_CHARS for c in s) and (
        s == "" or s[-1] in "eE+-." or s.lower().endswith(("e-", "e+")))


class _Checked:
    """Mixin: ``problem(str)`` says why the typed text is refused ("" when fine), in the words
    of ``message(value)``; ``set_checked`` refuses (ConfigError) a value out of range instead
    of clamping it as ``setValue`` would."""

    def _setup(self, name: str, message: Callable[[object], str] | None) -> None:
        self.name = name
        self.message = message or self._default_message

    def _default_message(self, value) -> str:
        return f"{self.name} must be from {_fmt(self.minimum())} to {_fmt(self.maximum())}"

    def _bare(self, text: str) -> str:
        s = text
        if self.prefix() and s.startswith(self.prefix()):
            s = s[len(self.prefix()):]
        if self.suffix() and s.endswith(self.suffix()):
            s = s[: -len(self.suffix())]
        return s.strip()

    def _fits(self, value) -> bool:
        """In range, and (a double) 0 or at least ``MIN_MAGNITUDE``: kept exactly."""
        return (math.isfinite(value) and self.minimum() <= value <= self.maximum()
                and (value == 0 or abs(value) >= MIN_MAGNITUDE))

    def set_checked(self, value) -> None:
        """Show ``value``; ConfigError (``message``) if the box cannot show it exactly."""
        if not self._fits(value):
            raise ConfigError(self.message(value))
        self.setValue(value)


class CheckedSpinBox(_Checked, QSpinBox):
    """A QSpinBox whose ``problem(str)`` signal says why typed text was refused ("" when fine).

    ``message(value)`` words the refusal (default: "<name> must be a whole number from ...")."""

    problem = Signal(str)

    def __init__(self, name: str, minimum: int, maximum: int, parent=None,
                 message: Callable[[object], str] | None = None):
        super().__init__(parent)
        self._setup(name, message)
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def _default_message(self, value) -> str:
        return f"{self.name} must be a whole number from {self.minimum()} to {self.maximum()}"

    def validate(self, text, pos):
        result = super().validate(text, pos)
        refusal = ""
        if _state(result) != QValidator.State.Acceptable:
            bare = self._bare(text)
            value = _parse(bare, int)
            if value is not None:
                refusal = self.message(value)
            elif _state(result) == QValidator.State.Invalid:
                refusal = self.message(bare)
        self.problem.emit(refusal)
        return result


class CheckedDoubleSpinBox(_Checked, QDoubleSpinBox):
    """A number box that keeps every value exactly (``EXACT_DECIMALS``), shows its shortest
    exact text, takes scientific notation, and has the same ``problem(str)`` signal as
    ``CheckedSpinBox``; the arrows step by ``step`` (results rounded to 12 decimals)."""

    problem = Signal(str)

    def __init__(self, name: str, minimum: float, maximum: float, decimals: int = 3,
                 step: float = 0.1, parent=None, message: Callable[[object], str] | None = None):
        super().__init__(parent)
        self._setup(name, message)
        self.setDecimals(EXACT_DECIMALS)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        """Shortest exact form (0.0001, not 0.000100): keeps the box narrow."""
        return exact_text(value)

    def valueFromText(self, text: str) -> float:
        value = _parse(self._bare(text))
        return self.value() if value is None else value

    def validate(self, text, pos):
        bare = self._bare(text)
        if self.specialValueText() and text == self.specialValueText():
            self.problem.emit("")
            return QValidator.State.Acceptable, text, pos
        value = _parse(bare)
        if value is None:
            if _partial(bare):
                self.problem.emit("")
                return QValidator.State.Intermediate, text, pos
            self.problem.emit(self.message(bare))
            return QValidator.State.Invalid, text, pos
        if not self._fits(value):
            self.problem.emit(self.message(value))
            return QValidator.State.Intermediate, text, pos
        self.problem.emit("")
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:
        value = round(self.value() + steps * self.singleStep(), 12)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


class LogSpinBox(CheckedDoubleSpinBox):
    """A positive number chosen on a log scale: the arrows walk 1, 2, 5, 10, 20, ...; any value
    in range may be typed (scientific notation welcome). ``problem(str)`` as above."""

    def __init__(self, name: str = "learning rate", minimum: float = 1e-6,
                 maximum: float = 10.0, parent=None,
                 message: Callable[[object], str] | None = None):
        super().__init__(name, minimum, maximum, parent=parent, message=message)

    def _default_message(self, value) -> str:
        if isinstance(value, str):
            return f"{self.name} must be a positive number such as 0.01 or 1e-3"
        return super()._default_message(value)

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
