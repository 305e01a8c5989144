"""Each phase's equation in the inspector's text, read back: the numbers printed are the
engine's (to the printed precision), negatives are bracketed where they are operands, vectors
are written (a, b, c)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnviz.diagram_model import Selection
from nnviz.engine.phases import phases_of
from nnviz.engine.walk import BackpropWalk
from nnviz.experiment import PRESETS, build
from nnviz.explain import _number, explain_phase, explain_update, fmt, vector

NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?(?:e[+-]\d+)?|inf|nan)")
#: "… 4 more terms" / "… 3 more" inside a folded sum or vector
FOLDED = re.compile(r"… \d+ more( terms)?")


def segments(line: str) -> list[str]:
    """The " = "-separated parts of an equation line, without a trailing "  (note)"."""
    return line.strip().split("  ")[0].split(" = ")


def is_numeric(segment: str) -> bool:
    """A segment of numbers and operators only (no symbols such as ŷ, w, lr)."""
    return bool(re.fullmatch(r"[0-9e.,()·+\-−\s]*\d[0-9e.,()·+\-−\s]*",
                             FOLDED.sub("", segment)))


def numbers(segment: str) -> list[float]:
    return [float(t) for t in NUMBER.findall(FOLDED.sub("", segment))]


def printed(value: float) -> float:
    """``value`` as the text prints it, read back."""
    return float(fmt(value))


def walk_phases(preset: str, selection=None):
    """(phase, Explanation, walk, exp) after each phase of one sample of ``preset``."""
    exp = build(PRESETS[preset])
    walk = BackpropWalk(exp.trainer)
    i = None
    for phase in phases_of(exp.net.n_layers):
        walk.next_phase_step()
        i = walk.indices[0]
        ex = explain_phase(phase, walk.values(), walk.params_before, exp.net.activation_names,
                           exp.trainer.Y[[i]], exp.trainer.loss_fn.name, exp.trainer.lr,
                           exp.trainer.optimizer.name, selection)
        yield phase, ex, walk, exp


PRESET_NAMES = ["xor", "single-neuron", "iris", "function-fit"]


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_every_phase_has_its_equation_with_the_engines_numbers(preset):
    for phase, ex, walk, exp in walk_phases(preset):
        v, before = walk.values(), walk.params_before
        assert ex.lines, phase.label
        if phase.kind == "forward":
            l, j = phase.layer, 0
            z_line = ex.lines[0]
            assert z_line.startswith("z = Σ w·" + ("x" if l == 0 else "a") + " + b = ")
            terms, result = segments(z_line)[2], segments(z_line)[3]
            nums = numbers(terms)
            shown = (len(nums) - 1) // 2  # w·x pairs, then b
            for k in range(shown):
                assert nums[2 * k] == printed(before[2 * l][k, j])
                assert nums[2 * k + 1] == printed(v.a[l][0, k])
            assert nums[-1] == printed(before[2 * l + 1][j])
            assert numbers(result) == [printed(v.z[l][0, j])]
            a_line = ex.lines[1]
            assert numbers(segments(a_line)[-1]) == [printed(v.a[l + 1][0, j])]
        elif phase.kind == "loss":
            loss = exp.trainer.loss_fn
            assert any(line.startswith(loss.formula + " = ") for line in ex.lines)
            line = [x for x in ex.lines if x.startswith(loss.formula)][0]
            assert numbers(segments(line)[-1]) == [printed(v.loss)]
            y_hat = [x for x in ex.lines if x.startswith("ŷ = ")][0]
            assert numbers(y_hat[4:]) == [printed(a) for a in v.a[-1][0]]
        elif phase.kind == "backward":
            l = phase.layer
            grad = [x for x in ex.lines if x.strip().startswith("dL/dw = a_in · delta_out")][0]
            a_in, delta = numbers(segments(grad)[2])
            assert a_in == printed(v.a[l][0, 0]) and delta == printed(v.delta[l][0, 0])
            assert numbers(segments(grad)[3]) == [printed(v.dW[l][0, 0])]
            bias = [x for x in ex.lines if x.strip().startswith("dL/db = ")][0]
            assert numbers(segments(bias)[-1]) == [printed(v.db[l][0])]
            if l >= 1:
                sent = [x for x in ex.lines if x.strip().startswith("delta = f′(z)")][0]
                df, back = numbers(segments(sent)[2])
                assert numbers(segments(sent)[3]) == [printed(v.delta[l - 1][0, 0])]
                assert df * back == pytest.approx(v.delta[l - 1][0, 0], rel=2e-5, abs=1e-12)
        else:
            layer, kind, index = ex.values["param"]
            k = 2 * layer + (kind == "b")
            name = "w" if kind == "W" else "b"
            old = [x for x in ex.lines if x.startswith(f"{name} = ")][0]
            assert numbers(old[4:]) == [printed(before[k][index])]
            step = [x for x in ex.lines if x.startswith(f"Δ{name}")][0]
            assert numbers(segments(step)[-1]) == [printed(v.changes[k][index])]
            new = [x for x in ex.lines if x.startswith(f"{name}_new = ")][0]
            o, c = numbers(segments(new)[2])
            assert (o, c) == (printed(before[k][index]), printed(v.changes[k][index]))
            exp.trainer.sync()
            after = exp.net.get_params()[k][index]
            assert numbers(segments(new)[3]) == [printed(after)]
            assert before[k][index] + v.changes[k][index] == after


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_negative_operands_are_bracketed(preset):
    """In every sum or product of numbers a negative number is in parentheses; a lone result
    or a vector's element is not."""
    seen_negative = False
    for _, ex, _, _ in walk_phases(preset, Selection("neuron", 1, index=0)):
        for line in ex.lines:
            for seg in segments(line):
                if not is_numeric(seg) or seg.startswith("(") and ", " in seg:
                    continue  # symbols, or a vector (a, b, c)
                if len(numbers(seg)) > 1:
                    bare = re.findall(r"(?<![(e\d])-\d", seg)
                    assert not bare, f"unbracketed negative operand in {line!r}"
                    seen_negative |= "(-" in seg
    if preset in ("xor", "iris", "function-fit"):
        assert seen_negative, "these runs have negative weights: the check must have seen some"


