"""Predicted vs true's plots two by two, or one at a time where the panel is too small.

A regression with a known true function shows four plots (the true function, the prediction,
the error, the fit) and two colour bars in a 2 x 3 grid. At 1024 x 700 that left each map ~24
px of data: ``MapChoice`` then shows the plot a combo box names (with its colour bar) across
the whole view, as the error panel does with its plots.

``fits_two_by_two(width, height)``: whether a view of that size gives each of the four plots at
least MIN_MAP px of data each way (Qt-free).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox

from nnviz.gui.layout_cells import put_in, take_out

#: px of data area a map needs at least each way (the layout test's readable size, and some)
MIN_MAP = 60
#: px beside the two columns of plots: the colour bars with their numbers and labels
BARS = 80
#: px around each plot's data area: its axis, title and margins, across and down
AROUND = (70, 80)


def fits_two_by_two(width: float, height: float) -> bool:
    """Whether a view ``width`` x ``height`` px gives four plots in two rows and two columns
    (colour bars beside them) MIN_MAP px of data each way."""
    return ((width - BARS) / 2 - AROUND[0] >= MIN_MAP and
            height / 2 - AROUND[1] >= MIN_MAP)


class MapChoice:
    """The grid of ``view`` (a GraphicsLayoutWidget): ``set_cells`` names its plots, each with
    its layout items and their (row, col) in the full grid; ``arrange(compact)`` lays out all
    of them, or (compact) the one ``combo`` names in the first row."""

    def __init__(self, view: pg.GraphicsLayoutWidget, combo: QComboBox):
        self.view, self.combo = view, combo
        self._cells: dict[str, list[tuple]] = {}
        self._shown: tuple | None = None

    def set_cells(self, cells: dict[str, list[tuple]]) -> None:
        """name -> [(item, row, col), ...] as the full grid holds them (the combo's entries,
        in this order); an empty dict: nothing to choose (the combo hidden)."""
        self._cells, self._shown = dict(cells), ("full",)
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(list(self._cells))
        self.combo.blockSignals(False)
        self.combo.hide()

    @property
    def compact(self) -> bool:
        return bool(self._shown) and self._shown[0] == "compact"

    def arrange(self, compact: bool) -> bool:
        """Lay the plots out (see the class); True if that changed anything."""
        if not self._cells:
            return False
        name = self.combo.currentText() or next(iter(self._cells))
        wanted = ("compact", name) if compact else ("full",)
        if wanted == self._shown:
            return False
        layout = self.view.ci
        for cell in self._cells.values():
            for item, _, _ in cell:
                take_out(layout, item)
        if compact:
            for col, (item, _, _) in enumerate(self._cells[name]):
                put_in(layout, item, row=0, col=col)
        else:
            for cell in self._cells.values():
                for item, row, col in cell:
                    if item not in layout.items:  # (a colour bar two plots share)
                        put_in(layout, item, row=row, col=col)
        self.combo.setVisible(compact)
        self._shown = wanted
        return True
