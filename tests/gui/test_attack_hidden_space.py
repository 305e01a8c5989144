"""Adversarial cases of the hidden space panel: a saturated (or dead) last hidden layer whose
points all coincide, read by an output layer of zero weights (the readout plane has no
direction to read), huge and NaN weights; a net without a hidden layer. Driven by keys; a
numpy warning is an error here."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz import hidden_space as hs
from nnviz.experiment import build, preset
from nnviz.gui.panels.hidden_space import HiddenSpacePanel
from nnviz.snapshot import prediction_grid, run_info, take_snapshot

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def panel(qtbot):
    p = HiddenSpacePanel()
    qtbot.addWidget(p)
    p.resize(720, 600)
    p.show()
    qtbot.waitExposed(p)
    return p


def _shown(panel, exp):
    snap = take_snapshot(exp, grid=prediction_grid(exp))
    panel.set_run(run_info(exp))
    panel.show_snapshot(snap)
    return snap


def _readout(panel, qtbot):
    panel.mode.setFocus()
    while panel.mode.currentData() != hs.READOUT:
        qtbot.keyClick(panel.mode, Qt.Key_Down)


@pytest.mark.parametrize("reads", ["nothing", "neuron 1"])
def test_coinciding_points_read_by_zero_weights(panel, qtbot, reads):
    """Every point of the last hidden layer at one place (its weights 0: tanh(bias)), the
    output layer's weights 0 (or reading neuron 1 alone): finite views, no warning."""
    exp = build(preset("spiral"))
    net = exp.net
    net.weights[-2][...] = 0.0
    net.biases[-2][...] = 0.5
    net.weights[-1][...] = 0.0
    if reads == "neuron 1":
        net.weights[-1][0] = 1.0
    exp.trainer.reload()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _shown(panel, exp)
        for mode in range(panel.mode.count()):  # every view (PCA, neurons, readout)
            panel.mode.setCurrentIndex(mode)
            _readout(panel, qtbot) if mode == panel.mode.count() - 1 else None
            qtbot.keyClick(panel.slider, Qt.Key_End)
            coords = panel.coords()
            assert coords is not None and np.isfinite(coords).all()
            assert panel._views[-1].basis.shape[1] == 2
            assert np.isfinite(panel._views[-1].basis).all()
            assert "nan" not in panel.info.text().lower()
