"""The hidden space: the plane's grid lines and points through the network, checked against the
engine's own forward pass; PCA against an SVD made here; the boundary against the readout."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest

from nnviz import hidden_space as hs
from nnviz.engine.activations import get_activation
from nnviz.experiment import PRESETS, build
from nnviz.snapshot import run_info, take_snapshot


@functools.cache
def trained(preset: str, steps: int = 300, **changes):
    exp = build(PRESETS[preset].replace(**changes))
    exp.trainer.run(steps)
    run = run_info(exp)
    snap = take_snapshot(exp, with_activity=False)
    plane = hs.input_plane(run)
    return exp, run, snap, plane, hs.carry_plane(plane, snap.weights, snap.biases,
                                                 snap.activations)


def raw_lines(exp):
    """The plane's grid lines in the data's units, made here: LINES at constant x2 (x1 across),
    then LINES at constant x1."""
    (x0, x1), (y0, y1) = exp.dataset.bounds
    xs, ys = np.linspace(x0, x1, hs.SAMPLES), np.linspace(y0, y1, hs.SAMPLES)
    lines = [np.column_stack([xs, np.full_like(xs, y)]) for y in np.linspace(y0, y1, hs.LINES)]
    lines += [np.column_stack([np.full_like(ys, x), ys]) for x in np.linspace(x0, x1, hs.LINES)]
    return np.concatenate(lines)


def readout(a, W, b, output):
    """y_hat of the output layer for activations a (m, n) of the last hidden layer."""
    z = np.asarray(a, np.float64) @ W + b
    return get_activation(output).forward(z)


@pytest.mark.parametrize("preset,changes", [
    ("circles-bottleneck", {}), ("spiral", {}), ("function-fit", {}),
    ("circles", {"features": ("x1^2", "x2^2", "x1*x2")}),
])
def test_lines_and_points_are_the_engines_forward_pass(preset, changes):
    exp, run, snap, plane, space = trained(preset, 30, **changes)
    assert space.depth == exp.net.n_layers - 1
    grid_X = exp.prepared.to_network(raw_lines(exp))
    points_X = exp.prepared.X_train[point_rows := plane.rows]
    lines_trace, points_trace = exp.net.forward(grid_X), exp.net.forward(points_X)
    n = plane.n_line_rows
    assert n == 2 * hs.LINES * hs.SAMPLES
    np.testing.assert_allclose(space.acts[0][:n], exp.prepared.x_scaler.transform(
        raw_lines(exp)), rtol=1e-6, atol=1e-6)
    for k in range(1, space.depth + 1):
        np.testing.assert_allclose(space.acts[k][:n], lines_trace.a[k], rtol=2e-4, atol=2e-5)
        np.testing.assert_allclose(space.points(k), points_trace.a[k], rtol=2e-4, atol=2e-5)
    if not changes:  # the default features: the plane is the network's input
        np.testing.assert_allclose(space.points(0), points_X, rtol=1e-6)
    assert len(point_rows) == min(hs.MAX_POINTS, run.n_train)


def test_a_large_training_set_is_carried_as_an_even_subset():
    rows = hs.point_rows(10_000)
    assert len(rows) == hs.MAX_POINTS and rows[0] == 0 and rows[-1] == 9_999
    assert np.ptp(np.diff(rows)) <= 1
    np.testing.assert_array_equal(hs.point_rows(160), np.arange(160))


def test_pca_is_the_svd_of_the_centred_points_up_to_sign():
    *_, space = trained("spiral")
    A = space.points(2).astype(np.float64)  # 16 neurons
    view = hs.fit_pca(A)
    centred = A - A.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    for c in range(2):
        assert abs(abs(view.basis[:, c] @ vt[c]) - 1) < 1e-9
    projected = view.project(space.acts[2])
    expected = (space.acts[2].astype(np.float64) - A.mean(axis=0)) @ vt[:2].T
    np.testing.assert_allclose(np.abs(projected), np.abs(expected), rtol=1e-4, atol=1e-5)
    assert view.explained == pytest.approx((s[0] ** 2 + s[1] ** 2) / np.sum(s ** 2))
    assert hs.plane_share(view, A) == pytest.approx(view.explained)
    assert hs.plane_share(view, A + 0.3 * np.random.default_rng(0).standard_normal(A.shape)) \
        < view.explained
    np.testing.assert_allclose(view.basis.T @ view.basis, np.eye(2), atol=1e-12)


def test_a_refit_keeps_each_axis_pointing_the_same_way():
    *_, space = trained("spiral")
    A = space.points(1).astype(np.float64)
    first = hs.fit_pca(A)
    flipped = hs.View(hs.PCA, first.origin, -first.basis, explained=first.explained)
    rng = np.random.default_rng(1)
    later = A + 0.01 * rng.standard_normal(A.shape)
    for previous in (first, flipped):
        again = hs.fit_pca(later, previous=previous)
        assert np.all(np.sum(again.basis * previous.basis, axis=0) > 0.9)


def test_first_fit_grows_with_the_previous_picture():
    """Without a previous fit, each axis's sign makes the points' coordinates grow with the
    previous space's picture: the morph does not mirror the plane."""
    *_, space = trained("spiral")
    like = space.points(0)
    view = hs.fit_pca(space.points(1), like=like)
    uv = view.project(space.points(1))
    for c in range(2):
        assert np.corrcoef(uv[:, c], like[:, c])[0, 1] >= 0


