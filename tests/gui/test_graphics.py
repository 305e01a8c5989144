"""The shared graphics items and helpers (nnviz.gui.graphics)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QImage, QPainter, QPen

from nnviz.gui.colormaps import pen
from nnviz.gui.graphics import (
    LABEL_SPACE,
    MIN_LABEL_GAP,
    DecadeAxis,
    GridAxis,
    MarksItem,
    SegmentsItem,
    compact_number,
    contour_segments,
    grid_axes,
    grouped,
    power_of_ten,
    roomy_ticks,
    show_grid,
)


def test_grouped_batches_items_by_style_in_order():
    items = list("abcdef")
    batches = grouped(items, [1, 0, -1, 1, 2, 0], ["s0", "s1", "s2"], order=[2, 0, 1])
    assert batches == [("s2", ["e"]), ("s0", ["b", "f"]), ("s1", ["a", "d"])]  # -1: left out
    assert grouped(items, [-1] * 6, ["s0"]) == []


def test_marks_item_draws_each_group_with_its_brush(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    marks = MarksItem("circle", pen("k"))
    plot.addItem(marks)
    marks.setMarks(np.array([[0, 0], [1, 0], [2, 0]]), 0.5)
    assert marks.count() == 3
    red, blue = QBrush(QColor("red")), QBrush(QColor("blue"))
    marks.setGroups([0, 1, -1], [red, blue])
    assert marks.count() == 2
    assert marks.boundingRect().contains(2.0, 0.0)
    image = QImage(60, 60, QImage.Format_RGB32)
    image.fill(Qt.white)
    painter = QPainter(image)
    painter.scale(20, 20)
    painter.translate(0.5, 1.0)
    marks.paint(painter)
    painter.end()
    assert QColor(image.pixel(10, 20)) == QColor("red")  # centre of the first mark
    assert QColor(image.pixel(30, 20)) == QColor("blue")
    assert QColor(image.pixel(50, 20)) == QColor("white")  # group -1: not drawn


@pytest.mark.parametrize("angle", [0, 90])
def test_circles_land_where_the_view_puts_them_and_leave_the_painter_as_found(angle):
    """Scale-only views draw circles in device pixels (faster); a rotated one keeps Qt's own
    path. Either way the mark covers its centre, not its old place, and the painter's
    transform is the same afterwards."""
    marks = MarksItem("circle", pen("k"))
    marks.setMarks(np.array([[1.0, 0.0]]), 0.5)
    marks.setGroups([0], [QBrush(QColor("red"))])
    image = QImage(60, 60, QImage.Format_RGB32)
    image.fill(Qt.white)
    painter = QPainter(image)
    painter.translate(30, 30)
    painter.rotate(angle)
    painter.scale(20, 20)
    before = painter.transform()
    marks.paint(painter)
    assert painter.transform() == before
    painter.end()
    x, y = (50, 30) if angle == 0 else (30, 50)  # (1, 0) in view units
    assert QColor(image.pixel(x, y)) == QColor("red")
    assert QColor(image.pixel(30, 30)) == QColor("white")


def test_marks_item_refuses_an_unknown_shape():
    try:
        MarksItem("hexagon")
    except ValueError as exc:
        assert "hexagon" in str(exc)
    else:
        raise AssertionError("no error")


def test_segments_item_counts_what_it_draws(qtbot):
    item = SegmentsItem()
    item.setSegments(np.array([[0, 0, 1, 1], [0, 1, 1, 0]]))
    item.setGroups([0, -1], [QPen(Qt.black)])
    assert item.segment_count() == 1


def test_compact_numbers_on_the_step_axis():
    assert [compact_number(v) for v in (950, 12_500, 500_000, 1e6, 1.5e6, -3000)] == [
        "950", "12.5k", "500k", "1M", "1.5M", "-3k"]
    axes = grid_axes(compact_x=True)
    assert axes["bottom"].tickStrings([0, 5e5, 1e6], 1.0, 5e5) == ["0", "500k", "1M"]
    assert axes["left"].tickStrings([0.5], 1.0, 0.1) == ["0.5"]  # the y axis: pyqtgraph's own


def test_grid_is_opaque_and_behind_the_data(qtbot):
    widget = pg.PlotWidget(axisItems=grid_axes())
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    show_grid(plot)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    image = QImage(10, 10, QImage.Format_RGB32)
    painter = QPainter(image)
    _, ticks, _ = plot.getAxis("bottom").generateDrawSpecs(painter)
    painter.end()
    assert ticks and all(pen.color().alpha() == 255 for pen, _, _ in ticks)
    assert min(pen.color().lightness() for pen, _, _ in ticks) > 180  # faint: blended on white
    assert plot.getViewBox().zValue() > plot.getAxis("left").zValue()


def test_contour_segments_lie_on_the_level():
    i, j = np.meshgrid(np.arange(40), np.arange(30), indexing="ij")
    line = contour_segments(0.5 * i - 3.15, 0.0)  # zero at i = 6.3: x = 6.8 with the pixel offset
    assert len(line) == 29 and np.allclose(line[:, [0, 2]], 6.8)
    assert np.allclose(np.sort(line[:, 1]), np.arange(29) + 0.5)  # one segment per row of cells
    rng = np.random.default_rng(3)
    field = rng.random((25, 20))
    segments = contour_segments(field, 0.5)
    ends = np.vstack((segments[:, :2], segments[:, 2:])) - 0.5
    for x, y in ends:  # each end is on a cell edge where the linear interpolation is 0.5
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        if x == x0:
            y1 = min(y0 + 1, field.shape[1] - 1)
            value = field[x0, y0] + (y - y0) * (field[x0, y1] - field[x0, y0])
        else:
            x1 = min(x0 + 1, field.shape[0] - 1)
            value = field[x0, y0] + (x - x0) * (field[x1, y0] - field[x0, y0])
        assert value == pytest.approx(0.5, abs=1e-9)


def test_contour_segments_split_a_saddle_by_its_centre():
    saddle = np.array([[1.0, -1.0], [-1.0, 1.0]])  # corners a, d / b, c: a and c positive
    assert len(contour_segments(saddle, 0.0)) == 2
    joined = contour_segments(saddle + 0.5, 0.0)  # centre positive: a and c joined, so the
    assert any(np.allclose(seg, [1.25, 0.5, 1.5, 0.75]) for seg in joined)  # b corner is cut off
    apart = contour_segments(saddle - 0.5, 0.0)  # centre negative: b and d joined, a cut off
    assert any(np.allclose(seg, [0.5, 0.75, 0.75, 0.5]) for seg in apart)
    assert len(contour_segments(np.ones((5, 5)), 0.0)) == 0
    assert contour_segments(np.ones(5), 0.0).shape == (0, 4)


@pytest.mark.parametrize("size", [30, 45, 80, 400])
def test_a_short_vertical_axis_spaces_its_labels(size):
    """Labelled ticks of a left axis are MIN_LABEL_GAP px apart at least (where two fit);
    a tall axis keeps pyqtgraph's own spacing, and so does a horizontal one."""
    axis, plain = GridAxis("left"), pg.AxisItem("left")
    major = axis.tickSpacing(0.0, 0.9, size)[0][0]
    assert size * major / 0.9 >= MIN_LABEL_GAP or major >= 0.9
    if size == 400:
        assert axis.tickSpacing(0.0, 0.9, size) == plain.tickSpacing(0.0, 0.9, size)
    assert GridAxis("bottom").tickSpacing(0.0, 0.9, size) == \
        pg.AxisItem("bottom").tickSpacing(0.0, 0.9, size)


