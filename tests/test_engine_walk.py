"""Walking samples through the phases, and back, restores everything bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine.state import capture, restore
from nnviz.engine.walk import BackpropWalk
from nnviz.experiment import PRESETS, build


def params(exp):
    exp.trainer.sync()
    return [p.copy() for p in exp.net.get_params()]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("preset", ["single-neuron", "xor", "iris"])
def test_walking_phases_equals_training_fast(preset):
    """unit="batch" walks the trainer's own batches (one sample each for single-neuron)."""
    fast, walked = build(PRESETS[preset]), build(PRESETS[preset])
    walk = BackpropWalk(walked.trainer, unit="batch")
    for _ in range(5):
        fast.trainer.run(1)
        n = 0
        while True:
            walk.next_phase_step()
            n += 1
            if not walk.in_sample:
                break
        assert n == len(walk.phases) == 2 * walked.net.n_layers + 2
        assert same(params(fast), params(walked))
    assert fast.trainer.history.step_loss.latest == walked.trainer.history.step_loss.latest


@pytest.mark.parametrize("preset", ["single-neuron", "spiral"])
def test_back_restores_parameters_bit_for_bit(preset):
    exp = build(PRESETS[preset])
    walk = BackpropWalk(exp.trainer)
    seen = [(0, params(exp), exp.trainer.step_count)]
    for _ in range(3 * len(walk.phases) + 2):
        walk.next_phase_step()
        seen.append((walk.position, params(exp), exp.trainer.step_count))
    # walk all the way back, checking each earlier point
    for position, expected, steps in reversed(seen[:-1]):
        assert walk.back()
        assert walk.position == position
        assert same(params(exp), expected)
        assert exp.trainer.step_count == steps
    assert not walk.back()
    # and forwards again: the same samples, the same numbers
    replay = []
    for _ in range(3 * len(walk.phases) + 2):
        walk.next_phase_step()
        replay.append(params(exp))
    assert all(same(a, b) for a, b in zip(replay, [s[1] for s in seen[1:]]))


def test_sample_unit_steps_one_sample_of_a_batch_trainer():
    exp = build(PRESETS["xor"])
    assert exp.trainer.batch_size == 10
    walk = BackpropWalk(exp.trainer)
    walk.finish_sample()
    assert len(walk.indices) == 1 and exp.trainer.samples_seen == 1
    assert walk.values().a[0].shape == (1, 2)


def test_picked_sample_is_next_and_sequential_mode():
    exp = build(PRESETS["xor"])
    walk = BackpropWalk(exp.trainer, mode="sequential")
    walk.finish_sample()
    walk.finish_sample()
    assert walk.indices == (1,)
    walk.pick(42)
    walk.next_phase_step()
    assert walk.indices == (42,)
    walk.finish_sample()
    walk.finish_sample()
    assert walk.indices == (2,)
    with pytest.raises(ValueError):
        walk.pick(10_000)


def test_run_to_epoch_end():
    exp = build(PRESETS["single-neuron"])
    walk = BackpropWalk(exp.trainer)
    walk.next_phase_step()
    walk.run_to_epoch_end()
    assert exp.trainer.samples_seen == 8 and not walk.in_sample


def test_capture_restore_continues_identically():
    exp = build(PRESETS["spiral"])
    exp.trainer.run(37)
    state = capture(exp.trainer)
    exp.trainer.run(50)
    first = params(exp), exp.trainer.history.step_loss.arrays()["mean"].copy()
    restore(exp.trainer, state)
    assert exp.trainer.step_count == 37
    exp.trainer.run(50)
    assert same(params(exp), first[0])
    assert np.array_equal(exp.trainer.history.step_loss.arrays()["mean"], first[1])
