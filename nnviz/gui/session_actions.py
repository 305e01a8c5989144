"""The window's file actions on the whole run: save and open sessions, export the weights and
the history, save a screenshot, autosave every AUTOSAVE_S seconds and offer recovery after a
crash.

``SessionActions(window)`` makes the QActions (``act_save``, ``act_open_session``,
``act_open_network``, ``act_export_weights``, ``act_export_safetensors``,
``act_export_torch``, ``act_export_history``, ``act_screenshot``) and owns the autosave
timer. It reaches the run through ``window.controller`` (``call``: on the worker thread), the
pinned curves through ``window.panels["errorCurve"]``, and reports through
``window.show_error``, ``window.confirm`` and the status bar, looked up at each call (tests
replace the dialogs).
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog

from nnviz import session
from nnviz.engine.activations import ACTIVATIONS
from nnviz.errors import ConfigError, NNVizError
from nnviz.gui.panels.error_curve import check_pins
from nnviz.gui.window_menus import make_action

AUTOSAVE_S = 60  # seconds between autosaves of a running session


def progress(snap) -> tuple:
    """What a session file must hold to be up to date with ``snap``: its step and its hand
    edits (an edit while paused is progress too)."""
    return snap.step, len(snap.edits), snap.edits[-1:], len(snap.undone)


class SessionActions(QObject):
    """Session files for ``window`` (a MainWindow); autosave only when it has settings."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self._autosaved_step = None  # progress() of the last autosave
        self._autosave_timer: QTimer | None = None
        self._run = 0  # counts runs (a preset, a reset, a CSV, an opened session ...)
        self._saved: tuple | None = None  # (run, progress()) last saved or opened
        window.controller.experimentChanged.connect(self._on_new_run)
        self._slot: session.AutosaveSlot | None = None
        a = make_action
        self.act_open_session = a(window, "Open session…", QKeySequence("Ctrl+Shift+O"),
                                  "open a saved session", self._on_open_session)
        self.act_save = a(window, "Save session…", QKeySequence.Save,
                          "save configuration, weights and history", self._on_save)
        self.act_export_weights = a(window, "Export weights…", None, "save the weights as "
                                    ".npz (W0, b0, W1, b1, … and a JSON 'meta')",
                                    self._on_export_weights)
        self.act_export_safetensors = a(
            window, "Export weights as safetensors…", None, "save the weights as .safetensors "
            "(PyTorch's (out, in) layout, with sizes, activations, names and scaling)",
            self._on_export_safetensors)
        self.act_export_torch = a(
            window, "Export as PyTorch script…", None, "save a runnable .py building the "
            "network as an nn.Sequential, its weights in a .safetensors beside it",
            self._on_export_torch)
        self.act_open_network = a(
            window, "Open network…", None, "train from a network saved elsewhere: "
            ".safetensors, nnviz .npz, or a PyTorch state_dict (with torch installed)",
            self._on_open_network)
        self.act_export_history = a(window, "Export history…", None, "save the loss and "
                                    "accuracy history as CSV", self._on_export_history)
        self.act_screenshot = a(window, "Save screenshot…", None, "save a PNG of this window",
                                self._on_save_screenshot)

    def file_actions(self) -> tuple[tuple[QAction, ...], tuple[QAction, ...]]:
        """(open/save actions, export actions), in the File menu's order."""
        return ((self.act_open_session, self.act_open_network, self.act_save),
                (self.act_export_weights, self.act_export_safetensors, self.act_export_torch,
                 self.act_export_history, self.act_screenshot))

    def unsaved(self) -> tuple[int, int]:
        """(training steps, hand edits) of the current run when no session file holds it as
        it is now; (0, 0) when quitting would lose nothing: saved or opened as it is, or a
        fresh run (no step trained, no edit made: a hand edit at step 0 is work too)."""
        snap = self.window.controller.snapshot
        if snap is None or (snap.step == 0 and not snap.edits) or \
                self._saved == (self._run, progress(snap)):
            return 0, 0
        return snap.step, len(snap.edits)

    def _mark_saved(self) -> None:
        snap = self.window.controller.snapshot
        self._saved = (self._run, progress(snap) if snap is not None else 0)

    def _on_new_run(self, *_) -> None:
        self._run += 1

    def _status(self, text: str, ms: int) -> None:
        self.window.statusBar().showMessage(text, ms)

    # ------------------------------------------------------------------ operations
    def _paused(self, fn):
        """Run ``fn(experiment)`` on the worker thread between two slices, with no phase of a
        step-through sample left half done."""
        return self.window.controller.call(fn, whole_steps=True)

    def _pinned(self) -> list[dict]:
        panel = self.window.panels.get("errorCurve")
        return panel.pinned_runs() if panel is not None else []

    def save_session(self, path: str) -> bool:
        """Save configuration, data, weights, optimiser state, history and pinned runs."""
        try:
            self._paused(lambda exp: session.save_session(path, exp, self._pinned()))
        except (NNVizError, OSError) as exc:
            self.window.show_error("Could not save the session", str(exc))
            return False
        self._mark_saved()
        self._status(f"saved {path}", 5000)
        return True

    def open_session(self, path: str, ask: bool = True) -> bool:
        """Open a saved session: training continues exactly where it stopped."""
        snap = self.window.controller.snapshot
        if ask and snap is not None and snap.step > 0 and not self.window.confirm(
                f"Opening {os.path.basename(path)} replaces this run and its {snap.step:,} "
                "steps. Continue?"):
            return False
        try:
            self.adopt_session(*session.load_session(path), source=path)
        except (NNVizError, OSError) as exc:
            self.window.show_error("Could not open the session", str(exc))
            return False
        self._status(f"opened {path}", 5000)
        return True

    def adopt_session(self, exp, pinned=(), source: str = "") -> None:
        """Make a loaded session's experiment the current run, with its pinned curves.
        The pins are checked first: SessionFileError (one line, starting with ``source``)
        leaves the current run as it was, the worker still on it."""
        pins = check_pins(pinned, source)
        self.window.controller.adopt(exp)
        self._mark_saved()  # a file holds it
        panel = self.window.panels.get("errorCurve")
        if panel is not None:
            panel.show_pins(pins)

    def _export(self, what: str, write, done) -> bool:
        """Run ``write(experiment)`` on the worker; a failure is one dialog "Could not export
        ``what``", success a status message ``done(result)``."""
        try:
            result = self._paused(write)
        except (NNVizError, OSError) as exc:
            self.window.show_error(f"Could not export {what}", str(exc))
            return False
        self._status(done(result), 5000)
        return True

    def export_weights(self, path: str) -> bool:
        return self._export("the weights", lambda exp: session.export_weights(path, exp),
                            lambda _: f"weights saved to {path}")

    def export_safetensors(self, path: str) -> bool:
        return self._export("the weights", lambda exp: session.export_safetensors(path, exp),
                            lambda _: f"weights saved to {path}")

    def export_torch(self, path: str) -> bool:
        """A runnable PyTorch script at ``path`` and its ``.safetensors`` beside it."""
        return self._export(
            "the PyTorch script", lambda exp: session.export_torch(path, exp),
            lambda files: f"PyTorch script saved to {files[0]} (weights: {files[1].name})")

    def open_network(self, path: str, activation: str | None = None,
                     output: str | None = None, ask: bool = True) -> bool:
        """Train the current data from the network in ``path``; activations the file does not
        name are asked for (``ask_activations``) unless given."""
        snap = self.window.controller.snapshot
        if ask and snap is not None and snap.step > 0 and not self.window.confirm(
                f"Opening {os.path.basename(path)} replaces this run and its {snap.step:,} "
                "steps. Continue?"):
            return False
        run = self.window.controller.run
        try:
            try:
                loaded = session.load_network(path, activation, output)
            except ConfigError:
                if activation is not None and output is not None:
                    raise
                names = self.ask_activations(os.path.basename(path))
                if names is None:
                    return False
                loaded = session.load_network(path, *names)
            exp = session.build_from_network(self.window.controller.config, loaded,
                                             dataset=getattr(run, "dataset", None))
        except (NNVizError, OSError) as exc:
            self.window.show_error("Could not open the network", str(exc))
            return False
        self.adopt_session(exp)
        self._status(f"opened {path}", 5000)
        return True

    def ask_activations(self, name: str) -> tuple[str, str] | None:
        """(hidden, output) activation names from two choice dialogs; None if cancelled."""
        names = list(ACTIVATIONS)
        hidden, ok = QInputDialog.getItem(
            self.window, "Open network", f"{name} does not name its activations.\n"
            "Hidden layers:", [n for n in names if n != "softmax"], 0, False)
        if not ok:
            return None
        output, ok = QInputDialog.getItem(self.window, "Open network", "Output layer:",
                                          names, names.index("identity"), False)
        return (hidden, output) if ok else None

    def export_history(self, path: str) -> bool:
        return self._export("the history", lambda exp: session.export_history_csv(path, exp),
                            lambda _: f"history saved to {path}")

    def save_screenshot(self, path: str) -> bool:
        """A PNG of the whole window, every panel showing the latest snapshot."""
        self.window.dispatcher.flush()
        return self.window.grab().save(os.fspath(path), "PNG")

    # ------------------------------------------------------------------ autosave
    def start_autosave(self) -> None:
        """Interactive runs only: save the running session every AUTOSAVE_S seconds to this
        window's own locked autosave file (another window never offers or deletes it)."""
        try:
            self._slot = session.AutosaveSlot(self._autosave_folder())
        except NNVizError as exc:
            self._status(f"autosave is off: {exc}", 10000)
            return
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_S * 1000)
        self._autosave_timer.timeout.connect(self.autosave)
        self._autosave_timer.start()

    def _autosave_folder(self):
        return self.window.settings.autosave_folder()

    def autosave(self) -> bool:
        """Save the current run to this window's autosave file if it moved since last time."""
        snap = self.window.controller.snapshot
        if self._slot is None or snap is None or progress(snap) == self._autosaved_step:
            return False
        try:
            self._paused(lambda exp: self._slot.save(exp, self._pinned()))
        except (NNVizError, OSError) as exc:
            self._status(f"autosave failed: {exc}", 10000)
            return False
        self._autosaved_step = progress(snap)
        return True

    def offer_recovery(self) -> bool:
        """Offer to reopen the newest autosave a crashed instance left (never a running
        window's). Yes: it opens and becomes this window's autosave; No: it is deleted; if it
        cannot be opened it stays where it is and the message says where. True if reopened."""
        if self.window.settings is None:
            return False
        for entry in session.recovery_list(self._autosave_folder()):
            if entry.info is None:
                continue
            claim = session.claim_entry(entry)
            if claim is None:  # another window is asking about this one
                continue
            try:
                return self._recover(entry)
            finally:
                claim.release(remove=not entry.path.exists())
        return False

    def _recover(self, entry) -> bool:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.modified))
        steps = entry.info.get("steps", "?")
        if not self.window.confirm(f"nnviz did not close cleanly. Recover the session "
                                   f"autosaved at {when} ({steps} steps)?"):
            session.discard_autosave(entry.path)
            return False
        try:
            self.adopt_session(*session.load_session(entry.path), source=str(entry.path))
        except (NNVizError, OSError) as exc:
            self.window.show_error("Could not recover the session",
                                   f"{exc} (the autosave is kept at {entry.path})")
            return False
        if self._slot is not None:
            try:
                self._slot.take_over(entry.path)
                self._autosaved_step = progress(self.window.controller.snapshot)
            except NNVizError as exc:
                self._status(f"{exc}", 10000)
        self._status(f"recovered {entry.path}", 5000)
        return True

    def closing(self) -> None:
        """A clean exit: this window's autosave goes (nothing to recover next time)."""
        if self._slot is not None:
            self._slot.close()
            self._slot = None

    # ------------------------------------------------------------------ menu handlers
    def _ask_save(self, title: str, default: str, filters: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self.window, title, default, filters)
        return path

    def save_as(self) -> bool:
        """Ask where, then save the session; False if the person cancelled or it failed."""
        path = self._ask_save("Save session", "run.nnviz", "nnviz sessions (*.nnviz)")
        return bool(path) and self.save_session(path)

    def _on_save(self) -> None:
        self.save_as()

    def _on_open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "",
                                              "nnviz sessions (*.nnviz);;All files (*)")
        if path:
            self.open_session(path)

    def _on_export_weights(self) -> None:
        path = self._ask_save("Export weights", "weights.npz", "numpy archives (*.npz)")
        if path:
            self.export_weights(path)

    def _on_export_safetensors(self) -> None:
        path = self._ask_save("Export weights as safetensors", "weights.safetensors",
                              "safetensors (*.safetensors)")
        if path:
            self.export_safetensors(path)

    def _on_export_torch(self) -> None:
        path = self._ask_save("Export as PyTorch script", "nnviz_model.py",
                              "Python scripts (*.py)")
        if path:
            self.export_torch(path)

    def _on_open_network(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open network", "", "networks (*.safetensors *.npz *.pt *.pth);;"
            "All files (*)")
        if path:
            self.open_network(path)

    def _on_export_history(self) -> None:
        path = self._ask_save("Export history", "history.csv", "CSV files (*.csv)")
        if path:
            self.export_history(path)

    def _on_save_screenshot(self) -> None:
        path = self._ask_save("Save screenshot", "nnviz.png", "PNG images (*.png)")
        if path:
            self.save_screenshot(path)
