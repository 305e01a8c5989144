"""While the worker trains, the GUI thread takes the GIL as seldom as it can: every Python call
from Qt (an event filter, a virtual override, a slot) waits for the GIL and stalls the worker.

The status bar's counters change text without relaying the window out; no Python event filter
watches the main window (its resizes and the Return no widget used reach an override:
tests/gui/test_app_keyboard.py keeps the Return's behaviour); a
panel's slot stops watching its dock once the panel is built; the worker sleeps with a tight
timer slack between slices."""

import ctypes
import sys

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize
from PySide6.QtWidgets import QLabel, QMainWindow

from nnviz.gui import timeline
from nnviz.gui.status import TrainingStatus
from nnviz.gui.worker import TIMER_SLACK


class LayoutRequests(QObject):
    """Counts LayoutRequest events of the watched objects."""

    def __init__(self, *watched):
        super().__init__()
        self.count = 0
        for obj in watched:
            obj.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.LayoutRequest:
            self.count += 1
        return False


class Snap:
    """The fields of a Snapshot that the status bar reads."""

    def __init__(self, step, loss=0.25):
        self.step, self.epoch, self.samples_seen, self.loss = step, step / 10, step * 4, loss


def test_status_counters_change_without_relaying_the_window_out(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("centre"))
    status = TrainingStatus(window.statusBar())
    window.show()
    status.show(Snap(1), running=False)
    for _ in range(3):  # (the first show's and the first texts' layout passes)
        QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
    requests = LayoutRequests(window, window.statusBar())
    for step in range(2, 40):
        status.show(Snap(step, loss=1.0 / step), running=False)
    QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
    assert status.labels["step"].text() == "step 39"
    assert requests.count == 0


def test_a_status_text_longer_than_its_label_widens_it(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    status = TrainingStatus(window.statusBar())
    window.resize(1600, 400)
    window.show()
    status.show(Snap(123_456_789_012), running=False)
    label = status.labels["step"]
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width())
    assert label.text() == "step 123,456,789,012"
    assert label.minimumWidth() == label.maximumWidth() >= label.sizeHint().width()


@pytest.fixture
def filter_calls():
    """(class name, watched object) of the GUI thread's Python event filter calls from here on
    (a profile hook: patching eventFilter on a class left PySide calling a freed function)."""
    calls = []

    def hook(frame, event, arg):
        code = frame.f_code
        if event == "call" and code.co_name == "eventFilter" and code.co_argcount >= 3:
            owner = frame.f_locals.get("self")
            calls.append((type(owner).__name__, frame.f_locals.get(code.co_varnames[1])))

    sys.setprofile(hook)
    yield calls
    sys.setprofile(None)


def test_no_python_event_filter_hears_the_window_while_it_trains(make_window, qtbot,
                                                                 filter_calls):
    w = make_window("circles")
    w.controller.set_speed(None)
    qtbot.waitUntil(lambda: not w.dispatcher.pending())
    del filter_calls[:]
    updates = w.dispatcher.updates
    w.controller.play()
    qtbot.waitUntil(lambda: w.dispatcher.updates >= updates + 12, timeout=20000)
    w.controller.pause()
    built = {w.docks[key] for key in w.panels.built}
    assert [name for name, watched in filter_calls if watched is w] == []
    assert [name for name, watched in filter_calls
            if name == "PanelSlot" and watched in built] == []


def test_the_timeline_width_and_the_dock_proportions_follow_a_resize(make_window, qtbot):
    w = make_window("xor")
    w.resize(QSize(1900, 1000))
    qtbot.waitUntil(lambda: w.timeline.maximumWidth() == int(timeline.SHARE * 1900))
    w.resize(QSize(1300, 760))
    qtbot.waitUntil(lambda: w.timeline.maximumWidth() == int(timeline.SHARE * 1300))
    qtbot.waitUntil(lambda: w.dock_layout._size == w.size(), timeout=3000)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl timer slack: Linux")
def test_the_worker_sleeps_with_a_tight_timer_slack(make_window):
    w = make_window("xor")

    def slack(_exp):  # (on the worker thread: PR_GET_TIMERSLACK, its own)
        return ctypes.CDLL(None).prctl(30, 0, 0, 0, 0)

    assert w.controller.call(slack) == TIMER_SLACK
