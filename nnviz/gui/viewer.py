"""The window on a person's own run, opened from Python: ``nnviz.show`` / ``nnviz.watch``.

``open_viewer(experiment)`` opens a ``MainWindow`` on an experiment of the caller's own objects
(``nnviz.bridge``), handed over as a reopened session is (``TrainingController.adopt``), and
returns a ``Viewer``. From a script it blocks: the Qt event loop runs until the window closes.
In IPython or Jupyter with the Qt event loop integration on (``%gui qt``: the shell's
``active_eventloop``, or ipykernel's kernel ``eventloop``, names qt) it returns at once and the
window lives beside the prompt; elsewhere in IPython it blocks, saying so on stderr.

Who touches the caller's objects: while the window is open only its training thread does
(between slices of ``trainer.run``); ``Viewer.sync`` pauses training, waits until the thread
has stopped touching them and brings the network's arrays up to date, so the caller may read
them until Play is pressed again. Once the window has closed the thread is gone and nothing
else writes them.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from nnviz.errors import NNVizError
from nnviz.experiment import Experiment
from nnviz.gui.app import display_problem, make_application
from nnviz.gui.main_window import MainWindow

#: seconds ``Viewer.sync`` waits at most for the training thread
SYNC_WAIT = 10.0
#: what a blocking window inside IPython without the Qt integration says on stderr
BLOCKING_NOTE = ("nnviz: the window blocks this prompt until it is closed; run %gui qt "
                 "first to keep working beside it")


def qt_loop_integrated() -> bool:
    """True inside IPython/Jupyter whose Qt event loop integration is on (``%gui qt``, or
    ipykernel started with the qt loop): Qt events are then processed while the prompt waits.
    Never imports IPython (only asks it if it is loaded)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    loop = str(getattr(shell, "active_eventloop", None) or "")
    kernel_loop = getattr(getattr(shell, "kernel", None), "eventloop", None)
    kernel_loop = getattr(kernel_loop, "__name__", "") if kernel_loop is not None else ""
    return "qt" in loop.lower() or "qt" in kernel_loop.lower()


def in_ipython() -> bool:
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


class Viewer:
    """The handle ``nnviz.show`` / ``nnviz.watch`` return.

    ``net``, ``trainer``: the caller's own objects, which the window trains in place.
    ``experiment``: the window's current run (the caller's objects, until the person rebuilds
    the run in the window: Reset, a new architecture, a preset); ``config`` its
    TrainingConfig; ``snapshot``: the latest frozen Snapshot (copies: readable at any time).
    ``window``: the MainWindow (None once closed); ``closed``: True once it has closed.

    Reading ``net.weights`` while the window trains races its thread: call ``sync()`` first
    (it pauses), or read after ``wait()``/``close()``. If the person rebuilt the run, closing
    (or ``sync``) copies the window's weights into ``net`` when the layer sizes still match
    (``net.set_params``, in place); the caller's ``trainer`` keeps its counters and history
    from before the rebuild, and ``experiment`` holds the window's run.
    """

    def __init__(self, window: MainWindow, experiment: Experiment):
        self.window: MainWindow | None = window
        self.net = experiment.net
        self.trainer = experiment.trainer
        self._own = experiment
        self._last: Experiment = experiment
        self._loop: QEventLoop | None = None
        window.closed.connect(self._on_closed)

    # ------------------------------------------------------------------ the run
    @property
    def closed(self) -> bool:
        return self.window is None

    @property
    def experiment(self) -> Experiment:
        if self.window is not None:
            self._last = self.window.controller.experiment or self._last
        return self._last

    @property
    def config(self):
        return self.window.controller.config if self.window is not None else self._last.config

    @property
    def snapshot(self):
        return self.window.controller.snapshot if self.window is not None else None

    def sync(self, timeout: float = SYNC_WAIT) -> int:
        """Pause the window's training and return once its thread has stopped touching the
        run, with the network's arrays up to date (a sample half stepped through is
        completed first): the caller's ``net`` and ``trainer`` then hold what the window shows
        and stay still until Play is pressed again. Returns the run's step count. Call it on
        the thread that opened the window (a notebook cell, the script)."""
        if self.window is None:
            return self.experiment.trainer.step_count
        controller = self.window.controller
        if not controller.wait_idle(timeout):
            raise NNVizError(f"the training thread did not pause within {timeout:g} s")
        steps = controller.call(lambda exp: exp.trainer.step_count, whole_steps=True,
                                timeout=timeout)
        self._hand_back(self.experiment)
        return steps

    # ------------------------------------------------------------------ the window
    def wait(self) -> Viewer:
        """Run the Qt event loop until the window closes (returns at once if it has)."""
        if self.window is not None:
            self._loop = QEventLoop()
            self._loop.exec()
            self._loop = None
        return self

    def close(self) -> Viewer:
        """Close the window (its training thread stops; a sample half stepped through is
        completed first) and return once it has."""
        if self.window is not None:
            self.sync()
            self.window.close()
        return self

    def _on_closed(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            self._last = window.controller.experiment or self._last
            self._hand_back(self._last)
            window.deleteLater()
        if self._loop is not None:
            self._loop.quit()

    def _hand_back(self, exp: Experiment) -> None:
        """The window's weights into the caller's network (in place) when the run is no longer
        the caller's own but has the same layer sizes."""
        if exp is self._own or exp.net is self.net or exp.net.sizes != self.net.sizes:
            return
        self.net.set_params(exp.net.get_params())
        self.trainer.reload()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<nnviz Viewer ({state}) of {self.net!r}>"


def open_viewer(experiment: Experiment, block: bool | None = None, pace: float | None = 200,
                title: str = "") -> Viewer:
    """Open the window on ``experiment`` (paused at its current step) and return its Viewer.

    ``block`` None: block unless the Qt event loop is integrated (``qt_loop_integrated``);
    True: run the event loop until the window closes; False: return at once (the caller runs
    the loop: ``Viewer.wait``, IPython's integration, a test's qtbot). ``pace``: steps per
    second while playing (None: as fast as possible)."""
    problem = display_problem() if QApplication.instance() is None else None
    if problem:
        raise NNVizError(problem)
    if block is None:
        block = not qt_loop_integrated()
        if block and in_ipython():
            print(BLOCKING_NOTE, file=sys.stderr)
    make_application()
    window = MainWindow(settings=None)
    try:
        window.controller.adopt(experiment)
    except BaseException:
        window.controller.shutdown()
        window.deleteLater()
        raise
    window.set_pace(pace)
    if title:
        window.setWindowTitle(f"nnviz — {title}")
    viewer = Viewer(window, experiment)
    window.show()
    if block:
        QTimer.singleShot(0, window.activateWindow)
        viewer.wait()
    return viewer
