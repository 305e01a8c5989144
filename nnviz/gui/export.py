"""Save what a panel shows: its plot as PNG or SVG, the training history as CSV.

A panel offers ``export_widgets()``: the widgets that draw its plot (pyqtgraph views, a text
area), never its controls. Both formats render those widgets at their on-screen size and
places relative to each other (their bounding box, white elsewhere): the PNG through the
raster engine, the SVG through QSvgGenerator, so the two show the same drawing and an SVG of a
640 x 420 px plot is 640 x 420 px (width and height written in px, not mm). Not the scene:
a pyqtgraph scene's rectangle grows with every item ever placed in it (a diagonal drawn
1e3 times the data's range made an SVG 263 m wide), and pyqtgraph 0.14's SVGExporter fails on
the path data Qt 6.11 writes.

Shapes: history is snapshot.history, series -> columns of equal length (n,).
``install_export(panel)`` makes the Export button and puts the same actions on the panel's
right-click and in its plots' right-click menus; ``last_history()`` (``SnapshotExport``) adds
the history CSV.
"""

from __future__ import annotations

import csv
import os
import re

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsView,
    QMenu,
    QMessageBox,
    QToolButton,
    QWidget,
)

#: history series -> its columns, in the order written
HISTORY_COLUMNS = ("x", "y", "min", "max")
#: the SVG root's size as QSvgGenerator writes it (in mm, from its resolution)
_SVG_SIZE = re.compile(rb'(<svg\b[^>]*?)width="[^"]*" height="[^"]*"', re.S)


def export_layout(panel: QWidget) -> tuple[QSize, list[tuple[QWidget, QPoint]]]:
    """(size of the exported picture, [(widget, its top-left in the picture), ...]) for the
    panel's ``export_widgets()``: their bounding box in the panel."""
    widgets = list(panel.export_widgets())
    rects = [QRect(w.mapTo(panel, QPoint(0, 0)), w.size()) for w in widgets]
    box = QRect()
    for r in rects:
        box = box.united(r)
    return box.size(), [(w, r.topLeft() - box.topLeft()) for w, r in zip(widgets, rects)]


def _render(painter: QPainter, placed) -> None:
    """Each widget at its offset: a graphics view's visible scene (its viewport, no frame), any
    other widget as it paints itself."""
    for widget, offset in placed:
        if isinstance(widget, QGraphicsView):
            source = widget.viewport().rect()
            widget.render(painter, QRectF(QPointF(offset), QSizeF(source.size())), source,
                          Qt.IgnoreAspectRatio)
        else:
            QWidget.render(widget, painter, offset)


def render_image(panel: QWidget, scale: float | None = None) -> QImage:
    """The panel's plot as a QImage (white background), at the screen's pixel ratio unless
    ``scale`` is given."""
    size, placed = export_layout(panel)
    scale = panel.devicePixelRatioF() if scale is None else scale
    image = QImage(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)),
                   QImage.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        _render(painter, placed)
    finally:
        painter.end()
    return image


def export_png(panel: QWidget, path: str | os.PathLike) -> str:
    """The panel's plot (no controls) as a PNG; returns the path."""
    path = os.fspath(path)
    if not render_image(panel).save(path, "PNG"):
        raise OSError(f"could not write PNG {path}")
    return path


def svg_bytes(panel: QWidget) -> bytes:
    """The panel's plot (no controls) as SVG text, its size the plot's size in px."""
    size, placed = export_layout(panel)
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    gen = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)  # 1.1: clip paths are written
    gen.setOutputDevice(buffer)
    gen.setSize(size)
    gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
    gen.setResolution(round(panel.logicalDpiX()))  # fonts in pt: as large as on screen
    gen.setTitle("nnviz")
    gen.setDescription(panel.objectName() or "panel")
    painter = QPainter(gen)
    items = [item for widget, _ in placed if isinstance(widget, QGraphicsView)
             for item in widget.scene().items() if hasattr(item, "setExportMode")]
    for item in items:  # e.g. scatter points as shapes, not a pixmap atlas the SVG garbles
        item.setExportMode(True, {"antialias": True})
    try:
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), Qt.white)
        _render(painter, placed)
    finally:
        painter.end()
        for item in items:
            item.setExportMode(False)
    # an item clipped away entirely gets an empty clip path, which renderers warn about
    data = bytes(QByteArray(buffer.data())).replace(b' d=""', b' d="M0,0"')
    return _SVG_SIZE.sub(rb'\1width="%d" height="%d"' % (size.width(), size.height()), data,
                         count=1)


def export_svg(panel: QWidget, path: str | os.PathLike) -> str:
    """The panel's plot (no controls) as an SVG file of the plot's size; returns the path."""
    path = os.fspath(path)
    data = svg_bytes(panel)
    with open(path, "wb") as f:
        f.write(data)
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
    """The history export for a panel that keeps its last snapshot in ``_snapshot``."""

    def last_history(self):
        return None if self._snapshot is None else self._snapshot.history


def export_actions(panel: QWidget, parent=None) -> list[QAction]:
    """PNG / SVG actions for a panel (and history CSV if it has ``last_history``), each asking
    for a file name; a file that cannot be written is reported in one line."""
    parent = parent or panel
    name = panel.objectName() or "panel"

    def save(title, default, filt, write):
        path, _ = QFileDialog.getSaveFileName(panel, title, default, filt)
        if not path:
            return
        try:
            write(path)
        except OSError as exc:
            QMessageBox.warning(panel, "nnviz", f"Could not export: {exc}")

    def history(path):
        export_history_csv(panel.last_history(), path)

    entries = [("Export PNG…", lambda: save("Export PNG", f"{name}.png", "PNG image (*.png)",
                                            lambda p: export_png(panel, p))),
               ("Export SVG…", lambda: save("Export SVG", f"{name}.svg", "SVG image (*.svg)",
                                            lambda p: export_svg(panel, p)))]
    if hasattr(panel, "last_history"):
        entries.append(("Export history CSV…", lambda: panel.last_history() is not None and save(
            "Export history", "history.csv", "CSV (*.csv)", history)))
    actions = []
    for text, slot in entries:
        a = QAction(text, parent)
        a.triggered.connect(slot)
        actions.append(a)
    return actions


def install_export(panel: QWidget) -> QToolButton:
    """A toolbar button with the export menu; the same actions on the panel's right-click and
    in the right-click menus of its pyqtgraph views (instead of pyqtgraph's own "Export...",
    whose SVG exporter fails)."""
    actions = export_actions(panel)
    menu = QMenu(panel)
    menu.addActions(actions)
    button = QToolButton(panel)
    button.setText("Export")
    button.setToolTip("Save this panel's plot as PNG or SVG"
                      + (", or the training history as CSV" if len(actions) > 2 else ""))
    button.setPopupMode(QToolButton.InstantPopup)
    button.setMenu(menu)
    for widget in panel.export_widgets():
        scene = widget.scene() if hasattr(widget, "scene") else None
        if scene is not None and hasattr(scene, "contextMenu"):
            scene.contextMenu = list(actions)
    panel.addActions(actions)
    panel.setContextMenuPolicy(Qt.ActionsContextMenu)
    panel.export_menu = menu
    return button
