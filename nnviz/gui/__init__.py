"""The Qt application: main window, control panel, training worker thread and the panels.

Only this package imports PySide6 and pyqtgraph. It knows the engine through its public API
and sees training only through frozen ``nnviz.snapshot.Snapshot`` objects.

Importing it first makes PySide6's look at each later import cheap (``pyside_hook``: ~40 ms
of CPU of the window's start, numpy and pyqtgraph included).
"""

from nnviz.gui.pyside_hook import install

install()
