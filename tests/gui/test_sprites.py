"""Marks drawn as prerendered sprites (nnviz.gui.sprites) look like the marks drawn directly,
sit where the view puts them at any pixel ratio, and an SVG still gets vector shapes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPicture
from PySide6.QtSvg import QSvgGenerator

from nnviz.gui.colormaps import pen
from nnviz.gui.graphics import MarksItem

RED, BLUE = QBrush(QColor("#d04010")), QBrush(QColor("#3060c0"))


def marks(shape: str) -> MarksItem:
    item = MarksItem(shape, pen("#404040"))
    item.setMarks(np.array([[0.0, 0.0], [1.13, 0.0], [2.31, 0.47], [0.52, 1.6]]), 0.8)
    item.setGroups([0, 1, 0, -1], [RED, BLUE])
    return item


def image(paint, dpr: float = 1.0) -> np.ndarray:
    """(h, w, 3) of a 200 x 140 white image, view units x 50 shifted by (30, 30)."""
    img = QImage(QSize(round(200 * dpr), round(140 * dpr)), QImage.Format_RGB32)
    img.setDevicePixelRatio(dpr)
    img.fill(Qt.white)
    p = QPainter(img)
    p.translate(30, 30)
    p.scale(50, 50)
    paint(p)
    p.end()
    bits = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), -1, 4)
    return bits[:, :img.width(), 2::-1].astype(int)  # BGRA -> RGB


def direct(item: MarksItem):
    """Paint ``item`` through a QPicture (not a raster painter: no sprites), then replay."""
    picture = QPicture()
    p = QPainter(picture)
    item.paint(p)
    p.end()
    return lambda painter: picture.play(painter)


@pytest.mark.parametrize("shape", ["circle", "square"])
def test_sprites_look_like_marks_drawn_directly(qtbot, shape):
    item = marks(shape)
    sprites, vectors = image(item.paint), image(direct(item))
    inked = lambda a: (np.abs(a - 255).max(axis=2) > 40).sum()  # noqa: E731
    assert inked(sprites) == pytest.approx(inked(vectors), rel=0.1)
    # each mark's centre is filled with its group's brush; group -1 is not drawn
    for (x, y), colour in (((0, 0), RED), ((1.13, 0), BLUE), ((2.31, 0.47), RED)):
        px, py = round(30 + 50 * x), round(30 + 50 * y)
        assert tuple(sprites[py, px]) == colour.color().getRgb()[:3]
    assert tuple(sprites[round(30 + 50 * 1.6), round(30 + 50 * 0.52)]) == (255, 255, 255)
    # at most half a pixel from where the direct drawing puts them: few pixels differ much
    assert (np.abs(sprites - vectors).max(axis=2) > 128).sum() < 0.1 * inked(vectors)


def test_crosses_are_sprites_too(qtbot):
    item = MarksItem("cross", pen("#202020", 2))
    item.setMarks(np.array([[0.0, 0.0], [1.13, 0.0], [2.31, 0.47]]), 0.4)
    sprites, vectors = image(item.paint), image(direct(item))
    inked = lambda a: (np.abs(a - 255).max(axis=2) > 40).sum()  # noqa: E731
    assert inked(sprites) == pytest.approx(inked(vectors), rel=0.15)
    for x, y in ((0, 0), (1.13, 0), (2.31, 0.47)):  # the diagonals cross at the centre
        assert sprites[round(30 + 50 * y), round(30 + 50 * x)].max() < 100
    item.setGroups([0, -1, 0], [QBrush()])
    assert item.count() == 2 and inked(image(item.paint)) < inked(sprites)


def test_sprites_sit_where_the_view_puts_them_at_a_pixel_ratio_of_two(qtbot):
    item = marks("circle")
    one, two = image(item.paint), image(item.paint, dpr=2.0)
    assert tuple(two[60, 60]) == RED.color().getRgb()[:3]  # (0, 0) at 30, 30 logical
    assert tuple(two[60, round(2 * (30 + 50 * 1.13))]) == BLUE.color().getRgb()[:3]
    # the same drawing at twice the pixels: as much ink, four times the pixels
    inked = lambda a: (np.abs(a - 255).max(axis=2) > 40).sum()  # noqa: E731
    assert inked(two) == pytest.approx(4 * inked(one), rel=0.1)


def test_a_new_size_or_outline_draws_new_sprites(qtbot):
    item = marks("circle")
    before = image(item.paint)
    item.setPen(pen("#00c000", 3))
    ring = image(item.paint)
    assert tuple(ring[30, 30 + 19]) == (0, 192, 0)  # the new outline, 0.38 units out
    item.setMarks(np.array([[0.0, 0.0]]), 0.2)
    item.setGroups([0], [RED])
    small = image(item.paint)
    assert tuple(small[30, 30 + 19]) == (255, 255, 255) and not np.array_equal(small, before)


def test_an_svg_gets_vector_marks_not_pictures(qtbot):
    item = marks("circle")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(QSize(200, 140))
    gen.setViewBox(QRect(0, 0, 200, 140))
    p = QPainter(gen)
    p.translate(30, 30)
    p.scale(50, 50)
    item.paint(p)
    p.end()
    svg = bytes(data).decode()
    assert "<image" not in svg
    assert svg.count("<circle") == 3
