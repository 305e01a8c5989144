"""The run recorder (nnviz/recorder.py): bytes bounded, frames spread evenly, history cut at a
frame's step, shared arrays counted once."""

import dataclasses

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build
from nnviz.recorder import (
    NO_HISTORY,
    Recording,
    array_owners,
    history_until,
    replay,
    snapshot_nbytes,
)
from nnviz.snapshot import prediction_grid, take_snapshot


@pytest.fixture(scope="module")
def base():
    exp = build(PRESETS["xor"])
    exp.trainer.run(30)
    return take_snapshot(exp, grid=prediction_grid(exp))


def moment(base, step, nbytes=80_000, grid=None):
    """``base`` at ``step`` with arrays of its own (``nbytes`` of weights), or a given grid."""
    weights = (np.zeros(nbytes // 8),)
    return dataclasses.replace(base, step=step, epoch=step / 10, weights=weights,
                               grid=base.grid if grid is None else grid)


def test_bytes_count_each_owner_once(base):
    view = base.weights[0][:1]
    twice = dataclasses.replace(base, grad_W=(view,) + base.grad_W[1:])
    assert snapshot_nbytes(twice) == snapshot_nbytes(twice, with_history=True)
    owners = array_owners(twice)
    assert id(base.weights[0]) in owners and id(view) not in owners
    assert snapshot_nbytes(base, with_history=False) < snapshot_nbytes(base)


def test_long_run_stays_in_budget_and_evenly_spread(base):
    """A synthetic long run: 160,000 steps offered 1-7 steps apart, each frame ~82 kB of
    arrays of its own (a grid shared by ten), 2 MB budget: the frames fill 1/2 to all of
    the budget, one per bucket of ``gap`` steps, from step 0 to the end."""
    budget = 2 * 2**20
    rec = Recording(generation=base.generation, budget=budget)
    rng = np.random.default_rng(0)
    step = 0
    grid = base.grid
    for k in range(40_000):
        if k % 10 == 0:
            grid = dataclasses.replace(base.grid, predicted=np.zeros(2000))  # shared by 10
        rec.offer(moment(base, step, grid=grid))
        step += int(rng.integers(1, 8))
        assert rec.nbytes <= budget
    assert budget / 2 - 2 * 82_000 <= rec.nbytes <= budget  # thinning halves, no more
    assert len(rec) * 80_000 <= budget
    assert rec.nbytes == sum(a.nbytes for a in array_owners(rec.frames).values())
    steps = np.array(rec.steps)
    assert steps[0] == 0 and steps[-1] >= step - 2 * rec.gap
    assert list(steps // rec.gap) == list(range(len(rec)))  # one frame in every bucket
    assert rec.thinnings >= 5 and rec.gap >= 2**6


def test_shared_grid_costs_once(base):
    rec = Recording(generation=base.generation)
    for step in range(5):
        rec.offer(moment(base, step, nbytes=800))
    one = snapshot_nbytes(moment(base, 0, nbytes=800), with_history=False)
    assert one > 800 + sum(a.nbytes for a in array_owners(base.grid).values())
    assert rec.nbytes == one + 4 * 800  # only the weights are each frame's own


def test_history_cut_at_the_frame(base):
    h = base.history
    step = int(h["step_loss"]["step"][len(h["step_loss"]["step"]) // 2])
    cut = history_until(h, step, epoch=1.0)
    assert cut["step_loss"]["step"][-1] <= step < h["step_loss"]["step"][-1]
    assert len(cut["step_loss"]["mean"]) == len(cut["step_loss"]["step"])
    assert all(x <= 1.0 for x in cut["train_loss"]["x"])
    frame = dataclasses.replace(base, history=NO_HISTORY)
    shown = replay(frame, h)
    assert shown.replayed and not base.replayed
    assert shown.history["step_loss"]["step"][-1] <= frame.step


def test_frames_store_no_history_and_replay_the_runs(base):
    rec = Recording(generation=base.generation)
    rec.offer(base)
    assert rec.frames[0].history is NO_HISTORY and rec.history is base.history
    assert rec.frame(0).replayed and len(rec.frame(0).history["step_loss"]["step"])


def test_other_runs_rewinds_and_export(base):
    rec = Recording(generation=7)
    assert not rec.offer(base) and len(rec) == 0  # another run's snapshot
    rec = Recording(generation=base.generation)
    for step in (0, 1, 2, 3, 2):  # a step-through rewind to step 2
        rec.offer(moment(base, step, nbytes=8))
    assert rec.steps == [0, 1, 2]
    assert not rec.offer(moment(base, 2, nbytes=8))  # same bucket
    rec.offer(moment(base, 30, nbytes=8))
    rec.latest = moment(base, 31, nbytes=8)
    assert [m.step for m in rec.export_frames()] == [0, 1, 2, 30, 31]
    assert [m.step for m in rec.export_frames(3)] == [0, 2, 31]
    assert rec.index_at(20) == 3 and rec.index_at(15) == 2 and rec.index_at(-5) == 0


def test_a_bad_budget_is_refused():
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError):
            Recording(budget=bad)
