"""Adversarial cases of ``nnviz train --record`` and the animation writers: a diverging run
recorded (no numpy warning, no panel failure), Ctrl-C while the animation is rendered or
encoded (nothing written, the results and --save kept, one line, exit 130), an abort that
arrives while Pillow encodes (no file)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnviz import animation, terminal

Image = pytest.importorskip("PIL.Image")
ROOT = Path(__file__).resolve().parents[2]


def _diverging_csv(path: Path) -> Path:
    x = np.linspace(0, 10, 200)
    path.write_text("a,y\n" + "".join(f"{a},{a * a * 100}\n" for a in x))
    return path


def test_record_of_a_diverging_run_warns_nothing(tmp_path):
    data, gif = _diverging_csv(tmp_path / "big.csv"), tmp_path / "div.gif"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "nnviz", "train", "--data", str(data), "--scaling", "none",
         "--lr", "1000", "--steps", "300", "--record", str(gif), "--record-frames", "5",
         "--record-size", "320x240"], capture_output=True, text=True, env=env, timeout=300,
        cwd=ROOT)
    assert done.returncode == 1, done.stderr
    err = done.stderr.replace("\r", "\n")
    assert "Warning" not in err and "failed" not in err and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("nnviz: training diverged at step ")
    with Image.open(gif) as im:
        assert im.n_frames >= 2


@pytest.mark.parametrize("when", ["frame 2/", "encode"])
def test_sigint_while_recording_writes_nothing_and_keeps_the_run(run_cli, monkeypatch,
                                                                 tmp_path, when):
    """The first Ctrl-C after training stops the animation (rendering or encoding): no file,
    the results printed, --save saved, one line, exit 130."""
    gif, saved = tmp_path / "run.gif", tmp_path / "run.nnviz"
    update = terminal.Progress.update

    def ctrl_c(self, fraction, text, force=False):
        if when in text and not getattr(self, "_sent", False):
            self._sent = True
            os.kill(os.getpid(), signal.SIGINT)  # handled at once on the main thread
        return update(self, fraction, text, force)

    if when == "encode":  # Ctrl-C while the writer's thread encodes the file
        wait, save, waiting = animation.AnimationWriter.wait, Image.Image.save, []

        def ctrl_c_waiting(self, seconds):
            if not waiting:
                waiting.append(self)
                os.kill(os.getpid(), signal.SIGINT)
            return wait(self, seconds)

        def slow_save(self, *args, **kw):  # a long encode: still going when Ctrl-C comes
            for _ in range(600):
                if waiting and waiting[0]._aborted.is_set():
                    break
                time.sleep(0.1)
            return save(self, *args, **kw)

        monkeypatch.setattr(animation.AnimationWriter, "wait", ctrl_c_waiting)
        monkeypatch.setattr(Image.Image, "save", slow_save)
    monkeypatch.setattr(terminal.Progress, "update", ctrl_c)
    code, out, err = run_cli("train", "--preset", "xor", "--steps", "200", "--save", saved,
                             "--record", gif, "--record-frames", "4", "--record-size",
                             "160x120")
    assert code == 130
    assert "done: 200 steps" in out and f"saved session to {saved}" in out
    assert "recorded the run" not in out
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last == f"nnviz: recording interrupted: nothing written to {gif}", err
    assert not gif.exists() and saved.exists()
    assert not [p for p in tmp_path.iterdir() if p.name not in ("run.nnviz",)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_gif_abort_while_pillow_encodes_leaves_no_file(tmp_path, monkeypatch):
    path = tmp_path / "a.gif"
    writer = animation.open_writer(path, 10)
    save = Image.Image.save

    def save_then_abort(self, *args, **kw):  # the abort arrives during Pillow's encode
        save(self, *args, **kw)
        writer._aborted.set()

    monkeypatch.setattr(Image.Image, "save", save_then_abort)
    for _ in range(3):
        writer.add(np.zeros((16, 16, 3), np.uint8))
    writer.close()  # the encoder finished Pillow's encode, then saw the abort
    assert writer.done and not path.exists() and list(tmp_path.iterdir()) == []


def test_a_gif_too_big_to_hold_is_refused_before_training(run_cli, tmp_path):
    code, out, err = run_cli("train", "--preset", "xor", "--steps", "5", "--record",
                             tmp_path / "x.gif", "--record-size", "3840x2160",
                             "--record-frames", "300")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("nnviz: --record-frames: 300 GIF frames of 3840x2160 px are too many")
    assert "(at most 72 at that size)" in err and list(tmp_path.iterdir()) == []


def test_gif_writer_refuses_the_frame_over_its_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(animation, "MAX_GIF_PIXELS", 3 * 16 * 16)
    writer = animation.open_writer(tmp_path / "a.gif", 10)
    for _ in range(3):
        writer.add(np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(animation.ConfigError, match="4 GIF frames of 16x16 px are too many"):
        writer.add(np.zeros((16, 16, 3), np.uint8))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
