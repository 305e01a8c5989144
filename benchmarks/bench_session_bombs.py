"""Peak memory when opening session files that unpack to gigabytes (issue 14 item 9; not a
test). Each file is small on disk; each should be refused with one line before its data is
read, in a process whose peak stays near that of opening a small valid session.

    python benchmarks/bench_session_bombs.py [--folder DIR] [--app]

Cases (the sizes the adversarial pass used):
  valid        a small xor session (the baseline)
  wide-bucket  history bucket width 2**40 and a 1 GB pending array
  deep-pending a width the buckets can reach (2**21) and a 1 GB pending array
  pinned-24    24 pinned arrays of 80 MB each
  pinned-10M   10M pinned points in one array
  pinned-max   within the limits: three pinned curves of 2**20 points (loads, opens, draws)
Each is opened in a fresh subprocess (``load_session``; with ``--app`` also ``nnviz --open``
offscreen); the table gives its disk size, exit, peak resident memory (the child's
ru_maxrss from ``os.wait4``), wall time and the first line it printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from nnviz.experiment import PRESETS, build
from nnviz.session.format import MANIFEST, dumps
from nnviz.session.state import MAX_PIN_POINTS, capture

CHUNK = 2**20  # float64 values written at a time
PENDING = 2**27 - 64  # values: a member just under the format's 1 GiB cap


def write_bomb(path: Path, change) -> None:
    """A session of xor with ``change(manifest, arrays, zeros)``; ``zeros[name] = n`` adds a
    member of n float64 zeros, streamed (never built in memory)."""
    exp = build(PRESETS["xor"])
    exp.trainer.run(40)
    manifest, arrays = capture(exp)
    zeros: dict[str, int] = {}
    change(manifest, arrays, zeros)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(MANIFEST, dumps(manifest))
        for name, a in arrays.items():
            if name in zeros:
                continue
            with zf.open(name, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(a), allow_pickle=False)
        block = np.zeros(CHUNK).tobytes()
        for name, n in zeros.items():
            with zf.open(name, "w", force_zip64=True) as f:
                np.lib.format.write_array_header_1_0(
                    f, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
                for start in range(0, n, CHUNK):
                    f.write(block[: 8 * min(CHUNK, n - start)])


def _wide(m, a, z):
    m["history"]["step_loss"].update(width=2**40, n_buckets=0, count=0)
    z["history/step_loss_pending.npy"] = PENDING


def _deep(m, a, z):
    h = m["history"]["step_loss"]
    half = h["capacity"] // 2
    h.update(width=2**21, n_buckets=half, count=half * 2**21)
    for part in ("sum", "min", "max"):
        a[f"history/step_loss_{part}.npy"] = np.zeros(half)
    z["history/step_loss_pending.npy"] = PENDING


def _pinned(n_arrays, n_values):
    def change(m, a, z):
        m["pinned"] = [{"values": {"label": "bomb"},
                        "arrays": [[f"c{j}_x", j] for j in range(n_arrays)]}]
        for j in range(n_arrays):
            z[f"pinned/p0_{j}.npy"] = n_values
    return change


def _pinned_max(m, a, z):
    """The most a session holds that the window draws: three curves of a series' length."""
    names = [f"{c}_{xy}" for c in ("step", "train", "cumulative") for xy in "xy"]
    m["pinned"] = [{"values": {"label": "max"}, "arrays": [[n, j] for j, n in enumerate(names)]}]
    for j in range(len(names)):
        z[f"pinned/p0_{j}.npy"] = MAX_PIN_POINTS


CASES = {
    "valid": lambda m, a, z: None,
    "wide-bucket": _wide,
    "deep-pending": _deep,
    "pinned-24": _pinned(24, 10_000_000),
    "pinned-10M": _pinned(1, 10_000_000),
    "pinned-max": _pinned_max,
}

LOAD = ("import sys; from nnviz.session import load_session\n"
        "try:\n    load_session(sys.argv[1]); print('loaded')\n"
        "except Exception as e:\n    print(str(e)[:150]); sys.exit(2)\n")


def measure(argv: list[str]) -> tuple[int, float, float, str]:
    """(exit code, peak RSS in MB, seconds, first line of output) of a child process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "NNVIZ_SETTINGS": os.path.join(tempfile.mkdtemp(), "s.ini")}
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    line = (out.strip().splitlines() or [""])[0]
    return proc.returncode, usage.ru_maxrss / 1024, time.perf_counter() - t, line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", help="where the files go (default: a temporary folder)")
    ap.add_argument("--app", action="store_true", help="also open each with nnviz --open")
    args = ap.parse_args()
    folder = Path(args.folder or tempfile.mkdtemp(prefix="nnviz-bombs-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'case':13s} {'how':6s} {'file MB':>8s} {'exit':>4s} {'peak MB':>8s} "
          f"{'s':>6s}  first line")
    for name, change in CASES.items():
        path = folder / f"{name}.nnviz"
        write_bomb(path, change)
        size = path.stat().st_size / 2**20
        runs = [("load", [sys.executable, "-c", LOAD, str(path)])]
        if args.app:
            runs.append(("app", [sys.executable, "-m", "nnviz", "--open", str(path),
                                 "--train-steps", "0", "--screenshot",
                                 str(folder / f"{name}.png")]))
        for how, argv in runs:
            code, peak, secs, line = measure(argv)
            print(f"{name:13s} {how:6s} {size:8.2f} {code:4d} {peak:8.1f} {secs:6.1f}  "
                  f"{line.replace(str(folder) + os.sep, '')[:90]}")


if __name__ == "__main__":
    main()
