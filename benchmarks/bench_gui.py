"""GUI latency, throughput and panel frame rates while the app trains (offscreen; not a test).

For each preset in three modes at full speed (per-sample: batch 1; mini-batch: the preset's
batch or 32; full-batch) and one at the preset's own pace (``PRESET_PACE``: what a new user
sees; presets that open at full speed have no such row) it opens the main window, presses Play
and measures how late a 10 ms QTimer fires on the GUI thread (p50/p99), the steps/s trained and
how often each panel of the default layout is redrawn (frames/s: ``show_snapshot`` calls), and
the GUI thread's CPU time per second (column gui%: drawing and everything else; the window
keeps it under ``nnviz.gui.dispatch.BUDGET_BUSY`` at full speed, and it moves little when
other processes load the machine, unlike the frame rates and steps/s). The
same configuration trained headless (trainer.run in a plain loop, one thread as the worker; and
with all cores) gives the reference throughput. GUI and headless runs alternate (``--rounds``)
and each GUI run is compared with the headless run right after it: this machine is shared, and
its speed drifts over seconds.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gui.py [--seconds 0.8]
        [--rounds 5] [--presets xor] [--modes paced,mini-batch] [--baseline]
        [--show hiddenSpace]

The window hands snapshots to its panels through ``SnapshotDispatcher`` (one panel per
event-loop turn, adaptive rate); ``--baseline`` measures the earlier way, every panel on every
snapshot. ``--why`` prints under each full-speed row where the dispatcher's time went
(``SnapshotDispatcher.stats`` over the measured seconds): ms waited per update for the worker to
park and the share of updates drawn with it computing on, seconds per second of gaps the budget
set and of waits for a panel's next frame (the FPS cap), turns that found nothing to draw until
the next snapshot, the GUI thread's CPU share in panel updates and outside them (``base``), and
which bound: the FPS cap if the dispatcher waited beyond the budget's gaps for a panel's next
frame, the snapshots if many turns found nothing new, else the budget. function-fit per-sample
runs at lr 1e-4 (at its preset lr it diverges within a few steps); a run that stops is
reported, not rated.

Goals: p99 lateness <= 30 ms in every mode; at full speed GUI throughput >= 70% of headless and
every visible panel >= 10 frames/s; at the preset's pace every visible panel >= 20 frames/s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from time import thread_time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNVIZ_SETTINGS", os.path.join(tempfile.mkdtemp(), "bench.ini"))

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from nnviz.engine.parallel import get_threads, set_threads  # noqa: E402
from nnviz.experiment import PRESET_PACE, PRESETS, build  # noqa: E402
from nnviz.gui.app import make_application  # noqa: E402
from nnviz.gui.main_window import MainWindow  # noqa: E402

#: per-sample lr for presets whose own lr diverges at batch 1
PER_SAMPLE_LR = {"function-fit": 1e-4}
#: the panels of the default layout, as columns (object name, heading)
PANEL_COLUMNS = (("networkDiagram", "net"), ("errorCurve", "err"), ("vectors", "vec"),
                 ("heatmaps", "heat"))
#: goals in frames/s per visible panel: at full speed, at the preset's pace
FPS_GOAL = {"full": 10.0, "paced": 20.0}


def modes(name: str) -> dict:
    """mode -> (batch size, steps/s or None: as fast as possible)."""
    config = PRESETS[name]
    mini = config.batch_size if config.batch_size not in (None, 1) else 32
    out = {}
    if PRESET_PACE.get(name):
        out["paced"] = (config.batch_size, PRESET_PACE[name])
    out.update({"per-sample": (1, None), "mini-batch": (mini, None),
                "full-batch": (None, None)})
    return out


def mode_config(name: str, batch):
    config = PRESETS[name].replace(batch_size=batch)
    if batch == 1 and name in PER_SAMPLE_LR:
        config = config.replace(lr=PER_SAMPLE_LR[name])
    return config


def headless_rate(config, seconds: float, threads: int | None) -> float:
    """Steps/s of trainer.run in a plain loop (threads None: the process default, BLAS on
    every core). The BLAS limit is process-wide: it is put back as it was (the worker's one
    thread; setting it to every core afterwards ran the GUI rounds after the first with the
    worker's BLAS on two threads, which the app never does: function-fit's 10,000-row
    matrices then spun a second BLAS thread beside the GUI thread)."""
    saved = get_threads()
    if threads is not None:
        set_threads(threads)
    blas = threadpool_limits(limits=threads or os.cpu_count() or 1, user_api="blas")
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
        blas.restore_original_limits()


def run_loop(ms: int) -> None:
    """Run the Qt event loop for ``ms`` milliseconds (timers, paints, snapshots)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class EveryPanelWindow(MainWindow):
    """The baseline: every visible panel redrawn on every snapshot, in one GUI-thread task."""

    def _on_snapshot(self, snap) -> None:
        if snap.walk is not None:  # (step-through: not measured here)
            return
        for key, panel in self.panels.items():
            if self.docks[key].isVisible() or self.docks[key].isFloating():
                self._call_panel(key, panel.show_snapshot, snap)
        self._on_snapshot_status(snap)


