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
    """Delete the windows tests left open while the QApplication lives: left to Python's
    exit, PySide deleted them in no order, and a test run that passed could still crash."""
    if "nnviz.gui.app" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    from nnviz.gui.app import delete_now

    app = QApplication.instance()
    if app is not None:
        gc.collect()
        delete_now(*app.topLevelWidgets())
        gc.collect()
