"""What a drawn point costs: ``nnviz.drawing.add_point`` and ``remove_nearest`` against one
training step and against the window's frame (33 ms), on datasets of growing size.

    python benchmarks/bench_drawing.py [--repeat 7]

An edit recomputes the scaled rows from the raw ones (``Prepared.with_rows``: what a reopened
session computes, so both are bit for bit the same) and hands them to the trainer: O(n). The
ratio "edit / frame" says whether a click shows within a frame; "edit / step" what a click
costs the training. Medians of ``--repeat``; the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from nnviz import drawing
from nnviz.experiment import TrainingConfig, build

FRAME = 1 / 30


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'rows':>8} {'add ms':>8} {'remove ms':>10} {'step ms':>8} {'add/frame':>10} "
          f"{'add/step':>9}")
    for samples in (200, 2_000, 20_000, 100_000):
        exp = build(TrainingConfig(dataset="moons", dataset_params=(("samples", samples),),
                                   test_ratio=0.2, hidden=(8,), batch_size=10))
        exp.trainer.run(10)
        add = median_time(lambda e=exp: drawing.add_point(
            e, rng.uniform(-1, 2, size=2), int(rng.integers(2))), args.repeat)
        remove = median_time(lambda e=exp: drawing.remove_nearest(
            e, rng.uniform(-1, 2, size=2)), args.repeat)
        step = median_time(lambda e=exp: e.trainer.run(1), args.repeat)
        print(f"{samples:>8,} {add * 1e3:>8.2f} {remove * 1e3:>10.2f} {step * 1e3:>8.3f} "
              f"{add / FRAME:>10.3f} {add / step:>9.0f}")


if __name__ == "__main__":
    main()
