"""The main window's menu bar and training toolbar, and the QAction factory they share.

``make_action`` gives a window-wide shortcut and a tooltip that names it; ``build_menus`` and
``build_toolbar`` lay out actions the window (and its ``SessionActions``) already made.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QStyle, QToolBar

from nnviz.experiment import DEFAULT_PRESET, PRESET_PACE, PRESETS
from nnviz.gui.speed import SPEED_MAX, PaceSpinBox


def make_action(parent, text: str, shortcut, tip: str, handler, checkable=False) -> QAction:
    """An action of ``parent`` (a window: its shortcut works wherever focus is in it)."""
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.WindowShortcut)
    action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})" if shortcut else tip)
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(handler)
    parent.addAction(action)
    return action


def build_menus(w) -> None:
    """File, Edit, Training, Presets, View, Tools and Help menus of main window ``w``."""
    bar = w.menuBar()
    file = bar.addMenu("&File")
    opening, exports = w.sessions.file_actions()
    for act in (w.act_open_csv, w.draws.act_new_drawing, *opening):
        file.addAction(act)
    file.addSeparator()
    for act in (*exports, w.draws.act_save_csv):
        file.addAction(act)
    if hasattr(w, "act_export_recording"):
        file.addAction(w.act_export_recording)
    file.addSeparator()
    file.addAction(w.act_quit)
    edit = bar.addMenu("&Edit")
    edit.addAction(w.edit_actions.undo)
    edit.addAction(w.edit_actions.redo)
    edit.addSeparator()
    edit.addAction(w.edit_actions.set_value)
    train = bar.addMenu("&Training")
    for act in (w.act_play, w.act_step_sample, w.act_step_batch, w.act_step_epoch, w.act_reset,
                w.draws.act_refit):
        train.addAction(act)
    train.addSeparator()
    for act in (w.act_next_phase, w.act_next_walk_sample, w.act_back_phase):
        train.addAction(act)
    train.addSeparator()
    train.addAction(w.act_pin)
    train.addAction(w.act_compare)
    presets = bar.addMenu("&Presets")
    for name, config in PRESETS.items():
        act = presets.addAction(name)
        act.setToolTip(config.description)
        act.setStatusTip(config.description)
        act.triggered.connect(lambda _=False, n=name: w._on_preset_chosen(n))
    view = bar.addMenu("&View")
    for dock in w.docks.values():
        view.addAction(dock.toggleViewAction())
    view.addSeparator()
    for act in getattr(w, "timeline", None) and w.timeline.actions or ():
        view.addAction(act)
    view.addSeparator()
    view.addAction(w.act_reset_layout)
    bar.addMenu("&Tools").addAction(w.act_race)
    bar.addMenu("&Help").addAction(w.act_about)


def build_toolbar(w) -> tuple[QToolBar, PaceSpinBox]:
    """The training toolbar of main window ``w`` -> (toolbar, its pace box); the pace box is
    followed by ``w.act_full_speed``."""
    tb = QToolBar("Training")
    tb.setObjectName("trainingToolbar")
    tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    sp = QStyle.StandardPixmap
    icons = {w.act_play: sp.SP_MediaPlay, w.act_step_sample: sp.SP_MediaSeekForward,
             w.act_step_batch: sp.SP_MediaSkipForward,
             w.act_step_epoch: sp.SP_ArrowForward, w.act_reset: sp.SP_BrowserReload}
    for act, icon in icons.items():
        act.setIcon(w.style().standardIcon(icon))
        tb.addAction(act)
    tb.addSeparator()
    tb.addWidget(QLabel(" Speed "))
    speed = PaceSpinBox()
    speed.setMinimumWidth(120)
    speed.setValue(PRESET_PACE[DEFAULT_PRESET] or SPEED_MAX)
    tb.addWidget(speed)
    w.act_full_speed.setIcon(w.style().standardIcon(sp.SP_MediaSeekForward))
    tb.addAction(w.act_full_speed)
    tb.addSeparator()
    tb.addAction(w.act_pin)
    tb.addAction(w.act_compare)
    w.addToolBar(Qt.TopToolBarArea, tb)
    return tb, speed
