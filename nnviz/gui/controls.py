"""A control for one ``TrainingConfig`` setting, made from its ``Setting`` (``nnviz.config``).

The widget's range, step, choices, tooltip and refusal message all come from the table, so a
value the control refuses is refused with validation's own words, and a value it is given is
shown exactly (never clamped: ``set_value`` raises ConfigError instead). Kinds:

    int     CheckedSpinBox (optional: one below the minimum shows none_text, reads None)
    float   CheckedDoubleSpinBox          rate  LogSpinBox (log-scale arrows)
    choice  QComboBox (optional: a first item none_text, reads None)
    flag    QCheckBox                     bias  a number, or "normal"
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QWidget

from nnviz.config import Setting
from nnviz.errors import ConfigError
from nnviz.gui.widgets import CheckedDoubleSpinBox, CheckedSpinBox, LogSpinBox

#: the most a control asks for (px) before it is stretched to the panel's width
MIN_WIDTH = 80


def combo(items, tooltip: str, data=None, item_help: dict | None = None) -> QComboBox:
    """A combo box of ``items`` (shown text), ``data`` (values; default the texts)."""
    box = QComboBox()
    for i, text in enumerate(items):
        value = text if data is None else data[i]
        box.addItem(text, value)
        if item_help and value in item_help:
            box.setItemData(i, item_help[value], Qt.ToolTipRole)
    box.setToolTip(tooltip)
    return box


def select(box: QComboBox, value) -> None:
    """Choose the item whose data is ``value`` (None too); ConfigError if there is none."""
    for i in range(box.count()):
        if box.itemData(i) == value:
            box.setCurrentIndex(i)
            return
    raise ConfigError(f"no choice {value!r} in {box.toolTip()[:40]!r}")


class BiasBox(QWidget):
    """bias_init: "constant" with a number, or "normal"; ``changed`` on any edit."""

    changed = Signal()

    def __init__(self, setting: Setting, parent=None):
        super().__init__(parent)
        self.mode = combo(["constant", "normal"], setting.tooltip())
        self.number = CheckedDoubleSpinBox(setting.name, setting.min, setting.max,
                                           step=setting.step, message=setting.message)
        self.number.setToolTip(setting.tooltip())
        self.problem = self.number.problem
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mode, 1)
        row.addWidget(self.number, 1)
        self.mode.currentIndexChanged.connect(self._on_mode)
        self.number.valueChanged.connect(self.changed)

    def value(self):
        return "normal" if self.mode.currentData() == "normal" else self.number.value()

    def set_value(self, value) -> None:
        if value == "normal":
            select(self.mode, "normal")
        else:
            self.number.set_checked(value)
            select(self.mode, "constant")
        self.number.setEnabled(value != "normal")

    def _on_mode(self, *_) -> None:
        self.number.setEnabled(self.mode.currentData() != "normal")
        self.changed.emit()


class Control:
    """The widget (``widget``) of one setting, its ``changed`` signal, and its value in
    ``TrainingConfig``'s terms. ``optional`` False: a control for the value only (the stop
    row decides None itself)."""

    def __init__(self, setting: Setting, item_help: dict | None = None,
                 optional: bool | None = None):
        self.setting = s = setting
        self.optional = s.optional if optional is None else optional
        self.problem = None
        if s.kind == "int":
            lo = s.min - 1 if self.optional else s.min
            w = CheckedSpinBox(s.name, int(lo), int(s.max), message=s.message)
            w.setSingleStep(max(1, int(s.step)))
            if self.optional:
                w.setSpecialValueText(s.none_text)
            self.changed, self.problem = w.valueChanged, w.problem
        elif s.kind in ("float", "rate"):
            if s.kind == "rate":
                w = LogSpinBox(s.name, s.min, s.max, message=s.message)
            else:
                w = CheckedDoubleSpinBox(s.name, s.min, s.max, step=s.step, message=s.message)
            self.changed, self.problem = w.valueChanged, w.problem
        elif s.kind == "choice":
            texts, data = list(s.choices), list(s.choices)
            if self.optional:
                texts, data = [s.none_text, *texts], [None, *data]
            w = combo(texts, s.tooltip(), data=data, item_help=item_help)
            self.changed = w.currentIndexChanged
        elif s.kind == "flag":
            w = QCheckBox()
            self.changed = w.toggled
        elif s.kind == "bias":
            w = BiasBox(s)
            self.changed, self.problem = w.changed, w.problem
        else:
            raise ValueError(f"no control for a {s.kind!r} setting ({s.name})")
        w.setToolTip(s.tooltip() + ("; the arrows step 1, 2, 5, 10..., type any value"
                                    if s.kind == "rate" else ""))
        # a 2**31 - 1 maximum or a long choice must not widen the panel: the text scrolls
        w.setMinimumWidth(min(w.minimumSizeHint().width(), MIN_WIDTH))
        self.widget = w

    def value(self):
        w, kind = self.widget, self.setting.kind
        if kind == "int":
            v = w.value()
            return None if self.optional and v < self.setting.min else v
        if kind in ("float", "rate"):
            return w.value()
        if kind == "choice":
            return w.currentData()
        if kind == "flag":
            return w.isChecked()
        return w.value()

    def set_value(self, value) -> None:
        """Show ``value``; ConfigError (the setting's message) if it is not acceptable."""
        s, w = self.setting, self.widget
        if not s.accepts(value) or (value is None and not self.optional):
            raise ConfigError(s.message(value))
        if s.kind == "int":
            w.set_checked(w.minimum() if value is None else value)
        elif s.kind in ("float", "rate"):
            w.set_checked(value)
        elif s.kind == "choice":
            select(w, value)
        elif s.kind == "flag":
            w.setChecked(value)
        else:
            w.set_value(value)
