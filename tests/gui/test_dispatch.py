"""SnapshotDispatcher with real panels: round-robin, skipping hidden or up-to-date panels."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnviz.experiment import PRESETS, build
from nnviz.gui.dispatch import (
    BUDGET_BUSY,
    BUDGET_IDLE,
    BUDGET_MIN,
    FPS_BUSY,
    FPS_IDLE,
    POLL_MS,
    SnapshotDispatcher,
)
from nnviz.gui.panels.diagram import NetworkDiagramPanel
from nnviz.gui.panels.error_curve import ErrorCurvePanel
from nnviz.gui.panels.heatmaps import HeatmapsPanel
from nnviz.gui.panels.vectors import VectorsPanel
from nnviz.snapshot import prediction_grid, run_info, take_snapshot

#: a top-level window on the offscreen platform warns about size hints
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def setup(qtbot):
    exp = build(PRESETS["xor"])
    host = QWidget()
    box = QVBoxLayout(host)
    panels = {"errorCurve": ErrorCurvePanel(), "networkDiagram": NetworkDiagramPanel(),
              "vectors": VectorsPanel(), "heatmaps": HeatmapsPanel()}
    for panel in panels.values():
        box.addWidget(panel)
    qtbot.addWidget(host)
    host.resize(800, 1600)
    host.show()
    qtbot.waitExposed(host)
    busy: list[bool] = []
    d = SnapshotDispatcher(panels, busy=busy.append, parent=host)
    d.set_run(run_info(exp))
    yield exp, panels, d, busy
    host.close()


def snapshot(exp, steps=10):
    exp.trainer.run(steps)
    return take_snapshot(exp, grid=prediction_grid(exp))


def test_panels_get_the_latest_snapshot_one_per_turn(setup, qtbot):
    exp, panels, d, busy = setup
    drawn = []  # panels updated by each turn
    turn = d.turn

    def counted():
        before = d.updates
        turn()
        drawn.append(d.updates - before)

    d._timer.timeout.disconnect()
    d._timer.timeout.connect(counted)
    d.dispatch(snapshot(exp))
    latest = snapshot(exp)
    d.dispatch(latest)  # latest wins
    assert d.updates == 0  # nothing drawn inside dispatch itself
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert set(drawn) <= {0, 1} and sum(drawn) == 4  # one panel per event-loop turn
    assert d.updates == 4
    assert panels["vectors"]._snapshot is latest
    assert panels["networkDiagram"]._snapshot is latest
    assert panels["heatmaps"]._snapshot is latest
    assert panels["errorCurve"].values_at(latest.step)["step"][0] == latest.step
    assert busy == [True, False] * 4  # every update bracketed for the worker
    assert set(d.costs) == set(panels)


def test_unchanged_snapshot_is_not_drawn_again(setup, qtbot):
    exp, panels, d, _ = setup
    snap = snapshot(exp)
    d.dispatch(snap)
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    done = d.updates
    d.dispatch(snap)
    qtbot.wait(100)
    assert d.updates == done


def test_hidden_panel_is_skipped_then_catches_up(setup, qtbot):
    exp, panels, d, _ = setup
    panels["vectors"].hide()
    snap = snapshot(exp)
    d.dispatch(snap)
    qtbot.waitUntil(lambda: d.pending() == ["vectors"], timeout=5000)
    assert panels["vectors"]._snapshot is None
    panels["vectors"].show()
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert panels["vectors"]._snapshot is snap


def test_a_stale_hidden_panel_does_not_hold_up_the_shown_ones(setup, qtbot):
    """A background tab's panel, once built, stays stale: the dispatcher then only polls
    for it (POLL_MS), but a new snapshot is drawn at once, not after that poll."""
    exp, panels, d, _ = setup
    panels["vectors"].hide()
    d.dispatch(snapshot(exp))
    qtbot.waitUntil(lambda: d.pending() == ["vectors"] and d._timer.interval() == POLL_MS,
                    timeout=5000)  # the others drawn: only polling for vectors
    latest = snapshot(exp)
    d.dispatch(latest)
    assert d._timer.interval() == 0  # the shown panels' turn comes next, not in 250 ms
    qtbot.waitUntil(lambda: d.pending() == ["vectors"], timeout=5000)
    assert panels["networkDiagram"]._snapshot is latest


def test_flush_and_new_experiment(setup, qtbot):
    exp, panels, d, _ = setup
    snap = snapshot(exp)
    d.dispatch(snap)
    d.flush()
    assert not d.pending() and panels["networkDiagram"]._snapshot is snap
    other = build(PRESETS["iris"])
    d.set_run(run_info(other))
    assert not d.pending()
    assert panels["networkDiagram"]._layout.sizes == tuple(other.net.sizes)


def test_a_failing_panel_goes_through_the_guard(setup, qtbot):
    exp, panels, _, _ = setup
    failures = []

    def guard(name, fn, arg):
        try:
            fn(arg)
        except RuntimeError:
            failures.append(name)

    def broken(_snapshot):
        raise RuntimeError("boom")

    panels["heatmaps"].show_snapshot = broken
    d = SnapshotDispatcher(panels, call=guard, parent=panels["heatmaps"])
    d.dispatch(snapshot(exp))
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert failures == ["heatmaps"]


def test_a_panel_that_raises_is_reported_once_and_the_others_go_on(setup, qtbot):
    """Without a guard: heatmaps' show_snapshot raises on its first snapshot. The error is
    reported once, and every panel (heatmaps too) gets the snapshots after it (the raising
    turn left the single-shot timer stopped: every panel froze for the session)."""
    exp, panels, _, _ = setup
    errors = []
    heatmaps = panels["heatmaps"]
    real = heatmaps.show_snapshot
    calls = []

    def broken_once(snap):
        calls.append(snap)
        if len(calls) == 1:
            raise RuntimeError("boom")
        real(snap)

    heatmaps.show_snapshot = broken_once
    d = SnapshotDispatcher(panels, error=lambda name, exc: errors.append((name, str(exc))),
                           parent=heatmaps)
    d.set_run(run_info(exp))
    d.dispatch(snapshot(exp))
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert errors == [("heatmaps", "boom")]
    for _ in range(2):  # later snapshots reach every panel, through the timer's turns
        later = snapshot(exp)
        d.dispatch(later)
        qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
        assert panels["vectors"]._snapshot is later
        assert panels["networkDiagram"]._snapshot is later
        assert heatmaps._snapshot is later
    assert errors == [("heatmaps", "boom")]


def test_a_turn_that_raises_outside_a_panel_still_schedules_the_next(setup, qtbot):
    """``visible`` raising in one turn: reported as the dispatcher's, the turns go on."""
    exp, panels, _, _ = setup
    errors, asked = [], []

    def visible(name):
        asked.append(name)
        if len(asked) == 1:
            raise ValueError("no screen")
        return True

    d = SnapshotDispatcher(panels, visible=visible, error=lambda n, e: errors.append(n),
                           parent=panels["heatmaps"])
    d.set_run(run_info(exp))
    latest = snapshot(exp)
    d.dispatch(latest)
    qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
    assert errors == ["dispatcher"]
    assert panels["vectors"]._snapshot is latest


