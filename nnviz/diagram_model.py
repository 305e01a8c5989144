"""The network diagram's model (numpy only, no Qt): where neurons and connections sit, which
connections a wide layer shows, what a point hits, what is selected, how values map to colour
bins, and what hovering an element says. ``nnviz.gui.panels.diagram`` is the view over it.

Layers are numbered as in the inspector: layer 0 is the input, layer l >= 1 is computed by
W[l-1], b[l-1]; neuron (l, j) has z = sample.z[l-1][j], a = sample.a[l][j],
delta = sample.delta[l-1][j], bias = biases[l-1][j]. Connection (l, i, j) is W[l][i, j], from
neuron i of layer l to neuron j of layer l + 1. Flat orders: neurons layer by layer (N,),
connections W[0].ravel(), W[1].ravel(), ... (E,), biases b[0], b[1], ... (B = N - n_0,).
Positions are in view units: neighbouring neurons of a layer 1 apart, layers ``dx`` apart
(``layer_spacing``: from the box's shape, so the drawing fills it).

Size (~470 lines, over the house's ~450): layout, hit-testing, selection and hover text share
one flat neuron/connection numbering; the next seam is the hover text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.data.features import DEFAULT_FEATURES, expand
from nnviz.engine.activations import get_activation
from nnviz.explain import UNNAMED, Names, fmt
from nnviz.scales import ScaleHold, hold_scales, nice_scale, symmetric_bins

N_BINS = 21
EDGE_MODES = (("grad", "dL/dw"), ("weight", "weight w"), ("change", "last change Δw"))
NEURON_MODES = (("sample", "a of this sample"), ("mean", "batch mean |a|"),
                ("delta", "delta dL/dz of this sample"))
NEURON_LABELS = {"sample": "neuron a", "mean": "neuron mean |a|", "delta": "neuron delta"}
SCALE_MODES = (("auto", "auto scale"), ("layer", "auto per layer"), ("fixed", "fixed scale"))
#: (key, label); "auto" keeps about 4 connections per neuron of the wider layer
BUDGETS = (("auto", "strongest only"), ("all", "all"))
#: step-through: what the phase just done computed -> (neuron mode, edge mode)
PHASE_MODES = {"forward": ("sample", "weight"), "loss": ("delta", "grad"),
               "backward": ("delta", "grad"), "update": ("delta", "change")}
#: log10 of the smallest ‖dL/dW‖ the strip draws; a bar of a norm below it is empty
STRIP_FLOOR = -12.0
#: neurons of a layer above which the drawing is dense (thin outlines, no bias outlines)
DENSE = 24
#: the most units between two input candidates' slots (beside wide layers)
SLOT_GAP_MAX = 8.0
#: input/output labels: units between a circle and its label; characters kept of a name
LABEL_GAP = 0.12
LABEL_CHARS = 16


def clip(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters, the last one an ellipsis when cut."""
    return text if len(text) <= n else text[:n - 1] + "…"


def io_names(sizes, feature_names=(), output_names=()) -> tuple[tuple[str, ...], ...]:
    """(input names, output names) for a network of ``sizes``: the data's, or x1, x2, ... and
    y1, y2, ... (y for one output) where it gives none for them."""
    n_in, n_out = sizes[0], sizes[-1]
    named = Names(tuple(feature_names) if len(feature_names) == n_in else ())
    inputs = tuple(named.input(k) for k in range(n_in))
    outputs = tuple(output_names) if len(output_names) == n_out else (
        ("y",) if n_out == 1 else tuple(f"y{k + 1}" for k in range(n_out)))
    return inputs, outputs


def run_names(run) -> Names:
    """How the hover and the inspector's texts name a run's neurons (a ``RunInfo``): its
    inputs (``input_names``), its outputs (``io_names``: a class, P(class=1), a target)."""
    outputs = io_names(run.sizes, run.input_names, run.dataset.output_names)[1]
    return Names(tuple(run.input_names), outputs, last=len(run.sizes) - 1)


