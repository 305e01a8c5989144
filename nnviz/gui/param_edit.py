"""Edit a weight or bias by hand in the network diagram: type it, turn the wheel, or drag.

``ParamEditor`` is a small popup over the diagram, opened by a double-click on a connection or a
hidden/output neuron (or F2, Edit ▸ Set value…, for the selected one): "W2[1, 3] = [0.4213] Set";
Return or Set sends the typed value and closes it, Esc closes it; a value that is not a finite
number is refused there with its one-line reason (``nnviz.engine.edits.parse_value``). A popup
takes no room from the panel (a row under the drawing cut the gradient strip's label at
1280x720 and the inputs' names in a small dock). ``EditGestures`` watches the diagram view:
over the selected item the mouse wheel changes the value by notches and a vertical drag by
pixels (``nnviz.hand_edit``; Shift finer, Ctrl coarser). Both only emit ``EditRequest``s: the
window hands them to the training worker (panels never touch the run), which publishes a
snapshot at once. After an edit the diagram's info line adds the training-set loss before it
and now (``note_for``).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from nnviz.engine.edits import parse_value
from nnviz.errors import ConfigError
from nnviz.hand_edit import EditRequest, Param, drag_change, parameter_of, wheel_change

#: s: wheel turns of one parameter closer together than this are one edit (one undo)
WHEEL_MERGE = 1.0
HINT = ("Return sets it, Esc closes. Over the selected connection or neuron the mouse wheel "
        "or a drag up and down changes it (Shift: finer, Ctrl: coarser); Ctrl+Z undoes an "
        "edit, Ctrl+Shift+Z redoes it.")
PROBLEM_STYLE = "color:#b23c17"
HINT_STYLE = "color:#707070"


def fmt_value(value: float) -> str:
    return f"{value:.6g}"


class ParamEditor(QFrame):
    """The value popup, and the selected parameter's state (``param``, ``current``): what
    the diagram's gestures and its info line use."""

    editRequested = Signal(object)  # EditRequest

    def __init__(self, parent):
        super().__init__(parent, Qt.Popup)
        self.setFrameShape(QFrame.StyledPanel)
        self.param: Param | None = None
        self._snapshot = None
        self._sent: tuple[Param, float, object] | None = None  # (param, value, snapshot then)
        self._edited: Param | None = None  # the parameter edited last, and the loss before
        self._loss_before: float | None = None
        self.problem = ""
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        self.name = QLabel()
        self.value = QLineEdit()
        self.value.setMinimumWidth(110)
        self.value.setPlaceholderText("a number")
        self.value.returnPressed.connect(self.submit)
        self.set_button = QPushButton("Set")
        self.set_button.setAutoDefault(False)
        self.set_button.clicked.connect(self.submit)
        for w in (self.name, self.value, self.set_button):
            row.addWidget(w)
        box.addLayout(row)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setMaximumWidth(320)
        box.addWidget(self.note)
        self.setToolTip(HINT)

    # ----------------------------------------------------------------- inputs
    def set_selection(self, selection) -> None:
        """A diagram selection: its parameter (none for an input neuron or nothing)."""
        param = parameter_of(selection)
        if param != self.param and self.isVisible():
            self.close()
        self.param = param

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        if self.isVisible() and not self.value.isModified():
            self._show_value()

    def current(self) -> float | None:
        """The selected parameter's value: the last one sent until a snapshot after it came."""
        if self.param is None or self._snapshot is None:
            return None
        sent = self._sent
        if sent is not None and sent[0] == self.param and sent[2] is self._snapshot:
            return sent[1]
        return self.param.value(self._snapshot)

    def note_for(self, selection) -> str:
        """"   · loss now 1.133 (before the edit 0.3319)" for the parameter edited last, the
        mean loss over the training set (``Snapshot.current_loss``); "" for anything else."""
        s, before = self._snapshot, self._loss_before
        if (self._edited is None or parameter_of(selection) != self._edited or s is None
                or before is None or not np.isfinite(before) or not np.isfinite(s.current_loss)):
            return ""
        return f"   · loss now {s.current_loss:.4g} (before the edit {before:.4g})"

    # ----------------------------------------------------------------- popup
    def open_at(self, global_pos: QPoint) -> bool:
        """Show the popup just below and right of ``global_pos`` for the selected parameter."""
        if self.param is None:
            return False
        self.problem = ""
        self.name.setText(f"{self.param.label} =")
        self.name.setToolTip(self.param.description)
        self._show_value()
        self._show_note()
        self.adjustSize()
        self.move(global_pos + QPoint(12, 12))
        self.show()
        self.value.setFocus(Qt.PopupFocusReason)
        self.value.selectAll()
        return True

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def submit(self) -> bool:
        """Send the typed value and close; False (the reason shown, the popup open) if it is
        not a finite number."""
        if self.param is None:
            return False
        dtype = self._snapshot.weights[0].dtype if self._snapshot is not None else np.float64
        try:
            value = parse_value(self.value.text(), dtype)
        except ConfigError as exc:
            self.problem = str(exc)
            self._show_note()
            self.adjustSize()
            return False
        self.close()
        if value != self.current():
            self.request(value)
        return True

    def request(self, value: float, merge: bool = False) -> None:
        """Ask for the selected parameter to become ``value``."""
        if self.param is None:
            return
        if not merge or self._edited != self.param:
            self._loss_before = (self._snapshot.current_loss if self._snapshot is not None
                                 else None)
        self._edited = self.param
        self.problem = ""
        self._sent = (self.param, value, self._snapshot)
        if self.isVisible():
            self._show_value()
        self.editRequested.emit(EditRequest(self.param, value, merge))

    # ----------------------------------------------------------------- showing
    def _show_value(self) -> None:
        value = self.current()
        self.value.setText("" if value is None else fmt_value(value))
        self.value.setModified(False)
        self.value.selectAll()

    def _show_note(self) -> None:
        text, style = (self.problem, PROBLEM_STYLE) if self.problem else (
            "Return: set · Esc: close · wheel or drag over it: nudge", HINT_STYLE)
        self.note.setText(text)
        self.note.setStyleSheet(style)


