"""``nnviz --train-steps N --screenshot PATH`` (issue 14 item 11): a run that progresses is
waited for however long it takes; one that stands still saves the window it has and exits 1."""

from __future__ import annotations

from nnviz.gui.app import ScriptedRun


def test_a_stalled_run_saves_what_it_has(make_window, qtbot, tmp_path, capsys):
    window = make_window("xor")
    window.controller.run_steps = lambda n: None  # training never moves
    png = tmp_path / "shot.png"
    run = ScriptedRun(window, 1_000_000, str(png), stall_s=0.3)
    run.start()
    qtbot.waitUntil(lambda: not run._timer.isActive(), timeout=20_000)
    assert run.exit_code == 1
    assert png.stat().st_size > 1000  # the picture it had
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("nnviz: training stood still at step 0 for 0.3 s (step 1000000 "
                          "was asked for); saved the window as it is")


def test_a_slow_run_that_progresses_is_waited_for(make_window, qtbot, tmp_path, capsys):
    """Paced by set_speed, the run outlasts the 0.3 s stall limit and still finishes: progress,
    not the total time, decides."""
    window = make_window("xor")
    window.controller.set_speed(40)
    png = tmp_path / "shot.png"
    run = ScriptedRun(window, 120, str(png), stall_s=0.3)
    run.start()
    qtbot.waitUntil(lambda: not run._timer.isActive(), timeout=60_000)
    assert run.exit_code == 0, capsys.readouterr().err
    assert window.controller.snapshot.step == 120 and png.exists()