@dataclass(frozen=True)
class Selection:
    """What the user clicked: kind "neuron" (layer, index) or "connection" (layer = W[layer],
    i, j)."""

    kind: str
    layer: int
    index: int = 0
    i: int = 0
    j: int = 0


@dataclass(frozen=True)
class DiagramSettings:
    """What the diagram colours by (keys of NEURON_MODES, EDGE_MODES, SCALE_MODES, BUDGETS);
    ``fixed_scale``: the |value| at full colour when scale_mode is "fixed"."""

    neuron_mode: str = "sample"
    edge_mode: str = "grad"
    scale_mode: str = "auto"
    fixed_scale: float = 1.0
    budget: str = "auto"


#: the layer spacing's bounds in view units: at least max(DX_MIN, DX_MIN_PER_SPAN span) (a tall
#: box leaves room above and below), DX_MIN shrinking as DEEP / gaps beyond DEEP layer gaps (a
#: deep network in a laptop's box: 8 hidden layers at 2.5 units drew a thin strip across it);
#: at most max(DX_MAX, DX_MAX_PER_SPAN span) (a wide box around a small network leaves room at
#: the sides rather than spreading two neurons across a screen)
DX_MIN, DX_MIN_PER_SPAN, DX_MAX, DX_MAX_PER_SPAN, DEEP = 2.5, 0.25, 4.0, 2.0, 4
#: view units left and right of the outer layers (room for the circles and labels)
X_MARGIN = 1.0
#: view units above the top neuron and below the bottom one (the circles, the bias squares
#: up to 0.4, the saturation rings); the hidden counts' text, where some can be hidden, below
Y_MARGIN = 0.6