class EditGestures(QObject):
    """Wheel and vertical drag over the diagram's selected item edit its parameter.

    ``panel``: the NetworkDiagramPanel (``item_at(scene_pos)``, ``view``, ``editor``).
    """

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.viewport = panel.view.viewport()
        self.viewport.installEventFilter(self)
        self._drag: list | None = None  # [param, y at press, value at press, moved]
        self._wheel: tuple | None = None  # (param, when, value sent)

    def _selected_under(self, pos) -> Param | None:
        """The selected parameter if the item at viewport point ``pos`` is it."""
        param = self.panel.editor.param
        if param is None:
            return None
        return param if parameter_of(self.panel.item_at(self.panel.view.mapToScene(pos))) \
            == param else None

    @staticmethod
    def _modifiers(event) -> tuple[bool, bool]:
        mods = event.modifiers()
        return bool(mods & Qt.ShiftModifier), bool(mods & Qt.ControlModifier)

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.Wheel:
            return self._on_wheel(event)
        if kind == QEvent.MouseButtonDblClick and event.button() == Qt.LeftButton:
            return self._on_double_click(event)
        if kind == QEvent.MouseButtonPress and event.button() == Qt.LeftButton:
            param = self._selected_under(event.position().toPoint())
            if param is None:
                return False
            self._drag = [param, event.position().y(), self.panel.editor.current(), False]
            return True
        if kind == QEvent.MouseMove:
            return self._on_move(event)
        if kind == QEvent.MouseButtonRelease and self._drag is not None:
            self._drag = None
            return True
        return False

    def _on_double_click(self, event) -> bool:
        """Select the connection or computed neuron under the mouse and open the popup."""
        self._drag = None
        pos = event.position().toPoint()
        sel = self.panel.item_at(self.panel.view.mapToScene(pos))
        if parameter_of(sel) is None:
            return False
        if sel != self.panel.selection:
            self.panel.select(sel)
        self.panel.editor.open_at(self.viewport.mapToGlobal(pos))
        return True

    def _on_wheel(self, event) -> bool:
        param = self._selected_under(event.position().toPoint())
        angle = event.angleDelta().y() or event.angleDelta().x()  # (Shift may turn it)
        if param is None or not angle:
            return False
        editor, now = self.panel.editor, time.monotonic()
        last = self._wheel
        merge = last is not None and last[0] == param and now - last[1] < WHEEL_MERGE
        base = last[2] if merge else editor.current()
        if base is None:
            return False
        value = base + wheel_change(angle, *self._modifiers(event))
        editor.request(value, merge=merge)
        self._wheel = (param, now, value)
        event.accept()
        return True

    def _on_move(self, event) -> bool:
        drag = self._drag
        if drag is None:  # hovering: the cursor says the selected item can be dragged
            over = self._selected_under(event.position().toPoint()) is not None
            if over:
                self.viewport.setCursor(Qt.SizeVerCursor)
            else:
                self.viewport.unsetCursor()
            return False
        param, y0, base, moved = drag
        up = y0 - event.position().y()
        if base is None or (not moved and up == 0):
            return True
        self.panel.editor.request(base + drag_change(up, *self._modifiers(event)), merge=moved)
        drag[3] = True
        return True
