"""SnapshotDispatcher with real panels: round-robin, skipping hidden or up-to-date panels."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnviz.experiment import PRESETS, build
from nnviz.gui.dispatch import SnapshotDispatcher
from nnviz.gui.panels.diagram import NetworkDiagramPanel
from nnviz.gui.panels.error_curve import ErrorCurvePanel
from nnviz.gui.panels.heatmaps import HeatmapsPanel
from nnviz.gui.panels.vectors import VectorsPanel
from nnviz.snapshot import prediction_grid, take_snapshot

#: a top-level window on the offscreen platform warns about size hints
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def setup(qtbot):
    exp = build(PRESETS["xor"])
    host = QWidget()
    box = QVBoxLayout(host)
    panels = {"errorCurve": ErrorCurvePanel(), "networkDiagram": NetworkDiagramPanel(),
              "vectors": VectorsPanel(), "heatmaps": HeatmapsPanel()}
    for panel in panels.values():
        box.addWidget(panel)
    qtbot.addWidget(host)
    host.resize(800, 1600)
    host.show()
    qtbot.waitExposed(host)
    busy: list[bool] = []
    d = SnapshotDispatcher(panels, busy=busy.append, parent=host)
    d.set_experiment(exp)
    yield exp, panels, d, busy
    host.close()


def snapshot(exp, steps=10):
    exp.trainer.run(steps)
    return take_snapshot(exp, grid=prediction_grid(exp))


def test_panels_get_the_latest_snapshot_one_per_turn(setup, qtbot):
    exp, panels, d, busy = setup
    d.dispatch(snapshot(exp))
    latest = snapshot(exp)
    d.dispatch(latest)  # latest wins
    assert d.updates == 0  # nothing drawn inside dispatch itself
    qtbot.waitUntil(lambda: d.updates >= 1, timeout=2000)
    assert d.updates == 1  # one panel per event-loop turn
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert d.updates == 4
    assert panels["vectors"]._snapshot is latest
    assert panels["networkDiagram"]._snapshot is latest
    assert panels["heatmaps"]._snapshot is latest
    assert panels["errorCurve"].values_at(latest.step)["step"][0] == latest.step
    assert busy == [True, False] * 4  # every update bracketed for the worker
    assert set(d.costs) == set(panels)


def test_unchanged_snapshot_is_not_drawn_again(setup, qtbot):
    exp, panels, d, _ = setup
    snap = snapshot(exp)
    d.dispatch(snap)
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    done = d.updates
    d.dispatch(snap)
    qtbot.wait(100)
    assert d.updates == done


def test_hidden_panel_is_skipped_then_catches_up(setup, qtbot):
    exp, panels, d, _ = setup
    panels["vectors"].hide()
    snap = snapshot(exp)
    d.dispatch(snap)
    qtbot.waitUntil(lambda: d.pending() == ["vectors"], timeout=5000)
    assert panels["vectors"]._snapshot is None
    panels["vectors"].show()
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert panels["vectors"]._snapshot is snap


def test_flush_and_new_experiment(setup, qtbot):
    exp, panels, d, _ = setup
    snap = snapshot(exp)
    d.dispatch(snap)
    d.flush()
    assert not d.pending() and panels["networkDiagram"]._snapshot is snap
    other = build(PRESETS["iris"])
    d.set_experiment(other)
    assert not d.pending()
    assert panels["networkDiagram"]._layout.sizes == tuple(other.net.sizes)


def test_a_failing_panel_goes_through_the_guard(setup, qtbot):
    exp, panels, _, _ = setup
    failures = []

    def guard(name, fn, arg):
        try:
            fn(arg)
        except RuntimeError:
            failures.append(name)

    def broken(_snapshot):
        raise RuntimeError("boom")

    panels["heatmaps"].show_snapshot = broken
    d = SnapshotDispatcher(panels, call=guard, parent=panels["heatmaps"])
    d.dispatch(snapshot(exp))
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert failures == ["heatmaps"]
