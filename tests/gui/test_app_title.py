"""The window title reads "nnviz — xor", not "nnviz — xor — nnviz"."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from nnviz.gui.app import make_application


def test_no_display_name_is_appended_to_the_title(make_window):
    """Qt's window systems show ``title — applicationDisplayName`` unless the title ends with
    it or none was set (QPlatformWindow::formatWindowTitle); the title already names nnviz."""
    names = QApplication.applicationName(), QApplication.organizationName()
    try:
        app = make_application()
        w = make_window("xor")
        assert w.windowTitle() == "nnviz — xor"
        app.setApplicationName("probe")
        # a display name nobody set follows the application name: none is pinned to append
        assert app.applicationDisplayName() == "probe"
    finally:
        QApplication.setApplicationName(names[0])
        QApplication.setOrganizationName(names[1])
