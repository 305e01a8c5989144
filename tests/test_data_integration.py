"""Every built-in dataset prepares into arrays a trainer can use; nnviz.data stays Qt-free."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from nnviz.data import DATASET_SPECS, make_dataset, prepare

OUTPUT = {"regression": "identity", "binary": "sigmoid", "multiclass": "softmax"}
LOSS = {"regression": "half_squared_error", "binary": "binary_cross_entropy",
        "multiclass": "cross_entropy"}


@pytest.mark.parametrize("name", [n for n in DATASET_SPECS if n != "drawn"])  # (no rows yet)
def test_every_dataset_prepares_for_training(name):
    ds = make_dataset(name)
    p = prepare(ds, test_ratio=0.2, seed=0)
    n, d, k = ds.n_samples, ds.n_features, ds.n_outputs
    assert p.X_train.shape[1] == d and p.Y_train.shape[1] == k
    assert len(p.X_train) + len(p.X_test) == n and p.has_test
    for a in (p.X_train, p.Y_train, p.X_test, p.Y_test):
        assert a.dtype == np.float64 and np.isfinite(a).all()
    assert ds.task in OUTPUT


@pytest.mark.parametrize("name", [n for n in DATASET_SPECS if n != "drawn"])  # (no rows yet)
def test_every_dataset_trains_with_the_engine(name):
    engine = pytest.importorskip("nnviz.engine")
    trainer_mod = pytest.importorskip("nnviz.engine.trainer")
    ds = make_dataset(name)
    p = prepare(ds, test_ratio=0.2, seed=0)
    net = engine.Network([ds.n_features, 16, ds.n_outputs], hidden="tanh",
                         output=OUTPUT[ds.task], seed=0)
    trainer = trainer_mod.Trainer(net, p.X_train, p.Y_train, X_test=p.X_test, Y_test=p.Y_test,
                                  loss=LOSS[ds.task], lr=0.05, batch_size=None, seed=0)
    before = trainer.full_loss()
    trainer.run(200)
    assert trainer.full_loss() < before


def test_dataset_is_frozen():
    ds = make_dataset("single-neuron")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.task = "regression"


def test_importing_data_loads_no_qt():
    code = ("import sys, nnviz.data; nnviz.data.make_dataset('iris'); "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
