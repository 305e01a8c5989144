"""prepare(): split by ratio and seed, scaling fitted on training rows only, invertible."""

import numpy as np
import pytest

from nnviz.data import Scaler, make_dataset, prepare, train_test_indices
from nnviz.errors import ConfigError


def test_article_standardisation_bit_for_bit():
    x = np.linspace(-10, 10, 100)
    y = np.linspace(-10, 10, 100)
    X, Y = np.meshgrid(x, y)
    inputs = np.column_stack((X.flatten(), Y.flatten()))
    outputs = (np.sin(X) + X * np.cos(Y) + Y + 3 ** (X / 3)).flatten()
    inputs_n = (inputs - inputs.mean(0)) / inputs.std(0)
    outputs_n = (outputs - outputs.mean()) / outputs.std()

    p = prepare(make_dataset("function-surface", grid=100), test_ratio=0.0, scaling="standard")
    assert p.X_train.tobytes() == inputs_n.tobytes()
    assert p.Y_train.shape == (10_000, 1)
    assert p.Y_train[:, 0].tobytes() == outputs_n.tobytes()
    assert p.X_test.shape == (0, 2) and p.Y_test.shape == (0, 1)
    assert np.array_equal(p.train_index, np.arange(10_000))
    # the article's un-squash: Z_pred * outputs_std + outputs_mean
    z = p.to_data_units(p.Y_train)
    assert z[:, 0].tobytes() == (outputs_n * outputs.std() + outputs.mean()).tobytes()


def test_single_neuron_unscaled_by_default():
    ds = make_dataset("single-neuron")
    assert ds.default_scaling == "none"
    p = prepare(ds)
    assert p.scaling == "none"
    assert np.array_equal(p.X_train, ds.X) and np.array_equal(p.Y_train, ds.Y)
    assert p.x_scaler.is_identity and p.y_scaler.is_identity


@pytest.mark.parametrize("ratio, n_test", [(0.2, 40), (0.25, 50), (0.5, 100), (0.01, 2)])
def test_split_sizes_disjoint_and_seeded(ratio, n_test):
    ds = make_dataset("plane", samples=200)
    p = prepare(ds, test_ratio=ratio, seed=1)
    assert len(p.test_index) == n_test and len(p.train_index) == 200 - n_test
    assert np.intersect1d(p.train_index, p.test_index).size == 0
    assert np.array_equal(np.union1d(p.train_index, p.test_index), np.arange(200))
    q = prepare(ds, test_ratio=ratio, seed=1)
    r = prepare(ds, test_ratio=ratio, seed=2)
    assert np.array_equal(p.test_index, q.test_index)
    assert not np.array_equal(p.test_index, r.test_index)


def test_scaler_fitted_on_train_only_and_applied_to_test():
    ds = make_dataset("gaussian-surface", samples=300, seed=3)
    p = prepare(ds, test_ratio=0.3, seed=4, scaling="standard")
    Xtr, Ytr = ds.X[p.train_index], ds.Y[p.train_index]
    np.testing.assert_array_equal(p.x_scaler.center, Xtr.mean(0))
    np.testing.assert_array_equal(p.x_scaler.scale, Xtr.std(0))
    np.testing.assert_allclose(p.X_train.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(p.X_train.std(0), 1, atol=1e-12)
    np.testing.assert_allclose(p.Y_train.std(0), 1, atol=1e-12)
    np.testing.assert_array_equal(p.X_test, (ds.X[p.test_index] - Xtr.mean(0)) / Xtr.std(0))
    np.testing.assert_array_equal(p.Y_test, (ds.Y[p.test_index] - Ytr.mean(0)) / Ytr.std(0))
    assert abs(p.X_test.mean()) > 1e-6  # test rows did not take part in the fit


def test_other_datasets_standardised_by_default():
    p = prepare(make_dataset("moons"))
    assert p.scaling == "standard"
    np.testing.assert_allclose(p.X_train.std(0), 1.0, atol=1e-12)


def test_minmax_maps_training_rows_to_unit_interval():
    ds = make_dataset("plane", samples=100)
    p = prepare(ds, test_ratio=0.2, scaling="minmax")
    assert p.X_train.min(0).tolist() == [0.0, 0.0] and p.X_train.max(0).tolist() == [1.0, 1.0]
    assert p.Y_train.min() == 0.0 and p.Y_train.max() == 1.0


@pytest.mark.parametrize("kind", ["standard", "minmax", "none"])
def test_scaler_round_trip(kind):
    rng = np.random.default_rng(0)
    data = rng.normal(5, 3, size=(50, 3)) * [1, 100, 0.01]
    s = Scaler.fit(data, kind)
    np.testing.assert_allclose(s.inverse_transform(s.transform(data)), data, rtol=1e-13)
    new = rng.normal(size=(7, 3))
    np.testing.assert_allclose(s.transform(s.inverse_transform(new)), new, atol=1e-12)


def test_constant_column_does_not_make_nan():
    s = Scaler.fit(np.array([[1.0, 2.0], [1.0, 4.0]]), "standard")
    out = s.transform(np.array([[1.0, 3.0]]))
    assert out.tolist() == [[0.0, 0.0]]


def test_classification_targets_never_scaled():
    ds = make_dataset("spiral", samples=90, classes=3)
    for kind in ("standard", "minmax"):
        p = prepare(ds, test_ratio=0.2, scaling=kind)
        assert p.y_scaler.is_identity
        assert np.array_equal(p.Y_train, ds.Y[p.train_index])
        assert np.array_equal(p.Y_test, ds.Y[p.test_index])
        assert not np.array_equal(p.X_train, ds.X[p.train_index])


def test_split_is_stratified_for_classes():
    ds = make_dataset("single-neuron")
    p = prepare(ds, test_ratio=0.25, seed=0, scaling="none")
    assert len(p.test_index) == 2
    assert sorted(ds.labels[p.test_index].tolist()) == [0, 1]
    iris = prepare(make_dataset("iris"), test_ratio=0.2, seed=9)
    assert iris.Y_test.sum(0).tolist() == [10, 10, 10]


def test_prepared_arrays_read_only_and_float64():
    p = prepare(make_dataset("xor", samples=40), test_ratio=0.25)
    for a in (p.X_train, p.Y_train, p.X_test, p.Y_test):
        assert a.dtype == np.float64 and a.ndim == 2 and not a.flags.writeable


def test_to_network_uses_training_statistics():
    ds = make_dataset("function-surface", grid=20)
    p = prepare(ds, test_ratio=0.0)
    grid = ds.grid(20)
    np.testing.assert_allclose(p.to_network(grid), p.X_train, atol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"test_ratio": 1.0}, "test ratio"),
    ({"test_ratio": -0.1}, "test ratio"),
    ({"scaling": "zscore"}, "scaling must be one of"),
    ({"y_scaling": "log"}, "y scaling must be one of"),
])
def test_prepare_rejects_bad_settings(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        prepare(make_dataset("plane"), **kwargs)


def test_train_test_indices_keeps_one_per_class_for_training():
    train, test = train_test_indices(4, 0.9, seed=0, labels=np.array([0, 0, 1, 1]))
    assert sorted(train.tolist() + test.tolist()) == [0, 1, 2, 3]
    assert len(train) == 2 and len(test) == 2
