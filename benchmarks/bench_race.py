"""Optimiser race speed: prints figures (not a test).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_race.py [steps]

1. Headless: ``Race.advance`` of spiral with sgd, momentum and adam (lockstep, paths
   recorded) against three ordinary ``trainer.run`` calls of the same steps. Target: >= 0.8.
2. The plane (SVD of the paths) and the landscape (41 x 41 forward passes) at the end.
3. The race window: the same race in its worker thread, drawn live at ~15 frames/s (plane
   and landscape refitted as it goes), against the headless race. Target: >= 0.5 (the GUI
   keeps a core; the worker's BLAS runs one thread).
4. One ``RacePlots.show_view`` + repaint of the finished race. Target: <= 33 ms.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from nnviz.experiment import PRESETS, build  # noqa: E402
from nnviz.race import Race, racer_configs  # noqa: E402

STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
HEADLESS_CPU = WINDOW_CPU = 0.0
CONFIGS = racer_configs(PRESETS["spiral"], ["sgd", "momentum", "adam"])


def ordinary() -> float:
    t0 = time.perf_counter()
    for c in CONFIGS:
        build(c).trainer.run(STEPS)
    return time.perf_counter() - t0


def headless():
    race = Race(CONFIGS)
    t0, c0 = time.perf_counter(), time.process_time()
    race.advance(STEPS)
    took = time.perf_counter() - t0
    global HEADLESS_CPU
    HEADLESS_CPU = time.process_time() - c0
    t0 = time.perf_counter()
    plane = race.plane()
    t_plane = time.perf_counter() - t0
    t0 = time.perf_counter()
    land = race.landscape(plane)
    t_land = time.perf_counter() - t0
    return race, took, t_plane, t_land, race.view(plane, land, final=True, finished=True)


def window(app) -> float:
    from nnviz.gui.race_window import RaceWindow

    w = RaceWindow(PRESETS["spiral"])
    w.resize(1280, 720)
    w.show()
    w.steps.setValue(STEPS)
    t0, c0 = time.perf_counter(), time.process_time()
    w.start()
    while not w.finished_message:
        app.processEvents()
        time.sleep(0.002)
    took = time.perf_counter() - t0
    global WINDOW_CPU
    WINDOW_CPU = time.process_time() - c0
    w.close()
    return took


def main() -> None:
    app = QApplication.instance() or QApplication([])
    t_ord = ordinary()
    race, t_race, t_plane, t_land, view = headless()
    print(f"1. {STEPS} steps x 3 racers: ordinary runs {t_ord:.2f} s, race {t_race:.2f} s "
          f"-> ratio {t_ord / t_race:.2f} (target >= 0.8)")
    print(f"2. plane (SVD of {sum(len(r.path) for r in race.racers)} points x "
          f"{race.origin.size} parameters) {1000 * t_plane:.1f} ms, landscape 41x41 "
          f"{1000 * t_land:.0f} ms")
    t_win = window(app)
    print(f"3. race window: {t_win:.2f} s -> ratio to headless {t_race / t_win:.2f} "
          f"(target >= 0.5); CPU time {WINDOW_CPU:.2f} s against {HEADLESS_CPU:.2f} s "
          f"headless (on a loaded machine the wall-time ratio mostly measures the load)")
    from nnviz.gui.race_view import RacePlots

    plots = RacePlots()
    plots.resize(1280, 600)
    plots.show()
    app.processEvents()
    times = []
    for _ in range(10):
        plots._landscape = None  # a new landscape each time: the dearest frame
        t0 = time.perf_counter()
        plots.show_view(view)
        plots.grab()
        times.append(time.perf_counter() - t0)
    times.sort()
    print(f"4. show_view + repaint of the finished race: median {1000 * times[5]:.1f} ms "
          f"(target <= 33 ms)")


if __name__ == "__main__":
    main()
