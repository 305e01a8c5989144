"""The layers import one way: engine, data, experiment and snapshot never load Qt."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_core_modules_do_not_load_qt():
    code = (
        "import sys, nnviz.engine, nnviz.data, nnviz.experiment, nnviz.snapshot, nnviz.errors\n"
        "from nnviz.experiment import PRESETS, build\n"
        "exp = build(PRESETS['xor']); exp.trainer.run(10)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_ruff_bans_qt_outside_the_gui():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the test extra)")
    result = subprocess.run([ruff, "check", "nnviz", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
