"""Where a new window opens: a share of a large screen, centred; the laptop and 1920x1080
sizes as before (``initial_geometry``, given a screen's available geometry)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize

from nnviz.gui.main_window import DEFAULT_SIZE, MainWindow, initial_geometry

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.mark.parametrize(("available", "size"), [
    ((0, 0, 1280, 720), (1240, 660)),      # a 1280x720 screen (1920x1080 at 150%)
    ((0, 0, 1366, 768), (1326, 708)),      # a 13-14" laptop
    ((0, 27, 1366, 741), (1326, 681)),     # ... with a top panel
    ((0, 0, 1920, 1080), (1680, 1000)),    # DEFAULT_SIZE, as before
    ((0, 0, 2560, 1440), (2048, 1152)),    # 80% each way (it was 1680x1000)
    ((0, 0, 3840, 2160), (3072, 1728)),
])
def test_a_new_window_takes_a_share_of_the_screen_centred(available, size):
    area = QRect(*available)
    placed = initial_geometry(area)
    assert (placed.width(), placed.height()) == size
    assert area.contains(placed)
    assert abs(placed.center().x() - area.center().x()) <= 1
    assert abs(placed.center().y() - area.center().y()) <= 1


@pytest.mark.parametrize("available", [(0, 0, 1280, 720), (0, 0, 1366, 768),
                                       (0, 0, 1920, 1080), (0, 27, 1366, 741)])
def test_screens_up_to_1920x1080_keep_the_size_they_had(available):
    """The size before: DEFAULT_SIZE shrunk to the available size less 40x60 px."""
    area = QRect(*available)
    before = DEFAULT_SIZE.boundedTo(QSize(area.width() - 40, area.height() - 60))
    assert initial_geometry(area).size() == before


def test_a_second_screen_beside_the_first_centres_the_window_on_it():
    area = QRect(1920, 0, 2560, 1440)
    assert initial_geometry(area) == QRect(1920 + 256, 144, 2048, 1152)


def test_offscreen_opens_at_the_default_size():
    assert initial_geometry(None) == QRect(0, 0, DEFAULT_SIZE.width(), DEFAULT_SIZE.height())


def test_the_window_opens_centred_on_a_2560x1440_screen(monkeypatch, make_window):
    monkeypatch.setattr(MainWindow, "_screen_area", staticmethod(lambda: QRect(0, 0, 2560, 1440)))
    w = make_window("xor")
    assert w.size() == QSize(2048, 1152)
    assert (w.x(), w.y()) == (256, 144)
