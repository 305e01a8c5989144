"""Startup: time from launching ``nnviz`` to its first painted window, against a bare window.

Each run is a fresh interpreter, timed from just before the parent starts it to the end of the
window's first paint (the first Paint event, then one event-loop turn so every widget of that
frame is drawn). The peer is the least a PySide6 + pyqtgraph program can do: a QMainWindow
holding one PlotWidget. Runs alternate between the two so the machine's load hits both alike.

The probe (an event filter on the application, watching for that first Paint) is installed in
both children right after their window's ``show()`` (``QMainWindow.show`` wrapped): the first
paint can only come later (the platform's expose event is queued, handled by the event loop).
A Python event filter costs ~3-4 us for every event of every object; installed before the
window was built, it also saw the ~7,900 events of building and showing nnviz's ~530 widgets
(the bare window's: ~1,100) and charged nnviz ~35 ms of CPU that a real launch, without the
probe, never spends. Otherwise the nnviz child is the ``nnviz`` command's own script
(``from nnviz.cli import main``), importing what the command imports in its order.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_startup.py [--runs 7] [--preset xor]

Goal (issue 13): nnviz at most 1.5x the bare window's time. Wall time swings with the machine's
load; CPU time barely does, and is printed beside it: the process's, and its main (GUI)
thread's, which makes the first frame. The bare window's process also runs OpenBLAS's second
thread, which spins ~50-100 ms of CPU on another core after numpy's import (nnviz loads
OpenBLAS with one thread: ``nnviz.blas_env``): on a quiet machine that costs the bare window
no wall time, so the GUI thread's CPU ratio follows the wall ratio and the process's does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Shared by both children: report the time of the first fully painted frame, then leave at once.
# The probe is set up once the program has imported PySide6.QtWidgets (a finder wraps that
# module's loader), so each child imports what it imports in its own order.
FIRST_PAINT = """
import importlib.abc, importlib.util, os, resource, sys, time
T0 = float(sys.argv[1])

def watch_windows():
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaint(QObject):
        seen = False
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and not self.seen:
                self.seen = True
                QTimer.singleShot(0, self.report)
            return False
        def report(self):
            r = resource.getrusage(resource.RUSAGE_SELF)
            print(f"{time.time() - T0:.6f} {r.ru_utime + r.ru_stime:.6f} {time.thread_time():.6f}",
              flush=True)
            os._exit(0)

    first_paint = FirstPaint(QApplication.instance())
    show = QMainWindow.show

    def show_watched(window):  # the first paint after a window's show() is reported
        show(window)
        QApplication.instance().installEventFilter(first_paint)

    QMainWindow.show = show_watched

class ThenWatch(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader
    def create_module(self, spec):
        return self.loader.create_module(spec)
    def exec_module(self, module):
        self.loader.exec_module(module)
        watch_windows()

class WhenWidgetsLoad(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "PySide6.QtWidgets":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        spec.loader = ThenWatch(spec.loader)
        return spec

sys.meta_path.insert(0, WhenWidgetsLoad())
"""

BARE = FIRST_PAINT + """
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication([sys.argv[0]])
window = QMainWindow()
plot = pg.PlotWidget()
plot.plot([0, 1, 2], [0, 1, 0])
window.setCentralWidget(plot)
window.resize(1280, 720)
window.show()
app.exec()
"""

NNVIZ = FIRST_PAINT + """
from nnviz.cli import main
sys.exit(main(sys.argv[2:]))
"""


def one_run(code: str, args: list[str], env: dict) -> tuple[float, float, float]:
    """(wall s from launch to the first painted frame, CPU s the process used by then, CPU s
    its main thread used)."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, repr(start), *args], env=env,
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0 or not out.stdout.strip():
        raise SystemExit(f"bench_startup: a run failed ({out.returncode}): "
                         f"{out.stderr.strip()[-400:]}")
    wall, cpu, main_cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu), float(main_cpu)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--preset", default=None, help="nnviz --preset (default: the app's own)")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # a clean user: no remembered configuration, no autosave to offer
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": os.path.join(home, "config"),
               "XDG_DATA_HOME": os.path.join(home, "data"),
               "XDG_CACHE_HOME": os.path.join(home, "cache")}
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        # an installed nnviz runs from compiled bytecode (pip writes it); without it every
        # launch here compiled nnviz's ~70 modules again (~0.4 s): the warm-up run writes it
        # (and, as a person's first start does, the code of nnviz's dataclasses to the user's
        # cache folder: nnviz.dataclass_cache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        args = ["--preset", a.preset] if a.preset else []
        one_run(BARE, [], env), one_run(NNVIZ, args, env)  # warm the file cache
        bare, app = [], []
        for _ in range(a.runs):
            bare.append(one_run(BARE, [], env))
            app.append(one_run(NNVIZ, args, env))
    print(f"platform {env['QT_QPA_PLATFORM']}, {a.runs} alternating runs each, median (min-max)")
    print(f"{'':31s} {'wall ms':19s} {'CPU ms, process':19s} CPU ms, GUI thread")
    rows = (("bare PySide6+pyqtgraph window", bare), ("nnviz to a painted window", app))
    for name, runs in rows:
        cells = []
        for k in (0, 1, 2):
            v = [r[k] * 1000 for r in runs]
            cells.append(f"{statistics.median(v):6.0f} ({min(v):.0f}-{max(v):.0f})")
        print(f"{name:31s} {cells[0]:19s} {cells[1]:19s} {cells[2]}")
    ratio = [statistics.median(r[k] for r in app) / statistics.median(r[k] for r in bare)
             for k in (0, 1, 2)]
    print(f"{'ratio nnviz / bare':31s} {ratio[0]:6.2f}{'':13s} {ratio[1]:6.2f}{'':13s} "
          f"{ratio[2]:6.2f}   (goal <= 1.5)")


if __name__ == "__main__":
    main()
