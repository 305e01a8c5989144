"""Memory over a long run of the app training at full speed (offscreen; not a test).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_memory.py [--minutes 10]
        [--preset xor] [--batch 1] [--every 30]

Opens the main window with every panel shown, presses Play and samples, every ``--every``
seconds: steps trained, the process's resident memory (RSS), Python's live objects and the
number of panel updates. Per-sample xor runs millions of steps in ten minutes, so every
per-step structure (history, snapshots, the inspector's path, pyqtgraph items) is exercised.

Goal: memory flat over a 10-minute run. The verdict compares the RSS after the first minute
(caches, fonts and buffers have settled) with the RSS at the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNVIZ_SETTINGS", os.path.join(tempfile.mkdtemp(), "bench.ini"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from nnviz.experiment import PRESETS  # noqa: E402
from nnviz.gui.app import make_application  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402

#: RSS growth after the first minute below this counts as flat (allocator noise)
FLAT_MB = 10.0


def rss_mb() -> float:
    """Current resident memory in MB (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def probe(window, trainer, elapsed: float) -> tuple:
    """(minutes, steps, RSS MB, live objects, panel updates), with the worker parked between
    slices: ``gc.get_objects()`` hands out references to every tracked object, and one taken
    while the worker builds a tuple from a generator makes CPython fail that build
    ("SystemError: Objects/tupleobject.c: bad argument to internal function")."""
    controller = window.controller
    controller.set_gui_busy(True)
    try:
        if not controller.worker.parked.wait(5.0):
            raise RuntimeError("the worker did not park within 5 s")
        gc.collect()
        return (elapsed / 60, trainer.step_count, rss_mb(), len(gc.get_objects()),
                window.dispatcher.updates)
    finally:
        controller.set_gui_busy(False)


def run_loop(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--preset", default="xor", choices=list(PRESETS))
    parser.add_argument("--batch", type=int, default=1, help="batch size (0: the preset's)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    args = parser.parse_args()
    config = PRESETS[args.preset]
    if args.batch:
        config = config.replace(batch_size=args.batch)

    app = make_application()
    window = MainWindow(config=config)
    window.show()
    run_loop(500)
    trainer = window.controller.experiment.trainer
    print(f"{args.preset}, batch {config.batch_size}, {args.minutes:g} min, all panels shown")
    print(f"{'min':>6s} {'steps':>13s} {'RSS MB':>8s} {'objects':>9s} {'panel upd':>10s}")
    window.controller.play()
    start = time.perf_counter()
    samples = []
    while True:
        elapsed = time.perf_counter() - start
        row = probe(window, trainer, elapsed)
        samples.append(row)
        print(f"{row[0]:6.1f} {row[1]:13,d} {row[2]:8.1f} {row[3]:9,d} {row[4]:10,d}",
              flush=True)
        if elapsed >= args.minutes * 60 or trainer.stopped:
            break
        if len(samples) > 1 and row[1] == samples[-2][1]:
            raise SystemExit(f"training made no progress since step {row[1]:,} (a worker "
                             "error?): the run is not valid")
        run_loop(int(min(args.every, args.minutes * 60 - elapsed + 0.05) * 1000))
    window.controller.pause()
    window.close()
    app.processEvents()

    settled = min(samples, key=lambda s: abs(s[0] - 1.0))  # the sample nearest minute 1
    end = samples[-1]
    growth = end[2] - settled[2]
    minutes = max(end[0] - settled[0], 1e-9)
    verdict = "flat" if growth <= FLAT_MB else "GROWING"
    print(f"\nRSS {settled[2]:.1f} MB at {settled[0]:.1f} min -> {end[2]:.1f} MB at "
          f"{end[0]:.1f} min: {growth:+.1f} MB ({growth / minutes:+.2f} MB/min), "
          f"objects {end[3] - settled[3]:+,d}; {verdict} (goal: within {FLAT_MB:g} MB)")


if __name__ == "__main__":
    main()
