"""Save what a panel shows: a widget to PNG, a plot or scene to SVG, the history to CSV.

Shapes: history is snapshot.history, series -> columns of equal length (n,).

``export_menu(panel)`` builds the menu each panel offers (toolbar button and right-click): the
panel provides ``export_widget()``, ``export_scene()`` and ``last_history()``.
"""

from __future__ import annotations

import csv
import os

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsScene, QMenu, QToolButton, QWidget

#: history series -> its columns, in the order written
HISTORY_COLUMNS = ("x", "y", "min", "max")


def export_widget_png(widget: QWidget, path: str | os.PathLike) -> str:
    """Grab the widget as it looks on screen and save a PNG; returns the path."""
    path = os.fspath(path)
    if not widget.grab().save(path, "PNG"):
        raise OSError(f"could not write PNG {path}")
    return path


def export_svg(plot_item_or_scene, path: str | os.PathLike) -> str:
    """A pyqtgraph item (PlotItem, ViewBox, GraphicsLayout) or its scene to an SVG file.

    Rendered through QSvgGenerator: pyqtgraph 0.14's SVGExporter fails on the path data
    Qt 6.11 writes ("not enough values to unpack"), even for a plain PlotWidget.
    """
    path = os.fspath(path)
    if isinstance(plot_item_or_scene, QGraphicsScene):
        scene, source = plot_item_or_scene, plot_item_or_scene.sceneRect()
    else:
        scene, source = plot_item_or_scene.scene(), plot_item_or_scene.sceneBoundingRect()
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(source.size().toSize())
    gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
    gen.setTitle("nnviz")
    painter = QPainter(gen)
    try:
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    if not os.path.exists(path):
        raise OSError(f"could not write SVG {path}")
    return path


def history_rows(history: dict) -> list[tuple]:
    """snapshot.history -> rows (series, x, y, min, max); min/max empty where not kept."""
    rows = []
    for series, cols in history.items():
        x = cols.get("x", cols.get("step"))
        y = cols.get("y", cols.get("mean"))
        if x is None or y is None:
            continue
        lo, hi = cols.get("min"), cols.get("max")
        for k in range(len(x)):
            rows.append((series, _num(x[k]), _num(y[k]),
                         "" if lo is None else _num(lo[k]), "" if hi is None else _num(hi[k])))
    return rows


def _num(v):
    v = float(v)
    return int(v) if v.is_integer() and abs(v) < 2**53 else repr(v)


def export_history_csv(history: dict, path: str | os.PathLike) -> str:
    """Write snapshot.history as long-format CSV: series, x, y, min, max (x = step or epoch)."""
    path = os.fspath(path)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("series", *HISTORY_COLUMNS))
        w.writerows(history_rows(history))
    return path


def read_history_csv(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Back from ``export_history_csv``: series -> (n, 2) array of x, y (for checks)."""
    out: dict[str, list] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["series"], []).append((float(row["x"]), float(row["y"])))
    return {k: np.asarray(v) for k, v in out.items()}


class SnapshotExport:
    """The export protocol for a panel that keeps its last snapshot in ``_snapshot``: PNG of
    the whole panel, history of that snapshot. The panel adds ``export_scene()`` for SVG."""

    def export_widget(self) -> QWidget:
        return self

    def last_history(self):
        return None if self._snapshot is None else self._snapshot.history


def export_actions(panel: QWidget, parent=None) -> list[QAction]:
    """PNG / SVG / CSV actions for a panel, each asking for a file name."""
    parent = parent or panel
    name = panel.objectName() or "panel"

    def ask(title, default, filt):
        path, _ = QFileDialog.getSaveFileName(panel, title, default, filt)
        return path

    def png():
        path = ask("Export PNG", f"{name}.png", "PNG image (*.png)")
        if path:
            export_widget_png(panel.export_widget(), path)

    def svg():
        path = ask("Export SVG", f"{name}.svg", "SVG image (*.svg)")
        if path:
            export_svg(panel.export_scene(), path)

    def history():
        hist = panel.last_history()
        if hist is None:
            return
        path = ask("Export history", "history.csv", "CSV (*.csv)")
        if path:
            export_history_csv(hist, path)

    actions = []
    for text, slot in (("Export PNG…", png), ("Export SVG…", svg),
                       ("Export history CSV…", history)):
        a = QAction(text, parent)
        a.triggered.connect(slot)
        actions.append(a)
    return actions


def install_export(panel: QWidget, viewboxes=()) -> QToolButton:
    """A toolbar button with the export menu, the same actions on the panel's right-click
    and at the end of each pyqtgraph ViewBox's right-click menu."""
    actions = export_actions(panel)
    menu = QMenu(panel)
    menu.addActions(actions)
    button = QToolButton(panel)
    button.setText("Export")
    button.setToolTip("Save this panel as PNG or SVG, or the training history as CSV")
    button.setPopupMode(QToolButton.InstantPopup)
    button.setMenu(menu)
    for vb in viewboxes:
        vb_menu = getattr(vb, "menu", None)
        if vb_menu is not None:
            vb_menu.addSeparator()
            vb_menu.addActions(actions)
    panel.addActions(actions)
    panel.setContextMenuPolicy(Qt.ActionsContextMenu)
    panel.export_menu = menu
    return button
