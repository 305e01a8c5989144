"""nnviz.show / nnviz.watch from Python: the window trains the caller's own network and trainer
(real key and mouse input), and what it leaves in them equals a plain-numpy continuation bit
for bit."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

import nnviz
from nnviz.engine import Network, Trainer
from nnviz.experiment import PRESETS
from nnviz.gui.main_window import MainWindow

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 5)
Y = np.array([0, 1, 1, 0] * 5)


@pytest.fixture
def viewers(qtbot):
    """Viewers opened in a test, closed after it."""
    opened = []
    yield opened
    for viewer in opened:
        if not viewer.closed:
            viewer.close()


def play_pause(qtbot, viewer, steps: int) -> None:
    """Space plays; a click on the toolbar's Pause button pauses after ``steps`` steps."""
    w = viewer.window
    with qtbot.waitActive(w):
        w.activateWindow()
    qtbot.keyClick(w, Qt.Key_Space)
    assert w.controller.running
    qtbot.waitUntil(lambda: w.controller.snapshot.step >= steps, timeout=20000)
    button = w.toolbar.widgetForAction(w.act_play)
    assert button.text() == "Pause"
    qtbot.mouseClick(button, Qt.LeftButton)
    assert not w.controller.running


def assert_same(net_a: Network, net_b: Network) -> None:
    for a, b in zip(net_a.get_params(), net_b.get_params()):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


def assert_same_run(a: Trainer, b: Trainer) -> None:
    """Two trainers at the same point, bit for bit: their ``state_dict`` (parameters,
    optimiser, sampler and its generator, counters) and every history series's values (a
    step-loss series keeps its latest values unbucketed for a while: how many depends on how
    the steps were split into ``run`` calls, the values do not)."""
    sa, sb = a.state_dict(), b.state_dict()
    sa.pop("history"), sb.pop("history")
    assert_equal_state(sa, sb)
    for name in ("step_loss", "cumulative"):
        assert len(getattr(a.history, name)) == len(getattr(b.history, name))
        assert_equal_state(getattr(a.history, name).arrays(), getattr(b.history, name).arrays(),
                           f"history.{name}")
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert_equal_state(getattr(a.history, name).state_dict(),
                           getattr(b.history, name).state_dict(), f"history.{name}")


