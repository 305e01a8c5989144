"""Python's garbage collector runs in the GUI thread only while nnviz's worker threads run
(``nnviz.gc_control``): a collection in a worker thread could delete a Qt object there (a
closed window's widgets, a plot's items), outside the thread it belongs to."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import Qt

from nnviz import gc_control


def test_collections_stay_in_the_gui_thread_while_a_window_trains_and_races(make_window,
                                                                           qtbot):
    workers = gc_control.workers()
    in_gui_thread = []

    def note(phase, _info):
        if phase == "start":
            in_gui_thread.append(threading.current_thread() is threading.main_thread())

    thresholds = gc.get_threshold()
    gc.set_threshold(10, 2, 2)  # (many collections: many chances to be in the wrong thread)
    gc.callbacks.append(note)
    try:
        w = make_window("spiral")
        assert gc_control.workers() == workers + 1 and not gc.isenabled()
        w.act_play.trigger()
        w.act_race.trigger()
        race = w.race_window
        assert gc_control.workers() == workers + 2
        qtbot.mouseClick(race.start_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: w.controller.snapshot is not None
                        and w.controller.snapshot.step > 200, timeout=20_000)
        qtbot.waitUntil(lambda: race.view is not None and race.view.step > 200,
                        timeout=20_000)
        w.close()
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*thresholds)
    assert len(in_gui_thread) > 10 and all(in_gui_thread), in_gui_thread.count(False)
    assert gc_control.workers() == workers and gc.isenabled() == (workers == 0)
