"""A window, once deleted, leaves no Qt graphics item behind; quitting the app exits cleanly.

Plots a panel keeps out of its layout (the error panel's selector, the pinned strip, the
compact predicted-vs-true maps) had been outside every scene, Python's alone: they outlived
their window, and PySide deleted them at the interpreter's exit in no order, which crashed
(exit 139 after a full test run). Qt now deletes them with their view.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import shiboken6
from PySide6.QtWidgets import QGraphicsItem

from nnviz.experiment import PRESETS
from nnviz.gui.app import delete_now
from nnviz.gui.main_window import MainWindow
from nnviz.gui.settings import ENV_VAR


def live_graphics_items() -> dict[int, str]:
    """id -> type name of every QGraphicsItem whose C++ object still exists."""
    gc.collect()
    return {id(o): type(o).__name__ for o in gc.get_objects()
            if isinstance(o, QGraphicsItem) and shiboken6.isValid(o)}


def open_small_and_delete(qtbot) -> None:
    """A function-fit window laid out small (the error panel and predicted vs true show one
    plot each, the others kept out of their layouts), closed and deleted."""
    w = MainWindow(config=PRESETS["function-fit"])
    try:
        w.show()
        qtbot.waitExposed(w)
        error, heatmaps = w.panels["errorCurve"], w.panels["heatmaps"]
        w.panels["distributions"]  # (built: its pinned strip is kept out of its layout)
        w.resize(1024, 600)
        qtbot.waitUntil(lambda: error.plot_choice.isVisible())
        error.plot_choice.setCurrentIndex(1)  # (the loss plot built and kept out)
        qtbot.waitUntil(lambda: heatmaps.map_choice.isVisible())
        assert [p in error.view.ci.items for p in error.built_plots()] == [False, True]
    finally:
        w.close()
        w.controller.shutdown()
    delete_now(w)


def test_a_deleted_window_leaves_no_graphics_item(qtbot):
    before = live_graphics_items()
    open_small_and_delete(qtbot)
    left = sorted({name for k, name in live_graphics_items().items() if k not in before})
    assert not left, f"graphics items outlived their window: {left}"


QUIT_AFTER_SHOWING = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from nnviz.gui import app as nnviz_app
real_make = nnviz_app.make_application
def make(*args, **kwargs):
    qapp = real_make(*args, **kwargs)
    # the window at a laptop's size, its hidden plots kept out of its layouts, then quit
    def small():
        for w in QApplication.topLevelWidgets():
            if w.isWindow() and w.isVisible():
                w.resize(1024, 600)
        QTimer.singleShot(200, qapp.quit)
    QTimer.singleShot(300, small)
    return qapp
nnviz_app.make_application = make
from nnviz.cli import main
sys.exit(main(["--preset", sys.argv[1]]))
"""


def test_quitting_the_app_exits_0(tmp_path):
    """The real ``nnviz`` process, quit after its window was laid out small: exit code 0 (not
    a crash while Python shuts down), every time."""
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           ENV_VAR: str(tmp_path / "settings.ini"),
           "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    for preset in ("function-fit", "iris", "xor"):
        run = subprocess.run([sys.executable, "-c", QUIT_AFTER_SHOWING, preset], env=env,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, (preset, run.returncode, run.stderr[-600:])


def test_a_new_run_deletes_the_old_runs_plots_at_once(qtbot, show):
    """Predicted vs true builds its plots anew for each run; the old ones are deleted then,
    not left to the garbage collector outside every scene."""
    from nnviz.gui.panels.heatmaps import HeatmapsPanel

    panel = HeatmapsPanel()
    qtbot.addWidget(panel)
    show(panel, "function-fit")
    old = list(panel.view.ci.items)
    assert len(old) >= 4  # (four maps, their colour bars)
    show(panel, "xor")
    assert not [type(item).__name__ for item in old if shiboken6.isValid(item)]
    assert all(shiboken6.isValid(item) for item in panel.view.ci.items)