def count_frames(window) -> dict[str, list[int]]:
    """name -> [show_snapshot calls]: wraps each panel's entry point (any dispatcher)."""
    counts = {}
    for name, panel in window.panels.items():
        counts[name] = box = [0]

        def counted(snapshot, fn=panel.show_snapshot, box=box):
            box[0] += 1
            return fn(snapshot)

        panel.show_snapshot = counted
    return counts


def paired_runs(app, config, seconds: float, rounds: int, window_class=MainWindow,
                speed: float | None = None, show=()):
    """Training in the app and headless, alternating ``rounds`` times in one window (a shared
    machine's load comes and goes over seconds: each GUI run is compared with the headless run
    right after it). Returns (lateness samples in ms of a 10 ms timer while training, GUI
    steps/s per round or None if training stopped, headless steps/s per round, panel
    updates/s, name -> frames/s of each panel, the GUI thread's CPU s per s, the dispatcher's
    ``stats`` per s of the measured time, with ``updates`` per s); ``show``:
    panels whose tabs are brought to the front (hiding the tab they share a dock area with)."""
    window = window_class(config=config)
    window.show()
    for key in show:
        window.docks[key].raise_()
    app.processEvents()
    window.controller.set_speed(speed)
    frames = count_frames(window)
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
    guis, heads, updates, measured, gui_cpu = [], [], 0, 0.0, 0.0
    stats = dict.fromkeys(getattr(dispatcher, "stats", {}), 0.0)
    drawn = dict.fromkeys(frames, 0)
    for _ in range(rounds):
        window.controller.play()
        run_loop(200)  # warm-up: the worker starts, slices adapt
        steps0, start = trainer.step_count, time.perf_counter()
        updates0 = dispatcher.updates
        stats0 = dict(getattr(dispatcher, "stats", {}))
        frames0 = {name: box[0] for name, box in frames.items()}
        last[0] = 0
        clock.start()
        timer.start()
        cpu0 = thread_time()
        run_loop(int(seconds * 1000))
        timer.stop()
        elapsed = time.perf_counter() - start
        cpu = thread_time() - cpu0
        if trainer.stopped:
            guis.append(None)
            break
        guis.append((trainer.step_count - steps0) / elapsed)
        updates += dispatcher.updates - updates0
        for key in stats:
            stats[key] += dispatcher.stats[key] - stats0[key]
        for name, box in frames.items():
            drawn[name] += box[0] - frames0[name]
        measured += elapsed
        gui_cpu += cpu
        window.controller.pause()
        window.controller.wait_idle()
        run_loop(50)
        heads.append(headless_rate(config, seconds, threads=1))
    window.close()
    app.processEvents()
    fps = {name: (n / measured if measured else float("nan")) for name, n in drawn.items()}
    per_s = (lambda n: n / measured) if measured else (lambda n: float("nan"))
    why = {key: per_s(v) for key, v in stats.items()}
    why["updates"] = per_s(updates)
    return (late or [0.0]), guis, heads, per_s(updates), fps, per_s(gui_cpu), why


