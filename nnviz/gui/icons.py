"""The application icon: a small three-layer network, drawn with QPainter at any size."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QLinearGradient, QPainter, QPen, QPixmap

LAYERS = (2, 3, 1)
SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw_icon(size: int) -> QPixmap:
    """The nnviz icon as a ``size`` x ``size`` pixmap."""
    pix = QPixmap(size, size)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    s = float(size)
    bg = QLinearGradient(0, 0, s, s)
    bg.setColorAt(0, QColor(33, 60, 120))
    bg.setColorAt(1, QColor(20, 120, 150))
    p.setPen(Qt.NoPen)
    p.setBrush(QBrush(bg))
    p.drawRoundedRect(QRectF(0.03 * s, 0.03 * s, 0.94 * s, 0.94 * s), 0.2 * s, 0.2 * s)
    xs = (0.22 * s, 0.5 * s, 0.78 * s)
    nodes = []
    for x, n in zip(xs, LAYERS):
        gap = 0.6 * s / max(n, 1)
        top = 0.5 * s - gap * (n - 1) / 2
        nodes.append([QPointF(x, top + i * gap) for i in range(n)])
    colors = (QColor(255, 140, 60), QColor(120, 200, 255))
    for layer in range(len(nodes) - 1):
        for i, a in enumerate(nodes[layer]):
            for j, b in enumerate(nodes[layer + 1]):
                c = QColor(colors[(i + j) % 2])
                c.setAlpha(220)
                p.setPen(QPen(c, max(1.0, 0.035 * s)))
                p.drawLine(a, b)
    r = 0.075 * s
    p.setPen(QPen(QColor(255, 255, 255), max(1.0, 0.02 * s)))
    for layer in nodes:
        for pt in layer:
            p.setBrush(QColor(250, 250, 250))
            p.drawEllipse(pt, r, r)
    p.end()
    return pix


def app_icon() -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(draw_icon(size))
    return icon
