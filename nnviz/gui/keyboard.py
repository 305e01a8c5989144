"""The window's one-key shortcuts (Space, N, Shift+N, Left, Right, R) wherever focus is.

Qt offers every key to the focused widget first (a ShortcutOverride event), and a QLineEdit or
spin box claims every printable and cursor key: with focus left in the learning-rate box after
Return, Space replaced its selected text with a blank instead of playing. The rule here:

- a text field (line edit, spin box, editable combo box) takes keys only while a person is
  typing in it: from the first key that edits its text until Return or until focus leaves;
- Return in a field commits it (the field's own handling runs first) and gives focus back to
  the window, so the next Space plays;
- otherwise the window's shortcuts win, in a field too (a field focused by a click on its
  arrows, by Tab or at start-up is not being typed in);
- except for keys a focused widget says are its own (``owns(event)``: the timeline's slider
  keeps Left/Right, Home/End).

``KeyboardFocus(window)`` watches only the focused widget of ``window`` (an event filter moved
along on QApplication.focusChanged); the window hands it the keys no widget used
(``reached_window``, from its ``keyPressEvent``: an event filter on the window took the GIL from
the training worker for each of the window's events, its paints too).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QWidget
from shiboken6 import isValid

RETURN_KEYS = (Qt.Key_Return, Qt.Key_Enter)
#: keys that edit a field's text without printing a character
EDITING_KEYS = (Qt.Key_Backspace, Qt.Key_Delete)
EDITING_SEQUENCES = (QKeySequence.Paste, QKeySequence.Cut, QKeySequence.Undo, QKeySequence.Redo,
                     QKeySequence.DeleteStartOfWord, QKeySequence.DeleteEndOfWord)


def is_text_field(widget) -> bool:
    """A widget whose keys type text: a line edit, a spin box, an editable combo box."""
    return isinstance(widget, (QLineEdit, QAbstractSpinBox)) or (
        isinstance(widget, QComboBox) and widget.isEditable())


def edits_text(event) -> bool:
    """Whether key press ``event`` changes a field's text (prints, deletes, pastes...)."""
    text = event.text()
    mods = event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier)
    if text and text.isprintable() and not mods:
        return True
    return event.key() in EDITING_KEYS or any(event.matches(s) for s in EDITING_SEQUENCES)


class KeyboardFocus(QObject):
    """Keeps ``window``'s shortcuts working in its fields (the rule in the module docstring).

    ``typing``: the field being typed in, or None.
    """

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self.typing: QWidget | None = None
        self._watched: QWidget | None = None
        app = QApplication.instance()
        app.focusChanged.connect(self._on_focus_changed)
        self._on_focus_changed(None, app.focusWidget())

    def shortcuts(self) -> set[str]:
        """The window's own shortcuts, as portable key sequence text ("Space", "Shift+N")."""
        return {a.shortcut().toString() for a in self.window.actions()
                if not a.shortcut().isEmpty()}

    def release(self) -> None:
        """Give focus back to the window (from a field: it commits its text as it leaves)."""
        self.typing = None
        self.window.setFocus(Qt.ShortcutFocusReason)

    # ------------------------------------------------------------------ Qt events
    def _on_focus_changed(self, old, new) -> None:
        self.typing = None
        if self._watched is not None and isValid(self._watched):
            self._watched.removeEventFilter(self)
        self._watched = None
        if new is not None and new is not self.window and new.window() is self.window:
            new.installEventFilter(self)
            self._watched = new

    def reached_window(self, event) -> bool:
        """Key press ``event`` reached the window, no widget used it: True if it was taken
        here (a Return from a text field, which fields ignore after committing: focus goes
        back to the window)."""
        if event.key() in RETURN_KEYS:
            focus = QApplication.focusWidget()
            if focus is not None and is_text_field(focus) and focus.window() is self.window:
                self.release()
                event.accept()
                return True
        return False

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.ShortcutOverride:
            owns = getattr(obj, "owns", None)
            if obj is not self.typing and self._is_shortcut(event) and not (
                    callable(owns) and owns(event)):
                event.ignore()  # no widget claims the key: Qt runs the window's shortcut
                return True
        elif kind == QEvent.KeyPress and is_text_field(obj) and edits_text(event):
            self.typing = obj
        return False

    def _is_shortcut(self, event) -> bool:
        combo = QKeySequence(event.keyCombination()).toString()
        return combo in self.shortcuts()
