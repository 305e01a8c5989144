"""Work pyqtgraph does that nnviz does not need, left out (a faster start).

``install()`` (called once, by ``nnviz.gui.graphics``):

- view menus built on first use: pyqtgraph builds every ViewBox's right-click menu (a
  ViewBoxMenu: two axis forms of ~20 widgets, ~4 ms) when the view is made. The window makes a
  dozen views before its first frame (each plot, each colour bar), several with their menu
  turned off right away, and few ever see a right-click: each new view holds a
  ``LazyViewBoxMenu`` instead, which builds the real menu the first time it is used;
- an axis label's HTML set only when it changes: every range change of an axis sets its
  label's HTML again (QGraphicsTextItem.setHtml, ~0.3 ms: ~600 times, ~100 ms, before the
  window's first frame), almost always to the same text;
- and only while the label is shown: most axes never show theirs, yet each set its empty
  label's HTML at least three times (made, given its pen, its text pen): ~120 of the ~140
  setHtml calls before the first frame (~0.07 ms each, ~9 ms). A hidden label takes its text
  when shown (``showLabel``), and is placed for it then;
- a plot's options form built on first use: ``nnviz.gui.plot_options``.
"""

from __future__ import annotations

import importlib

from pyqtgraph.graphicsItems.AxisItem import AxisItem
from pyqtgraph.graphicsItems.ViewBox.ViewBoxMenu import ViewBoxMenu

from nnviz.gui import plot_options

#: the module (its package's name ``ViewBox`` is the class)
_viewbox_module = importlib.import_module("pyqtgraph.graphicsItems.ViewBox.ViewBox")


class LazyViewBoxMenu:
    """Stands for ``ViewBoxMenu(view)`` until it is used: then it builds it and passes every
    attribute on to it. The list of linkable views it is given meanwhile is kept for it; a
    menu turned off before it was built (``setParent(None)``) is never built."""

    def __init__(self, view):
        self._view = view
        self._views = None
        self._menu: ViewBoxMenu | None = None

    @property
    def built(self) -> bool:
        return self._menu is not None

    def menu(self) -> ViewBoxMenu:
        """The real menu (built now if it was not)."""
        if self._menu is None:
            self._menu = ViewBoxMenu(self._view)
            self._view = None
            if self._views is not None:
                self._menu.setViewList(self._views)
                self._views = None
        return self._menu

    def setViewList(self, views) -> None:
        if self._menu is None:
            self._views = views
        else:
            self._menu.setViewList(views)

    def setParent(self, *args) -> None:
        if self._menu is not None:
            self._menu.setParent(*args)
        elif args == (None,):
            self._view = self._views = None  # turned off: nothing to build or drop

    def __getattr__(self, name):
        return getattr(self.menu(), name)


def _set_label_html(axis: AxisItem) -> bool:
    """The label's HTML set to the axis's label text if it is not that yet; True if it
    changed."""
    html = axis.labelString()
    if axis.__dict__.get("_label_html") == html:
        return False
    axis._label_html = html
    axis.label.setHtml(html)
    return True


def _update_axis_label(axis: AxisItem) -> None:
    """``AxisItem._updateLabel``, setting the label's HTML only when it changed and the
    label is shown (by the axis: hidden with it, it is still "shown to" it)."""
    if axis.label.isVisibleTo(axis):
        _set_label_html(axis)
    axis._adjustSize()
    axis.picture = None
    axis.update()


_show_axis_label = AxisItem.showLabel


def _show_label(axis: AxisItem, show: bool = True) -> None:
    """``AxisItem.showLabel``, first giving a label about to be shown the text it missed
    while hidden (the axis's size is then measured with it), placed for it."""
    changed = show and _set_label_html(axis)
    _show_axis_label(axis, show)
    if changed:
        axis.resizeEvent()  # (pyqtgraph places the label on the axis's resize only)


def install() -> None:
    """New ViewBoxes hold a LazyViewBoxMenu (ViewBox looks ``ViewBoxMenu`` up in its module
    each time it makes a menu); axes set their label's HTML only when it changes and is
    shown; new PlotItems build their options form when first needed."""
    _viewbox_module.ViewBoxMenu = LazyViewBoxMenu
    AxisItem._updateLabel = _update_axis_label
    AxisItem.showLabel = _show_label
    plot_options.install()