def test_neuron_view_draws_two_neurons_and_holds_the_rest_at_their_mean():
    *_, space = trained("spiral")
    A = space.points(2)
    view = hs.neuron_view(A, 3, 7)
    np.testing.assert_array_equal(view.project(space.acts[2]), space.acts[2][:, [3, 7]])
    held = np.delete(np.arange(16), [3, 7])
    np.testing.assert_allclose(view.origin[held], A.astype(np.float64).mean(axis=0)[held])
    with pytest.raises(ValueError):
        hs.neuron_view(A, 2, 2)


@pytest.mark.parametrize("preset,kind", [("circles-bottleneck", "exact"), ("spiral", "pca"),
                                         ("spiral", "neurons"), ("single-neuron", "exact")])
def test_boundary_points_sit_on_the_half_probability_line(preset, kind):
    exp, run, snap, plane, space = trained(preset, 500)
    H = space.depth
    A = space.points(H)
    view = {"exact": lambda: hs.exact_view(A.shape[1]), "pca": lambda: hs.fit_pca(A),
            "neurons": lambda: hs.neuron_view(A, 0, 5)}[kind]()
    W, b, out = snap.weights[-1], snap.biases[-1], snap.activations[-1]
    uv = view.project(A)
    box = (*(uv[:, 0].min() - 1, uv[:, 0].max() + 1), *(uv[:, 1].min() - 1, uv[:, 1].max() + 1))
    segments = hs.boundary(view, W, b, out, box)
    assert len(segments) == 1
    for f in np.linspace(0, 1, 7):
        u, v = segments[0, :2] + f * (segments[0, 2:] - segments[0, :2])
        a = view.origin + np.array([u, v]) @ view.basis.T
        assert readout(a[None], W, b, out)[0, 0] == pytest.approx(0.5, abs=1e-9)
    if kind == "exact":  # the points' own predictions agree with the side of the line
        y_hat = readout(A, W, b, out)[:, 0]
        (u0, v0, u1, v1) = segments[0]
        side = (u1 - u0) * (uv[:, 1] - v0) - (v1 - v0) * (uv[:, 0] - u0)
        above = y_hat >= 0.5
        assert len(set(zip(above, side > 0))) <= 2  # one side each: the line separates them


