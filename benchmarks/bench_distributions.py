"""What recording distributions costs a training run: prints figures (not a test).

    .venv/bin/python benchmarks/bench_distributions.py

For each preset: the time of one record (percentile bands of every layer's weights and
gradients, and the gradient norms), and the training time of N steps with the recorder on
against the same run with it off (the recorder told that no record is ever due). The records
cost a share of a step's time that shrinks as the interval doubles; target: <= 5 % over
the first records (record time / (base interval x step time)), measured over 200,000 steps
as the time with the recorder on / off (noisy on a loaded machine: +-5 %).
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from nnviz.engine.distributions import DistributionRecorder
from nnviz.experiment import PRESETS, build


class Off(DistributionRecorder):
    """A recorder that never records (the baseline)."""

    def due(self, step: int) -> bool:
        return False

    def steps_to_next(self, step: int) -> int:
        return 1 << 62


def run_time(name: str, steps: int, off: bool) -> float:
    exp = build(PRESETS[name])
    t = exp.trainer
    if off:
        t.distributions = Off(exp.net.n_layers, base=t.distributions.base)
    t0 = time.perf_counter()
    t.run(steps)
    return time.perf_counter() - t0


def record_time(name: str) -> float:
    exp = build(PRESETS[name])
    t = exp.trainer
    t.run(10)
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        t.record_distributions()
        times.append(time.perf_counter() - t0)
        t.distributions.clear()
    return float(np.median(times))


def main() -> None:
    with threadpool_limits(1):  # as the worker trains while the GUI runs
        for name in PRESETS:
            rec = record_time(name)
            base = build(PRESETS[name]).trainer.distributions.base
            short, long_ = (20, 200) if name == "function-fit" else (20_000, 200_000)
            step = min(run_time(name, short, True) for _ in range(2)) / short
            row = (f"{name:20s} record {rec * 1e3:6.3f} ms, step {step * 1e6:8.1f} us, "
                   f"base every {base:3d}: first records cost "
                   f"{rec / (base * step) * 100:5.1f} % of their steps;")
            on = min(run_time(name, long_, False) for _ in range(2))
            off = min(run_time(name, long_, True) for _ in range(2))
            print(f"{row} {long_:,} steps on/off {on / off:5.3f}", flush=True)


if __name__ == "__main__":
    main()
