"""pyqtgraph work left out for a faster start (nnviz.gui.pg_patches): a view's right-click
menu is built on the first right-click and works; axis labels still follow their text, units
and SI prefix."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import nnviz.gui.graphics  # noqa: F401 - installs the patches
from nnviz.gui.pg_patches import LazyViewBoxMenu

#: the offscreen platform cannot raise a popup or grab the keyboard; the press that opens
#: the popup is taken by it, not by the view
POPUP_NOISE = (r"This plugin does not support", r"not accepted by receiving widget")


@pytest.mark.qt_log_ignore(*POPUP_NOISE)
def test_a_views_menu_is_built_on_the_first_right_click(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    qtbot.waitExposed(plot)
    vb = plot.getPlotItem().vb
    assert isinstance(vb.menu, LazyViewBoxMenu) and not vb.menu.built
    pos = plot.mapFromScene(vb.mapToScene(vb.boundingRect().center()))
    qtbot.mouseClick(plot.viewport(), Qt.RightButton, pos=pos)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), pg.QtWidgets.QMenu),
                    timeout=5000)
    assert vb.menu.built
    texts = [a.text() for a in QApplication.activePopupWidget().actions()]
    assert "View All" in texts
    QApplication.activePopupWidget().close()


def test_a_menu_turned_off_is_never_built(qtbot):
    item = pg.PlotItem()
    menu = item.vb.menu
    item.setMenuEnabled(False)
    assert item.vb.menu is None and not menu.built
    item.setMenuEnabled(True)
    assert item.vb.menuEnabled() and item.vb.getContextMenus(None)  # built on use


def test_axis_labels_follow_text_units_and_prefix(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("left")
    axis.setLabel("loss")
    for hi in (1, 10, 100):
        plot.setYRange(0, hi, padding=0)
    assert axis.label.toPlainText().strip() == "loss"
    axis.setLabel("voltage", units="V")
    plot.setYRange(0, 0.002, padding=0)
    assert axis.label.toPlainText().strip() == "voltage (mV)"
    plot.setYRange(0, 2000, padding=0)
    assert axis.label.toPlainText().strip() == "voltage (kV)"


def test_a_hidden_axis_label_takes_its_text_and_colour_when_shown(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    axis = plot.getPlotItem().getAxis("left")
    assert axis.label.toPlainText() == ""  # never shown: its HTML was never set
    axis.setLabel("voltage", units="V")
    axis.showLabel(False)
    axis.setTextPen("#ff0000")  # changed while hidden
    plot.setYRange(0, 2000, padding=0)
    axis.showLabel(True)
    assert axis.label.toPlainText().strip() == "voltage (kV)"
    assert "#ff0000" in axis.label.toHtml()
