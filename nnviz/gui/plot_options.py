"""A pyqtgraph PlotItem's options form ("Plot Options" in its right-click menu) built the first
time it is needed, not with every plot (``install``, called by ``nnviz.gui.pg_patches``).

PlotItem keeps its options (log axes, grid, downsampling, alpha...) in the widgets of that
form: ~40 widgets and 7 menus a plot (~2 ms), ~330 of the window's ~880 widgets at its start,
each polished and sent its events before the first frame; nnviz turns most plots' menus off.
Until then a plot holds ``OptionsStandIn``: the form's checkable buttons, group boxes,
sliders and spin boxes as ``_Value`` objects with the real form's defaults (read once, from
one real form), which answer PlotItem's reads (``isChecked``, ``value``, ``maximum``), take
its writes and emit its signals as Qt's widgets do (a changed value only, a value clamped to
the range, one radio button of a group checked). Anything else (the menu shown, the state
saved or restored, the averaging list given items, any other call) builds the real form, in
the state and with the connections the stand-ins had: ``materialise``.
"""

from __future__ import annotations

import importlib
import inspect
import weakref

from pyqtgraph.graphicsItems.PlotItem import PlotItem
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QGroupBox,
    QListWidget,
    QSpinBox,
    QWidget,
)

#: the module PlotItem is defined in (its package's name ``PlotItem`` is the class)
_module = importlib.import_module("pyqtgraph.graphicsItems.PlotItem.PlotItem")
_real_init = PlotItem.__init__
_real_template, _real_qtwidgets, _real_widget_group = (
    _module.ui_template, _module.QtWidgets, _module.WidgetGroup)
_real_get_menu = PlotItem.getMenu
_real_context_menus = PlotItem.getContextMenus
_defaults: dict | None = None  # widget name -> (kind, state) of a new real form


def _form_defaults() -> dict:
    """name -> ("check", checked, exclusive group) / ("value", value, min, max) / ("list",)
    of each stateful widget of a new real form (built once)."""
    global _defaults
    if _defaults is None:
        form = _real_template.Ui_Form()
        holder = QWidget()
        form.setupUi(holder)
        _defaults = {}
        for name, w in vars(form).items():
            if isinstance(w, QAbstractButton) or (isinstance(w, QGroupBox) and w.isCheckable()):
                group = (id(w.parent()) if isinstance(w, QAbstractButton) and w.autoExclusive()
                         else None)
                _defaults[name] = ("check", w.isChecked(), group)
            elif isinstance(w, (QAbstractSlider, QSpinBox)):
                _defaults[name] = ("value", w.value(), w.minimum(), w.maximum())
            elif isinstance(w, QListWidget):
                _defaults[name] = ("list",)
        holder.deleteLater()
    return _defaults


def _arity(slot) -> int | None:
    """How many positional arguments ``slot`` takes (None: any number)."""
    try:
        parameters = inspect.signature(slot).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


class _Signal:
    """A stand-in's signal: the slots connected to it, called on ``emit`` with as many of
    its arguments as each takes (as Qt calls a Python slot; worked out on the first emit:
    most stand-ins never emit)."""

    def __init__(self):
        self.slots: list = []

    def connect(self, slot) -> None:
        self.slots.append(slot)

    def emit(self, *args) -> None:
        for slot in list(self.slots):
            n = _arity(slot)
            slot(*(args if n is None else args[:n]))


class _Value:
    """One widget of the form before it exists: a checkable button or group box ("check"), a
    slider or spin box ("value"), or the averaging list (empty: "list")."""

    def __init__(self, form: OptionsStandIn, name: str, spec: tuple):
        self._form, self._name, self._kind = form, name, spec[0]
        self._signals: dict[str, _Signal] = {}
        if self._kind == "check":
            self._checked, self._group = spec[1], spec[2]
        elif self._kind == "value":
            self._value, self._min, self._max = spec[1], spec[2], spec[3]

    def _signal(self, name: str) -> _Signal:
        return self._signals.setdefault(name, _Signal())

    def _stands_in(self, kind: str) -> bool:
        """True while this stands in for a widget of ``kind`` (the form not built)."""
        return self._kind == kind and self._form.form is None

    def __getattr__(self, name):
        """The real widget's attribute (building the form); a signal of the stand-in while
        the form is not built."""
        if name in ("toggled", "valueChanged", "itemClicked") and self._form.form is None:
            return self._signal(name)
        return getattr(getattr(self._form.materialise(), self._name), name)

    # checkable
    def isChecked(self) -> bool:
        return self._checked if self._stands_in("check") else self.__getattr__("isChecked")()

    def setChecked(self, checked: bool) -> None:
        if not self._stands_in("check"):
            return self.__getattr__("setChecked")(checked)
        checked = bool(checked)
        if checked == self._checked:
            return
        if self._group is not None and not checked:
            return  # (Qt: the checked button of an exclusive group stays checked)
        self._checked = checked
        if self._group is not None:  # (Qt: checked first, then the other one unchecked)
            for other in self._form._values.values():
                if other is not self and other._kind == "check" and \
                        other._group == self._group and other._checked:
                    other._checked = False
                    other._signal("toggled").emit(False)
        self._signal("toggled").emit(checked)

    # slider, spin box
    def value(self):
        return self._value if self._stands_in("value") else self.__getattr__("value")()

    def setValue(self, value) -> None:
        if not self._stands_in("value"):
            return self.__getattr__("setValue")(value)
        value = min(max(int(value), self._min), self._max)
        if value != self._value:
            self._value = value
            self._signal("valueChanged").emit(value)

    def minimum(self):
        return self._min if self._stands_in("value") else self.__getattr__("minimum")()

    def maximum(self):
        return self._max if self._stands_in("value") else self.__getattr__("maximum")()

    # the averaging list (its items are only ever added with averaging parameters)
    def count(self) -> int:
        return 0 if self._stands_in("list") else self.__getattr__("count")()

    def clear(self) -> None:
        if not self._stands_in("list"):
            self.__getattr__("clear")()

    def findItems(self, *args) -> list:
        return [] if self._stands_in("list") else self.__getattr__("findItems")(*args)


