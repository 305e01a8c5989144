"""The window's side of hand edits: Edit ▸ Undo / Redo (Ctrl+Z, Ctrl+Shift+Z), Edit ▸ Set value…
(F2: the diagram's value popup for the selected connection or neuron) and the diagram's edit
requests, all handed to the training worker through the controller.

The shortcuts are window actions, so ``KeyboardFocus`` (``nnviz.gui.keyboard``) lets a text
field being typed in keep its own Ctrl+Z; anywhere else they undo and redo hand edits. The
actions name the edit they would undo or redo and are enabled by the latest snapshot's log.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from nnviz.gui.window_menus import make_action

UNDO_KEYS = "Ctrl+Z"
REDO_KEYS = "Ctrl+Shift+Z"
SET_KEYS = "F2"


class EditActions:
    """``undo``/``redo``/``set_value`` QActions of main window ``w``, and the diagram's
    requests wired to ``w.controller``."""

    def __init__(self, w):
        self.window = w
        c = w.controller
        self.undo = make_action(w, "Undo edit", QKeySequence(UNDO_KEYS),
                                "undo the last hand edit of a weight or bias",
                                lambda: self._live() or c.undo_edit())
        self.redo = make_action(w, "Redo edit", QKeySequence(REDO_KEYS),
                                "redo the last undone hand edit",
                                lambda: self._live() or c.redo_edit())
        self._shown = None
        self.show(None)
        self.set_value = make_action(w, "Set value…", QKeySequence(SET_KEYS),
                                     "type a new value for the weight or bias selected in the "
                                     "network diagram", self._on_set_value)
        # (the diagram's editRequested comes to on_edit_requested once it is built)

    def _on_set_value(self) -> None:
        diagram = self.window.panels.get("networkDiagram")
        if diagram is None or not diagram.edit_selected():
            self.window.statusBar().showMessage(
                "select a connection or a hidden or output neuron in the network first", 5000)

    def _live(self) -> None:
        """An edit acts on the run now: the timeline leaves a past moment first."""
        timeline = getattr(self.window, "timeline", None)
        if timeline is not None:
            timeline.go_live()

    def on_edit_requested(self, request) -> None:
        """A hand edit asked for in the network diagram (``editRequested``)."""
        self._live()
        p = request.param
        self.window.controller.edit_parameter(p.layer, p.kind, p.index, request.value,
                                              merge=request.merge)

    def show(self, snap) -> bool:
        """Enable and name the actions after ``snap``'s edit log (None: no run yet); True if
        the log changed since the last snapshot shown (an edit, an undo or a redo)."""
        done = snap.edits[-1] if snap is not None and snap.edits else None
        undone = snap.undone[-1] if snap is not None and snap.undone else None
        if (done, undone) == self._shown:
            return False
        changed = self._shown is not None
        self._shown = (done, undone)
        for action, edit, verb in ((self.undo, done, "Undo"), (self.redo, undone, "Redo")):
            action.setEnabled(edit is not None)
            action.setText(f"{verb} edit {edit.label}" if edit is not None else f"{verb} edit")
        return changed