def why_line(why: dict, gui_cpu: float) -> str:
    """Where the dispatcher's time went over a row (per s of training; ``--why``)."""
    n = max(why["updates"], 1e-9)
    starved = why["starved"] / max(why["turns"], 1e-9)
    binds = ("snapshots" if starved > 0.10 else "fps cap" if why["fps"] > 0.05
             else "budget")
    return (f"{'':27s}why: park {why['park'] / n * 1e3:4.1f} ms/upd "
            f"({why['unparked'] / n:4.0%} unparked), gaps s/s: budget {why['budget']:.2f} "
            f"fps {why['fps']:.2f}, starved turns {why['starved'] / max(why['turns'], 1):4.0%}, "
            f"draw cpu {why['drawn_cpu']:4.1%} + base {gui_cpu - why['drawn_cpu']:4.1%}, "
            f"late {why['late'] / max(why['turns'], 1) * 1e3:.1f} ms/turn -> {binds}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.8)
    parser.add_argument("--rounds", type=int, default=5,
                        help="GUI and headless runs alternate this many times per row; the "
                        "median of the paired ratios is reported")
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--modes", default="paced,per-sample,mini-batch,full-batch")
    parser.add_argument("--baseline", action="store_true",
                        help="MainWindow as it is (no SnapshotDispatcher)")
    parser.add_argument("--show", default="",
                        help="panels (object names, e.g. hiddenSpace) whose tabs are brought "
                        "to the front; their frames/s become columns too")
    parser.add_argument("--why", action="store_true",
                        help="under each full-speed row: which constraint bound the frame rate")
    args = parser.parse_args()
    show = tuple(k for k in args.show.split(",") if k)
    columns = PANEL_COLUMNS + tuple((k, k[:5]) for k in show)
    window_class = EveryPanelWindow if args.baseline else MainWindow
    wanted = args.modes.split(",")
    app = make_application()
    print(f"cores: {os.cpu_count()}, {args.rounds} x {args.seconds:g} s per measurement, "
          "10 ms timer; panel columns: frames/s of each panel in the default layout")
    fps_head = " ".join(f"{h:>5s}" for _, h in columns)
    head = (f"{'preset':14s} {'mode':11s} {'p50 ms':>7s} {'p99 ms':>7s} {'max ms':>7s} "
            f"{'GUI st/s':>10s} {'1-thr st/s':>10s} {'all st/s':>10s} {'vs 1-thr':>8s} "
            f"{'vs all':>7s} {'gui%':>5s} {'upd/s':>6s} {fps_head}")
    print(head)
    print("-" * len(head))
    worst_p99, worst_ratio = 0.0, 9.9
    worst_fps = {"full": float("inf"), "paced": float("inf")}
    for name in args.presets.split(","):
        for mode, (batch, speed) in modes(name).items():
            if mode not in wanted:
                continue
            config = mode_config(name, batch)
            late, guis, ones, upd, fps, gui_cpu, why = paired_runs(
                app, config, args.seconds, args.rounds, window_class, speed, show)
            late = np.asarray(late)
            p50, p99, mx = np.percentile(late, 50), np.percentile(late, 99), late.max()
            worst_p99 = max(worst_p99, p99)
            if any(g is None for g in guis):
                print(f"{name:14s} {mode:11s} {p50:7.1f} {p99:7.1f} {mx:7.1f} "
                      f"training stopped (diverged or a stop condition): no rate", flush=True)
                continue
            panel_fps = [fps.get(key, float("nan")) for key, _ in columns]
            kind = "full" if speed is None else "paced"
            worst_fps[kind] = min(worst_fps[kind], *panel_fps)
            fps_text = " ".join(f"{f:5.1f}" for f in panel_fps)
            gui = np.median(guis)
            if speed is not None:  # paced: the worker rests, the reference is the pace
                print(f"{name:14s} {mode:11s} {p50:7.1f} {p99:7.1f} {mx:7.1f} {gui:10,.0f} "
                      f"{'pace ' + format(speed, ',.0f'):>21s} {'':10s} {gui / speed:8.0%} "
                      f"{'':7s} {gui_cpu:5.0%} {upd:6.1f} {fps_text}", flush=True)
                continue
            ratio = float(np.median(np.divide(guis, ones)))  # paired: each with its neighbour
            one = np.median(ones)
            full = headless_rate(config, args.seconds, threads=None)
            worst_ratio = min(worst_ratio, ratio)
            print(f"{name:14s} {mode:11s} {p50:7.1f} {p99:7.1f} {mx:7.1f} {gui:10,.0f} "
                  f"{one:10,.0f} {full:10,.0f} {ratio:8.0%} {gui / full:7.0%} {gui_cpu:5.0%} "
                  f"{upd:6.1f} {fps_text}", flush=True)
            if args.why and why.get("turns"):
                print(why_line(why, gui_cpu), flush=True)
    print(f"\nworst p99 lateness {worst_p99:.1f} ms (goal <= 30); worst GUI/headless(1 thread) "
          f"{worst_ratio:.0%} (goal >= 70%)")
    for kind, goal in FPS_GOAL.items():
        if worst_fps[kind] != float("inf"):
            print(f"slowest panel {'at full speed' if kind == 'full' else 'at the pace':14s} "
                  f"{worst_fps[kind]:.1f} frames/s (goal >= {goal:g})")


if __name__ == "__main__":
    main()