def test_the_issues_update_line_is_bracketed():
    """`0.498214 − 0.1 · -0.107825` was the issue's example: a negative gradient goes in ()."""
    assert _number(-0.107825) == "(-0.107825)" and _number(0.1) == "0.1"
    *_, (_, ex, _, _) = walk_phases("single-neuron")
    step = [x for x in ex.lines if x.startswith("Δw")][0]
    assert step.startswith("Δw = −lr · dL/dw = −0.1 · (-")


def test_vectors_are_written_with_separators():
    assert vector([1, 0]) == "(1, 0)"
    assert vector([0.5]) == "0.5"
    assert vector(np.arange(10), limit=3) == "(0, 1, 2, … 7 more)"
    ex, walk, exp = next((ex, walk, exp) for phase, ex, walk, exp in walk_phases("iris")
                         if phase.kind == "loss")
    lines = dict(line.split(" = ", 1) for line in ex.lines[:2])
    assert re.fullmatch(r"\([^,()]+(, [^,()]+){2}\)", lines["ŷ"])
    assert lines["y"] == vector(exp.trainer.Y[walk.indices[0]])
    assert re.fullmatch(r"\((0|1), (0|1), (0|1)\)", lines["y"])


def test_update_shows_the_selected_or_the_largest_change():
    *_, (_, ex, walk, exp) = walk_phases("xor")
    v, before = walk.values(), walk.params_before
    biggest = max(abs(c).max() for c in v.changes)
    layer, kind, index = ex.values["param"]
    assert abs(v.changes[2 * layer + (kind == "b")][index]) == biggest
    assert "the largest change" in ex.title
    chosen = explain_update(v, before, exp.trainer.lr, "sgd", (0, "W", (1, 2)))
    assert chosen.values["old"] == before[0][1, 2]
    assert chosen.values["change"] == v.changes[0][1, 2]
    assert chosen.lines[-1].endswith(fmt(before[0][1, 2] + v.changes[0][1, 2]))
    *_, (_, by_neuron, _, _) = walk_phases("xor", Selection("neuron", 1, index=3))
    assert by_neuron.values["param"] == (0, "b", (3,))
    assert by_neuron.title == "Update — Bias of neuron 4 (layer 1)"
    *_, (_, by_weight, _, _) = walk_phases("xor", Selection("connection", 1, i=2, j=0))
    assert by_weight.values["param"] == (1, "W", (2, 0))


def test_forward_phase_follows_the_selected_neuron_in_its_layer():
    phases = list(walk_phases("xor", Selection("neuron", 1, index=2)))
    first = phases[0][1]
    assert first.title == "Forward — Neuron 3 of layer 1"
    second = phases[1][1]  # the selected neuron is not in layer 2: its first neuron
    assert second.title == "Forward — Neuron 1 of layer 2"


def test_adam_update_names_its_step_and_symbols():
    *_, (_, ex, walk, exp) = walk_phases("iris")
    step = [x for x in ex.lines if x.startswith("Δ")][0]
    assert "(adam) = −lr · m̂ / (√v̂ + ε) = " in step
    assert ex.symbols.startswith("m̂, v̂: running means of dL/d")


def test_fused_loss_is_said_in_words_beside_the_equation():
    """"sigmoid and BCE together" is prose under the equations, not a tail on dL/dz's line."""
    ex = next(ex for phase, ex, _, _ in walk_phases("xor") if phase.kind == "loss")
    dz = [x for x in ex.lines if x.startswith("dL/dz = ")][0]
    assert "together" not in dz and dz.endswith(fmt(float(numbers(segments(dz)[-1])[0])))
    assert ex.symbols.startswith("sigmoid output and binary_cross_entropy together")
