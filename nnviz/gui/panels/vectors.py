"""Temporary placeholder for the Inputs and weight vectors panel (replaced by the panels developer)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class VectorsPanel(QWidget):
    """Placeholder: shows the step of the latest snapshot."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._label = QLabel("Inputs and weight vectors: coming soon", self)
        self._label.setAlignment(Qt.AlignCenter)
        self._label.setStyleSheet("color: gray")
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)

    def set_experiment(self, experiment) -> None:
        pass

    def show_snapshot(self, snapshot) -> None:
        pass
