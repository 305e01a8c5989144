"""Bad session files are refused with SessionFileError; saves survive kills and full disks."""

import errno
import io
import json
import os
import random
import re
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.errors import SessionFileError
from nnviz.experiment import PRESETS, TrainingConfig, build
from nnviz.session import atomic as atomic_mod
from nnviz.session import format as format_mod
from nnviz.session import load_session, load_weights, save_session, session_info

FUZZ = settings(max_examples=int(os.environ.get("NNVIZ_FUZZ_EXAMPLES", 150)), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("valid") / "s.nnviz"
    exp = build(PRESETS["single-neuron"])
    exp.trainer.run(250)
    save_session(path, exp, pinned=[{"label": "x", "loss": np.arange(3.0)}])
    return path.read_bytes()


@pytest.fixture(scope="module")
def rich_bytes(tmp_path_factory):
    """Imported data, two hidden layers, Adam, shuffled order: the other code paths."""
    folder = tmp_path_factory.mktemp("rich")
    csv = folder / "d.csv"
    rows = np.random.default_rng(0).normal(size=(40, 3))
    csv.write_text("a,b,label\n" + "".join(
        f"{a:.3f},{b:.3f},{'ab'[int(c > 0)]}\n" for a, b, c in rows))
    config = TrainingConfig(dataset="csv", csv_path=str(csv), hidden=(3, 2), optimizer="adam",
                            lr=0.01, batch_size=6, order="shuffle")
    exp = build(config)
    exp.trainer.run(77)
    save_session(folder / "s.nnviz", exp)
    return (folder / "s.nnviz").read_bytes()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def with_manifest(data: bytes, change) -> bytes:
    parts = members(data)
    manifest = json.loads(parts["manifest.json"])
    change(manifest)
    parts["manifest.json"] = json.dumps(manifest).encode()
    return rezip(parts)


def refused(tmp_path, data: bytes, match: str | None = None) -> SessionFileError:
    path = tmp_path / "bad.nnviz"
    path.write_bytes(data)
    with pytest.raises(SessionFileError) as info:
        load_session(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(path))
    if match:
        assert match in msg, msg
    return info.value


class Boom:
    """Unpickling this creates a marker file: proof that code ran."""

    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_valid_files_load(tmp_path, valid_bytes, rich_bytes):
    path = tmp_path / "ok.nnviz"
    path.write_bytes(valid_bytes)
    exp, pinned = load_session(path)
    assert exp.trainer.step_count == 250 and pinned[0]["label"] == "x"
    path.write_bytes(rich_bytes)
    exp, pinned = load_session(path)
    assert exp.trainer.step_count == 77 and exp.dataset.class_names == ("a", "b")


def test_pickled_object_array_is_refused_without_running(tmp_path, valid_bytes):
    marker = tmp_path / "pwned"
    Boom.marker = str(marker)
    bio = io.BytesIO()
    np.save(bio, np.array([Boom()], dtype=object), allow_pickle=True)
    for member in ("network/w0.npy", "pinned/p0_1.npy"):
        parts = members(valid_bytes)
        parts[member] = bio.getvalue()
        refused(tmp_path, rezip(parts), "forbidden dtype")
    assert not marker.exists()


@pytest.mark.parametrize("name", ["../evil.npy", "/etc/evil.npy", "network/../../x.npy",
                                  "network\\w0.npy", "Network/W0.npy", "evil.py", "a/"])
def test_unexpected_member_names_are_refused(tmp_path, valid_bytes, name):
    parts = members(valid_bytes)
    parts[name] = b"x"
    refused(tmp_path, rezip(parts), "unexpected member name")
    assert not (tmp_path.parent / "evil.npy").exists()


def absurd_npy(shape, descr="<f8", payload=b"\0" * 16) -> bytes:
    bio = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        bio, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return bio.getvalue() + payload


@pytest.mark.parametrize("shape", [(10**12,), (10**6, 10**6), (2**62, 4), (1, 2)])
def test_absurd_shapes_are_refused_before_allocating(tmp_path, valid_bytes, shape):
    parts = members(valid_bytes)
    parts["network/w0.npy"] = absurd_npy(shape)
    parts["history/step_loss_pending.npy"] = absurd_npy(shape)
    tracemalloc.start()
    try:
        refused(tmp_path, rezip(parts))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20


def test_declared_member_size_is_checked_before_reading(tmp_path, valid_bytes):
    data = bytearray(valid_bytes)
    # the central directory entry of the manifest: claim 4 GB uncompressed
    at = data.index(b"PK\x01\x02")
    while True:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len] == b"manifest.json":
            break
        at = data.index(b"PK\x01\x02", at + 4)
    data[at + 24 : at + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    refused(tmp_path, bytes(data), "too large")


@pytest.mark.parametrize("field,value", [
    ("activation", "os.system"), ("activations", ["os.system"]), ("optimizer", "__import__"),
    ("loss", "eval"), ("dataset", "os"), ("init", "subprocess.call"), ("order", "exec"),
    ("hidden", [4096] * 60), ("hidden", ["4"]), ("lr", "0.1"), ("lr", -1), ("evil", 1),
    ("dataset_params", {"grid": "os"}), ("dtype", "object"),
])
def test_bad_configuration_is_refused(tmp_path, valid_bytes, field, value):
    data = with_manifest(valid_bytes, lambda m: m["config"].__setitem__(field, value))
    tracemalloc.start()
    try:
        refused(tmp_path, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


@pytest.mark.parametrize("change,match", [
    (lambda m: m.__setitem__("format", "other"), "not an nnviz session"),
    (lambda m: m.__setitem__("version", 99), "newer"),
    (lambda m: m["optimizer"].__setitem__("name", "os.system"), "optimizer"),
    (lambda m: m["optimizer"]["settings"].__setitem__("__class__", 1), "settings"),
    (lambda m: m["rng"].__setitem__("kind", "os.system"), "rng"),
    (lambda m: m["rng"].__setitem__("pos", 10**9), "rng"),
    (lambda m: m["history"]["step_loss"].__setitem__("capacity", 2**40), "capacity"),
    (lambda m: m["dataset"].__setitem__("kind", "pickle"), "dataset"),
    (lambda m: m["dataset"].__setitem__("sha256", "0" * 64), "differs"),
    (lambda m: m["network"].__setitem__("activations", ["os.system"]), "activations"),
    (lambda m: m["pinned"][0]["arrays"].__setitem__(0, ["../x", 1]), "pinned"),
    (lambda m: m["pinned"][0]["values"].__setitem__("__import__('os')", 1), "pinned"),
    (lambda m: m["trainer"].__setitem__("step_count", -5), "step_count"),
    (lambda m: m.pop("trainer"), "trainer"),
])
def test_bad_manifest_values_are_refused(tmp_path, valid_bytes, change, match):
    refused(tmp_path, with_manifest(valid_bytes, change), match)


def test_nan_tokens_and_bad_json_are_refused(tmp_path, valid_bytes):
    parts = members(valid_bytes)
    text = parts["manifest.json"].decode()
    parts["manifest.json"] = re.sub(r'\{\s*"\$float": "nan"\s*\}', "NaN", text, count=1).encode()
    assert parts["manifest.json"].decode() != text
    refused(tmp_path, rezip(parts), "not valid JSON")
    parts["manifest.json"] = b"[" * 100_000
    refused(tmp_path, rezip(parts))
    parts["manifest.json"] = b"[1, 2]"
    refused(tmp_path, rezip(parts), "not a JSON object")
    del parts["manifest.json"]
    refused(tmp_path, rezip(parts), "no manifest")


def test_truncated_zips_are_refused(tmp_path, valid_bytes):
    for cut in sorted({0, 1, 4, 22, 100, *random.Random(1).sample(range(len(valid_bytes)), 30),
                       len(valid_bytes) - 1}):
        refused(tmp_path, valid_bytes[:cut])


def test_random_bytes_and_missing_files_are_refused(tmp_path):
    rng = random.Random(2)
    for n in (0, 1, 10, 1000, 100_000):
        refused(tmp_path, bytes(rng.randrange(256) for _ in range(n)))
    refused(tmp_path, b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "missing.nnviz")
    with pytest.raises(SessionFileError, match="folder"):
        load_session(tmp_path)
    with pytest.raises(SessionFileError):
        session_info(tmp_path / "missing.nnviz")


def test_duplicate_and_encrypted_members_are_refused(tmp_path, valid_bytes):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf, pytest.warns(UserWarning):
        for name, data in members(valid_bytes).items():
            zf.writestr(name, data)
        zf.writestr("network/w0.npy", members(valid_bytes)["network/w0.npy"])
    refused(tmp_path, out.getvalue(), "duplicate")
    data = bytearray(valid_bytes)
    at = data.index(b"PK\x01\x02")
    data[at + 8] |= 1  # the encrypted flag bit
    refused(tmp_path, bytes(data), "encrypted")


def test_bad_weights_files_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    Boom.marker = str(marker)
    path = tmp_path / "w.npz"
    np.savez(path, meta=np.array([Boom()], dtype=object), W0=np.zeros((2, 1)), b0=np.zeros(1))
    with pytest.raises(SessionFileError):
        load_weights(path)
    np.savez(path, meta=np.array(['{"format": "nnviz-weights", "sizes": [2, 1], '
                                  '"activations": ["os.system"], "dtype": "float64"}']),
             W0=np.zeros((2, 1)), b0=np.zeros(1))
    with pytest.raises(SessionFileError, match="activations"):
        load_weights(path)
    path.write_bytes(b"not a zip")
    with pytest.raises(SessionFileError):
        load_weights(path)
    assert not marker.exists()


@FUZZ
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                      min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.floats(0, 1)))
def test_fuzz_byte_mutations(tmp_path, valid_bytes, edits, cut):
    data = bytearray(valid_bytes)
    for where, byte in edits:
        data[int(where * len(data))] = byte
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = tmp_path / "fuzz.nnviz"
    path.write_bytes(bytes(data))
    try:
        load_session(path)
    except SessionFileError as exc:
        assert "\n" not in str(exc)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=10,
)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


