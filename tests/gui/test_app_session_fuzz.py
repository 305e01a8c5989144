"""Session manifests built from the declared configuration limits with values beyond every
limit (issue 14): each loads cleanly or is refused with one line, and what loads opens in the
window offscreen and trains on.

The configuration's fields come from its declared table (``nnviz.config.SETTINGS``: kind, min,
max, max_len, choices); the rest of the manifest's numbers (counters, positions, the optimiser's
step, the history's buckets, the split, pinned runs) are taken from a real file's leaves.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.errors import SessionFileError
from nnviz.experiment import PRESETS, build
from nnviz.session import load_session
from nnviz.session.format import write_archive
from nnviz.session.state import capture

try:
    from nnviz.config import SETTINGS
except ImportError:  # pragma: no cover - before the table existed
    SETTINGS = {}


def beyond(setting) -> list:
    """Values just and far beyond a declared setting's limits, and of every wrong kind."""
    out = [None, True, -1, 0, 2**31, 2**62, 2**64, -(2**63), 3_000_000_000, math.nan,
           math.inf, -math.inf, 1e308, -1e308, 5e-324, "", "x" * 100_000, [], [0] * 10_000,
           {}, {"a": 1}]
    lo, hi = getattr(setting, "min", None), getattr(setting, "max", None)
    if hi is not None:
        out += [hi + 1, hi * 10, hi + 0.5, float(hi) * 1e6]
    if lo is not None:
        out += [lo - 1, lo - 0.5, -abs(lo) * 1e6 - 1]
    n = getattr(setting, "max_len", 0) or 0
    if n:
        out += ["y" * (n + 1), [1] * (n + 1), ["tanh"] * (n + 1)]
    for c in getattr(setting, "choices", ()) or ():
        out += [c.upper(), c + " "]
    return out


@pytest.fixture(scope="module")
def base():
    exp = build(PRESETS["xor"])
    exp.trainer.run(60)
    pinned = [{"label": "p", "step_x": np.arange(4.0), "step_y": np.ones(4)}]
    return capture(exp, pinned)


def leaves(d, path=()):
    """(path, value) of every number, text and list in a manifest (the summary aside)."""
    if isinstance(d, dict):
        for k, v in d.items():
            if path == () and k in ("summary", "format", "version"):
                continue
            yield from leaves(v, (*path, k))
    elif isinstance(d, list):
        yield path, d
        for i, v in enumerate(d[:4]):
            yield from leaves(v, (*path, i))
    else:
        yield path, d


def set_at(m, path, value):
    for k in path[:-1]:
        m = m[k]
    m[path[-1]] = value


CONFIG_FIELDS = sorted(SETTINGS) or sorted(build(PRESETS["xor"]).config.to_dict())


@st.composite
def hostile(draw, base):
    manifest, _ = base
    if draw(st.booleans()):
        name = draw(st.sampled_from(CONFIG_FIELDS))
        path, setting = ("config", name), SETTINGS.get(name)
    else:
        paths = [p for p, _ in leaves(manifest) if p and p[0] != "config"]
        path, setting = draw(st.sampled_from(paths)), None
    value = draw(st.sampled_from(beyond(setting)))
    return path, value


def copy_manifest(m):
    import copy

    return copy.deepcopy(m)


def test_the_largest_declared_values_round_trip_or_refuse(base, tmp_path):
    """Every limit itself: a file holding it loads or is refused with one line."""
    manifest, arrays = base
    for name, s in SETTINGS.items():
        for v in (getattr(s, "max", None), getattr(s, "min", None)):
            if v is None:
                continue
            m = copy_manifest(manifest)
            m["config"][name] = v
            try_load(tmp_path / "limit.nnviz", m, arrays)


def try_load(path, manifest, arrays):
    with open(path, "wb") as f:
        write_archive(f, manifest, arrays)
    try:
        return load_session(path)
    except SessionFileError as exc:
        msg = str(exc)
        assert "\n" not in msg and len(msg) <= 400 and msg.startswith(str(path)), msg
        return None


@pytest.fixture
def one_window(make_window):
    """The window the loaded files open in, made at the first (one for all examples)."""
    made = []
    return lambda: made[0] if made else made.append(make_window("xor")) or made[0]


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_values_beyond_every_limit_load_cleanly_or_are_refused(one_window, qtbot, tmp_path,
                                                                 base, data):
    path, value = data.draw(hostile(base))
    manifest = copy_manifest(base[0])
    set_at(manifest, path, value)
    loaded = try_load(tmp_path / "fuzz.nnviz", manifest, base[1])
    if loaded is None:
        return
    w = one_window()
    try:
        w.sessions.adopt_session(*loaded)
    except SessionFileError as exc:  # a pinned curve the window cannot draw: one line
        assert "\n" not in str(exc)
        return
    step = w.controller.snapshot.step
    w.controller.run_steps(3)
    qtbot.waitUntil(lambda: w.controller.worker.idle.is_set(), timeout=20000)
    w.dispatcher.flush()
    assert w.controller.snapshot.step >= step
    assert all("\n" not in text for _, text, _ in w.errors), (path, value, w.errors)
