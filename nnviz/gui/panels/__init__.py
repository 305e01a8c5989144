"""The live panels. Each is a QWidget that takes what it shows in its constructor and has one
entry point, ``show_snapshot(snapshot)``, called on the GUI thread with a frozen
``nnviz.snapshot.Snapshot``; ``set_run(run)`` with a frozen ``nnviz.snapshot.RunInfo`` is
called when a new run (dataset, architecture) is built, before its first snapshot. Panels
never touch the worker, the live experiment or the engine's live arrays.

Each panel class names itself: ``key`` (its object name, the key of ``MainWindow.panels`` and
of its dock) and ``title`` (the dock's title). ``PANELS`` lists the classes in the order the
main window docks them.

The panels of the window's background tabs are registered as ``Deferred``: their modules
(with the Qt-free maths only they use) are imported when the panel is first built, not when
the window opens (~10 ms of its start). A ``Deferred`` stands for its class: it has the same
``key`` and ``title``, calling it builds the panel, any other attribute is the class's. That
each deferred module exists is checked here, at import (a missing file fails at start, not on
a click); that each imports and names the same key and title, by tests/gui/test_startup.py.
"""

from __future__ import annotations

import importlib
import importlib.util

from nnviz.gui.panels.diagram import NetworkDiagramPanel
from nnviz.gui.panels.error_curve import ErrorCurvePanel
from nnviz.gui.panels.heatmaps import HeatmapsPanel
from nnviz.gui.panels.vectors import VectorsPanel


class Deferred:
    """The panel class ``name`` of module ``module``, imported on first use."""

    def __init__(self, module: str, name: str, key: str, title: str):
        if importlib.util.find_spec(module) is None:
            raise ImportError(f"no panel module {module}", name=module)
        self.module, self.name, self.key, self.title = module, name, key, title

    def load(self) -> type:
        """The panel class (its module imported now if it was not yet)."""
        return getattr(importlib.import_module(self.module), self.name)

    def __call__(self, *args, **kwargs):
        return self.load()(*args, **kwargs)

    def __getattr__(self, attr: str):
        if attr.startswith("__"):  # (copy, pickle and the like probe these: not the class's)
            raise AttributeError(attr)
        return getattr(self.load(), attr)

    def __repr__(self) -> str:
        return f"Deferred({self.module}.{self.name})"


PANELS = (ErrorCurvePanel, NetworkDiagramPanel, VectorsPanel, HeatmapsPanel,
          Deferred("nnviz.gui.panels.hidden_space", "HiddenSpacePanel", "hiddenSpace",
                   "Hidden space"),
          Deferred("nnviz.gui.panels.distributions", "DistributionsPanel", "distributions",
                   "Distributions over time"),
          Deferred("nnviz.gui.panels.inspector", "BackpropInspectorPanel", "backpropInspector",
                   "Backprop, step by step"))
