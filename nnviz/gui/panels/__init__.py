"""The live panels. Each is a QWidget that takes what it shows in its constructor and has one
entry point, ``show_snapshot(snapshot)``, called on the GUI thread with a frozen
``nnviz.snapshot.Snapshot``; ``set_experiment(experiment_info)`` is called when a new run
(dataset, architecture) is built, before its first snapshot. Panels never touch the worker
or the engine's live arrays.

``PANELS`` lists (object name, title, module, class name) in the order the main window docks them.
"""

PANELS = (
    ("errorCurve", "Error", "nnviz.gui.panels.error_curve", "ErrorCurvePanel"),
    ("networkDiagram", "Network", "nnviz.gui.panels.diagram", "NetworkDiagramPanel"),
    ("vectors", "Inputs and weight vectors", "nnviz.gui.panels.vectors", "VectorsPanel"),
    ("heatmaps", "Predicted vs true", "nnviz.gui.panels.heatmaps", "HeatmapsPanel"),
    ("backpropInspector", "Backprop, step by step", "nnviz.gui.panels.inspector",
     "BackpropInspectorPanel"),
)