def assert_equal_state(a, b, where="state") -> None:
    """Nested dicts, lists and arrays equal bit for bit."""
    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_equal_state(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_equal_state(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


def test_show_trains_the_callers_net_in_place_bit_for_bit(qtbot, viewers):
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=3)
    start = net.copy()
    arrays = [*net.weights, *net.biases]
    viewer = nnviz.show(net, X, Y, lr=0.5, batch_size=4, seed=7, block=False, pace=None)
    viewers.append(viewer)
    assert QApplication.instance() is not None and not viewer.closed
    assert viewer.experiment.net is net and viewer.trainer.net is net
    assert viewer.config.dataset == "arrays" and viewer.config.hidden == (4,)
    play_pause(qtbot, viewer, 300)
    steps = viewer.sync()
    assert steps >= 300 and viewer.trainer.step_count == steps
    # the same Trainer in plain Python, from the same start, run as many steps
    plain = Trainer(start, X, Y.reshape(-1, 1).astype(float), loss="binary_cross_entropy",
                    lr=0.5, batch_size=4, seed=7, classification=True)
    plain.run(steps)
    assert_same(net, start)
    assert all(a is b for a, b in zip(arrays, [*net.weights, *net.biases]))  # in place
    assert_same_run(viewer.trainer, plain)
    # one more stretch, then the window closes: the caller's objects keep the last values
    play_pause(qtbot, viewer, steps + 100)
    viewer.close()
    assert viewer.closed and viewer.window is None
    more = viewer.trainer.step_count - steps
    assert more >= 100
    plain.run(more)
    assert_same(net, start)
    assert_same_run(viewer.trainer, plain)


def test_watch_continues_the_callers_trainer(qtbot, viewers):
    net = Network([2, 3, 3, 1], hidden="relu", output="sigmoid", seed=5)
    trainer = Trainer(net, X, Y.reshape(-1, 1).astype(float), loss="binary_cross_entropy",
                      optimizer="adam", lr=0.01, batch_size=5, order="shuffle", seed=2)
    twin = Trainer(net.copy(), X, Y.reshape(-1, 1).astype(float),
                   loss="binary_cross_entropy", optimizer="adam", lr=0.01, batch_size=5,
                   order="shuffle", seed=2)
    trainer.run(40)
    twin.run(40)
    viewer = nnviz.watch(trainer, block=False, pace=None)
    viewers.append(viewer)
    assert viewer.trainer is trainer and viewer.config.optimizer == "adam"
    assert viewer.snapshot.step == 40  # the window opens where the trainer is
    play_pause(qtbot, viewer, 200)
    qtbot.keyClick(viewer.window, Qt.Key_Q, Qt.ControlModifier)  # Quit: the window closes
    qtbot.waitUntil(lambda: viewer.closed, timeout=5000)
    done = trainer.step_count - 40
    assert done >= 160
    twin.run(done)
    assert_same_run(trainer, twin)


def test_a_rebuilt_run_hands_its_weights_back_when_the_sizes_match(qtbot, viewers):
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=3)
    viewer = nnviz.show(net, X, Y, block=False, pace=None)
    viewers.append(viewer)
    w = viewer.window
    w.controller.reset()  # Reset: a new network drawn from the configuration, same data
    assert viewer.experiment.net is not net
    assert viewer.experiment.dataset.n_samples == len(X)
    play_pause(qtbot, viewer, 50)
    viewer.sync()
    assert_same(net, viewer.experiment.net)
    # another dataset (a preset): its weights are not the caller's business
    kept = net.copy()
    assert w.apply_config(PRESETS["xor"], ask=False)
    play_pause(qtbot, viewer, 50)
    viewer.close()
    assert viewer.experiment.config == PRESETS["xor"]
    assert_same(net, kept)


class FakeShell:
    """What nnviz asks of IPython's shell: the GUI event loop it integrates, if any."""

    def __init__(self, loop=None):
        self.active_eventloop = loop


@pytest.fixture
def ipython(monkeypatch):
    """ipython(loop) -> a stand-in IPython module whose shell integrates ``loop``."""
    import types

    def install(loop):
        module = types.ModuleType("IPython")
        shell = FakeShell(loop)
        module.get_ipython = lambda: shell
        monkeypatch.setitem(sys.modules, "IPython", module)
        return shell

    return install


def test_with_ipythons_qt_loop_show_returns_at_once(qtbot, viewers, ipython):
    from nnviz.gui.notebook import qt_loop_integrated

    ipython("qt")
    assert qt_loop_integrated()
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=3)
    viewer = nnviz.show(net, X, Y, pace=None)  # block=None: not blocking here
    viewers.append(viewer)
    assert not viewer.closed and viewer.window.isVisible()


def test_in_ipython_without_the_qt_loop_show_blocks_and_says_so(qtbot, ipython, capsys):
    from nnviz.gui.notebook import BLOCKING_NOTE, qt_loop_integrated

    ipython(None)
    assert not qt_loop_integrated()
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=3)
    closed = []

    def close_it():  # a person closing the window the call is blocked on
        for w in QApplication.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible():
                closed.append(w)
                w.close()
        if not closed:
            QTimer.singleShot(20, close_it)

    QTimer.singleShot(20, close_it)
    viewer = nnviz.show(net, X, Y, pace=None)  # returns once the window is closed
    assert viewer.closed and closed
    assert BLOCKING_NOTE in capsys.readouterr().err


def test_the_loop_is_not_integrated_outside_ipython(monkeypatch):
    from nnviz.gui.notebook import in_ipython, qt_loop_integrated

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not qt_loop_integrated() and not in_ipython()


