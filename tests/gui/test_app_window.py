"""The main window: presets, live settings, play/pause/step/reset, validation, errors, shutdown."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QThread

from nnviz.experiment import PRESETS, TrainingConfig
from nnviz.gui.panels import PANELS
from nnviz.gui.settings import AppSettings


def wait_idle(qtbot, window):
    qtbot.waitUntil(lambda: window.controller.worker.idle.is_set(), timeout=5000)


def test_window_has_every_panel_and_the_control_dock(make_window):
    w = make_window("xor")
    assert set(w.panels) == {cls.key for cls in PANELS}
    assert set(w.docks) == {"controls", *w.panels}
    assert w.windowTitle() == "nnviz — xor"
    assert not w.windowIcon().isNull()


@pytest.mark.parametrize("preset", list(PRESETS))
def test_window_opens_on_each_preset(make_window, preset):
    w = make_window(preset)
    assert w.controller.config == PRESETS[preset]
    assert w.controls.config() == PRESETS[preset]
    assert w.controller.snapshot.step == 0
    assert not w.panel_errors


def test_editing_the_learning_rate_reaches_the_trainer(make_window, qtbot):
    w = make_window("xor")
    w.controls.lr.setValue(0.02)
    trainer = w.controller.experiment.trainer
    qtbot.waitUntil(lambda: trainer.lr == pytest.approx(0.02), timeout=3000)
    assert w.controller.config.lr == pytest.approx(0.02)


def test_play_makes_the_loss_fall(make_window, qtbot):
    w = make_window("xor")
    first = w.controller.experiment.trainer.full_loss()
    w.act_play.trigger()
    assert w.controller.running

    def fell():
        snap = w.controller.snapshot
        return snap.step > 300 and snap.history["train_loss"]["y"].size >= 3 and \
            snap.history["train_loss"]["y"][-1] < 0.8 * first

    qtbot.waitUntil(fell, timeout=15000)
    assert "samples/s" in w.status.labels["rate"].text()


def test_pause_stops_the_step_count(make_window, qtbot):
    w = make_window("spiral")
    w.controller.play()
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 50, timeout=5000)
    w.act_play.trigger()  # pause
    assert not w.controller.running
    wait_idle(qtbot, w)
    steps = w.controller.experiment.trainer.step_count
    qtbot.wait(200)
    assert w.controller.experiment.trainer.step_count == steps
    assert w.act_play.text() == "Play"
    # the status bar, written 10 times a second while training, shows the last step exactly
    qtbot.waitUntil(lambda: w.status.labels["step"].text() == f"step {steps:,}", timeout=2000)


def test_one_sample_step_advances_exactly_one_sample(make_window, qtbot):
    w = make_window("xor")  # batch size 10
    w.act_step_sample.trigger()
    qtbot.waitUntil(lambda: w.controller.snapshot.samples_seen == 1, timeout=3000)
    wait_idle(qtbot, w)
    t = w.controller.experiment.trainer
    assert (t.samples_seen, t.step_count) == (1, 1)


def test_batch_and_epoch_steps(make_window, qtbot):
    w = make_window("xor")
    t = w.controller.experiment.trainer
    w.act_step_batch.trigger()
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 1, timeout=3000)
    assert t.samples_seen == 10
    w.act_step_epoch.trigger()
    qtbot.waitUntil(lambda: w.controller.snapshot.epoch >= 1.0, timeout=3000)
    wait_idle(qtbot, w)
    assert t.samples_seen == t.n  # exactly one epoch (160 training rows)


def test_reset_with_the_same_seed_restores_the_initial_weights(make_window, qtbot):
    w = make_window("circles")
    initial = [x.copy() for x in w.controller.experiment.net.weights]
    w.controller.run_steps(200)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 200, timeout=5000)
    wait_idle(qtbot, w)
    assert not np.array_equal(w.controller.experiment.net.weights[0], initial[0])
    w.act_reset.trigger()
    assert w.controller.snapshot.step == 0
    for a, b in zip(w.controller.experiment.net.weights, initial):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(w.controller.snapshot.weights, initial):
        np.testing.assert_array_equal(a, b)


def test_invalid_input_is_refused_with_a_reason(make_window):
    w = make_window("xor")
    lr = w.controls.lr
    state, *_ = lr.validate("abc", 3)
    assert state.name == "Invalid"
    assert "lr must be a positive number" in w.controls.problem.text()
    state, *_ = lr.validate("5000", 4)
    assert state.name != "Acceptable"
    assert "from 1e-07 to 1000" in w.controls.problem.text()
    lr.lineEdit().setText("-1")
    lr.interpretText()
    assert lr.value() == pytest.approx(0.1)  # unchanged
    batch = w.controls.batch
    result = batch.validate("-5", 2)
    assert (result[0] if isinstance(result, tuple) else result).name == "Invalid"
    assert "batch_size must be a whole number from 1 to 2147483647" in w.controls.problem.text()


def test_a_config_error_is_shown_and_nothing_is_lost(make_window, qtbot):
    w = make_window("xor")
    before = w.controller.experiment
    index = w.controls.dataset.findData("csv")
    w.controls._csv_path = None
    w.controls._loading = True
    w.controls.dataset.setCurrentIndex(index)
    w.controls._loading = False
    w.controls.emit_config()
    assert "choose a CSV file first" in w.controls.problem.text()
    assert w.controller.experiment is before


def test_structure_change_asks_then_resets(make_window, qtbot):
    w = make_window("xor")
    w.controller.run_steps(20)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 20, timeout=3000)
    w.answer = False
    w.controls.architecture.rows[0].neurons.setValue(7)
    qtbot.waitUntil(lambda: len(w.questions) == 1, timeout=3000)
    assert "20 steps done so far will be lost" in w.questions[0]
    assert w.controller.config.hidden == (4,)
    assert w.controls.architecture.rows[0].neurons.value() == 4  # reverted
    w.answer = True
    w.controls.architecture.rows[0].neurons.setValue(7)
    qtbot.waitUntil(lambda: w.controller.config.hidden == (7,), timeout=3000)
    assert w.controller.snapshot.step == 0
    assert w.controller.experiment.net.sizes == (2, 7, 1)


def test_worker_exception_is_shown_and_the_app_stays_usable(make_window, qtbot, monkeypatch):
    w = make_window("xor")
    trainer = w.controller.experiment.trainer

    def boom(n):
        raise RuntimeError("simulated engine failure")

    monkeypatch.setattr(trainer, "run", boom)
    w.controller.play()
    qtbot.waitUntil(lambda: len(w.errors) == 1, timeout=3000)
    title, text, details = w.errors[0]
    assert "simulated engine failure" in text
    assert "Traceback" in details
    assert not w.controller.running
    assert "error" in w.controls.banner.text()
    monkeypatch.undo()
    w.controller.play()
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 10, timeout=3000)


def test_divergence_pauses_with_an_explanation(make_window, qtbot):
    config = TrainingConfig(dataset="plane", hidden=(8,), activation="relu", lr=5.0,
                            batch_size=10, scaling="none")
    w = make_window(config=config)
    w.controller.play()
    qtbot.waitUntil(lambda: w.controls.banner.isVisible(), timeout=10000)
    text = w.controls.banner.text()
    assert "diverged at step" in text and "lower the learning rate" in text.lower()
    assert not w.controller.running
    assert w.controller.experiment.trainer.divergence is not None


def test_stop_condition_pauses_at_the_step_count(make_window, qtbot):
    w = make_window("xor")
    w.controller.edit(w.controller.config.replace(max_steps=150))
    w.controller.play()
    qtbot.waitUntil(lambda: not w.controller.running, timeout=5000)
    assert w.controller.snapshot.step == 150
    assert "reached 150 steps" in w.controls.banner.text()


def test_speed_control_paces_training(make_window, qtbot):
    w = make_window("xor")
    w.speed.setValue(20)
    w.controller.play()
    start = time.perf_counter()
    qtbot.wait(500)
    w.controller.pause()
    wait_idle(qtbot, w)
    elapsed = time.perf_counter() - start
    steps = w.controller.experiment.trainer.step_count
    assert 1 <= steps <= 20 * elapsed + 3


def test_compare_pins_and_reruns_with_a_tenth_of_the_lr(make_window, qtbot):
    w = make_window("single-neuron")
    w.controller.run_steps(300)
    qtbot.waitUntil(lambda: w.controller.snapshot.step == 300, timeout=5000)
    wait_idle(qtbot, w)
    assert w.act_compare.isEnabled()
    w.act_compare.trigger()
    assert w.panels["errorCurve"].pins and "lr 0.1" in w.panels["errorCurve"].pins[0]
    assert w.controller.config.lr == pytest.approx(0.01)
    assert w.controller.config.max_steps == 900
    assert w.controller.running
    qtbot.waitUntil(lambda: not w.controller.running, timeout=10000)
    assert w.controller.snapshot.step == 900
    assert w.questions == []


def test_close_mid_training_stops_the_thread_quickly(make_window, qtbot):
    w = make_window("function-fit")
    w.controller.play()
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 0, timeout=10000)
    thread = w.controller.thread
    start = time.perf_counter()
    w.close()
    assert time.perf_counter() - start < 1.0
    assert not thread.isRunning()
    assert isinstance(thread, QThread)


def test_layout_and_last_configuration_are_restored(make_window, qtbot, private_settings):
    settings = AppSettings()
    w = make_window(preset=None, settings=settings)
    assert w.controller.config == PRESETS["xor"]
    w._on_preset_chosen("circles")
    w.controls.lr.setValue(0.05)
    w.docks["heatmaps"].hide()
    w.close()
    assert private_settings.exists()
    w2 = make_window(preset=None, settings=AppSettings())
    assert w2.controller.config.dataset == "circles"
    assert w2.controller.config.lr == pytest.approx(0.05)
    assert not w2.docks["heatmaps"].isVisible()


def test_csv_import_good_and_bad(make_window, qtbot, tmp_path):
    w = make_window("xor")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,0\n3,oops,1\n")
    dialog = w.open_csv(str(bad))  # the import dialog shows the problem, OK stays off
    problem = dialog.status.toolTip()
    assert not dialog.ok_button.isEnabled() and "\n" not in problem
    assert "bad.csv" in problem
    dialog.reject()
    assert w.controller.config.dataset == "xor"
    good = tmp_path / "good.csv"
    rows = "\n".join(f"{x},{y},{int(x * y > 0)}" for x, y in
                     np.random.default_rng(0).uniform(-1, 1, (40, 2)))
    good.write_text("x,y,label\n" + rows + "\n")
    w.open_csv(str(good)).accept()
    assert w.controller.config.dataset == "csv"
    assert w.controller.experiment.dataset.n_samples == 40
    assert w.windowTitle() == "nnviz — good.csv"


def test_space_toggles_play(make_window, qtbot):
    from PySide6.QtCore import Qt

    w = make_window("xor")
    with qtbot.waitActive(w):
        w.activateWindow()
    qtbot.keyClick(w, Qt.Key_Space)
    assert w.controller.running
    qtbot.keyClick(w, Qt.Key_Space)
    assert not w.controller.running
    wait_idle(qtbot, w)
    seen = w.controller.experiment.trainer.samples_seen
    qtbot.keyClick(w, Qt.Key_Right)
    qtbot.waitUntil(lambda: w.controller.snapshot.samples_seen == seen + 1, timeout=3000)


@pytest.mark.parametrize("preset", ["xor", "function-fit"])
def test_the_default_layout_shows_every_panel_whole(make_window, qtbot, preset):
    """No panel of the default layout scrolls: each fills its dock (plots, strips and Export
    buttons in view), for a small and a wide network."""
    w = make_window(preset)
    qtbot.waitExposed(w)
    names = ("networkDiagram", "errorCurve", "vectors", "heatmaps")
    areas = {name: w.docks[name].widget() for name in names}
    qtbot.waitUntil(lambda: all(w.panels[n].size() == areas[n].viewport().size()
                                for n in names), timeout=2000)
    for name, area in areas.items():
        assert area.verticalScrollBar().maximum() == 0, name
        assert area.horizontalScrollBar().maximum() == 0, name


def test_a_panel_that_fails_to_draw_is_reported_in_one_line_and_the_others_go_on(
        make_window, qtbot):
    """The error curve's paint raising (past the window's guard around show_snapshot): the
    status bar says so in one line, once, no dialog, and the other panels keep getting the
    snapshots of a run trained meanwhile (the dispatcher's timer died with the turn)."""
    w = make_window("xor")
    d = w.dispatcher
    paint = d._paint

    def failing(panel):
        if panel is w.panels["errorCurve"]:
            raise RuntimeError("paint broke")
        paint(panel)

    d._paint = failing
    network = w.panels["networkDiagram"]
    for steps in (20, 40):
        w.controller.run_steps(20)
        qtbot.waitUntil(lambda s=steps: w.controller.snapshot.step >= s
                        and not w.controller.running, timeout=10000)
        qtbot.waitUntil(lambda: network._snapshot is d.latest, timeout=5000)
        assert network._snapshot.step >= steps
    assert w.statusBar().currentMessage() == "panel errorCurve failed: paint broke"
    assert list(w.panel_errors) == ["errorCurve"] and not w.errors