def test_multiclass_boundaries_are_where_the_top_two_classes_tie():
    exp, run, snap, plane, space = trained("spiral", 400,
                                           dataset_params=(("classes", 3),),
                                           output="softmax")
    assert snap.activations[-1] == "softmax" and snap.weights[-1].shape[1] == 3
    A = space.points(space.depth)
    view = hs.fit_pca(A)
    W, b = snap.weights[-1], snap.biases[-1]
    segments = hs.boundary(view, W, b, "softmax", (-10, 10, -10, 10))
    assert 1 <= len(segments) <= 3
    for seg in segments:
        for f in np.linspace(0.01, 0.99, 5):
            u, v = seg[:2] + f * (seg[2:] - seg[:2])
            p = readout((view.origin + np.array([u, v]) @ view.basis.T)[None], W, b,
                        "softmax")[0]
            top = np.sort(p)[::-1]
            assert top[0] == pytest.approx(top[1], rel=1e-9, abs=1e-12)


def test_one_neuron_layer_is_a_line_and_its_boundary_a_vertical_line():
    exp, run, snap, plane, space = trained("xor", 50, hidden=(1,))
    view = hs.exact_view(1)
    uv = view.project(space.acts[1])
    np.testing.assert_array_equal(uv[:, 0], space.acts[1][:, 0])
    assert not uv[:, 1].any()
    segments = hs.boundary(view, snap.weights[-1], snap.biases[-1], "sigmoid", (-1, 1, -1, 1))
    if len(segments):
        assert segments[0, 0] == pytest.approx(segments[0, 2])


def test_morph_at_integer_positions_is_that_layers_picture():
    rng = np.random.default_rng(0)
    coords = [rng.standard_normal((50, 2)) for _ in range(3)]
    for k in range(3):
        assert hs.morph(coords, k) is coords[k]
    np.testing.assert_allclose(hs.morph(coords, 1.25), 0.75 * coords[1] + 0.25 * coords[2])
    assert hs.morph(coords, -1) is coords[0] and hs.morph(coords, 9) is coords[2]


def test_output_thresholds():
    assert hs.output_threshold("sigmoid") == pytest.approx(0.0, abs=1e-12)
    assert hs.output_threshold("identity") == pytest.approx(0.5)
    assert hs.output_threshold("tanh") == pytest.approx(np.arctanh(0.5))


def test_no_plane_without_two_inputs_and_nan_weights_pass_through():
    exp = build(PRESETS["iris"])
    assert hs.input_plane(run_info(exp)) is None
    exp, run, snap, plane, space = trained("circles-bottleneck", 10)
    bad = [w.copy() for w in snap.weights]
    bad[0][0, 0] = np.nan
    nan_space = hs.carry_plane(plane, bad, snap.biases, snap.activations)
    assert not nan_space.finite() and space.finite()
    view = hs.exact_view(2)
    W = snap.weights[-1].copy()
    W[0, 0] = np.inf
    assert hs.boundary(view, W, snap.biases[-1], "sigmoid", (-1, 1, -1, 1)).shape == (0, 4)


def test_sticky_box_holds_still_while_the_points_stay_inside():
    rng = np.random.default_rng(0)
    c = rng.uniform(-1, 1, (200, 2))
    box = hs.sticky_box(c)
    (u0, u1), (v0, v1) = box
    assert u0 < c[:, 0].min() and c[:, 0].max() < u1 and v0 < c[:, 1].min()
    assert hs.sticky_box(0.98 * c, box) is box  # a little movement: the same range
    grown = hs.sticky_box(3 * c, box)
    assert grown != box and grown[0][1] > 2.9
    assert hs.sticky_box(0.2 * c, grown) != grown  # much smaller: shrinks to fit
    bad = c.copy()
    bad[0, 0] = np.nan
    assert hs.sticky_box(bad, box) is box and hs.sticky_box(bad) == ((-1, 1), (-1, 1))


