"""The optimiser race (nnviz.race): racers are the ordinary runs of their settings, bit for
bit; the plane is the SVD of the paths; the landscape is the loss on that plane; a racer that
diverges stops alone; paths stay bounded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS, TrainingConfig, build
from nnviz.landscape import ParamRef, flat_params, loss_landscape, plane_loss
from nnviz.race import (
    MAX_RACERS,
    Race,
    coarsen,
    param_plane,
    pca_plane,
    racer_configs,
    racer_label,
)

#: a small regression run whose sgd at lr 10 diverges within a few steps
DIVERGING = TrainingConfig(dataset="function-surface", dataset_params=(("grid", 20),),
                           hidden=(8,), activation="relu", optimizer="sgd", lr=0.01,
                           batch_size=10)


def assert_same_run(racer, steps: int) -> None:
    """The racer's state equals ``build(its config).trainer.run(steps)``'s, bit for bit."""
    ordinary = build(racer.config)
    ordinary.trainer.run(steps)
    mine, theirs = racer.trainer.state_dict(), ordinary.trainer.state_dict()
    assert mine["step_count"] == theirs["step_count"] == steps
    for a, b in zip(mine["params"], theirs["params"]):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    for key in ("step", "mean", "min", "max"):
        assert np.array_equal(racer.trainer.history.step_loss.arrays()[key],
                              ordinary.trainer.history.step_loss.arrays()[key])
    assert mine["optimizer"]["t"] == theirs["optimizer"]["t"]
    assert racer.trainer.final_metrics() == ordinary.trainer.final_metrics()


@pytest.mark.parametrize("optimizers, lrs", [(["sgd", "momentum", "adam"], None),
                                             (["sgd"], [0.01, 0.1, 1.0])])
def test_each_racer_is_the_ordinary_run_of_its_settings(optimizers, lrs):
    configs = racer_configs(PRESETS["spiral"], optimizers, lrs)
    race = Race(configs)
    for piece in (137, 1, 500, 362):  # lockstep rounds of uneven sizes
        race.advance(piece)
    assert race.step == 1000
    for racer, config in zip(race.racers, configs):
        assert racer.config.optimizer == config.optimizer and racer.config.lr == config.lr
        assert_same_run(racer, 1000)


def test_racers_that_differ_in_an_optimisers_own_settings():
    spiral = PRESETS["spiral"]
    configs = [spiral.replace(optimizer="momentum", momentum=0.5),
               spiral.replace(optimizer="momentum", momentum=0.95, lr=0.02),
               spiral.replace(beta1=0.5, l2=0.001)]
    race = Race(configs)
    race.advance(400)
    assert [r.label for r in race.racers] == ["momentum 0.5 lr 0.01 l2 0",
                                              "momentum 0.95 lr 0.02 l2 0",
                                              "adam lr 0.01 beta1 0.5 l2 0.001"]
    for racer in race.racers:
        assert_same_run(racer, 400)


def test_racers_start_at_one_point():
    race = Race(racer_configs(PRESETS["xor"], ["sgd", "adam"]))
    start = [r.path[0] for r in race.racers]
    assert np.array_equal(start[0], start[1])
    assert np.array_equal(race.origin, flat_params(build(PRESETS["xor"]).net.get_params()))


def test_racer_configs_and_labels():
    configs = racer_configs(PRESETS["xor"], ["momentum", "adam"], [0.1, 1.0])
    assert [racer_label(c) for c in configs] == [
        "momentum 0.9 lr 0.1", "momentum 0.9 lr 1", "adam lr 0.1", "adam lr 1"]
    assert racer_configs(PRESETS["xor"]) == [PRESETS["xor"]]


@pytest.mark.parametrize("optimizers, lrs, words", [
    (["sgd", "nope"], None, "unknown 'nope'"),
    (None, [float("nan")], "lr must be a positive number"),
    (None, [0.0], "lr must be"),
    (None, [float("inf")], "lr must be"),
    (None, [1e9], "lr must be"),
    (["sgd", "adam", "momentum"], [0.1, 1.0], f"at most {MAX_RACERS} racers"),
])
def test_racer_configs_refuse(optimizers, lrs, words):
    with pytest.raises(ConfigError, match=words):
        racer_configs(PRESETS["xor"], optimizers, lrs)


def test_race_refuses_racers_that_differ_in_more_than_live_settings():
    xor = PRESETS["xor"]
    with pytest.raises(ConfigError, match="racer 2 differs from racer 1 in seed"):
        Race([xor, xor.replace(seed=3)])
    with pytest.raises(ConfigError, match="is the same as another"):
        Race([xor, xor.replace(lr=0.5), xor.replace(lr=0.5)])
    with pytest.raises(ConfigError, match="1 to 4 racers"):
        Race([])
    with pytest.raises(ConfigError, match="1 to 4 racers"):
        Race([xor.replace(lr=v) for v in (0.1, 0.2, 0.3, 0.4, 0.5)])
    with pytest.raises(ConfigError, match="too large to race"):
        Race([xor.replace(hidden=(2000, 2000))] * 1)
    race = Race([xor])
    for bad in (-1, 1.5, float("nan"), float("inf"), "10", None, True):
        with pytest.raises(ConfigError, match="whole number >= 0"):
            race.advance(bad)
    for bad in (2, 102, 10.0, float("nan"), "41"):
        with pytest.raises(ConfigError, match="resolution"):
            race.landscape(race.plane(), bad)
    with pytest.raises(ConfigError, match="a racer is a TrainingConfig, got str"):
        Race(["xor"])
    with pytest.raises(ConfigError, match="a racer is a TrainingConfig, got dict"):
        Race([xor, {"lr": 1}])


def test_pca_plane_is_the_svd_of_the_paths():
    race = Race(racer_configs(PRESETS["spiral"], ["sgd", "momentum", "adam"]))
    race.advance(600)
    plane = race.plane()
    # the same displacements, stacked here: every recorded point and the racers' current ones
    thetas = [p for r in race.racers for p in r.path] + [r.theta() for r in race.racers]
    D = np.array(thetas) - race.origin
    _, s, vt = np.linalg.svd(D, full_matrices=False)
    assert abs(plane.d1 @ vt[0]) == pytest.approx(1.0, abs=1e-9)
    assert abs(plane.d2 @ vt[1]) == pytest.approx(1.0, abs=1e-9)
    assert plane.d1 @ plane.d2 == pytest.approx(0.0, abs=1e-12)
    assert plane.share == pytest.approx((s[0] ** 2 + s[1] ** 2) / np.sum(s**2))
    uv = plane.coords(np.array(thetas))
    assert np.allclose(uv, D @ np.column_stack([plane.d1, plane.d2]))
    assert uv[:, 0].sum() >= 0 and uv[:, 1].sum() >= 0  # the sign convention
    assert np.allclose(plane.coords(race.origin), 0.0)


def test_pca_plane_of_known_directions_and_of_a_line():
    rng = np.random.default_rng(1)
    origin = rng.normal(size=10)
    e1, e2 = np.linalg.qr(rng.normal(size=(10, 2)))[0].T
    points = origin + np.outer(rng.normal(scale=5, size=50), e1) + np.outer(
        rng.normal(scale=1, size=50), e2)
    plane = pca_plane(origin, points)
    for d in (plane.d1, plane.d2):  # in the points' plane; the longer spread first
        assert (d @ e1) ** 2 + (d @ e2) ** 2 == pytest.approx(1.0)
    assert abs(plane.d1 @ e1) > 0.99 and abs(plane.d2 @ e2) > 0.99
    assert plane.share == pytest.approx(1.0)
    line = pca_plane(origin, origin + np.outer([1.0, 2.0, -0.5], e1))
    assert abs(line.d1 @ e1) == pytest.approx(1.0)
    assert line.d1 @ line.d2 == pytest.approx(0.0, abs=1e-12)
    assert np.linalg.norm(line.d2) == pytest.approx(1.0)
    assert "on a line" in line.note
    still = pca_plane(origin, np.array([origin]))
    assert "not moved" in still.note and np.linalg.norm(still.d1) == pytest.approx(1.0)


def test_landscape_is_the_loss_on_the_plane():
    race = Race(racer_configs(PRESETS["xor"], ["sgd", "adam"]))
    race.advance(300)
    plane = race.plane()
    land = race.landscape(plane, resolution=5)
    assert land.loss.shape == (5, 5) and land.loss.dtype == np.float64
    exp = race.racers[0].exp
    net = build(PRESETS["xor"]).net.copy()
    shapes = [p.shape for p in net.get_params()]
    for iv, iu in ((0, 0), (2, 3), (4, 4)):
        theta = plane.origin + land.us[iu] * plane.d1 + land.vs[iv] * plane.d2
        bounds = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
        net.set_params([theta[bounds[k]:bounds[k + 1]].reshape(s) for k, s in
                        enumerate(shapes)])
        expected = net.loss(exp.trainer.X, exp.trainer.Y, exp.trainer.loss_fn.name)
        assert land.loss[iv, iu] == pytest.approx(expected, rel=1e-12)
    # every path point lies inside the grid
    for r in race.view(plane).racers:
        assert land.us[0] <= r.path[:, 0].min() and r.path[:, 0].max() <= land.us[-1]
        assert land.vs[0] <= r.path[:, 1].min() and r.path[:, 1].max() <= land.vs[-1]


def test_parameter_plane_matches_the_inspector_landscape():
    race = Race(racer_configs(PRESETS["xor"], ["sgd", "adam"]))
    race.advance(200)
    a, b = ParamRef(0, "W", (0, 1)), ParamRef(1, "b", (0,))
    plane = race.plane((a, b))
    assert plane.labels == (a.label, b.label)
    start = race.racers[0].path[0]
    ia, ib = a.flat_index(race.sizes), b.flat_index(race.sizes)
    assert plane.coords(start)[0] == pytest.approx([start[ia], start[ib]])
    now = race.racers[1].theta()
    assert plane.coords(now)[0] == pytest.approx([now[ia], now[ib]])
    # the inspector's window around the start, all others held there: the same numbers
    exp = build(PRESETS["xor"])
    inspector = loss_landscape(exp.net.get_params(), exp.net.sizes, exp.net.activation_names,
                               exp.trainer.X, exp.trainer.Y, exp.trainer.loss_fn.name, a, b,
                               span=1.0, resolution=3)
    mine = plane_loss(plane.origin, plane.d1, plane.d2, [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0],
                      exp.net.sizes, exp.net.activation_names, exp.trainer.X, exp.trainer.Y,
                      exp.trainer.loss_fn.name)
    assert np.allclose(mine, inspector.loss, rtol=1e-12, atol=0)
    land = race.landscape(plane, resolution=5)
    assert land.us[0] <= min(start[ia], now[ia]) and max(start[ia], now[ia]) <= land.us[-1]
    with pytest.raises(ConfigError, match="two different"):
        race.plane((a, a))


def test_a_diverging_racer_stops_alone():
    race = Race(racer_configs(DIVERGING, None, [0.01, 10.0]))
    race.advance(200)
    calm, wild = race.racers
    assert calm.divergence is None and calm.trainer.step_count == 200
    assert wild.divergence is not None and wild.trainer.step_count < 200
    assert race.step == 200 and race.going == [calm]
    assert_same_run(calm, 200)
    assert all(np.isfinite(p).all() for p in wild.path)
    assert wild.path_steps[-1] == wild.trainer.step_count
    plane = race.plane()
    view = race.view(plane, race.landscape(plane, resolution=5), final=True)
    assert view.racers[1].divergence.startswith("training diverged at step")
    assert view.racers[0].divergence is None
    # the grid fits the racer still going
    land = view.landscape
    assert land.us[0] <= view.racers[0].path[:, 0].min()
    assert view.racers[0].path[:, 0].max() <= land.us[-1]
    # racing on does nothing for the diverged one
    race.advance(50)
    assert race.step == 250 and wild.trainer.step_count < 200


def test_every_racer_diverged_ends_the_race():
    race = Race(racer_configs(DIVERGING, None, [10.0, 100.0]))
    assert race.advance(500) < 500
    assert not race.going
    plane = race.plane()  # fitted on every racer's finite points
    assert np.isfinite(plane.d1).all() and 0 <= plane.share <= 1
    assert race.landscape(plane, 3).loss.shape == (3, 3)  # (inf where the loss overflows)


def test_paths_stay_bounded():
    race = Race(racer_configs(PRESETS["xor"], ["sgd", "adam"]), max_points=16)
    race.advance(1000)
    for r in race.racers:
        assert len(r.path) <= 17 and len(r.path) == len(r.path_steps)
        assert r.path_steps[0] == 0 and np.array_equal(r.path[0], race.origin)
        assert all(s % race.every == 0 for s in r.path_steps)
        assert r.path_steps == sorted(set(r.path_steps))
    view = race.view(race.plane())
    assert all(len(r.path) <= 18 for r in view.racers)
    assert all(len(r.curve["step"]) <= 400 for r in view.racers)


def test_coarsen_merges_buckets():
    curve = {"step": np.arange(1, 11), "mean": np.arange(10.0), "min": np.arange(10.0) - 1,
             "max": np.arange(10.0) + 1}
    c = coarsen(curve, 4)
    assert list(c["step"]) == [1, 4, 7, 10]
    assert list(c["mean"]) == [1.0, 4.0, 7.0, 9.0]
    assert list(c["min"]) == [-1.0, 2.0, 5.0, 8.0]
    assert list(c["max"]) == [3.0, 6.0, 9.0, 10.0]
    assert coarsen(curve, 10) is curve


def test_param_plane_refuses_a_pair_of_one_and_parameters_of_another_network():
    with pytest.raises(ConfigError, match="two different"):
        param_plane(np.zeros(9), (2, 2, 1), ParamRef(0, "W", (0, 0)), ParamRef(0, "W", (0, 0)))
    with pytest.raises(ConfigError, match="W1 is 2 x 2"):
        param_plane(np.zeros(9), (2, 2, 1), ParamRef(0, "W", (0, 5)), ParamRef(0, "W", (0, 0)))
    with pytest.raises(ConfigError, match="layers 1 to 2"):
        param_plane(np.zeros(9), (2, 2, 1), ParamRef(0, "W", (0, 0)), ParamRef(4, "b", (0,)))


def test_param_ref_parse_reads_labels():
    sizes = (2, 16, 16, 1)
    for ref in (ParamRef(0, "W", (1, 15)), ParamRef(2, "b", (0,)), ParamRef(1, "W", (3, 4))):
        assert ParamRef.parse(ref.label, sizes) == ref
    assert ParamRef.parse("W2[1,3]", sizes).flat_index(sizes) == 2 * 16 + 16 + 2
    for bad in ("W4[1,1]", "b1[1,1]", "x", "W1[3,1]", "W0[1,1]", "", "W1[1,-1]"):
        with pytest.raises(ConfigError):
            ParamRef.parse(bad, sizes)


def test_row_parts_run_under_the_callers_error_state():
    """A diverged racer's final metrics on 8,000 rows are computed in parts on pool threads:
    the caller's ``np.errstate`` holds there too (numpy's error state is per thread)."""
    from nnviz.engine.parallel import run_parts

    parts = [slice(0, 1), slice(1, 2), slice(2, 3)]
    with np.errstate(over="ignore"):
        assert run_parts(lambda i, p: np.geterr()["over"], parts) == ["ignore"] * 3
    with np.errstate(over="raise"):
        assert run_parts(lambda i, p: np.geterr()["over"], parts) == ["raise"] * 3


@pytest.mark.parametrize("shape", [(40, 7), (7, 40), (5, 5)])
def test_top_directions_are_the_svds(shape):
    from nnviz.race import top_directions

    D = np.random.default_rng(sum(shape)).normal(size=shape) * 1e3
    s, vt, total = top_directions(D)
    _, s_ref, vt_ref = np.linalg.svd(D, full_matrices=False)
    scale = np.abs(D).max()
    assert s * scale == pytest.approx(s_ref[:2], rel=1e-9)
    assert total * scale**2 == pytest.approx(np.sum(s_ref**2), rel=1e-12)
    for v, ref in zip(vt, vt_ref):
        assert abs(v @ ref) == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(optimizers=st.one_of(st.none(), st.lists(st.one_of(st.sampled_from(
           ["sgd", "momentum", "adam"]), st.text(max_size=5), st.integers()), max_size=5)),
       lrs=st.one_of(st.none(), st.lists(st.one_of(
           st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5), st.text(
               max_size=3)), max_size=5)))
def test_any_racer_choice_builds_or_is_one_config_error(optimizers, lrs):
    try:
        configs = racer_configs(PRESETS["xor"], optimizers, lrs)
    except ConfigError as exc:
        assert "\n" not in str(exc)
        return
    assert 1 <= len(configs) <= MAX_RACERS
    for c in configs:
        c.validate()


def test_a_landscape_can_be_cancelled_between_rows():
    from nnviz.landscape import Cancelled

    race = Race(racer_configs(PRESETS["xor"], ["sgd", "adam"]))
    race.advance(20)
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled):
        race.landscape(race.plane(), 9, cancelled)
    assert len(asked) == 4  # three rows computed, the fourth not begun
    assert race.landscape(race.plane(), 9, lambda: False).loss.shape == (9, 9)
