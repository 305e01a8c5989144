"""``nnviz train`` / ``nnviz info`` under hostile conditions (issue 14): Ctrl-C, closed pipes,
unusable --save paths, control characters and huge values in what is printed.

Every case asserts one line on stderr, the exit code, and that nothing was lost.
"""

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from nnviz import cli, terminal
from nnviz.session import load_session, save_session

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def nnviz(*argv, **kw):
    """``python -m nnviz ARGV`` as a subprocess running this worktree's code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-m", "nnviz", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


# ---------------------------------------------------------------------------- 4: Ctrl-C
def test_sigint_during_train_saves_the_partial_session(tmp_path):
    path = tmp_path / "run.nnviz"
    p = nnviz("train", "--preset", "xor", "--steps", "1000000000", "--save", str(path))
    try:
        first = p.stdout.readline()  # printed once Ctrl-C is taken over: training starts
        assert first.startswith("nnviz train preset xor")
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=TIMEOUT)
    finally:
        p.kill()
    assert p.returncode == 130
    lines = err.strip().splitlines()
    last = lines[-1]
    assert last.startswith("nnviz: interrupted at step ") and "Traceback" not in err
    assert last.endswith(f"; saved the session to {path}")
    step = int(last.split("interrupted at step ")[1].split(";")[0])
    assert f"done: {step} steps" in out and f"saved session to {path}" in out
    exp, _ = load_session(path)  # nothing lost: the saved run is the one reported
    assert exp.trainer.step_count == step


def test_sigint_json_reports_interrupted_and_nothing_saved(run_cli, monkeypatch):
    update = terminal.Progress.update

    def ctrl_c_once(self, fraction, text, force=False):
        if not getattr(self, "_sent", False):
            self._sent = True
            os.kill(os.getpid(), signal.SIGINT)  # handled at once on the main thread
        return update(self, fraction, text, force)

    monkeypatch.setattr(terminal.Progress, "update", ctrl_c_once)
    code, out, err = run_cli("train", "--preset", "xor", "--steps", "1000000000", "--json")
    assert code == 130
    result = json.loads(out)
    assert result["interrupted"] is True and result["saved"] is None
    assert result["message"] == f"interrupted at step {result['steps']}"
    assert 0 < result["steps"] < 1000000000
    assert err == f"nnviz: interrupted at step {result['steps']}; nothing saved (no --save)\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


# ---------------------------------------------------------------------------- 5: modes, links
def _small_run(tmp_path):
    from nnviz.experiment import build, preset

    exp = build(preset("xor"))
    exp.trainer.run(5)
    return exp


def test_resave_keeps_the_file_mode(tmp_path):
    exp = _small_run(tmp_path)
    path = tmp_path / "private.nnviz"
    save_session(path, exp)
    os.chmod(path, 0o600)
    exp.trainer.run(5)
    save_session(path, exp)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o600)
    assert load_session(path)[0].trainer.step_count == 10


def test_save_through_a_symlink_writes_its_target(tmp_path):
    exp = _small_run(tmp_path)
    real = tmp_path / "data" / "real.nnviz"
    real.parent.mkdir()
    save_session(real, exp)
    link = tmp_path / "link.nnviz"
    link.symlink_to(real)
    exp.trainer.run(7)
    assert save_session(link, exp) == link
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_session(real)[0].trainer.step_count == 12
    assert [p.name for p in real.parent.iterdir()] == ["real.nnviz"]  # no temporary left


def test_save_through_a_dangling_symlink_creates_its_target(tmp_path):
    exp = _small_run(tmp_path)
    link = tmp_path / "link.nnviz"
    link.symlink_to(tmp_path / "new.nnviz")
    save_session(link, exp)
    assert link.is_symlink() and (tmp_path / "new.nnviz").is_file()


# ---------------------------------------------------------------------------- 6: --save path
@pytest.mark.parametrize("case, expected", [
    ("empty", "--save: empty file name"),
    ("folder", "is a folder"),
    ("device", "/dev/null is not a regular file"),
    ("long", "File name too long"),
    ("long-tmp", None),  # 240 characters: the name fits and so does its temporary file
])
def test_save_path_checked_before_training(tmp_path, run_cli, case, expected):
    save = {"empty": "", "folder": str(tmp_path), "device": os.devnull,
            "long": str(tmp_path / ("a" * 300)), "long-tmp": str(tmp_path / ("b" * 240))}[case]
    code, out, err = run_cli("train", "--preset", "xor", "--steps", "5", "--save", save)
    if expected is None:
        assert code == 0, err
        assert load_session(save)[0].trainer.step_count == 5
        return
    assert code == 2 and out == ""  # refused before training: nothing printed, nothing run
    assert err.count("\n") == 1 and expected in err
    assert Path(os.devnull).is_char_device()  # /dev/null was not replaced


@pytest.mark.skipif(os.name != "posix" or os.getuid() == 0, reason="root writes anywhere")
def test_save_into_unwritable_folder_refused_before_training(tmp_path, run_cli):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    code, out, err = run_cli("train", "--preset", "xor", "--steps", "5",
                         "--save", str(folder / "x.nnviz"))
    assert code == 2 and out == "" and "Permission denied" in err and err.count("\n") == 1


# ---------------------------------------------------------------------------- 13: seed, pipes
@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5"])
def test_bad_seed_is_one_line(run_cli, seed):
    code, out, err = run_cli("train", "--preset", "xor", "--steps", "5", "--seed", seed)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--seed" in err


def test_largest_seed_trains(run_cli):
    # the configuration table's limit (2**31 - 1: a seed fits the window's spin box too)
    code, _, err = run_cli("train", "--preset", "xor", "--steps", "5",
                       "--seed", "2147483647")
    assert code == 0, err
    code, _, err = run_cli("train", "--preset", "xor", "--steps", "5",
                       "--seed", "2147483648")
    assert code == 2 and "--seed" in err and err.count("\n") == 1


@pytest.mark.parametrize("command", ["train", "info", "train-json"])
def test_closed_pipe_is_quiet(tmp_path, command):
    """`nnviz ... | head -1`: the reader leaves after one line; no error, the work is done."""
    path = tmp_path / "s.nnviz"
    save_session(path, _small_run(tmp_path))
    out_path = tmp_path / "out.nnviz"
    argv = {"train": ["train", "--preset", "xor", "--steps", "3000", "--save", str(out_path)],
            "train-json": ["train", "--preset", "xor", "--steps", "3000", "--json",
                           "--save", str(out_path)],
            "info": ["info", str(path)]}[command]
    reader_r, writer = os.pipe()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "nnviz", *argv], cwd=ROOT, env=env,
                         stdout=writer, stderr=subprocess.PIPE, text=True)
    os.close(writer)
    os.close(reader_r)  # the reader is gone before a line was written
    _, err = p.communicate(timeout=TIMEOUT)
    assert p.returncode == 0 and "Error" not in err and "internal" not in err, err
    if command != "info":
        assert load_session(out_path)[0].trainer.step_count == 3000  # the run still saved


def test_closed_stdout_in_process(capsys, monkeypatch):
    class Gone:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Gone())
    assert cli.main(["--list-presets"]) == 0
    assert cli.main(["train", "--preset", "xor", "--steps", "5"]) == 0
    assert capsys.readouterr().err.count("internal") == 0


# ---------------------------------------------------------------------------- 15: control chars
def _rewrite_manifest(path: Path, change) -> None:
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def test_info_escapes_control_characters(tmp_path, run_cli):
    path = tmp_path / "evil.nnviz"
    save_session(path, _small_run(tmp_path))
    evil = "\x1b]0;pwned\x07\x1b[2J\r\nnnviz: all good\u202e"

    def poison(m):
        m["saved_at"] = evil
        m["summary"]["dataset"] = evil
        m["summary"]["stop_reason"] = evil
        m["summary"]["activations"] = [evil, "sigmoid"]

    _rewrite_manifest(path, poison)
    code, out, err = run_cli("info", str(path))
    assert code == 0 and err == ""
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out and "\u202e" not in out
    assert len(out.splitlines()) == 8  # the usual lines (final: train, test), none forged
    assert not any(line.startswith("nnviz:") for line in out.splitlines())
    assert "\\x1b]0;pwned\\x07" in out and "\\r\\nnnviz: all good\\u202e" in out


def test_info_clips_huge_strings(tmp_path, run_cli):
    path = tmp_path / "big.nnviz"
    save_session(path, _small_run(tmp_path))
    _rewrite_manifest(path, lambda m: m["summary"].update(dataset="d" * 100_000))
    code, out, err = run_cli("info", str(path))
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 300


def test_error_messages_escape_control_characters(tmp_path, run_cli):
    bad = tmp_path / "x\x1b[2J.csv"
    code, out, err = run_cli("train", "--data", str(bad), "--steps", "1")
    assert code == 2 and "\x1b" not in err and "\\x1b[2J" in err and err.count("\n") == 1
