"""Shared test setup: Qt runs offscreen so the suite needs no display; ``run_cli``."""

import gc
import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def run_cli(capsys):
    """run_cli(*argv) -> (exit code, stdout, stderr) of ``nnviz ARGV`` run in this process
    (argparse's own errors give their SystemExit code)."""
    from nnviz import cli

    def run(*argv):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def pytest_sessionfinish(session, exitstatus):
    """Delete the nnviz windows tests left open while the QApplication lives (their training
    threads stopped first): left to Python's exit, PySide deleted them in no order, and a test
    run that passed could still crash. Only nnviz's own parentless windows: the parentless
    helper widgets pyqtgraph makes (a plot's options form, whose parts its menu's actions own)
    must go with their plot, not before it."""
    if "nnviz.gui.app" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    from nnviz.gui.app import delete_now

    app = QApplication.instance()
    if app is None:
        return
    gc.collect()
    windows = [w for w in app.topLevelWidgets()
               if w.parent() is None and type(w).__module__.startswith("nnviz.")]
    for window in windows:  # (a race window stops its own thread; a main window's controller)
        owner = window if hasattr(window, "shutdown") else getattr(window, "controller", None)
        if owner is not None:
            owner.shutdown()
    delete_now(*windows)
    gc.collect()
