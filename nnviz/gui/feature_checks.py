"""The network's inputs as check boxes: x1, x2, x1², x2², x1·x2, sin(x1), sin(x2).

``FeatureChecks`` shows and edits ``TrainingConfig.features`` (``nnviz.data.features``): one
box per feature, ``value()`` the checked ones in the table's order, ``changed`` on a click.
Engineered inputs need a 2-D dataset: ``set_available(False)`` puts the dataset's own inputs
in the boxes' place (iris showed greyed x1, x2, x1², ... beside a diagram of sepal_length,
sepal_width, petal_length, petal_width). The boxes name the inputs as the diagram does
(``set_names``: the dataset's feature names written into each feature's label by
``features.labels``: x, y, x², sin(y) for function-fit).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from nnviz.config import SETTINGS
from nnviz.data.features import DEFAULT_FEATURES, FEATURES, labels

#: boxes per row
COLUMNS = 3
#: the inputs' names before a dataset gives its own
DEFAULT_NAMES = ("x1", "x2")


class FeatureChecks(QWidget):
    """One check box per input feature; a click emits ``changed``."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.grid = QWidget()
        grid = QGridLayout(self.grid)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        #: the dataset's own inputs, shown instead of the boxes when they do not apply
        self.own = QLabel()
        self.own.setWordWrap(True)
        self.own.setToolTip("The dataset's own inputs: engineered inputs (x1², sin(x1), ...) "
                            "need a dataset of 2 inputs")
        self.own.hide()
        outer.addWidget(self.grid)
        outer.addWidget(self.own)
        self.boxes: dict[str, QCheckBox] = {}
        for k, name in enumerate(FEATURES):
            box = QCheckBox()
            box.toggled.connect(self._on_toggled)
            grid.addWidget(box, k // COLUMNS, k % COLUMNS)
            self.boxes[name] = box
        self.set_names(DEFAULT_NAMES)
        self._loading = False
        self.set_value(DEFAULT_FEATURES)

    def set_names(self, names) -> None:
        """Label the boxes with the dataset's input ``names`` (two; any other count: the
        boxes only apply to 2 inputs, and keep DEFAULT_NAMES); the names themselves are what
        shows while the boxes do not apply."""
        self.own.setText(", ".join(str(n) for n in names))
        names = tuple(names) if len(names) == 2 else DEFAULT_NAMES
        self.names = names
        for box, text in zip(self.boxes.values(), labels(tuple(FEATURES), names)):
            box.setText(text)
            box.setToolTip(f"{text}: a network input computed from the scaled {names[0]}, "
                           f"{names[1]} ({SETTINGS['features'].tooltip()})")

    def set_value(self, features) -> None:
        """Check exactly ``features`` (no ``changed``)."""
        self._loading = True
        try:
            for name, box in self.boxes.items():
                box.setChecked(name in features)
        finally:
            self._loading = False

    def value(self) -> tuple[str, ...]:
        """The checked features, in the table's order (empty if none: validation refuses)."""
        return tuple(name for name, box in self.boxes.items() if box.isChecked())

    def set_available(self, available: bool) -> None:
        """The boxes, or where the dataset has not 2 inputs, its own inputs (named by
        ``set_names``) in their place."""
        self.grid.setVisible(available)
        self.own.setVisible(not available)

    def _on_toggled(self, _checked: bool) -> None:
        if not self._loading:
            self.changed.emit()
