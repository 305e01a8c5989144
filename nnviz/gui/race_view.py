"""Drawing an optimiser race (``nnviz.race.RaceView``): the racers' loss curves side by side,
and their paths on the loss landscape of one plane. ``RacePlots`` only draws what a view holds
(the race window's worker and ``nnviz race`` compute it); ``save_picture`` renders one view to
a PNG file, offscreen, for ``nnviz race --picture``.

Left: each racer's step loss (its trainer's bucket means; log scale), one colour per racer
(``cm.RACER_COLORS``), a legend. Right: log10 of the landscape's loss (light: low), contour
lines at 8 levels, each path from the start (black star) to its end (a dot; a cross where it
diverged). The line under the plots says what the plane is and what is approximate.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnviz.errors import NNVizError
from nnviz.gui import colormaps as cm
from nnviz.gui.graphics import colour_bar, contour_segments, style_plot
from nnviz.race import RaceView
from nnviz.scales import plot_values

#: contour lines drawn on the landscape
CONTOURS = 8
#: size of ``save_picture``'s PNG (px)
PICTURE_SIZE = (1500, 640)


def racer_color(i: int) -> str:
    return cm.RACER_COLORS[i % len(cm.RACER_COLORS)]


class RacePlots(QWidget):
    """Loss curves (``curves_plot``) beside the paths on the landscape (``land_plot``),
    ``note`` under them; ``show_view(view)`` draws a ``RaceView``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view: RaceView | None = None
        self._landscape = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        row = QHBoxLayout()
        layout.addLayout(row, 1)

        self.curves_plot = pg.PlotWidget(background="w")
        self.curves_plot.setMinimumSize(260, 200)
        cp = self.curves_plot.getPlotItem()
        style_plot(cp)
        cp.setLogMode(y=True)
        cp.showGrid(x=True, y=True, alpha=0.15)
        cp.setLabel("bottom", "step")
        cp.setLabel("left", "step loss (mean per bucket)")
        cp.getAxis("left").enableAutoSIPrefix(False)
        self.legend = cp.addLegend(offset=(5, -5), labelTextColor=cm.TEXT,
                                   brush=cm.brush((255, 255, 255, 220)), pen=cm.pen(cm.AXIS))
        self.legend.hide()  # (until there are racers to name: empty, it was a small square)
        self.curves: list[pg.PlotDataItem] = []
        row.addWidget(self.curves_plot, 1)

        self.land_plot = pg.PlotWidget(background="w")
        self.land_plot.setMinimumSize(260, 200)
        lp = self.land_plot.getPlotItem()
        style_plot(lp)
        # pale blue where no landscape was computed (white would read as a low loss; a
        # hatch pattern cost ~20 ms a paint, a solid fill nothing)
        lp.getViewBox().setBackgroundColor(cm.UNCOMPUTED)
        self.image = pg.ImageItem()
        lp.addItem(self.image)
        self.contours = pg.PlotCurveItem(pen=cm.pen("#7a7a7a", 1), connect="pairs")
        lp.addItem(self.contours)
        self.bar = colour_bar(cm.LANDSCAPE, "log10 loss", values=(0.0, 1.0))
        self.bar.setImageItem(self.image, insert_in=lp)
        self.outlines: list[pg.PlotDataItem] = []
        self.paths: list[pg.PlotDataItem] = []
        self.ends: list[pg.ScatterPlotItem] = []
        self.start = pg.ScatterPlotItem(symbol="star", size=16, brush=cm.brush("k"),
                                        pen=cm.pen("w", 1))
        lp.addItem(self.start)
        self.start.setZValue(10)
        row.addWidget(self.land_plot, 1)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.note)

    def _ensure(self, n: int) -> None:
        lp = self.land_plot.getPlotItem()
        while len(self.curves) < n:
            i = len(self.curves)
            self.curves.append(self.curves_plot.plot(pen=cm.pen(racer_color(i), 2),
                                                     connect="finite"))
            outline = pg.PlotDataItem(pen=cm.pen("w", 5))
            path = pg.PlotDataItem(pen=cm.pen(racer_color(i), 2.5))
            end = pg.ScatterPlotItem(size=12, brush=cm.brush(racer_color(i)), pen=cm.pen("k", 1))
            for item, z in ((outline, 5), (path, 6), (end, 7)):
                lp.addItem(item)
                item.setZValue(z)
            self.outlines.append(outline)
            self.paths.append(path)
            self.ends.append(end)

    def show_view(self, view: RaceView) -> None:
        """Draw ``view``: curves, paths, the landscape when it is a new one, the note."""
        self.view = view
        self.heading.setText(view.title)
        self._ensure(len(view.racers))
        self.legend.clear()
        self.legend.setVisible(bool(view.racers))
        for i, r in enumerate(view.racers):
            steps, mean = r.curve["step"], r.curve["mean"]
            mean = np.where(np.isfinite(mean) & (mean > 0), mean, np.nan)
            self.curves[i].setData(steps, mean)
            name = r.label if r.divergence is None else f"{r.label} (diverged)"
            self.legend.addItem(self.curves[i], name)
            xy = plot_values(r.path)  # (a path near ±1e308 overflowed its range)
            self.outlines[i].setData(xy[:, 0], xy[:, 1])
            self.paths[i].setData(xy[:, 0], xy[:, 1])
            self.ends[i].setData([xy[-1, 0]], [xy[-1, 1]],
                                 symbol="x" if r.divergence else "o")
        for i in range(len(view.racers), len(self.curves)):
            for item in (self.curves[i], self.outlines[i], self.paths[i], self.ends[i]):
                item.setData([], [])
        self._curve_range(view)
        if view.racers:
            x0, y0 = plot_values(view.racers[0].path[0])
            self.start.setData([x0], [y0])
        lp = self.land_plot.getPlotItem()
        lp.setLabel("bottom", view.plane.labels[0])
        lp.setLabel("left", view.plane.labels[1])
        if view.landscape is not None and view.landscape is not self._landscape:
            self._draw_landscape(view.landscape)
        elif view.landscape is None and self._landscape is not None:
            self._landscape = None
            self.image.clear()
            self.contours.setData([], [])
        self._set_range(view)
        self.note.setText(self.note_text(view))

    def _curve_range(self, view: RaceView) -> None:
        """The loss axis fits the racers still going when some diverged (a diverged curve
        runs off the top, to 1e300 maybe, instead of flattening the others)."""
        cp = self.curves_plot.getPlotItem()
        going = [r.curve["mean"] for r in view.racers if r.divergence is None]
        if len(going) == len(view.racers) or not going:
            cp.enableAutoRange(axis="y")
            return
        means = np.concatenate(going)
        means = means[np.isfinite(means) & (means > 0)]
        if means.size:
            lo, hi = np.log10(means.min()), np.log10(means.max())
            pad = 0.05 * max(hi - lo, 0.1)
            cp.setYRange(lo - pad, hi + pad, padding=0)

    def _set_range(self, view: RaceView) -> None:
        """Show the landscape and every path still going (the paths may have left the grid
        since it was computed: the rest of the view is white, not a landscape)."""
        boxes = [r.path for r in view.racers if r.divergence is None] or [
            r.path for r in view.racers]
        pts = np.vstack(boxes) if boxes else np.zeros((0, 2))
        pts = plot_values(pts[np.isfinite(pts).all(axis=1)])
        land = view.landscape
        if land is not None:
            (x0, y0), (w, h) = self._grid_rect(land)
            pts = np.vstack([pts, [[x0, y0], [x0 + w, y0 + h]]])
        if not len(pts):
            return
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.0 if land is not None and self._inside(pts[:-2], land) else 0.05
        span = np.maximum(hi / 2 - lo / 2, 5e-10) * 2  # (hi - lo overflowed past 1.8e308)
        rng = (tuple(lo - pad * span), tuple(hi + pad * span))
        if rng != getattr(self, "_range", None):
            self._range = rng
            self.land_plot.getPlotItem().setRange(xRange=(rng[0][0], rng[1][0]),
                                                  yRange=(rng[0][1], rng[1][1]), padding=0)

    @staticmethod
    def _grid_rect(land) -> tuple[tuple[float, float], tuple[float, float]]:
        """((x0, y0), (width, height)) of the landscape's cells (each centred on a grid
        point), within what a plot can draw (``plot_values``)."""
        us, vs = (plot_values(a) / 2 for a in (land.us, land.vs))  # halves: no overflow
        du, dv = (us[-1] - us[0]) / (len(us) - 1), (vs[-1] - vs[0]) / (len(vs) - 1)
        x0, y0 = plot_values([us[0] * 2 - du, vs[0] * 2 - dv])
        return (x0, y0), (2 * (us[-1] - us[0] + du), 2 * (vs[-1] - vs[0] + dv))

    @staticmethod
    def _inside(pts: np.ndarray, land) -> bool:
        return bool(len(pts) == 0 or (
            (pts[:, 0] >= land.us[0]).all() and (pts[:, 0] <= land.us[-1]).all()
            and (pts[:, 1] >= land.vs[0]).all() and (pts[:, 1] <= land.vs[-1]).all()))

    def _draw_landscape(self, land) -> None:
        self._landscape = land
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.log10(land.loss.T)  # the image is [x, y]
        finite = z[np.isfinite(z)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        hi = max(hi, lo + 1e-9)
        z = np.where(np.isfinite(z), z, hi)
        z = np.where(z < lo, lo, z)
        self.image.setImage(z, autoLevels=False, levels=(lo, hi))
        (x0, y0), (w, h) = self._grid_rect(land)
        du, dv = w / len(land.us), h / len(land.vs)
        self.image.setRect(x0, y0, w, h)
        self.bar.setLevels((lo, hi))
        segs = [contour_segments(z, level) for level in np.linspace(lo, hi, CONTOURS + 2)[1:-1]]
        segs = np.vstack(segs) if segs else np.zeros((0, 4))
        xs = x0 + np.column_stack([segs[:, 0], segs[:, 2]]).ravel() * du
        ys = y0 + np.column_stack([segs[:, 1], segs[:, 3]]).ravel() * dv
        self.contours.setData(xs, ys, connect="pairs")

    @staticmethod
    def note_text(view: RaceView) -> str:
        """What the picture shows and what in it is approximate."""
        going = sum(r.divergence is None for r in view.racers)
        parts = [f"Step {view.step}" + (" (finished)" if view.finished else "") + "."]
        if going < len(view.racers):
            parts.append(f"{len(view.racers) - going} diverged (×: its last finite point; the "
                         "plane, the grid and the loss axis fit the others).")
        parts.append(view.plane.note[0].upper() + view.plane.note[1:] + ".")
        land = view.landscape
        if land is not None:
            parts.append(f"Landscape: mean loss on {land.rows} training rows, "
                         f"{len(land.us)}×{len(land.vs)} grid (pale blue: not computed)")
            if view.plane.kind == "pca":
                parts[-1] += ("; the paths are projected onto the plane, so the loss under a "
                              "point is not the racer's loss unless the plane holds its "
                              "movement.")
            else:
                parts[-1] += "."
        else:
            parts.append("Landscape: drawn when the race pauses or every few seconds.")
        return " ".join(parts)


def _quiet_offscreen(mode, context, message) -> None:
    """Qt messages while drawing a picture: the offscreen plugin's note that it cannot pass
    size hints to a window system is dropped; others go to stderr."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def save_picture(view: RaceView, path: str, size: tuple[int, int] = PICTURE_SIZE) -> None:
    """Render ``view`` as a ``size`` PNG at ``path`` (written atomically), offscreen when no
    QApplication runs yet; NNVizError (one line) if it cannot be written."""
    from nnviz.session.atomic import atomic_write

    app = QApplication.instance()
    if app is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a picture, never a window
        qInstallMessageHandler(_quiet_offscreen)
        app = QApplication([])
    plots = RacePlots()
    plots.setAttribute(Qt.WA_DontShowOnScreen)
    plots.setStyleSheet("background: white")
    plots.resize(*size)
    plots.show_view(view)
    plots.show()
    app.processEvents()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.WriteOnly)
    ok = plots.grab().save(buf, "PNG")
    buf.close()
    plots.close()
    plots.deleteLater()
    if not ok:
        raise NNVizError(f"cannot draw the picture {path}")
    atomic_write(path, lambda f: f.write(bytes(data)), what="picture")