def test_decade_axis_labels_whole_powers_of_ten():
    assert [power_of_ten(v) for v in (-12, -1, 0, 3, 0.5)] == ["10⁻¹²", "10⁻¹", "10⁰", "10³", ""]
    assert all(s >= 1 and float(s).is_integer()
               for s, _ in DecadeAxis("left").tickSpacing(-0.6, 0.4, 200))


def test_a_short_log_axis_labels_only_1_2_5():
    """Within a decade pyqtgraph labels 2, 3, .. 9; on a short axis only 2 and 5 keep their
    labels (the others stay as an unlabelled level, for the grid)."""
    axis = GridAxis("left")
    axis.logMode = True
    (_, labelled), (_, rest) = axis.tickValues(0.0, 1.0, 75)
    assert sorted(round(10**v) for v in labelled) == [2, 5]
    assert len(labelled) + len(rest) == 8
    (_, tall), = axis.tickValues(0.0, 1.0, 400)
    assert len(tall) == 8  # room for all: unchanged


def _contour_cell_by_cell(field: np.ndarray, level: float) -> set:
    """Marching squares one cell at a time (the rules contour_segments states), as a set of
    rounded segments: the reference its vectorised form must reproduce."""
    f = np.where(np.isfinite(field - level), field - level, 0.0)
    out = set()
    for i in range(f.shape[0] - 1):
        for j in range(f.shape[1] - 1):
            a, b, c, d = f[i, j], f[i + 1, j], f[i + 1, j + 1], f[i, j + 1]

            def t(u, v):
                return float(np.clip(np.nan_to_num(u / (u - v), nan=0.5), 0, 1)) \
                    if u != v else 0.5

            pts = [(i + t(a, b), j), (i + 1, j + t(b, c)), (i + t(d, c), j + 1), (i, j + t(a, d))]
            cross = [(a > 0) != (b > 0), (b > 0) != (c > 0), (d > 0) != (c > 0),
                     (a > 0) != (d > 0)]
            if sum(cross) == 2:
                k, m = [e for e in range(4) if cross[e]]
                pairs = [(k, m)]
            elif sum(cross) == 4:
                pairs = [(0, 1), (2, 3)] if ((a + b + c + d) > 0) == (a > 0) else [(3, 0), (1, 2)]
            else:
                pairs = []
            for k, m in pairs:
                seg = (*pts[k], *pts[m])
                out.add(tuple(round(v + 0.5, 9) for v in seg))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_contour_segments_match_the_cell_by_cell_rules(seed):
    rng = np.random.default_rng(seed)
    field = rng.normal(size=rng.integers(2, 14, 2))
    if seed % 2:
        field = np.round(field)  # values exactly at the level and saddles
    if seed >= 4:
        field[rng.random(field.shape) < 0.15] = [np.nan, np.inf][seed % 2]
    got = {tuple(round(v, 9) for v in seg) for seg in contour_segments(field, 0.0).tolist()}
    assert got == _contour_cell_by_cell(field, 0.0)


