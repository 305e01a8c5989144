"""Networks from other tools (safetensors, PyTorch state_dict, nnviz .npz) and back out as a
runnable PyTorch script. The torch tests skip without torch (it is an optional extra)."""

import json
import os
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from nnviz.cli import main
from nnviz.engine import Network
from nnviz.errors import MAX_MESSAGE_CHARS, ConfigError, NNVizError, SessionFileError
from nnviz.experiment import build, preset
from nnviz.session import (
    build_from_network,
    export_safetensors,
    export_torch,
    export_weights,
    load_network,
)
from nnviz.session.interop import network_from_tensors, safetensors_bytes

safetensors_numpy = pytest.importorskip("safetensors.numpy")

TORCH_ACTS = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "identity": "Identity",
              "leaky_relu": "LeakyReLU"}


def torch_model(torch, sizes, acts, seed=0):
    """An nn.Sequential of Linear layers and activations in float64 with random weights."""
    from torch import nn

    torch.manual_seed(seed)
    layers = []
    for n_in, n_out, act in zip(sizes, sizes[1:], acts):
        layers += [nn.Linear(n_in, n_out, dtype=torch.float64),
                   nn.Softmax(dim=-1) if act == "softmax" else getattr(nn, TORCH_ACTS[act])()]
    return nn.Sequential(*layers).eval()


CASES = [([3, 7, 5, 2], ["tanh", "relu", "identity"]),
         ([4, 6, 3], ["leaky_relu", "softmax"]),
         ([2, 1], ["sigmoid"])]


@pytest.mark.parametrize(("sizes", "acts"), CASES)
def test_torch_state_dict_predicts_like_torch(tmp_path, sizes, acts):
    torch = pytest.importorskip("torch")
    model = torch_model(torch, sizes, acts)
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    loaded = load_network(path, activation=",".join(acts[:-1]) or None, output=acts[-1])
    assert loaded.kind == "torch" and list(loaded.net.sizes) == sizes
    X = np.random.default_rng(1).normal(size=(64, sizes[0])) * 3
    with torch.no_grad():
        want = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(loaded.net.predict(X), want, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("sizes", "acts"), CASES)
def test_torch_via_safetensors_predicts_like_torch(tmp_path, sizes, acts):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    model = torch_model(torch, sizes, acts, seed=3)
    path = tmp_path / "model.safetensors"
    save_file(model.state_dict(), str(path))
    loaded = load_network(path, activation=",".join(acts[:-1]) or None, output=acts[-1])
    assert loaded.kind == "safetensors"
    X = np.random.default_rng(2).normal(size=(64, sizes[0]))
    with torch.no_grad():
        want = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(loaded.net.predict(X), want, rtol=0, atol=1e-12)


def test_state_dict_transposed_without_torch():
    """torch keeps Linear.weight as (out, in): nnviz's W is its transpose."""
    rng = np.random.default_rng(0)
    w0, b0, w1 = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(2, 5))
    loaded = network_from_tensors({"net.0.weight": w0, "net.0.bias": b0, "net.2.weight": w1},
                                  None, "x", activation="tanh", output="identity")
    X = rng.normal(size=(10, 3))
    np.testing.assert_allclose(loaded.net.predict(X), np.tanh(X @ w0.T + b0) @ w1.T,
                               rtol=0, atol=1e-12)
    assert np.all(loaded.net.biases[1] == 0)  # Linear(bias=False)


def test_layers_in_natural_order():
    rng = np.random.default_rng(0)
    t = {f"{i}.weight": rng.normal(size=(3, 3)) for i in (10, 2, 0)}
    t["10.weight"] = rng.normal(size=(1, 3))
    net = network_from_tensors(t, None, "x", "relu", "identity").net
    assert net.sizes == (3, 3, 3, 1)
    np.testing.assert_array_equal(net.weights[2], t["10.weight"].T)


@pytest.fixture()
def trained():
    exp = build(preset("iris").replace(max_steps=None))
    exp.trainer.run(50)
    return exp


def test_safetensors_roundtrip_keeps_metadata(tmp_path, trained):
    path = export_safetensors(tmp_path / "iris.safetensors", trained)
    loaded = load_network(path)  # activations and task from the metadata: no flags needed
    trained.trainer.sync()
    X = trained.prepared.X_train
    np.testing.assert_array_equal(loaded.net.predict(X), trained.net.predict(X))
    assert loaded.task == "multiclass"
    assert loaded.feature_names == trained.dataset.feature_names
    assert loaded.class_names == trained.dataset.class_names
    assert loaded.x_scaling["kind"] == "standard"
    assert len(loaded.x_scaling["center"]) == 4


