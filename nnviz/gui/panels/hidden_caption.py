"""What the hidden space panel says about its picture: the caption (what is drawn, what is held,
what is approximate: nnviz never shows a picture that lies without saying so) and the axis
labels. Plain text from plain values, no Qt; the panel (``nnviz.gui.panels.hidden_space``)
passes a ``Picture`` of what it draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz import hidden_space as hs

SCALED = {"none": "raw", "standard": "standardised", "minmax": "min-max scaled"}


@dataclass(frozen=True)
class Picture:
    """What the panel draws: run (RunInfo), plane (hidden_space.Plane), views[k] of spaces
    0 .. depth, slider position t; pca_step[k]: the step space k's PCA plane was fitted at,
    step: the snapshot's; share(k): the share of the points' variance a PCA plane holds now;
    outputs: K, the output layer's neurons; has_boundary: the readout is linear in space
    depth's picture (a classification); boundary_shown: some of it is in view."""

    run: object
    plane: hs.Plane
    views: tuple[hs.View, ...]
    t: float
    pca_step: dict[int, int]
    step: int
    share: Callable[[int], float]
    outputs: int
    has_boundary: bool
    boundary_shown: bool

    @property
    def depth(self) -> int:
        return len(self.views) - 1


def space_name(k: int) -> str:
    return "the input plane" if k == 0 else f"hidden layer {k}"


def axis_labels(run, views, t: float, outputs: int = 1) -> tuple[str, str]:
    """(horizontal, vertical) axis labels at slider position t (none between two layers);
    ``outputs``: K, the output layer's neurons."""
    if t != int(t):
        return "", ""
    k = int(t)
    if k == 0:
        names, how = run.dataset.feature_names, SCALED.get(run.scaling, run.scaling)
        return f"{names[0]} ({how})", f"{names[1]} ({how})"
    view = views[k]
    if view.kind == hs.PCA:
        return f"PC1 of hidden {k}", f"PC2 of hidden {k}"
    if view.kind == hs.NEURONS:
        i, j = view.neurons
        return f"hidden {k}, neuron {i + 1}", f"hidden {k}, neuron {j + 1}"
    if view.kind == hs.READOUT:
        if outputs < 3:
            return f"hidden {k} along the readout", f"hidden {k} across it"
        return f"hidden {k}, readout axis 1", f"hidden {k}, readout axis 2"
    return f"hidden {k}, neuron 1", "" if view.kind == hs.LINE else f"hidden {k}, neuron 2"


def caption(p: Picture) -> str:
    """The text under the picture (see the module docstring)."""
    run, plane, t = p.run, p.plane, p.t
    k = int(np.floor(t))
    if t != k:
        return (f"Between {space_name(k)} and {space_name(k + 1)}: each point drawn "
                f"{t - k:.0%} of the way from its place in one to its place in the next "
                "(the passage, not a layer's values).")
    m, n_train = len(plane.rows), run.n_train
    colour = (f"coloured by {run.dataset.target_names[0]}" if run.task == "regression"
              else "coloured by class")
    view = p.views[k]
    act = run.activations[k - 1] if k else ""
    n = view.basis.shape[0]
    if k == 0:
        points = f"{m:,} training points" + (f" (every ~{n_train // m}th of {n_train:,})"
                                             if m < n_train else "")
        grid = plane.n_lines // 2
        text = (f"The input plane ({SCALED.get(run.scaling, run.scaling)} units): "
                f"{grid}×{grid} grid lines and {points}, {colour}.")
        if not plane.exact_inputs:
            text += f" The network's inputs are its features ({', '.join(run.input_names)})."
    elif view.kind == hs.EXACT:
        text = f"Hidden layer {k}, its 2 {act} neurons (exact)."
    elif view.kind == hs.LINE:
        text = f"Hidden layer {k}, its one {act} neuron along the horizontal axis."
    elif view.kind == hs.NEURONS:
        i, j = view.neurons
        text = (f"Hidden layer {k}, neurons {i + 1} and {j + 1} of its {n} {act} neurons "
                f"(the other {n - 2} not shown).")
    elif view.kind == hs.READOUT:
        across = ("the plane of the directions the output layer reads" if p.outputs >= 3 else
                  "horizontally the direction the output layer reads, vertically the points' "
                  "main spread across it")
        text = f"Hidden layer {k}, its {n} {act} neurons on the readout plane: {across}."
    else:
        stale = p.pca_step[k] != p.step
        text = (f"Hidden layer {k}, the PCA plane of its {n} {act} neurons, fitted at step "
                f"{p.pca_step[k]:,}: it holds {p.share(k):.0%} of the points' variance"
                + (" now (Refit to fit it again)." if stale else "."))
    if k == p.depth:
        text += " " + boundary_caption(p, view)
    elif k == 0 and p.depth:
        text += " Slide right to carry them through the network."
    elif k and run.task == "regression":
        text += f" Points {colour}."
    return text


def boundary_caption(p: Picture, view: hs.View) -> str:
    """What the black line(s) in the last hidden layer's picture are, and how exact."""
    run = p.run
    if run.task == "regression":
        return (f"Points coloured by {run.dataset.target_names[0]}; no decision boundary "
                "(a regression).")
    if not p.has_boundary:
        return ("No boundary drawn: the output reads the engineered features, which are not "
                "linear in this plane (see Predicted vs true).")
    line = (f"Black line: P(class={run.dataset.class_names[1]}) = 0.5, the output layer's "
            "decision boundary" if p.outputs == 1 else
            "Black lines: where the output layer's two most probable classes tie")
    if not p.boundary_shown:
        line += " (not in view here)"
    if view.exact and view.kind == hs.READOUT:
        return line + " (exact: nothing off this plane changes the output)."
    if view.exact:
        return line + " (exact)."
    if view.kind == hs.READOUT:
        return (line + " (dashed: approximate, the output reads more directions than this "
                "plane holds).")
    n = view.basis.shape[0]
    if view.kind == hs.NEURONS:
        return (line + f", with the other {n - 2} neurons held at their mean over the points "
                "(dashed: approximate, each point has its own values there).")
    return (line + " on the PCA plane through the points' mean (dashed: approximate, the "
            f"{1 - p.share(p.depth):.0%} of their variance off the plane is left out).")
