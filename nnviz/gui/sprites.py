"""Many equal marks (circles, squares, crosses) drawn as copies of one prerendered picture
each.

An antialiased ``drawEllipse`` with an outline costs Qt's raster engine ~10-25 µs (it strokes
and fills a path of Bézier arcs), a small antialiased rectangle with an outline a few µs: the
diagram's 195 neurons and 193 bias squares of [1, 64, 64, 64, 1] took ~3 ms a frame. A mark
is rendered once per fill (brush) and size into a sprite, all of an item's fills side by side
in one atlas (a QPixmap at the screen's pixel ratio), and all its marks are then one
``drawPixmapFragments`` call, each fragment cut from its fill's cell (one call per fill:
~30 µs for xor's 7 neurons in 7 colours, mostly Python per call; one call: ~12 µs). Each
sprite sits on the device's pixel grid, so a mark moves by at most half a pixel against
drawing it where it is; the antialiased edge is the same (drawn onto transparency, then
blended on the background, as a direct drawing blends it).

Raster painters only (the screen, grab(), a PNG): an SVG or a printer gets no pictures
(``draw_sprites`` returns False and the caller draws vectors), nor does a rotated or sheared
view, nor a painter without a QGuiApplication (a QPixmap needs one).
"""

from __future__ import annotations

import math

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QGuiApplication,
    QPaintEngine,
    QPainter,
    QPen,
    QPixmap,
)

#: device pixels a sprite may be across at most (larger marks are drawn directly)
MAX_SPRITE_PX = 256
#: QPainter.PixmapFragment's fields: x, y (the centre), source left, top, width, height,
#: scale x, y, rotation, opacity (qreal each)
FRAGMENT_FIELDS = 10
RASTER = QPaintEngine.Raster


class SpriteCache:
    """The sprites of one item: an atlas QPixmap of one cell per fill (the item's brushes, in
    their order: cell k is ``fills[k]``), all of one shape, size, outline and pixel ratio; any
    other (a resize, new fills, ``clear`` after a new outline) renders the atlas anew. Fills
    are told apart by the brush objects (an item's brushes are prebuilt, one per colour
    bin)."""

    def __init__(self):
        self._key = None
        self._fills = None  # the fills of the atlas (kept: their ids are in the key)
        self._atlas: tuple[QPixmap, int, int, int] | None = None

    def clear(self) -> None:
        self._key = self._fills = self._atlas = None

    def atlas(self, shape: str, pen: QPen, fills, w: float, h: float,
              dpr: float) -> tuple[QPixmap, int, int, int]:
        """(atlas, cell width, cell height in device pixels, cells per row) of ``shape`` marks
        ``w`` x ``h`` device pixels outlined with ``pen``, one cell per brush of ``fills``,
        row by row; each mark centred in its cell."""
        key = (shape, round(w, 4), round(h, 4), dpr)
        if fills is not self._fills or key != self._key:
            key = (*key, tuple(map(id, fills)))
            if key != self._key:
                self._atlas = render_atlas(shape, pen, fills, w, h, dpr)
            self._key, self._fills = key[:4], fills
        return self._atlas


def render_atlas(shape: str, pen: QPen, fills, w: float, h: float,
                 dpr: float) -> tuple[QPixmap, int, int, int]:
    """``SpriteCache.atlas``: each fill's ``render_sprite`` in its cell of one pixmap."""
    pad = (pen.widthF() if pen.style() != Qt.NoPen else 0.0) + 2.0
    pw, ph = math.ceil((w + pad) * dpr), math.ceil((h + pad) * dpr)
    cols = max(1, math.ceil(math.sqrt(len(fills))))
    rows = max(1, math.ceil(len(fills) / cols))
    pix = QPixmap(cols * pw, rows * ph)
    pix.setDevicePixelRatio(dpr)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    for k, brush in enumerate(fills):
        p.drawPixmap(QPointF((k % cols) * pw / dpr, (k // cols) * ph / dpr),
                     render_sprite(shape, pen, brush, w, h, dpr))
    p.end()
    return pix, pw, ph, cols


def render_sprite(shape: str, pen: QPen, brush: QBrush, w: float, h: float,
                  dpr: float) -> QPixmap:
    """A transparent pixmap with one antialiased ``shape`` ("circle", "square" or "cross") of
    ``w`` x ``h`` device pixels at its centre, room around it for the outline."""
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
    elif shape == "square":
        p.drawRect(rect)
    else:  # a cross: the diagonals, stroked only
        p.drawLine(rect.topLeft(), rect.bottomRight())
        p.drawLine(rect.bottomLeft(), rect.topRight())
    p.end()
    return pix


def draw_sprites(painter: QPainter, shape: str, pen: QPen, xy: np.ndarray, cells: np.ndarray,
                 fills, size: float, cache: SpriteCache) -> bool:
    """Draw ``shape`` marks of ``size`` view units centred on the points ``xy`` (m, 2) (in
    the painter's coordinates), in that order, mark i filled with ``fills[cells[i]]``, in one
    call. False (and nothing drawn) where sprites would not do: not a raster painter, a view
    transform that is more than a scale and a shift, or marks too large or too small."""
    engine = painter.paintEngine()
    if engine is None or engine.type() != RASTER or QGuiApplication.instance() is None:
        return False  # (a QPixmap needs a QGuiApplication)
    t = painter.transform()
    if t.m12() != 0 or t.m21() != 0 or t.m13() != 0 or t.m23() != 0:
        return False
    sx, sy = t.m11(), t.m22()
    w, h = abs(sx) * size, abs(sy) * size
    if not (0.5 <= w <= MAX_SPRITE_PX and 0.5 <= h <= MAX_SPRITE_PX):
        return False
    if not len(xy):
        return True
    dpr = painter.device().devicePixelRatioF()
    atlas, pw, ph, cols = cache.atlas(shape, pen, fills, w, h, dpr)
    half_w, half_h = pw / dpr / 2, ph / dpr / 2
    frags = np.empty((len(xy), FRAGMENT_FIELDS), dtype=np.float64)
    # each sprite's top left corner on the device's pixel grid
    frags[:, 0] = np.round((xy[:, 0] * sx + (t.dx() - half_w)) * dpr) / dpr + half_w
    frags[:, 1] = np.round((xy[:, 1] * sy + (t.dy() - half_h)) * dpr) / dpr + half_h
    frags[:, 2] = (cells % cols) * pw
    frags[:, 3] = (cells // cols) * ph
    frags[:, 4:10] = (pw, ph, 1.0 / dpr, 1.0 / dpr, 0.0, 1.0)
    painter.save()
    painter.resetTransform()
    painter.drawPixmapFragments(shiboken6.wrapInstance(frags.ctypes.data,
                                                       QPainter.PixmapFragment),
                                len(xy), atlas)
    painter.restore()
    return True
