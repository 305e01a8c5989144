"""Every panel exports to PNG and SVG; the history goes to CSV and comes back equal."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from PySide6.QtGui import QImage

from nnviz.experiment import PRESETS, build
from nnviz.gui.export import (
    export_history_csv,
    export_svg,
    export_widget_png,
    read_history_csv,
)
from nnviz.gui.panels.diagram import NetworkDiagramPanel
from nnviz.gui.panels.heatmaps import HeatmapsPanel
from nnviz.gui.panels.vectors import VectorsPanel
from nnviz.snapshot import prediction_grid, take_snapshot


@functools.cache
def run(preset: str, steps: int = 300):
    exp = build(PRESETS[preset])
    exp.trainer.run(steps)
    return exp, take_snapshot(exp, grid=prediction_grid(exp))


@pytest.mark.parametrize("cls", [NetworkDiagramPanel, VectorsPanel, HeatmapsPanel])
def test_panel_exports_png_and_svg(qtbot, tmp_path, cls):
    panel = cls()
    qtbot.addWidget(panel)
    panel.resize(640, 420)
    exp, snap = run("xor")
    panel.set_experiment(exp)
    panel.show_snapshot(snap)
    png = export_widget_png(panel.export_widget(), tmp_path / "p.png")
    image = QImage(png)
    assert image.width() == 640 and image.height() == 420
    svg = export_svg(panel.export_scene(), tmp_path / "p.svg")
    text = open(svg, encoding="utf-8").read()
    assert "<svg" in text and len(text) > 1000
    names = [a.text() for a in panel.actions()]
    assert names == ["Export PNG…", "Export SVG…", "Export history CSV…"]
    assert panel.last_history() is snap.history


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
