"""Every output flag refuses a file name that is only an ending (``.png``: a hidden file a
folder listing does not show) in one line, exit 2, before any work, by one rule
(``nnviz.session.atomic.check_name``); a hidden file with a name (``.run.png``) is written."""

from __future__ import annotations

import pytest

from nnviz.errors import SessionFileError
from nnviz.session.atomic import check_name

#: (command line, the name refused)
CASES = [
    (["race", "--preset", "xor", "--steps", "5", "--picture"], ".png"),
    (["race", "--preset", "xor", "--steps", "5", "--picture"], "sub/.PNG"),
    (["train", "--preset", "xor", "--steps", "5", "--save"], ".nnviz"),
    (["train", "--preset", "xor", "--steps", "5", "--save"], ".json"),
    (["train", "--preset", "xor", "--steps", "5", "--record"], ".gif"),
    (["train", "--preset", "xor", "--steps", "5", "--record"], ".mp4"),
    (["--preset", "xor", "--train-steps", "1", "--screenshot"], ".png"),
]


@pytest.mark.parametrize("argv, name", CASES)
def test_a_name_that_is_only_an_ending_is_refused(tmp_path, monkeypatch, run_cli, argv, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    code, out, err = run_cli(*argv, name)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    ending = name.split("/")[-1]
    assert f"a file name is needed before {ending} (e.g. run{ending}" in err, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["sub"]  # nothing written


@pytest.mark.parametrize("name", ["run.png", ".run.png", "a/.b.gif", ".nnviz.nnviz", "x",
                                  ".x-y", "._", "run."])
def test_names_with_something_before_the_ending_pass(name):
    check_name(name)


@pytest.mark.parametrize("name", ["", " ", ".png", "out/.png", ".safetensors", ".7z",
                                  "/tmp/.GIF"])
def test_check_name_refuses(name):
    with pytest.raises(SessionFileError):
        check_name(name)


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_a_hidden_picture_with_a_name_is_written(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("race", "--preset", "xor", "--steps", "5", "--picture",
                             ".race.png")
    assert code == 0, err
    assert (tmp_path / ".race.png").read_bytes()[:4] == b"\x89PNG"
