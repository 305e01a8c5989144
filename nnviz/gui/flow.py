"""A layout that lines its widgets up left to right and wraps onto a new row where the width
runs out (Qt's flow layout example): a panel's buttons and choices on one row in a wide dock,
on two or three in a narrow one, never cut off and never forcing the dock wider.

Its height for a width w is the rows it needs: rows * item height + (rows - 1) * spacing.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Items left to right, wrapped to the width; ``stretch_last``: the last item of a row
    that holds it takes the rest of that row (e.g. a status label)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, margin: int = 0,
                 stretch_last: bool = False):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._stretch_last = stretch_last
        self.setContentsMargins(margin, margin, margin, margin)

    # ------------------------------------------------------------------ QLayout protocol
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        """``widget`` at position ``index`` (addWidget puts it last)."""
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def spacing(self) -> int:
        return self._spacing

    def expandingDirections(self) -> Qt.Orientations:
        return Qt.Orientations()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, apply=True)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        m = self.contentsMargins()
        shown = [i.sizeHint() for i in self._items if not i.isEmpty()]
        w = sum(s.width() for s in shown) + self._spacing * max(len(shown) - 1, 0)
        h = max((s.height() for s in shown), default=0)
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        """The widest item: one item a row."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # ------------------------------------------------------------------ placing
    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """The items of each row at ``width`` (hidden widgets skipped)."""
        m = self.contentsMargins()
        room = width - m.left() - m.right()
        rows: list[list[QLayoutItem]] = [[]]
        x = 0
        for item in self._items:
            if item.isEmpty():
                continue
            w = item.sizeHint().width()
            if rows[-1] and x + self._spacing + w > room:
                rows.append([])
                x = 0
            x += (self._spacing if rows[-1] else 0) + w
            rows[-1].append(item)
        return rows if rows[-1] else rows[:-1]

    def _place(self, rect: QRect, apply: bool) -> int:
        """Lay the items out in ``rect`` (when ``apply``); returns the height used."""
        m = self.contentsMargins()
        left, y = rect.x() + m.left(), rect.y() + m.top()
        right = rect.right() - m.right()
        rows = self.rows(rect.width())
        for r, row in enumerate(rows):
            height = max(i.sizeHint().height() for i in row)
            x = left
            for k, item in enumerate(row):
                hint = item.sizeHint()
                w = min(hint.width(), right - x + 1)
                if k == len(row) - 1 and item is self._items[-1] and self._stretch_last:
                    w = max(w, right - x + 1)
                if apply:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2),
                                           QSize(w, hint.height())))
                x += w + self._spacing
            y += height + (self._spacing if r < len(rows) - 1 else 0)
        return y - rect.y() + m.bottom()


def group(*widgets: QWidget | str, spacing: int = 4) -> QWidget:
    """Widgets (a str: a QLabel) kept together on one row of a FlowLayout, e.g. a label and
    the choice it names."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(spacing)
    for w in widgets:
        row.addWidget(QLabel(w) if isinstance(w, str) else w)
    return box
