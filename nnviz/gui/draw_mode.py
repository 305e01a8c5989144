"""Draw mode on an input-plane panel: the controls and the clicks (issue 15 item 3).

``DrawControls`` is a "Draw" check box and, for classes, the class a click adds; ``PlaneClicks``
takes the mouse presses on a pyqtgraph view's viewport while drawing (so a click neither
selects a sample nor pans, and a right click opens no menu) and hands each to the panel as a
scene position. The panel maps it through its plot's view box to the data's own units and
emits ``drawRequested(op, args)``; the window sends that to the worker
(``TrainingController.draw``): click adds a point of the chosen class, Shift-click the next
class (the other one of two), right-click removes the nearest point; on a curve (1-input
regression) click adds the sample (x, y) under the cursor.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QWidget

from nnviz.data.drawn import drawable
from nnviz.gui import colormaps as cm

#: mouse events a drawing viewport keeps from pyqtgraph (which would select, pan or open a menu)
_TAKEN = (QEvent.MouseButtonPress, QEvent.MouseButtonRelease, QEvent.MouseButtonDblClick,
          QEvent.MouseMove)


def _swatch(k: int) -> QIcon:
    """A square of class ``k``'s colour."""
    pix = QPixmap(12, 12)
    pix.fill(cm.class_color(k))
    return QIcon(pix)


class DrawControls(QWidget):
    """The "Draw" toggle and the class a click adds; ``why_not`` says why drawing is off
    (then the controls are hidden)."""

    toggled = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox("Draw")
        self.check.toggled.connect(self._on_toggled)
        self.classes = QComboBox()
        self.classes.setToolTip("the class a click adds (Shift-click: the next class)")
        row.addWidget(self.check)
        row.addWidget(self.classes)
        self.why_not = ""
        self._curve = False
        self.set_dataset(None)

    def set_dataset(self, ds, why_not: str = "") -> None:
        """What can be drawn: ``ds``'s classes (kept when they are the same), or nothing
        (``why_not``, or ``nnviz.data.drawn.drawable``'s reason)."""
        self.why_not = why_not or ("no data" if ds is None else drawable(ds))
        self._curve = ds is not None and ds.task == "regression"
        names = () if ds is None or self._curve else tuple(ds.class_names)
        if names != tuple(self.classes.itemData(i) for i in range(self.classes.count())):
            chosen = self.classes.currentIndex()
            self.classes.clear()
            for k, name in enumerate(names):
                self.classes.addItem(_swatch(k), f"class {name}", name)
            self.classes.setCurrentIndex(min(max(chosen, 0), len(names) - 1))
        self.classes.setVisible(bool(names))
        self.check.setEnabled(not self.why_not)
        self.setVisible(not self.why_not)  # (no room taken where nothing can be drawn)
        if self.why_not and self.check.isChecked():
            self.check.setChecked(False)
        self.check.setToolTip(self.hint() if not self.why_not else
                              f"drawing is off: {self.why_not}")

    @property
    def on(self) -> bool:
        return self.check.isChecked()

    def target(self, shift: bool) -> int:
        """The class a click adds: the chosen one, or with Shift the next one."""
        k, n = max(self.classes.currentIndex(), 0), max(self.classes.count(), 1)
        return (k + 1) % n if shift else k

    def hint(self) -> str:
        """What clicks do now, in one line."""
        if self._curve:
            return ("Draw: click adds the sample (x, y) under the cursor; right-click removes "
                    "the nearest sample")
        n = self.classes.count()
        chosen = self.classes.itemData(self.target(False)) if n else "?"
        other = self.classes.itemData(self.target(True)) if n else "?"
        which = "the other class" if n == 2 else "the next class"
        return (f"Draw: click adds a point of class {chosen}, Shift-click {which} ({other}); "
                "right-click removes the nearest point")

    def _on_toggled(self, on: bool) -> None:
        self.toggled.emit(on)


class PlaneClicks(QObject):
    """While ``active``, mouse presses on ``view``'s viewport become ``clicked(scene_pos,
    button, shift)`` and no mouse event reaches pyqtgraph; the cursor is a cross."""

    clicked = Signal(QPointF, object, bool)

    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.active = False
        view.viewport().installEventFilter(self)

    def set_active(self, on: bool) -> None:
        self.active = bool(on)
        port = self.view.viewport()
        if on:
            port.setCursor(Qt.CrossCursor)
        else:
            port.unsetCursor()

    def eventFilter(self, obj, event) -> bool:
        if not self.active or event.type() not in _TAKEN:
            return False
        if event.type() == QEvent.MouseButtonPress:
            scene = self.view.mapToScene(event.position().toPoint())
            shift = bool(event.modifiers() & Qt.ShiftModifier)
            self.clicked.emit(QPointF(scene), event.button(), shift)
        return event.type() != QEvent.MouseMove or bool(event.buttons())
