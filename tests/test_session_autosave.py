"""Autosave slots: one locked file per running instance (issue 14 item 2), checked across
real processes: a live instance's file is never listed, a killed one's is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from nnviz.experiment import PRESETS, build
from nnviz.session import AutosaveSlot, claim_entry, recovery_list

CHILD = """
import sys
from nnviz.experiment import PRESETS, build
from nnviz.session import AutosaveSlot
exp = build(PRESETS["xor"]); exp.trainer.run(7)
slot = AutosaveSlot(sys.argv[1]); slot.save(exp)
print(slot.path, flush=True)
sys.stdin.read()  # alive until told
"""


def test_a_live_process_file_is_not_listed_and_a_killed_ones_is(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             cwd=os.getcwd())
    try:
        path = child.stdout.readline().strip()
        assert path and os.path.exists(path)
        assert recovery_list(tmp_path) == []  # alive: its file is its own
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    (entry,) = recovery_list(tmp_path)  # killed: left behind, to recover
    assert str(entry.path) == path and entry.info["steps"] == 7


def test_two_slots_in_one_process_and_claims(tmp_path):
    exp = build(PRESETS["xor"])
    a, b = AutosaveSlot(tmp_path), AutosaveSlot(tmp_path)
    a.save(exp)
    b.save(exp)
    assert a.path != b.path and recovery_list(tmp_path) == []
    a.close(keep=True)  # as a crash leaves it
    (entry,) = recovery_list(tmp_path)
    claim = claim_entry(entry)
    assert claim is not None and claim_entry(entry) is None  # one asker at a time
    assert recovery_list(tmp_path) == []
    claim.release()
    b.take_over(entry.path)
    assert not entry.path.exists() and b.path.exists()
    b.close()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".nnviz"] == []