def test_npz_export_opens(tmp_path, trained):
    path = export_weights(tmp_path / "w.npz", trained)
    loaded = load_network(path)
    assert loaded.kind == "npz"
    X = trained.prepared.X_train
    np.testing.assert_array_equal(loaded.net.predict(X), trained.net.predict(X))


def test_run_starts_from_loaded_weights(tmp_path, trained):
    path = export_safetensors(tmp_path / "iris.safetensors", trained)
    exp = build_from_network(preset("iris"), load_network(path))
    np.testing.assert_array_equal(exp.net.predict(trained.prepared.X_train),
                                  trained.net.predict(trained.prepared.X_train))
    assert exp.trainer.run(5) == 5  # trains on from there
    with pytest.raises(ConfigError, match="takes 4 inputs .* has 2 features"):
        build_from_network(preset("xor"), load_network(path))


def test_missing_activations_named(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "m.safetensors"
    path.write_bytes(safetensors_numpy.save({"0.weight": rng.normal(size=(4, 2)),
                                             "2.weight": rng.normal(size=(1, 4))}))
    with pytest.raises(ConfigError, match=r"give --activation \(hidden layers\) and --output"):
        load_network(path)
    with pytest.raises(ConfigError, match=r"give --output \(output layer\)\Z"):
        load_network(path, activation="tanh")
    with pytest.raises(ConfigError, match="unknown activation 'swish'"):
        load_network(path, activation="swish", output="identity")
    assert load_network(path, activation="tanh", output="sigmoid").task == "binary"


@pytest.mark.parametrize(("tensors", "message"), [
    ({"0.weight": np.zeros((8, 3, 3, 3))}, r"'0.weight' is Conv2d weights \(4-D\)"),
    ({"0.weight": np.zeros((4, 2)), "1.weight": np.zeros((3, 5))},
     "shapes do not chain: '1.weight' takes 5 inputs but the layer before gives 4"),
    ({"0.weight": np.zeros((4, 2)), "1.running_mean": np.zeros(4)}, "BatchNorm"),
    ({"0.weight": np.zeros((4, 2)), "0.bias": np.zeros(3)}, r"0.bias has shape \(3,\)"),
    ({"0.weight": np.full((1, 2), np.nan)}, "'0.weight' holds NaN or infinity"),
    ({"0.weight": np.zeros((1, 2), np.int64)}, "is I64, not floating point"),
    ({"emb.table": np.zeros((1, 2))}, "not a Linear layer's weight or bias"),
])
def test_unsupported_tensors_one_line(tmp_path, tensors, message):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(safetensors_numpy.save(tensors))
    with pytest.raises(SessionFileError, match=message):
        load_network(path, activation="relu", output="identity")


def test_pickle_that_runs_code_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path, marker = tmp_path / "evil.pt", tmp_path / "ran"
    torch.save({"0.weight": torch.zeros(1, 2), "x": Evil(str(marker))}, path)
    with pytest.raises(SessionFileError, match="not a weights-only state_dict"):
        load_network(path, output="identity")
    assert not marker.exists()
    torch.save(torch.nn.Linear(2, 1), tmp_path / "module.pt")  # a whole module: classes
    with pytest.raises(SessionFileError, match="not a weights-only state_dict"):
        load_network(tmp_path / "module.pt", output="identity")


class Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_torch_file_without_torch_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    path = tmp_path / "m.pt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("m/data.pkl", b"\x80\x02}q\x00.")
    with pytest.raises(SessionFileError, match="a PyTorch file: install torch"):
        load_network(path, output="identity")