class OptionsStandIn:
    """A PlotItem's ``ctrl`` (the form) until ``materialise`` builds the real one; also its
    ``ctrlMenu`` and ``stateGroup`` (``_Later``) meanwhile."""

    def __init__(self, plot: PlotItem):
        self._plot = weakref.ref(plot)
        self._values = {name: _Value(self, name, spec) for name, spec in _form_defaults().items()}
        self.form = None  # the real one, once built
        self.constructing = True  # (PlotItem's constructor: its menu's groups are _NoWidget)

    def setupUi(self, _widget) -> None:
        """(PlotItem's constructor builds the form: not yet)"""

    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        if self.__dict__.get("constructing"):
            return _NoWidget()
        return getattr(self.materialise(), name)

    def materialise(self):
        """The real form, built now if it was not (with the plot's menu and state group, as
        PlotItem builds them), in the stand-ins' state and with their connections."""
        if self.form is not None:
            return self.form
        plot = self._plot()
        form = self.form = _real_template.Ui_Form()
        holder = QWidget()
        form.setupUi(holder)
        widgets = [getattr(form, name) for name in self._values]
        for w in widgets:
            w.blockSignals(True)
        for name, v in self._values.items():
            if v._kind == "check":
                getattr(form, name).setChecked(v._checked)
            elif v._kind == "value":
                getattr(form, name).setValue(v._value)
        for w in widgets:
            w.blockSignals(False)
        for name, v in self._values.items():
            for signal, stand_in in v._signals.items():
                for slot in stand_in.slots:
                    getattr(getattr(form, name), signal).connect(slot)
        translate = _module.translate
        items = [(translate("PlotItem", "Transforms"), form.transformGroup),
                 (translate("PlotItem", "Downsample"), form.decimateGroup),
                 (translate("PlotItem", "Average"), form.averageGroup),
                 (translate("PlotItem", "Alpha"), form.alphaGroup),
                 (translate("PlotItem", "Grid"), form.gridGroup),
                 (translate("PlotItem", "Points"), form.pointsGroup)]
        menu = _real_qtwidgets.QMenu(translate("PlotItem", "Plot Options"))
        for name, group in items:
            sub = menu.addMenu(name)
            action = _real_qtwidgets.QWidgetAction(plot)
            action.setDefaultWidget(group)
            sub.addAction(action)
        state = _real_widget_group()
        for _, group in items:
            state.autoAdd(group)
        plot.ctrl, plot.ctrlMenu, plot.stateGroup = form, menu, state
        return form


class _Later:
    """``ctrlMenu`` or ``stateGroup`` of a plot whose form is not built: any use builds it
    (``setParent(None)``, the menu closed with its plot, excepted)."""

    def __init__(self, form: OptionsStandIn, attribute: str):
        self._form, self._attribute = form, attribute

    def setParent(self, *args):
        if self._form.form is None and args == (None,):
            return None
        return self._real().setParent(*args)

    def _real(self):
        plot = self._form._plot()
        self._form.materialise()
        return getattr(plot, self._attribute)

    def __getattr__(self, name):
        return getattr(self._real(), name)


class _NoWidget:
    """What PlotItem's constructor gets for the form's widgets and menus meanwhile."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return lambda *args, **kwargs: _NoWidget()


class _QtWidgetsWithoutForm:
    """``QtWidgets`` for PlotItem's constructor: the form's QWidget, QMenu and QWidgetAction
    are ``_NoWidget``; everything else is Qt's."""

    QWidget = QMenu = QWidgetAction = _NoWidget

    def __getattr__(self, name):
        return getattr(_real_qtwidgets, name)


class _FormlessTemplate:
    class Ui_Form(_NoWidget):
        pass



def _init(self, *args, **kwargs) -> None:
    """PlotItem's constructor with ``OptionsStandIn`` for the form, its menu and state
    group."""
    _module.QtWidgets, _module.ui_template = _QtWidgetsWithoutForm(), _FormlessTemplate
    _module.WidgetGroup = _NoWidget
    stand_in = None

    def ctrl_for(plot):
        nonlocal stand_in
        stand_in = OptionsStandIn(plot)
        return stand_in

    try:
        _FormlessTemplate.Ui_Form = lambda: ctrl_for(self)  # (self: the plot being built)
        _real_init(self, *args, **kwargs)
    finally:
        _module.QtWidgets, _module.ui_template = _real_qtwidgets, _real_template
        _module.WidgetGroup = _real_widget_group
    stand_in.constructing = False
    self.ctrlMenu = _Later(stand_in, "ctrlMenu")
    self.stateGroup = _Later(stand_in, "stateGroup")


def _get_menu(self):
    if isinstance(self.ctrl, OptionsStandIn):
        self.ctrl.materialise()
    return _real_get_menu(self)


def _get_context_menus(self, event):
    if isinstance(self.ctrl, OptionsStandIn) and self.menuEnabled():
        self.ctrl.materialise()
    return _real_context_menus(self, event)


def install() -> None:
    """New PlotItems (and ColorBarItems) build their options form when first needed."""
    PlotItem.__init__ = _init
    PlotItem.getMenu = _get_menu
    PlotItem.getContextMenus = _get_context_menus
