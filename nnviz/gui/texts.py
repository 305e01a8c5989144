"""Short one-line texts at points of a view, unscaled, all drawn by one graphics item.

``TextsItem`` draws what a ``pg.TextItem`` per text would (same font, colour, anchor, and the
4 px margin of the QTextDocument a QGraphicsTextItem lays out: the same pixels), without an
item, a text document and a layout per text: a text is a prepared QStaticText, set only when
it changes, and one ``paint`` draws them all. The diagram's gradient strip relabels its layers
on nearly every frame: with a TextItem each (a QTextDocument relaid out per new text, two
graphics items each to find, bound and paint) its labels and bars cost ~0.3-0.5 ms an update
on xor (of ~1.6 ms); as one item, ~0.1 ms.

Geometry: a text's anchor (ax, ay) in [0, 1]^2 is the point of its box (w x h scene pixels,
the text's advance and line height plus ``MARGIN`` on each side) placed on its point: box
top-left = scene(point) - (ax w, ay h); the text's top-left is MARGIN inside.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen, QStaticText, QTextDocument

#: QTextDocument's default margin around its text (a QGraphicsTextItem's, and so a TextItem's)
MARGIN = 4.0
#: texts kept laid out per item (the strip's 2-significant-digit norms repeat)
PREPARED = 256


def _line_height(font: QFont) -> float:
    """The height of a one-line QTextDocument in ``font`` (its margins included)."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setPlainText("0")
    return doc.size().height()


class TextsItem(pg.GraphicsObject):
    """Texts (one line each) anchored at points (n, 2) in the parent's (a view's) units, drawn
    in scene pixels in one colour; ``setShown`` hides some without forgetting them."""

    def __init__(self, color, anchor=(0.0, 0.0), parent=None):
        super().__init__(parent)
        self._pen = QPen(pg.mkColor(color))
        self._anchor = (float(anchor[0]), float(anchor[1]))
        self._font: QFont | None = None
        self._metrics: QFontMetricsF | None = None
        self._height = 0.0
        self._texts: list[str] = []
        self._static: list[QStaticText] = []
        self._widths: list[float] = []
        self._points: list[tuple[float, float]] = []
        self._shown: list[bool] = []
        self._rect: QRectF | None = None  # the bounding rect, until geometry or view change
        self._prepared: dict[str, tuple[QStaticText, float]] = {}  # text -> (it, box width)

    # ------------------------------------------------------------- content
    def font(self) -> QFont:
        """The font a QGraphicsTextItem here would take: its scene's (the application's)."""
        if self._font is None:
            scene = self.scene()
            self._font = QFont(scene.font()) if scene is not None else QFont()
            self._metrics = QFontMetricsF(self._font)
            self._height = _line_height(self._font)
        return self._font

    def metrics(self) -> QFontMetricsF:
        self.font()
        return self._metrics

    def setTexts(self, texts) -> None:
        """One text per point; only texts that changed are prepared again (none changed: no
        repaint)."""
        texts = [str(t) for t in texts]
        if texts == self._texts:
            return
        metrics = self.metrics()
        self._static, self._widths = [], []
        for text in texts:
            kept = self._prepared.get(text)
            if kept is None:  # (a value seen before is laid out already: shaped glyphs)
                if len(self._prepared) >= PREPARED:
                    del self._prepared[next(iter(self._prepared))]
                static = QStaticText(text)
                static.setTextFormat(Qt.PlainText)
                kept = self._prepared[text] = (static, metrics.horizontalAdvance(text)
                                               + 2 * MARGIN)
            self._static.append(kept[0])
            self._widths.append(kept[1])
        self._texts = texts
        if len(self._shown) != len(texts):
            self._shown = [True] * len(texts)
        self._changed()

    def setPoints(self, points) -> None:
        """The anchor points (n, 2), in the parent's units."""
        points = [(float(x), float(y)) for x, y in points]
        if points != self._points:
            self._points = points
            self._changed()

    def setShown(self, shown) -> None:
        """Which texts are drawn (n,) bool."""
        shown = [bool(s) for s in shown]
        if shown != self._shown:
            self._shown = shown
            self._changed()

    def texts(self) -> list[str]:
        return list(self._texts)

    def shown(self) -> list[bool]:
        return list(self._shown)

    def text_height(self) -> float:
        """A text's box height in scene pixels (its margins included)."""
        self.font()
        return self._height if self._texts else 0.0

    def _changed(self) -> None:
        self.prepareGeometryChange()
        self._rect = None
        self.update()

    # ------------------------------------------------------------- geometry
    def _boxes(self, to_scene) -> list[QRectF | None]:
        """Each text's box in scene pixels (None: not drawn)."""
        self.font()
        ax, ay, h = self._anchor[0], self._anchor[1], self._height
        boxes = []
        for (x, y), w, shown in zip(self._points, self._widths, self._shown):
            if not shown:
                boxes.append(None)
                continue
            at = to_scene.map(QPointF(x, y))
            boxes.append(QRectF(at.x() - ax * w, at.y() - ay * h, w, h))
        return boxes

    def sceneRects(self) -> list[QRectF | None]:
        """Where each text's box is in the scene (None where it is not shown)."""
        return self._boxes(self.sceneTransform())

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        self._rect = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        if self._rect is None:
            to_scene = self.sceneTransform()
            back, ok = to_scene.inverted()
            rect = QRectF()
            if ok:
                for box in self._boxes(to_scene):
                    if box is not None:
                        rect = rect.united(back.mapRect(box))
            self._rect = rect
        return QRectF(self._rect)

    def paint(self, painter: QPainter, *args) -> None:
        to_scene = self.sceneTransform()
        back, ok = to_scene.inverted()
        if not ok:
            return
        painter.save()
        painter.setTransform(back * painter.transform())  # scene pixels from here on
        painter.setPen(self._pen)
        painter.setFont(self.font())
        for box, static in zip(self._boxes(to_scene), self._static):
            if box is not None:
                painter.drawStaticText(QPointF(box.x() + MARGIN, box.y() + MARGIN), static)
        painter.restore()
