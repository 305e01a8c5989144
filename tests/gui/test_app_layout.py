"""The window's layout on laptop and desktop screens: nothing cut, every plot readable.

At 1280x720 (1920x1080 at 150%), 1366x768 and 1920x1080 logical pixels, on several presets:
no label, button, combo, plot title or axis label is narrower than its text; no plot's data
area (ViewBox) is under MIN_DATA px; no plot or colour bar lies outside its view; no panel
scrolls; the network is the largest panel. Step mode: the phase strip and the loss landscape
in view, without scrolling.
"""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QTabBar,
    QWidget,
)

from nnviz.diagram_model import Selection
from nnviz.gui.widgets import PanelScrollArea

SIZES = [(1280, 720), (1366, 768), (1920, 1080)]
MIN_DATA = 50  # px of data area a plot keeps in both directions
SLACK = 1  # px of rounding


def settle(qtbot, w, size):
    w.resize(*size)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.dock_layout._size == w.size(), timeout=3000)
    for _ in range(10):  # the posted re-layouts that follow a resize (no waiting on time)
        QApplication.processEvents()
    w.dispatcher.flush()
    for _ in range(10):
        QApplication.processEvents()


def seen(widget: QWidget) -> bool:
    """Shown on screen: visible, not in a hidden tab, not scrolled out of view."""
    if isinstance(widget, QAbstractScrollArea):  # its viewport covers it
        widget = widget.viewport()
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def panel_docks(w):
    return [d for name, d in w.docks.items() if name != "controls" and seen(d)]


def cut_widgets(root: QWidget) -> list[str]:
    """Labels, buttons and combos narrower (or, wrapped, shorter) than their text needs."""
    cut = []
    for label in root.findChildren(QLabel):
        text = label.text()
        if not seen(label) or not text or label.textFormat() == 1 or "<" in text:
            continue
        room = label.contentsRect().width() - 2 * label.margin()
        if label.wordWrap():
            need_h = label.heightForWidth(label.width())
            if need_h > label.height() + SLACK:
                cut.append(f"label {text!r}: {need_h} px tall in {label.height()}")
        else:
            need = max(QFontMetrics(label.font()).horizontalAdvance(line)
                       for line in text.split("\n"))
            if need > room + SLACK:
                cut.append(f"label {text!r}: {need} px in {room}")
    for button in root.findChildren(QAbstractButton):
        if seen(button) and button.text() and button.metaObject().className() != "QToolButton":
            need = button.sizeHint().width()
            if need > button.width() + SLACK:
                cut.append(f"button {button.text()!r}: {need} px in {button.width()}")
    for combo in root.findChildren(QComboBox):
        if seen(combo) and combo.currentText():
            need = QFontMetrics(combo.font()).horizontalAdvance(combo.currentText())
            room = combo.width() - (combo.sizeHint().width() - QFontMetrics(combo.font())
                                    .horizontalAdvance(max((combo.itemText(i) for i in range(
                                        combo.count())), key=len, default="")))
            if need > room + SLACK:
                cut.append(f"combo {combo.currentText()!r}: {need} px in {room}")
    return cut


