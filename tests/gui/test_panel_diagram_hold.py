"""The diagram's colour scales and the gradient strip's range are held while training goes on
(a colour bar re-labelled on every frame flickers and costs a re-layout of its axis), and
start anew where a person looks at one snapshot: stepping by hand, going back, another
colouring."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.gui.panels.diagram import NetworkDiagramPanel
from nnviz.scales import HOLD_UPDATES, NICE_STEP, nice_scale
from nnviz.snapshot import run_info, take_snapshot


@pytest.fixture
def panel(qtbot):
    p = NetworkDiagramPanel()
    qtbot.addWidget(p)
    p.resize(900, 600)
    return p


def quieter(snap, factor: float, step: int):
    """``snap`` at ``step`` with its gradients ``factor`` times as large."""
    return replace(snap, step=step, grad_W=tuple(g * factor for g in snap.grad_W),
                   grad_b=tuple(g * factor for g in snap.grad_b))


def shown_after_training(panel, steps: int = 20):
    """The snapshot of xor after ``steps`` steps, shown on ``panel`` (a new run)."""
    exp = build(PRESETS["xor"])
    panel.set_run(run_info(exp))
    exp.trainer.run(steps)
    snap = take_snapshot(exp)
    panel.show_snapshot(snap)
    return snap


def loudest_grad(snap) -> float:
    return max(np.abs(g).max() for g in (*snap.grad_W, *snap.grad_b))


def top_grad(snap) -> float:
    return nice_scale(loudest_grad(snap))


def test_the_edge_scale_is_held_while_training_goes_on(panel):
    snap = shown_after_training(panel)
    loud = panel.edge_bar.levels()
    assert loud[1] == top_grad(snap)
    f = loud[1] / NICE_STEP / loudest_grad(snap)  # one 1-2-5 scale quieter
    for k in range(1, HOLD_UPDATES):
        panel.show_snapshot(quieter(snap, f, snap.step + k))
        assert panel.edge_bar.levels() == loud  # held: the quieter batches are paler
    panel.edge_mode.setCurrentIndex(panel.edge_mode.findData("grad"))  # (no change: a redraw)
    assert panel.edge_bar.levels() == loud
    quiet = quieter(snap, f, snap.step + HOLD_UPDATES)
    panel.show_snapshot(quiet)
    assert panel.edge_bar.levels()[1] == top_grad(quiet) < loud[1]  # a calm run: it shrinks
    panel.show_snapshot(quieter(snap, 1.0, quiet.step + 1))
    assert panel.edge_bar.levels() == loud  # it grows at once
    silent = quieter(snap, 1e-3, quiet.step + 2)
    panel.show_snapshot(silent)
    assert panel.edge_bar.levels()[1] == top_grad(silent)  # 1000x quieter: never near-white


def test_going_back_shows_a_snapshots_own_scale(panel):
    snap = shown_after_training(panel)
    earlier = quieter(snap, 1e-3, snap.step - 5)  # the timeline, or a reset
    panel.show_snapshot(earlier)
    assert panel.edge_bar.levels()[1] == top_grad(earlier)


def test_the_strip_range_is_held_and_its_labels_set_only_when_they_change(panel):
    snap = shown_after_training(panel)
    lo, hi = panel.strip.range
    labels = panel.strip.labels
    texts = labels.texts()
    prepared = list(labels._static)
    panel.show_snapshot(replace(snap, step=snap.step + 1))
    assert list(map(id, labels._static)) == list(map(id, prepared))  # the same values: no
    # text prepared again
    assert labels.texts() == texts
    panel.show_snapshot(quieter(snap, 1e-4, snap.step + 2))
    assert labels.texts() != texts  # four decades less: new values ...
    assert not set(map(id, labels._static)) & set(map(id, prepared))
    assert panel.strip.range == (lo, hi)  # ... in the range held
    assert panel.strip.plot.getViewBox().viewRange()[1] == pytest.approx([lo, hi])


def test_a_colour_bar_draws_a_scale_it_had_before_from_its_picture(qtbot):
    """The edge bar's scale moves among neighbouring 1-2-5 scales: a range it had before is
    drawn from the picture it had then (no tick layout), and looks the same."""
    import pyqtgraph as pg
    from PySide6.QtGui import QImage, QPainter

    from nnviz.gui import colormaps as cm
    from nnviz.gui.graphics import colour_bar, reuse_axis_pictures, set_colour_bar

    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    bar = colour_bar(cm.DIVERGING, "dL/dw")
    view.addItem(bar)
    view.resize(120, 300)
    reuse_axis_pictures(bar.axis)
    laid_out = []
    specs = bar.axis.generateDrawSpecs
    bar.axis.generateDrawSpecs = lambda p: (laid_out.append(1), specs(p))[1]

    def drawn() -> QImage:
        image = QImage(120, 300, QImage.Format_RGB32)
        image.fill(0xFFFFFFFF)
        p = QPainter(image)
        view.render(p)
        p.end()
        return image

    set_colour_bar(bar, cm.DIVERGING, 0.5, "dL/dw")
    first = drawn()
    set_colour_bar(bar, cm.DIVERGING, 2.0, "dL/dw")
    other = drawn()
    count = len(laid_out)
    set_colour_bar(bar, cm.DIVERGING, 0.5, "dL/dw")
    again = drawn()
    assert len(laid_out) == count  # no new layout of its ticks
    assert again == first and again != other
