"""Session files written by an earlier nnviz (tests/data/sessions, from main as of the state
dict rework) still load, save back to the same state, and continue training."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnviz.session import load_session, save_session

DATA = Path(__file__).parent / "data" / "sessions"
EXPECTED = json.loads((DATA / "expected.json").read_text())
#: manifest entries that may differ on saving again: when, by which version, and the
#: configuration block (its own round trip is tested with the configuration table)
VOLATILE = ("saved_at", "nnviz", "config")
#: blocks (and their arrays) added since: an old file saves back with them, empty
ADDED = ("distributions",)


def members(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        arrays = {name: np.load(io.BytesIO(zf.read(name)), allow_pickle=False)
                  for name in zf.namelist() if name.endswith(".npy")}
    for key in VOLATILE:
        manifest.pop(key)
    for key in ADDED:
        manifest.pop(key, None)
        arrays = {k: v for k, v in arrays.items() if not k.startswith(f"{key}/")}
    return manifest, arrays


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_old_file_saves_back_to_the_same_state(tmp_path, name):
    exp, _ = load_session(DATA / f"{name}.nnviz")
    save_session(tmp_path / "again.nnviz", exp)
    old_manifest, old_arrays = members(DATA / f"{name}.nnviz")
    new_manifest, new_arrays = members(tmp_path / "again.nnviz")
    assert new_manifest == old_manifest
    assert new_arrays.keys() == old_arrays.keys()
    for key, old in old_arrays.items():
        assert new_arrays[key].dtype == old.dtype, key
        np.testing.assert_array_equal(new_arrays[key], old, err_msg=key)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_old_file_continues_where_it_was_saved(name):
    """The next losses as the saving version computed them (to rounding: the maths may be
    regrouped; a misread optimiser, sampler or generator state gives other numbers)."""
    exp, _ = load_session(DATA / f"{name}.nnviz")
    got = [exp.trainer.step() for _ in range(len(EXPECTED[name]))]
    np.testing.assert_allclose(got, EXPECTED[name], rtol=1e-9)