def test_cli_bad_file_exit_2(tmp_path, capsys):
    path = tmp_path / "conv.safetensors"
    path.write_bytes(safetensors_numpy.save({"0.weight": np.zeros((8, 3, 3, 3))}))
    assert main(["train", "--preset", "xor", "--weights", str(path), "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Conv2d weights (4-D)" in err
    path.write_bytes(b"\x00" * 3)
    assert main(["train", "--preset", "xor", "--weights", str(path), "--steps", "1"]) == 2
    assert "truncated" in capsys.readouterr().err


def test_cli_train_from_weights_and_export(tmp_path, capsys):
    w = tmp_path / "w.safetensors"
    export_safetensors(w, Network([2, 3, 1], hidden="tanh", output="sigmoid", seed=1))
    script = tmp_path / "model.py"
    assert main(["train", "--preset", "xor", "--weights", str(w), "--steps", "20", "--json",
                 "--export-torch", str(script)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sizes"] == [2, 3, 1] and result["steps"] == 20
    assert result["exported"] == [str(script), str(tmp_path / "model.safetensors")]
    assert load_network(tmp_path / "model.safetensors").net.sizes == (2, 3, 1)
    assert main(["train", "--preset", "xor", "--weights", str(w), "--hidden", "4"]) == 2
    assert main(["train", "--preset", "xor", "--export-torch", str(tmp_path / "a-b.py")]) == 2


def test_exported_script_reproduces_predictions(tmp_path, trained):
    pytest.importorskip("torch")
    script, weights = export_torch(tmp_path / "iris_model", trained)
    assert script.name == "iris_model.py" and weights.name == "iris_model.safetensors"
    ds, prep = trained.dataset, trained.prepared
    X = ds.X[:20]
    want = prep.y_scaler.inverse_transform(trained.net.predict(prep.x_scaler.transform(X)))
    text = "\n".join(",".join(repr(v) for v in row) for row in X.tolist())
    done = subprocess.run([sys.executable, str(script)], input=text, capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    got = np.array([[float(v) for v in line.split(",")] for line in done.stdout.splitlines()])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------- fuzz
def _samples(tmp_path):
    """(name, bytes) of good files of each kind."""
    net = Network([3, 4, 2], hidden="tanh", output="softmax", seed=0)
    out = [("st", safetensors_bytes(net))]
    export_weights(tmp_path / "w.npz", net)
    out.append(("npz", (tmp_path / "w.npz").read_bytes()))
    try:
        import torch
    except ImportError:
        return out
    torch.save({"0.weight": torch.zeros(4, 3, dtype=torch.float64),
                "0.bias": torch.ones(4, dtype=torch.float64),
                "2.weight": torch.ones(2, 4, dtype=torch.float64)}, tmp_path / "m.pt")
    out.append(("pt", (tmp_path / "m.pt").read_bytes()))
    return out


def _mutants(data: bytes, rng):
    yield data[: rng.integers(0, len(data))]  # truncated
    flipped = bytearray(data)
    for i in rng.integers(0, len(data), size=rng.integers(1, 8)):
        flipped[i] ^= 1 << rng.integers(0, 8)
    yield bytes(flipped)
    yield struct.pack("<Q", int(rng.choice([2**63, 2**40, len(data) * 2, 2**20]))) + data[8:]
    i = int(rng.integers(0, len(data)))
    yield data[:i] + bytes(rng.integers(0, 256, size=int(rng.integers(1, 64)), dtype=np.uint8)
                           ) + data[i:]


def _header_variants():
    """safetensors headers with wrong dtypes, bad offsets, NaN values, junk metadata."""
    body = np.zeros(8).tobytes()
    for info in ({"dtype": "I32", "shape": [2], "data_offsets": [0, 8]},
                 {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
                 {"dtype": "F64", "shape": [1, 2], "data_offsets": [0, 64]},
                 {"dtype": "F64", "shape": [-1, 1], "data_offsets": [0, 8]},
                 {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]},
                 {"dtype": "F64", "shape": [1], "data_offsets": [8, 0]},
                 {"dtype": "ZZ", "shape": [1], "data_offsets": [0, 8]}, "junk", None):
        for meta in ({}, {"__metadata__": {"nnviz": "{"}},
                     {"__metadata__": {"nnviz": json.dumps({"format": "nnviz-weights",
                                                            "activations": ["softmax"]})}}):
            h = json.dumps({"0.weight": info, **meta}).encode()
            yield struct.pack("<Q", len(h)) + h + body
    nan = np.full((1, 2), np.nan)
    yield safetensors_numpy.save({"0.weight": nan})


def test_fuzz_every_outcome_is_a_load_or_one_line(tmp_path):
    rng = np.random.default_rng(17)
    cases = [(n, m) for n, d in _samples(tmp_path) for _ in range(60) for m in _mutants(d, rng)]
    cases += [("st", h) for h in _header_variants()]
    loads = errors = 0
    for i, (name, data) in enumerate(cases):
        path = tmp_path / f"f{i}.{name}"
        path.write_bytes(data)
        try:
            load_network(path, activation="relu", output="identity")
            loads += 1
        except NNVizError as exc:
            text = str(exc)
            assert "\n" not in text and 0 < len(text) <= MAX_MESSAGE_CHARS, (name, text)
            errors += 1
        path.unlink()
    assert errors > len(cases) // 2 and loads + errors == len(cases)
