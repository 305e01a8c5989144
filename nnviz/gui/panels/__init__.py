"""The live panels. Each is a QWidget that takes what it shows in its constructor and has one
entry point, ``show_snapshot(snapshot)``, called on the GUI thread with a frozen
``nnviz.snapshot.Snapshot``; ``set_run(run)`` with a frozen ``nnviz.snapshot.RunInfo`` is
called when a new run (dataset, architecture) is built, before its first snapshot. Panels
never touch the worker, the live experiment or the engine's live arrays.

Each panel class names itself: ``key`` (its object name, the key of ``MainWindow.panels`` and
of its dock) and ``title`` (the dock's title). ``PANELS`` lists the classes in the order the
main window docks them.
"""

from nnviz.gui.panels.diagram import NetworkDiagramPanel
from nnviz.gui.panels.distributions import DistributionsPanel
from nnviz.gui.panels.error_curve import ErrorCurvePanel
from nnviz.gui.panels.heatmaps import HeatmapsPanel
from nnviz.gui.panels.hidden_space import HiddenSpacePanel
from nnviz.gui.panels.inspector import BackpropInspectorPanel
from nnviz.gui.panels.vectors import VectorsPanel

PANELS = (ErrorCurvePanel, NetworkDiagramPanel, VectorsPanel, HeatmapsPanel,
          HiddenSpacePanel, DistributionsPanel, BackpropInspectorPanel)
