"""nnviz.show from a plain script: the README's example, run as a script (subprocess, offscreen),
blocks until the window closes, then goes on with the trained network. The script's own QTimer
plays in the window and closes it after some steps, as a person would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

ROOT = Path(__file__).resolve().parent.parent
#: the README's "From a notebook or script" example (a ``py`` block: test_readme runs only
#: the ``python`` ones, which must not open a window)
EXAMPLE = next(b for b in re.findall(r"```py\n(.*?)```", (ROOT / "README.md").read_text(
    encoding="utf-8"), re.S) if "nnviz.show(" in b)

#: before the example: a timer that presses Play, then closes the window after 300 steps
DRIVER = textwrap.dedent("""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from nnviz.gui.main_window import MainWindow

    app = QApplication([])  # (only so this timer exists before the window)

    def drive():
        for w in QApplication.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible() and w.controller.snapshot:
                if w.controller.snapshot.step >= 300:
                    w.close()
                elif not w.controller.running:
                    w.act_play.trigger()

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(20)
""")
#: after it: the same steps in plain Python from the same start give the same bits
CHECK = textwrap.dedent("""
    from nnviz.engine import Trainer
    c = viewer.config
    start = Network(net.sizes, activations=net.activation_names, init=net.init, seed=net.seed)
    plain = Trainer(start, X, Y.reshape(-1, 1).astype(float), loss=c.loss, lr=c.lr,
                    batch_size=c.batch_size, seed=c.seed)
    plain.run(viewer.trainer.step_count)
    same = all(np.array_equal(a, b) for a, b in zip(net.get_params(), start.get_params()))
    print("closed", viewer.closed, "same-as-plain", same)
""")


def test_the_readme_example_blocks_until_the_window_closes_then_has_the_trained_net(tmp_path):
    script = tmp_path / "xor_show.py"
    script.write_text(DRIVER + EXAMPLE + CHECK)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "NNVIZ_SETTINGS": str(tmp_path / "settings.ini")}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=180, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Fatal" not in proc.stderr
    assert "QThread" not in proc.stderr  # no thread destroyed while running
    steps, weights, predictions, check = proc.stdout.strip().splitlines()[-4:]
    assert steps.endswith(" steps") and int(steps.split()[0]) >= 300
    assert weights.startswith("W0 = [[")
    assert predictions.startswith("predictions: [")
    assert check == "closed True same-as-plain True"
    assert not (tmp_path / "settings.ini").exists()  # a window from Python remembers nothing