def test_the_default_report_is_one_line_once_a_panel(setup, qtbot, capsys):
    exp, panels, _, _ = setup

    def broken(_snapshot):
        raise RuntimeError("boom")

    panels["heatmaps"].show_snapshot = broken
    d = SnapshotDispatcher(panels, parent=panels["heatmaps"])
    d.set_run(run_info(exp))
    for _ in range(3):
        latest = snapshot(exp)
        d.dispatch(latest)
        qtbot.waitUntil(lambda: not d.pending(), timeout=5000)
        assert panels["vectors"]._snapshot is latest
    assert capsys.readouterr().err == "nnviz: panel heatmaps failed: RuntimeError: boom\n"


# ---------------------------------------------------------------- the schedule, simulated time
class Clock:
    """A fake clock: time moves only when the simulation says so."""

    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class FakePanel(QWidget):
    """A panel whose update costs ``cost`` s of simulated time."""

    def __init__(self, clock: Clock, cost: float):
        super().__init__()
        self.clock, self.cost = clock, cost
        self.spent = 0.0  # s drawn so far

    def set_run(self, _run) -> None:
        pass

    def show_snapshot(self, _snapshot) -> None:
        self.clock.t += self.cost
        self.spent += self.cost


def simulate(qtbot, costs: dict[str, float], load: float, seconds: float = 10.0,
             hidden=(), snapshot_rate: float = 30.0, base: float = 0.0, late: float = 0.0,
             park: float = 0.0, parks: bool = True, stats: dict | None = None):
    """Run the dispatcher for ``seconds`` of simulated time: a new snapshot every
    1/snapshot_rate s, each turn ``late`` s after the time the previous one asked for; the
    GUI thread's other work takes ``base`` of the time it does not draw (its CPU clock: that,
    and the time drawn); ``busy(True)`` waits ``park`` s for the worker and returns
    ``parks`` (False: the worker computes on, an update's wall time is twice its CPU time).
    ``stats``: filled with the dispatcher's. Returns
    (updates per simulated second of each panel, the fraction of the time spent drawing)."""
    clock = Clock()
    panels = {name: FakePanel(clock, cost * (1 if parks else 2))
              for name, cost in costs.items()}
    for panel in panels.values():
        qtbot.addWidget(panel)

    def cpu():  # the GUI thread's CPU time: its other work, and drawing
        spent = sum(panel.spent for panel in panels.values()) / (1 if parks else 2)
        return base * (clock.t - spent) + spent

    def busy(on: bool) -> bool:
        if on:
            clock.t += park
        return parks

    d = SnapshotDispatcher(panels, visible=lambda name: name not in hidden, busy=busy,
                           load=lambda: load, clock=clock, cpu=cpu, paint=lambda _panel: None)
    next_snapshot, next_turn, drawing = 0.0, None, 0.0
    while clock.t < seconds:
        if next_turn is None or next_snapshot <= next_turn:
            clock.t = max(clock.t, next_snapshot)
            d.dispatch(object())
            next_snapshot += 1.0 / snapshot_rate
            if next_turn is None:  # an idle dispatcher starts at once
                next_turn = clock.t
            continue
        clock.t = max(clock.t, next_turn)
        drawn = sum(panel.spent for panel in panels.values())
        ms = d.turn()
        drawing += sum(panel.spent for panel in panels.values()) - drawn
        next_turn = None if ms is None else clock.t + ms / 1000.0 + late
    d._timer.stop()  # the schedule was driven by hand
    if stats is not None:
        stats.update(d.stats)
    return {name: n / clock.t for name, n in d.counts.items()}, drawing / clock.t