@FUZZ
@given(data=st.data())
def test_fuzz_manifest_values(tmp_path, valid_bytes, rich_bytes, data):
    valid_bytes = data.draw(st.sampled_from([valid_bytes, rich_bytes]))
    manifest = json.loads(members(valid_bytes)["manifest.json"])
    paths = [p for p in _paths(manifest) if p]
    path = data.draw(st.sampled_from(paths))
    value = data.draw(JSON)

    def change(m):
        node = m
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = format_mod.to_json_value(value)

    target = tmp_path / "fuzz.nnviz"
    target.write_bytes(with_manifest(valid_bytes, change))
    try:
        load_session(target)
    except SessionFileError as exc:
        assert "\n" not in str(exc)


# ---------------------------------------------------------------------------- saving
def tmp_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(atomic_mod.TMP_SUFFIX))


@pytest.mark.parametrize("where", ["replace", "write", "fsync"])
def test_disk_full_leaves_previous_file(tmp_path, monkeypatch, where):
    path = tmp_path / "s.nnviz"
    exp = build(PRESETS["xor"])
    save_session(path, exp)
    before = path.read_bytes()
    exp.trainer.run(20)

    def no_space(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if where == "replace":
        monkeypatch.setattr(atomic_mod.os, "replace", no_space)
    elif where == "fsync":
        monkeypatch.setattr(atomic_mod.os, "fsync", no_space)
    else:
        monkeypatch.setattr("nnviz.session.files.write_archive", no_space)
    with pytest.raises(SessionFileError, match="No space left on device") as info:
        save_session(path, exp)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before
    assert tmp_files(tmp_path) == []


def test_read_only_folder_message(tmp_path, monkeypatch):
    def read_only(*a, **k):
        raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("builtins.open", read_only)
    with pytest.raises(SessionFileError, match="Read-only file system"):
        save_session(tmp_path / "s.nnviz", build(PRESETS["xor"]))


def test_stale_temporary_files_are_cleaned(tmp_path):
    path = tmp_path / "s.nnviz"
    dead = tmp_path / f".s.nnviz.{2**22 + 12345}.0123456789abcdef.nnviz-tmp"
    alive = tmp_path / f".s.nnviz.{os.getppid()}.0123456789abcdef.nnviz-tmp"
    other = tmp_path / ".t.nnviz.99999999.0123456789abcdef.nnviz-tmp"
    for p in (dead, alive, other):
        p.write_bytes(b"partial")
    save_session(path, build(PRESETS["xor"]))
    assert not dead.exists() and alive.exists() and other.exists()


KILLED_SAVER = textwrap.dedent("""
    import sys
    import numpy as np
    from nnviz.experiment import PRESETS, TrainingConfig, build
    from nnviz.session import save_session
    exps = []
    for steps in (10, 20):
        e = build(PRESETS["xor"])
        e.trainer.run(steps)
        exps.append(e)
    big = [{"curve": np.random.default_rng(0).normal(size=200_000)}]
    print("ready", flush=True)
    i = 0
    while True:
        save_session(sys.argv[1], exps[i % 2], pinned=big if i % 3 else None)
        i += 1
""")


def test_save_killed_at_random_moments(tmp_path):
    path = tmp_path / "s.nnviz"
    first = build(PRESETS["xor"])
    first.trainer.run(10)
    save_session(path, first)
    script = tmp_path / "saver.py"
    script.write_text(KILLED_SAVER)
    rng = random.Random(5)
    seen, leftovers = set(), []
    for _ in range(12):
        child = subprocess.Popen([sys.executable, str(script), str(path)],
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            try:
                child.wait(timeout=rng.uniform(0.0, 0.2))
            except subprocess.TimeoutExpired:
                pass
        finally:
            child.kill()
            child.wait()
            child.stdout.close()
        assert child.returncode != 0  # killed, not finished
        exp, _ = load_session(path)  # always a whole session: the old or the new
        seen.add(exp.trainer.step_count)
        assert exp.trainer.step_count in (10, 20)
        left = tmp_files(tmp_path)
        leftovers.append(len(left))
        assert len(left) <= 1  # the killed save's own temp at most
    save_session(path, first)
    assert tmp_files(tmp_path) == []
    assert any(leftovers), "no kill landed during a save: the test proved nothing"
