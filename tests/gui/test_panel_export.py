"""Every panel exports its plot, without controls, to PNG and to an SVG of the plot's own size
that renders (QSvgRenderer) like the PNG; the history goes to CSV and comes back equal."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QComboBox

from nnviz.experiment import PRESETS, build
from nnviz.gui.export import (
    export_history_csv,
    export_layout,
    export_png,
    export_svg,
    read_history_csv,
)
from nnviz.gui.panels import PANELS
from nnviz.gui.panels.diagram import NetworkDiagramPanel
from nnviz.gui.panels.heatmaps import HeatmapsPanel
from nnviz.gui.panels.vectors import VectorsPanel
from nnviz.snapshot import prediction_grid, run_info, take_snapshot

#: the offscreen platform's note on show(): panels are shown so their layouts take their size
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@functools.cache
def run(preset: str, steps: int = 300):
    exp = build(PRESETS[preset])
    exp.trainer.run(steps)
    return exp, take_snapshot(exp, grid=prediction_grid(exp))


def shown(qtbot, cls, preset: str, size=(640, 420)):
    panel = cls()
    qtbot.addWidget(panel)
    panel.resize(*size)
    exp, snap = run(preset)
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    panel.show()
    qtbot.waitExposed(panel)
    return panel, snap


def pixels(image: QImage) -> np.ndarray:
    """(h, w, 3) float RGB of an image."""
    image = image.convertToFormat(QImage.Format_RGB32)
    a = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(),
                                                           image.bytesPerLine() // 4, 4)
    return a[:, :image.width(), 2::-1].astype(float)


def rendered(svg_path) -> QImage:
    renderer = QSvgRenderer(str(svg_path))
    assert renderer.isValid()
    image = QImage(renderer.defaultSize(), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def svg_size(path) -> tuple[str, str]:
    head = open(path, encoding="utf-8").read(400)
    return re.search(r'<svg width="([^"]+)" height="([^"]+)"', head).groups()


@pytest.mark.parametrize("cls", [NetworkDiagramPanel, VectorsPanel, HeatmapsPanel])
def test_panel_exports_png_and_svg(qtbot, tmp_path, cls):
    panel, snap = shown(qtbot, cls, "xor")
    png = export_png(panel, tmp_path / "p.png")
    image = QImage(png)
    view = panel.export_widgets()[0]  # the plot alone: the panel less its controls
    assert image.width() == view.width() and image.height() == view.height()
    assert image.width() <= 640 and image.height() < 420
    svg = export_svg(panel, tmp_path / "p.svg")
    text = open(svg, encoding="utf-8").read()
    assert "<svg" in text and len(text) > 1000
    names = [a.text() for a in panel.actions()]
    assert names == ["Export PNG…", "Export SVG…", "Export history CSV…"]
    assert panel.last_history() is snap.history


@pytest.mark.parametrize("preset", ["xor", "function-fit", "iris"])
@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.key)
def test_svg_is_the_plots_size_and_renders_like_the_png(qtbot, tmp_path, cls, preset):
    """The SVG's width and height are the plot's pixels (not mm of a scene's whole
    rectangle), and QSvgRenderer draws it like the PNG: both show something, and their
    colours differ on average by a few levels of 255 (antialiasing and text rendering)."""
    panel, _ = shown(qtbot, cls, preset, (800, 520))
    size, _ = export_layout(panel)
    png = export_png(panel, tmp_path / "p.png")
    svg = export_svg(panel, tmp_path / "p.svg")
    assert svg_size(svg) == (str(size.width()), str(size.height()))
    image = rendered(svg)
    assert (image.width(), image.height()) == (size.width(), size.height())
    a, b = pixels(QImage(png)), pixels(image)
    ink_a, ink_b = (a < 240).any(-1).mean(), (b < 240).any(-1).mean()
    assert ink_a > 0.02 and ink_b > 0.02, (ink_a, ink_b)  # neither is blank
    assert 0.6 < ink_b / ink_a < 1.6
    diff = np.abs(a - b).mean()
    assert diff < 6.0, diff


@pytest.mark.parametrize("preset", ["xor", "function-fit"])
def test_neurons_are_circles_in_the_svg(qtbot, tmp_path, preset):
    panel, snap = shown(qtbot, NetworkDiagramPanel, preset, (800, 520))
    text = open(export_svg(panel, tmp_path / "n.svg"), encoding="utf-8").read()
    circles = re.findall(r'<circle [^>]*r="([0-9.e-]+)"', text)
    ellipses = re.findall(r'<ellipse [^>]*rx="([0-9.e-]+)" ry="([0-9.e-]+)"', text)
    assert all(rx == ry for rx, ry in ellipses)
    radii = [float(r) for r in circles] + [float(rx) for rx, _ in ellipses]
    assert len(radii) >= sum(snap.sizes)  # every neuron (and the saturation rings)
    assert min(radii) >= 1.0  # visible at the plot's size, not specks in a corner


def test_exports_leave_the_controls_out(qtbot):
    for cls in PANELS:
        panel, _ = shown(qtbot, cls, "xor")
        for widget in panel.export_widgets():
            assert not isinstance(widget, (QAbstractButton, QComboBox))
            assert not widget.findChildren(QAbstractButton)
            assert not widget.findChildren(QComboBox)


def test_every_panel_offers_its_export_in_its_plots_right_click_menus(qtbot):
    for cls in PANELS:
        panel, _ = shown(qtbot, cls, "xor")
        names = [a.text() for a in panel.actions()]
        assert names[:2] == ["Export PNG…", "Export SVG…"], cls
        assert panel.export_menu.actions()[:2] == panel.actions()[:2]
        for widget in panel.export_widgets():
            scene = widget.scene() if hasattr(widget, "scene") else None
            if scene is not None:  # pyqtgraph's own "Export..." (a broken SVG) is replaced
                assert [a.text() for a in scene.contextMenu] == names
    assert names == ["Export PNG…", "Export SVG…"]  # the inspector has no history


def test_the_error_curves_export_their_history(qtbot, tmp_path):
    panel, snap = shown(qtbot, PANELS[0], "xor")
    assert panel.key == "errorCurve" and panel.last_history() is snap.history


def test_history_csv_round_trip(tmp_path):
    _, snap = run("xor")
    path = export_history_csv(snap.history, tmp_path / "h.csv")
    back = read_history_csv(path)
    step = snap.history["step_loss"]
    np.testing.assert_array_equal(back["step_loss"][:, 0], step["step"])
    np.testing.assert_array_equal(back["step_loss"][:, 1], step["mean"])
    train = snap.history["train_loss"]
    if len(train["x"]):
        np.testing.assert_array_equal(back["train_loss"][:, 1], train["y"])
    header = open(path, encoding="utf-8").readline().strip()
    assert header == "series,x,y,min,max"
