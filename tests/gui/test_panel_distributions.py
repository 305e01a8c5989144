"""The distributions panel (issue 16 item 2): driven by real keys and clicks, it draws the
chosen layer's recorded bands, the gradients' magnitudes on a log axis, every layer's gradient
norm as a strip (a click on a row chooses that layer), and the run before pinned under it."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from nnviz.experiment import PRESETS, build
from nnviz.gui.panels.distributions import LEVEL_DECADES, MEDIAN, DistributionsPanel
from nnviz.snapshot import run_info, take_snapshot

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@functools.cache
def run(preset: str, steps: int = 2000):
    exp = build(PRESETS[preset])
    exp.trainer.run(steps)
    return run_info(exp), take_snapshot(exp, with_activity=False)


def shown_panel(qtbot, preset: str, width: int, height: int) -> DistributionsPanel:
    """A panel of that size showing ``preset``'s run, on screen."""
    p = DistributionsPanel()
    qtbot.addWidget(p)
    p.resize(width, height)
    info, snap = run(preset)
    p.set_run(info)
    p.show_snapshot(snap)
    p.show()
    qtbot.waitExposed(p)
    return p


@pytest.fixture
def panel(qtbot):
    return shown_panel(qtbot, "vanishing-gradients", 560, 720)


def median_line(bands) -> np.ndarray:
    return bands.median.getData()[1]


def click_in_plot(qtbot, panel, plot, x: float, y: float) -> None:
    """A real left click at data point (x, y) of ``plot``."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    pos = panel.view.mapFromScene(scene)
    qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=QPoint(pos.x(), pos.y()))


def test_bands_follow_the_layer_chosen_with_the_keyboard(qtbot, panel):
    v = panel._view
    assert panel.layer.count() == 9 and panel.layer.currentIndex() == 0
    np.testing.assert_array_equal(median_line(panel.w_bands), v.weights[:, 0, MEDIAN])
    panel.layer.setFocus()
    qtbot.waitUntil(panel.layer.hasFocus)
    for _ in range(3):
        qtbot.keyClick(panel.layer, Qt.Key_Down)
    assert panel.layer.currentIndex() == 3
    np.testing.assert_array_equal(median_line(panel.w_bands), v.weights[:, 3, MEDIAN])
    np.testing.assert_array_equal(median_line(panel.g_bands), v.grads[:, 3, MEDIAN])
    assert "4" in panel.w_plot.titleLabel.text and "4" in panel.g_plot.titleLabel.text


def test_log_box_draws_gradient_magnitudes_in_decades(qtbot, panel):
    v = panel._view
    qtbot.mouseClick(panel.log_grad, Qt.LeftButton,
                     pos=QPoint(8, panel.log_grad.height() // 2))
    assert panel.log_grad.isChecked()
    np.testing.assert_allclose(median_line(panel.g_bands),
                               np.log10(v.grad_abs[:, 0, MEDIAN]), rtol=1e-6)
    assert panel.g_plot.getAxis("left").decades
    assert "log" in panel.g_plot.titleLabel.text


def test_strip_shows_log_norms_and_a_click_on_a_row_chooses_the_layer(qtbot, panel):
    v = panel._view
    image = panel.strip.image
    assert image.shape == (len(v), 9)
    lo, hi = panel.bar.levels()
    np.testing.assert_allclose(image, np.log10(np.maximum(v.grad_norm, 10.0 ** lo)), rtol=1e-5)
    # vanishing: the first layer's row is orders of magnitude below the last one's
    assert np.median(image[:, 0]) < np.median(image[:, -1]) - 2
    middle = float(v.step[len(v) // 2])
    click_in_plot(qtbot, panel, panel.n_plot, middle, 6.5)  # rows run top down from 0
    assert panel.layer.currentIndex() == 6
    np.testing.assert_array_equal(median_line(panel.w_bands), v.weights[:, 6, MEDIAN])


def test_the_run_before_is_pinned_under_the_new_one_on_one_colour_scale(qtbot, panel):
    before = panel._view
    info, snap = run("vanishing-fixed")
    panel.set_run(info)
    panel.show_snapshot(snap)
    assert panel.p_plot.isVisible() and panel.clear_button.isEnabled()
    assert "sigmoid" in panel.p_plot.titleLabel.text and "relu" in panel.n_plot.titleLabel.text
    assert panel.pinned_strip.image.shape == (len(before), 9)
    lo, hi = panel.bar.levels()
    both = np.concatenate([before.grad_norm.ravel(), snap.distributions.grad_norm.ravel()])
    assert hi >= np.log10(both.max()) and hi - 7 < lo <= hi - 1  # whole decades, at most 6
    assert lo <= max(np.log10(both[both > 0].min()), hi - LEVEL_DECADES)
    qtbot.mouseClick(panel.clear_button, Qt.LeftButton)
    assert not panel.p_plot.isVisible() and not panel.clear_button.isEnabled()
    qtbot.mouseClick(panel.pin_button, Qt.LeftButton)  # pinned by hand: kept over new runs
    assert panel.p_plot.isVisible()
    panel.set_run(run("vanishing-gradients")[0])
    assert panel._pinned.view is snap.distributions


def test_no_records_yet_says_so(qtbot):
    p = DistributionsPanel()
    qtbot.addWidget(p)
    exp = build(PRESETS["xor"])
    p.set_run(run_info(exp))
    p.show_snapshot(take_snapshot(exp))
    assert "No records yet" in p.info.text()
    qtbot.mouseClick(p.pin_button, Qt.LeftButton)
    assert "Nothing to pin" in p.info.text() and not p.p_plot.isVisible()


def test_the_strip_labels_its_rows_again_when_it_grows(qtbot):
    """A panel drawn while small (a background tab's first update comes before its dock is
    laid out) labels every row once it has the room, with no new snapshot."""
    p = shown_panel(qtbot, "circles", 400, 240)

    def labels():
        return [text for _, text in p.n_plot.getAxis("left")._tickLevels[0]]

    assert labels() == ["1"], p.n_plot.getViewBox().height()  # too low for two rows
    p.resize(400, 720)
    qtbot.waitUntil(lambda: labels() == ["1", "2"])
