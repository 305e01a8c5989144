"""The main window's docks: one per panel of the registry (``nnviz.gui.panels.PANELS``) and one
for the controls, their default arrangement for the window's size, and their proportions kept
while the window is resized.

Three arrangements (the controls always at the left, as wide as their form needs):

- wide (window at least ``WIDE``): network above error in the middle, vectors above heatmaps
  at the right, the backprop inspector a tab beside the error curve;
- compact (a laptop: 1280x720 or 1366x768 logical pixels): network above error in the middle,
  and at the right one column of tabs, predicted vs true, vectors and the backprop inspector,
  each at the column's full height (stacked, each would be too short to read), their tabs
  down its right side (``tab_position``): a bar across the bottom of a laptop's ~340 px column
  elided five titles to "Inputs, ...", "Pr...", "Hidde...", "Distri...", "B..."; along its
  ~550 px height they fit whole;
- small (narrower than ``COMPACT``, below the laptop sizes): as compact, the tabs along the
  bottom (a side bar's ~26 px cut the prediction's colour bar there; titles are elided).

The network column takes most of the room beside the controls and the network most of its
column (``NETWORK_SHARE``): it is the largest panel. Growing the window gives the extra
room to the panels in these proportions; the controls keep their width. A separator the person
drags sets new proportions, kept from then on.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar, QTabWidget, QWidget

from nnviz.gui.widgets import PanelScrollArea

#: the default layout's four main panels: network above error, vectors above heatmaps
MAIN = ("networkDiagram", "errorCurve", "vectors", "heatmaps")
#: the smallest window (logical px) given the wide arrangement
WIDE = QSize(1500, 900)
#: the narrowest window (px) given the compact arrangement (else small)
COMPACT = 1200
#: the network column's share of the width beside the controls and the network's of its
#: column's height, by arrangement: the network is the largest panel (compact: larger than
#: the right column's full-height tabs)
NETWORK_SHARE = {"wide": (0.56, 0.58), "compact": (0.61, 0.63), "small": (0.62, 0.62)}
CONTROLS_WIDTH = (250, 340)  # px: the controls' width, from their form's, within these
#: the compact arrangement's tabs (three full titles do not fit a laptop's right column)
TAB_TITLES = {"vectors": "Inputs, weights", "heatmaps": "Prediction",
              "backpropInspector": "Backprop", "distributions": "Distributions"}


def make_dock(window: QMainWindow, object_name: str, title: str, widget: QWidget,
              scroll: bool = False) -> QDockWidget:
    """A dock for ``widget``; ``scroll``: inside a scroll area, so a panel with a large
    minimum size scrolls instead of forcing the window wider than the screen."""
    dock = QDockWidget(title, window)
    dock.setObjectName(object_name)
    dock.setProperty("fullTitle", title)
    if scroll:
        widget = PanelScrollArea(widget)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                     | QDockWidget.DockWidgetClosable)
    return dock


def mode_for(size: QSize) -> str:
    """"wide", "compact" or "small" for a window of ``size``."""
    if size.width() >= WIDE.width() and size.height() >= WIDE.height():
        return "wide"
    return "compact" if size.width() >= COMPACT else "small"


def tab_position(window: QMainWindow, mode: str) -> None:
    """Dock tabs along the bottom, or in the compact right column down its right side,
    where its height holds every title whole."""
    window.setTabPosition(Qt.RightDockWidgetArea,
                          QTabWidget.East if mode == "compact" else QTabWidget.South)


def default_layout(window: QMainWindow, docks: dict[str, QDockWidget],
                   mode: str = "wide") -> None:
    """Place the docks in the ``mode`` arrangement (see the module's docstring); any other
    panel a tab beside the error curve (wide) or in the right column (compact)."""
    d = docks
    panels = [name for name in d if name != "controls"]
    for name in panels:
        d[name].setFloating(False)
        d[name].show()
        full = d[name].property("fullTitle") or d[name].windowTitle()
        d[name].setWindowTitle(full if mode == "wide" else TAB_TITLES.get(name, full))
    tab_position(window, mode)
    window.addDockWidget(Qt.LeftDockWidgetArea, d["controls"])
    first = next((name for name in MAIN if name in d), None)
    if first is not None:
        window.addDockWidget(Qt.RightDockWidgetArea, d[first])
    tabs_with = "errorCurve"
    if set(MAIN) <= set(d):
        window.splitDockWidget(d["networkDiagram"], d["vectors"], Qt.Horizontal)
        window.splitDockWidget(d["networkDiagram"], d["errorCurve"], Qt.Vertical)
        if mode == "wide":
            window.splitDockWidget(d["vectors"], d["heatmaps"], Qt.Vertical)
        else:
            window.tabifyDockWidget(d["vectors"], d["heatmaps"])
            tabs_with = "heatmaps"
    for name in panels:
        if name in MAIN:
            continue
        window.addDockWidget(Qt.RightDockWidgetArea, d[name])
        if tabs_with in d:  # a tab: one click away
            window.tabifyDockWidget(d[tabs_with], d[name])
    for name in ("errorCurve", "heatmaps"):
        if name in d:
            d[name].raise_()


class DockLayout(QObject):
    """Arranges ``docks`` for the window's size and keeps their proportions when it is
    resized: on a resize the arrangement follows the size (until the person moves or closes a
    dock, or a saved layout is restored), and every dock gets its remembered share of the
    room."""

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget], panels=None):
        """``panels``: the window's ``LazyPanels``, held while the docks move (a dock passing
        through view on its way to a background tab does not build its panel)."""
        super().__init__(window)
        self.window, self.docks, self.panels = window, docks, panels
        self.mode: str | None = None  # None: the person's own arrangement
        self._arranging = False
        self._shares: dict[str, tuple[float, float]] = {}  # dock -> (width, height) share
        self._controls_width = 0
        self._size = QSize()  # the window's size the shares were taken or applied at
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.timeout.connect(self.apply)
        window.resized.connect(self._on_window_resized)  # (a MainWindow's signal)
        for dock in docks.values():
            dock.installEventFilter(self)
            dock.dockLocationChanged.connect(self._on_moved)
            dock.topLevelChanged.connect(self._on_moved)

    def arrange(self, mode: str | None = None) -> None:
        """The default arrangement for ``mode`` (default: the window's size), in the default
        proportions."""
        mode = mode or mode_for(self.window.size())
        hold = self.panels is not None and not self.panels.holding
        if hold:
            self.panels.hold()
        self._arranging = True
        try:
            default_layout(self.window, self.docks, mode)
        finally:
            self._arranging = False
            if hold:
                if self.window.isVisible():
                    self.window.layout().activate()  # the docks where they now go
                self.panels.release()  # the panels now in view built
        self.mode = mode
        self._shares = self._default_shares(mode)
        self._controls_width = 0
        self._size = QSize()
        self._apply_timer.start(0)

    def adopt(self) -> None:
        """The docks were placed by someone else (a restored layout): keep it as it is (its
        tabs where the window's size puts them)."""
        tab_position(self.window, mode_for(self.window.size()))
        self.mode = None
        self._size = QSize()
        self._shares = {}

    def _default_shares(self, mode: str) -> dict[str, tuple[float, float]]:
        width, height = NETWORK_SHARE[mode]
        right = 1.0 - width
        shares = {"networkDiagram": (width, height), "errorCurve": (width, 1.0 - height)}
        for name in self.docks:
            if name not in shares and name != "controls":
                shares[name] = (right, 0.5 if mode == "wide" and name in MAIN else 1.0)
        if mode == "wide":
            shares["backpropInspector"] = shares["errorCurve"]
        return shares

    # ------------------------------------------------------------------ measuring
    def _placed(self) -> list[str]:
        """Docks shown in the window (not floating, not a hidden tab), controls excepted."""
        inside = self.window.rect()
        return [name for name, dock in self.docks.items() if name != "controls"
                and dock.isVisible() and not dock.isFloating()
                and inside.contains(dock.geometry().center())]  # (a hidden tab sits outside)

    def _tabs_beside(self, name: str) -> int:
        """The width (px) of the tab bar down dock ``name``'s right side, 0 if none: a dock's
        share of the room's width is with its tabs."""
        rect = self.docks[name].geometry()
        for bar in self.window.findChildren(QTabBar, options=Qt.FindDirectChildrenOnly):
            g = bar.geometry()
            if (bar.isVisible() and bar.shape() in (QTabBar.RoundedEast, QTabBar.TriangularEast)
                    and 0 <= g.left() - rect.right() <= 8
                    and g.top() <= rect.center().y() <= g.bottom()):
                return g.right() - rect.right()
        return 0

    def _room(self) -> tuple[int, int]:
        """(width, height) px the placed docks (and their side tabs) share now (their
        bounding box)."""
        placed = self._placed()
        if not placed:
            return 1, 1
        box = self.docks[placed[0]].geometry()
        for name in placed:
            box = box.united(self.docks[name].geometry().adjusted(
                0, 0, self._tabs_beside(name), 0))
        return max(box.width(), 1), max(box.height(), 1)

    def remember(self) -> None:
        """Take each placed dock's share of the room as it is now (after a drag)."""
        room_w, room_h = self._room()
        self._shares.update({name: ((self.docks[name].width() + self._tabs_beside(name))
                                    / room_w,
                                    self.docks[name].height() / room_h)
                             for name in self._placed()})
        controls = self.docks.get("controls")
        if controls is not None and controls.isVisible():
            self._controls_width = controls.width()
        self._size = self.window.size()

    def apply(self) -> None:
        """Give each placed dock its share of the window's room now; the controls their
        width (their form's own, at first)."""
        self._apply_timer.stop()  # (called directly: a pending call would repeat it)
        w = self.window
        if not w.isVisible():
            return  # (shown: a resize event brings it back here)
        controls = self.docks.get("controls")
        if controls is not None and controls.isVisible() and not controls.isFloating():
            if not self._controls_width:
                form = controls.widget().sizeHint().width() + 8
                self._controls_width = max(CONTROLS_WIDTH[0], min(CONTROLS_WIDTH[1], form))
            w.resizeDocks([controls], [self._controls_width], Qt.Horizontal)
        room_w, room_h = self._room()
        if controls is not None and controls.isVisible() and not controls.isFloating():
            room_w += controls.width() - self._controls_width  # what the controls give back
        placed = [n for n in self._placed() if n in self._shares]
        if placed:
            docks = [self.docks[n] for n in placed]
            # (a tabbed dock's size there is its tab group's: with its tab bar)
            w.resizeDocks(docks, [round(self._shares[n][0] * room_w) for n in placed],
                          Qt.Horizontal)
            w.resizeDocks(docks, [round(self._shares[n][1] * room_h) for n in placed],
                          Qt.Vertical)
        self._size = w.size()

    # ------------------------------------------------------------------ events
    def _on_moved(self, *_) -> None:
        if not self._arranging:
            self.mode = None  # the person's own arrangement: never rearranged for them

    def _on_window_resized(self, size: QSize) -> None:
        if self.mode is not None and mode_for(size) != self.mode:
            self.arrange(mode_for(size))
        else:
            self._apply_timer.start(0)

    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Resize and self._size == self.window.size()
                and not self._apply_timer.isActive()
                and QGuiApplication.mouseButtons() & Qt.LeftButton):
            self.remember()  # a dock resized in a window that was not: a dragged separator
        return False
