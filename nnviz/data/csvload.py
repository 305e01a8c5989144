"""Read a user's CSV file into a Dataset, strictly: nothing is coerced or dropped.

Accepted: a header row; delimiter , ; tab or | (sniffed or given); UTF-8 with or without a
BOM; LF or CRLF; quoted cells; spaces around cells; blank lines at the end (the file to rows:
``nnviz.data.csvtext``); every cell of a feature a finite number. Any other problem raises
DataError with one line: file, 1-based line, column name and the offending text.

Two entry points share one scan of the rows and one check of a choice of columns:
``preview_csv`` (what an import dialog shows: the first rows, each column numeric or
categorical with its counts; ``CsvPreview.choose`` checks target(s), features and task with
load_csv's messages) and ``load_csv`` (the Dataset).
"""

from __future__ import annotations

import array
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnviz.data.csvtext import clip, data_rows, fail, name_list, read_rows
from nnviz.data.dataset import Dataset, cloud_bounds, one_hot
from nnviz.errors import ConfigError

#: Largest file load_csv reads unless told otherwise (bytes).
MAX_CSV_BYTES = 50 * 1024 * 1024
#: A numeric target with at most this many distinct integer values is read as classes.
MAX_INFERRED_CLASSES = 10
#: No classification target may have more classes than this.
MAX_CLASSES = 100
#: Data rows preview_csv keeps to show.
PREVIEW_ROWS = 20
#: Data rows preview_csv scans for column kinds (load_csv always reads every row).
PREVIEW_SCAN_ROWS = 5000
#: The tasks load_csv can be told (None: inferred).
TASK_CHOICES = ("regression", "classification", "binary", "multiclass")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)\Z", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+\Z")
_TASKS = (None, *TASK_CHOICES)


def _cell_problem(cell: str) -> str | None:
    """Why a stripped cell is not a finite number, or None when it is one."""
    if cell == "":
        return "blank cell"
    if _NON_FINITE.match(cell):
        return "not a finite number"
    if not _NUMBER.match(cell):
        if _DECIMAL_COMMA.match(cell):
            return "not a number (decimal comma? write 1.5, not 1,5)"
        return "not a number"
    if not np.isfinite(float(cell)):
        return "number out of range"
    return None


