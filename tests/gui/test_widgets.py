"""Shared widgets: the panel scroll area gives a panel all the room there is, and scrolls only
below the panel's minimum size."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from nnviz.gui.widgets import PanelScrollArea


def wrapped_panel() -> QWidget:
    """A panel like ours: a plot-sized widget over a word-wrapped label (height-for-width)."""
    panel = QWidget()
    layout = QVBoxLayout(panel)
    plot = QWidget()
    plot.setMinimumSize(300, 200)
    layout.addWidget(plot, 1)
    label = QLabel("a long explanation that wraps onto several lines in a narrow panel " * 4)
    label.setWordWrap(True)
    layout.addWidget(label)
    return panel


def shown(qtbot, area, width, height):
    qtbot.addWidget(area)
    area.resize(width, height)
    area.show()
    qtbot.waitExposed(area)
    return area


def test_a_panel_fills_an_area_larger_than_its_minimum(qtbot):
    panel = wrapped_panel()
    assert panel.minimumSizeHint().height() < 260 < panel.heightForWidth(500)
    plain = wrapped_panel()  # Qt's own resizable area keeps the wrapped preferred height
    plain_area = QScrollArea()
    plain_area.setWidgetResizable(True)
    plain_area.setWidget(plain)
    shown(qtbot, plain_area, 500, 260)
    qtbot.waitUntil(lambda: plain_area.verticalScrollBar().maximum() > 0, timeout=2000)

    area = shown(qtbot, PanelScrollArea(panel), 500, 260)
    qtbot.waitUntil(lambda: panel.size() == area.viewport().size(), timeout=2000)
    assert panel.size().toTuple() == (500, 260)
    assert area.verticalScrollBar().maximum() == area.horizontalScrollBar().maximum() == 0


def test_a_panel_scrolls_only_below_its_minimum(qtbot):
    panel = wrapped_panel()
    area = shown(qtbot, PanelScrollArea(panel), 250, 150)
    need = panel.minimumSizeHint()
    assert panel.width() >= need.width() and panel.height() >= need.height()
    assert area.verticalScrollBar().maximum() > 0
    assert area.horizontalScrollBar().maximum() > 0
    area.resize(800, 600)  # and grows back to fill the area
    qtbot.waitUntil(lambda: panel.size() == area.viewport().size(), timeout=2000)
    assert area.verticalScrollBar().maximum() == 0