@pytest.mark.parametrize("preset,changes", [
    ("spiral", {}), ("spiral", {"dataset_params": (("classes", 3),)}),
])
def test_readout_plane_boundary_is_exact_and_every_point_on_its_side(preset, changes):
    exp, run, snap, plane, space = trained(preset, 600, **changes)
    H = space.depth
    A = space.points(H)
    W, b, out = snap.weights[-1], snap.biases[-1], snap.activations[-1]
    view = hs.readout_view(A, W)
    assert view.kind == hs.READOUT and view.exact
    np.testing.assert_allclose(view.basis.T @ view.basis, np.eye(2), atol=1e-12)
    uv = view.project(A).astype(np.float64)
    segments = hs.boundary(view, W, b, out, (-1e3, 1e3, -1e3, 1e3))
    assert len(segments) >= 1
    y_hat = readout(A, W, b, out)
    if W.shape[1] == 1:  # one output: the line is u = const, and u grows with the output
        (u0, _, u1, _) = segments[0]
        assert u0 == pytest.approx(u1)
        assert np.all((uv[:, 0] >= u0) == (y_hat[:, 0] >= 0.5))
        assert np.corrcoef(uv[:, 0], A @ W[:, 0])[0, 1] > 0.999
    else:  # three classes: the plane holds both logit differences, so the argmax of the
        # readout of each point's place on the plane is the point's own
        on_plane = view.origin + uv @ view.basis.T
        np.testing.assert_array_equal(readout(on_plane, W, b, out).argmax(axis=1),
                                      y_hat.argmax(axis=1))
    again = hs.readout_view(A + 0.001, W, previous=view)
    assert again.basis[:, 1] @ view.basis[:, 1] > 0.99  # no flip from one snapshot to the next


# ---------------------------------------------------------------- degenerate spaces (attack pass)
def test_readout_view_of_coinciding_points_and_no_direction_is_finite():
    for W in (np.zeros((3, 1)), np.eye(3)[:, :1], np.ones((3, 2))):
        for points in (np.ones((50, 3)), np.ones((1, 3)), np.zeros((7, 3))):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                view = hs.readout_view(points, W)
            assert np.isfinite(view.basis).all()
            assert np.allclose(view.basis.T @ view.basis, np.eye(2))  # orthonormal


def test_huge_weights_fit_pca_without_warning():
    A = np.outer(np.arange(50.0), [1.0, 2.0, 3.0]) * 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view = hs.fit_pca(A)
    assert np.isfinite(view.basis).all() and 0.0 <= view.explained <= 1.0


def test_grid_lines_across_bounds_near_the_float_limit_are_finite_and_even():
    big = np.finfo(np.float64).max
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lo, hi in ((-big, big), (big / 3, big), (-1e-308, 5e-324), (2.0, -1.0)):
            v = hs.spaced(lo, hi, 7)
            assert v[0] == lo and v[-1] == hi and np.isfinite(v).all()
            assert np.all(np.diff(v) >= 0) if lo <= hi else np.all(np.diff(v) <= 0)
        f = hs.as_float32([1e308, -1e308, np.nan, 1.5, 1e-300])
    assert f.dtype == np.float32
    assert f[0] == np.inf and f[1] == -np.inf and np.isnan(f[2]) and f[3] == 1.5


def test_a_boundary_of_huge_coefficients_is_the_same_line_without_warning():
    """normal . p + c = 0 scaled by 1e300 is the same line (normal . normal overflowed)."""
    box = (-2.0, 2.0, -2.0, 2.0)
    plain = hs._clip(np.array([1.0, -1.0]), 0.5, [((0.0, 1.0), 1.0)], box)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = hs._clip(np.array([1e300, -1e300]), 0.5e300, [((0.0, 1e308), 1e308)], box)
        far = hs._clip(np.array([1e-300, 0.0]), 1e300, (), box)  # offset beyond float64
    assert plain is not None and np.allclose(huge, plain)
    assert far is None
