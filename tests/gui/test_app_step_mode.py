"""Step-through mode as commands to the worker: keys never wait for it, the walk runs on its
thread and arrives through the controller's tick, snapshots and run descriptions stay frozen,
and the diagram's step colours give way to the person's own choice when stepping ends."""

from __future__ import annotations

import dataclasses
import re
import threading
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

import nnviz.gui
from nnviz.diagram_model import PHASE_MODES
from nnviz.engine.walk import BackpropWalk


def settle(window, qtbot):
    """Wait until the worker has done what it was asked and the window has its snapshot."""
    qtbot.waitUntil(window.controller.worker.settled, timeout=10000)


def active(window, qtbot):
    with qtbot.waitActive(window):
        window.activateWindow()
    return window


def params(window):
    return window.controller.call(lambda exp: [p.copy() for p in exp.net.get_params()])


def modes(diagram) -> tuple[str, str]:
    return diagram.neuron_mode.currentData(), diagram.edge_mode.currentData()


def test_a_phase_key_never_waits_for_a_busy_worker(make_window, qtbot):
    w = active(make_window("xor"), qtbot)
    gate, held = threading.Event(), threading.Event()

    def hold(exp):
        held.set()
        gate.wait(10)

    w.controller.worker.submit(call=(hold, Future(), False))  # the worker is busy until...
    assert held.wait(5)
    qtbot.keyClick(w, Qt.Key_N)  # (it used to wait up to 2 s for the worker, then give up)
    assert not gate.is_set() and w.controller.snapshot.walk is None
    with qtbot.waitSignal(w.controller.snapshotReady, timeout=10000,
                          check_params_cb=lambda snap: snap.walk is not None):
        gate.set()  # ...here, after the key press was handled
    view = w.controller.snapshot.walk
    assert view.position == 1 and view.last_kind == "forward"
    assert w.panels["backpropInspector"]._view is view  # through the tick, like a snapshot


def test_keys_step_on_the_worker_thread_and_reach_the_inspector(make_window, qtbot,
                                                                monkeypatch):
    threads = []

    def spy_on(original):
        def spy(self, *args, **kwargs):
            threads.append(threading.current_thread())
            return original(self, *args, **kwargs)
        return spy

    for name in ("next_phase_step", "finish_sample", "back"):
        monkeypatch.setattr(BackpropWalk, name, spy_on(getattr(BackpropWalk, name)))
    w = active(make_window("xor"), qtbot)
    inspector = w.panels["backpropInspector"]
    n_phases = 6  # forward 1, 2, loss, backward 2, 1, update
    for key, modifier, position in ((Qt.Key_N, Qt.NoModifier, 1),
                                    (Qt.Key_N, Qt.ShiftModifier, n_phases),
                                    (Qt.Key_Left, Qt.NoModifier, n_phases - 1)):
        with qtbot.waitSignal(w.controller.snapshotReady, timeout=10000,
                              check_params_cb=lambda snap, p=position: snap.walk is not None
                              and snap.walk.position == p):
            qtbot.keyClick(w, key, modifier)
        assert inspector._view is w.controller.snapshot.walk
    assert threads and threading.main_thread() not in threads


def test_keys_rewind_two_samples_exactly(make_window, qtbot):
    w = active(make_window("spiral"), qtbot)  # Adam: its moments must come back too
    before = params(w)
    for _ in range(2):
        qtbot.keyClick(w, Qt.Key_N, Qt.ShiftModifier)
    settle(w, qtbot)
    assert w.controller.snapshot.step == 2
    for _ in range(2 * 8):  # 3 layers: 8 phases a sample
        qtbot.keyClick(w, Qt.Key_Left)
    settle(w, qtbot)
    assert all(np.array_equal(a, b) for a, b in zip(before, params(w)))
    assert w.controller.snapshot.step == 0
    assert not w.controller.snapshot.walk.can_go_back