def _label_name(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


@dataclass(frozen=True)
class ColumnInfo:
    """What one column holds over the scanned rows.

    numbers: cells that are finite numbers; texts: cells that are not numbers at all
    (words, "1,5"); bad: blank, nan/inf or out-of-range cells. kind: "categorical" when
    some cell is text, else "numeric". values: distinct numbers, labels: distinct cell
    texts, each sorted and kept up to MAX_CLASSES + 1. first_number / first_text /
    first_bad: (line, why, text) of the first cell of that sort, or None.
    """

    name: str
    numbers: int
    texts: int
    bad: int
    integers: bool
    values: tuple[float, ...]
    labels: tuple[str, ...]
    first_number: tuple[int, str, str] | None
    first_text: tuple[int, str, str] | None
    first_bad: tuple[int, str, str] | None

    @property
    def kind(self) -> str:
        return "categorical" if self.texts else "numeric"

    @property
    def distinct(self) -> int:
        """Distinct values (numbers compared as numbers), at most MAX_CLASSES + 1."""
        return len(self.labels) if self.texts else len(self.values)

    @property
    def class_names(self) -> tuple[str, ...]:
        """The classes this column gives as a classification target, in label order."""
        return self.labels if self.texts else tuple(_label_name(v) for v in self.values)

    def summary(self) -> str:
        """e.g. 'numeric, 35 values' or 'categorical, 3 values, 1 blank or non-finite'."""
        n = self.distinct
        text = f"{self.kind}, {n if n <= MAX_CLASSES else f'over {MAX_CLASSES}'} " + \
            ("value" if n == 1 else "values")
        if self.bad:
            text += f", {self.bad} blank or non-finite"
        return text

    def problem(self, numeric: bool) -> tuple[int, str, str] | None:
        """The first cell that stops this column being used: any non-number when ``numeric``
        (a feature, a regression target), else only blank and non-finite cells."""
        found = [p for p in (self.first_bad, self.first_text if numeric else None) if p]
        return min(found) if found else None


class _ColumnScan:
    """Accumulates a ColumnInfo one cell at a time."""

    def __init__(self, name: str):
        self.name = name
        self.numbers = self.texts = self.bad = 0
        self.integers = True
        self.values: set[float] = set()
        self.labels: set[str] = set()
        self.first: dict[str, tuple[int, str, str]] = {}

    def add(self, line: int, cell: str) -> float:
        """Count the cell; its value (NaN when it is not a finite number)."""
        why = _cell_problem(cell)
        v = math.nan
        if why is None:
            self.numbers += 1
            v = float(cell)
            self.integers = self.integers and v.is_integer()
            if len(self.values) <= MAX_CLASSES:
                self.values.add(v)
            kind = "number"
        elif why.startswith("not a number"):
            self.texts += 1
            kind = "text"
        else:
            self.bad += 1
            kind = "bad"
        if kind != "bad" and len(self.labels) <= MAX_CLASSES:
            self.labels.add(cell)
        self.first.setdefault(kind, (line, why or "", cell))
        return v

    def info(self) -> ColumnInfo:
        return ColumnInfo(self.name, self.numbers, self.texts, self.bad, self.integers,
                          tuple(sorted(self.values)), tuple(sorted(self.labels)),
                          self.first.get("number"), self.first.get("text"),
                          self.first.get("bad"))


def _scan(records, header: list[str], src: str, keep=(), keep_text=(),
          limit: int | None = None, show: int = 0):
    """One pass over the data rows -> (infos, kept, texts, shown, n_rows, complete).

    kept: {column index: its values (float64 array('d'), NaN where not a number)} for the
    indices in ``keep``; texts: {column index: its cells} for ``keep_text`` (text labels);
    shown: the first ``show`` rows; limit: stop after this many rows (complete is then False
    if more followed). Values, not cell strings, are kept: 8 bytes a cell instead of ~70
    (a 60 MB CSV peaked at 667 MB with the strings).
    """
    scans = [_ColumnScan(h) for h in header]
    kept = {j: array.array("d") for j in keep}
    texts: dict[int, list[str]] = {j: [] for j in keep_text}
    shown: list[tuple[str, ...]] = []
    n = 0
    for line, cells in data_rows(records, header, src):
        if limit is not None and n >= limit:
            return [s.info() for s in scans], kept, texts, shown, n, False
        n += 1
        values = [scan.add(line, cell) for scan, cell in zip(scans, cells, strict=True)]
        for j, values_j in kept.items():
            values_j.append(values[j])
        for j, cells_j in texts.items():
            cells_j.append(cells[j])
        if len(shown) < show:
            shown.append(tuple(cells))
    if n == 0:
        raise fail(src, "header only: no data rows")
    return [s.info() for s in scans], kept, texts, shown, n, True


def _column(spec, names: list[str], src: str, what: str) -> int:
    """One column given by name or 0-based index (negative counts from the end)."""
    if isinstance(spec, bool) or not isinstance(spec, (int, np.integer, str)):
        raise ConfigError(f"{what} must be a column name or index, got {spec!r}")
    if isinstance(spec, str):
        if spec.strip() not in names:
            raise fail(src, f"no column named {clip(spec)} (columns: {name_list(names)})")
        return names.index(spec.strip())
    idx = int(spec)
    if not -len(names) <= idx < len(names):
        raise fail(src, f"{what} index {idx} out of range for {len(names)} columns")
    return idx % len(names)


def _columns(spec, names: list[str], src: str, what: str) -> tuple[int, ...]:
    """A column, or a list of columns, as distinct indices."""
    specs = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    out = tuple(_column(s, names, src, what) for s in specs)
    for i, j in enumerate(out):
        if j in out[:i]:
            raise fail(src, f"column {clip(names[j])} is chosen twice as a {what}")
    return out


def _choice(names: list[str], target, features, src: str) -> tuple[tuple[int, ...], ...]:
    """(target indices, feature indices); target None = the last column, features None =
    every other column, in file order."""
    targets = (len(names) - 1,) if target is None else _columns(target, names, src, "target")
    if not targets:
        raise fail(src, "no target column: choose at least one")
    if features is None:
        feats = tuple(j for j in range(len(names)) if j not in targets)
    else:
        feats = _columns(features, names, src, "feature")
    for j in feats:
        if j in targets:
            raise fail(src, f"column {clip(names[j])} is both a target and a feature")
    if not feats:
        raise fail(src, "no feature columns: choose at least one")
    return targets, feats


def _check_task(task) -> None:
    if task not in _TASKS:
        raise ConfigError(f"task must be one of {', '.join(TASK_CHOICES)} or None "
                          f"(inferred), got {task!r}")


def _check(infos: list[ColumnInfo], targets, features, task, src: str) -> str:
    """The Dataset task (regression, binary, multiclass) a choice gives; DataError naming the
    first cell, line and column that makes the choice unusable."""
    several = len(targets) > 1
    if several and task not in (None, "regression"):
        raise fail(src, f"task {task!r} takes one target column, {len(targets)} are chosen "
                         "(several targets are a multi-output regression)")
    regression = several or task == "regression"
    found = [(*p[:1], j, *p[1:]) for j in features if (p := infos[j].problem(numeric=True))]
    found += [(*p[:1], j, *p[1:]) for j in targets if (p := infos[j].problem(regression))]
    if found:
        line, j, why, text = min(found)
        raise fail(src, why, line=line, column=infos[j].name, text=text)
    if regression:
        return "regression"
    c = infos[targets[0]]
    if task is None:
        if c.texts and c.numbers:
            # mixed: cite the first cell of the rarer kind
            line, _, text = c.first_number if c.numbers < c.texts else c.first_text
            raise fail(src, "mixed numbers and text in the target column (pass "
                             "task='multiclass' or 'binary' to read it as class labels)",
                        line=line, column=c.name, text=text)
        if not c.texts and not (c.distinct <= MAX_INFERRED_CLASSES and c.integers):
            return "regression"
    names, k = c.class_names, c.distinct
    if k < 2:
        raise fail(src, f"target {clip(c.name)} has one class: need at least 2",
                    text=names[0])
    if k > MAX_CLASSES:
        raise fail(src, f"target {clip(c.name)} has over {MAX_CLASSES} classes, the limit")
    if task == "binary" and k != 2:
        raise fail(src, f"task 'binary' needs 2 classes, target {clip(c.name)} has {k} "
                         f"({name_list(names[:5])}{', ...' if k > 5 else ''})")
    return "multiclass" if task == "multiclass" or k > 2 else "binary"


@dataclass(frozen=True)
class CsvChoice:
    """A checked choice of columns: targets and features by name; task as the Dataset will
    have it (regression, binary or multiclass); class_names for classification."""

    targets: tuple[str, ...]
    features: tuple[str, ...]
    task: str
    class_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class CsvPreview:
    """What the import dialog shows before anything is loaded (see ``preview_csv``).

    columns: a ColumnInfo per header column; rows: the first data rows as text;
    n_rows: rows scanned; complete: whether that was every row of the file.
    """

    path: str
    delimiter: str
    columns: tuple[ColumnInfo, ...]
    rows: tuple[tuple[str, ...], ...]
    n_rows: int
    complete: bool

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def choose(self, target=None, features=None, task: str | None = None) -> CsvChoice:
        """Check a choice against the scanned rows, with load_csv's arguments and messages
        (DataError / ConfigError, one line); the whole file is checked only by load_csv."""
        _check_task(task)
        names = list(self.names)
        targets, feats = _choice(names, target, features, self.path)
        ds_task = _check(list(self.columns), targets, feats, task, self.path)
        classes = self.columns[targets[0]].class_names if ds_task != "regression" else ()
        return CsvChoice(tuple(names[j] for j in targets), tuple(names[j] for j in feats),
                         ds_task, classes)


def _check_delimiter(delimiter) -> None:
    if delimiter is not None and (len(delimiter) != 1 or delimiter in "\"\r\n '"):
        raise ConfigError(f"delimiter must be one character such as , ; | or tab, "
                          f"got {delimiter!r}")


def preview_csv(path: str | os.PathLike, delimiter: str | None = None, *,
                rows: int = PREVIEW_ROWS, scan_rows: int = PREVIEW_SCAN_ROWS,
                max_bytes: int = MAX_CSV_BYTES) -> CsvPreview:
    """The header, the first ``rows`` rows and each column's kind and counts over the first
    ``scan_rows`` rows. Raises DataError (one line) for a file load_csv could never read
    (size, encoding, header, ragged rows); column choices are checked by ``choose``."""
    src = str(path)
    _check_delimiter(delimiter)
    delim, header, records = read_rows(path, src, max_bytes, delimiter)
    infos, _, _, shown, n, complete = _scan(records, header, src, limit=scan_rows, show=rows)
    return CsvPreview(src, delim, tuple(infos), tuple(shown), n, complete)


def load_csv(path: str | os.PathLike, target=None, task: str | None = None,
             delimiter: str | None = None, *, features=None, max_bytes: int = MAX_CSV_BYTES,
             name: str | None = None) -> Dataset:
    """Read a CSV with a header row into a Dataset.

    target: a column name or 0-based index, or a list of them for a multi-output regression
    (None = the last column). features: the numeric input columns, names or indices (None =
    every other column). task: None (inferred: one numeric target with <= MAX_INFERRED_CLASSES
    distinct integer values, or text labels -> classification; else regression),
    "regression", "binary", "multiclass" or "classification" (binary or multiclass by count).
    delimiter: None = sniffed among , ; tab |. max_bytes: size limit (MAX_CSV_BYTES).
    name: the Dataset's name (default: the file's stem).
    X: (n, len(features)); Y: (n, len(targets)) for regression, as in Dataset otherwise.
    """
    src = str(path)
    _check_task(task)
    _check_delimiter(delimiter)
    delim, header, records = read_rows(path, src, max_bytes, delimiter)
    targets, feats = _choice(header, target, features, src)
    infos, kept, texts, _, n, _ = _scan(records, header, src, keep=(*targets, *feats),
                                        keep_text=targets[:1])
    task = _check(infos, targets, feats, task, src)

    def numbers(j: int) -> np.ndarray:
        return np.frombuffer(kept[j], dtype=np.float64)  # every cell checked by _check

    X = np.column_stack([numbers(j) for j in feats])
    tnames = tuple(header[j] for j in targets)
    class_names: tuple[str, ...] = ()
    if task == "regression":
        Y = np.column_stack([numbers(j) for j in targets])
    else:
        c, cells = infos[targets[0]], texts[targets[0]]
        class_names = c.class_names
        if c.texts:
            index = {label: i for i, label in enumerate(class_names)}
            labels = np.array([index[cell] for cell in cells], dtype=np.int64)
        else:
            labels = np.searchsorted(np.array(c.values), numbers(targets[0]))
        Y = one_hot(labels, len(class_names)) if task == "multiclass" else \
            labels.astype(np.float64).reshape(-1, 1)
    return Dataset(
        name=name or Path(path).stem,
        X=X,
        Y=Y,
        task=task,
        feature_names=tuple(header[j] for j in feats),
        target_name=", ".join(tnames),
        target_names=tnames,
        class_names=class_names,
        bounds=cloud_bounds(X),
        description=f"{n} rows from {Path(path).name}",
        source=src,
        input_columns=tuple(h for j, (h, c) in enumerate(zip(header, infos))
                            if j not in targets and c.problem(numeric=True) is None),
    )
