"""What one panel update costs in the real window while it trains (offscreen; not a test).

Opens the main window at a size (default 1280x720, the compact layout, and 1680x1000, the
wide one), presses Play and, for ``--seconds``, times every update the ``SnapshotDispatcher``
makes (``show_snapshot`` + the synchronous paint), per panel: the GUI thread's CPU time
(``time.thread_time``: barely moved by other processes or by the worker's share of the GIL, so
before/after comparisons hold on a busy machine) and its wall time. The panel frame rates that
``bench_gui.py`` reports are these costs divided into the dispatcher's budget.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_frames.py [--presets xor,spiral]
        [--sizes 1280x720,1680x1000] [--pace 40 | --full] [--seconds 3] [--show hiddenSpace]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNVIZ_SETTINGS", os.path.join(tempfile.mkdtemp(), "bench.ini"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from nnviz.experiment import PRESET_PACE, PRESETS  # noqa: E402
from nnviz.gui.app import make_application  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402


def run_loop(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def measure(preset: str, size: tuple[int, int], pace: float | None, seconds: float,
            show=()) -> dict[str, tuple[list[float], list[float]]]:
    """name -> (CPU ms, wall ms) of each dispatcher update of that panel."""
    window = MainWindow(config=PRESETS[preset])
    window.resize(*size)
    window.show()
    for key in show:
        window.docks[key].raise_()
    run_loop(300)  # the layout settles
    window.controller.set_speed(pace)
    dispatcher = window.dispatcher
    samples: dict[str, tuple[list[float], list[float]]] = {}
    update = dispatcher._update

    def timed(name, *args, **kwargs):
        c0, w0 = time.thread_time(), time.perf_counter()
        cost = update(name, *args, **kwargs)
        cpu, wall = samples.setdefault(name, ([], []))
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        return cost

    window.controller.play()
    run_loop(300)  # warm-up (first frames build items)
    dispatcher._update = timed
    run_loop(int(seconds * 1000))
    dispatcher._update = update
    window.controller.pause()
    window.controller.wait_idle()
    window.close()
    return samples


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presets", default="xor,spiral,circles,function-fit,iris")
    p.add_argument("--sizes", default="1280x720,1680x1000")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--full", action="store_true", help="train as fast as possible")
    p.add_argument("--pace", type=float, default=None,
                   help="steps/s (default: the preset's own pace)")
    p.add_argument("--show", default="", help="panels whose tabs are brought to the front")
    a = p.parse_args()
    app = make_application()  # noqa: F841 (kept alive)
    show = tuple(k for k in a.show.split(",") if k)
    print(f"{'preset':14s} {'size':10s} {'panel':18s} {'n':>4s} {'CPU ms':>7s} {'p90':>6s} "
          f"{'wall ms':>8s} {'p90':>6s}")
    for preset in a.presets.split(","):
        pace = None if a.full else (a.pace or PRESET_PACE.get(preset) or 40.0)
        for size in a.sizes.split(","):
            w, h = (int(v) for v in size.split("x"))
            samples = measure(preset, (w, h), pace, a.seconds, show)
            total = 0.0
            for name, (cpu, wall) in sorted(samples.items()):
                cpu_s, wall_s = sorted(cpu), sorted(wall)
                med = statistics.median(cpu_s)
                total += med
                print(f"{preset:14s} {size:10s} {name:18s} {len(cpu):4d} {med:7.2f} "
                      f"{cpu_s[int(0.9 * (len(cpu_s) - 1))]:6.2f} "
                      f"{statistics.median(wall_s):8.2f} "
                      f"{wall_s[int(0.9 * (len(wall_s) - 1))]:6.2f}", flush=True)
            print(f"{preset:14s} {size:10s} {'sum of medians':18s} {'':4s} {total:7.2f}"
                  f"   ({'full speed' if pace is None else f'pace {pace:g}/s'})", flush=True)


if __name__ == "__main__":
    main()
