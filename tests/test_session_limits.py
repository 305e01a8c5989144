"""Session files that pass the format but not sense (issue 14 items 7, 8, 9): pinned curves of
the wrong shape, counters that do not fit together, stop conditions that are not numbers,
history buckets and pinned arrays that would unpack to gigabytes. Each is refused with one
line before its data is read; what ``save_session`` writes, it reopens."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.errors import SessionFileError
from nnviz.experiment import PRESETS, build
from nnviz.session import load_session, save_session
from nnviz.session.format import write_archive
from nnviz.session.state import MAX_PIN_POINTS, MAX_PIN_VALUES, MAX_PINNED, capture


def craft(path, change, exp=None, pinned=None):
    """A session file of ``exp`` (xor after 40 steps) with ``change(manifest, arrays)``."""
    if exp is None:
        exp = build(PRESETS["xor"])
        exp.trainer.run(40)
    manifest, arrays = capture(exp, pinned)
    change(manifest, arrays)
    with open(path, "wb") as f:
        write_archive(f, manifest, arrays)
    return path


def refused(path, *words) -> str:
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(path)) and len(msg) < 400, msg
    for w in words:
        assert w in msg, msg
    return msg


def pin_arrays(manifest, arrays, *shapes, value=0.0):
    """One pinned run holding an array of each shape (as the generic format stores them)."""
    manifest["pinned"] = [{"values": {"label": "p"},
                           "arrays": [[f"a{j}_x", j] for j in range(len(shapes))]}]
    for j, shape in enumerate(shapes):
        arrays[f"pinned/p0_{j}.npy"] = np.full(shape, value)


# ---------------------------------------------------------------------------- item 7
def test_pinned_arrays_must_be_curves(tmp_path):
    p = craft(tmp_path / "2d.nnviz", lambda m, a: pin_arrays(m, a, (3, 4)))
    refused(p, "pinned/p0_0.npy", "dimension")


def test_saving_refuses_what_loading_would(tmp_path):
    exp = build(PRESETS["xor"])
    for pinned, words in (
        ([{"c": np.zeros((2, 2))}], "at most"),
        ([{"c": np.zeros(MAX_PIN_POINTS + 1)}], "at most"),
        ([{"label": "x" * 201}], "longer than 200"),
        ([{}] * (MAX_PINNED + 1), f"at most {MAX_PINNED} pinned"),
        ([{f"c{i}": 1 for i in range(65)}], "more than 64 entries"),
        ([{"c": np.zeros(MAX_PIN_POINTS)}] * (MAX_PIN_VALUES // MAX_PIN_POINTS + 1), "in all"),
    ):
        with pytest.raises(SessionFileError, match=words):
            save_session(tmp_path / "s.nnviz", exp, pinned)
    assert not (tmp_path / "s.nnviz").exists()


def test_the_most_a_save_allows_reopens(tmp_path):
    exp = build(PRESETS["xor"])
    pinned = [{"label": "y" * 200, "c_x": np.arange(10.0), "c_y": np.ones(10)}] * MAX_PINNED
    save_session(tmp_path / "s.nnviz", exp, pinned)
    _, got = load_session(tmp_path / "s.nnviz")
    assert len(got) == MAX_PINNED and got[-1]["label"] == "y" * 200


# ---------------------------------------------------------------------------- item 8
def trainer_field(key, value):
    return lambda m, a: m["trainer"].__setitem__(key, value)


@pytest.mark.parametrize("key, value, words", [
    ("samples_seen", 2**62, "epochs_done"),
    ("epochs_done", 2**61, "epochs_done"),
    ("max_epochs", float("nan"), "max_epochs"),
    ("max_epochs", -1.0, "max_epochs"),
    ("max_epochs", float("inf"), "max_epochs"),
    ("max_steps", -5, "max_steps"),
    ("max_steps", 2**40, "max_steps"),
    ("max_epochs", 5e-324, "max_epochs"),
    ("target_loss", float("nan"), "target_loss"),
    ("last_eval_samples", 2**40, "last_eval_samples"),
])
def test_trainer_values_that_do_not_fit_are_refused(tmp_path, key, value, words):
    refused(craft(tmp_path / "t.nnviz", trainer_field(key, value)), words)


def test_a_huge_but_consistent_step_count_loads_and_steps_once(tmp_path):
    def change(m, a):
        t = m["trainer"]
        n = int(m["summary"]["n_train"])
        t["samples_seen"] = 2**62
        t["epochs_done"] = 2**62 // n
        t["last_eval_samples"] = 2**62
        t["step_count"] = 2**62
    exp, _ = load_session(craft(tmp_path / "big.nnviz", change))
    assert exp.trainer.step() is not None  # one step, not 2e16 epoch bookings
    assert exp.trainer.step_count == 2**62 + 1


# ---------------------------------------------------------------------------- item 9
def test_a_wide_bucket_with_a_huge_pending_array_is_refused_unread(tmp_path):
    def change(m, a):
        h = m["history"]["step_loss"]
        h.update(width=2**40, n_buckets=0, count=0)
        a["history/step_loss_pending.npy"] = np.zeros(2**21)
    refused(craft(tmp_path / "w.nnviz", change), "bucket width")

    def change2(m, a):  # a width the buckets could reach, pending beyond any series
        h = m["history"]["step_loss"]
        cap = h["capacity"]
        h.update(width=2**21, n_buckets=cap // 2, count=cap // 2 * 2**21)
        for part in ("sum", "min", "max"):
            a[f"history/step_loss_{part}.npy"] = np.zeros(cap // 2)
        a["history/step_loss_pending.npy"] = np.zeros(2**20 + 1)
    refused(craft(tmp_path / "p.nnviz", change2), "step_loss_pending", "too large")


def test_pinned_arrays_beyond_a_series_or_the_total_are_refused(tmp_path):
    p = craft(tmp_path / "one.nnviz", lambda m, a: pin_arrays(m, a, (MAX_PIN_POINTS + 1,)))
    refused(p, "pinned/p0_0.npy", "too large")
    n = MAX_PIN_VALUES // MAX_PIN_POINTS + 1
    p = craft(tmp_path / "all.nnviz", lambda m, a: pin_arrays(m, a, *[(MAX_PIN_POINTS,)] * n))
    refused(p, f"pinned/p0_{n - 1}.npy", "too large")


def test_too_many_pinned_runs_are_refused(tmp_path):
    def change(m, a):
        m["pinned"] = [{"values": {}, "arrays": []}] * 1000
    refused(craft(tmp_path / "many.nnviz", change), "too many pinned runs (1000")


@pytest.mark.parametrize("block, key, value, words", [
    ("prepared", "test_ratio", float("nan"), "test_ratio"),
    ("prepared", "test_ratio", -1, "test_ratio"),
    ("prepared", "seed", 3_000_000_000, "seed"),
    ("prepared", "seed", -1, "seed"),
    ("network", "dtype", "float16", "dtype"),
    ("optimizer", "lr", float("inf"), "lr"),
    ("optimizer", "lr", 0, "lr"),
    ("optimizer", "l2", -1, "l2"),
    ("optimizer", "lr", 1e308, "lr"),
    ("optimizer", "t", 2**40, "t (its updates)"),
    ("trainer", "epoch_loss_steps", 2**40, "epoch_loss_steps"),
])
def test_other_values_beyond_sense_are_refused(tmp_path, block, key, value, words):
    path = craft(tmp_path / "v.nnviz", lambda m, a: m[block].__setitem__(key, value))
    refused(path, words)


# ---------------------------------------------------------------------------- item 3
def test_build_refuses_what_a_session_could_not_reopen(tmp_path, monkeypatch):
    from nnviz import config as config_mod
    from nnviz.errors import ConfigError
    from nnviz.session import state as state_mod

    with pytest.raises(ConfigError, match="hidden: a network of .* too large"):
        build(PRESETS["xor"].replace(hidden=(4096, 4096, 4096)))
    monkeypatch.setattr(config_mod, "MAX_DATA_VALUES", 400)
    monkeypatch.setattr(state_mod, "MAX_DATA_VALUES", 400)
    with pytest.raises(ConfigError, match="dataset: 402 values in the inputs"):
        build(PRESETS["xor"].replace(dataset_params={"samples": 201}))
    exp = build(PRESETS["xor"].replace(dataset_params={"samples": 200}))  # 400: saved, reopened
    save_session(tmp_path / "s.nnviz", exp)
    assert load_session(tmp_path / "s.nnviz")[0].dataset.n_samples == 200


def test_nnviz_train_refuses_a_run_it_could_not_reopen_before_training(tmp_path, capsys):
    from nnviz import cli

    out = tmp_path / "big.nnviz"
    code = cli.main(["train", "--preset", "xor", "--hidden", "4096,4096,4096", "--steps",
                     "5", "--save", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "too large" in err, err
    assert not out.exists()


@pytest.mark.parametrize("change, words", [
    (lambda m, a: m["history"]["step_loss"].__setitem__("first", 2**62), "first and spacing"),
    (lambda m, a: m["history"]["cumulative"].__setitem__("spacing", 3_000_000_000),
     "first and spacing"),
    (lambda m, a: m["trainer"].__setitem__("step_count", 3_000_000_000), "step_count"),
])
def test_history_and_counters_follow_the_configuration(tmp_path, change, words):
    refused(craft(tmp_path / "h.nnviz", change), words)


# ---------------------------------------------------------------------------- item 17
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_weights_that_are_not_finite_are_refused_on_load_and_on_save(tmp_path, bad):
    def poison(manifest, arrays):
        arrays["network/b1.npy"] = arrays["network/b1.npy"].copy()
        arrays["network/b1.npy"][0] = bad

    refused(craft(tmp_path / "crafted.nnviz", poison), "network: b1", "inf or NaN")
    exp = build(PRESETS["xor"])
    exp.trainer.run(5)
    exp.net.weights[0][0, 1] = bad
    target = tmp_path / "saved.nnviz"
    with pytest.raises(SessionFileError, match="network: W0 holds inf or NaN"):
        save_session(target, exp)
    assert not target.exists()
