"""Hand-edit latency: from Set (a typed weight) to the diagram and the loss curve showing it.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_hand_edit.py

For each preset, paused and while training flat out: the median and the largest time from the
editor's request to the diagram panel showing a snapshot that holds the edit, against one frame
of the controller's ~30 Hz poll (33 ms). Printed, not asserted (the machine is shared).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnviz.diagram_model import Selection  # noqa: E402
from nnviz.experiment import PRESETS  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402

FRAME_MS = 1000 / 30


def run_loop(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def measure(preset: str, training: bool, repeats: int) -> None:
    window = MainWindow(config=PRESETS[preset])
    window.resize(1920, 1080)
    window.show()
    run_loop(300)
    diagram = window.panels["networkDiagram"]
    diagram.select(Selection("connection", 0, i=0, j=0))
    if training:
        window.controller.play()
        run_loop(500)
    times = []
    for k in range(repeats):
        value = 0.5 + 0.01 * k
        start = time.perf_counter()
        diagram.editor.request(value)
        while not (diagram._snapshot is not None and diagram._snapshot.edits
                   and diagram._snapshot.edits[-1].new == value):
            run_loop(1)
        times.append(time.perf_counter() - start)
        run_loop(50)
    window.controller.pause()
    window.close()
    window.controller.shutdown()
    times.sort()
    median, worst = times[len(times) // 2] * 1e3, times[-1] * 1e3
    print(f"{preset:14s} {'training' if training else 'paused':9s}{median:10.1f}{worst:10.1f}"
          f"{median / FRAME_MS:12.2f}")


def main() -> None:
    QApplication.instance() or QApplication(sys.argv)
    print(f"{'preset':14s} {'mode':9s}{'median ms':>10s}{'max ms':>10s}{'median/frame':>12s}")
    for preset in ("xor", "spiral", "function-fit"):
        for training in (False, True):
            measure(preset, training, 20)


if __name__ == "__main__":
    main()
