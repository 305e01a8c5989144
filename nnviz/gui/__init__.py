"""The Qt application: main window, control panel, training worker thread and the panels.

Only this package imports PySide6 and pyqtgraph. It knows the engine through its public API
and sees training only through frozen ``nnviz.snapshot.Snapshot`` objects.

Importing it first makes the window's start cheaper: numpy's OpenBLAS loads with one thread
(``nnviz.blas_env``: ~50-100 ms of CPU of a spinning second thread), PySide6's look at each
later import is cheap (``pyside_hook``: ~40 ms of CPU), and nnviz's dataclasses are made from
code compiled at an earlier start (``nnviz.dataclass_cache``: ~13 ms of CPU).
"""

from nnviz.blas_env import one_blas_thread_at_load

one_blas_thread_at_load()

from nnviz.dataclass_cache import install as compiled_dataclasses  # noqa: E402

compiled_dataclasses()

from nnviz.gui.pyside_hook import install  # noqa: E402

install()
