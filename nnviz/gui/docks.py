"""The main window's docks: one per panel of the registry (``nnviz.gui.panels.PANELS``) and one
for the controls, and their default arrangement."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from nnviz.gui.widgets import PanelScrollArea

#: the default layout's four main panels: network above error, vectors above heatmaps
MAIN = ("networkDiagram", "errorCurve", "vectors", "heatmaps")


def make_dock(window: QMainWindow, object_name: str, title: str, widget: QWidget,
              scroll: bool = False) -> QDockWidget:
    """A dock for ``widget``; ``scroll``: inside a scroll area, so a panel with a large
    minimum size scrolls instead of forcing the window wider than the screen."""
    dock = QDockWidget(title, window)
    dock.setObjectName(object_name)
    if scroll:
        widget = PanelScrollArea(widget)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                     | QDockWidget.DockWidgetClosable)
    return dock


def default_layout(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    """Controls left; network above error in the middle; vectors above heatmaps right; any
    other panel a tab beside the error curve."""
    d = docks
    panels = [name for name in d if name != "controls"]
    for name in panels:
        d[name].setFloating(False)
        d[name].show()
    window.addDockWidget(Qt.LeftDockWidgetArea, d["controls"])
    first = next((name for name in MAIN if name in d), None)
    if first is not None:
        window.addDockWidget(Qt.RightDockWidgetArea, d[first])
    if set(MAIN) <= set(d):
        window.splitDockWidget(d["networkDiagram"], d["vectors"], Qt.Horizontal)
        window.splitDockWidget(d["networkDiagram"], d["errorCurve"], Qt.Vertical)
        window.splitDockWidget(d["vectors"], d["heatmaps"], Qt.Vertical)
        window.resizeDocks([d["controls"], d["networkDiagram"], d["vectors"]],
                           [350, 760, 570], Qt.Horizontal)
        window.resizeDocks([d["networkDiagram"], d["errorCurve"]], [540, 400], Qt.Vertical)
    for name in panels:
        if name in MAIN:
            continue
        window.addDockWidget(Qt.RightDockWidgetArea, d[name])
        if "errorCurve" in d:  # a tab beside the error curve: one click away
            window.tabifyDockWidget(d["errorCurve"], d[name])
    if "errorCurve" in d:
        d["errorCurve"].raise_()
