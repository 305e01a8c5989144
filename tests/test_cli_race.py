"""``nnviz race``: the table, --json, --picture, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.experiment import PRESETS, build

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_race(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0 and "nnviz race --preset NAME --optimizers" in out
    code, out, _ = run_cli("race", "--help")
    assert code == 0 and "--optimizers" in out and "--lrs" in out and "--picture" in out


def test_race_prints_a_table(run_cli):
    code, out, err = run_cli("race", "--preset", "spiral", "--optimizers",
                         "sgd,momentum,adam", "--steps", "300")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("nnviz race: Optimiser race on spiral: network 2-16-16-1")
    assert lines[1].split() == ["racer", "train", "loss", "test", "loss", "test", "acc",
                                "steps/s", "diverged"]
    rows = {line.split(" lr ")[0]: line for line in lines[2:5]}
    assert set(rows) == {"sgd", "momentum 0.9", "adam"}
    assert all(line.rstrip().endswith("no") for line in rows.values())
    assert "plane: PCA plane through the start" in lines[5]
    assert "100%" in err  # progress lines, not a terminal


def test_race_json_matches_ordinary_runs(run_cli):
    code, out, err = run_cli("race", "--preset", "xor", "--lrs", "0.01,0.1,1",
                         "--steps", "200", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert [r["racer"] for r in result["racers"]] == ["sgd lr 0.01", "sgd lr 0.1", "sgd lr 1"]
    assert result["steps"] == 200 and result["sizes"] == [2, 4, 1]
    for r in result["racers"]:
        ordinary = build(PRESETS["xor"].replace(lr=r["lr"]))
        ordinary.trainer.run(200)
        final = ordinary.trainer.final_metrics()
        assert r["train"] == final["train"] and r["test"] == final["test"]
        assert r["diverged"] is False and r["divergence"] is None and r["steps"] == 200
        assert r["steps_per_second"] > 0
    assert result["plane"]["kind"] == "pca" and 0 < result["plane"]["share"] <= 1


def test_race_on_two_parameters(run_cli):
    code, out, err = run_cli("race", "--preset", "xor", "--optimizers", "sgd,adam",
                         "--steps", "50", "--params", "W1[1, 1]", "b2[1]", "--json")
    assert code == 0, err
    assert json.loads(out)["plane"]["axes"] == ["W1[1, 1]", "b2[1]"]


def test_a_diverged_racer_is_marked_and_all_diverged_exit_1(run_cli):
    base = ["race", "--preset", "function-fit", "--hidden", "8", "--batch-size", "10",
            "--steps", "100", "--optimizer", "sgd"]
    code, out, err = run_cli(*base, "--lrs", "0.001,10")
    assert code == 0, err
    rows = out.splitlines()[2:4]
    assert rows[0].rstrip().endswith("no") and "diverged" not in err
    assert "at step" in rows[1]
    code, out, err = run_cli(*base, "--lrs", "10,100", "--json")
    assert code == 1
    assert all(r["diverged"] for r in json.loads(out)["racers"])
    assert err.strip().endswith("every racer diverged - lower the learning rates")


@pytest.mark.parametrize("args, words", [
    (["--optimizers", "sgd,nope"], "--optimizers: optimizer: unknown 'nope'"),
    (["--optimizers", "sgd,momentum,adam,sgd,adam"], "at most 4 racers, got 5"),
    (["--lrs", "0.1,0.2,0.3,0.4,0.5"], "at most 4 racers, got 5"),
    (["--optimizers", "sgd,adam,momentum", "--lrs", "0.1,1"], "at most 4 racers, got 6"),
    (["--optimizers", "sgd,sgd"], "racer 2 (sgd lr 0.01) is the same as another"),
    (["--lrs", "nan"], "--lrs: lr must be a positive number"),
    (["--lrs", "inf"], "--lrs: lr must be a positive number"),
    (["--lrs", "-1"], "--lrs: lr must be a positive number"),
    (["--lrs", "0.1,,1"], "--lrs: expected a comma-separated list"),
    (["--lrs", "fast"], "--lr: expected a positive number"),
    (["--lr", "0.1", "--lrs", "1"], "give --lr or --lrs, not both"),
    (["--optimizer", "sgd", "--optimizers", "adam"], "give --optimizer or --optimizers"),
    (["--steps", "0"], "--steps must be a whole number from 1"),
    (["--steps", "-5"], "--steps must be"),
    (["--steps", str(2**40)], "--steps must be a whole number from 1"),
    (["--params", "W1[1,1]", "W1[1,1]"], "--params: choose two different parameters"),
    (["--params", "W9[1,1]", "W1[1,2]"], "--params: W9[1,1]: the network has layers 1 to 3"),
    (["--params", "w", "W1[1,2]"], "--params: 'w' is not a parameter"),
    (["--resolution", "1000"], "--resolution must be a whole number from 3 to 101"),
    (["--picture", "x.jpg"], "--picture: expected a .png file name"),
    (["--picture", "/no/such/folder/x.png"], "--picture: folder '/no/such/folder'"),
    (["--hidden", "3000,3000"], "too large to race"),
    (["--target-loss", "0.1"], "--target-loss goes with nnviz train"),
    (["--hidden", "0"], "--hidden: hidden: neurons per layer must be"),
    (["--seed", "-1"], "--seed: seed must be"),
])
def test_bad_arguments_are_one_line_exit_2(run_cli, args, words):
    steps = [] if "--steps" in args else ["--steps", "5"]
    code, out, err = run_cli("race", "--preset", "spiral", *args, *steps)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and words in err, err


def test_argparse_errors_are_one_line(run_cli):
    for argv in (["race"], ["race", "--preset", "xor", "--steps", "many"],
                 ["race", "--preset", "nope"]):
        code, out, err = run_cli(*argv)
        assert code == 2 and len(err.strip().splitlines()) == 1, err


def test_race_on_a_csv(tmp_path, run_cli):
    rng = np.random.default_rng(0)
    rows = rng.uniform(-1, 1, size=(60, 2))
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n" + "".join(f"{a:.4f},{b:.4f},{a - 2 * b:.4f}\n" for a, b in rows))
    code, out, err = run_cli("race", "--data", str(csv), "--hidden", "4",
                         "--optimizers", "sgd,adam", "--steps", "40", "--json")
    assert code == 0, err
    assert json.loads(out)["dataset"] == "d"


def test_picture_in_a_process_of_its_own(tmp_path):
    picture = tmp_path / "race.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)  # the command draws offscreen by itself
    p = subprocess.run([sys.executable, "-m", "nnviz", "race", "--preset", "xor",
                        "--optimizers", "sgd,momentum,adam", "--steps", "200", "--resolution",
                        "9", "--picture", str(picture)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert f"picture saved to {picture}" in p.stdout
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "propagateSizeHints" not in p.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(picture))
    assert (image.width(), image.height()) == (1500, 640)
