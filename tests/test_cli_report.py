"""What the command line says: ``nnviz --help`` names every command, ``nnviz train --preset``
names the preset, and ``nnviz train`` and ``nnviz info`` report the same final losses of the
same file, labelled as such."""

from __future__ import annotations

import json

import pytest

from nnviz import cli


def run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse's --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_help_names_train_and_info(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "nnviz train --preset NAME | --data FILE.csv" in out
    assert "nnviz info SESSION.nnviz" in out


def test_train_names_the_preset_and_its_data(capsys):
    code, out, err = run(capsys, "train", "--preset", "function-fit", "--steps", "1")
    assert code == 0, err
    assert out.splitlines()[0].startswith(
        "nnviz train preset function-fit, data function-surface: network 2-64-64-64-1")
    code, out, _ = run(capsys, "train", "--preset", "iris", "--steps", "1", "--json")
    assert json.loads(out)["preset"] == "iris"


def final_block(out: str) -> list[str]:
    return [line.removeprefix("final").strip() for line in out.splitlines()
            if "(final parameters" in line]


@pytest.mark.parametrize("preset", ["xor", "iris", "single-neuron"])
def test_train_and_info_report_the_same_final_losses(tmp_path, capsys, preset):
    """Training and info both give the final parameters' loss on the whole sets (the
    history's train_loss, the mean of an epoch's step losses, is labelled apart)."""
    path = tmp_path / "run.nnviz"
    code, out, err = run(capsys, "train", "--preset", preset, "--steps", "300",
                         "--save", str(path))
    assert code == 0, err
    trained = final_block(out)
    assert trained and trained[0].startswith("train loss ")
    code, out, err = run(capsys, "info", str(path))
    assert code == 0, err
    assert final_block(out) == trained
    assert "last epoch's mean step loss" in out

    code, out, _ = run(capsys, "train", "--preset", preset, "--steps", "300", "--json",
                       "--save", str(tmp_path / "again.nnviz"))
    result = json.loads(out)
    code, out, _ = run(capsys, "info", str(tmp_path / "again.nnviz"), "--json")
    info = json.loads(out)
    assert info["final"]["train"] == result["train"]
    assert info["final"]["test"] == result["test"]


def test_info_still_summarises_a_file_whose_arrays_cannot_be_loaded(tmp_path, capsys):
    import zipfile

    path = tmp_path / "run.nnviz"
    assert run(capsys, "train", "--preset", "xor", "--steps", "5", "--save", str(path))[0] == 0
    broken = tmp_path / "broken.nnviz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            if not item.filename.startswith("network/"):
                dst.writestr(item, src.read(item.filename))
    code, out, err = run(capsys, "info", str(broken))
    assert code == 0, err
    assert "network   2-4-1" in out
    assert "final     not computed: " in out
