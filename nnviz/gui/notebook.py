"""The window on a person's own run, opened from Python (``nnviz.show`` / ``nnviz.watch``).

``open_viewer(experiment)`` opens a ``MainWindow`` on an experiment of the caller's own objects
(``nnviz.bridge``), handed over as a reopened session is (``TrainingController.adopt``), and
returns a ``nnviz.viewer.Viewer``. From a script it blocks: the Qt event loop runs until the
window closes. In IPython or Jupyter with the Qt event loop integration on (``%gui qt``: the
shell's ``active_eventloop``, or ipykernel's kernel ``eventloop``, names qt) it returns at once
and the window lives beside the prompt; elsewhere in IPython it blocks, saying so on stderr.

``WindowHandle`` is the Viewer's side of the window; it works on the run only through the
controller (``call`` runs a function on the training thread, paused), never directly.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from nnviz.errors import NNVizError
from nnviz.experiment import Experiment
from nnviz.gui.app import display_problem, make_application
from nnviz.gui.main_window import MainWindow
from nnviz.viewer import Viewer, check_free

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


class WindowHandle:
    """A window opened from Python, as the Viewer sees it (see ``nnviz.viewer``)."""

    def __init__(self, window: MainWindow):
        self.window: MainWindow | None = window
        self.on_closed = lambda experiment: None
        self._loop: QEventLoop | None = None
        window.closed.connect(self._on_closed)

    def current(self) -> Experiment | None:
        """The window's run (a reference: the GUI thread reads nothing of it)."""
        return self.window.controller.experiment if self.window is not None else None

    @property
    def config(self):
        return self.window.controller.config if self.window is not None else None

    @property
    def snapshot(self):
        return self.window.controller.snapshot if self.window is not None else None

    def call_paused(self, fn, timeout: float):
        """Pause training, wait until the training thread is idle, run ``fn(experiment)`` on it
        (a sample half stepped through completed first) and return what it returns."""
        controller = self.window.controller
        if not controller.wait_idle(timeout):
            raise NNVizError(f"the training thread did not pause within {timeout:g} s")
        return controller.call(fn, whole_steps=True, timeout=timeout)

    def wait(self) -> None:
        if self.window is not None:
            self._loop = QEventLoop()
            self._loop.exec()
            self._loop = None

    def close(self) -> None:
        if self.window is not None:
            self.window.close()

    def _on_closed(self) -> None:
        window, self.window = self.window, None
        if window is None:
            return
        self.on_closed(window.controller.experiment)  # (its thread has stopped)
        # kept (hidden, its thread stopped) as long as this handle: deleting it at once left a
        # panel's pending relayout timer on deleted graphics (heatmaps._relayout)
        self._closed_window = window
        if self._loop is not None:
            self._loop.quit()


def open_viewer(experiment: Experiment, block: bool | None = None,
                pace: float | None = 200) -> Viewer:
    """Open the window on ``experiment`` (paused at its current step) and return its Viewer.

    ``block`` None: block unless the Qt event loop is integrated (``qt_loop_integrated``);
    True: run the event loop until the window closes; False: return at once (the caller runs
    the loop: ``Viewer.wait``, IPython's integration, a test's qtbot). ``pace``: steps per
    second while playing (None: as fast as possible)."""
    check_free(experiment)
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
    viewer = Viewer(experiment, WindowHandle(window))
    window.show()
    if block:
        QTimer.singleShot(0, window.activateWindow)
        viewer.wait()
    return viewer
