"""The window's start imports only what its first frame needs: the modules of the background
tabs' panels (``Deferred`` in ``nnviz.gui.panels.PANELS``) are imported when a panel is first
built, by a real click on its tab, and then work; each ``Deferred`` names its class's key and
title and builds it; a registry entry whose module does not exist fails at import."""

import os
import subprocess
import sys

import pytest

from nnviz.gui.panels import PANELS, Deferred

DEFERRED = [p for p in PANELS if isinstance(p, Deferred)]

# a fresh interpreter (this one has imported every module): open the window, wait for its
# first frame, list the deferred modules loaded; then click each background tab
OPEN_AND_CLICK = """
import sys
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTabBar
from nnviz.experiment import PRESETS
from nnviz.gui.app import delete_now, make_application
from nnviz.gui.main_window import MainWindow
from nnviz.gui.panels import PANELS, Deferred

app = make_application()
window = MainWindow(config=PRESETS["xor"], ask_before_quit=False)
window.resize(1280, 720)
window.show()
QTest.qWaitForWindowExposed(window)
app.processEvents()
deferred = [p for p in PANELS if isinstance(p, Deferred)]
print("at start:", [p.module for p in deferred if p.module in sys.modules])
print("built at start:", sorted(window.panels.built))
for p in deferred:
    title = window.docks[p.key].windowTitle()
    bar, i = next((b, i) for b in window.findChildren(QTabBar) if b.isVisible()
                  for i in range(b.count()) if b.tabText(i) == title)
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(i).center())
    app.processEvents()
    panel = window.panels.built.get(p.key)
    print("clicked", p.key, p.module in sys.modules, type(panel).__name__,
          panel is not None and panel.isVisible())
window.controller.shutdown()
window.close()
delete_now(window)
"""


