"""GUI latency and training throughput while the app trains at full speed (offscreen; not a test).

For each preset in three modes (per-sample: batch 1; mini-batch: the preset's batch or 32;
full-batch) it opens the main window, presses Play and measures how late a 10 ms QTimer fires
on the GUI thread (p50/p99), and the steps/s trained. The same configuration trained headless
(trainer.run in a plain loop, one thread as the worker; and with all cores) gives the reference
throughput. GUI and headless runs alternate (``--rounds``) and each GUI run is compared with the
headless run right after it: this machine is shared, and its speed drifts over seconds.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui.py [--seconds 0.8]
        [--rounds 5] [--presets xor] [--baseline]

The window hands snapshots to its panels through ``SnapshotDispatcher`` (one panel per
event-loop turn, adaptive rate); ``--baseline`` measures the earlier way, every panel on every
snapshot. function-fit per-sample runs at lr 1e-4 (at its preset lr it diverges within a few
steps); a run that stops is reported, not rated.

Goals: p99 lateness <= 30 ms in every mode; GUI throughput >= 70% of headless.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNVIZ_SETTINGS", os.path.join(tempfile.mkdtemp(), "bench.ini"))

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402

from nnviz.engine.parallel import get_threads, set_blas_threads, set_threads  # noqa: E402
from nnviz.experiment import PRESETS, build  # noqa: E402
from nnviz.gui.app import make_application  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402

#: per-sample lr for presets whose own lr diverges at batch 1
PER_SAMPLE_LR = {"function-fit": 1e-4}


def modes(config):
    mini = config.batch_size if config.batch_size not in (None, 1) else 32
    return {"per-sample": 1, "mini-batch": mini, "full-batch": None}


def mode_config(name: str, batch):
    config = PRESETS[name].replace(batch_size=batch)
    if batch == 1 and name in PER_SAMPLE_LR:
        config = config.replace(lr=PER_SAMPLE_LR[name])
    return config


def headless_rate(config, seconds: float, threads: int | None) -> float:
    """Steps/s of trainer.run in a plain loop (threads None: the process default)."""
    saved = get_threads()
    if threads is not None:
        set_threads(threads)
        set_blas_threads(threads)
    try:
        exp = build(config)
        t = exp.trainer
        k, steps, start = 1, 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            steps += t.run(k)
            if time.perf_counter() - t0 < 0.01:
                k *= 2
        return steps / (time.perf_counter() - start)
    finally:
        set_threads(saved)
        set_blas_threads(os.cpu_count() or 1)


def run_loop(ms: int) -> None:
    """Run the Qt event loop for ``ms`` milliseconds (timers, paints, snapshots)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class EveryPanelWindow(MainWindow):
    """The baseline: every visible panel redrawn on every snapshot, in one GUI-thread task."""

    def _on_snapshot(self, snap) -> None:
        if self.stepping.active:
            return
        for key, panel in self.panels.items():
            if self.docks[key].isVisible() or self.docks[key].isFloating():
                self._call_panel(key, panel.show_snapshot, snap)
        self._on_snapshot_status(snap)


def paired_runs(app, config, seconds: float, rounds: int, window_class=MainWindow):
    """Training in the app and headless, alternating ``rounds`` times in one window (a shared
    machine's load comes and goes over seconds: each GUI run is compared with the headless run
    right after it). Returns (lateness samples in ms of a 10 ms timer while training, GUI
    steps/s per round or None if training stopped, headless steps/s per round, panel
    updates/s)."""
    window = window_class(config=config)
    window.show()
    app.processEvents()
    late: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setTimerType(Qt.PreciseTimer)
    timer.setInterval(10)
    last = [0]

    def on_timeout():
        now = clock.nsecsElapsed()
        if last[0]:
            late.append(max(0.0, (now - last[0]) / 1e6 - 10.0))
        last[0] = now

    timer.timeout.connect(on_timeout)
    trainer = window.controller.experiment.trainer
    dispatcher = window.dispatcher  # (the baseline window never uses it: 0 updates)
    guis, heads, updates, measured = [], [], 0, 0.0
    for _ in range(rounds):
        window.controller.play()
        run_loop(200)  # warm-up: the worker starts, slices adapt
        steps0, start = trainer.step_count, time.perf_counter()
        updates0 = dispatcher.updates
        last[0] = 0
        clock.start()
        timer.start()
        run_loop(int(seconds * 1000))
        timer.stop()
        elapsed = time.perf_counter() - start
        if trainer.stopped:
            guis.append(None)
            break
        guis.append((trainer.step_count - steps0) / elapsed)
        updates += dispatcher.updates - updates0
        measured += elapsed
        window.controller.pause()
        window.controller.wait_idle()
        run_loop(50)
        heads.append(headless_rate(config, seconds, threads=1))
    window.close()
    app.processEvents()
    return (late or [0.0]), guis, heads, (updates / measured if measured else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.8)
    parser.add_argument("--rounds", type=int, default=5,
                        help="GUI and headless runs alternate this many times per row; the "
                        "median of the paired ratios is reported")
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--baseline", action="store_true",
                        help="MainWindow as it is (no SnapshotDispatcher)")
    args = parser.parse_args()
    window_class = EveryPanelWindow if args.baseline else MainWindow
    app = make_application()
    print(f"cores: {os.cpu_count()}, {args.rounds} x {args.seconds:g} s per measurement, "
          "10 ms timer")
    head = (f"{'preset':14s} {'mode':11s} {'p50 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} "
            f"{'GUI st/s':>10s} {'1-thr st/s':>10s} {'all st/s':>10s} {'vs 1-thr':>8s} "
            f"{'vs all':>7s} {'upd/s':>6s}")
    print(head)
    print("-" * len(head))
    worst_p99, worst_ratio = 0.0, 9.9
    for name in args.presets.split(","):
        for mode, batch in modes(PRESETS[name]).items():
            config = mode_config(name, batch)
            late, guis, ones, upd = paired_runs(app, config, args.seconds, args.rounds,
                                                window_class)
            late = np.asarray(late)
            p50, p99, mx = np.percentile(late, 50), np.percentile(late, 99), late.max()
            worst_p99 = max(worst_p99, p99)
            if any(g is None for g in guis):
                print(f"{name:14s} {mode:11s} {p50:7.1f} {p99:7.1f} {mx:7.1f} "
                      f"training stopped (diverged or a stop condition): no rate", flush=True)
                continue
            ratio = float(np.median(np.divide(guis, ones)))  # paired: each with its neighbour
            gui, one = np.median(guis), np.median(ones)
            full = headless_rate(config, args.seconds, threads=None)
            worst_ratio = min(worst_ratio, ratio)
            print(f"{name:14s} {mode:11s} {p50:7.1f} {p99:7.1f} {mx:7.1f} {gui:10,.0f} "
                  f"{one:10,.0f} {full:10,.0f} {ratio:8.0%} {gui / full:7.0%} {upd:6.1f}",
                  flush=True)
    print(f"\nworst p99 lateness {worst_p99:.1f} ms (goal <= 30); worst GUI/headless(1 thread) "
          f"{worst_ratio:.0%} (goal >= 70%)")


if __name__ == "__main__":
    main()