def graphics_problems(root: QWidget) -> list[str]:
    """Plots under MIN_DATA px, titles and axis labels longer than their room, plots and
    colour bars outside their view, text in a plot (the diagram's hidden counts, names)
    running out of its plot."""
    problems = []
    for view in root.findChildren(pg.GraphicsView):
        if not seen(view):
            continue
        shown = view.mapToScene(view.viewport().rect()).boundingRect().adjusted(-1, -1, 1, 1)
        for item in view.scene().items():
            if isinstance(item, (pg.PlotItem, pg.ColorBarItem)) and item.isVisible():
                if not shown.contains(item.sceneBoundingRect()):
                    problems.append(f"{type(item).__name__} outside its view in "
                                    f"{view.parent().objectName() or view}")
            if isinstance(item, pg.ColorBarItem) and item.isVisible():
                axis = item.axis
                need = axis.label.boundingRect().width()
                if axis.labelText and axis.label.isVisible() and need > item.height() + SLACK:
                    problems.append(f"colour bar label {axis.labelText!r}: {need:.0f} px in "
                                    f"{item.height():.0f}")
            if (isinstance(item, pg.AxisItem) and item.isVisible() and item.labelText
                    and item.label.isVisible() and not shown.contains(glyphs(item.label))):
                problems.append(f"axis label {item.labelText!r} runs out of its view")
            if isinstance(item, pg.TextItem) and item.isVisible() and \
                    item.textItem.toPlainText() and item.getViewBox() is not None:
                box = item.getViewBox().sceneBoundingRect().adjusted(-1, -1, 1, 1)
                if not box.contains(glyphs(item.textItem)):
                    problems.append(f"text {item.textItem.toPlainText()!r} runs out of its "
                                    f"plot in {view.parent().objectName() or view}")
            if (not isinstance(item, pg.PlotItem) or isinstance(item, pg.ColorBarItem)
                    or not item.isVisible()):
                continue
            vb = item.vb
            if vb.width() < MIN_DATA or vb.height() < MIN_DATA:
                problems.append(f"plot {item.titleLabel.text!r}: data area "
                                f"{vb.width():.0f}x{vb.height():.0f}")
            title = item.titleLabel
            if title.isVisible() and title.text:
                need = title.item.boundingRect().width()
                if need > item.width() + SLACK:
                    problems.append(f"title {title.text!r}: {need:.0f} px in {item.width():.0f}")
                if not shown.contains(glyphs(title.item)):
                    problems.append(f"title {title.text!r} runs out of its view")
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                if not axis.isVisible() or not axis.label.isVisible() or not axis.labelText:
                    continue
                need = axis.label.boundingRect().width()
                room = vb.height() if name == "left" else vb.width()
                if need > room + SLACK:
                    problems.append(f"axis label {axis.labelText!r}: {need:.0f} px in "
                                    f"{room:.0f}")
    return problems


def glyphs(text_item):
    """A QGraphicsTextItem's text in scene coordinates, without its document's margin."""
    m = text_item.document().documentMargin()
    return text_item.mapRectToScene(text_item.boundingRect().adjusted(m, m, -m, -m))


def overlapping_texts(root: QWidget) -> list[str]:
    """Text drawn in a plot (the diagram's counts of hidden connections, its gradient strip's
    values, the inputs' and outputs' names) that runs into other text."""
    problems = []
    for view in root.findChildren(pg.GraphicsView):
        if not seen(view):
            continue
        texts = [(t.textItem.toPlainText(), glyphs(t.textItem))
                 for t in view.scene().items() if isinstance(t, pg.TextItem) and t.isVisible()
                 and t.textItem.toPlainText()]
        for i, (a, ra) in enumerate(texts):
            for b, rb in texts[i + 1:]:
                if ra.intersects(rb):
                    problems.append(f"texts {a!r} and {b!r} overlap")
    return problems


def cut_tabs(w) -> list[str]:
    """Dock tabs narrower than their title (elided: "Hidde...", "B...") or out of their bar
    (behind its scroll arrows)."""
    cut = []
    for bar in w.findChildren(QTabBar):
        if not seen(bar):
            continue
        for i in range(bar.count()):
            rect, need = bar.tabRect(i), bar.tabSizeHint(i)  # (a vertical tab's: turned)
            if (rect.width() + SLACK < need.width() or rect.height() + SLACK < need.height()
                    or not bar.rect().contains(rect)):
                cut.append(f"tab {bar.tabText(i)!r}: {rect.size().toTuple()} px of "
                           f"{need.toTuple()}, at {rect.topLeft().toTuple()} in a bar "
                           f"{bar.size().toTuple()}")
    return cut


def tab_bars(w) -> list[tuple[QTabBar, int]]:
    """(bar, index) of every dock tab shown."""
    return [(bar, i) for bar in w.findChildren(QTabBar) if seen(bar)
            for i in range(bar.count())]


