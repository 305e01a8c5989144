"""An equation laid out to a width the textbook way (no Qt): whole on one line if it fits,
else continued on further lines that each begin at one of its top-level signs.

An equation line such as ``dL/dz = ŷ·Σy − y = (0.314399, 0.310311, -0.62471)`` breaks only
before a top-level " = " (outside brackets), and, where one side alone is still too wide,
before a top-level " + " or " − " of that side (it and the side after it then start a
line), and a term still too wide before its top-level " · " or " / "::

    dL/dz = ŷ·Σy − y
        = (0.314399, 0.310311, -0.62471)

    Σ w·delta_next
        = (-0.538998)·0.314399 + 0.32716·0.310311
        + 0.0374508·(-0.62471)
        = -0.0913352

Nothing else breaks: a number, a product w·x, a bracketed value or a vector stays whole (a
piece wider than the room alone is left whole on its line, for the text area to scroll).
"""

from __future__ import annotations

from collections.abc import Callable

#: the signs a continuation line may begin with: a side's " = " first, then, for a side still
#: too wide, its terms' " + " and " − ", then a term's factors' " · " and " / "
LEVELS = ((" = ",), (" + ", " − "), (" · ", " / "))
OPEN, CLOSE = "([{", ")]}"


def split_at(line: str, signs: tuple[str, ...]) -> list[str]:
    """``line`` cut before each of ``signs`` outside brackets: pieces whose concatenation
    joined by a space is ``line`` (the first piece without a sign, the others beginning with
    theirs, e.g. ["a", "= b + c", "= 2"])."""
    pieces, depth, start, k = [], 0, 0, 0
    while k < len(line):
        ch = line[k]
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and k > start and any(line.startswith(s, k) for s in signs):
            pieces.append(line[start:k])
            start = k = k + 1  # (the sign's leading space is the break)
            continue
        k += 1
    pieces.append(line[start:])
    return pieces


def pieces_of(text: str, width: Callable[[str], float], room: float,
              level: int = 0) -> list[str]:
    """``text`` whole if it fits ``room``, else cut at LEVELS[level]'s signs, each piece
    still too wide cut at the next level's (a piece no level cuts stays whole)."""
    if level == len(LEVELS) or width(text) <= room:
        return [text]
    return [p for piece in split_at(text, LEVELS[level])
            for p in pieces_of(piece, width, room, level + 1)]


def wrap_equation(line: str, width: Callable[[str], float], room: float,
                  indent: float = 0.0) -> tuple[list[str], float]:
    """(rows, their indent): ``line`` as rows no wider than ``room`` by ``width(text)``, the
    rows after the first drawn ``indent`` further in (less where a side or a piece that
    cannot be cut needs the room: the indent returned, >= 0), breaking as the module
    docstring says. A side cut at a deeper level starts a row, and the side after it too."""
    if width(line) <= room:
        return [line], indent
    sides = [pieces_of(side, width, room, 1) for side in split_at(line, LEVELS[0])]
    widest = max(width(p) for side in sides[1:] for p in side) if len(sides) > 1 else 0.0
    indent = max(0.0, min(indent, room - widest))
    rest = room - indent
    out: list[str] = []
    closed = False  # the last row ends a side that was cut: the next side starts a row
    for side in sides:
        cut = len(side) > 1
        for k, piece in enumerate(side):
            if out and not (closed or cut and k == 0) and width(out[-1] + " " + piece) <= (
                    room if len(out) == 1 else rest):
                out[-1] += " " + piece
            else:
                out.append(piece)
        closed = cut
    return out, indent
