"""A walk that diverges (function-fit one sample at a time, "To epoch end"): every panel shows
the non-finite numbers as text (inf, nan) and none fails."""

from __future__ import annotations

import pytest

from nnviz.gui.panels.diagram import Selection


@pytest.mark.filterwarnings("error::RuntimeWarning")  # (the check and the landscape included)
def test_to_epoch_end_on_a_diverging_walk_fails_no_panel(make_window, qtbot):
    w = make_window("function-fit")
    diagram, inspector = w.panels["networkDiagram"], w.panels["backpropInspector"]
    inspector.stepRequested.emit("epoch")
    qtbot.waitUntil(w.controller.worker.settled, timeout=20000)
    snap = w.controller.snapshot
    assert snap.walk is not None and "diverged" in snap.walk.stop_reason
    shown = []
    for selection in (Selection("neuron", 4, index=0), Selection("neuron", 2, index=3),
                      Selection("connection", 3, i=0, j=0), Selection("connection", 0, i=1, j=5)):
        diagram.select(selection)
        w.dispatcher.flush()
        shown.append(inspector.explanation_text())
    assert not w.panel_errors, w.panel_errors
    assert any("inf" in text or "nan" in text for text in shown)
    inspector.check_button.click()
    inspector.landscape_button.click()
    assert inspector.check_result.text().endswith("not finite (the run diverged), nothing to "
                                                  "compare")
    assert "not finite anywhere" in inspector.landscape_label.text()
