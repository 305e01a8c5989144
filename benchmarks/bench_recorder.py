"""The run recorder's memory over a long function-fit run, and its cost per frame (not a test).

    .venv/bin/python benchmarks/bench_recorder.py [--offers 3000] [--steps-between 2]
        [--budget-mb 200] [--preset function-fit] [--gui]

Trains ``--preset`` headless and offers the recording a snapshot every ``--steps-between``
steps, made as the GUI's worker makes them (``nnviz.gui.worker``: weights, gradients and the
sample every time; the prediction grid, activity and fit fresh every GRID_EVERY-th snapshot
and shared in between). That is what ~20 snapshots/s of a window training flat out give the
recorder; ``--offers`` 3000 is 150 s of such a window. Prints, as the run goes: frames kept,
the gap in steps, the recorder's byte count and the memory the recording really holds
(tracemalloc: numpy reports its buffers to it). At the end: bytes per frame with and without
the loss history, microseconds per ``offer`` (the GUI thread's cost per snapshot) and per
``frame(i)`` (a replay, per slider move), and whether the bound held. ``--gui`` also times
the window's ``Timeline.record`` per kept snapshot (offer, slider and label; offscreen).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import time
import tracemalloc

import numpy as np

from nnviz.experiment import PRESETS, build
from nnviz.recorder import Recording, snapshot_nbytes
from nnviz.snapshot import prediction_grid, take_snapshot

#: the worker refreshes the grid and activity every GRID_INTERVAL / PUBLISH_BUSY
#: snapshots when training flat out (0.2 s / 0.05 s)
GRID_EVERY = 4
#: passes over the kept frames when timing offer and replay (the best one counts)
REPEATS = 5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="function-fit")
    ap.add_argument("--offers", type=int, default=3000)
    ap.add_argument("--steps-between", type=int, default=2)
    ap.add_argument("--budget-mb", type=float, default=200.0)
    ap.add_argument("--gui", action="store_true", help="also time the window's timeline")
    args = ap.parse_args()
    if args.gui:
        gui_cost(args.preset)

    exp = build(PRESETS[args.preset])
    budget = int(args.budget_mb * 2**20)
    exp.trainer.run(args.steps_between)  # the trainer's buffers exist before the baseline
    take_snapshot(exp, grid=prediction_grid(exp))
    tracemalloc.start()
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    rec = Recording(generation=0, budget=budget)
    made_s, grid, activity = 0.0, None, None
    with_history = without = 0
    for k in range(args.offers):
        exp.trainer.run(args.steps_between)
        t0 = time.perf_counter()
        fresh = k % GRID_EVERY == 0
        if fresh:
            grid = prediction_grid(exp)
        snap = take_snapshot(exp, grid=grid, with_activity=fresh)
        if fresh:
            activity = (snap.mean_activation, snap.dead, snap.saturated, snap.fit)
        else:
            mean, dead, saturated, fit = activity
            snap = dataclasses.replace(snap, mean_activation=mean, dead=dead,
                                       saturated=saturated, fit=fit)
        made_s += time.perf_counter() - t0
        rec.offer(snap)
        if k == args.offers - 1:
            with_history, without = snapshot_nbytes(snap), snapshot_nbytes(snap, False)
        del snap
        if (k + 1) % max(1, args.offers // 10) == 0:
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - base
            print(f"offer {k + 1:6d}  step {exp.trainer.step_count:7d}  frames {len(rec):5d}  "
                  f"gap {rec.gap:5d}  recorder {rec.nbytes / 2**20:7.1f} MB  "
                  f"held {held / 2**20:7.1f} MB", flush=True)
    peak = tracemalloc.get_traced_memory()[1] - base
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    kept = rec.frames
    rec_bytes, rec_len, rec_gap, thinnings, steps = (rec.nbytes, len(rec), rec.gap,
                                                     rec.thinnings, np.diff(rec.steps))
    history = rec.history
    del rec
    held -= base
    tracemalloc.stop()
    # costs with tracemalloc off (it slows every allocation): offer the kept frames again,
    # the best of REPEATS passes (a loaded 2-core machine's descheduling inflates a mean)
    offer_s = replay_s = float("inf")
    for _ in range(REPEATS):
        again = Recording(generation=0, budget=budget)
        t0 = time.perf_counter()
        for frame in kept:
            again.offer(dataclasses.replace(frame, history=history))
        offer_s = min(offer_s, (time.perf_counter() - t0) / len(kept))
        t0 = time.perf_counter()
        for i in range(len(again)):
            again.frame(i)
        replay_s = min(replay_s, (time.perf_counter() - t0) / len(again))
    print(f"\n{args.preset}: {args.offers} snapshots over {exp.trainer.step_count} steps, "
          f"budget {args.budget_mb:g} MB")
    print(f"frames kept {rec_len}, one every {rec_gap} steps (spacing min {steps.min()}, "
          f"max {steps.max()}), thinned {thinnings} times")
    print(f"recorder's count {rec_bytes / 2**20:.1f} MB; memory held since the start "
          f"(tracemalloc: frames, the trainer's history) {held / 2**20:.1f} MB, "
          f"peak {peak / 2**20:.1f} MB")
    print(f"one snapshot {with_history / 1024:.0f} kB, as a frame (no history) "
          f"{without / 1024:.0f} kB: {with_history / max(without, 1):.2f}x")
    print(f"per snapshot: offer {1e6 * offer_s:.0f} us on the GUI thread (making it in the "
          f"worker {1e3 * made_s / args.offers:.1f} ms, under tracemalloc); per replayed frame "
          f"{1e6 * replay_s:.0f} us")
    print(f"bound held: {'yes' if rec_bytes <= budget and held <= 1.1 * budget + 2**24 else 'NO'}"
          f" (recorder/budget {rec_bytes / budget:.2f}, held/budget {held / budget:.2f})")


def gui_cost(preset: str, n: int = 200) -> None:
    """Best-of-REPEATS microseconds of ``Timeline.record`` per kept snapshot in a window."""
    import os
    import timeit

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from nnviz.gui.app import make_application
    from nnviz.gui.main_window import MainWindow

    app = make_application()
    window = MainWindow(PRESETS[preset])
    window.resize(1280, 720)
    window.show()
    app.processEvents()
    snap = window.controller.snapshot
    snaps = [dataclasses.replace(snap, step=i + 1, weights=tuple(w.copy() for w in snap.weights))
             for i in range(n)]

    def record_all() -> None:
        window.timeline.start(window.controller.run, snap.generation)
        for s in snaps:
            window.timeline.record(s)

    best = min(timeit.repeat(record_all, number=1, repeat=REPEATS)) / n
    print(f"window: Timeline.record {1e6 * best:.0f} us per kept snapshot ({preset}); at 30 "
          f"snapshots/s {100 * 30 * best:.2f}% of the GUI thread")
    window.close()


if __name__ == "__main__":
    main()
