"""The hidden layers of the control panel: one row per layer (neurons, activation, remove),
its limits and texts from the configuration table (``SETTINGS["hidden"]``, ``["activations"]``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from nnviz.config import SETTINGS
from nnviz.engine.activations import ACTIVATIONS
from nnviz.gui.controls import combo, select
from nnviz.gui.widgets import CheckedSpinBox

#: each activation's tooltip, as the engine's Activation states it
ACTIVATION_HELP = {name: act.help for name, act in ACTIVATIONS.items()}


class LayerRow(QWidget):
    """One hidden layer: neurons and activation, with a remove button."""

    removeRequested = Signal(object)

    def __init__(self, index: int, neurons: int, activation: str, parent=None):
        super().__init__(parent)
        hidden, acts = SETTINGS["hidden"], SETTINGS["activations"]
        self.label = QLabel()
        self.neurons = CheckedSpinBox(hidden.name, int(hidden.min), int(hidden.max),
                                      message=hidden.message)
        self.neurons.set_checked(neurons)
        self.neurons.setToolTip(hidden.tooltip())
        self.activation = combo(acts.choices, acts.tooltip(), item_help=ACTIVATION_HELP)
        select(self.activation, activation)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("remove this hidden layer")
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.neurons, 1)
        row.addWidget(self.activation, 2)
        row.addWidget(self.remove)
        self.set_index(index)

    def set_index(self, index: int) -> None:
        self.label.setText(f"Hidden {index + 1}")


class ArchitectureEditor(QWidget):
    """Hidden layers as rows (at most ``SETTINGS["hidden"].max_len``); ``changed`` on any
    edit; ``problem(str)`` when a neuron count is refused. A first layer added gets the
    activation ``activation_box`` shows."""

    changed = Signal()
    problem = Signal(str)

    def __init__(self, activation_box, parent=None):
        super().__init__(parent)
        self.rows: list[LayerRow] = []
        self._activation_box = activation_box
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        self._rows_box.setSpacing(4)
        self.add_button = QPushButton("+ Add hidden layer")
        self.add_button.setToolTip("add a hidden layer after the last one")
        self.add_button.clicked.connect(self._on_add)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self._rows_box)
        box.addWidget(self.add_button)

    def set_layers(self, hidden, activations) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for n, a in zip(hidden, activations):
            self._add_row(n, a)
        self._update()

    def layers(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        return (tuple(r.neurons.value() for r in self.rows),
                tuple(r.activation.currentData() for r in self.rows))

    def set_all_activations(self, name: str) -> None:
        """Every layer's activation to ``name`` (one ``changed``)."""
        for row in self.rows:
            row.activation.blockSignals(True)
            select(row.activation, name)
            row.activation.blockSignals(False)
        self.changed.emit()

    def _add_row(self, neurons: int, activation: str) -> LayerRow:
        row = LayerRow(len(self.rows), neurons, activation)
        row.neurons.valueChanged.connect(self.changed)
        row.neurons.problem.connect(self.problem)
        row.activation.currentIndexChanged.connect(self.changed)
        row.removeRequested.connect(self._on_remove)
        self.rows.append(row)
        self._rows_box.addWidget(row)
        return row

    def _update(self) -> None:
        for i, row in enumerate(self.rows):
            row.set_index(i)
        self.add_button.setEnabled(len(self.rows) < SETTINGS["hidden"].max_len)

    def _on_add(self) -> None:
        last = self.rows[-1] if self.rows else None
        self._add_row(last.neurons.value() if last else 4,
                      last.activation.currentData() if last
                      else self._activation_box.currentData())
        self._update()
        self.changed.emit()

    def _on_remove(self, row: LayerRow) -> None:
        self.rows.remove(row)
        row.deleteLater()
        self._update()
        self.changed.emit()
