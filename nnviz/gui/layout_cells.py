"""Plots that come and go in a pyqtgraph GraphicsLayout while staying Qt's to delete.

``GraphicsLayout.removeItem`` takes an item out of the layout *and* out of the scene: a plot a
panel keeps for later (a plot the selector hides, the pinned strip) then belongs to Python
alone, outside every scene. Such items outlived their window, and at the interpreter's exit
PySide deleted them in no particular order, a PlotItem after its own ViewBox, which crashed
the process (exit 139 after a test run). ``take_out`` keeps the item in the scene, hidden, so
the scene deletes it with the view, as it deletes the plots on show; ``clear`` deletes what
it takes out at once, leaving nothing of Qt's for Python's garbage collector.
"""

from __future__ import annotations

import pyqtgraph as pg
import shiboken6


def take_out(layout: pg.GraphicsLayout, item) -> None:
    """Remove ``item`` from ``layout``'s grid (no-op if not in it); it stays in the scene,
    hidden (no room taken, nothing drawn)."""
    if item not in layout.items:
        return
    border = layout.itemBorders.get(item)  # (pyqtgraph makes one per addItem, never deletes it)
    layout.removeItem(item)  # (also out of the scene, and parentless)
    if border is not None and border.scene() is not None:
        border.scene().removeItem(border)
    item.hide()
    layout.scene().addItem(item)


def put_in(layout: pg.GraphicsLayout, item, row: int, col: int, rowspan: int = 1,
           colspan: int = 1) -> None:
    """Place ``item`` in ``layout``'s grid at (row, col) and show it (as ``take_out`` left it
    hidden)."""
    item.show()  # (first: shown in a layout, it had the layout's widget shrink to its hint)
    layout.addItem(item, row=row, col=col, rowspan=rowspan, colspan=colspan)



def clear(layout: pg.GraphicsLayout) -> None:
    """Empty ``layout``'s grid and delete every item it held, with all their children (the
    panel builds new ones)."""
    for item in list(layout.items):
        take_out(layout, item)
        shiboken6.delete(item)
    layout.currentRow = layout.currentCol = 0