def scrolling(w) -> list[str]:
    out = []
    for dock in panel_docks(w):
        area = dock.widget()
        if isinstance(area, PanelScrollArea):
            for bar in (area.verticalScrollBar(), area.horizontalScrollBar()):
                if bar.maximum() > 0:
                    out.append(f"{dock.objectName()} scrolls")
    return out


def trained_at(qtbot, w, size, steps: int = 30) -> None:
    """``steps`` steps as fast as possible (a preset opens at a watchable pace), then the
    window at ``size`` once its layout has settled."""
    w.controller.set_speed(None)
    w.controller.run_steps(steps)
    qtbot.waitUntil(lambda: w.controller.snapshot.step >= steps
                    and w.controller.worker.idle.is_set(), timeout=60000)
    settle(qtbot, w, size)


def panel_problems(w) -> list[str]:
    """What is cut, outside its view or overlapping in the panels shown, by dock."""
    problems = []
    for dock in panel_docks(w):
        for check in (cut_widgets, graphics_problems, overlapping_texts):
            problems += [f"{dock.objectName()}: {p}" for p in check(dock)]
    return problems


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("preset", ["xor", "function-fit", "iris"])
def test_nothing_is_cut_and_every_plot_is_readable(make_window, qtbot, preset, size):

    w = make_window(preset)
    trained_at(qtbot, w, size)
    problems = panel_problems(w)
    problems += [f"controls: {p}" for p in cut_widgets(w.docks["controls"])]  # (in view)
    problems += scrolling(w) + cut_tabs(w)
    assert not problems, "\n".join(problems)
    # the network is the largest panel
    network = w.docks["networkDiagram"]
    area = network.width() * network.height()
    assert all(area >= d.width() * d.height() for d in panel_docks(w))


@pytest.mark.parametrize("preset", ["xor", "iris"])
def test_a_small_screen_cuts_nothing(make_window, qtbot, preset):
    """1024x700, below the laptop sizes: the controls as narrow as their form allows, nothing
    cut or overlapping in the panels shown (the others are tabs); the diagram drops the
    inputs' and outputs' names beside it rather than shrink the network to a dot."""
    w = make_window(preset)
    trained_at(qtbot, w, (1024, 700))
    problems = panel_problems(w)
    problems += scrolling(w)  # (the tabs' titles there are elided: docks.py, "small")
    assert not problems, "\n".join(problems)
    controls = w.docks["controls"]
    assert controls.width() <= 350, controls.width()
    panel = w.panels["networkDiagram"]
    drawn = panel.vb.mapViewToScene(panel.neurons.boundingRect()).boundingRect()
    assert drawn.width() >= 0.5 * panel.vb.sceneBoundingRect().width()


def test_a_small_screen_shows_function_fits_maps_one_at_a_time(make_window, qtbot):
    """1024x700 with function-fit's four plots (two by two they had ~24 px of data each): the
    predicted-vs-true panel shows the one its selector names, readable, nothing cut there or
    in the other panels shown."""
    w = make_window("function-fit")
    trained_at(qtbot, w, (1024, 700))
    heat = w.panels["heatmaps"]
    assert seen(heat) and seen(heat.map_choice)
    problems = panel_problems(w)
    problems += scrolling(w)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_tab_clicked_shows_its_panel_whole(make_window, qtbot, size):
    """On a laptop screen every panel is a click on a whole title away (the right column's
    five titles were elided to "Inputs, ...", "Pr...", "Hidde...", "Distri...", "B..."), and
    each panel a tab brings forward is readable: nothing cut, no plot too small, no scrolling."""
    w = make_window("circles")
    trained_at(qtbot, w, size, steps=200)  # (the distributions' first records)
    assert not cut_tabs(w), "\n".join(cut_tabs(w))
    titles = {bar.tabText(i) for bar, i in tab_bars(w)}
    assert all(seen(dock) or dock.windowTitle() in titles for dock in w.docks.values())
    for bar, i in tab_bars(w):
        qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(i).center())
        assert bar.currentIndex() == i
        settle(qtbot, w, size)
        problems = []

        def whole(problems=problems):  # (a panel built by the click lays out over turns)
            problems[:] = panel_problems(w) + scrolling(w) + cut_tabs(w)
            return not problems

        try:
            qtbot.waitUntil(whole, timeout=2000)
        except qtbot.TimeoutError:
            pass
        assert not problems, f"with {bar.tabText(i)!r} in front:\n" + "\n".join(problems)