def test_roomy_ticks_keep_the_labels_of_a_narrow_axis_apart(qtbot):
    """Under a 60 px plot pyqtgraph labelled -20, 0, 20 and 40 (they ran together); a wide
    axis keeps pyqtgraph's spacing."""
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    axis = widget.getPlotItem().getAxis("bottom")
    plain = pg.AxisItem.tickSpacing(axis, -25.0, 45.0, 60)[0][0]
    roomy_ticks(axis)
    major = axis.tickSpacing(-25.0, 45.0, 60)[0][0]
    assert major > plain
    assert 60 * major / 70 >= QFontMetricsF(axis.font()).horizontalAdvance("-20") + LABEL_SPACE
    assert axis.tickSpacing(-25.0, 45.0, 600) == pg.AxisItem.tickSpacing(axis, -25.0, 45.0, 600)


def test_class_brushes_and_pens_share_one_object_a_class(qtbot):
    """(pyqtgraph's symbol atlas draws one symbol per distinct brush or pen object)"""
    from nnviz.gui import colormaps as cm

    labels = np.array([0, 1, 1, 0, 2, 1])
    brushes, pens = cm.class_brushes(labels), cm.class_pens(labels, 2.5)
    assert len({id(b) for b in brushes}) == len({id(p) for p in pens}) == 3
    for k, b, p in zip(labels, brushes, pens):
        assert b.color() == p.color() == cm.class_color(int(k))
        assert p.widthF() == 2.5 and p.isCosmetic()
    assert cm.class_brushes([]) == []