def test_snapshots_and_the_run_description_are_frozen(make_window, qtbot):
    w = make_window("xor")
    run, first = w.controller.run, w.controller.snapshot
    w.act_next_phase.trigger()
    settle(w, qtbot)
    snap = w.controller.snapshot
    assert snap.walk is not None and snap.generation == first.generation
    for obj, name in ((snap, "generation"), (snap.walk, "position"), (run, "sizes")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, 0)
    with pytest.raises(TypeError):  # no mutable dict inside a frozen snapshot
        snap.history["step_loss"] = {}
    with pytest.raises(TypeError):
        snap.history["train_loss"]["x"] = np.zeros(1)
    assert not [f.name for f in dataclasses.fields(snap)
                if isinstance(getattr(snap, f.name), (dict, list, set))]
    for array in (run.X_train, run.Y_train, run.train_index, run.test_index, run.dataset.X):
        assert not array.flags.writeable
    w.act_reset.trigger()
    assert w.controller.snapshot.generation == first.generation + 1
    assert w.controller.run is not run and w.controller.snapshot.walk is None


def test_the_gui_thread_code_never_reads_the_live_trainer():
    """Only the worker's side (worker.py, stepping.py) touches trainer, network
    and prepared data; the rest of nnviz.gui works from snapshots and the RunInfo."""
    folder = Path(nnviz.gui.__file__).parent
    pattern = re.compile(r"\.(trainer|prepared)\b|\bexp(eriment)?\.net\b")
    offenders = [f"{path.name}:{n}" for path in folder.rglob("*.py")
                 if path.name not in ("worker.py", "stepping.py")
                 for n, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


def _csv(tmp_path) -> str:
    path = tmp_path / "points.csv"
    rows = "\n".join(f"{x},{y},{int(x * y > 0)}" for x, y in
                     np.random.default_rng(0).uniform(-1, 1, (40, 2)))
    path.write_text("x,y,label\n" + rows + "\n")
    return str(path)


LEAVE = {
    "continue": lambda w, tmp: w.panels["backpropInspector"].buttons["continue"].click(),
    "play": lambda w, tmp: w.act_play.trigger(),
    "step batch": lambda w, tmp: w.act_step_batch.trigger(),
    "reset": lambda w, tmp: w.act_reset.trigger(),
    "preset": lambda w, tmp: w.controls.presetChosen.emit("circles"),
    "csv": lambda w, tmp: w.open_csv(_csv(tmp)).accept(),
    "session": lambda w, tmp: w.sessions.open_session(str(tmp / "saved.nnviz")),
}


@pytest.mark.parametrize("leave", list(LEAVE))
def test_leaving_step_mode_restores_the_persons_colouring(make_window, qtbot, tmp_path, leave):
    w = make_window("xor")
    assert w.sessions.save_session(str(tmp_path / "saved.nnviz"))
    diagram = w.panels["networkDiagram"]
    diagram.neuron_mode.setCurrentIndex(diagram.neuron_mode.findData("mean"))
    diagram.edge_mode.setCurrentIndex(diagram.edge_mode.findData("weight"))
    for _ in range(3):  # forward, forward, loss
        w.act_next_phase.trigger()
    settle(w, qtbot)
    assert modes(diagram) == PHASE_MODES["loss"] == ("delta", "grad")
    LEAVE[leave](w, tmp_path)
    qtbot.waitUntil(lambda: modes(diagram) == ("mean", "weight"), timeout=10000)
    assert diagram._snapshot.walk is None
    w.controller.pause()
    settle(w, qtbot)
    assert modes(diagram) == ("mean", "weight")  # and it stays so


def test_a_colouring_chosen_while_stepping_is_kept(make_window, qtbot):
    w = make_window("xor")
    diagram = w.panels["networkDiagram"]
    diagram.neuron_mode.setCurrentIndex(diagram.neuron_mode.findData("mean"))
    w.act_next_phase.trigger()
    settle(w, qtbot)
    assert modes(diagram) == PHASE_MODES["forward"] == ("sample", "weight")
    diagram.edge_mode.setCurrentIndex(diagram.edge_mode.findData("change"))  # the person's
    w.act_play.trigger()
    qtbot.waitUntil(lambda: diagram.neuron_mode.currentData() == "mean", timeout=10000)
    assert diagram.edge_mode.currentData() == "change"
    w.act_play.trigger()
