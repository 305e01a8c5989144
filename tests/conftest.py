"""Shared test setup: Qt runs offscreen so the suite needs no display; ``run_cli``."""

import os

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
