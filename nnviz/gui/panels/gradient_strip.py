"""The network diagram's gradient strip: below each layer's connections, a bar at log10 ‖dL/dW‖
(``nnviz.diagram_model.strip_norms``) labelled with the norm; hovered, it says what it is
(``bar_at``, ``bar_text``: the diagram's info line).

One plot under the diagram (its x linked to the diagram's, so each bar sits under its
layer), one ``BarsItem`` for the bars and one ``TextsItem`` for their labels: a frame sets
only what moved (the labels' texts and places, the bars' heights), and the range is held
(``hold_scales``) so the axis is rarely laid out again.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from nnviz.diagram_model import STRIP_FLOOR, strip_norms, strip_range
from nnviz.explain import fmt
from nnviz.gui import colormaps as cm
from nnviz.gui.graphics import BarsItem, DecadeAxis, style_plot
from nnviz.gui.texts import TextsItem
from nnviz.scales import hold_scales

#: the strip's height at most, px (the diagram above takes the rest)
STRIP_HEIGHT = 110
#: the range a new run starts with, log10 ‖dL/dW‖
START_RANGE = (-6.0, 1.0)


class GradientStrip:
    """The strip: ``plot`` (a PlotItem in the diagram's layout, row ``row``), ``bars`` and
    ``labels``; ``logs`` the log10 norms drawn (L,), ``range`` its y range (lo, hi)."""

    def __init__(self, view: pg.GraphicsLayoutWidget, diagram: pg.ViewBox, axis_width: int,
                 row: int = 1):
        self.plot = view.addPlot(row=row, col=0, axisItems={"left": DecadeAxis("left")})
        style_plot(self.plot)
        self.plot.setMaximumHeight(STRIP_HEIGHT)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setLabel("left", "‖dL/dW‖")
        self.plot.getAxis("left").setWidth(axis_width)
        self.plot.getAxis("bottom").setStyle(showValues=False)
        self.plot.setXLink(diagram)
        self.plot.vb.sigResized.connect(self.fit_range)
        self.bars = BarsItem(x=[], height=[], width=1.0, y0=STRIP_FLOOR,
                             brush=cm.brush("#4a6fa5"))
        self.plot.addItem(self.bars)
        self.labels = TextsItem(cm.TEXT, anchor=(0.5, 1))
        self.plot.addItem(self.labels, ignoreBounds=True)  # (pixels: not a data range)
        self.logs: np.ndarray | None = None
        self.norms: list[float] = []  # ‖dL/dW‖ of each layer drawn (0: none yet)
        self.range: tuple[float, float] = START_RANGE
        self._hold = None  # the range held (-lo, hi) (a ScaleHold)

    def new_run(self) -> None:
        """Forget the last run's norms and range."""
        self.logs, self.range, self._hold = None, START_RANGE, None
        self.norms = []
        self.labels.setTexts([])
        self.plot.setYRange(*self.range, padding=0)

    def place(self, x: np.ndarray, dx: float) -> None:
        """Bars at x (L,) (between the layers they are of), ``dx`` apart."""
        self.bars.setOpts(x=x, height=np.zeros(len(x)), width=0.5 * dx, y0=self.range[0])
        self.labels.setPoints([(v, self.range[0]) for v in np.asarray(x, float).tolist()])

    def show(self, grad_W, room: float) -> None:
        """The norms of ``grad_W`` (one array per layer); ``room``: pixels between two
        layers (inf: any)."""
        norms, self.logs = strip_norms(grad_W)
        self.norms = [float(n) for n in norms]
        metrics = self.labels.metrics()
        texts, widest = [], 0.0
        for n in norms:
            text = f"{n:.1e}" if n > 0 else "0"  # 0: no step yet, or no gradient
            if metrics.horizontalAdvance(text) > room:
                text = f"{n:.2g}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")
            widest = max(widest, metrics.horizontalAdvance(text))
            texts.append(text)
        self.labels.setTexts(texts)
        # layers closer than the shortest values are wide: every k-th layer's value (the bars
        # show the rest), never two values run together
        every = max(1, math.ceil(widest / room)) if 0 < room < float("inf") else 1
        self.labels.setShown([k % every == 0 for k in range(len(texts))])
        self.fit_range()

    def bar_at(self, scene_pos) -> int | None:
        """The layer whose bar (or the space above it) is under a point of the scene, or
        None."""
        x = np.asarray(self.bars.opts["x"], float)
        if not len(self.norms) or len(x) != len(self.norms) or \
                not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        at = self.plot.vb.mapSceneToView(scene_pos).x()
        l = int(np.argmin(np.abs(x - at)))
        return l if abs(x[l] - at) <= float(self.bars.opts["width"]) else None

    def bar_text(self, l: int, sizes) -> str:
        """What hovering layer ``l``'s bar says (``sizes``: the network's layer sizes)."""
        a, b = sizes[l:l + 2]
        norm = self.norms[l]
        size = (f"‖dL/dW‖ = {fmt(norm)}, their gradient's size this step (a log scale: a far "
                "shorter bar is a layer that barely learns)" if 0 < norm < float("inf") else
                "no gradient yet: train a step" if norm == 0 else
                "‖dL/dW‖ is not finite (the run diverged)")
        return f"Layer {l + 1}'s weights W{l + 1} ({a}×{b}): {size}"

    def fit_range(self, *_) -> None:
        """The y range (``strip_range``: whole decades, room above the tallest bar for its
        label at the strip's height); the bars start at its bottom (never below: an SVG
        viewer without clip-path support would draw them under the axis), and stay empty
        below STRIP_FLOOR; a zero norm's label sits on the bottom."""
        logs = self.logs
        if logs is None or not len(logs):
            return
        vb = self.plot.vb
        axis = self.plot.getAxis("left")  # its name only where the strip is tall enough
        fits = axis.label.boundingRect().width() + 4 <= vb.height()
        if axis.label.isVisible() != fits:
            axis.showLabel(fits)
        lo, hi = strip_range(logs, self.labels.text_height() / max(vb.height(), 1.0))
        # (decades, not 1-2-5 scales: a wider range is more; held however much wider)
        self._hold = hold_scales(self._hold, (-lo, hi), far=None)
        lo, hi = -float(self._hold.scales[0]), float(self._hold.scales[1])
        if self.range != (lo, hi):
            self.range = (lo, hi)
            self.plot.setYRange(lo, hi, padding=0)
        y0 = max(lo, STRIP_FLOOR)
        height = np.maximum(logs - y0, 0.0)  # (NaN stays NaN: no bar)
        height[np.isnan(height)] = 0.0
        if self.bars.opts["y0"] != y0 or not np.array_equal(self.bars.opts["height"], height):
            self.bars.setHeights(y0, height)
        self.labels.setPoints([(x, v if math.isfinite(v) else lo)
                               for x, v in zip(np.asarray(self.bars.opts["x"], float).tolist(),
                                               logs.tolist())])
