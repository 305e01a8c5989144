"""A held auto scale (``nnviz.scales.hold_scales``) grows at once, shrinks only after a run of
updates that asked for less, and starts anew for other settings; the diagram's colouring
holds its scales over the snapshots of a training run."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.diagram_model import DiagramLayout, DiagramSettings, colour
from nnviz.experiment import PRESETS, build
from nnviz.scales import HOLD_UPDATES, NICE_STEP, hold_scales, nice_scale, symmetric_bins
from nnviz.snapshot import take_snapshot


def scales(held):
    return held.scales.tolist()


def test_a_held_scale_grows_at_once_and_shrinks_after_a_calm_run():
    h = hold_scales(None, [1.0, 0.5])
    assert scales(h) == [1.0, 0.5]
    h = hold_scales(h, [2.0, 0.2])  # the first grows at once; the second's calm run begins
    assert scales(h) == [2.0, 0.5]
    for _ in range(HOLD_UPDATES - 2):
        h = hold_scales(h, [1.0, 0.2])
    assert scales(h) == [2.0, 0.5]  # the second: HOLD_UPDATES - 1 asked for less, held
    h = hold_scales(h, [1.0, 0.2])
    assert scales(h) == [2.0, 0.2]  # ... now it shrinks, to the largest asked for meanwhile
    h = hold_scales(h, [1.0, 0.2])
    assert scales(h) == [1.0, 0.2]  # the first (its run began one update later)


def test_a_scale_is_held_at_most_one_nice_step_above_what_is_asked():
    h = hold_scales(None, [5.0, 1.0])
    h = hold_scales(h, [2.0, 0.2])  # 5 -> 2 is one step (held); 1 -> 0.2 is two: at once
    assert scales(h) == [5.0, 0.2]
    assert scales(hold_scales(h, [1.0, 0.2])) == [1.0, 0.2]  # 5 over 1: too pale, at once
    ranges = hold_scales(hold_scales(None, [12.0], far=None), [6.0], far=None)
    assert scales(ranges) == [12.0]  # far=None: held however far (the strip's decades)


def test_asking_for_the_scale_held_starts_the_calm_run_again():
    h = hold_scales(None, [1.0])
    for k in range(3 * HOLD_UPDATES):
        h = hold_scales(h, [0.5] if k % (HOLD_UPDATES - 1) else [1.0])
    assert scales(h) == [1.0]  # a noisy signal that reaches 1 now and then keeps 1


@pytest.mark.parametrize("other", [[1.0, 2.0], [0.1, 0.2, 0.3]])
def test_other_settings_or_another_count_start_anew(other):
    h = hold_scales(None, [5.0], key="grad")
    assert scales(hold_scales(h, [0.1], key="weight")) == [0.1]
    assert scales(hold_scales(h, other, key="grad")) == other


def test_nan_asks_for_nothing_held():
    h = hold_scales(hold_scales(None, [1.0]), [np.nan])
    assert np.isnan(h.scales[0])


def test_the_diagram_holds_its_scales_over_a_run():
    exp = build(PRESETS["xor"])
    L = DiagramLayout(exp.net.sizes)
    exp.trainer.run(20)
    first = colour(L, take_snapshot(exp), DiagramSettings())
    snap = take_snapshot(exp)
    top = max(np.abs(g).max() for g in (*snap.grad_W, *snap.grad_b))
    f = first.edge_scale / NICE_STEP / top  # dL/dw one 1-2-5 scale smaller
    small = type(snap)(**{**snap.__dict__, "grad_W": tuple(g * f for g in snap.grad_W),
                          "grad_b": tuple(g * f for g in snap.grad_b)})
    c = colour(L, small, DiagramSettings(), first.held)
    assert c.edge_scale == first.edge_scale  # held: a quieter batch is paler, not louder
    g = np.concatenate([w.ravel() for w in small.grad_W])
    np.testing.assert_array_equal(c.edge_bins, symmetric_bins(g, c.edge_scale, 21))
    fresh = colour(L, small, DiagramSettings())
    assert fresh.edge_scale == nice_scale(np.abs(np.concatenate(
        [g, *small.grad_b])).max())
    by_weight = colour(L, small, DiagramSettings(edge_mode="weight"), first.held)
    assert by_weight.held.key != first.held.key  # another colouring: its own scale at once
