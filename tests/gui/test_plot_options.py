"""A plot's options form is built when first needed (nnviz.gui.plot_options): until then its
stand-ins answer, change and signal as the real form's widgets do; the right-click menu, a
saved or restored state, build it in the state the stand-ins had."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidgetAction

import nnviz.gui.graphics  # noqa: F401 - installs the patches
from nnviz.gui import plot_options
from nnviz.gui.plot_options import OptionsStandIn

POPUP_NOISE = (r"This plugin does not support", r"not accepted by receiving widget")


class RealFormPlot(pg.PlotItem):
    """A PlotItem built as pyqtgraph builds it (its form at once)."""

    def __init__(self, *args, **kwargs):
        plot_options._real_init(self, *args, **kwargs)


def state(form) -> dict:
    """name -> checked or value of every stateful widget of ``form`` (real or stand-in)."""
    out = {}
    for name, spec in plot_options._form_defaults().items():
        w = getattr(form, name)
        out[name] = (w.isChecked() if spec[0] == "check" else w.value() if spec[0] == "value"
                     else w.count())
    return out


def exercise(plot: pg.PlotItem) -> pg.PlotDataItem:
    """What plots are asked to do: log axes, a grid, downsampling, clipping, alpha, a curve."""
    curve = plot.plot(np.arange(1.0, 50.0), np.arange(1.0, 50.0) ** 2)
    plot.setLogMode(x=False, y=True)
    plot.showGrid(x=True, y=True, alpha=0.3)
    plot.setDownsampling(ds=4, auto=False, mode="mean")
    plot.setClipToView(True)
    plot.ctrl.autoAlphaCheck.setChecked(False)  # (as the menu's alpha controls do)
    plot.ctrl.alphaSlider.setValue(500)
    plot.setDownsampling(mode="subsample")
    plot.showGrid(x=False)
    return curve


def test_a_new_plot_has_no_form_and_the_stand_ins_hold_its_defaults(qtbot):
    plot, real = pg.PlotItem(), RealFormPlot()
    assert isinstance(plot.ctrl, OptionsStandIn) and plot.ctrl.form is None
    assert not isinstance(real.ctrl, OptionsStandIn)
    assert state(plot.ctrl) == state(real.ctrl)
    plot.setMenuEnabled(False)
    assert plot.getContextMenus(None) is None and plot.ctrl.form is None  # (a menu off)


def test_the_stand_ins_change_and_signal_as_the_form_does(qtbot):
    plot, real = pg.PlotItem(), RealFormPlot()
    curves = [exercise(p) for p in (plot, real)]
    assert plot.ctrl.form is None  # all of that without the form
    assert state(plot.ctrl) == state(real.ctrl)
    assert plot.ctrl.subsampleRadio.isChecked() and not plot.ctrl.meanRadio.isChecked()
    plot.ctrl.subsampleRadio.setChecked(False)  # an exclusive group keeps its checked button
    assert plot.ctrl.subsampleRadio.isChecked()
    plot.ctrl.gridAlphaSlider.setValue(10_000)  # clamped, as a slider does
    real.ctrl.gridAlphaSlider.setValue(10_000)
    assert state(plot.ctrl) == state(real.ctrl)
    a, b = curves
    assert a.opts["logMode"] == b.opts["logMode"] == [False, True]
    assert a.opts["downsample"] == b.opts["downsample"] == 4
    assert a.opts["alphaHint"] == b.opts["alphaHint"] < 1
    assert a.opts["downsampleMethod"] == b.opts["downsampleMethod"] == "subsample"
    assert plot.getAxis("left").grid == real.getAxis("left").grid
    assert plot.getAxis("bottom").grid is False and plot.getAxis("left").logMode


@pytest.mark.qt_log_ignore(*POPUP_NOISE)
def test_the_right_click_menu_builds_the_form_in_the_state_it_had(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    plot = widget.getPlotItem()
    before = exercise(plot)
    expected = state(plot.ctrl)
    vb = plot.vb
    pos = widget.mapFromScene(vb.mapToScene(vb.boundingRect().center()))
    qtbot.mouseClick(widget.viewport(), Qt.RightButton, pos=pos)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), pg.QtWidgets.QMenu),
                    timeout=5000)
    popup = QApplication.activePopupWidget()
    assert "Plot Options" in [a.text() for a in popup.actions()]
    assert isinstance(plot.ctrl, plot_options._real_template.Ui_Form)
    assert state(plot.ctrl) == expected
    popup.close()
    # the real form drives the plot from now on, through the connections the stand-ins had
    plot.ctrl.logYCheck.setChecked(False)
    assert before.opts["logMode"] == [False, False] and not plot.getAxis("left").logMode
    sub = next(a.menu() for a in plot.ctrlMenu.actions() if a.text() == "Transforms")
    assert isinstance(sub.actions()[0], QWidgetAction)


def test_a_saved_state_round_trips_through_the_built_form(qtbot):
    plot, other = pg.PlotItem(), pg.PlotItem()
    exercise(plot)
    saved = plot.saveState()  # builds the form
    assert not isinstance(plot.ctrl, OptionsStandIn)
    other.restoreState(saved)
    assert state(other.ctrl) == state(plot.ctrl)
    assert other.getAxis("left").logMode


def test_a_stand_in_kept_across_the_build_speaks_for_the_real_widget(qtbot):
    plot = pg.PlotItem()
    log_y = plot.ctrl.logYCheck  # a stand-in
    plot.getMenu()  # builds the form
    assert not isinstance(plot.ctrl, OptionsStandIn)
    log_y.setChecked(True)
    assert plot.ctrl.logYCheck.isChecked() and log_y.isChecked()
    assert plot.getAxis("left").logMode
