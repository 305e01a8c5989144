"""Panels built the first time they are needed, so the window opens without building the
panels of its background tabs.

``LazyPanels`` maps each registered panel's key to its panel (``MainWindow.panels``): a panel
is built on its first access, or when its dock's ``PanelSlot`` is first shown (a background
tab: when its tab is clicked; a restored layout that shows it: at once). ``built`` is the dict
(key -> panel, in the registry's order) of the panels built so far, the one the dispatcher
updates, so that it never builds one. ``keys()``, ``in`` and ``len`` build nothing; ``[key]``,
``get``, ``values()`` and ``items()`` build.

For each panel built, ``on_built(key, panel)`` is called once, right after the panel is in its
slot: the window wires the panel's signals there and hands it to the dispatcher, which gives it
the current run and the latest snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class PanelSlot(QWidget):
    """A dock's place for the panel ``key``: ``build(key)`` is called when the slot is on
    screen while it has no panel yet; it puts the panel in with ``put``.

    On screen: shown, and where its dock is placed (``watch``) not a background tab, which
    QMainWindow keeps "visible" but moves outside the window. A tab clicked moves its dock
    in: the dock's Move or Resize event builds the panel, before the tab is painted."""

    def __init__(self, key: str, build: Callable[[str], QWidget], parent=None):
        super().__init__(parent)
        self.key = key
        self.panel: QWidget | None = None
        self._build = build
        self._dock: QWidget | None = None
        self.setObjectName(f"{key}Slot")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

    def watch(self, dock: QWidget) -> None:
        """The slot is inside ``dock`` (a QDockWidget of a main window)."""
        self._dock = dock
        dock.installEventFilter(self)

    def on_screen(self) -> bool:
        if not self.isVisible():
            return False
        dock = self._dock
        if dock is None:
            return not self.visibleRegion().isEmpty()
        if dock.isWindow():  # floating
            return True
        return dock.parentWidget().rect().contains(dock.geometry().center())

    def put(self, panel: QWidget) -> None:
        """``panel`` fills the slot (shown at once if the slot is); the dock is no longer
        watched (an event filter takes the GIL from the training worker for every event of
        the dock)."""
        self.panel = panel
        if self._dock is not None:
            self._dock.removeEventFilter(self)
        self.layout().addWidget(panel)
        if self.isVisible():  # (else Qt would show it only in a later event-loop turn)
            self.layout().activate()  # at the slot's size before its first picture
            panel.show()

    def _check(self) -> None:
        if self.panel is None and self.on_screen():
            self._build(self.key)

    def showEvent(self, event) -> None:
        self._check()
        super().showEvent(event)

    def eventFilter(self, watched, event) -> bool:
        if (self.panel is None and watched is self._dock
                and event.type() in (QEvent.Show, QEvent.Move, QEvent.Resize)):
            self._check()
        return False


class LazyPanels(Mapping):
    """key -> panel of ``factories`` (key -> a callable building the panel), each built on
    first access or when its slot (``slots[key]``) is first shown."""

    def __init__(self, factories: dict[str, Callable[[], QWidget]],
                 on_built: Callable[[str, QWidget], None]):
        self.factories = dict(factories)
        self.built: dict[str, QWidget] = {}
        self.slots = {key: PanelSlot(key, self._on_screen) for key in self.factories}
        self._on_built = on_built
        self._held: list[str] | None = None  # (``hold``) slots come on screen meanwhile

    def hold(self) -> None:
        """Slots that come on screen wait for ``release`` (the window is about to be shown and
        its docks are not at their final sizes yet)."""
        self._held = []

    @property
    def holding(self) -> bool:
        return self._held is not None

    def release(self) -> None:
        """Build the panels of the slots that came on screen while held and still are."""
        held, self._held = self._held or [], None
        for key in held:
            if key not in self.built and self.slots[key].on_screen():
                self[key]

    def _on_screen(self, key: str) -> None:
        if self._held is None:
            self[key]
        elif key not in self._held:
            self._held.append(key)

    def __getitem__(self, key: str) -> QWidget:
        panel = self.built.get(key)
        if panel is None:
            if key not in self.factories:
                raise KeyError(key)
            panel = self.factories[key]()
            order = list(self.factories)  # (kept in the registry's order, built or not)
            built = sorted([*self.built.items(), (key, panel)], key=lambda kv: order.index(kv[0]))
            self.built.clear()
            self.built.update(built)
            self.slots[key].put(panel)
            self._on_built(key, panel)
        return panel

    def __iter__(self) -> Iterator[str]:
        return iter(self.factories)

    def __len__(self) -> int:
        return len(self.factories)

    def __contains__(self, key) -> bool:
        return key in self.factories