#: per-update costs in s, like the default layout's four panels on function-fit (slow)
#: and on xor (quick), measured on a quiet 2-core machine
SLOW = {"networkDiagram": 0.008, "errorCurve": 0.004, "vectors": 0.006, "heatmaps": 0.010}
QUICK = {"networkDiagram": 0.0035, "errorCurve": 0.0035, "vectors": 0.0025, "heatmaps": 0.0015}


@pytest.mark.parametrize("costs", [SLOW, QUICK])
def test_a_resting_worker_leaves_every_panel_twenty_frames_a_second(qtbot, costs):
    fps, drawing = simulate(qtbot, costs, load=0.0)
    assert min(fps.values()) >= 20.0, fps
    assert max(fps.values()) <= FPS_IDLE + 0.5  # never more often than snapshots come
    assert drawing <= BUDGET_IDLE + 0.02


def test_a_busy_worker_still_gets_ten_frames_per_panel_within_its_budget(qtbot):
    assert BUDGET_BUSY <= 0.25  # (training keeps >= 70% of its speed only if drawing is cheap)
    fps, drawing = simulate(qtbot, QUICK, load=1.0)
    assert min(fps.values()) >= 10.0, fps
    assert max(fps.values()) <= FPS_BUSY + 0.5  # a cap: every ms drawn is training lost
    assert drawing <= BUDGET_BUSY + 0.02


