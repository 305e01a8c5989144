"""Input files a careless or hostile user hands nnviz (issue 14 items 10, 12, 14, 16, 17):
FIFOs and endless devices, CSV fields the csv module chokes on, numbers too large to scale,
huge quoted values, ambiguous delimiters. Each is refused with one line, quickly.
"""

import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from nnviz.data import load_csv, prepare
from nnviz.data.prepare import MAX_ABS_VALUE
from nnviz.errors import DataError, SessionFileError
from nnviz.inputfile import NotRegularFile, open_regular, read_capped
from nnviz.session import load_session, load_weights, session_info

ROOT = Path(__file__).resolve().parents[1]
#: seconds a refusal may take before the test calls it a hang (generous: 2 shared cores)
HANG = 60
posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev need POSIX")


def nnviz(*argv):
    """(exit code, stdout, stderr) of ``python -m nnviz ARGV``; a hang fails the test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    p = subprocess.run([sys.executable, "-m", "nnviz", *argv], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=HANG)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


# ---------------------------------------------------------------------------- 10: special files
@posix
@pytest.mark.parametrize("command", [("train", "--data"), ("info",), ("--open",)])
def test_fifo_is_refused_not_waited_on(fifo, command):
    code, out, err = nnviz(*command, str(fifo))
    assert code == 2 and out == ""
    assert err == f"nnviz: {fifo}: is a FIFO (named pipe), not a regular file\n"


@posix
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", [("train", "--data"), ("info",)])
def test_endless_devices_are_refused(device, command):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    code, out, err = nnviz(*command, device)
    assert code == 2 and out == ""
    assert err == f"nnviz: {device}: is a character device, not a regular file\n"


@posix
def test_library_calls_refuse_special_files(fifo, tmp_path):
    for call in (load_csv, load_session, session_info, load_weights):
        with pytest.raises((DataError, SessionFileError), match="FIFO"):
            call(fifo)
    with pytest.raises(DataError, match="is a folder, not a regular file"):
        load_csv(tmp_path)
    with pytest.raises(NotRegularFile):
        open_regular("/dev/zero")


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_file_larger_than_its_size_says_is_read_only_to_the_cap():
    """A /proc file reports size 0 (like the endless devices) but has content: the cap holds."""
    assert os.stat("/proc/self/maps").st_size == 0
    assert stat.S_ISREG(os.stat("/proc/self/maps").st_mode)
    assert len(read_capped("/proc/self/maps", 100)) == 101
    with pytest.raises(DataError, match="over the limit of 100 bytes"):
        load_csv("/proc/self/maps", max_bytes=100)


def test_csv_over_the_cap_names_the_cli_flag(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,y\n" + "1.5,2\n2.5,3\n" * 100_000)  # 1.1 MB
    code, out, err = nnviz("train", "--data", str(path), "--max-csv-mb", "1", "--steps", "1")
    assert code == 2 and err.count("\n") == 1
    assert "over the limit of 1 MB (raise it with --max-csv-mb)" in err
    code, out, err = nnviz("train", "--data", str(path), "--max-csv-mb", "2", "--steps", "1")
    assert code == 0, err


# ---------------------------------------------------------------------------- 12: csv module
def test_field_over_the_csv_limit_is_one_line_with_its_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,y\n1,2,3\n1," + "9" * 200_000 + ",3\n")
    with pytest.raises(DataError) as info:
        load_csv(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: line 3: a field longer than 131,072 characters")
    assert len(msg) < 300


def test_bare_cr_in_binary_junk_is_one_line(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(b"a,b,y\n1,2,3\n4,5,6\n\x01\x02\r\x03\xff\xfe,1,2\n")
    with pytest.raises(DataError) as info:
        load_csv(path)
    assert str(info.value).startswith(f"{path}: line 4: not UTF-8 text")
    code, _, err = nnviz("train", "--data", str(path))
    assert code == 2 and err.count("\n") == 1 and "line 4" in err


def test_csv_module_errors_never_escape(tmp_path):
    """Random short texts of CSV punctuation, CRs and junk: load_csv returns or says DataError."""
    rng = np.random.default_rng(0)
    alphabet = list('0123456789.,;|\t\r\n"e- ab\x01\x1c\x85\u2028')
    path = tmp_path / "fuzz.csv"
    for i in range(400):
        body = "".join(rng.choice(alphabet, int(rng.integers(1, 60))))
        path.write_text(body if i % 2 else "a,b,y\n1,2,3\n" + body, encoding="utf-8",
                        newline="")
        try:
            load_csv(path)
        except DataError as exc:
            assert "\n" not in str(exc)


# ---------------------------------------------------------------------------- 14: huge values
@pytest.mark.parametrize("column", ["feature", "target"])
def test_values_too_large_to_scale_are_refused_with_the_reason(tmp_path, column):
    path = tmp_path / "huge.csv"
    rows = [(3e200 * (-1) ** i, i % 2) if column == "feature"
            else (i, 3e200 * (i + 1) * (-1) ** i) for i in range(40)]
    path.write_text("a,y\n" + "".join(f"{a!r},{y!r}\n" for a, y in rows))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        ds = load_csv(path)
        with pytest.raises(DataError) as info:
            prepare(ds)
    name = "a" if column == "feature" else "y"
    assert str(info.value) == (
        f"{path}: column {name!r}, data row 1: 3e+200 is too large (over 1e+150 in size it "
        "overflows when scaled or squared): use other units")
    code, out, err = nnviz("train", "--data", str(path), "--steps", "5")
    assert code == 2 and err.count("\n") == 1 and "too large" in err
    assert "Warning" not in err and "diverged" not in err


def test_values_at_the_limit_scale_and_train(tmp_path):
    path = tmp_path / "big.csv"
    xs = np.linspace(-MAX_ABS_VALUE, MAX_ABS_VALUE, 40)
    path.write_text("a,y\n" + "".join(f"{float(x)!r},{int(x > 0)}\n" for x in xs))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = prepare(load_csv(path))
    assert np.isfinite(p.X_train).all() and abs(p.X_train).max() < 2
    code, out, err = nnviz("train", "--data", str(path), "--steps", "50")
    assert code == 0 and "Warning" not in err


# ---------------------------------------------------------------------------- 16: long messages
def test_quoted_values_and_column_lists_are_clipped(tmp_path):
    wide = tmp_path / "wide.csv"
    names = [f"column_{i}" for i in range(5000)]
    wide.write_text(",".join(names) + "\n" + ",".join("1" for _ in range(4999)) + "\n")
    with pytest.raises(DataError) as info:
        load_csv(wide)
    msg = str(info.value)
    assert "short row: 4999 fields, expected 5000" in msg and "(5000 columns)" in msg
    assert len(msg) < 400
    with pytest.raises(DataError) as info:
        load_csv(wide, target="zzz")
    assert "no column named 'zzz'" in str(info.value) and len(str(info.value)) < 400

    digits = tmp_path / "digits.csv"
    digits.write_text("a,y\n" + "1" * 100_000 + "x,1\n")
    with pytest.raises(DataError) as info:
        load_csv(digits)
    msg = str(info.value)
    assert "not a number" in msg and "(100001 characters)" in msg and len(msg) < 300
    code, _, err = nnviz("train", "--data", str(digits))
    assert code == 2 and err.count("\n") == 1 and len(err) < 300


# ---------------------------------------------------------------------------- 17: delimiter
def test_ambiguous_delimiter_is_refused_not_guessed(tmp_path):
    path = tmp_path / "amb.csv"
    path.write_text("a,b;y\n1,2;3\n4,5;6\n")
    with pytest.raises(DataError) as info:
        load_csv(path)
    assert str(info.value) == (
        f"{path}: cannot tell the delimiter: ',' (2 columns) and ';' (2 columns) both split "
        "every line evenly; give the delimiter")
    with pytest.raises(DataError, match="decimal comma"):  # the choice is the caller's now
        load_csv(path, delimiter=";")
    code, _, err = nnviz("train", "--data", str(path), "--delimiter", ";", "--steps", "1")
    assert code == 2 and "decimal comma" in err  # ';' read: '1,2' is then not a number


def test_plain_files_still_sniff(tmp_path):
    for text, delim in (("x,y\n1,2\n3,4\n", ","), ("x;y\n1.5;2\n3;4\n", ";"),
                        ("x\ty\n1\t2\n", "\t"), ("x|label\n1|a;b\n2|c;d\n", "|")):
        path = tmp_path / "ok.csv"
        path.write_text(text)
        assert load_csv(path, task="regression" if delim != "|" else None).n_samples >= 1


# ---------------------------------------------------------------------------- memory
def test_loading_a_csv_allocates_a_few_times_its_size(tmp_path):
    """Peak Python allocation while loading (tracemalloc): the bytes, the text and the values,
    not a 4-byte-a-character copy of the text, one string per cell, or a buffer of the whole
    size limit (together 17x the file before)."""
    import tracemalloc

    path = tmp_path / "mid.csv"
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(40_000, 4))
    path.write_text("a,b,c,d,y\n" + "".join(
        f"{a:.10f},{b:.10f},{c:.10f},{d:.10f},{int(a > b)}\n" for a, b, c, d in rows))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        ds = load_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ds.X.shape == (40_000, 4)
    assert peak < 6 * size, f"peak {peak / size:.1f}x the file's size"
