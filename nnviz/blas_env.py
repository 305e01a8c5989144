"""The window's process loads numpy's OpenBLAS with one thread (no numpy, no Qt here: this
must run before numpy is imported).

The window runs BLAS on one thread anyway: its worker sets it process-wide with threadpoolctl
before its first numpy work (``nnviz.gui.worker.Worker._limit_blas``; with two, beside a
redrawing GUI, a 10 ms GUI timer ran 200+ ms late and training 10x slower). Told at load
(``OPENBLAS_NUM_THREADS``), OpenBLAS does not start its second thread, which spun on a core
for ~50-100 ms of CPU after numpy's import, beside the window's first frame. Headless commands
and notebooks load numpy before this could run and keep all their threads.
"""

from __future__ import annotations

import os
import sys


def one_blas_thread_at_load() -> bool:
    """``OPENBLAS_NUM_THREADS=1`` for this process (and what it starts) if numpy is not loaded
    yet and the variable is unset; whether it was set."""
    if "numpy" in sys.modules or "OPENBLAS_NUM_THREADS" in os.environ:
        return False
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    return True
