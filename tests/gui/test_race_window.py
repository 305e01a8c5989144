"""The optimiser race window (Tools ▸ Optimiser race…): clicks start, pause and resume a race
in its own thread; its racers are the ordinary runs of their settings; a diverging racer is
marked and the others finish; bad choices are refused in one line; closing stops the thread."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from nnviz.experiment import TrainingConfig, build

#: sgd at lr 10 diverges within a few steps; at 0.01 it trains
DIVERGING = TrainingConfig(dataset="function-surface", dataset_params=(("grid", 20),),
                           hidden=(8,), activation="relu", optimizer="sgd", lr=0.01,
                           batch_size=10)


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton)


def click_check(qtbot, box) -> None:
    """On the indicator (a box is wider than its text)."""
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))


def type_into(qtbot, spin, text: str) -> None:
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)


def open_race(window, qtbot):
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert window.act_race in menus["Tools"].actions()
    window.act_race.trigger()
    race = window.race_window
    qtbot.waitUntil(race.isVisible)
    return race


def long_race(make_window, qtbot):
    """(main window, race window) of xor, racing a million steps, under way."""
    w = make_window("xor")
    r = open_race(w, qtbot)
    type_into(qtbot, r.steps, "1000000")
    click(qtbot, r.start_button)
    qtbot.waitUntil(lambda: r.view is not None and r.view.step > 0, timeout=20_000)
    return w, r


def test_race_from_the_menu_is_the_ordinary_runs(make_window, qtbot):
    w = make_window("xor")
    r = open_race(w, qtbot)
    assert not r.plots.legend.isVisible()  # (nothing to name yet)
    assert [row.checked for row in r.rows] == [True, True, True, False]
    click_check(qtbot, r.rows[1].check)  # momentum out
    assert not r.rows[1].checked
    type_into(qtbot, r.steps, "300")
    assert r.steps.value() == 300
    click(qtbot, r.start_button)
    qtbot.waitUntil(lambda: r.finished_message != "", timeout=30_000)
    assert r.finished_message == "finished at step 300"
    qtbot.waitUntil(lambda: r.view is not None and r.view.finished)
    assert [x.label for x in r.view.racers] == ["sgd lr 0.1", "adam lr 0.1"]
    assert all(x.final is not None and x.steps == 300 for x in r.view.racers)
    assert r.play_button.text() == "Resume" and not r.running
    qtbot.waitUntil(r._worker.idle.is_set)
    for racer in r.race.racers:
        ordinary = build(racer.config)
        ordinary.trainer.run(300)
        for a, b in zip(racer.exp.net.get_params(), ordinary.net.get_params()):
            assert np.array_equal(a, b)
    assert r.view.landscape is not None and r.view.plane.kind == "pca"
    assert "Step 300 (finished)" in r.plots.note.text()
    assert len(r.plots.legend.items) == 2 and r.plots.legend.isVisible()


def test_pause_resume_and_more_steps(make_window, qtbot):
    w, r = long_race(make_window, qtbot)
    assert r.play_button.text() == "Pause"
    click(qtbot, r.play_button)
    assert r.play_button.text() == "Resume"
    qtbot.waitUntil(r._worker.idle.is_set, timeout=10_000)
    paused_at = r.race.step
    qtbot.waitUntil(lambda: r.view.step == paused_at and r.view.landscape is not None)
    assert r._worker.idle.is_set() and r.race.step == paused_at
    click(qtbot, r.play_button)
    qtbot.waitUntil(lambda: r.view.step > paused_at, timeout=20_000)
    click(qtbot, r.play_button)
    qtbot.waitUntil(r._worker.idle.is_set, timeout=10_000)
    # a smaller target ends the race where it is
    type_into(qtbot, r.steps, "1")
    click(qtbot, r.play_button)
    qtbot.waitUntil(lambda: r.view.finished, timeout=10_000)


def test_the_inspectors_parameters_as_the_plane(make_window, qtbot):
    w = make_window("xor")
    r = open_race(w, qtbot)
    assert r.plane.count() == 2
    labels = w.panels["backpropInspector"].landscape_params
    assert labels[0].label in r.plane.itemText(1)
    type_into(qtbot, r.steps, "100")
    click(qtbot, r.start_button)
    qtbot.waitUntil(lambda: r.view is not None and r.view.finished, timeout=20_000)
    assert r.view.plane.kind == "pca"
    r.plane.setCurrentIndex(1)
    qtbot.waitUntil(lambda: r.view.plane.kind == "params", timeout=10_000)
    assert r.view.plane.labels == (labels[0].label, labels[1].label)
    assert r.plots.land_plot.getPlotItem().getAxis("bottom").labelText == labels[0].label


def test_a_diverging_racer_is_marked_and_the_others_finish(make_window, qtbot):
    w = make_window(None, config=DIVERGING)
    r = open_race(w, qtbot)
    click_check(qtbot, r.rows[2].check)  # adam out: sgd 0.01 and momentum
    type_into(qtbot, r.rows[1].lr.widget, "10")
    assert r.rows[1].lr.value() == 10
    type_into(qtbot, r.steps, "200")
    click(qtbot, r.start_button)
    qtbot.waitUntil(lambda: r.finished_message != "", timeout=30_000)
    assert r.finished_message == "finished at step 200; 1 diverged"
    calm, wild = r.view.racers
    assert calm.divergence is None and calm.steps == 200
    assert wild.divergence is not None and wild.steps < 200
    names = [label.text for _, label in r.plots.legend.items]
    assert names == ["sgd lr 0.01", "momentum 0.9 lr 10 (diverged)"]
    assert "1 diverged" in r.plots.note.text()


@pytest.mark.parametrize("change, words", [
    ("none", "a race has 1 to 4 racers, got 0"),
    ("same", "is the same as another"),
])
def test_bad_racers_are_refused_in_one_line(make_window, qtbot, change, words):
    w = make_window("xor")
    r = open_race(w, qtbot)
    if change == "none":
        for row in r.rows[:3]:
            click_check(qtbot, row.check)
    else:
        r.rows[1].optimizer.widget.setCurrentIndex(r.rows[0].optimizer.widget.currentIndex())
    click(qtbot, r.start_button)
    assert r.status.text().startswith("Cannot race: ") and words in r.status.text()
    assert "\n" not in r.status.text() and r.race is None and not r.play_button.isEnabled()


def test_closing_the_main_window_stops_the_race(make_window, qtbot):
    w, r = long_race(make_window, qtbot)
    w.close()
    assert not r.isVisible() and not r._thread.isRunning()


def test_closing_and_reopening_the_race_window(make_window, qtbot):
    w = make_window("xor")
    r = open_race(w, qtbot)
    r.close()
    assert not r._thread.isRunning()
    again = open_race(w, qtbot)
    assert again is not r and again._thread.isRunning()
    type_into(qtbot, again.steps, "20")
    click(qtbot, again.start_button)
    qtbot.waitUntil(lambda: again.finished_message != "", timeout=20_000)


def test_start_races_the_windows_run_as_it_is_then(make_window, qtbot):
    w = make_window("xor")
    r = open_race(w, qtbot)
    menus = {a.text().replace("&", ""): a.menu() for a in w.menuBar().actions()}
    circles = next(a for a in menus["Presets"].actions() if a.text() == "circles")
    circles.trigger()
    qtbot.waitUntil(lambda: w.controller.config.dataset == "circles")
    type_into(qtbot, r.steps, "30")
    click(qtbot, r.start_button)
    qtbot.waitUntil(lambda: r.view is not None and r.view.finished, timeout=20_000)
    assert r.view.title.startswith("Optimiser race on circles: network 2-6-1")


# ------------------------------------------------- attack pass: other shapes, every racer
# diverging, Start again and again, closing at once (one line, no Qt warning, no thread left)
def race_to(qtbot, r, steps: int = 60) -> None:
    type_into(qtbot, r.steps, str(steps))
    click(qtbot, r.start_button)
    qtbot.waitUntil(lambda: r.finished_message != "" or "stopped" in r.status.text(),
                    timeout=60_000)


@pytest.mark.parametrize("preset", ["single-neuron", "iris"])
def test_race_of_other_shapes_finishes(make_window, qtbot, preset):
    w = make_window(preset)
    r = open_race(w, qtbot)
    race_to(qtbot, r)
    assert r.finished_message.startswith("finished at step 60"), r.status.text()
    assert r.view is not None and all(np.isfinite(x.path).all() for x in r.view.racers)


def test_race_of_a_csv_regression(make_window, qtbot, tmp_path):
    path = tmp_path / "reg.csv"
    x = np.linspace(-1, 1, 80)
    path.write_text("a,b,y\n" + "".join(f"{a},{a * a},{np.sin(3 * a)}\n" for a in x))
    config = TrainingConfig(dataset="csv", csv_path=str(path), hidden=(5,), lr=0.05)
    w = make_window(None, config=config)
    r = open_race(w, qtbot)
    race_to(qtbot, r)
    assert r.finished_message.startswith("finished at step 60"), r.status.text()


def test_every_racer_diverging(make_window, qtbot):
    w = make_window(None, config=DIVERGING)
    r = open_race(w, qtbot)
    click_check(qtbot, r.rows[2].check)  # adam out: sgd and momentum at lr 100
    for row in r.rows[:2]:
        type_into(qtbot, row.lr.widget, "100")
    race_to(qtbot, r, 300)
    assert r.finished_message.endswith("; 2 diverged"), r.status.text()
    assert all(x.divergence is not None for x in r.view.racers)
    assert "every racer diverged" in r.status.text() and "Resume" not in r.status.text()
    assert "\n" not in r.status.text() and not r.play_button.isEnabled()
    r.grab().save("/tmp/shots/attack/race-all-diverged.png")


def test_start_again_and_again_then_close(make_window, qtbot):
    w = make_window("spiral")
    r = open_race(w, qtbot)
    type_into(qtbot, r.steps, "1000000")
    for _ in range(8):
        click(qtbot, r.start_button)
    click(qtbot, r.play_button)
    click(qtbot, r.play_button)
    click(qtbot, r.start_button)
    r.close()
    assert not r._thread.isRunning()
    again = open_race(w, qtbot)
    click(qtbot, again.start_button)
    w.close()
    assert not again._thread.isRunning()
