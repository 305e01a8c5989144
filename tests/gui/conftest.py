"""GUI test fixtures: a private settings file, no QThread left running, a main window factory."""

from __future__ import annotations

import functools

import pytest
from PySide6.QtCore import QThread

from nnviz.experiment import PRESETS, build
from nnviz.gui.settings import ENV_VAR, AppSettings
from nnviz.snapshot import prediction_grid, run_info, take_snapshot

_started: list[QThread] = []
_original_start = QThread.start


def _recording_start(self, *args, **kwargs):
    _started.append(self)
    return _original_start(self, *args, **kwargs)


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """Never touch the user's settings: everything goes to a temporary INI file."""
    path = tmp_path / "nnviz-settings.ini"
    monkeypatch.setenv(ENV_VAR, str(path))
    return path


@pytest.fixture(autouse=True)
def no_running_threads(monkeypatch):
    """Fail a test that leaves a QThread running (like napari's fixture)."""
    monkeypatch.setattr(QThread, "start", _recording_start)
    _started.clear()
    yield
    running = []
    for thread in _started:
        try:
            if thread.isRunning():
                running.append(thread.objectName() or repr(thread))
                thread.quit()
                thread.wait(2000)
        except RuntimeError:  # the C++ object is gone: it is not running
            pass
    _started.clear()
    assert not running, f"test left QThread(s) running: {running}"


@functools.cache
def _trained(preset: str, steps: int = 50):
    exp = build(PRESETS[preset])
    exp.trainer.run(steps)
    return exp, take_snapshot(exp, grid=prediction_grid(exp))


@pytest.fixture
def trained():
    """trained(preset, steps=50) -> (experiment, snapshot with its prediction grid), built
    once per preset and step count for the whole session (panels only read them)."""
    return _trained


@pytest.fixture
def show(trained):
    """show(panel, preset, steps=50) -> (experiment, snapshot), after giving both to panel."""

    def show(panel, preset: str, steps: int = 50):
        exp, snap = trained(preset, steps)
        panel.set_run(run_info(exp))
        panel.show_snapshot(snap)
        return exp, snap

    return show


@pytest.fixture
def make_window(qtbot):
    """make_window(preset="xor", settings=None) -> a shown MainWindow, closed after the test."""
    from nnviz.gui.main_window import MainWindow

    windows = []

    def factory(preset: str = "xor", settings: AppSettings | None = None, config=None):
        window = MainWindow(config=config or (PRESETS[preset] if preset else None),
                            settings=settings)
        window.errors = []
        window.show_error = lambda title, text, details="": window.errors.append(
            (title, text, details))
        window.questions = []
        window.answer = True

        def confirm(question):
            window.questions.append(question)
            return window.answer

        window.confirm = confirm
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield factory
    for window in windows:
        window.close()
        window.controller.shutdown()


@pytest.fixture
def hover(qtbot):
    """hover(view, scene_point): the mouse moved onto a point of a QGraphicsView's scene, from
    3 px beside it, no button down, the moves ~1/25 s apart (pyqtgraph's scene passes on one
    move in ~1/60 s, as a person's mouse sends them)."""
    from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    def move(view, scene_point) -> None:
        viewport = view.viewport()
        pos = view.mapFromScene(scene_point)
        for dx in (3, 0):
            qtbot.wait(40)
            at = QPointF(pos + QPoint(dx, 0))
            QApplication.sendEvent(viewport, QMouseEvent(
                QEvent.MouseMove, at, QPointF(viewport.mapToGlobal(at)), Qt.NoButton,
                Qt.NoButton, Qt.NoModifier))

    return move


#: the offscreen platform plugin cannot pass a top-level window's size hints to a window system
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"
_MINE = ("test_app_", "test_controller_", "test_error_curve", "test_race_")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name.startswith(_MINE):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def answer_next_question():
    """answer_next_question(button, seen): click ``button`` (a QMessageBox.StandardButton) of
    the next modal message box once it is open, its text appended to ``seen``."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def answer(button, seen: list) -> None:
        tries = []

        def click():
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                if len(tries) < 100:  # about a second, then the test's assertions fail
                    tries.append(1)
                    QTimer.singleShot(10, click)
                return
            seen.append(box.text())
            box.button(button).click()

        QTimer.singleShot(0, click)

    return answer


@pytest.fixture
def asking(qtbot):
    """asking(preset) -> a shown window that asks before quitting, as in an interactive run.
    It stops asking when pytest-qt closes it after the test (nobody would answer then)."""
    from nnviz.gui.main_window import MainWindow

    windows = []

    def factory(preset="xor"):
        w = MainWindow(config=PRESETS[preset], ask_before_quit=True)
        w.errors = []
        w.show_error = lambda *args: w.errors.append(args)
        qtbot.addWidget(w, before_close_func=lambda w: setattr(w, "ask_before_quit", False))
        w.show()
        windows.append(w)
        return w

    yield factory
    for w in windows:
        w.controller.shutdown()
