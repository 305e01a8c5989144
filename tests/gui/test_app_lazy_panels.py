"""Panels of background tabs are built when first shown (a faster start): not at startup; on a
real click on their tab, with the current run and the latest snapshot; where a restored layout
shows them; a run pinned before the distributions were built is theirs when they are; the
landscape path recorded while the inspector was not built is drawn when it is."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from nnviz.experiment import PRESETS
from nnviz.gui.settings import AppSettings

WIDE_HIDDEN = {"hiddenSpace", "distributions", "backpropInspector"}
STEPS = 400


def tab_of(window, key):
    """(tab bar, index) of the dock ``key``'s tab."""
    title = window.docks[key].windowTitle()
    for bar in window.findChildren(QTabBar):
        if not bar.isVisible():
            continue
        for i in range(bar.count()):
            if bar.tabText(i) == title:
                return bar, i
    raise AssertionError(f"no tab {title!r}")


def click_tab(qtbot, window, key):
    bar, i = tab_of(window, key)
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(i).center())
    assert bar.currentIndex() == i


def trained(window, qtbot, steps=STEPS):
    target = window.controller.snapshot.step + steps
    window.controller.run_steps(steps)
    qtbot.waitUntil(lambda: window.controller.worker.idle.is_set()
                    and window.controller.snapshot.step >= target, timeout=30000)
    qtbot.waitUntil(lambda: window.dispatcher.latest is window.controller.snapshot,
                    timeout=5000)


def up_to_date(window, key):
    return key in window.panels.built and key not in window.dispatcher.pending()


@pytest.fixture
def compact_window(qtbot):
    """xor's window opened at 1280x720 (the compact layout from the start), closed after."""
    from nnviz.gui.main_window import MainWindow

    w = MainWindow(config=PRESETS["xor"])
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    yield w
    w.close()
    w.controller.shutdown()


def test_background_tabs_are_not_built_at_startup(make_window):
    w = make_window("xor")
    assert set(w.panels.built) == {"errorCurve", "networkDiagram", "vectors", "heatmaps"}
    assert set(w.panels) == set(w.docks) - {"controls"}  # (keys build nothing)
    assert set(w.panels.built) == set(w.dispatcher.panels)
    assert not w.dispatcher.pending()  # the first frame showed the run


def test_compact_window_builds_only_the_shown_tab(compact_window, qtbot):
    w = compact_window
    trained(w, qtbot)
    assert "vectors" not in w.panels.built and "heatmaps" in w.panels.built
    click_tab(qtbot, w, "vectors")
    assert up_to_date(w, "vectors")
    assert w.panels.built["vectors"].isVisible()


def test_growing_to_the_wide_layout_builds_only_what_comes_into_view(compact_window, qtbot):
    w = compact_window
    trained(w, qtbot)
    assert "vectors" not in w.panels.built
    w.resize(1920, 1080)  # vectors beside the prediction; the other tabs stay behind
    qtbot.waitUntil(lambda: w.dock_layout.mode == "wide", timeout=5000)
    assert set(w.panels.built) == {"errorCurve", "networkDiagram", "vectors", "heatmaps"}
    assert up_to_date(w, "vectors")


@pytest.mark.parametrize("key", sorted(WIDE_HIDDEN))
def test_a_tab_clicked_builds_its_panel_with_the_run_and_latest_snapshot(make_window, qtbot,
                                                                       key):
    w = make_window("xor")
    trained(w, qtbot)
    assert key not in w.panels.built
    click_tab(qtbot, w, key)
    assert up_to_date(w, key)  # shown with the latest snapshot before its first paint
    panel = w.panels.built[key]
    assert w.dispatcher.counts[key] >= 1 and w.dispatcher.run is w.controller.run
    grab = panel.grab()
    assert grab.width() > 100 and grab.height() > 100
    # a second run reaches it like every other built panel
    w.apply_config(PRESETS["circles"], ask=False)
    qtbot.waitUntil(lambda: up_to_date(w, key), timeout=5000)


def test_landscape_path_recorded_before_the_inspector_was_built_is_drawn(make_window, qtbot):
    w = make_window("single-neuron")
    trained(w, qtbot, 200_000)  # about a second: some 30 snapshots
    assert "backpropInspector" not in w.panels.built
    assert len(w.landscape_path.points) > 3
    click_tab(qtbot, w, "backpropInspector")
    inspector = w.panels.built["backpropInspector"]
    xs, ys = inspector.landscape_path.getData()
    assert len(xs) == len(w.landscape_path.points) > 3
    assert np.allclose(xs[-1], w.landscape_path.points[-1][0])


def test_a_run_pinned_before_the_distributions_were_built_is_theirs(make_window, qtbot):
    w = make_window("xor")
    trained(w, qtbot)
    w.setFocus()
    qtbot.keyClick(w, Qt.Key_P, Qt.ControlModifier)  # Pin this run
    pinned_step = w.controller.snapshot.step
    assert "distributions" not in w.panels.built
    w.apply_config(PRESETS["circles"], ask=False)  # another run, then look
    trained(w, qtbot, 50)
    click_tab(qtbot, w, "distributions")
    panel = w.panels.built["distributions"]
    assert panel._pinned is not None and panel._pinned_by_hand
    assert panel._pinned.label[0].startswith("xor")
    assert int(panel._pinned.view.step[-1]) <= pinned_step
    assert panel._label[0].startswith("circles")  # the live run is the new one


def test_a_saved_layout_builds_the_tabs_it_shows(make_window, qtbot):
    w1 = make_window("xor", settings=AppSettings())
    trained(w1, qtbot)
    click_tab(qtbot, w1, "hiddenSpace")  # the hidden space tab in front of the error curve
    w1.close()
    w2 = make_window("xor", settings=AppSettings())
    assert "hiddenSpace" in w2.panels.built
    assert "errorCurve" not in w2.panels.built  # now the background tab
    trained(w2, qtbot)
    qtbot.waitUntil(lambda: up_to_date(w2, "hiddenSpace"), timeout=5000)
    click_tab(qtbot, w2, "errorCurve")
    assert up_to_date(w2, "errorCurve")
