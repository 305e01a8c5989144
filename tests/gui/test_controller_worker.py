"""The training controller and its worker thread, without the main window."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.gui.controller import TrainingController
from nnviz.gui.widgets import LogSpinBox, ladder_step


@pytest.fixture
def controller(qtbot):
    c = TrainingController()
    yield c
    c.shutdown()


def test_run_steps_trains_exactly_that_many_in_the_worker(controller, qtbot):
    controller.load(PRESETS["spiral"])
    with qtbot.waitSignal(controller.snapshotReady, timeout=5000):
        controller.run_steps(500)
    qtbot.waitUntil(lambda: controller.snapshot.step == 500, timeout=5000)
    assert controller.worker.idle.wait(2)
    assert controller.experiment.trainer.step_count == 500


def test_worker_matches_a_plain_headless_run(controller, qtbot):
    controller.load(PRESETS["single-neuron"])
    controller.run_steps(2000)
    qtbot.waitUntil(lambda: controller.snapshot.step == 2000, timeout=5000)
    headless = build(PRESETS["single-neuron"])
    headless.trainer.run(2000)
    for a, b in zip(controller.snapshot.weights, headless.net.weights):
        np.testing.assert_array_equal(a, b)


def test_snapshots_are_copies(controller, qtbot):
    controller.load(PRESETS["xor"])
    first = controller.snapshot
    w0 = first.weights[0].copy()
    controller.run_steps(100)
    qtbot.waitUntil(lambda: controller.snapshot.step == 100, timeout=5000)
    np.testing.assert_array_equal(first.weights[0], w0)
    assert not np.shares_memory(controller.snapshot.weights[0],
                                controller.experiment.net.weights[0])


def test_prediction_grid_is_attached(controller, qtbot):
    controller.load(PRESETS["circles"])
    controller.run_steps(50)
    qtbot.waitUntil(lambda: controller.snapshot.step == 50, timeout=5000)
    assert controller.snapshot.grid is not None
    assert controller.snapshot.grid.predicted.shape[:2] == (64, 64)


def snapshots_of_a_run(controller, qtbot, preset: str, n: int) -> list:
    """Play ``preset`` until ``n`` snapshots have arrived, pause, and return them."""
    controller.load(PRESETS[preset])
    controller.play()
    seen = []
    controller.snapshotReady.connect(seen.append)
    qtbot.waitUntil(lambda: len(seen) >= n, timeout=10000)
    controller.pause()
    assert controller.worker.idle.wait(2)
    return seen


def test_activity_is_refreshed_with_the_grid_and_exact_when_training_stops(controller, qtbot):
    from nnviz.snapshot import activity

    seen = snapshots_of_a_run(controller, qtbot, "spiral", 12)
    running = [s for s in seen if s.step < seen[-1].step]
    grids = {id(s.grid) for s in running}
    # between two grids (5 a second) snapshots share the activity computed with the grid
    assert len({id(s.dead) for s in running}) == len(grids) < len(running)
    qtbot.waitUntil(lambda: controller.snapshot.step == controller.experiment.trainer.step_count)
    _, dead, _ = activity(controller.experiment)  # paused: the last snapshot is exact
    for a, b in zip(controller.snapshot.dead, dead):
        np.testing.assert_array_equal(a, b)


def test_optimizer_and_regularisation_change_live(controller, qtbot):
    controller.load(PRESETS["xor"])
    controller.run_steps(10)
    qtbot.waitUntil(lambda: controller.snapshot.step == 10, timeout=5000)
    controller.edit(controller.config.replace(optimizer="momentum", momentum=0.5, l2=0.01))
    controller.run_steps(10)
    qtbot.waitUntil(lambda: controller.snapshot.step == 20, timeout=5000)
    t = controller.experiment.trainer
    assert (t.optimizer.name, t.optimizer.momentum, t.optimizer.l2) == ("momentum", 0.5, 0.01)
    assert controller.config.optimizer == "momentum" and controller.config.l2 == 0.01


def test_an_edit_reaches_the_run_on_the_worker_thread_only(controller, qtbot, monkeypatch):
    """Issue 12: only the worker thread touches the experiment; the controller keeps its own
    frozen config, the run's follows on the worker (live fields and config together)."""
    import threading

    from nnviz.experiment import Experiment

    writers = []
    original = Experiment.__setattr__

    def watch(self, name, value):
        if name == "config":
            writers.append(threading.current_thread())
        original(self, name, value)

    controller.load(PRESETS["xor"])
    monkeypatch.setattr(Experiment, "__setattr__", watch)
    edited = controller.config.replace(lr=0.02, description="edited")
    controller.edit(edited)
    assert controller.config is edited
    qtbot.waitUntil(controller.worker.settled, timeout=5000)
    assert writers and threading.main_thread() not in writers
    assert controller.experiment.config is edited
    assert controller.experiment.trainer.optimizer.lr == 0.02


def test_stale_snapshots_of_an_old_run_are_dropped(controller, qtbot):
    controller.load(PRESETS["xor"])
    controller.play()
    qtbot.waitUntil(lambda: controller.snapshot.step > 0, timeout=5000)
    controller.load(PRESETS["circles"])
    qtbot.wait(150)
    assert controller.snapshot.step == 0
    assert controller.snapshot.sizes == (2, 6, 1)


