"""Panel drawing speed, offscreen: prints figures (not a test).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_panels.py

1. Diagram repaint for [2, 64, 64, 64, 1] (8,384 connections) with new colours each frame:
   show_snapshot (all 8,384 recoloured) + a synchronous repaint of the view. The default view
   draws the strongest 704 (the issue's "wide layers show the strongest connections"), in each
   colouring; "all" draws every connection: by dL/dw most fade to the background colour and
   are culled, by weight ~7,500 lines are drawn, ~2 million pixel steps in a 1000 x 700 view,
   most of them under other lines. Target: median <= 8 ms.
   A paint is widget.grab(): a real render into a pixmap (a little pessimistic).
2. A full frame of the three panels during training (new snapshot, a new grid every 10th
   frame as the worker does), for function-fit, spiral and iris. Target: <= 33 ms.
3. The error panel's frame (show_snapshot + paint) once the history holds 1,000,000 steps
   (single-neuron, per-sample), 20 more steps per frame. Target: <= 10 ms.
4. The hidden space panel's update with each new snapshot: the plane's 1,920 grid-line rows
   and up to 1,000 training points carried through the hidden layers on the GUI thread
   (``nnviz.hidden_space.carry_plane``, float32), projected and drawn, + paint; at the last
   hidden layer (PCA of 64 neurons for function-fit) and mid-morph, with one BLAS thread as
   in the window. Target (issue 16): <= 8 ms on function-fit.
5. The distributions panel (issue 16): function-fit records every step, so each frame brings
   new bands (the worst case); its show_snapshot, and show_snapshot + paint, at the compact
   window's tab size, with the recorder full (~500 records) and with a pinned run.
   Target: <= 8 ms.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnviz.engine.parallel import set_blas_threads  # noqa: E402
from nnviz.experiment import PRESETS, build  # noqa: E402
from nnviz.gui.panels.diagram import NetworkDiagramPanel  # noqa: E402
from nnviz.gui.panels.distributions import DistributionsPanel  # noqa: E402
from nnviz.gui.panels.error_curve import ErrorCurvePanel  # noqa: E402
from nnviz.gui.panels.heatmaps import HeatmapsPanel  # noqa: E402
from nnviz.gui.panels.hidden_space import SUB, HiddenSpacePanel  # noqa: E402
from nnviz.gui.panels.vectors import VectorsPanel  # noqa: E402
from nnviz.hidden_space import carry_plane  # noqa: E402
from nnviz.snapshot import prediction_grid, run_info, take_snapshot  # noqa: E402


def snapshots(preset: str, n: int, steps: int = 2, grid_every: int = 10):
    exp = build(PRESETS[preset])
    out = []
    for k in range(n):
        exp.trainer.run(steps)
        grid = prediction_grid(exp) if k % grid_every == 0 else None
        out.append(take_snapshot(exp, grid=grid, with_activity=(k % grid_every == 0)))
    return exp, out


def paint(widget) -> None:
    """Force a real paint: render the widget tree into an image (offscreen repaint() may skip
    painting an unexposed window, which would flatter the figures)."""
    widget.grab()


def timed(fn, items) -> np.ndarray:
    times = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t)
    return np.array(times[3:]) * 1e3  # skip warm-up frames


def report(name: str, ms: np.ndarray, target: float | None = None) -> None:
    verdict = "" if target is None else ("  OK" if np.median(ms) <= target else "  SLOW")
    print(f"{name:58s} median {np.median(ms):6.2f} ms   p90 {np.percentile(ms, 90):6.2f} ms"
          + (f"   target <= {target:g} ms{verdict}" if target else ""))


def main() -> None:
    app = QApplication.instance() or QApplication([])
    exp, snaps = snapshots("function-fit", 40)
    diagram = NetworkDiagramPanel()
    diagram.resize(1000, 700)
    diagram.set_run(run_info(exp))
    diagram.show()
    app.processEvents()
    for budget, colour in (("auto", "grad"), ("auto", "weight"), ("auto", "change"),
                           ("all", "grad"), ("all", "weight")):
        diagram.budget_mode.setCurrentIndex(diagram.budget_mode.findData(budget))
        diagram.edge_mode.setCurrentIndex(diagram.edge_mode.findData(colour))
        ms = timed(lambda s: (diagram.show_snapshot(s), paint(diagram.view)), snaps)
        shown = "all 8,384" if budget == "all" else "the strongest 704"
        report(f"diagram [2,64,64,64,1], {shown} by {colour} "
               f"({diagram.edges.segment_count():,} not faded out)", ms, 8)
        ms = timed(lambda s: diagram.show_snapshot(s), snaps)
        report("  of which show_snapshot (colours, no paint)", ms)
    diagram.close()

    for preset in ("function-fit", "spiral", "iris"):
        exp, snaps = snapshots(preset, 40)
        panels = [NetworkDiagramPanel(), VectorsPanel(), HeatmapsPanel()]
        for p in panels:
            p.resize(700, 500)
            p.set_run(run_info(exp))
            p.show()
        app.processEvents()

        def frame(s, panels=panels):
            for p in panels:
                p.show_snapshot(s)
            for p in panels:
                paint(p)

        report(f"full frame, three panels, {preset}", timed(frame, snaps), 33)
        for p in panels:
            report(f"  {type(p).__name__}",
                   timed(lambda s, p=p: (p.show_snapshot(s), paint(p)), snaps))
            p.close()

    exp = build(PRESETS["single-neuron"])
    exp.trainer.run(1_000_000)
    snaps = []
    for _ in range(30):
        exp.trainer.run(20)
        snaps.append(take_snapshot(exp))
    panel = ErrorCurvePanel()
    panel.resize(760, 420)  # the error dock in the default window
    panel.set_run(run_info(exp))
    panel.show()
    app.processEvents()
    points = len(snaps[0].history["step_loss"]["step"])
    report(f"error panel, {snaps[0].step:,}-step history ({points:,} points)",
           timed(lambda s: (panel.show_snapshot(s), paint(panel)), snaps), 10)
    panel.close()

    hidden_space(app)
    distributions(app)


def hidden_space(app) -> None:
    set_blas_threads(1)  # as in the window: its training worker sets it for the process
    for preset in ("function-fit", "circles-bottleneck", "spiral"):
        bench_hidden_space(app, preset)


def cpu_timed(fn, items) -> np.ndarray:
    """Like ``timed`` in this thread's CPU time (ms): what the work costs, without the time a
    loaded machine keeps the thread waiting for a core."""
    times = []
    for item in items:
        t = time.thread_time()
        fn(item)
        times.append(time.thread_time() - t)
    return np.array(times[3:]) * 1e3


def bench_hidden_space(app, preset: str) -> None:
    exp, snaps = snapshots(preset, 40)
    panel = HiddenSpacePanel()
    panel.resize(700, 560)
    panel.set_run(run_info(exp))
    panel.show()
    app.processEvents()
    plane = panel._plane

    def update(s):
        panel.show_snapshot(s)
        paint(panel)

    for where, value in (("last hidden layer", panel.slider.maximum()),
                         ("mid-morph", panel.slider.maximum() - SUB // 2)):
        panel.slider.setValue(value)
        target = 8 if preset == "function-fit" else None
        report(f"hidden space, {preset}, {where}", timed(update, snaps), target)
        report("  the same in CPU time", cpu_timed(update, snaps), target)
    report("  the plot alone (show_snapshot + paint of the plot), CPU time",
           cpu_timed(lambda s: (panel.show_snapshot(s), paint(panel.view)), snaps))
    report("  of which carry_plane (the forward pass)",
           timed(lambda s: carry_plane(plane, s.weights, s.biases, s.activations), snaps))
    report("  of which show_snapshot (no paint)", timed(panel.show_snapshot, snaps))
    report("  slider move (morph only, + paint)",
           timed(lambda v: (panel.slider.setValue(v), paint(panel)),
                 [panel.slider.maximum() - (k % SUB) for k in range(40)]))
    heatmaps = HeatmapsPanel()  # for scale: the same frame of a panel that exists
    heatmaps.resize(700, 560)
    heatmaps.set_run(run_info(exp))
    heatmaps.show()
    app.processEvents()
    report(f"  beside it: the heatmaps panel's frame, {preset}",
           timed(lambda s: (heatmaps.show_snapshot(s), paint(heatmaps)), snaps))
    for p in (panel, heatmaps):
        p.close()


def distributions(app) -> None:
    exp = build(PRESETS["function-fit"].replace(dataset_params=(("grid", 30),)))
    exp.trainer.run(1200)  # the recorder has thinned twice: a record every 4 steps
    snaps = []
    for _ in range(40):
        exp.trainer.run(4)  # a new record in every frame
        snaps.append(take_snapshot(exp, with_activity=False))
    n = len(snaps[-1].distributions)
    for pinned in (False, True):
        panel = DistributionsPanel()
        panel.resize(330, 560)  # the distributions tab in a 1280x720 window
        panel.set_run(run_info(exp))
        if pinned:
            panel.show_snapshot(snaps[0])
            panel.pin()
        panel.show()
        app.processEvents()
        label = f"distributions, function-fit, {n} records" + (", a pinned run" if pinned else "")
        report(f"{label}: show_snapshot",
               timed(lambda s, p=panel: p.show_snapshot(s), snaps))
        panel.set_run(run_info(exp))
        if not pinned:
            panel.clear_pin()
        report("  show_snapshot + paint",
               timed(lambda s, p=panel: (p.show_snapshot(s), paint(p)), snaps), 8)
        panel.close()


if __name__ == "__main__":
    main()