def test_drawing_never_takes_more_than_the_budget(qtbot):
    expensive = {name: 0.040 for name in SLOW}
    middle = (BUDGET_BUSY + BUDGET_IDLE) / 2
    for load, share in ((1.0, BUDGET_BUSY), (0.5, middle), (0.0, BUDGET_IDLE)):
        _, drawing = simulate(qtbot, expensive, load=load, seconds=5.0)
        assert drawing <= share + 0.02, (load, drawing)
        assert drawing >= share - 0.10, (load, drawing)  # and it uses what it may


def test_the_gui_threads_other_work_comes_out_of_the_drawing_budget(qtbot):
    """Flat out, the GUI thread as a whole keeps to BUDGET_BUSY: what its other work takes
    drawing does not get; drawing keeps BUDGET_MIN however much that is."""
    expensive = {name: 0.040 for name in SLOW}
    _, drawing = simulate(qtbot, expensive, load=1.0, seconds=10.0, base=0.10)
    other = 0.10 * (1 - drawing)  # (the other work: 10% of the time not drawn)
    assert BUDGET_BUSY - 0.03 <= drawing + other <= BUDGET_BUSY + 0.02, drawing
    middling = {name: 0.015 for name in SLOW}  # (waits of 285 ms: under MAX_GAP_MS)
    _, drawing = simulate(qtbot, middling, load=1.0, seconds=10.0, base=0.5)
    assert BUDGET_MIN - 0.02 <= drawing <= BUDGET_MIN + 0.02
    # cheap panels and little other work: every panel at its frame rate, drawing far below
    fps, drawing = simulate(qtbot, QUICK, load=1.0, base=0.03)
    assert min(fps.values()) >= 10.0 and drawing <= BUDGET_BUSY - 0.03


def test_a_one_off_task_does_not_cut_the_drawing_after_it(qtbot):
    """The GUI thread's other work counts once it lasts two windows: a single long task (the
    window's first paints, a dialog; a benchmark's headless run) leaves ``base_share`` alone."""
    clock, cpu = Clock(), [0.0]
    panels = {"a": FakePanel(clock, 0.001)}
    qtbot.addWidget(panels["a"])
    d = SnapshotDispatcher(panels, visible=lambda name: True, load=lambda: 1.0, clock=clock,
                           cpu=lambda: cpu[0] + panels["a"].spent, paint=lambda _panel: None)

    def window(other: float) -> None:  # BASE_WINDOW s with ``other`` s of other work
        d.dispatch(object())
        cpu[0] += other
        clock.t += 0.5
        d.turn()

    for _ in range(4):
        window(0.01)
    assert d.base_share == pytest.approx(0.02, abs=0.005)
    window(0.4)  # a one-off task
    assert d.base_share == pytest.approx(0.02, abs=0.005)
    window(0.01)
    assert d.base_share == pytest.approx(0.02, abs=0.005)
    window(0.1)  # other work that lasts
    window(0.1)
    assert d.base_share == pytest.approx(0.2, abs=0.01)
    d._timer.stop()


def test_the_budget_follows_the_load(qtbot):
    rates = [min(simulate(qtbot, SLOW, load=load, seconds=5.0)[0].values())
             for load in (1.0, 0.5, 0.0)]
    assert rates[0] < rates[1] < rates[2]


def test_a_hidden_panel_costs_the_others_nothing(qtbot):
    fps, _ = simulate(qtbot, SLOW, load=1.0, hidden={"heatmaps"})
    assert fps["heatmaps"] == 0
    alone, _ = simulate(qtbot, {k: v for k, v in SLOW.items() if k != "heatmaps"}, load=1.0)
    assert fps == pytest.approx({**alone, "heatmaps": 0}, abs=0.5)


