"""Built-in datasets: the tutorials' data exactly, seeded synthetic problems, iris, registry."""

import numpy as np
import pytest

from nnviz.data import DATASET_SPECS, Dataset, make_dataset
from nnviz.errors import ConfigError, DataError

SYNTHETIC = ["xor", "circles", "gaussians", "spiral", "moons", "plane", "gaussian-surface"]


def article_f(x, y):
    return np.sin(x) + x * np.cos(y) + y + 3 ** (x / 3)


def test_single_neuron_points_exactly_as_given():
    ds = make_dataset("single-neuron")
    assert ds.X.tolist() == [[3, 1.5], [2, 1], [4, 1.5], [3, 4], [3.5, 0.5], [2, 0.5],
                             [5.5, 1], [1, 1]]
    assert ds.Y.tolist() == [[0], [1], [0], [1], [0], [1], [1], [0]]
    assert ds.task == "binary" and ds.X.dtype == np.float64 and ds.Y.dtype == np.float64
    assert ds.function is None and ds.n_samples == 8 and ds.n_features == 2
    assert ds.labels.tolist() == [0, 1, 0, 1, 0, 1, 1, 0]


@pytest.mark.parametrize("n", [2, 7, 100])
def test_function_surface_grid_is_the_articles(n):
    x = np.linspace(-10, 10, n)
    y = np.linspace(-10, 10, n)
    X, Y = np.meshgrid(x, y)
    inputs = np.column_stack((X.flatten(), Y.flatten()))
    outputs = article_f(X, Y).flatten()
    ds = make_dataset("function-surface", grid=n)
    assert ds.X.tobytes() == inputs.tobytes()
    assert ds.Y.shape == (n * n, 1) and ds.Y[:, 0].tobytes() == outputs.tobytes()
    assert ds.task == "regression" and ds.bounds == ((-10.0, 10.0), (-10.0, 10.0))


def test_function_surface_default_grid_is_100():
    assert make_dataset("function-surface").n_samples == 10_000


def test_true_function_matches_targets_and_any_resolution():
    ds = make_dataset("function-surface", grid=30)
    np.testing.assert_allclose(ds.function(ds.X), ds.Y, rtol=0, atol=1e-12)
    pts = ds.grid(17)
    assert pts.shape == (289, 2)
    vals = ds.true_values(pts)
    assert vals.shape == (289, 1)
    np.testing.assert_allclose(vals[:, 0], article_f(pts[:, 0], pts[:, 1]), atol=1e-12)


def test_function_surface_random_samples_seeded():
    a = make_dataset("function-surface", samples=500, seed=3)
    b = make_dataset("function-surface", samples=500, seed=3)
    c = make_dataset("function-surface", samples=500, seed=4)
    assert a.X.shape == (500, 2) and np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    assert a.X.min() >= -10 and a.X.max() <= 10
    np.testing.assert_allclose(a.Y[:, 0], article_f(a.X[:, 0], a.X[:, 1]), atol=1e-12)


def test_function_surface_grid_and_samples_conflict():
    with pytest.raises(ConfigError, match="not both"):
        make_dataset("function-surface", grid=50, samples=100)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_seeded_and_independent_of_global_rng(name):
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a = make_dataset(name, samples=60, seed=5)
    assert np.array_equal(np.random.get_state()[1], state)  # global RNG untouched
    np.random.seed(999)
    b = make_dataset(name, samples=60, seed=5)
    c = make_dataset(name, samples=60, seed=6)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.Y, b.Y)
    assert not np.array_equal(a.X, c.X)
    assert a.X.shape == (60, 2) and a.Y.shape[0] == 60 and a.n_samples == 60


@pytest.mark.parametrize("name", SYNTHETIC)
def test_arrays_are_read_only_and_bounds_cover_points(name):
    ds = make_dataset(name, samples=50)
    with pytest.raises(ValueError):
        ds.X[0, 0] = 1.0
    with pytest.raises(ValueError):
        ds.Y[0, 0] = 1.0
    for j, (lo, hi) in enumerate(ds.bounds):
        assert lo <= ds.X[:, j].min() and ds.X[:, j].max() <= hi


@pytest.mark.parametrize("name", ["circles", "gaussians", "moons", "spiral"])
def test_classification_is_balanced(name):
    ds = make_dataset(name, samples=101)
    assert ds.task == "binary" and ds.Y.shape == (101, 1)
    assert set(np.unique(ds.Y)) == {0.0, 1.0}
    assert sorted(np.bincount(ds.labels).tolist()) == [50, 51]


def test_xor_rule_without_noise():
    ds = make_dataset("xor", samples=300, noise=0.0, seed=2)
    assert np.array_equal(ds.labels, (ds.X[:, 0] * ds.X[:, 1] < 0).astype(int))


def test_circles_radii_without_noise():
    ds = make_dataset("circles", samples=80, noise=0.0)
    r = np.hypot(ds.X[:, 0], ds.X[:, 1])
    np.testing.assert_allclose(r[ds.labels == 0], 1.0)
    np.testing.assert_allclose(r[ds.labels == 1], 0.5)