def test_growing_the_window_gives_the_room_to_the_panels(make_window, qtbot):
    w = make_window("xor")
    settle(qtbot, w, (1366, 768))
    controls, network = w.docks["controls"].width(), w.docks["networkDiagram"].width()
    settle(qtbot, w, (1920, 1080))
    assert w.docks["controls"].width() == controls
    grown = w.docks["networkDiagram"].width()
    assert grown > network + 200
    settle(qtbot, w, (1366, 768))  # and back: the same proportions
    assert abs(w.docks["networkDiagram"].width() - network) <= 4


@pytest.mark.parametrize("size", SIZES[:2], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("preset", ["function-fit", "iris"])
def test_step_mode_shows_the_phase_strip_and_the_landscape(make_window, qtbot, preset, size):
    w = make_window(preset)
    settle(qtbot, w, size)
    for _ in range(3):
        w.act_next_phase.trigger()
    qtbot.waitUntil(lambda: len(w.panels["backpropInspector"]._phase_labels) > 0,
                    timeout=5000)
    settle(qtbot, w, size)
    inspector = w.panels["backpropInspector"]
    dock = w.docks["backpropInspector"]
    assert seen(dock) and isinstance(dock, QDockWidget)
    shown = dock.widget().viewport().rect()
    for widget in [*inspector._phase_labels, *inspector.buttons.values(),
                   inspector.landscape_plot, inspector.landscape_button]:
        assert seen(widget), widget
        rect = widget.rect().translated(widget.mapTo(dock.widget().viewport(),
                                                     widget.rect().topLeft()))
        assert shown.contains(rect), (widget, rect, shown)
    problems = cut_widgets(dock) + graphics_problems(dock) + scrolling(w) + sideways(inspector)
    assert not problems, "\n".join(problems)


def sideways(inspector) -> list[str]:
    """The explanation scrolls sideways (an equation wider than its text area)."""
    bar = inspector.text.horizontalScrollBar()
    return [f"the explanation scrolls sideways by {bar.maximum()} px"] if bar.maximum() else []


def test_iris_step_mode_on_a_laptop_never_scrolls_the_explanation_sideways(make_window,
                                                                           qtbot):
    """Iris in the window of a 1280x720 screen (1240x660), N pressed through a whole step:
    each phase's equations (dL/dz of three classes, Σ w·delta over three, z = Σ w·x + b
    over four inputs) fit the text's width, continued on rows where too long (it scrolled
    sideways by 33-454 px)."""
    w = make_window("iris")
    settle(qtbot, w, (1240, 660))
    w.activateWindow()
    inspector = w.panels["backpropInspector"]
    n_phases = 2 * len(w.controller.experiment.net.weights) + 2
    for k in range(1, n_phases + 1):
        qtbot.keyClick(w, Qt.Key_N)
        qtbot.waitUntil(lambda k=k: inspector._view is not None
                        and inspector._view.position == k, timeout=5000)
        settle(qtbot, w, (1240, 660))
        assert not sideways(inspector), (k, inspector.equations())


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_network_drawing_fills_its_box(make_window, qtbot, size):
    """xor (2-4-1) is a small network: its drawing (neurons and the inputs' and outputs'
    names) still spans most of the diagram's width (the layer spacing follows the box) and
    of its height (no empty room below kept for hidden-connection counts it never has: the
    neurons spanned ~78% of the box's height at 1280x720 and 1920x1080, now 82-87%)."""
    w = make_window("xor")
    settle(qtbot, w, size)
    panel = w.panels["networkDiagram"]
    box = panel.vb.sceneBoundingRect()
    drawn = panel.vb.mapViewToScene(panel.neurons.boundingRect().united(
        panel.off_inputs.boundingRect())).boundingRect()  # (with the inputs not chosen)
    assert drawn.height() >= 0.8 * box.height(), (drawn, box)
    for label in panel.io_labels:
        drawn = drawn.united(label.textItem.mapRectToScene(label.textItem.boundingRect()))
    assert drawn.width() >= 0.7 * box.width(), (drawn, box)
    x, y = panel._layout.neuron_xy[-1]  # the output neuron: hit where it is drawn
    assert panel.hit(x, y) == Selection("neuron", 2, index=0)


def test_a_laptop_window_names_the_inputs_and_outputs(make_window, qtbot):
    """Iris in the window a 1280x720 screen gives (1240x660): the diagram names its four
    measurements and three species beside the network (they were left out, the names taking
    just over half the box's width), nothing cut or overlapping."""
    w = make_window("iris")
    trained_at(qtbot, w, (1240, 660))
    panel = w.panels["networkDiagram"]
    shown = {label.textItem.toPlainText() for label in panel.io_labels if label.isVisible()}
    assert shown >= {"sepal_length", "petal_width", "setosa", "virginica"}, shown
    problems = panel_problems(w) + scrolling(w) + cut_tabs(w)
    assert not problems, "\n".join(problems)


def test_step_mode_on_a_laptop_reads_the_chain_rule_in_a_full_text_area(make_window, qtbot):
    """The window of a 1280x720 screen (1240x660), the Backprop tab clicked, N pressed three
    times: the explanation gets most of the stacked room (it had ~5 lines above a landscape
    not drawn yet), and the landscape's hint sits on a white ground over the training path
    it shares the plot with (the path ran through its words)."""
    w = make_window("xor")
    trained_at(qtbot, w, (1240, 660), steps=200)  # (a path on the landscape's plot)
    bar, i = next((bar, i) for bar, i in tab_bars(w) if bar.tabText(i) == "Backprop")
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(i).center())
    w.activateWindow()
    for _ in range(3):
        qtbot.keyClick(w, Qt.Key_N)
    inspector = w.panels["backpropInspector"]
    qtbot.waitUntil(lambda: len(inspector._phase_labels) > 0, timeout=5000)
    settle(qtbot, w, (1240, 660))
    text = inspector.text
    lines = text.viewport().height() / text.fontMetrics().lineSpacing()
    assert lines >= 9, lines
    assert text.viewport().height() > inspector.landscape_plot.height()
    hint = inspector.landscape_hint
    assert hint.isVisible() and hint.fill.color().alpha() >= 200
    assert hint.fill.color().lightness() == 255
    assert not sideways(inspector)


def test_a_toolbar_buttons_tip_is_whole_in_the_status_bar(make_window, qtbot):
    """The window of a 1280x720 screen (1240x660): the mouse over each toolbar button puts
    its tip in the status bar, whole, left of the timeline and the counters ("train until the
    end of the current epoc" was cut there)."""
    from PySide6.QtWidgets import QToolButton

    w = make_window("xor")
    settle(qtbot, w, (1240, 660))
    bar = w.statusBar()
    for action in w.toolbar.actions():
        button = w.toolbar.widgetForAction(action)
        if not action.statusTip() or not isinstance(button, QToolButton):
            continue
        qtbot.mouseMove(button, button.rect().center())
        qtbot.waitUntil(lambda a=action: bar.currentMessage() == a.statusTip(), timeout=3000)
        room = min(c.geometry().x() for c in bar.findChildren(QWidget)
                   if c.parentWidget() is bar and c.isVisible()) - 8
        need = QFontMetrics(bar.font()).horizontalAdvance(action.statusTip())
        assert need <= room, (action.statusTip(), need, room)
