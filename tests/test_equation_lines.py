"""Equations laid out to a width: whole if they fit, else rows that start at a top-level sign."""

from __future__ import annotations

import pytest

from nnviz.equation_lines import split_at, wrap_equation

DL_DZ = "dL/dz = ŷ·Σy − y = (0.314399, 0.310311, -0.62471)"
SUM = ("z = Σ w·x + b = 0.193693·0.428618 + 0.0616951·(-0.549823) + 0.513613·0.591687 "
       "+ 0.163179·0.800664 + 0 = 0.483649")
QUOTIENT = "dL/dŷ = (ŷ − y) / (ŷ(1 − ŷ)) = (0.411331 − 0) / (0.411331(1 − 0.411331)) = 1.69875"


def test_cuts_only_outside_brackets():
    assert split_at(DL_DZ, (" = ",)) == ["dL/dz", "= ŷ·Σy − y", "= (0.314399, 0.310311, -0.62471)"]
    assert split_at("a = (b = c) + [d + e]", (" = ", " + ")) == ["a", "= (b = c)", "+ [d + e]"]


def test_an_equation_that_fits_is_one_row():
    assert wrap_equation(DL_DZ, len, len(DL_DZ), 4) == ([DL_DZ], 4)


@pytest.mark.parametrize("line", [DL_DZ, SUM, QUOTIENT])
@pytest.mark.parametrize("room", [40, 46, 60])
def test_rows_join_into_the_equation_fit_the_room_and_start_at_a_sign(line, room):
    rows, indent = wrap_equation(line, len, room, 4)
    assert " ".join(rows) == line
    assert 0 <= indent <= 4
    assert len(rows[0]) <= room and all(len(r) <= room - indent for r in rows[1:])
    assert all(r[:2] in ("= ", "+ ", "− ", "· ", "/ ") for r in rows[1:])


def test_textbook_rows():
    assert wrap_equation(DL_DZ, len, 46, 4)[0] == [
        "dL/dz = ŷ·Σy − y", "= (0.314399, 0.310311, -0.62471)"]
    # a sum cut into terms starts its row, and the result after it too
    assert wrap_equation(SUM, len, 46, 4)[0] == [
        "z = Σ w·x + b", "= 0.193693·0.428618", "+ 0.0616951·(-0.549823)",
        "+ 0.513613·0.591687 + 0.163179·0.800664", "+ 0", "= 0.483649"]
    # a side that cannot be cut keeps whole, the indent giving way to it
    rows, indent = wrap_equation(QUOTIENT, len, 46, 4)
    assert rows[1] == "= (0.411331 − 0) / (0.411331(1 − 0.411331))" and indent == 3


def test_a_piece_no_sign_cuts_stays_whole():
    rows, indent = wrap_equation("y = (1, 2, 3, 4, 5, 6)", len, 10, 4)
    assert rows == ["y", "= (1, 2, 3, 4, 5, 6)"] and indent == 0
