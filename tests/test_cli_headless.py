"""``nnviz train`` and ``nnviz info``: output, --json, --save, exit codes, one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from nnviz import headless, terminal
from nnviz.session import load_session

REG_CSV = "x1,x2,y\n" + "".join(
    f"{a:.3f},{b:.3f},{2 * a - b + 0.5:.3f}\n"
    for a, b in np.random.default_rng(3).uniform(-3, 3, size=(50, 2))
)


@pytest.fixture
def reg_csv(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text(REG_CSV)
    return path


def test_train_preset_prints_metrics_and_saves(tmp_path, run_cli):
    path = tmp_path / "x.nnviz"
    code, out, err = run_cli("train", "--preset", "xor", "--epochs", "20",
                         "--save", str(path))
    assert code == 0, err
    assert "network 2-4-1 (tanh, sigmoid)" in out
    assert "done: 320 steps, 20 epochs" in out
    assert "train loss" in out and "accuracy" in out and "test  loss" in out
    assert f"saved session to {path}" in out
    assert "100%" in err  # plain progress lines when not a terminal
    exp, _ = load_session(path)
    assert exp.trainer.step_count == 320

    code, out, err = run_cli("info", str(path))
    assert code == 0 and err == ""
    assert "network   2-4-1  (tanh, sigmoid)" in out
    assert "xor (binary), 160 train / 40 test rows" in out
    assert "320 steps, 20 epochs" in out and "train loss" in out


def test_train_json_and_overrides(reg_csv, run_cli):
    code, out, err = run_cli("train", "--data", str(reg_csv), "--hidden", "8,4",
                         "--activation", "relu", "--optimizer", "adam", "--lr", "0.01",
                         "--batch-size", "full", "--steps", "40", "--seed", "3",
                         "--test-ratio", "0.3", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["sizes"] == [2, 8, 4, 1] and result["activations"] == ["relu", "relu", "identity"]
    assert result["steps"] == 40 and result["optimizer"] == "adam"
    assert result["config"]["batch_size"] is None and result["config"]["seed"] == 3
    assert result["train"]["loss"] > 0 and "accuracy" not in result["train"]
    assert result["test"]["loss"] > 0 and result["diverged"] is False
    assert err == ""  # no progress noise around machine-readable output


def test_info_json(tmp_path, run_cli):
    path = tmp_path / "i.nnviz"
    assert run_cli("train", "--preset", "iris", "--steps", "30", "--save", str(path))[0] == 0
    code, out, _ = run_cli("info", str(path), "--json")
    info = json.loads(out)
    assert code == 0 and info["sizes"] == [4, 8, 3] and info["steps"] == 30


def test_divergence_exits_1_and_saves_last_finite(tmp_path, reg_csv, run_cli):
    args = ["train", "--data", str(reg_csv), "--lr", "5", "--hidden", "8",
            "--activation", "relu", "--steps", "500"]
    code, out, err = run_cli(*args)
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("nnviz: training diverged at step")
    path = tmp_path / "d.nnviz"
    code, out, err = run_cli(*args, "--save", str(path))
    assert code == 1 and "saved the last finite parameters" in out
    exp, _ = load_session(path)
    assert exp.trainer.divergence is not None
    assert all(np.isfinite(p).all() for p in exp.net.get_params())


def test_train_chooses_features_targets_and_task(tmp_path, run_cli):
    path = tmp_path / "two.csv"
    rows = np.random.default_rng(4).uniform(-1, 1, size=(40, 3))
    path.write_text("a,b,noise,u,v\n" + "".join(
        f"{a:.3f},{b:.3f},{c:.3f},{a + b:.3f},{a - b:.3f}\n" for a, b, c in rows))
    save = tmp_path / "two.nnviz"
    code, out, err = run_cli("train", "--data", str(path), "--features", "a,b",
                         "--target", "u,v", "--task", "regression", "--steps", "10",
                         "--save", str(save))
    assert code == 0, err
    assert "network 2-4-2 (tanh, identity)" in out
    exp, _ = load_session(save)
    assert exp.config.csv_features == ("a", "b") and exp.config.csv_target == ("u", "v")
    assert exp.dataset.target_names == ("u", "v") and exp.dataset.feature_names == ("a", "b")
    code, _, err = run_cli("train", "--data", str(path), "--target", "u,v",
                       "--task", "classification", "--steps", "1")
    assert code == 2 and "takes one target column" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv,match", [
    (["train"], "one of the arguments --preset --data is required"),
    (["train", "--preset", "nope"], "unknown preset 'nope'"),
    (["train", "--preset", "xor", "--hidden", "4,x"], "--hidden"),
    (["train", "--preset", "xor", "--batch-size", "lots"], "--batch-size"),
    (["train", "--preset", "xor", "--lr", "-1"], "lr must be a positive number"),
    (["train", "--preset", "xor", "--activation", "os.system"], "activation: unknown"),
    (["train", "--preset", "xor", "--optimizer", "magic"], "optimizer: unknown"),
    (["train", "--preset", "xor", "--epochs", "0"], "--epochs"),
    (["train", "--preset", "xor", "--steps", "1", "--epochs", "1"], "not allowed with"),
    (["train", "--preset", "xor", "--target", "y"], "--target goes with --data"),
    (["train", "--preset", "xor", "--features", "a"], "--features: features: unknown 'a'"),
    (["train", "--preset", "iris", "--features", "x1^2"],
     "features: engineered inputs need a dataset of 2 inputs, iris has 4"),
    (["train", "--data", "x.csv", "--features", "a,,b"], "--features: expected column names"),
    (["train", "--data", "x.csv", "--task", "cluster"], "argument --task: invalid choice"),
    (["train", "--data", "missing.csv"], "missing.csv"),
    (["info", "missing.nnviz"], "missing.nnviz: no such file"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, monkeypatch, run_cli, argv, match):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(*argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("nnviz: ") and match in err, err


def test_bad_csv_and_bad_session_exit_2(tmp_path, run_cli):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,2,3\n4,x,6\n")
    code, _, err = run_cli("train", "--data", str(bad))
    assert code == 2 and "line 3" in err and "'b'" in err and err.count("\n") == 1
    junk = tmp_path / "junk.nnviz"
    junk.write_bytes(b"\x00" * 100)
    code, _, err = run_cli("info", str(junk))
    assert code == 2 and "not a zip" in err and err.count("\n") == 1


def test_unwritable_save_exits_2(tmp_path, run_cli, monkeypatch):
    code, _, err = run_cli("train", "--preset", "xor", "--steps", "5",
                       "--save", str(tmp_path / "no" / "such" / "dir" / "x.nnviz"))
    assert code == 2 and "--save: folder" in err and err.count("\n") == 1  # before training

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("nnviz.session.atomic.os.replace", full)
    code, _, err = run_cli("train", "--preset", "xor", "--steps", "5",
                       "--save", str(tmp_path / "x.nnviz"))
    last = err.strip().splitlines()[-1]
    assert code == 2 and last.startswith("nnviz: cannot save session to") and "No space" in last


def test_internal_error_exits_1_without_traceback(monkeypatch, run_cli):
    def broken(config, dataset=None):
        raise RuntimeError("something broke")

    monkeypatch.setattr(headless, "build", broken)
    code, _, err = run_cli("train", "--preset", "xor")
    assert code == 1
    assert err == "nnviz: internal error: RuntimeError: something broke\n"


def test_progress_bar_on_a_terminal():
    class Tty:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    tty = Tty()
    p = terminal.Progress(tty)
    p.update(0.5, "step 5", force=True)
    p.finish()
    assert tty.text.startswith("\r[" + "#" * 15) and " 50.0%  step 5" in tty.text
    assert tty.text.endswith("\n")


def test_subprocess_exit_codes_and_no_traceback(tmp_path):
    def nnviz(*argv):
        return subprocess.run([sys.executable, "-m", "nnviz", *argv], capture_output=True,
                              text=True, cwd=tmp_path, timeout=120)

    ok = nnviz("train", "--preset", "single-neuron", "--steps", "2000", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["steps"] == 2000
    bad = nnviz("train", "--data", "nope.csv")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1
