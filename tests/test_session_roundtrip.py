"""Save -> load -> continue training gives the numbers of a run that was never saved."""

import numpy as np
import pytest

from nnviz.experiment import PRESETS, TrainingConfig, build
from nnviz.session import (
    autosave,
    autosave_path,
    discard_autosave,
    load_session,
    recovery_list,
    save_session,
    session_info,
)

REG_CSV = "x1,x2,y\n" + "".join(
    f"{a:.3f},{b:.3f},{2 * a - b + 0.5:.3f}\n"
    for a, b in np.random.default_rng(3).uniform(-3, 3, size=(60, 2))
)
CLS_CSV = "a,b,c,label\n" + "".join(
    f"{a:.3f},{b:.3f},{c:.3f},{'yes' if a + b > c else 'no'}\n"
    for a, b, c in np.random.default_rng(4).normal(size=(80, 3))
)


def csv_config(tmp_path, text, **kw):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return TrainingConfig(dataset="csv", csv_path=str(path), **kw)


CASES = {
    # per-sample, legacy RandomState, pure-Python kernel
    "single-neuron": lambda tmp: PRESETS["single-neuron"],
    # mini-batch, Generator
    "xor": lambda tmp: PRESETS["xor"],
    # full batch, small grid
    "function-fit": lambda tmp: PRESETS["function-fit"].replace(dataset_params=(("grid", 20),)),
    "csv-regression": lambda tmp: csv_config(tmp, REG_CSV, hidden=(5,), batch_size=4,
                                             order="shuffle", optimizer="adam", lr=0.01),
    "csv-classes-momentum": lambda tmp: csv_config(tmp, CLS_CSV, hidden=(6, 3), batch_size=7,
                                                   optimizer="momentum", lr=0.05,
                                                   order="sequential"),
    "spiral-adam-float32": lambda tmp: PRESETS["spiral"].replace(dtype="float32"),
    "iris-softmax-l2": lambda tmp: PRESETS["iris"].replace(l2=1e-3, order="shuffle"),
}


def params(exp):
    exp.trainer.sync()
    return [p.copy() for p in exp.net.get_params()]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("before", [0, 537])
def test_continue_bit_for_bit(tmp_path, case, before):
    config = CASES[case](tmp_path)
    reference = build(config)
    reference.trainer.run(before)
    expected = [reference.trainer.step() for _ in range(100)]

    exp = build(config)
    exp.trainer.run(before)
    path = tmp_path / "run.nnviz"
    save_session(path, exp)
    if config.csv_path:
        (tmp_path / "data.csv").unlink()  # the session carries the data itself
    saved_too = [exp.trainer.step() for _ in range(100)]
    loaded, pinned = load_session(path)
    got = [loaded.trainer.step() for _ in range(100)]

    assert got == expected
    assert saved_too == expected
    for a, b in zip(params(loaded), params(reference)):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    for name in ("step_loss", "cumulative"):
        ha = getattr(loaded.trainer.history, name).arrays()
        hb = getattr(reference.trainer.history, name).arrays()
        for key in ha:
            np.testing.assert_array_equal(ha[key], hb[key])
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        for a, b in zip(getattr(loaded.trainer.history, name).arrays(),
                        getattr(reference.trainer.history, name).arrays()):
            np.testing.assert_array_equal(a, b)
    assert loaded.trainer.step_count == reference.trainer.step_count
    assert loaded.trainer.samples_seen == reference.trainer.samples_seen
    assert loaded.trainer.optimizer.t == reference.trainer.optimizer.t
    assert pinned == []


def test_scaling_and_split_come_from_the_file(tmp_path):
    exp = build(CASES["csv-regression"](tmp_path))
    save_session(tmp_path / "s.nnviz", exp)
    loaded, _ = load_session(tmp_path / "s.nnviz")
    for attr in ("X_train", "Y_train", "X_test", "Y_test", "train_index", "test_index"):
        np.testing.assert_array_equal(getattr(loaded.prepared, attr), getattr(exp.prepared, attr))
    for sc in ("x_scaler", "y_scaler"):
        a, b = getattr(loaded.prepared, sc), getattr(exp.prepared, sc)
        assert a.kind == b.kind
        np.testing.assert_array_equal(a.center, b.center)
        np.testing.assert_array_equal(a.scale, b.scale)
    assert loaded.dataset.feature_names == exp.dataset.feature_names
    assert loaded.config == exp.config


