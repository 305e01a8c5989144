"""PySide6's per-module check (does the module's source name PySide6?) answered from the
file's bytes gives PySide's own answer for every module of a running nnviz, and for sources it
cannot read as bytes falls back to PySide's; ``import nnviz.gui`` installs it."""

import subprocess
import sys

import pytest
import shibokensupport.feature as feature

from nnviz.gui.pyside_hook import fast_check

ORIGINAL = getattr(feature._mod_uses_pyside, "original", feature._mod_uses_pyside)


def test_the_fast_check_agrees_with_pysides_on_every_loaded_module():
    import nnviz.gui.app  # noqa: F401  (numpy, pyqtgraph, nnviz: a few hundred modules)

    fast = fast_check(ORIGINAL)
    modules = [m for m in list(sys.modules.values()) if m is not None]
    assert len(modules) > 300
    differ = [m.__name__ for m in modules if fast(m) != ORIGINAL(m)]
    assert differ == []
    assert fast(sys.modules["nnviz.gui.main_window"]) is True
    assert fast(sys.modules["nnviz.engine.network"]) is False


@pytest.mark.parametrize("text, encoding, expected", [
    ("import PySide6\n", "utf-8", True),
    ("# PySide6 named in a comment\nx = 'é'\n", "utf-8", True),
    ("x = 1  # no Qt here\n", "utf-8", False),
    ("# -*- coding: latin-1 -*-\nx = 'é'  # PySide6\n", "latin-1", True),
])
def test_a_module_file_names_pyside6_or_not(tmp_path, text, encoding, expected):
    path = tmp_path / "m.py"
    path.write_bytes(text.encode(encoding))
    module = type(sys)("m")
    module.__file__ = str(path)
    assert fast_check(ORIGINAL)(module) is expected
    assert ORIGINAL(module) is expected


def test_what_it_cannot_read_goes_to_pysides_own_check(tmp_path):
    asked = []

    def original(module):
        asked.append(module.__name__)
        return True

    fast = fast_check(original)
    builtin, missing, utf16, compiled = (type(sys)(n) for n in ("b", "m", "u", "c"))
    missing.__file__ = str(tmp_path / "gone.py")
    (tmp_path / "u.py").write_bytes("x = 1\n".encode("utf-16"))
    utf16.__file__ = str(tmp_path / "u.py")
    compiled.__file__ = str(tmp_path / "c.so")
    assert all(fast(m) for m in (builtin, missing, utf16, compiled))
    assert asked == ["b", "m", "u", "c"]


def test_importing_nnviz_gui_installs_it_and_pyside_decides_as_before():
    code = ("import sys, nnviz.gui.app, shibokensupport.feature as f\n"
            "d, check = f.pyside_feature_dict, f._mod_uses_pyside\n"
            "names = ['nnviz.gui.main_window', 'nnviz.engine.network', 'pyqtgraph.Qt',\n"
            "         'pyqtgraph.graphicsItems.PlotItem.PlotItem', 'numpy.linalg']\n"
            "print(hasattr(check, 'original'), *[d[n] for n in names])\n"
            "print(*[0 if check.original(sys.modules[n]) else -1 for n in names])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    installed, decided = out.stdout.splitlines()
    assert installed.split() == ["True", "0", "-1", "0", "-1", "-1"]
    assert decided.split() == installed.split()[1:]  # PySide's own check: the same
