"""What one panel update costs for the same sequence of snapshots each run (offscreen; not a
test): less noisy than ``bench_frames.py``, whose worker trains at the machine's pace.

Opens the main window at a size, keeps the worker idle and trains the run itself, ``--steps``
steps between two snapshots (a fresh prediction grid and fit every other one, as the worker
sends them flat out), handing each snapshot to the panels shown as the dispatcher does
(``show_snapshot`` + the synchronous paint). Prints per panel the GUI thread's CPU ms of an
update (median, p90, mean) and of its paint alone; the first 5 updates are left out.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_replay.py [--preset xor]
        [--size 1680x1000] [--steps 1500] [--updates 60] [--panels errorCurve,vectors]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import replace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNVIZ_SETTINGS", os.path.join(tempfile.mkdtemp(), "bench.ini"))

from bench_frames import run_loop  # noqa: E402

from nnviz.experiment import PRESETS  # noqa: E402
from nnviz.gui.app import make_application  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402
from nnviz.snapshot import prediction_curve, prediction_grid, take_snapshot  # noqa: E402

SKIP = 5  # first updates left out (items built, ranges found)


def replay(preset: str, size: tuple[int, int], steps: int, updates: int, panels=()):
    """name -> (update CPU ms list, paint CPU ms list)."""
    window = MainWindow(config=PRESETS[preset])
    window.resize(*size)
    window.show()
    run_loop(400)
    d = window.dispatcher
    exp = window.controller.experiment
    names = list(panels) or [k for k in ("errorCurve", "heatmaps", "vectors", "networkDiagram")
                             if k in d.panels and d._visible(k)]
    cpu = {k: ([], []) for k in names}
    paint = d._paint

    def timed_paint(widget):
        t = time.thread_time()
        paint(widget)
        for k in names:
            if d.panels[k] is widget:
                cpu[k][1].append((time.thread_time() - t) * 1000)

    d._paint = timed_paint
    gen = window.controller.snapshot.generation
    grid = curve = fresh_parts = None
    for i in range(updates):
        exp.trainer.run(steps)
        fresh = i % 2 == 0
        if fresh:
            grid, curve = prediction_grid(exp), prediction_curve(exp)
        snap = take_snapshot(exp, grid=grid, generation=gen, curve=curve, with_activity=fresh)
        if fresh:
            fresh_parts = dict(mean_activation=snap.mean_activation, dead=snap.dead,
                               saturated=snap.saturated, fit=snap.fit,
                               current_loss=snap.current_loss)
        else:
            snap = replace(snap, **fresh_parts)
        d._latest = snap
        for k in names:
            t = time.thread_time()
            d._update(k)
            cpu[k][0].append((time.thread_time() - t) * 1000)
        run_loop(1)
    d._paint = paint
    window.close()
    return cpu


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="xor")
    p.add_argument("--size", default="1680x1000")
    p.add_argument("--steps", type=int, default=1500, help="training steps between snapshots")
    p.add_argument("--updates", type=int, default=60)
    p.add_argument("--panels", default="", help="panels to update (default: those shown)")
    a = p.parse_args()
    app = make_application()  # noqa: F841 (kept alive)
    size = tuple(int(v) for v in a.size.split("x"))
    panels = tuple(k for k in a.panels.split(",") if k)
    for name, (total, painted) in replay(a.preset, size, a.steps, a.updates, panels).items():
        total, painted = sorted(total[SKIP:]), sorted(painted[SKIP:])
        print(f"{a.preset:13s} {a.size:10s} {name:15s} n {len(total):3d}  CPU ms median "
              f"{statistics.median(total):5.2f} p90 {total[int(0.9 * (len(total) - 1))]:5.2f} "
              f"mean {statistics.mean(total):5.2f}   paint median "
              f"{statistics.median(painted):5.2f} mean {statistics.mean(painted):5.2f}",
              flush=True)


if __name__ == "__main__":
    main()
