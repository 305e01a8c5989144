"""nnviz.startup_gc: the window's start holds automatic garbage collection; collection comes
back (what existed frozen until thawed), whatever happens; only a held pause is ended."""

import gc
import weakref

import pytest

from nnviz import startup_gc


@pytest.fixture(autouse=True)
def collector_restored():
    """Each test leaves the collector as it found it (on, nothing frozen)."""
    assert gc.isenabled() and gc.get_freeze_count() == 0
    yield
    startup_gc.finish()
    gc.enable()
    gc.unfreeze()


class Node:
    pass


def test_hold_release_thaw():
    assert startup_gc.hold() and not gc.isenabled() and startup_gc.held()
    assert not startup_gc.hold()  # (held already)
    node = Node()
    node.me = node  # a cycle that becomes garbage during the pause...
    alive = weakref.ref(node)
    del node
    assert startup_gc.release(freeze=True)
    assert gc.isenabled() and not startup_gc.held() and gc.get_freeze_count() > 0
    assert not startup_gc.release(freeze=True)  # (once)
    gc.collect()
    assert alive() is not None  # ...kept while frozen...
    startup_gc.thaw()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None  # ...and collected once thawed


def test_release_without_freezing_and_finish_after_anything():
    startup_gc.hold()
    assert startup_gc.release(freeze=False) and gc.isenabled() and gc.get_freeze_count() == 0
    startup_gc.hold()
    startup_gc.finish()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    startup_gc.hold()
    startup_gc.release(freeze=True)
    startup_gc.finish()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_turned_off_by_someone_else_is_left_alone():
    gc.disable()
    try:
        assert not startup_gc.hold() and not startup_gc.release(freeze=True)
        startup_gc.finish()
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_thaw_leaves_a_freeze_it_did_not_make():
    gc.freeze()
    startup_gc.thaw()
    assert gc.get_freeze_count() > 0


@pytest.mark.parametrize("argv", [
    ["--list-presets"], ["--open", "/nonexistent/x.nnviz"], ["--preset", "no-such-preset"],
    ["--no-such-flag"], ["--help"],
], ids=["list", "missing-file", "bad-preset", "bad-flag", "help"])
def test_the_command_ends_the_pause_whatever_happens(run_cli, argv):
    code, _out, _err = run_cli(*argv)
    assert code in (0, 2)
    assert gc.isenabled() and gc.get_freeze_count() == 0 and not startup_gc.held()


def test_headless_commands_do_not_pause(run_cli, monkeypatch):
    holds = []
    monkeypatch.setattr(startup_gc, "hold", lambda: holds.append(1))
    run_cli("info", "/nonexistent/x.nnviz")
    assert holds == []
