"""The window's process paints without Qt's GUI thread pool (no Qt here: this must run before
Qt first paints).

Qt 6's raster engine hands large fills and strokes to a pool of threads in slices and waits
for them: a scroll bar's gradients, a toolbar's lines, a group box's frame, the icon's shapes,
~450 hand-offs before nnviz's first frame. At nnviz's sizes the wake-ups and waits cost more
than the slices save: with the pool, the first frame came ~8 ms later (wall) and took ~3 ms
more CPU of the GUI thread; a panel's update took no less CPU without it (bench_frames), and
training beside the window no less (bench_gui). ``QT_NO_GUI_THREADPOOL`` (read by Qt once, at
its first use of the pool) turns it off, set before Qt is loaded. Notebooks, tests and a
process that loaded Qt first keep Qt's default.
"""

from __future__ import annotations

import os
import sys

VARIABLE = "QT_NO_GUI_THREADPOOL"


def no_gui_thread_pool() -> bool:
    """``QT_NO_GUI_THREADPOOL=1`` for this process (and what it starts) if Qt's GUI module is
    not loaded yet and the variable is unset; whether it was set."""
    if VARIABLE in os.environ or "PySide6.QtGui" in sys.modules:
        return False
    os.environ[VARIABLE] = "1"
    return True
