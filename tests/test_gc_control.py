"""nnviz.gc_control: the window's start holds automatic garbage collection; collection comes
back (what existed frozen until thawed), whatever happens; only a held pause is ended. While
worker threads run, collection is the GUI thread's (``collect_due``), as automatic collection
would have done it."""

import gc
import threading
import weakref

import pytest

from nnviz import gc_control


@pytest.fixture(autouse=True)
def collector_restored(monkeypatch):
    """Each test starts with the collector on, nothing frozen (CPython 3.12.1 starts with ~375
    objects frozen), no workers counted (whatever windows earlier tests left), and leaves the
    collector on or off as it found it."""
    was_enabled, thresholds = gc.isenabled(), gc.get_threshold()
    monkeypatch.setattr(gc_control, "_off_for", set())
    monkeypatch.setattr(gc_control, "_workers", 0)
    monkeypatch.setattr(gc_control, "_frozen", False)
    gc.enable()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    (gc.enable if was_enabled else gc.disable)()


class Node:
    pass


def test_hold_release_thaw():
    assert gc_control.hold() and not gc.isenabled() and gc_control.held()
    assert not gc_control.hold()  # (held already)
    node = Node()
    node.me = node  # a cycle that becomes garbage during the pause...
    alive = weakref.ref(node)
    del node
    assert gc_control.release(freeze=True)
    assert gc.isenabled() and not gc_control.held() and gc.get_freeze_count() > 0
    assert not gc_control.release(freeze=True)  # (once)
    gc.collect()
    assert alive() is not None  # ...kept while frozen...
    gc_control.thaw()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None  # ...and collected once thawed


def test_release_without_freezing_and_finish_after_anything():
    gc_control.hold()
    assert gc_control.release(freeze=False) and gc.isenabled() and gc.get_freeze_count() == 0
    gc_control.hold()
    gc_control.finish()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc_control.hold()
    gc_control.release(freeze=True)
    gc_control.finish()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_turned_off_by_someone_else_is_left_alone():
    gc.disable()
    try:
        assert not gc_control.hold() and not gc_control.release(freeze=True)
        gc_control.finish()
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_thaw_leaves_a_freeze_it_did_not_make():
    gc.freeze()
    gc_control.thaw()
    assert gc.get_freeze_count() > 0


@pytest.mark.parametrize("argv", [
    ["--list-presets"], ["--open", "/nonexistent/x.nnviz"], ["--preset", "no-such-preset"],
    ["--no-such-flag"], ["--help"],
], ids=["list", "missing-file", "bad-preset", "bad-flag", "help"])
def test_the_command_ends_the_pause_whatever_happens(run_cli, argv):
    code, _out, _err = run_cli(*argv)
    assert code in (0, 2)
    assert gc.isenabled() and gc.get_freeze_count() == 0 and not gc_control.held()


def test_headless_commands_do_not_pause(run_cli, monkeypatch):
    holds = []
    monkeypatch.setattr(gc_control, "hold", lambda: holds.append(1))
    run_cli("info", "/nonexistent/x.nnviz")
    assert holds == []


def cycle():
    """A weak reference to a cycle that is garbage from now on."""
    node = Node()
    node.me = node
    return weakref.ref(node)


def allocate(kept: list, n: int = 5) -> None:
    """``n`` more tracked objects alive in ``kept`` (the young generation's count grows by at
    least ``n``, whatever the interpreter allocates or frees around it)."""
    kept.extend([Node() for _ in range(n)])


def test_workers_hold_collection_for_the_gui_thread():
    gc_control.worker_started()
    gc_control.worker_started()
    assert not gc.isenabled() and gc_control.workers() == 2
    gc.set_threshold(5, 10, 10)
    alive = cycle()
    kept = []
    allocate(kept, 10)  # (past the young generation's threshold: automatic would collect)
    assert alive() is not None  # not collected by itself...
    assert gc_control.collect_due() == 0 and alive() is None  # ...but by the GUI thread
    assert gc_control.collect_due() is None  # (nothing due)
    gc_control.worker_stopped()
    assert not gc.isenabled()
    gc_control.worker_stopped()
    assert gc.isenabled() and gc_control.workers() == 0
    gc_control.worker_stopped()  # (never below none)
    assert gc.isenabled() and gc_control.workers() == 0


def test_collect_due_does_nothing_when_collection_is_automatic_or_held():
    gc.set_threshold(1, 1, 1)
    kept = []
    allocate(kept)
    assert gc_control.collect_due() is None  # automatic
    gc_control.hold()
    allocate(kept)
    assert gc_control.collect_due() is None  # the start's hold
    gc_control.worker_started()
    assert gc_control.collect_due() is None  # (both)
    assert gc_control.release(freeze=False) and not gc.isenabled()  # the workers' hold stays
    assert gc_control.collect_due() is not None
    gc_control.worker_stopped()
    assert gc.isenabled()


def test_the_oldest_generation_at_most_every_full_every_s(monkeypatch):
    gc_control.worker_started()
    gc.set_threshold(1, 1, 1)
    now = [1000.0]
    monkeypatch.setattr(gc_control.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(gc_control, "_last_full", float("-inf"))
    generations, kept = [], []
    for _ in range(12):
        allocate(kept)
        generations.append(gc_control.collect_due())
    assert generations.count(2) == 1 and None not in generations
    now[0] += gc_control.FULL_EVERY_S
    for _ in range(12):
        allocate(kept)
        generations.append(gc_control.collect_due())
    assert generations.count(2) == 2
    gc_control.worker_stopped()


def test_workers_leave_a_collector_someone_else_turned_off_alone():
    gc.disable()
    gc_control.worker_started()
    gc.set_threshold(1, 1, 1)
    kept = []
    allocate(kept)
    assert gc_control.collect_due() is None
    gc_control.worker_stopped()
    assert not gc.isenabled()


def test_workers_counted_from_any_thread():
    threads = [threading.Thread(target=gc_control.worker_started) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc_control.workers() == 8 and not gc.isenabled()
    threads = [threading.Thread(target=gc_control.worker_stopped) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc_control.workers() == 0 and gc.isenabled()


def test_the_last_workers_end_collects_what_their_time_left():
    gc_control.worker_started()
    gc_control.worker_started()
    alive = cycle()
    gc_control.worker_stopped()
    assert alive() is not None  # (a worker still runs)
    gc_control.worker_stopped()
    assert alive() is None and gc.isenabled()
