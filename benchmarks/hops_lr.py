"""The learning rate's path from the control panel's spin box to the optimiser (not a test).

Opens the main window offscreen, sets a new learning rate in the spin box (``--field beta1``:
Adam's beta1 on the spiral preset), and records the nnviz calls on the way: the GUI thread's
stack where the change is handed to the worker, and the worker thread's stack where the
optimiser's attribute is written. Prints both chains and the number of calls between the spin
box's ``valueChanged`` and the optimiser (Qt signal emissions between two slots are not Python
frames: the chain printed shows where they are).

    QT_QPA_PLATFORM=offscreen python benchmarks/hops_lr.py [--field beta1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNVIZ_SETTINGS", os.path.join(tempfile.mkdtemp(), "hops.ini"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from nnviz.engine import optimizers  # noqa: E402
from nnviz.experiment import PRESETS  # noqa: E402
from nnviz.gui import controller as controller_module  # noqa: E402
from nnviz.gui.app import make_application  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(controller_module.__file__)))


def nnviz_frames(stack) -> list[str]:
    """'module.function' of each nnviz frame, outermost first (this script's own excluded)."""
    out = []
    for f in stack:
        if f.filename.startswith(ROOT):
            mod = os.path.relpath(f.filename, ROOT)[:-3].replace(os.sep, ".")
            out.append(f"{mod}.{f.name}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--field", choices=("lr", "beta1"), default="lr")
    field = parser.parse_args().field
    preset, value = {"lr": ("xor", 0.02), "beta1": ("spiral", 0.8)}[field]
    app = make_application([])
    w = MainWindow(config=PRESETS[preset])
    w.show()
    app.processEvents()
    seen: dict[str, list[str]] = {}
    done = threading.Event()

    original = optimizers.Optimizer.__setattr__

    def watch(self, name, value):
        if name == field and "optimizer" not in seen and hasattr(self, field):
            seen["optimizer"] = nnviz_frames(traceback.extract_stack()[:-1])
            done.set()
        original(self, name, value)

    worker = w.controller.worker
    submit = type(worker).submit

    def traced_submit(self, **changes):
        if "gui" not in seen:
            seen["gui"] = nnviz_frames(traceback.extract_stack()[:-1]) + [
                f"nnviz.gui.worker.{type(self).__name__}.submit"]
        return submit(self, **changes)

    optimizers.Optimizer.__setattr__ = watch
    type(worker).submit = traced_submit
    try:
        box = getattr(w.controls, field, None) or w.controls.fields[field].widget
        box.setValue(value)
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: done.is_set() and loop.quit())
        timer.start(5)
        QTimer.singleShot(5000, loop.quit)
        loop.exec()
    finally:
        optimizers.Optimizer.__setattr__ = original
        type(worker).submit = submit
    gui, opt = seen.get("gui", []), seen.get("optimizer", [])
    # the worker's loop (run) is not a hop: it was waiting; count from the call that applies it
    opt = [f for f in opt if not f.endswith(".run")]
    print("GUI thread (spin box -> hand-off):")
    for f in gui:
        print("   ", f)
    print(f"worker thread (hand-off -> optimiser.{field}):")
    for f in opt:
        print("   ", f)
    print(f"calls from the spin box's valueChanged to the optimiser: {len(gui) + len(opt)}")
    w.close()


if __name__ == "__main__":
    main()
