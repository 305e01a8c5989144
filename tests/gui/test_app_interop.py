"""The window on networks from elsewhere: open one (asking for activations the file does not
name), export .safetensors and a PyTorch script, and ``nnviz --weights ... --data ...``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz import session
from nnviz.engine import Network

safetensors_numpy = pytest.importorskip("safetensors.numpy")
ROOT = Path(__file__).resolve().parents[2]


def test_open_network_starts_the_run_from_its_weights(make_window, tmp_path):
    w = make_window("xor")
    net = Network([2, 5, 3, 1], activations=["relu", "tanh", "sigmoid"], seed=4)
    path = session.export_safetensors(tmp_path / "mine.safetensors", net)
    assert w.sessions.open_network(str(path)) and not w.errors
    exp = w.controller.experiment
    assert exp.net.sizes == (2, 5, 3, 1) and exp.net.activation_names == net.activation_names
    for a, b in zip(exp.net.get_params(), net.get_params()):
        np.testing.assert_array_equal(a, b)
    assert w.controller.config.hidden == (5, 3)


def test_open_network_asks_for_missing_activations(make_window, tmp_path):
    w = make_window("xor")
    rng = np.random.default_rng(0)
    path = tmp_path / "bare.safetensors"
    path.write_bytes(safetensors_numpy.save({"0.weight": rng.normal(size=(4, 2)),
                                             "2.weight": rng.normal(size=(1, 4))}))
    asked = []
    w.sessions.ask_activations = lambda name: asked.append(name) or ("tanh", "sigmoid")
    assert w.sessions.open_network(str(path)) and not w.errors
    assert asked == ["bare.safetensors"]
    assert w.controller.experiment.net.activation_names == ("tanh", "sigmoid")
    before = w.controller.experiment
    w.sessions.ask_activations = lambda name: None  # cancelled: the run stays
    assert not w.sessions.open_network(str(path), ask=False)
    assert w.controller.experiment is before and not w.errors


def test_open_network_of_other_sizes_says_how_they_differ(make_window, tmp_path):
    w = make_window("xor")
    path = session.export_safetensors(tmp_path / "iris.safetensors",
                                      Network([4, 3, 3], output="softmax", seed=0))
    before = w.controller.experiment
    assert not w.sessions.open_network(str(path))
    assert w.controller.experiment is before
    _, text, _ = w.errors[-1]
    assert "takes 4 inputs and gives 3 outputs" in text and "2 features and 1 outputs" in text


def test_exports_safetensors_and_torch_script(make_window, tmp_path):
    w = make_window("iris")
    assert w.sessions.export_safetensors(str(tmp_path / "w.safetensors"))
    assert w.sessions.export_torch(str(tmp_path / "iris_model.py")) and not w.errors
    exp = w.controller.experiment
    loaded = session.load_network(tmp_path / "w.safetensors")
    X = exp.prepared.X_train[:5]
    np.testing.assert_array_equal(loaded.net.predict(X), exp.net.predict(X))
    assert "nn.Sequential" in (tmp_path / "iris_model.py").read_text()
    assert (tmp_path / "iris_model.safetensors").exists()
    texts = [a.text() for a in w.menuBar().actions()[0].menu().actions()]
    assert {"Open network…", "Export as PyTorch script…",
            "Export weights as safetensors…"} <= set(texts)


def _run(tmp_path, *args):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "NNVIZ_SETTINGS": str(tmp_path / "settings.ini")}
    return subprocess.run([sys.executable, "-m", "nnviz", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=tmp_path)


def test_cli_opens_the_window_on_weights_and_data(tmp_path):
    csv = tmp_path / "my.csv"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    csv.write_text("a,b,c,y\n" + "".join(f"{a},{b},{c},{a - b + 2 * c}\n" for a, b, c in X))
    w = session.export_safetensors(tmp_path / "m.safetensors",
                                   Network([3, 6, 1], hidden="tanh", seed=2))
    out = tmp_path / "shot.png"
    proc = _run(tmp_path, "--weights", str(w), "--data", str(csv), "--train-steps", "20",
                "--screenshot", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 10_000
    bad = _run(tmp_path, "--weights", str(w), "--preset", "xor")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "takes 3 inputs" in bad.stderr
