"""TextsItem draws the pixels a pg.TextItem per text would, in one item."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from nnviz.gui import colormaps as cm
from nnviz.gui.texts import TextsItem

POINTS = [(1.37, 2.2), (3.11, 5.53), (6.7, 7.77), (2.5, 8.9)]
TEXTS = ["1.4e-01", "3.2e-02", "0", "x1·x2"]


def view_with(qtbot, add):
    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    view.setBackground("w")
    view.resize(400, 300)
    vb = view.addPlot().getViewBox()
    vb.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    add(vb)
    view.show()
    qtbot.waitExposed(view)
    return view


def rendered(view) -> QImage:
    image = QImage(400, 300, QImage.Format_RGB32)
    image.fill(0xFFFFFFFF)
    p = QPainter(image)
    view.render(p)
    p.end()
    return image


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("anchor", [(0.5, 1.0), (0.0, 0.5), (1.0, 0.5), (0.5, 0.0)])
def test_texts_look_like_one_text_item_each(qtbot, anchor):
    def text_items(vb):
        for (x, y), text in zip(POINTS, TEXTS):
            item = pg.TextItem(text, color=cm.TEXT, anchor=anchor)
            vb.addItem(item)
            item.setPos(x, y)

    def one_item(vb):
        item = TextsItem(cm.TEXT, anchor=anchor)
        vb.addItem(item)
        item.setTexts(TEXTS)
        item.setPoints(POINTS)

    expected = rendered(view_with(qtbot, text_items))
    assert rendered(view_with(qtbot, one_item)) == expected


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_hidden_texts_are_not_drawn_and_the_bounds_hold_the_shown_ones(qtbot):
    items = []

    def one_item(vb):
        item = TextsItem(cm.TEXT, anchor=(0.5, 1.0))
        vb.addItem(item)
        item.setTexts(TEXTS)
        item.setPoints(POINTS)
        items.append(item)

    view = view_with(qtbot, one_item)
    item = items[0]
    everything = rendered(view)
    bounds = item.mapRectToScene(item.boundingRect())
    for box in item.sceneRects():
        assert bounds.contains(box)
    item.setShown([True, False, True, True])
    assert item.sceneRects()[1] is None
    assert rendered(view) != everything
    item.setShown([True] * 4)
    assert rendered(view) == everything


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_an_svg_gets_the_texts_as_text(qtbot):
    def one_item(vb):
        item = TextsItem(cm.TEXT, anchor=(0.5, 1.0))
        vb.addItem(item)
        item.setTexts(TEXTS)
        item.setPoints(POINTS)

    view = view_with(qtbot, one_item)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    svg = QSvgGenerator()
    svg.setOutputDevice(buffer)
    svg.setSize(QSize(400, 300))
    svg.setViewBox(QRectF(0, 0, 400, 300))
    p = QPainter(svg)
    view.render(p)
    p.end()
    text = bytes(data).decode()
    for t in TEXTS:
        assert f">{t}<" in text
