"""Many equal marks (circles, squares) drawn as copies of one prerendered picture each.

An antialiased ``drawEllipse`` with an outline costs Qt's raster engine ~10-25 µs (it strokes
and fills a path of Bézier arcs), a small antialiased rectangle with an outline a few µs: the
diagram's 195 neurons and 193 bias squares of [1, 64, 64, 64, 1] took ~3 ms a frame. A mark
is rendered once per fill (brush) and size into a sprite (a QPixmap at the screen's pixel
ratio), and all marks of one fill are then one ``drawPixmapFragments`` call. Each sprite sits
on the device's pixel grid, so a mark moves by at most half a pixel against drawing it where
it is; the antialiased edge is the same (drawn onto transparency, then blended on the
background, as a direct drawing blends it).

Raster painters only (the screen, grab(), a PNG): an SVG or a printer gets no pictures
(``draw_sprites`` returns False and the caller draws vectors), nor does a rotated or sheared
view, nor a painter without a QGuiApplication (a QPixmap needs one).
"""

from __future__ import annotations

import math

import numpy as np
import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QGuiApplication,
    QPaintEngine,
    QPainter,
    QPen,
    QPixmap,
    QTransform,
)

#: device pixels a sprite may be across at most (larger marks are drawn directly)
MAX_SPRITE_PX = 256
#: QPainter.PixmapFragment's fields: x, y (the centre), source left, top, width, height,
#: scale x, y, rotation, opacity (qreal each)
FRAGMENT_FIELDS = 10


class SpriteCache:
    """The sprites of one item: a QPixmap per (shape, fill), all of one size, outline and pixel
    ratio; a new size, outline or ratio starts anew (a resize, ``clear``)."""

    def __init__(self):
        self._key = None
        self._pixmaps: dict[tuple, QPixmap] = {}

    def clear(self) -> None:
        self._key = None
        self._pixmaps.clear()

    def pixmap(self, shape: str, pen: QPen, brush: QBrush, w: float, h: float,
               dpr: float) -> QPixmap:
        """The sprite of a ``shape`` mark ``w`` x ``h`` device pixels, outlined with ``pen``
        and filled with ``brush``, centred in a pixmap of whole device pixels."""
        key = (round(w, 4), round(h, 4), dpr)
        if key != self._key:
            self._key = key
            self._pixmaps.clear()
        fill = (shape, brush.style().value, brush.color().rgba())
        pix = self._pixmaps.get(fill)
        if pix is None:
            pix = self._pixmaps[fill] = render_sprite(shape, pen, brush, w, h, dpr)
        return pix


def render_sprite(shape: str, pen: QPen, brush: QBrush, w: float, h: float,
                  dpr: float) -> QPixmap:
    """A transparent pixmap with one antialiased ``shape`` ("circle" or "square") of ``w`` x
    ``h`` device pixels at its centre, room around it for the outline."""
    pad = (pen.widthF() if pen.style() != Qt.NoPen else 0.0) + 2.0
    pw, ph = math.ceil((w + pad) * dpr), math.ceil((h + pad) * dpr)
    pix = QPixmap(pw, ph)
    pix.setDevicePixelRatio(dpr)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing, True)
    p.setPen(pen)
    p.setBrush(brush)
    rect = QRectF((pw / dpr - w) / 2, (ph / dpr - h) / 2, w, h)
    if shape == "circle":
        p.drawEllipse(rect)
    else:
        p.drawRect(rect)
    p.end()
    return pix


def draw_sprites(painter: QPainter, shape: str, pen: QPen, batches, size: float,
                 cache: SpriteCache) -> bool:
    """Draw ``shape`` marks of ``size`` view units centred on the points of ``batches``
    [(brush, xy (n, 2) in the painter's coordinates), ...], one sprite per brush. False (and
    nothing drawn) where sprites would not do: not a raster painter, a view transform
    that is more than a scale and a shift, or marks too large or too small."""
    if (painter.paintEngine() is None or painter.paintEngine().type() != QPaintEngine.Raster
            or QGuiApplication.instance() is None):  # (a QPixmap needs one)
        return False
    t = painter.transform()
    if t.type().value > QTransform.TransformationType.TxScale.value:
        return False
    sx, sy = t.m11(), t.m22()
    w, h = abs(sx) * size, abs(sy) * size
    if not (0.5 <= w <= MAX_SPRITE_PX and 0.5 <= h <= MAX_SPRITE_PX):
        return False
    dpr = painter.device().devicePixelRatioF()
    painter.save()
    painter.resetTransform()
    for brush, xy in batches:
        n = len(xy)
        if not n:
            continue
        pix = cache.pixmap(shape, pen, brush, w, h, dpr)
        half_w, half_h = pix.width() / dpr / 2, pix.height() / dpr / 2
        frags = np.empty((n, FRAGMENT_FIELDS), dtype=np.float64)
        # the sprite's top left corner on the device's pixel grid
        frags[:, 0] = np.round((xy[:, 0] * sx + t.dx() - half_w) * dpr) / dpr + half_w
        frags[:, 1] = np.round((xy[:, 1] * sy + t.dy() - half_h) * dpr) / dpr + half_h
        frags[:, 2:6] = (0.0, 0.0, pix.width(), pix.height())
        frags[:, 6:10] = (1.0 / dpr, 1.0 / dpr, 0.0, 1.0)
        first = shiboken6.wrapInstance(frags.ctypes.data, QPainter.PixmapFragment)
        painter.drawPixmapFragments(first, n, pix)
    painter.restore()
    return True
