"""Tick labels that read as one number each, for every plot axis (Qt-free: the axes in
``nnviz.gui.graphics`` call these).

pyqtgraph's own labels compounded at the ends of the float range: its automatic SI prefix
scaled a 1e300 axis by 1e-27 and wrote "(x1e+27)" beside ticks reading "1e+273", and a compact
"k/M/G" suffix after a "%g" exponent read "1e+191G". Here a label is one of

- a plain number: ``0``, ``0.25``, ``-1.5``, ``12500``, ``1e+200``, ``-5e-305``;
- a power of ten: ``10⁻⁶``, ``5·10²⁹⁹`` (log axes, axes over log10 values);
- a compact count: ``500k``, ``1.5M``, ``2G`` (step axes, below 1e12 only);

and ``""`` where there is no number (a non-finite tick).
"""

from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

#: at least this many significant digits in an exponent form (pyqtgraph's "%g")
MIN_DIGITS = 6
#: at most this many (a float holds 17)
MAX_DIGITS = 17
#: compact counts (500k, 1.5M) below this; "%g" forms above (no "1e+191G")
COMPACT_LIMIT = 1e12


def power_of_ten(exponent: float) -> str:
    """-6 -> '10⁻⁶'; a non-whole exponent -> '' (no label)."""
    k = round(exponent)
    return f"10{str(k).translate(_SUPERSCRIPT)}" if abs(exponent - k) < 1e-9 else ""


def compact_number(v: float) -> str:
    """12,500 -> '12.5k', 1,000,000 -> '1M' (3 significant digits); 1e12 and more (and
    non-finite values) as ``number`` would write them."""
    if not math.isfinite(v) or abs(v) >= COMPACT_LIMIT:
        return number(v)
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:.3g}"


def number(v: float, spacing: float = 0.0) -> str:
    """``v`` as one number, with enough digits to tell it from a tick ``spacing`` away:
    fixed decimals for 0.001 <= |v| < 10000 (pyqtgraph's rule: 0.25, 12.0), otherwise "%g"
    with at least MIN_DIGITS significant digits (1e+200, 1.0000001e+200 beside 1e+200 at a
    spacing of 1e+193); "" if ``v`` is not finite."""
    if not math.isfinite(v):
        return ""
    good = math.isfinite(spacing) and spacing > 0
    if v == 0 or abs(v) < 1e-3 or abs(v) >= 1e4:
        digits = MIN_DIGITS
        if good and v != 0:
            digits = min(MAX_DIGITS, max(
                MIN_DIGITS, math.floor(math.log10(abs(v))) - math.floor(math.log10(spacing)) + 1))
        text = f"{v:.{digits}g}"
        return text if math.isfinite(float(text)) else repr(v)  # (1.8e+308 rounded past max)
    places = max(0, math.ceil(-math.log10(spacing))) if good else MIN_DIGITS
    return f"{v:.{min(places, MAX_DIGITS)}f}"


def log_number(exponent: float) -> str:
    """The label of a log axis's tick at 10**``exponent``, one significant digit as
    pyqtgraph writes them (0.001, 5, 10², 5·10²⁹⁹), computed from the exponent (10**400 would
    overflow); "" if it is not finite."""
    if not math.isfinite(exponent):
        return ""
    k = math.floor(exponent + 1e-9)
    mantissa = float(f"{10 ** (exponent - k):.1g}")
    if mantissa >= 10:
        k, mantissa = k + 1, 1.0
    if -4 <= k <= 0:
        return f"{mantissa * 10.0 ** k:g}"
    head = "" if mantissa == 1 else f"{mantissa:g}·"
    return f"{head}10{str(k).translate(_SUPERSCRIPT)}"


def tick_strings(values, scale: float, spacing: float, log: bool = False) -> list[str]:
    """The labels of ticks at ``values`` (shown times ``scale``, ``spacing`` apart), as an
    axis's ``tickStrings``; ``log``: the values are log10 exponents (a log axis)."""
    if log:
        shift = math.log10(scale) if scale > 0 and math.isfinite(scale) else 0.0
        return [log_number(v + shift) for v in values]
    return [number(v * scale, spacing * scale) for v in values]
