"""Step-through latency: how long a step key holds the GUI thread, and how long until the
inspector shows the step.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_stepping.py

For each case: the median and the largest time spent inside the key's handler (the window
cannot repaint or take input meanwhile) and the median time from the key to the inspector
showing the step's WalkView. Printed, not asserted (the machine is shared).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnviz.experiment import PRESETS  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402


def run_loop(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def measure(preset: str, button: str, while_training: bool, repeats: int) -> None:
    """Press the inspector's ``button`` ``repeats`` times (training first if asked)."""
    window = MainWindow(config=PRESETS[preset])
    window.show()
    run_loop(300)
    inspector = window.panels["backpropInspector"]
    held, shown = [], []
    for _ in range(repeats):
        if while_training:
            window.controller.play()
            run_loop(300)
        before = inspector._view
        start = time.perf_counter()
        inspector.buttons[button].click()
        held.append(time.perf_counter() - start)
        while inspector._view is before:
            run_loop(1)
        shown.append(time.perf_counter() - start)
        run_loop(100)
    window.close()
    window.controller.shutdown()

    def median(values):
        return sorted(values)[len(values) // 2] * 1e3

    print(f"{preset:14s} {button:6s} {'training' if while_training else 'paused':9s}"
          f"{median(held):10.1f} {max(held) * 1e3:10.1f} {median(shown):14.1f}")


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    print(f"{'preset':14s} {'button':6s} {'run':9s}{'held ms':>10s} {'max ms':>10s}"
          f" {'to inspector':>14s}")
    measure("xor", "phase", False, 7)
    measure("function-fit", "phase", True, 5)
    measure("function-fit", "epoch", False, 1)
    del app


if __name__ == "__main__":
    main()
