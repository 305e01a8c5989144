"""Sessions from the window: save, open (continuing exactly), exports, autosave and recovery."""

from __future__ import annotations

import numpy as np

from nnviz import session
from nnviz.experiment import PRESETS, build
from nnviz.gui.settings import AppSettings


def wait_steps(qtbot, w, n):
    """Train ``n`` more steps in the worker and wait until they are done."""
    target = w.controller.snapshot.step + n
    w.controller.run_steps(n)
    qtbot.waitUntil(lambda: w.controller.worker.idle.is_set()
                    and w.controller.snapshot.step >= target, timeout=10000)


def test_save_then_open_continues_exactly(make_window, qtbot, tmp_path):
    w = make_window("spiral")
    wait_steps(qtbot, w, 120)
    w.dispatcher.flush()  # (the panels draw the last snapshot in a later turn otherwise)
    assert w.panels["errorCurve"].pin("first try")
    path = tmp_path / "run.nnviz"
    assert w.sessions.save_session(str(path)) and not w.errors

    w2 = make_window("xor")
    assert w2.sessions.open_session(str(path))
    assert w2.controller.config == w.controller.config
    assert w2.controller.experiment.trainer.step_count == 120
    assert w2.panels["errorCurve"].pins == ["first try"]
    # the reopened run and a never-saved run take the same next steps
    fresh = build(PRESETS["spiral"])
    fresh.trainer.run(150)
    wait_steps(qtbot, w2, 30)
    w2.controller.experiment.trainer.sync()
    for a, b in zip(w2.controller.experiment.net.get_params(), fresh.net.get_params()):
        assert np.array_equal(a, b)


def test_a_bad_session_file_is_refused_and_nothing_is_lost(make_window, tmp_path):
    w = make_window("xor")
    bad = tmp_path / "bad.nnviz"
    bad.write_bytes(b"this is not a session")
    before = w.controller.experiment
    assert not w.sessions.open_session(str(bad))
    assert w.controller.experiment is before
    title, text, _ = w.errors[-1]
    assert "bad.nnviz" in text and "\n" not in text


def test_exports_weights_and_history(make_window, qtbot, tmp_path):
    w = make_window("iris")
    wait_steps(qtbot, w, 50)
    assert w.sessions.export_weights(str(tmp_path / "w.npz"))
    assert w.sessions.export_history(str(tmp_path / "h.csv"))
    net = session.load_weights(tmp_path / "w.npz")
    exp = w.controller.experiment
    X = exp.prepared.X_train[:5]
    np.testing.assert_allclose(net.predict(X), exp.net.predict(X), rtol=1e-12)
    assert (tmp_path / "h.csv").read_text().startswith("series")


def crash(w):
    """What a crash leaves: the window's autosave file, its lock dropped by the OS."""
    slot = w.sessions._slot
    slot.close(keep=True)
    w.sessions._slot = None
    return slot.path


def test_autosave_and_recovery_after_a_crash(make_window, qtbot, private_settings):
    settings = AppSettings()
    w = make_window("circles", settings=settings)
    wait_steps(qtbot, w, 80)
    assert w.sessions.autosave()
    path = w.sessions._slot.path
    assert path.exists() and path.parent == settings.autosave_folder()
    assert not w.sessions.autosave()  # nothing new since

    # the first window crashes: a second window offers its autosave
    assert crash(w) == path
    w2 = make_window("xor", settings=AppSettings())
    assert w2.sessions.offer_recovery()
    assert w2.questions and "did not close cleanly" in w2.questions[-1]
    assert w2.controller.experiment.trainer.step_count == 80
    # the recovered run is now the second window's own autosave (moved, never lost)
    assert not path.exists() and w2.sessions._slot.path.exists()


def test_a_running_windows_autosave_is_never_offered_or_deleted(make_window, qtbot,
                                                                private_settings):
    w1 = make_window("xor", settings=AppSettings())
    wait_steps(qtbot, w1, 30)
    assert w1.sessions.autosave()
    path = w1.sessions._slot.path
    w2 = make_window("xor", settings=AppSettings())
    assert not w2.sessions.offer_recovery() and not w2.questions  # w1 is alive
    wait_steps(qtbot, w2, 10)
    assert w2.sessions.autosave()
    assert w2.sessions._slot.path != path  # one file per running window
    w2.close()  # a clean exit removes w2's file only
    assert path.exists() and not w2.sessions._slot
    # w1 then crashes: its run is there to recover
    crash(w1)
    w3 = make_window("xor", settings=AppSettings())
    w3.answer = False  # No: the offered file is deleted (the person chose so)
    assert not w3.sessions.offer_recovery()
    assert "30 steps" in w3.questions[-1] and not path.exists()


def test_a_failed_recovery_keeps_the_autosave_and_says_where(make_window, qtbot,
                                                             private_settings):
    from nnviz.session.format import write_archive
    from nnviz.session.state import capture

    settings = AppSettings()
    folder = settings.autosave_folder()
    folder.mkdir(parents=True)
    manifest, _arrays = capture(build(PRESETS["xor"]))
    path = folder / "autosave-crashed.nnviz"
    with open(path, "wb") as f:  # the summary reads, the arrays are missing
        write_archive(f, manifest, {})
    assert session.session_info(path)["steps"] == 0
    w = make_window("xor", settings=settings)
    assert not w.sessions.offer_recovery()
    title, text, _ = w.errors[-1]
    assert title == "Could not recover the session" and "\n" not in text
    assert f"the autosave is kept at {path}" in text
    assert path.read_bytes()  # kept, and offered again next time
    assert [e.path for e in session.recovery_list(folder)] == [path]
    w.close()
    assert path.exists()


def test_the_file_menu_holds_the_session_actions(make_window, tmp_path, monkeypatch):
    w = make_window("xor")
    file = w.menuBar().actions()[0].menu()
    names = [a.text() for a in file.actions() if not a.isSeparator()]
    assert names == ["Open CSV…", "New drawing (empty canvas)", "Open session…",
                     "Open network…", "Save session…", "Export weights…",
                     "Export weights as safetensors…", "Export as PyTorch script…",
                     "Export history…", "Save screenshot…", "Save data as CSV…",
                     "Export recording…", "Quit"]
    # the menu's Save asks for a file name, then saves there
    path = tmp_path / "menu.nnviz"
    monkeypatch.setattr("nnviz.gui.session_actions.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(path), ""))
    w.sessions.act_save.trigger()
    assert path.exists() and not w.errors
    assert w.sessions.act_save in w.actions()  # its shortcut works anywhere in the window
