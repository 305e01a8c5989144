"""Issue 14 item 8: every panel tolerates every finite value it can be given. Runs and
snapshots whose data, weights, gradients, activations, losses and grids hold values near
±1e308, near ±1e-308 (and subnormal), or both mixed in one vector, are fed straight to each
panel and painted: no exception (pyqtgraph's "Not setting range to [nan, nan]"), no Qt
warning, no non-finite range on any axis, and every tick label of every visible axis one
number (no SI multiplier beside an exponent: "(x1e+27)" over "1e+273", no "1e+191G")."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pytest

from nnviz.gui.panels import PANELS
from nnviz.snapshot import RunInfo

BIG = np.finfo(np.float64).max
#: name -> values cycled through every float array and number of a run and a snapshot
PATTERNS = {
    "huge": (1e308, -1e308, BIG, -BIG),
    "tiny": (1e-308, -1e-308, 5e-324, -5e-324),
    "mixed": (1e308, -1e-308, 0.0, -BIG, 5e-324, 1.0),
}
#: every panel; a numpy warning (overflow, invalid value, a NaN cast to int) is a failure:
#: it reached stderr, and a NaN cast to an int colour bin is undefined (a wrong colour)
PANEL_KEYS = [p.key for p in PANELS]


def fill(shape, pattern) -> np.ndarray:
    """An array of ``shape`` cycling through ``pattern``."""
    n = int(np.prod(shape))
    return np.resize(np.array(pattern, dtype=np.float64), n).reshape(shape)


#: history columns that count steps or epochs (kept: the values are the losses)
STEPS = ("x", "step")


def extreme(obj, pattern):
    """``obj`` with every float array and float replaced by ``pattern``'s values (recursively
    through dataclasses, tuples and mappings; ints, bools, text and the history's step
    columns kept)."""
    if isinstance(obj, np.ndarray):
        return fill(obj.shape, pattern) if obj.dtype.kind == "f" else obj
    if isinstance(obj, float) and not isinstance(obj, bool):
        return float(pattern[0]) if math.isfinite(obj) else obj
    if isinstance(obj, tuple):
        return tuple(extreme(o, pattern) for o in obj)
    if isinstance(obj, Mapping):
        return MappingProxyType({k: v if k in STEPS else extreme(v, pattern)
                                 for k, v in obj.items()})
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        skip = {"config", "x_scaler", "dataset", "features", "train_index", "test_index"}
        return dataclasses.replace(obj, **{
            f.name: extreme(getattr(obj, f.name), pattern) for f in dataclasses.fields(obj)
            if f.init and f.name not in skip})
    return obj


def extreme_run(run: RunInfo, pattern) -> RunInfo:
    """``run`` whose dataset's X (and bounds) and scaled training rows hold the pattern."""
    ds = run.dataset
    X = fill(ds.X.shape, pattern)
    Y = fill(ds.Y.shape, pattern) if ds.task == "regression" else ds.Y
    data = dataclasses.replace(ds, X=X, Y=Y, bounds=(), function=None)
    return dataclasses.replace(run, dataset=data, X_train=fill(run.X_train.shape, pattern),
                               Y_train=fill(run.Y_train.shape, pattern)
                               if ds.task == "regression" else run.Y_train)


def assert_finite_ranges(panel) -> None:
    """Every plot in the panel has a finite view range."""
    import pyqtgraph as pg

    for view in panel.findChildren(pg.GraphicsView):
        for vb in [i for i in view.scene().items() if isinstance(i, pg.ViewBox)]:
            (x0, x1), (y0, y1) = vb.viewRange()
            assert all(map(math.isfinite, (x0, x1, y0, y1))), (panel.key, vb.viewRange())


#: the forms of one number a tick label may take (nnviz.ticks): plain, a power of ten, a count
PLAIN = r"-?(\d+\.?\d*|\.\d+)(e[+-]\d+)?"  # 0, 0.25, 1e+200, -5e-305
ONE_NUMBER = re.compile(PLAIN + r"|(\d(\.\d+)?·)?10⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"  # 10⁻⁶, 5·10²⁹⁹
                        r"|-?\d+(\.\d+)?[kMG]")  # 500k, 1.5M


