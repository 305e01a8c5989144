"""The Qt application: main window, control panel, training worker thread and the panels.

Only this package imports PySide6 and pyqtgraph. It knows the engine through its public API
and sees training only through frozen ``nnviz.snapshot.Snapshot`` objects.
"""
