"""The control panel's activation and loss tooltips are the engine objects' own help text."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nnviz.engine import ACTIVATIONS, LOSSES, losses_for_output
from nnviz.gui.control_panel import ControlPanel, LayerRow


def item_tips(box) -> dict:
    return {box.itemData(i): box.itemData(i, Qt.ToolTipRole) for i in range(box.count())}


def test_activation_and_loss_tooltips_come_from_the_engine(qtbot):
    row = LayerRow(0, 4, "tanh")
    qtbot.addWidget(row)
    tips = item_tips(row.activation)
    assert tips and all(tips[name] == ACTIVATIONS[name].help for name in tips)
    panel = ControlPanel()
    qtbot.addWidget(panel)
    outputs = {k: v for k, v in item_tips(panel.output).items() if k is not None}
    assert outputs and all(outputs[name] == ACTIVATIONS[name].help for name in outputs)
    panel.output.setCurrentIndex(panel.output.findData("softmax"))
    losses = {k: v for k, v in item_tips(panel.loss).items() if k is not None}
    assert losses == {name: LOSSES[name].help for name in losses_for_output("softmax")}
    assert "cross_entropy" in losses