def test_settings_changed_between_runs_are_kept(tmp_path):
    exp = build(PRESETS["xor"])
    exp.trainer.run(50)
    exp.trainer.set_optimizer("adam", lr=0.003, beta1=0.8)
    exp.trainer.set_regularization(l2=0.01)
    exp.trainer.run(50)
    save_session(tmp_path / "s.nnviz", exp)
    loaded, _ = load_session(tmp_path / "s.nnviz")
    opt = loaded.trainer.optimizer
    assert (opt.name, opt.lr, opt.beta1, opt.l2, opt.t) == ("adam", 0.003, 0.8, 0.01, 50)
    assert [loaded.trainer.step() for _ in range(20)] == [exp.trainer.step() for _ in range(20)]


def test_pinned_runs_round_trip(tmp_path):
    exp = build(PRESETS["xor"])
    pinned = [
        {"label": "lr 0.1", "step": np.arange(5), "loss": np.linspace(1, 0, 5)},
        {"loss": np.array([np.nan, np.inf, 1.0]), "best": float("nan"), "ok": True},
    ]
    save_session(tmp_path / "s.nnviz", exp, pinned=pinned)
    _, got = load_session(tmp_path / "s.nnviz")
    assert got[0]["label"] == "lr 0.1"
    np.testing.assert_array_equal(got[0]["step"], np.arange(5))
    np.testing.assert_array_equal(got[0]["loss"], np.linspace(1, 0, 5))
    np.testing.assert_array_equal(got[1]["loss"], [np.nan, np.inf, 1.0])
    assert np.isnan(got[1]["best"]) and got[1]["ok"] is True


def test_manifest_is_strict_json_even_with_nan(tmp_path):
    import json
    import zipfile

    exp = build(PRESETS["xor"])  # fresh history: latest losses are NaN
    save_session(tmp_path / "s.nnviz", exp)
    with zipfile.ZipFile(tmp_path / "s.nnviz") as zf:
        text = zf.read("manifest.json").decode()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard constant {c}"))
    assert '"$float": "nan"' in text


def test_divergence_keeps_last_finite_parameters_and_saves(tmp_path):
    config = CASES["csv-regression"](tmp_path).replace(optimizer="sgd", lr=5.0, hidden=(8,),
                                                       activation="relu", order="random")
    exp = build(config)
    exp.trainer.run(500)
    assert exp.trainer.divergence is not None
    before = params(exp)
    assert all(np.isfinite(p).all() for p in before)
    save_session(tmp_path / "d.nnviz", exp)
    loaded, _ = load_session(tmp_path / "d.nnviz")
    assert loaded.trainer.divergence == exp.trainer.divergence
    assert loaded.trainer.stopped and loaded.trainer.run(10) == 0
    for a, b in zip(params(loaded), before):
        np.testing.assert_array_equal(a, b)


def test_session_info_reads_the_summary(tmp_path):
    exp = build(PRESETS["iris"])
    exp.trainer.run(300)
    save_session(tmp_path / "i.nnviz", exp)
    info = session_info(tmp_path / "i.nnviz")
    assert info["sizes"] == [4, 8, 3] and info["activations"] == ["tanh", "softmax"]
    assert info["dataset"] == "iris" and info["steps"] == 300
    assert info["train_loss"] == exp.trainer.history.train_loss.latest


def test_autosave_and_recovery(tmp_path):
    folder = tmp_path / "autosave"
    exp = build(PRESETS["xor"])
    exp.trainer.run(10)
    path = autosave(folder, exp)
    assert path == autosave_path(folder) and path.exists()
    (folder / "autosave-broken.nnviz").write_bytes(b"garbage")
    (folder / "other.txt").write_text("not ours")
    entries = recovery_list(folder)
    assert {e.path.name for e in entries} == {"autosave-session.nnviz", "autosave-broken.nnviz"}
    good = next(e for e in entries if e.info)
    assert good.info["steps"] == 10
    bad = next(e for e in entries if e.info is None)
    assert "not a zip" in bad.error
    loaded, _ = load_session(good.path)
    assert loaded.trainer.step_count == 10
    discard_autosave(path)
    discard_autosave(path)  # already gone: fine
    assert not path.exists()
    with pytest.raises(ValueError):
        autosave_path(folder, "../escape")