def test_no_turn_is_scheduled_once_every_panel_is_up_to_date(qtbot):
    clock = Clock()
    panels = {"a": FakePanel(clock, 0.001)}
    qtbot.addWidget(panels["a"])
    d = SnapshotDispatcher(panels, visible=lambda name: True, load=lambda: 0.0, clock=clock,
                           cpu=None, paint=lambda _panel: None)
    d.dispatch(object())
    assert d.turn() is not None and d.counts["a"] == 1
    clock.t += 1.0
    assert d.turn() is None
    d._timer.stop()


def test_worker_load_is_one_flat_out_and_falls_when_paced(qtbot):
    from nnviz.gui.controller import TrainingController

    controller = TrainingController()
    try:
        controller.load(PRESETS["xor"])
        controller.play()
        qtbot.waitUntil(lambda: controller.worker.load == 1.0, timeout=5000)
        controller.set_speed(20)  # xor steps take ~0.2 ms: the worker sleeps ~99% of the time
        qtbot.waitUntil(lambda: controller.worker.load < 0.5, timeout=5000)
        controller.pause()
    finally:
        controller.shutdown()


def test_late_turns_keep_each_panels_frame_schedule(qtbot):
    """Turns that come late (the timer, the other panels' turns) and updates that wait for
    the worker to park still give each panel FPS_BUSY frames/s: its next frame stays due one
    interval after the late one's slot (FPS_SLACK), not one interval after it was drawn."""
    fps, _ = simulate(qtbot, QUICK, load=1.0, late=0.004, park=0.003)
    assert min(fps.values()) >= FPS_BUSY - 0.3, fps
    assert max(fps.values()) <= FPS_BUSY + 0.3, fps
    slow, _ = simulate(qtbot, QUICK, load=1.0, late=0.030)  # later than FPS_SLACK allows
    assert max(slow.values()) <= FPS_BUSY, slow  # (late draws never crowd the frames)


def test_the_wait_for_the_worker_to_park_counts_as_gap(qtbot):
    """The worker computes while the GUI thread waits for it to park: an expensive panel's
    gap (cost / budget) runs from the turn's start, so a park wait costs no frames."""
    expensive = {name: 0.015 for name in SLOW}
    prompt, drawing = simulate(qtbot, expensive, load=1.0)
    waited, drawing_waited = simulate(qtbot, expensive, load=1.0, park=0.010)
    assert min(waited.values()) == pytest.approx(min(prompt.values()), abs=0.3)
    assert drawing_waited == pytest.approx(drawing, abs=0.01)


def test_an_update_the_worker_computes_through_counts_its_cpu_time(qtbot):
    """A worker in a slice too long to wait for (``busy(True)`` returns False) keeps
    computing during the update: the update counts for its CPU time, not its (GIL-shared,
    here doubled) wall time."""
    expensive = {name: 0.015 for name in SLOW}
    stats: dict = {}
    parked, _ = simulate(qtbot, expensive, load=1.0)
    unparked, _ = simulate(qtbot, expensive, load=1.0, parks=False, stats=stats)
    assert min(unparked.values()) == pytest.approx(min(parked.values()), abs=0.3)
    assert stats["unparked"] > 0


def test_a_turn_after_an_update_waits_for_the_next_due_frame(qtbot):
    """Cheap panels at their frame cap: the timer after an update waits for the next panel's
    frame, not only for the budget (no turn that finds nothing due)."""
    stats: dict = {}
    fps, _ = simulate(qtbot, QUICK, load=1.0, stats=stats)
    updates = sum(fps.values()) * 10.0
    assert stats["turns"] <= 1.1 * updates, (stats["turns"], updates)


def test_late_turns_still_get_the_budget(qtbot):
    """A turn's lateness is time no panel was drawn: the budget's gap runs from when the turn
    was due, so expensive panels still draw their share of the time (and no more)."""
    expensive = {name: 0.015 for name in SLOW}
    _, drawing = simulate(qtbot, expensive, load=1.0, late=0.015, park=0.005)
    assert BUDGET_BUSY - 0.01 <= drawing <= BUDGET_BUSY + 0.01, drawing
