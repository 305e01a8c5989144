"""A worker QObject's own QThread: started, stopped, and counted by ``nnviz.gc_control`` (while
any runs, Python's collector runs only in the GUI thread: a collection in a worker thread
could delete a Qt object outside its thread).

The worker has ``run()`` (its loop, from the thread's start until it returns) and ``quit()``
(asks the loop to return; any thread).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread

from nnviz import gc_control


def start_thread(worker: QObject, name: str) -> QThread:
    """A QThread named ``name`` running ``worker.run``, started."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    gc_control.worker_started()
    thread.counted = True  # (until stop_thread sees it ended)
    thread.start()
    return thread


def stop_thread(thread: QThread, worker: QObject, timeout_ms: int) -> bool:
    """``worker.quit()``, then wait for ``thread`` to end (``timeout_ms`` at most); whether it
    has (idempotent)."""
    worker.quit()
    if thread.isRunning():
        thread.wait(timeout_ms)
    ended = not thread.isRunning()
    if ended and thread.counted:
        thread.counted = False
        gc_control.worker_stopped()
    return ended