def test_ipykernels_qt_loop_counts_as_integrated(ipython):
    """ipykernel names its loop function (loop_qt) on the kernel."""
    from nnviz.gui.notebook import qt_loop_integrated

    def loop_qt(kernel):
        pass

    shell = ipython(None)
    shell.kernel = type("Kernel", (), {"eventloop": staticmethod(loop_qt)})()
    assert qt_loop_integrated()
    shell.kernel.eventloop = None
    assert not qt_loop_integrated()


def test_a_network_open_in_a_window_is_not_opened_twice(qtbot, viewers):
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=3)
    viewer = nnviz.show(net, X, Y, block=False)
    viewers.append(viewer)
    with pytest.raises(nnviz.errors.NNVizError, match="already open in an nnviz window"):
        nnviz.show(net, X, Y, block=False)
    with pytest.raises(nnviz.errors.NNVizError, match="is already open in an nnviz window"):
        nnviz.watch(viewer.trainer, block=False)
    viewer.close()
    again = nnviz.show(net, X, Y, block=False)  # closed: free again
    viewers.append(again)
    assert not again.closed


def test_a_window_nobody_holds_lives_until_it_is_closed(qtbot):
    """``nnviz.show(...);`` in a notebook keeps no reference: the window must not vanish (nor
    its thread be destroyed while running) when Python collects garbage."""
    import gc

    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=3)
    nnviz.show(net, X, Y, block=False, pace=None, title="kept")
    gc.collect()
    qtbot.wait(50)  # (events run: deferred deletions too)
    windows = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, MainWindow) and w.isVisible()]
    assert [w.windowTitle() for w in windows] == ["nnviz — kept"]
    w = windows[0]
    qtbot.keyClick(w, Qt.Key_Space)
    qtbot.waitUntil(lambda: w.controller.snapshot.step > 20, timeout=10000)
    qtbot.keyClick(w, Qt.Key_Q, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)
    assert not w.controller.thread.isRunning()


def test_a_diverging_run_closed_mid_training(qtbot, viewers):
    """Attack pass: a run that diverges in the window, the window closed (its close button's
    path) while playing: the thread stops, the caller's network keeps finite weights, sync
    after close answers at once."""
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(40, 2)) * 50
    Yr = Xr[:, :1] ** 2 * 100
    net = Network([2, 4, 1], hidden="tanh", output="identity", seed=1)
    viewer = nnviz.show(net, Xr, Yr, block=False, pace=None, lr=1000)
    viewers.append(viewer)
    w = viewer.window
    with qtbot.waitActive(w):
        w.activateWindow()
    qtbot.keyClick(w, Qt.Key_Space)
    qtbot.waitUntil(lambda: w.controller.snapshot.diverged, timeout=20000)
    w.close()
    qtbot.waitUntil(lambda: viewer.closed, timeout=5000)
    assert not w.controller.thread.isRunning()
    assert all(np.isfinite(p).all() for p in net.get_params())
    assert viewer.sync() == viewer.trainer.step_count


def test_show_names_the_inputs_alike_in_the_diagram_and_the_controls(qtbot, viewers):
    """The caller's feature names: the diagram draws x and y; the Inputs row names them
    (their own inputs, engineered ones do not apply), the boxes read them too (they read x1,
    x2 whatever the data's names)."""
    net = Network([2, 4, 1], hidden="tanh", output="sigmoid", seed=3)
    viewer = nnviz.show(net, X, Y, feature_names=["x", "y"], block=False, pace=None)
    viewers.append(viewer)
    w = viewer.window
    assert w.panels["networkDiagram"]._text.feature_names == ("x", "y")
    boxes = w.controls.features.boxes
    assert not w.controls.features.grid.isVisible() and w.controls.features.own.isVisible()
    assert w.controls.features.own.text() == "x, y"
    assert [b.text() for b in boxes.values()] == ["x", "y", "x²", "y²", "x·y", "sin(x)",
                                                  "sin(y)"]
    play_pause(qtbot, viewer, 5)  # names kept while it trains
    assert boxes["x1"].text() == "x" and boxes["x2"].text() == "y"
