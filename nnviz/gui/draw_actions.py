"""The window's actions for drawn data: a new empty canvas, saving the data as CSV, re-fitting
the scaling; and the panels' clicks on the plane, sent to the worker (``nnviz.drawing``).

``DrawActions(window)`` makes ``act_new_drawing`` (a menu "New drawing (empty canvas)" of
``new_drawing_actions``), ``act_save_csv`` and ``act_refit``, and connects each input-plane
panel's ``drawRequested(op, args)`` to ``TrainingController.draw``. Panels that lay out their
training rows once per run and do not read ``snapshot.data`` (``DATA_FOLLOWERS``) get the run
again with the rows now when they change (``run_with_rows``).
"""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu

from nnviz.data.features import DEFAULT_FEATURES
from nnviz.gui.window_menus import make_action
from nnviz.session.export import export_data_csv

#: (menu text, dataset parameters) of the canvases "New drawing" offers
CANVASES = (("Two classes", (("classes", 2), ("inputs", 2))),
            ("Three classes", (("classes", 3), ("inputs", 2))),
            ("A curve y = f(x) (regression)", (("classes", 2), ("inputs", 1))))
#: the panels whose planes take clicks in Draw mode
DRAW_PANELS = ("heatmaps", "vectors")
#: panels that take the rows from their RunInfo: a new one when points are drawn
DATA_FOLLOWERS = ("hiddenSpace", "backpropInspector")


def run_with_rows(run, data):
    """``run`` (a RunInfo) with the rows of ``data`` (a snapshot's DataView)."""
    return dataclasses.replace(run, dataset=data.dataset, X_train=data.X_train,
                               Y_train=data.Y_train, train_index=data.train_index,
                               test_index=data.test_index, x_scaler=data.x_scaler)


class DrawActions(QObject):
    """Drawn-data actions of ``window`` (a MainWindow)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        controller = window.controller
        self._revision = (0, 0)  # (generation, data revision) the followers have
        self._rows = (None, None)  # (run, the run with the rows drawn) the followers have
        controller.snapshotReady.connect(self._on_snapshot)
        a = make_action
        self.new_drawing_actions = [
            a(window, text, None, f"start training on an empty canvas: {text.lower()} "
              "to click onto the plane", lambda _=False, p=params: self.new_drawing(p))
            for text, params in CANVASES]
        self.menu = QMenu("New drawing (empty canvas)", window)
        self.menu.setToolTipsVisible(True)
        for act in self.new_drawing_actions:
            self.menu.addAction(act)
        self.act_new_drawing = self.menu.menuAction()
        self.act_save_csv = a(window, "Save data as CSV…", None, "save the training data "
                              "(points drawn included) as a CSV file that File ▸ Open CSV "
                              "reads back", self._on_save_csv)
        self.act_refit = a(window, "Re-fit scaling", None, "fit the inputs' (and a "
                           "regression's targets') scaling again on the training points now; "
                           "points drawn keep the scaling first fitted until then",
                           lambda: controller.draw("refit"))

    def _on_snapshot(self, snap) -> None:
        """New rows (points drawn): the followers lay them out again."""
        data, run = snap.data, self.window.controller.run
        if data is None or run is None:
            return
        key = (snap.generation, data.revision)
        if data.revision == 0 or key == self._revision:
            return
        self._revision = key
        again = run_with_rows(run, data)
        self._rows = (run, again)
        for name in DATA_FOLLOWERS:
            panel = self.window.panels.built.get(name)
            if panel is not None:
                self.window._call_panel(name, panel.set_run, again)

    def wire(self, key: str, panel) -> None:
        """``panel`` was just built: clicks on its plane go to the worker in Draw mode."""
        if key in DRAW_PANELS and hasattr(panel, "drawRequested"):
            panel.drawRequested.connect(self.window.controller.draw)

    def run_for(self, key: str, run):
        """The RunInfo a panel ``key`` built now takes when the window's is ``run``: a data
        follower's with the rows drawn since, if any."""
        drawn_for, again = self._rows
        return again if key in DATA_FOLLOWERS and run is not None and drawn_for is run else run

    def new_drawing(self, params) -> bool:
        """A new run on an empty canvas (the other settings kept), the prediction map in
        Draw mode; asks first if progress would be lost."""
        config = self.window.controller.config.replace(
            dataset="drawn", dataset_params=tuple(params), test_ratio=0.0,
            features=DEFAULT_FEATURES, csv_path=None, csv_target=None, csv_features=None,
            csv_task=None, output=None, loss=None, description="")
        if not self.window.apply_config(config):
            return False
        panel = self.window.panels.get("heatmaps")
        if panel is not None:
            panel.draw.check.setChecked(True)
            self.window.docks["heatmaps"].raise_()
        return True

    def save_csv(self, path: str) -> bool:
        """The data now as CSV at ``path`` (written on the worker, which owns the run)."""
        return self.window.sessions._export(
            "the data", lambda exp: (export_data_csv(path, exp), exp.dataset.n_samples),
            lambda result: f"{result[1]:,} points saved to {path} (File ▸ Open CSV reads "
                           "them back)")

    def _on_save_csv(self) -> None:
        default = f"{self.window.controller.dataset.name.split(' ')[0]}.csv"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save data as CSV",
                                              os.path.join(os.getcwd(), default),
                                              "CSV files (*.csv)")
        if path:
            self.save_csv(path)
