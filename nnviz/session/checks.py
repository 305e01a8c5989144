"""Values read from a session manifest, checked: one-line ``SessionFileError`` naming the field.

``need(d, key, kind, where)`` -> d[key] of a JSON kind; ``count(...)`` -> an int within bounds;
``declared(name, value, where)`` -> a value within the configuration table's limits.
"""

from __future__ import annotations

from nnviz.config import SETTINGS
from nnviz.errors import ConfigError, SessionFileError


def fail(problem: str) -> SessionFileError:
    return SessionFileError(problem)


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def need(d, key: str, kind: str, where: str):
    """d[key] checked to be of ``kind``: int, num, str, bool, list, dict, with '?' for None."""
    if not isinstance(d, dict):
        raise fail(f"{where} must be a JSON object")
    if key not in d:
        raise fail(f"{where}: missing {key!r}")
    v = d[key]
    optional = kind.endswith("?")
    base = kind.rstrip("?")
    if v is None and optional:
        return None
    ok = {
        "int": is_int, "num": is_num, "str": lambda x: isinstance(x, str),
        "bool": lambda x: isinstance(x, bool), "list": lambda x: isinstance(x, list),
        "dict": lambda x: isinstance(x, dict),
    }[base](v)
    if not ok:
        raise fail(f"{where}: {key!r} must be {base}, got {show(v)}")
    return float(v) if base == "num" else v


def declared(name: str, value, where: str):
    """``value`` within the configuration table's limits for field ``name`` (a value the
    file holds beside the configuration, as the optimiser's lr): the table's one-line
    message otherwise."""
    try:
        SETTINGS[name].check(value)
    except ConfigError as exc:
        raise fail(f"{where}: {exc}") from None
    return value


def count(d, key: str, where: str, hi: int, lo: int = 0) -> int:
    v = need(d, key, "int", where)
    if not lo <= v <= hi:
        raise fail(f"{where}: {key!r} out of range ({v})")
    return v


def show(v) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


def str_list(v, where: str, n: int | None = None) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(s, str) and len(s) < 1000 for s in v):
        raise fail(f"{where} must be a list of strings")
    if n is not None and len(v) != n:
        raise fail(f"{where} must have {n} entries, got {len(v)}")
    return tuple(v)