def test_the_start_imports_no_deferred_module_and_a_click_builds_it():
    assert {p.key for p in DEFERRED} == {"hiddenSpace", "distributions", "backpropInspector"}
    out = subprocess.run([sys.executable, "-c", OPEN_AND_CLICK], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert lines[0] == "at start: []", out.stdout
    assert not set(lines[1].split(":", 1)[1]) & {p.key for p in DEFERRED}, out.stdout
    for p in DEFERRED:
        assert f"clicked {p.key} True {p.name} True" in lines, out.stdout


@pytest.mark.parametrize("entry", DEFERRED, ids=lambda p: p.key)
def test_a_deferred_entry_stands_for_its_class(qtbot, entry):
    cls = entry.load()
    assert (entry.key, entry.title) == (cls.key, cls.title)
    assert entry.show_snapshot is cls.show_snapshot  # other attributes: the class's
    panel = entry()
    qtbot.addWidget(panel)
    assert type(panel) is cls


def test_a_missing_panel_module_fails_at_registration():
    with pytest.raises(ImportError, match="nnviz.gui.panels.nothing"):
        Deferred("nnviz.gui.panels.nothing", "Nothing", "nothing", "Nothing")


def test_the_worker_limits_blas_at_its_first_work_not_at_its_start(monkeypatch):
    """threadpoolctl's scan (~6 ms) waits until the worker computes: adopting a run (with a
    stop and a pace, as a new window hands them over) computes nothing; its first snapshot,
    a step or an edit limits BLAS first, once. (The worker's steps run here, on this thread.)"""
    import nnviz.gui.worker as worker_module
    from nnviz.experiment import PRESETS, build

    calls = []
    monkeypatch.setattr(worker_module, "set_blas_threads", calls.append)
    w = worker_module.Worker()
    w.submit(running=False)
    w.submit(experiment=(build(PRESETS["xor"]), 1), speed=None)
    w._apply_pending()
    assert calls == []
    w._publish(force=True)
    assert calls == [1] and w._latest is not None
    w._train(5)
    w.submit(param=("set", 0, "weight", (0, 0), 0.5, False))
    w._apply_pending()
    assert calls == [1]
    other = worker_module.Worker()
    other.submit(experiment=(build(PRESETS["xor"]), 1), speed=None)
    other.submit(step="batch")
    other._apply_pending()
    assert calls == [1, 1]  # (a queued step: limited before anything is computed)


def test_the_window_shows_the_applications_icon(qtbot):
    from nnviz.experiment import PRESETS
    from nnviz.gui.app import make_application
    from nnviz.gui.main_window import MainWindow

    app = make_application()
    w = MainWindow(config=PRESETS["xor"], ask_before_quit=False)
    qtbot.addWidget(w)
    try:
        assert not app.windowIcon().isNull()
        assert w.windowIcon().cacheKey() == app.windowIcon().cacheKey()
    finally:
        w.controller.shutdown()


BLAS = """
import sys
{first}
from threadpoolctl import threadpool_info
import os
blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
print(os.environ.get("OPENBLAS_NUM_THREADS"), [i["num_threads"] for i in blas])
"""
WINDOW_PROCESS = "import nnviz.gui.app"  # (the benchmark's start)
COMMAND = ("from nnviz.cli import main\n"  # the nnviz command, as far as its arguments
           "import contextlib, io\n"
           "with contextlib.redirect_stdout(io.StringIO()):\n"
           "    main({argv!r})\n")


@pytest.mark.parametrize("first, expected", [
    (WINDOW_PROCESS, "1 [1]"),
    (COMMAND.format(argv=["--list-presets"]), "1 [1]"),
    ("import numpy\n" + WINDOW_PROCESS, None),  # a notebook: numpy's own threads
    (COMMAND.format(argv=["info", "/nonexistent.nnviz"]), None),  # headless: the same
], ids=["window", "command", "numpy-first", "headless"])
def test_the_window_process_loads_openblas_with_one_thread(monkeypatch, first, expected):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    out = subprocess.run([sys.executable, "-c", BLAS.format(first=first)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    env, threads = out.stdout.strip().splitlines()[-1].split(" ", 1)
    if expected is not None:
        assert f"{env} {threads}" == expected
    else:
        assert env == "None"
        if (os.cpu_count() or 1) > 1:
            assert threads != "[1]"


def test_a_set_variable_or_a_loaded_numpy_is_left_alone(monkeypatch):
    from nnviz.blas_env import one_blas_thread_at_load

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    assert one_blas_thread_at_load() is False
    assert os.environ["OPENBLAS_NUM_THREADS"] == "3"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    assert "numpy" in sys.modules  # (this process)
    assert one_blas_thread_at_load() is False
    assert "OPENBLAS_NUM_THREADS" not in os.environ


# the nnviz command's window, closed once shown (after its start kept its dataclass code)
LAUNCH = """
from PySide6.QtCore import QTimer
import nnviz.gui.app as app_module
from nnviz import dataclass_cache
from nnviz.cli import main

cache = dataclass_cache.installed()
print("read", len(cache.codes) - cache.compiled)  # (from the file)
save = cache.save

def save_reported():
    compiled, written = cache.compiled, save()
    print("compiled", compiled, "written", written)
    return written

cache.save = save_reported
show = app_module.MainWindow.show

def show_then_close(self):
    show(self)
    QTimer.singleShot(0, self.close)

app_module.MainWindow.show = show_then_close
print("exit", main([]))
"""


def test_a_second_start_compiles_no_dataclass_code(tmp_path):
    """The window's first start keeps the code of nnviz's dataclasses in the user's cache
    folder; the next start reads it and compiles none (``nnviz.dataclass_cache``)."""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", LAUNCH], capture_output=True, text=True,
                             timeout=120, env=env)
        assert out.returncode == 0, out.stderr[-2000:]
        runs.append(out.stdout.split())
    first, second = runs
    assert first[:2] == ["read", "0"] and first[2] == "compiled" and int(first[3]) > 40
    assert first[4:] == ["written", "True", "exit", "0"], first
    assert second[:2] == ["read", first[3]], second
    assert second[2:] == ["compiled", "0", "written", "False", "exit", "0"], second
    assert [p.name for p in (tmp_path / "cache" / "nnviz").iterdir()] == [
        f"dataclasses.{sys.implementation.cache_tag}.marshal"]


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_the_commands_window_starts_without_collections_and_ends_with_them(run_cli, tmp_path,
                                                                          monkeypatch):
    """``nnviz``'s window path holds automatic garbage collection from before its arguments
    load nnviz until the window is shown (then what exists is frozen: the first paint does not
    look through it; collection is the GUI thread's while the training thread runs), thawed
    and automatic again when the window closes (``nnviz.gc_control``)."""
    import gc

    from nnviz import gc_control
    from nnviz.gui import app as app_module

    seen = {}
    workers = gc_control.workers()  # (windows other tests left open count theirs)
    show, start = app_module.MainWindow.show, app_module.ScriptedRun.start

    def show_noted(window):
        seen["building"] = (gc.isenabled(), gc_control.held())
        show(window)

    def start_noted(run):  # (the first event-loop turn after the show)
        seen["shown"] = (gc.isenabled(), gc_control.held(), gc_control.workers() - workers,
                         gc.get_freeze_count() > 0)
        start(run)

    monkeypatch.setattr(app_module.MainWindow, "show", show_noted)
    monkeypatch.setattr(app_module.ScriptedRun, "start", start_noted)
    code, _out, err = run_cli("--preset", "xor", "--train-steps", "0",
                              "--screenshot", tmp_path / "w.png")
    assert code == 0, err
    assert seen == {"building": (False, True), "shown": (False, False, 1, True)}
    assert gc.get_freeze_count() == 0 and not gc_control.held()
    assert gc_control.workers() == workers and gc.isenabled() == (workers == 0)


# the nnviz command's scripted window ({first} runs before it), then the variable and whether
# Qt's GUI thread pool started threads (they are named "Thread (pooled)" on Linux)
POOL = """
import os, sys, tempfile
{first}
from nnviz.cli import main
with tempfile.TemporaryDirectory() as folder:
    code = main(["--preset", "xor", "--train-steps", "0", "--screenshot",
                 os.path.join(folder, "w.png")])
names = [open(f"/proc/self/task/{{t}}/comm").read().strip() for t in os.listdir("/proc/self/task")]
print(code, os.environ.get("QT_NO_GUI_THREADPOOL"), "Thread (pooled)" in names)
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="thread names from /proc")
@pytest.mark.parametrize("first, expected", [
    ("", "0 1 False"),  # the command: no pool
    ("import PySide6.QtGui", "0 None True"),  # Qt loaded first (a notebook): Qt's default
    ("os.environ['QT_NO_GUI_THREADPOOL'] = 'yes'", "0 yes False"),  # the person's, kept
], ids=["command", "qt-first", "set"])
def test_the_window_process_paints_without_qts_thread_pool(monkeypatch, first, expected):
    """Qt's raster engine hands large fills to a thread pool and waits (~450 hand-offs
    before the first frame, slower than painting them on the GUI thread): the nnviz
    command's window process turns it off before Qt loads (``nnviz.qt_threads``)."""
    monkeypatch.delenv("QT_NO_GUI_THREADPOOL", raising=False)
    out = subprocess.run([sys.executable, "-c", POOL.format(first=first)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[-1] == expected, out.stdout