def shown_ticks(widget) -> list[tuple[str, str, list[str]]]:
    """(label, side, tick labels as drawn) of every visible axis in ``widget``'s plots."""
    import pyqtgraph as pg
    from PySide6.QtGui import QImage, QPainter

    found = []
    for view in widget.findChildren(pg.GraphicsView):
        for axis in view.scene().items():
            if not (isinstance(axis, pg.AxisItem) and axis.isVisible()):
                continue
            image = QImage(8, 8, QImage.Format_ARGB32)
            painter = QPainter(image)
            specs = axis.generateDrawSpecs(painter)
            painter.end()
            found.append((axis.labelText, axis.orientation,
                          [text for *_, text in specs[2]] if specs else []))
            assert axis.autoSIPrefixScale == 1.0, (axis.labelText, axis.labelString())
    return found


def assert_one_number_ticks(widget) -> None:
    """Every tick label drawn reads as one number (ONE_NUMBER; a plain one parses as a
    float)."""
    for label, side, texts in shown_ticks(widget):
        for text in texts:
            assert ONE_NUMBER.fullmatch(text), (label, side, text, texts)
            if re.fullmatch(PLAIN, text):
                assert math.isfinite(float(text)), (label, side, text)


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("preset", ["xor", "iris", "function-fit", "single-neuron"])
@pytest.mark.parametrize("key", PANEL_KEYS)
def test_a_panel_draws_extreme_values(qtbot, trained, key, preset, pattern):
    from nnviz.snapshot import run_info

    cls = next(p for p in PANELS if p.key == key)
    panel = cls()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    qtbot.waitExposed(panel)
    exp, snap = trained(preset, 5)
    values = PATTERNS[pattern]
    panel.set_run(extreme_run(run_info(exp), values))
    panel.show_snapshot(extreme(snap, values))
    panel.grab()  # paints every item (a non-finite range raises here, or on a redraw)
    panel.resize(520, 380)
    panel.show_snapshot(extreme(snap, values[::-1]))
    panel.grab()
    assert_finite_ranges(panel)
    assert_one_number_ticks(panel)


@pytest.fixture(scope="module")
def race_view():
    from nnviz.experiment import PRESETS
    from nnviz.race import Race, racer_configs

    race = Race(racer_configs(PRESETS["xor"], ["sgd", "adam"]))
    race.advance(40)
    plane = race.plane()
    return race.view(plane, race.landscape(plane, resolution=5))


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_race_plots_label_extreme_values_as_one_number(qtbot, race_view, pattern):
    """The race window's plots: loss curves (log axis), paths and the landscape over a plane
    whose coordinates and losses hold the pattern's values."""
    from nnviz.gui.race_view import RacePlots

    values = PATTERNS[pattern]
    big = max(abs(v) for v in values)
    land = race_view.landscape
    grid = np.linspace(-big / 2, big / 2, len(land.us))
    view = dataclasses.replace(
        race_view,
        racers=tuple(dataclasses.replace(
            r, curve={**r.curve, "mean": np.abs(fill(r.curve["mean"].shape, values))},
            path=fill(r.path.shape, values)) for r in race_view.racers),
        landscape=dataclasses.replace(land, us=grid, vs=grid,
                                      loss=np.abs(fill(land.loss.shape, values))))
    plots = RacePlots()
    qtbot.addWidget(plots)
    plots.resize(1280, 720)
    plots.show()
    qtbot.waitExposed(plots)
    plots.show_view(view)
    plots.grab()
    assert_finite_ranges(plots)
    assert_one_number_ticks(plots)


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_one_input_regression_plots_label_extreme_values_as_one_number(qtbot, tmp_path,
                                                                        pattern):
    """The prediction panel of a 1-input regression: the curve (y against x) and predicted
    vs true."""
    from nnviz.experiment import PRESETS, build
    from nnviz.snapshot import prediction_grid, run_info, take_snapshot

    path = tmp_path / "line.csv"
    xs = np.linspace(-1, 1, 40)
    path.write_text("x,y\n" + "".join(f"{x},{3 * x + 1}\n" for x in xs))
    exp = build(PRESETS["xor"].replace(dataset="csv", csv_path=str(path), test_ratio=0.25))
    exp.trainer.run(5)
    snap = take_snapshot(exp, grid=prediction_grid(exp))
    cls = next(p for p in PANELS if p.key == "heatmaps")
    panel = cls()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    qtbot.waitExposed(panel)
    values = PATTERNS[pattern]
    panel.set_run(extreme_run(run_info(exp), values))
    panel.show_snapshot(extreme(snap, values))
    panel.grab()
    assert panel.curve_plot is not None and panel.fit_plot is not None
    assert_finite_ranges(panel)
    assert_one_number_ticks(panel)