def test_gaussians_noise_is_cloud_std():
    ds = make_dataset("gaussians", samples=4000, noise=0.5, seed=1)
    c0 = ds.X[ds.labels == 0]
    np.testing.assert_allclose(c0.mean(0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(c0.std(0), [0.5, 0.5], atol=0.03)


def test_moons_shape_without_noise():
    ds = make_dataset("moons", samples=100, noise=0.0)
    upper = ds.X[ds.labels == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert (upper[:, 1] >= 0).all() and (ds.X[ds.labels == 1][:, 1] <= 0.5).all()


def test_spiral_three_classes_is_multiclass_one_hot():
    ds = make_dataset("spiral", samples=90, classes=3)
    assert ds.task == "multiclass" and ds.Y.shape == (90, 3)
    assert ds.class_names == ("0", "1", "2")
    assert np.array_equal(ds.Y.sum(1), np.ones(90))
    assert np.bincount(ds.labels).tolist() == [30, 30, 30]


@pytest.mark.parametrize("name", ["plane", "gaussian-surface"])
def test_regression_function_is_noise_free(name):
    clean = make_dataset(name, samples=200, noise=0.0, seed=7)
    np.testing.assert_allclose(clean.function(clean.X), clean.Y, atol=1e-12)
    noisy = make_dataset(name, samples=200, noise=0.3, seed=7)
    resid = noisy.Y - noisy.function(noisy.X)
    assert 0.2 < resid.std() < 0.4
    assert clean.task == "regression" and clean.bounds == ((-5.0, 5.0), (-5.0, 5.0))


def test_plane_coefficients():
    ds = make_dataset("plane", noise=0.0)
    assert ds.function(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))[:, 0].tolist() == \
        [1.0, 3.0, -2.0]


def test_iris_counts_and_statistics():
    ds = make_dataset("iris")
    assert ds.X.shape == (150, 4) and ds.Y.shape == (150, 3) and ds.task == "multiclass"
    assert ds.class_names == ("setosa", "versicolor", "virginica")
    assert ds.feature_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert ds.Y.sum(0).tolist() == [50, 50, 50]
    np.testing.assert_allclose(ds.X.mean(0), [5.843, 3.057, 3.758, 1.199], atol=5e-4)
    assert "Fisher" in ds.source


def test_iris_resource_has_credits():
    from importlib import resources

    text = resources.files("nnviz.resources").joinpath("README.md").read_text("utf-8")
    assert "Fisher" in text and "UCI" in text and "CC BY 4.0" in text


def test_specs_describe_every_dataset_and_defaults_build():
    assert set(DATASET_SPECS) == {"single-neuron", "function-surface", "iris", "drawn",
                                  *SYNTHETIC}
    for name, spec in DATASET_SPECS.items():
        assert spec.name == name and spec.description
        assert spec.task in ("regression", "binary", "multiclass")
        for p in spec.params:
            assert p.type in (int, float) and p.min <= p.default <= p.max and p.help
    for name in ("single-neuron", "xor", "plane", "iris"):
        assert make_dataset(name).task == DATASET_SPECS[name].task


@pytest.mark.parametrize("name, params, match", [
    ("nope", {}, "unknown dataset 'nope'"),
    ("xor", {"size": 3}, "unknown parameter"),
    ("single-neuron", {"seed": 1}, "unknown parameter"),
    ("xor", {"samples": 1}, r"samples must be in \[4, 100000\]"),
    ("xor", {"noise": -0.1}, "noise must be in"),
    ("spiral", {"classes": 4}, "classes must be in"),
    ("moons", {"samples": 10.5}, "samples must be int"),
    ("moons", {"seed": True}, "seed must be int"),
])
def test_make_dataset_rejects_bad_parameters(name, params, match):
    with pytest.raises(ConfigError, match=match):
        make_dataset(name, **params)


def test_dataset_validates_shapes():
    with pytest.raises(DataError, match="feature names"):
        Dataset(name="t", X=np.zeros((3, 2)), Y=np.zeros((3, 1)), task="regression",
                feature_names=("a",), target_name="y")
    with pytest.raises(DataError, match="finite"):
        Dataset(name="t", X=np.array([[np.nan, 1.0]]), Y=np.zeros((1, 1)),
                task="regression", feature_names=("a", "b"), target_name="y")
    reg = Dataset(name="t", X=np.zeros((3, 2)), Y=np.zeros((3, 1)), task="regression",
                  feature_names=("a", "b"), target_name="y")
    with pytest.raises(DataError, match="regression"):
        _ = reg.labels


def test_dataset_copies_its_inputs():
    X = np.zeros((2, 2))
    ds = Dataset(name="t", X=X, Y=np.zeros((2, 1)), task="regression",
                 feature_names=("a", "b"), target_name="y")
    X[0, 0] = 5.0
    assert ds.X[0, 0] == 0.0
