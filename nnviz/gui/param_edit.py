"""Edit a weight or bias by hand in the network diagram: type it, turn the wheel, or drag.

``ParamEditor`` is the row under the diagram; while a connection or a hidden/output neuron is
selected: "W2[1, 3] = [0.4213] Set  loss now 0.1302 (before the edit 0.2451)" (the mean loss
over the training set, ``Snapshot.current_loss``)
(always there, disabled otherwise: a row appearing on a click moved the drawing under the
mouse).
Return or Set sends the typed value; a value that is not a finite number is refused there with
its one-line reason (``nnviz.engine.edits.parse_value``). ``EditGestures`` watches the diagram
view: over the selected item the mouse wheel changes the value by notches and a vertical drag
by pixels (``nnviz.hand_edit``; Shift finer, Ctrl coarser). Both only emit ``EditRequest``s:
the window hands them to the training worker (panels never touch the run), which publishes a
snapshot at once; the value shown comes back with it.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from nnviz.engine.edits import parse_value
from nnviz.errors import ConfigError
from nnviz.hand_edit import EditRequest, Param, drag_change, parameter_of, wheel_change

#: s: wheel turns of one parameter closer together than this are one edit (one undo)
WHEEL_MERGE = 1.0
HINT = ("Type a new value and press Return (or Set); or, over the selected connection or "
        "neuron, turn the mouse wheel or drag up and down (Shift: finer, Ctrl: coarser). "
        "Ctrl+Z undoes an edit, Ctrl+Shift+Z redoes it.")
NO_SELECTION = "select a weight or bias to edit it"
PROBLEM_STYLE = "color:#b23c17"
HINT_STYLE = "color:#808080"


def fmt_value(value: float) -> str:
    return f"{value:.6g}"


class ParamEditor(QWidget):
    """The selected parameter's name, value and Set button (disabled while none is)."""

    editRequested = Signal(object)  # EditRequest

    def __init__(self, parent=None):
        super().__init__(parent)
        self.param: Param | None = None
        self._snapshot = None
        self._sent: tuple[Param, float, object] | None = None  # (param, value, snapshot then)
        self._loss_before: float | None = None
        self.problem = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.name = QLabel()
        self.value = QLineEdit()
        self.value.setMaximumWidth(130)
        self.value.setPlaceholderText("a number")
        self.value.returnPressed.connect(self.submit)
        self.set_button = QPushButton("Set")
        self.set_button.clicked.connect(self.submit)
        self.note = QLabel()
        self.note.setMinimumWidth(10)
        self.note.setWordWrap(True)  # (a long refusal takes two lines rather than being cut)
        for w in (self.name, self.value, self.set_button):
            row.addWidget(w)
        row.addWidget(self.note, 1)
        for w in (self, self.value, self.set_button):
            w.setToolTip(HINT)
        self.set_selection(None)

    # ----------------------------------------------------------------- inputs
    def set_selection(self, selection) -> None:
        """A diagram selection: its parameter (none for an input neuron or nothing)."""
        param = parameter_of(selection)
        if param != self.param:
            self._loss_before, self.problem = None, ""
        self.param = param
        for w in (self.value, self.set_button):
            w.setEnabled(param is not None)
        if param is not None:
            self.name.setText(f"{param.label} =")
            self.name.setToolTip(f"{param.description}. {HINT}")
        else:
            self.name.setText("w =")
            self.name.setToolTip(NO_SELECTION)
        self._show_value(force=True)
        self._show_note()

    def show_snapshot(self, snapshot) -> None:
        self._snapshot = snapshot
        if self.param is not None:
            self._show_value()
            self._show_note()

    def current(self) -> float | None:
        """The selected parameter's value: the last one sent until a snapshot after it came."""
        if self.param is None or self._snapshot is None:
            return None
        sent = self._sent
        if sent is not None and sent[0] == self.param and sent[2] is self._snapshot:
            return sent[1]
        return self.param.value(self._snapshot)

    # ----------------------------------------------------------------- edits
    def submit(self) -> bool:
        """Send the typed value; False (and the reason shown) if it is not one, or if nothing
        was typed since the value was last shown (Return alone is not an edit)."""
        if self.param is None or not self.value.isModified():
            return False
        dtype = self._snapshot.weights[0].dtype if self._snapshot is not None else np.float64
        try:
            value = parse_value(self.value.text(), dtype)
        except ConfigError as exc:
            self.problem = str(exc)
            self._show_note()
            return False
        self.request(value)
        return True

    def request(self, value: float, merge: bool = False) -> None:
        """Ask for the selected parameter to become ``value`` (the row shows it at once)."""
        if self.param is None:
            return
        if not merge or self._loss_before is None:
            self._loss_before = (self._snapshot.current_loss if self._snapshot is not None
                                 else None)
        self.problem = ""
        self._sent = (self.param, value, self._snapshot)
        self.value.setText(fmt_value(value))
        self.value.setModified(False)
        self._show_note()
        self.editRequested.emit(EditRequest(self.param, value, merge))

    # ----------------------------------------------------------------- showing
    def _show_value(self, force: bool = False) -> None:
        """The value now, unless the person is typing one."""
        if not force and self.value.hasFocus() and self.value.isModified():
            return
        value = self.current()
        text = "" if value is None else fmt_value(value)
        if self.value.text() != text:
            self.value.setText(text)
        self.value.setModified(False)

    def _show_note(self) -> None:
        s = self._snapshot
        if self.param is None:
            text, style = NO_SELECTION, HINT_STYLE
        elif self.problem:
            text, style = self.problem, PROBLEM_STYLE
        elif s is not None and np.isfinite(s.current_loss):
            text, style = f"loss now {s.current_loss:.4g}", ""
            if self._loss_before is not None and np.isfinite(self._loss_before):
                text += f" (before the edit {self._loss_before:.4g})"
        else:
            text, style = "", ""
        if self.note.text() != text:
            self.note.setText(text)
            self.note.setStyleSheet(style)
            self.note.setToolTip(text + (" (the mean loss over the training set with the "
                                         "weights now)" if text.startswith("loss") else ""))


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
