"""Split a large batch into row parts computed on several threads at once.

numpy releases the GIL inside ufuncs and BLAS calls, so the elementwise work (bias, activation,
masks), which BLAS does not parallelise, also uses every core. While parts run side by side,
BLAS is limited to one thread each (threads inside threads only fight over the cores).

The number of threads is a process-wide setting: all cores by default (headless runs,
notebooks), ``set_threads(1)`` in the GUI's worker so the window keeps a core to itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

#: below this many rows a batch is not split (thread hand-off costs ~50 us)
MIN_ROWS_PER_THREAD = 1024

_threads = max(1, min(os.cpu_count() or 1, 8))
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_blas = None


def set_threads(n: int) -> None:
    """Use ``n`` threads for large batches (1: never split)."""
    global _threads
    _threads = max(1, int(n))


def get_threads() -> int:
    return _threads


def _blas_controllers():
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas = ThreadpoolController().select(user_api="blas").lib_controllers
        except Exception:  # threadpoolctl missing or no BLAS found: nothing to limit
            _blas = []
    return _blas


def set_blas_threads(n: int) -> None:
    """Limit numpy's BLAS to ``n`` threads for this process."""
    for lib in _blas_controllers():
        lib.set_num_threads(n)


def row_parts(rows: int) -> list[slice]:
    """Contiguous row slices, one per thread that is worth using."""
    n = max(1, min(_threads, rows // MIN_ROWS_PER_THREAD))
    bounds = [rows * i // n for i in range(n + 1)]
    return [slice(bounds[i], bounds[i + 1]) for i in range(n)]


def run_parts(fn: Callable[[int, slice], object], parts: Sequence[slice]) -> list:
    """``[fn(i, part) for i, part in enumerate(parts)]``, the parts on separate threads, each
    under the caller's numpy error state (it is per thread: an ``np.errstate`` around a forward
    pass must hold in its parts too)."""
    if len(parts) == 1:
        return [fn(0, parts[0])]
    errors = np.geterr()

    def part_fn(i, part):
        with np.errstate(**errors):
            return fn(i, part)

    global _pool
    with _lock:
        if _pool is None or _pool._max_workers < len(parts) - 1:
            _pool = ThreadPoolExecutor(max_workers=len(parts) - 1, thread_name_prefix="nnviz")
        with blas_threads(1):
            futures = [_pool.submit(part_fn, i, part) for i, part in enumerate(parts) if i > 0]
            first = fn(0, parts[0])
            return [first] + [f.result() for f in futures]


@contextmanager
def blas_threads(n: int):
    """numpy's BLAS limited to ``n`` threads inside the block, the previous counts restored
    after. (A 2-thread eigh of 337 x 337 took 0.5 s on a loaded 2-core machine, 1 thread
    0.06 s: threads spinning for a core they do not get.)"""
    blas = _blas_controllers()
    saved = [lib.get_num_threads() for lib in blas]
    for lib in blas:
        lib.set_num_threads(n)
    try:
        yield
    finally:
        for lib, k in zip(blas, saved):
            lib.set_num_threads(k)