def text_room(sizes) -> float:
    """View units below the network for the "n of m weaker hidden" counts: max(1.2, 0.07
    span) when a layer of ``sizes`` has more connections than ``DiagramLayout.budget`` shows,
    else none (xor's 2-4-1 kept 1.2 empty units there: the drawing a fifth smaller)."""
    sizes = tuple(int(n) for n in sizes)
    span = max(max(sizes) - 1, 1)
    hides = any(layer_budget(a, b) < a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return max(1.2, 0.07 * span) if hides else 0.0


def layer_budget(a: int, b: int) -> int:
    """Connections shown of an a x b layer in "auto" mode: about 4 per neuron of the wider
    side, at least 256."""
    return min(a * b, max(256, 4 * max(a, b)))


def layer_spacing(sizes, aspect: float | None = None) -> float:
    """The distance between layers for a box of ``aspect`` = width / height (pixels): the
    drawing's width ((L) dx + 2 X_MARGIN) over its height (``DiagramLayout.view_range``
    without label text: span + 2 Y_MARGIN + text_room) equals ``aspect``, clipped to the
    bounds above; None or a single layer: the smallest spacing."""
    sizes = tuple(int(n) for n in sizes)
    span = max(max(sizes) - 1, 1)
    gaps = max(len(sizes) - 1, 1)
    lo = max(DX_MIN * min(1.0, DEEP / gaps), DX_MIN_PER_SPAN * span)
    hi = max(DX_MAX, DX_MAX_PER_SPAN * span, lo)
    if aspect is None or not np.isfinite(aspect) or aspect <= 0 or len(sizes) < 2:
        return lo
    height = span + 2 * Y_MARGIN + text_room(sizes)
    return float(np.clip((aspect * height - 2 * X_MARGIN) / (len(sizes) - 1), lo, hi))


class DiagramLayout:
    """Where everything sits for sizes (n_0, ..., n_L), in view units (neuron spacing 1), in
    a box of ``aspect`` = width / height (``layer_spacing``; None: the narrowest spacing).

    x[l] float, y[l] (n_l,); neuron_xy (N, 2) all neurons layer by layer; edge_offsets[l]: first
    flat connection of W[l] (W[l].ravel() order: i major); segments (E, 4) x0, y0, x1, y1 from
    the edge of one circle to the edge of the next.
    """

    def __init__(self, sizes, aspect: float | None = None, input_slots=None,
                 picture: float = 0.0):
        self.sizes = tuple(int(n) for n in sizes)
        n_slots, slots = input_slots if input_slots is not None else (
            self.sizes[0], tuple(range(self.sizes[0])))
        self.input_slots = (int(n_slots), tuple(int(k) for k in slots))
        columns = (max(int(n_slots), self.sizes[0]), *self.sizes[1:])
        span = max(max(columns) - 1, 1)
        self.dx = layer_spacing(columns, aspect)
        self.radius = 0.32
        self.x = [l * self.dx for l in range(len(self.sizes))]
        self.y = [(n - 1) / 2.0 - np.arange(n, dtype=float) for n in self.sizes]
        #: every input candidate's place in the first column (n_slots, 2); input k at slot k
        #: unless ``input_slots`` = (n_slots, slot of each input) says otherwise. Candidates
        #: beside wider layers spread over their height (``slot_gap`` units apart, at most
        #: SLOT_GAP_MAX) to stay apart enough to click and name one by one.
        rest = max(self.sizes[1:], default=1) - 1
        self.slot_gap = (1.0 if input_slots is None or columns[0] < 2 else
                         float(np.clip(rest / (columns[0] - 1), 1.0, SLOT_GAP_MAX)))
        slot_y = self.slot_gap * ((columns[0] - 1) / 2.0 - np.arange(columns[0], dtype=float))
        self.slot_xy = np.column_stack((np.zeros(columns[0]), slot_y))
        self.y[0] = self.slot_xy[list(self.input_slots[1]), 1]
        #: side of the input candidates' pictures, left of their circles (0: none)
        self.picture = float(picture) * self.slot_gap
        self.neuron_xy = np.concatenate(
            [np.column_stack((np.full(n, x), y)) for n, x, y in zip(self.sizes, self.x, self.y)])
        self.neuron_layer = np.concatenate([np.full(n, l) for l, n in enumerate(self.sizes)])
        self.neuron_index = np.concatenate([np.arange(n) for n in self.sizes])
        self.neuron_offsets = np.concatenate(([0], np.cumsum(self.sizes)))
        segs, self.edge_layer, self.edge_i, self.edge_j = [], [], [], []
        for l, (a, b) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            ii, jj = np.meshgrid(np.arange(a), np.arange(b), indexing="ij")
            ii, jj = ii.ravel(), jj.ravel()
            segs.append(np.column_stack((np.full(ii.size, self.x[l] + self.radius),
                                         self.y[l][ii],
                                         np.full(ii.size, self.x[l + 1] - self.radius),
                                         self.y[l + 1][jj])))
            self.edge_layer.append(np.full(ii.size, l))
            self.edge_i.append(ii)
            self.edge_j.append(jj)
        cat = (lambda xs: np.concatenate(xs)) if segs else (lambda xs: np.zeros(0, int))
        self.segments = np.concatenate(segs) if segs else np.zeros((0, 4))
        self.edge_layer, self.edge_i, self.edge_j = (cat(self.edge_layer), cat(self.edge_i),
                                                     cat(self.edge_j))
        self.edge_offsets = np.concatenate(([0], np.cumsum(
            [a * b for a, b in zip(self.sizes[:-1], self.sizes[1:])])))
        self.height = span
        self.dense = max(columns) > DENSE
        #: the bias squares (B, 2): up and left of each computed neuron
        self.bias_xy = self.neuron_xy[self.neuron_layer > 0] + (-0.36, 0.30)
        #: where the "n of m weaker hidden" count of W[l] is centred (top of the text)
        self.hidden_y = min(y.min() for y in (slot_y, *self.y)) - Y_MARGIN
        self.text_room = text_room(columns)  # units below hidden_y kept for that text
        self.hidden_x = [(self.x[l] + self.x[l + 1]) / 2 for l in range(len(self.sizes) - 1)]

    def budget(self, l: int) -> int:
        """Connections shown for W[l] in "auto" mode (``layer_budget``)."""
        return layer_budget(self.sizes[l], self.sizes[l + 1])

    def view_range(self, label_px: float = 0.0, view_px=None, left_px: float = 0.0,
                   right_px: float = 0.0):
        """((x0, x1), (y0, y1)): the whole network with a margin, and room below for the
        hidden-connection counts: ``text_room`` units (none where nothing can be hidden),
        and ``label_px`` pixels of text in a view of ``view_px`` = (width, height) pixels at
        a locked 1:1 aspect (the scale is the tighter of the two directions); and ``left_px`` /
        ``right_px`` pixels of label text beside the input and output neurons (LABEL_GAP
        units from their circles; the side margins are at least 1 unit)."""
        top, below = self.height / 2 + Y_MARGIN, self.text_room
        w, h = view_px if view_px is not None else (0.0, 0.0)
        if not (label_px > 0 or left_px or right_px) or w <= left_px + right_px \
                or h <= label_px:
            return (-X_MARGIN, self.x[-1] + X_MARGIN), (self.hidden_y - below, top)
        edges = (self.label_gap("left"), self.label_gap("right"))  # where side labels start
        # s, units per pixel. Width: each side needs max(1, edge + px * s) units beside x[-1],
        # so s >= (x[-1] + c_l + c_r) / (w - d_l - d_r) for each (c, d) in {(1, 0),
        # (edge, px)} per side. Height: top - hidden_y + max(below, label_px * s) units.
        s = max((top - self.hidden_y + below) / h, (top - self.hidden_y) / (h - label_px))
        for cl, dl in ((1.0, 0.0), (edges[0], left_px)):
            for cr, dr in ((1.0, 0.0), (edges[1], right_px)):
                s = max(s, (self.x[-1] + cl + cr) / (w - dl - dr))
        return ((-max(1.0, edges[0] + left_px * s),
                 self.x[-1] + max(1.0, edges[1] + right_px * s)),
                (self.hidden_y - max(below, label_px * s), top))

    def label_gap(self, side: str) -> float:
        """Units from the input (left) or output (right) layer's centre line to where its
        names start: past the circles, and on the left past the pictures."""
        gap = self.radius + LABEL_GAP
        return gap + self.picture + LABEL_GAP if side == "left" and self.picture else gap

    def picture_xy(self) -> np.ndarray:
        """(n_slots, 2) the centres of the input candidates' pictures."""
        return self.slot_xy + (-(self.radius + LABEL_GAP + self.picture / 2), 0.0)

    def hit_slot(self, x: float, y: float, tolerance: float = 0.15) -> int | None:
        """The input slot whose circle or picture is under view point (x, y), or None."""
        d = np.hypot(self.slot_xy[:, 0] - x, self.slot_xy[:, 1] - y)
        k = int(np.argmin(d))
        if d[k] <= self.radius + tolerance:
            return k
        if self.picture:
            d = np.abs(self.picture_xy() - (x, y)).max(axis=1)  # a square picture
            k = int(np.argmin(d))
            if d[k] <= self.picture / 2 + tolerance:
                return k
        return None

    def io_labels(self, inputs, outputs, px_per_unit: float, line_px: float,
                  height_px: float = float("inf")):
        """The names beside the input (left) and output (right) neurons: [(x, y, text, side)]
        with side "left" (text ends at x) or "right" (text starts at x). One name per neuron
        when neighbours are at least ``line_px`` pixels apart at ``px_per_unit`` and the layer
        is not dense; else the names one under another in one label at the layer's middle,
        if ``height_px`` holds them; else a count ("30 inputs")."""
        out = []
        for layer, names, side, sign, what in ((0, inputs, "left", -1, "inputs"),
                                               (len(self.sizes) - 1, outputs, "right", 1,
                                                "outputs")):
            ys = self.slot_xy[:, 1] if layer == 0 else self.y[layer]
            names = [clip(str(n), LABEL_CHARS) for n in names][:len(ys)]
            x = self.x[layer] + sign * self.label_gap(side)
            if not names:
                continue
            gap = self.slot_gap if layer == 0 else 1.0
            if px_per_unit * gap >= line_px and len(ys) <= DENSE:
                out += [(x, float(y), n, side) for y, n in zip(ys, names)]
            elif len(names) * line_px <= height_px:
                out.append((x, 0.0, "\n".join(names), side))
            else:
                out.append((x, 0.0, f"{len(names)} {what}", side))
        return out

    def neuron_flat(self, layer: int, index: int) -> int:
        return int(self.neuron_offsets[layer] + index)

    def edge_flat(self, layer: int, i: int, j: int) -> int:
        return int(self.edge_offsets[layer] + i * self.sizes[layer + 1] + j)

    def hit(self, x: float, y: float, tolerance: float = 0.15, visible=None):
        """The neuron, else the drawn connection, under view point (x, y) within
        ``tolerance`` (view units): a Selection or None. ``visible`` (E,) bool: the
        connections drawn (None or none: all of them)."""
        d = np.hypot(self.neuron_xy[:, 0] - x, self.neuron_xy[:, 1] - y)
        n = int(np.argmin(d))
        if d[n] <= self.radius + tolerance:
            return Selection("neuron", int(self.neuron_layer[n]),
                             index=int(self.neuron_index[n]))
        seg = self.segments
        if not len(seg):
            return None
        vis = (np.flatnonzero(visible) if visible is not None and np.any(visible)
               else np.arange(len(seg)))
        p, q = seg[vis, :2], seg[vis, 2:]
        v = q - p
        t = np.clip(((x - p[:, 0]) * v[:, 0] + (y - p[:, 1]) * v[:, 1])
                    / np.maximum((v * v).sum(1), 1e-12), 0, 1)
        dist = np.hypot(p[:, 0] + t * v[:, 0] - x, p[:, 1] + t * v[:, 1] - y)
        k = int(np.argmin(dist))
        if dist[k] > tolerance:
            return None
        e = vis[k]
        return Selection("connection", int(self.edge_layer[e]), i=int(self.edge_i[e]),
                         j=int(self.edge_j[e]))


def _flat(arrays) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def edge_values(snapshot, mode: str) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """(per-layer connection values, per-layer bias values) for edge mode ``mode``."""
    if mode == "weight":
        return snapshot.weights, snapshot.biases
    if mode == "change":
        return snapshot.change_W, snapshot.change_b
    return snapshot.grad_W, snapshot.grad_b


def neuron_values(snapshot, mode: str) -> np.ndarray:
    """(N,) the colour value of every neuron, layer by layer; inputs have no delta: 0."""
    s = snapshot
    if mode == "mean":
        return np.concatenate([np.asarray(m, float) for m in s.mean_activation])
    if mode == "delta":
        return np.concatenate([np.zeros(s.sizes[0])] + [np.asarray(d, float)
                                                         for d in s.sample.delta])
    return np.concatenate([np.asarray(a, float) for a in s.sample.a])


@dataclass(frozen=True)
class Colouring:
    """What one snapshot looks like under some settings.

    edge_bins (E,) and bias_bins (B,): symmetric bins of value / its layer's scale;
    visible (E,) bool: connections drawn (a wide layer's strongest, by |value|, or by |w|
    while every value is zero); blank: every value is zero (no step yet: drawn as grey
    structure); hidden (L,): connections of W[l] not drawn; edge_scale: the largest layer
    scale (the colour bar's); neuron_values, neuron_bins (N,), neuron_scale: the neurons'
    (scaled on the computed layers only); the colour bars' labels (edge_short: the edge
    label without its note, where the bar is too short for it); held: the auto scales as
    held for the next snapshot (``colour``'s ``held``).
    """

    edge_bins: np.ndarray
    bias_bins: np.ndarray
    visible: np.ndarray
    blank: bool
    hidden: tuple[int, ...]
    edge_scale: float
    edge_label: str
    edge_short: str
    neuron_values: np.ndarray
    neuron_bins: np.ndarray
    neuron_scale: float
    neuron_label: str
    neuron_from_zero: bool
    held: ScaleHold | None = None


def layer_scales(W, B, settings: DiagramSettings) -> np.ndarray:
    """(L,) the |value| at full colour for each W[l] (and b[l]): fixed, each layer's largest
    |w| rounded up, or the largest |value| of all layers rounded up (1-2-5)."""
    if settings.scale_mode == "fixed":
        return np.full(len(W), float(settings.fixed_scale))
    if settings.scale_mode == "layer":
        return np.array([nice_scale(np.max(np.abs(w), initial=0)) for w in W])
    top = max(np.max(np.abs(_flat(W)), initial=0),
              max((np.max(np.abs(b), initial=0) for b in B), default=0))
    return np.full(len(W), nice_scale(top))


def strongest(layout: DiagramLayout, strength: np.ndarray) -> np.ndarray:
    """(E,) bool: for each W[l] wider than its budget, its ``budget(l)`` largest ``strength``
    (E,); every connection of the other layers."""
    visible = np.ones(len(strength), dtype=bool)
    for l in range(len(layout.sizes) - 1):
        lo, hi = layout.edge_offsets[l], layout.edge_offsets[l + 1]
        k = layout.budget(l)
        if hi - lo > k:
            keep = np.argpartition(strength[lo:hi], (hi - lo) - k)[(hi - lo) - k:]
            mask = np.zeros(hi - lo, dtype=bool)
            mask[keep] = True
            visible[lo:hi] = mask
    return visible


def colour(layout: DiagramLayout, snapshot, settings: DiagramSettings,
           held: ScaleHold | None = None) -> Colouring:
    """The colours, visibility and scales of ``snapshot`` drawn under ``settings``. ``held``:
    the scales held over the snapshots before (``Colouring.held`` of the last one; None: this
    snapshot's own), so a noisy auto scale stays put (``nnviz.scales.ScaleHold``)."""
    L, s = layout, snapshot
    W, B = edge_values(s, settings.edge_mode)
    values = _flat(W)
    blank = not values.any()
    nv = neuron_values(s, settings.neuron_mode)
    held = hold_scales(held, np.append(layer_scales(W, B, settings),
                                       nice_scale(np.max(np.abs(nv[L.sizes[0]:]), initial=0))),
                       key=(settings, blank))
    scales, neuron_scale = held.scales[:-1], float(held.scales[-1])
    edge_bins = symmetric_bins(values / np.repeat(scales, np.diff(L.edge_offsets)), 1.0,
                               N_BINS)
    bias_bins = symmetric_bins(_flat(B) / np.repeat(scales, L.sizes[1:]), 1.0, N_BINS)
    strength = np.abs(_flat(s.weights) if blank else values)
    visible = (strongest(L, strength) if settings.budget == "auto"
               else np.ones(len(values), dtype=bool))
    hidden = tuple(int((~visible[L.edge_offsets[l]:L.edge_offsets[l + 1]]).sum())
                   for l in range(len(L.sizes) - 1))
    edge_label = edge_short = dict(EDGE_MODES)[settings.edge_mode]
    if blank:
        edge_label += " (after the first step)" if s.step == 0 else ": all zero"
    elif settings.scale_mode == "layer":
        edge_label += " (per layer)"
    return Colouring(edge_bins=edge_bins, bias_bins=bias_bins, visible=visible, blank=blank,
                     hidden=hidden, edge_scale=float(scales.max()) if len(scales) else 1.0,
                     edge_label=edge_label, edge_short=edge_short, neuron_values=nv,
                     neuron_bins=symmetric_bins(nv, neuron_scale, N_BINS),
                     neuron_scale=neuron_scale,
                     neuron_label=NEURON_LABELS[settings.neuron_mode],
                     neuron_from_zero=settings.neuron_mode == "mean", held=held)


def hidden_text(hidden: int, total: int) -> str:
    """The count under W[l] of the connections a wide layer does not draw ('' if none)."""
    return hidden_texts(hidden, total)[0]


def hidden_texts(hidden: int, total: int) -> tuple[str, ...]:
    """``hidden_text`` and shorter ways to say it, longest first (a view picks the first that
    fits between two layers): ('' ,) if none are hidden."""
    if not hidden:
        return ("",)
    return (f"{hidden:,} of {total:,}\nweaker hidden", f"{hidden:,} of\n{total:,} hidden",
            f"{hidden:,}\nhidden", "")  # (none: no room; hovering tells)


def marked(layout: DiagramLayout, snapshot) -> tuple[np.ndarray, np.ndarray]:
    """(centres of dead neurons (k, 2), centres of saturated neurons (m, 2))."""
    pos = layout.neuron_xy[layout.sizes[0]:]
    dead = (np.concatenate([np.asarray(d, bool) for d in snapshot.dead]) if snapshot.dead
            else np.zeros(len(pos), bool))
    sat = (np.concatenate([np.asarray(d, bool) for d in snapshot.saturated])
           if snapshot.saturated else np.zeros(len(pos), bool))
    return pos[dead], pos[sat]


def heatmaps_unavailable(n_features: int, n_neurons: int, limit: int) -> str:
    """Why neuron heatmaps cannot be drawn ('' if they can): they need an input plane and the
    grid's per-neuron outputs, kept for networks of at most ``limit`` neurons."""
    if n_features < 2:
        return "needs at least two input features"
    if n_neurons > limit:
        return f"for networks of at most {limit} neurons (this one has {n_neurons})"
    return ""


def heat_level(activation: str, values: np.ndarray) -> float:
    """The symmetric colour level of a neuron heatmap: 1 for a bounded activation (all of
    them lie in [-1, 1]), else the layer's largest |value| rounded up."""
    if get_activation(activation).bounded:
        return 1.0
    return nice_scale(float(np.max(np.abs(values), initial=0)))


def input_planes(layout: DiagramLayout, grid, x_scaler, n_features: int,
                 features=DEFAULT_FEATURES):
    """Each input neuron's value over the grid's plane: [(image (ny, nx), level), ...] in
    network units (``x_scaler`` applied, then the engineered ``features``; the dataset's
    ``n_features`` inputs off the plane at their raw 0)."""
    xs, ys = np.meshgrid(grid.xs, grid.ys)
    raw = np.zeros((xs.size, n_features))
    fi, fj = grid.features
    raw[:, fi], raw[:, fj] = xs.ravel(), ys.ravel()
    scaled = expand(x_scaler.transform(raw) if x_scaler is not None else raw, features)
    planes = []
    for j in range(layout.sizes[0]):
        col = scaled[:, j].reshape(xs.shape)
        planes.append((col, nice_scale(float(np.max(np.abs(col), initial=0)))))
    return planes


def hidden_planes(layout: DiagramLayout, grid, activations):
    """Each computed neuron's output over the plane (grid.neuron[l-1][:, :, j]), layer by
    layer: [(image (ny, nx), level), ...]; one level per layer (``heat_level``)."""
    planes = []
    for l in range(1, len(layout.sizes)):
        values = grid.neuron[l - 1]
        m = heat_level(activations[l - 1], values)
        planes += [(values[:, :, j], m) for j in range(layout.sizes[l])]
    return planes


def strip_norms(grad_W) -> tuple[np.ndarray, np.ndarray]:
    """(norms (L,), logs (L,)): ‖dL/dW[l]‖ (Frobenius) and its log10, NaN for a zero norm
    (no step yet). Taken over m = max |g| (‖g‖ = m ‖g / m‖), so the log is finite for any
    finite gradient, the norm inf only beyond the largest float."""
    norms, logs = [], []
    for g in grad_W:
        g = np.asarray(g, dtype=np.float64)
        m = float(np.max(np.abs(g), initial=0.0))
        if not (m > 0 and np.isfinite(m)):  # zero (no step yet), or diverged: no bar
            norms.append(m)
            logs.append(np.nan)
            continue
        r = float(np.sqrt(np.sum(np.square(g / m))))
        with np.errstate(over="ignore"):
            norms.append(m * r)
        logs.append(np.log10(m) + np.log10(r))
    return np.array(norms, dtype=np.float64), np.array(logs, dtype=np.float64)


def strip_range(logs: np.ndarray, label_share: float) -> tuple[float, float]:
    """The strip's y range in whole decades: at least 10⁻⁶ .. 10¹, down to half a decade below
    the smallest norm, and with ``label_share`` (a fraction of the height) above the tallest
    bar for its value label. (A range that moved on every update would re-lay the axis: the
    view holds it, ``nnviz.scales.ScaleHold``.)"""
    shown = logs[np.isfinite(logs)]
    lo = min(-6.0, float(np.floor(shown.min() - 0.5))) if len(shown) else -6.0
    share = min(0.6, label_share)
    top = float(shown.max()) if len(shown) else lo
    return lo, max(1.0, float(np.ceil((top - lo * share) / (1 - share))))


class DiagramText:
    """What hovering an element says, from a snapshot's own numbers. ``names``: the run's
    inputs and outputs (``run_names``); ``activity_rows``: which samples the dead/saturated
    check looked at; ``input_note``: said after an input's numbers (what clicking it does)."""

    def __init__(self, names: Names = UNNAMED, activity_rows: str = "every training sample",
                 input_note: str = ""):
        self.names = names
        self.activity_rows = activity_rows
        self.input_note = input_note

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.names.inputs

    def neuron(self, s, layer: int, index: int) -> str:
        if layer == 0:
            name = self.names.input(index)
            return (f"Input {index + 1} ({name}), layer 0: a = x = {fmt(s.sample.a[0][index])}"
                    f" (network units);  batch mean |a| = {fmt(s.mean_activation[0][index])}"
                    + (f";  {self.input_note}" if self.input_note else ""))
        act = get_activation(s.activations[layer - 1])
        a = s.sample.a[layer][index]
        output = self.names.output(layer, index)
        output = "" if output is None else f", output {output}"
        parts = [f"Neuron {index + 1} of layer {layer} ({act.name}){output}:",
                 f"z = {fmt(s.sample.z[layer - 1][index])},",
                 f"a = {fmt(a)},",
                 f"f′(z) = {act.derivative_formula} = {fmt(act.derivative(np.asarray(a)))},",
                 f"delta = {fmt(s.sample.delta[layer - 1][index])},",
                 f"bias = {fmt(s.biases[layer - 1][index])},",
                 f"dL/db = {fmt(s.grad_b[layer - 1][index])},",
                 f"Δb = {fmt(s.change_b[layer - 1][index])};",
                 f"batch mean |a| = {fmt(s.mean_activation[layer][index])}"]
        if s.dead[layer - 1][index]:
            parts.append(f"— DEAD: zero on {self.activity_rows}, passes no gradient")
        if s.saturated[layer - 1][index]:
            parts.append("— SATURATED: its derivative is near zero on most samples")
        return " ".join(parts) + f"  (sample {s.sample.index + 1})"

    @staticmethod
    def connection(s, layer: int, i: int, j: int) -> str:
        return (f"Weight from neuron {i + 1} (layer {layer}) to neuron {j + 1} "
                f"(layer {layer + 1}): w = {fmt(s.weights[layer][i, j])}, "
                f"dL/dw = {fmt(s.grad_W[layer][i, j])}, Δw = {fmt(s.change_W[layer][i, j])}")

    def of(self, s, sel: Selection | None) -> str:
        if sel is None or s is None:
            return ""
        if sel.kind == "neuron":
            return self.neuron(s, sel.layer, sel.index)
        return self.connection(s, sel.layer, sel.i, sel.j)
