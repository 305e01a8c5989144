"""Hand edits of one weight or bias: equal to setting the parameter, undone and redone bit
for bit, rewound in step-through mode, saved in sessions; bad values refused in one line."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.engine.edits import MAX_EDITS, Edit, param_label, parse_value
from nnviz.engine.state import capture, restore
from nnviz.engine.walk import BackpropWalk
from nnviz.errors import ConfigError, SessionFileError
from nnviz.experiment import PRESETS, build
from nnviz.session import load_session, save_session
from tests.test_engine_state import make_trainer, run_record, same
from tests.test_session_limits import craft

KERNELS = {"sample": dict(batch_size=1), "batch": dict(batch_size=5),
           "full": dict(batch_size=None)}


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("kernel", list(KERNELS))
def test_a_hand_edit_then_steps_equal_setting_the_parameter_in_the_engine_api(optimizer,
                                                                              kernel):
    """Trainer.edit == net.weights[l][i, j] = v; trainer.reload() (the optimiser state kept)."""
    by_hand, direct = (make_trainer(optimizer, **KERNELS[kernel]) for _ in range(2))
    for t in (by_hand, direct):
        t.run(7)
    edit = by_hand.edit(1, "W", (2, 0), -1.3)
    by_hand.edit(0, "b", (1,), 0.25)
    direct.sync()
    direct.net.weights[1][2, 0] = -1.3
    direct.net.biases[0][1] = 0.25
    direct.reload()
    assert edit == Edit(7, 1, "W", (2, 0), edit.old, -1.3)
    assert same(run_record(by_hand, 20), run_record(direct, 20))


def test_undo_and_redo_restore_bit_for_bit_and_a_new_edit_clears_redo():
    t = make_trainer("adam")
    t.run(5)
    before = capture(t).state
    t.edit(0, "W", (0, 1), 0.1)
    t.edit(1, "b", (0,), -2.0)
    after = capture(t).state
    assert t.undo_edit().label == "b2[1]"
    assert t.undo_edit().label == "W1[1, 2]"
    assert t.undo_edit() is None
    now = capture(t).state
    assert same(now["params"], before["params"]) and same(now["optimizer"], before["optimizer"])
    assert [e.label for e in t.edits.undone] == ["b2[1]", "W1[1, 2]"]
    t.redo_edit()
    t.redo_edit()
    assert t.redo_edit() is None
    assert same(capture(t).state["params"], after["params"])
    t.undo_edit()
    t.edit(0, "b", (0,), 3.0)
    assert t.edits.undone == [] and t.redo_edit() is None


def test_float32_edits_store_the_rounded_value_and_undo_exactly():
    exp = build(PRESETS["xor"].replace(dtype="float32"))
    t = exp.trainer
    t.run(3)
    old = t.net.weights[0][0, 0].copy()
    edit = t.edit(0, "W", (0, 0), 0.1)
    assert edit.new == float(np.float32(0.1)) and edit.old == float(old)
    t.undo_edit()
    assert t.net.weights[0][0, 0].tobytes() == old.tobytes()
    with pytest.raises(ConfigError, match="float32"):
        t.edit(0, "W", (0, 0), 1e39)


def test_merged_edits_are_one_undo():
    t = make_trainer()
    t.run(2)
    start = float(t.net.weights[0][0, 0])
    for v in (0.5, 0.6, 0.7):
        t.edit(0, "W", (0, 0), v, merge=True)
    t.edit(0, "W", (1, 0), 0.1, merge=True)  # another parameter: a new edit
    assert [(e.label, e.old, e.new) for e in t.edits.done] == [
        ("W1[1, 1]", start, 0.7), ("W1[2, 1]", t.edits.done[1].old, 0.1)]
    t.undo_edit()
    t.undo_edit()
    assert float(t.net.weights[0][0, 0]) == start


def test_the_log_keeps_the_newest_max_edits():
    t = make_trainer()
    for k in range(MAX_EDITS + 5):
        t.edit(0, "b", (0,), float(k))
    assert len(t.edits.done) == MAX_EDITS and t.edits.done[0].new == 5.0


@pytest.mark.parametrize("value,words", [
    (float("nan"), "NaN"), (float("inf"), "not finite"), (-float("inf"), "not finite"),
    ("abc", "'abc' is not a number"), ("1e400", "1e400 is not finite"), (1e400, "not finite"),
    ("", "type a number"), ("   ", "type a number"), (None, "must be a number"),
    (True, "must be a number"), ([1.0], "must be a number"), ("nan", "NaN"),
])
def test_values_that_are_not_finite_numbers_are_refused_in_one_line(value, words):
    t = make_trainer()
    before = capture(t).state
    with pytest.raises(ConfigError, match=words) as info:
        t.edit(0, "W", (0, 0), value)
    assert "\n" not in str(info.value)
    assert same(capture(t).state, before)


@pytest.mark.parametrize("layer,kind,index,words", [
    (2, "W", (0, 0), "layer must be"), (-1, "b", (0,), "layer must be"),
    (0, "x", (0,), "'W' or 'b'"), (0, "W", (5, 0), "no index"), (0, "W", (0,), "no index"),
    (0, "b", (0, 0), "no index"), (0, "W", ("a", 0), "whole numbers"),
])
def test_parameters_the_network_does_not_have_are_refused(layer, kind, index, words):
    with pytest.raises(ConfigError, match=words):
        make_trainer().edit(layer, kind, index, 1.0)


def test_parse_value_and_labels():
    assert parse_value(" -1.25 ") == -1.25 and parse_value(np.float32(2)) == 2.0
    assert parse_value(3) == 3.0
    assert param_label(1, "W", (0, 2)) == "W2[1, 3]"
    e = Edit(120, 1, "W", (0, 2), 0.42, -1.3)
    assert e.text == "W2[1, 3]: 0.42 → -1.3 (step 120)"


def test_a_state_dict_with_edits_is_a_copy_and_rewinds_them():
    t = make_trainer()
    t.run(3)
    mark = capture(t)
    t.edit(0, "W", (0, 0), 1.5)
    t.run(4)
    restore(t, mark)
    assert t.edits.done == [] and same(capture(t).state, mark.state)


@pytest.mark.parametrize("preset", ["single-neuron", "xor"])
def test_rewinding_in_step_mode_across_an_edit_restores_the_parameters_before_it(preset):
    exp = build(PRESETS[preset])
    t = exp.trainer
    walk = BackpropWalk(t)
    walk.finish_sample()
    walk.finish_sample()
    before = capture(t).state
    layer = t.net.n_layers - 1
    walk.amend(lambda tr: tr.edit(layer, "b", (0,), 0.75))
    edited = capture(t).state
    walk.next_phase_step()
    walk.next_phase_step()
    assert walk.back() and walk.position == 1  # within the sample after it: kept
    assert float(t.net.biases[layer][0]) == 0.75
    assert walk.back() and walk.position == len(walk.phases)
    # back at the end of the sample before the edit: exactly the state before it
    assert same(capture(t).state, before)
    # forwards again from there, and the edit made again: the same numbers as the first time
    walk.amend(lambda tr: tr.edit(layer, "b", (0,), 0.75))
    assert same(capture(t).state, edited)


def test_an_edit_in_the_middle_of_a_walked_sample_acts_from_its_start():
    """Amending mid-sample replays its phases with the new value: the walk's numbers equal
    a walk that had the edit before the sample began."""
    a, b = build(PRESETS["xor"]), build(PRESETS["xor"])
    wa, wb = BackpropWalk(a.trainer), BackpropWalk(b.trainer)
    for w in (wa, wb):
        w.finish_sample()
    b.trainer.edit(0, "W", (1, 0), -2.0)
    for _ in range(3):
        wa.next_phase_step()
        wb.next_phase_step()
    edit = wa.amend(lambda tr: tr.edit(0, "W", (1, 0), -2.0))
    assert edit.step == 1 and wa.position == 3 and wa.indices == wb.indices
    va, vb = wa.values(), wb.values()
    assert same([va.z[:2], va.a[:3]], [vb.z[:2], vb.a[:3]])
    wa.finish_sample()
    wb.finish_sample()
    assert same(capture(a.trainer).state, capture(b.trainer).state)
    # a refused edit mid-sample changes nothing
    wa.next_phase_step()
    mark = capture(a.trainer).state
    with pytest.raises(ConfigError):
        wa.amend(lambda tr: tr.edit(0, "W", (1, 0), "nan"))
    assert same(capture(a.trainer).state, mark) and wa.position == 1


@pytest.mark.parametrize("preset", ["xor", "iris"])
def test_a_session_with_edits_reopens_and_continues_bit_for_bit(tmp_path, preset):
    exp = build(PRESETS[preset])
    t = exp.trainer
    t.run(30)
    t.edit(0, "W", (1, 2), 0.123456789)
    t.run(10)
    t.edit(1, "b", (0,), -0.5)
    t.edit(0, "b", (0,), 2.0)
    t.undo_edit()
    path = tmp_path / "edited.nnviz"
    save_session(path, exp)
    loaded, _ = load_session(path)
    lt = loaded.trainer
    assert lt.edits.done == t.edits.done and lt.edits.undone == t.edits.undone
    assert same(capture(lt).state, capture(t).state)
    assert [lt.step() for _ in range(50)] == [t.step() for _ in range(50)]
    assert lt.redo_edit() == t.redo_edit()
    assert lt.undo_edit() == t.undo_edit() and lt.undo_edit() == t.undo_edit()
    assert same(capture(lt).state, capture(t).state)


@pytest.mark.parametrize("edits,words", [
    ({"done": [[0, 0, "W", [0, 0], 0.1, 0.2]] * (MAX_EDITS + 1), "undone": []}, "at most"),
    ({"done": [[99, 0, "W", [0, 0], 0.1, 0.2]], "undone": []}, "step must be"),
    ({"done": [[0, 5, "W", [0, 0], 0.1, 0.2]], "undone": []}, "no parameter"),
    ({"done": [[0, 0, "q", [0, 0], 0.1, 0.2]], "undone": []}, "no parameter"),
    ({"done": [[0, 0, "W", [0, 99], 0.1, 0.2]], "undone": []}, "not in W"),
    ({"done": [[0, 0, "W", [0, 0], 0.1, 1e400]], "undone": []}, "finite"),
    ({"done": [[0, 0, "W", [0, 0], 0.1, "x"]], "undone": []}, "finite"),
    ({"done": [[0, 0, "W"]], "undone": []}, "must be"),
    ({"done": []}, "missing 'undone'"),
])
def test_session_edits_beyond_sense_are_refused(tmp_path, edits, words):
    path = craft(tmp_path / "s.nnviz", lambda m, a: m.__setitem__("edits", edits))
    with pytest.raises(SessionFileError, match=words):
        load_session(path)


def test_a_session_from_before_hand_edits_opens_with_none(tmp_path):
    exp = build(PRESETS["xor"])
    exp.trainer.run(3)
    exp.trainer.edit(0, "b", (0,), 1.0)
    path = craft(tmp_path / "old.nnviz", lambda m, a: m.pop("edits"), exp)
    loaded, _ = load_session(path)
    assert loaded.trainer.edits.done == []