def test_log_spin_box_steps_on_the_1_2_5_ladder(qtbot):
    box = LogSpinBox()
    qtbot.addWidget(box)
    box.setValue(0.1)
    box.stepBy(1)
    assert box.value() == pytest.approx(0.2)
    box.stepBy(1)
    assert box.value() == pytest.approx(0.5)
    box.stepBy(-3)
    assert box.value() == pytest.approx(0.05)
    assert ladder_step(1e-3, -1) == pytest.approx(5e-4)
    assert box.textFromValue(0.003) == "0.003"


def test_regression_fit_travels_with_the_activity(controller, qtbot):
    """The fit is computed with the grid (5 a second) and repeated in the snapshots between;
    stopped, it is the exact fit of the current parameters. A fixed amount of work: 50
    full-batch steps on a 20x20 grid of the function (400 rows, ~1 ms a step), whatever
    snapshots arrive meanwhile. (It waited for eight snapshots of a free run on the
    preset's 10,000 rows: each snapshot at least one 15-50 ms step of CPU plus a fit and a
    cumulative error over all rows, 5-8 s on a loaded machine against a 10 s timeout.)"""
    from nnviz.snapshot import fit_points

    controller.load(PRESETS["function-fit"].replace(dataset_params=(("grid", 20),)))
    seen = []
    controller.snapshotReady.connect(seen.append)
    controller.run_steps(50)
    qtbot.waitUntil(lambda: controller.snapshot.step == 50, timeout=10000)
    assert controller.worker.idle.wait(2)
    assert seen and all(s.fit is not None for s in seen)
    assert len({id(s.fit) for s in seen}) == len({id(s.grid) for s in seen})
    exact = fit_points(controller.experiment)
    np.testing.assert_allclose(controller.snapshot.fit.train_predicted, exact.train_predicted)


def test_worker_thread_ignores_numpy_overflow(controller, qtbot, monkeypatch):
    """np.errstate is per thread: the worker sets its own, so no RuntimeWarning from it."""
    from nnviz.gui.worker import Worker

    seen = []
    apply = Worker._apply_pending

    def probe(self):
        seen.append(np.geterr())
        return apply(self)

    monkeypatch.setattr(Worker, "_apply_pending", probe)
    controller.load(PRESETS["xor"])
    controller.run_steps(5)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert set(seen[-1].values()) == {"ignore"}
    assert np.geterr()["over"] == "warn"  # the GUI thread's own state is untouched


def test_the_gui_does_not_wait_for_a_slice_that_outlasts_the_park_wait(qtbot):
    """``set_gui_busy(True)`` waits for the slice under way only when it ends within
    PARK_WAIT; it says whether the worker parked (the dispatcher then counts the update's
    wall time, else its CPU time)."""
    from nnviz.gui.worker import Worker

    worker = Worker()
    worker.slice_end = time.perf_counter() + 60.0  # a slice of one long step under way
    assert worker.set_gui_busy(True) is False  # at once, not after PARK_WAIT
    assert worker.gui_busy  # (the worker parks when that slice ends)
    assert worker.set_gui_busy(False) is False and not worker.gui_busy
    worker.slice_end = 0.0
    worker.parked.set()  # between slices
    assert worker.set_gui_busy(True) is True
    worker.set_gui_busy(False)


def test_a_worker_in_a_long_slice_parks_when_it_ends(controller, qtbot):
    controller.load(PRESETS["function-fit"].replace(batch_size=None))  # one step a slice
    controller.play()
    worker = controller.worker
    qtbot.waitUntil(lambda: worker.slice_end > 0.0, timeout=5000)
    worker.set_gui_busy(True)
    try:
        qtbot.waitUntil(worker.parked.is_set, timeout=5000)
        step = controller.experiment.trainer.step_count  # (parked: it stands still)
        assert controller.experiment.trainer.step_count == step
    finally:
        worker.set_gui_busy(False)
    qtbot.waitUntil(lambda: controller.experiment.trainer.step_count > step, timeout=5000)
    controller.pause()


def test_a_snapshot_is_published_at_the_slice_end_nearest_the_interval(qtbot):
    """Slices of one long step: the snapshot goes out at the end of the slice nearest to the
    publishing interval's end, not of the first slice past it (~20 snapshots/s, not ~15)."""
    from nnviz.gui.worker import PUBLISH_BUSY, Worker

    worker = Worker()
    worker._exp, worker.load = build(PRESETS["xor"]), 1.0
    worker._slice_time = 0.8 * PUBLISH_BUSY  # (the next slice would end far past it)
    worker._last_publish = time.perf_counter() - 0.7 * PUBLISH_BUSY
    worker._publish()
    snap, _ = worker.take()
    assert snap is not None
    worker._slice_time = 0.0  # short slices: not before the interval is over (here: never)
    worker._last_publish = time.perf_counter() + 3600.0
    worker._publish()
    assert worker.take()[0] is None
