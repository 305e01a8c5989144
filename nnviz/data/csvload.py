"""Read a user's CSV file into a Dataset, strictly: nothing is coerced or dropped.

Accepted: a header row; delimiter , ; tab or | (sniffed or given); UTF-8 with or without a
BOM; LF or CRLF; quoted cells; spaces around cells; blank lines at the end. Any other
problem raises DataError with one line: file, 1-based line, column name and the offending
text (quoted text clipped to QUOTE_CHARS, column lists to QUOTE_NAMES names). Only a regular
file is read, and at most max_bytes + 1 bytes of it.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from pathlib import Path

import numpy as np

from nnviz.data.dataset import Dataset, class_targets, cloud_bounds, one_hot
from nnviz.errors import ConfigError, DataError
from nnviz.inputfile import NotRegularFile, open_regular

#: Largest file load_csv reads unless told otherwise (bytes).
MAX_CSV_BYTES = 50 * 1024 * 1024
#: A numeric target with at most this many distinct integer values is read as classes.
MAX_INFERRED_CLASSES = 10
#: No classification target may have more classes than this.
MAX_CLASSES = 100
#: Delimiters tried when sniffing, in order of preference.
DELIMITERS = (",", ";", "\t", "|")
#: Lines looked at when sniffing the delimiter.
SNIFF_LINES = 20
#: Characters of a cell or column name quoted in a message; names listed in a message.
QUOTE_CHARS = 60
QUOTE_NAMES = 10

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)\Z", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+\Z")
_TASKS = (None, "regression", "binary", "multiclass", "classification")


def _clip(text, limit: int = QUOTE_CHARS):
    """A quoted value shortened for a message: its first ``limit`` characters and its length."""
    if isinstance(text, (str, bytes)) and len(text) > limit:
        return f"{text[:limit]!r}... ({len(text)} characters)"
    return repr(text)


def _names(names) -> str:
    """Column names for a message: the first QUOTE_NAMES (each clipped), then how many."""
    shown = [n if len(n) <= QUOTE_CHARS else n[:QUOTE_CHARS] + "..." for n in names]
    if len(shown) > QUOTE_NAMES:
        return ", ".join(shown[:QUOTE_NAMES]) + f", ... ({len(shown)} columns)"
    return ", ".join(shown)


def _message(src: str, problem: str, line=None, column=None, text=None) -> str:
    where = src if line is None else f"{src}: line {line}"
    if column is not None:
        where += f", column {_clip(column)}"
    msg = f"{where}: {problem}"
    if text is not None:
        msg += f": {_clip(text)}"
    return msg


def _fail(src: str, problem: str, line=None, column=None, text=None) -> DataError:
    return DataError(_message(src, problem, line, column, text))


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


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def _bad_byte_column(raw: bytes, pos: int, delimiter: str | None) -> str | None:
    """Name of the column holding raw[pos], read from the header, when it can be told."""
    text = raw.decode("utf-8", errors="replace")
    start = raw.rfind(b"\n", 0, pos) + 1
    before = raw[start:pos].decode("utf-8", errors="replace")
    try:
        delim = delimiter or sniff_delimiter(text)
        header = next(csv.reader(text.splitlines()[:1], delimiter=delim,
                                 skipinitialspace=True), [])
        fields = next(csv.reader([before + "x"], delimiter=delim, skipinitialspace=True), [])
    except (csv.Error, DataError):  # binary junk: the line alone is reported
        return None
    j = len(fields) - 1
    return header[j].strip() if 0 <= j < len(header) and start > 0 else None


def _read_text(path: Path, src: str, max_bytes: int, delimiter: str | None) -> str:
    """The file's text, decoded as UTF-8 (BOM optional): a regular file only (a FIFO or
    /dev/zero is refused at once), size-checked first, never more than max_bytes + 1 read."""
    try:
        with open_regular(path) as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise _fail(src, f"file is {_size(size)}, over the limit of "
                                 f"{_size(max_bytes)} (pass max_bytes= to raise it)")
            raw = f.read(max_bytes + 1)
    except NotRegularFile as e:
        raise _fail(src, f"is {e.strerror}") from None
    except OSError as e:
        raise _fail(src, f"cannot read file ({e.strerror or e})") from None
    if len(raw) > max_bytes:
        raise _fail(src, f"file is over the limit of {_size(max_bytes)} (it grew while read)")
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        pos = skip + e.start
        line = raw[:pos].count(b"\n") + 1
        column = _bad_byte_column(raw[skip:], e.start, delimiter)
        raise _fail(src, "not UTF-8 text (save the file as UTF-8)", line=line, column=column,
                    text=raw[pos:pos + 1]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _fail(src, "NUL byte in text (is this a binary file?)", line=line)
    if text.strip() == "":
        raise _fail(src, "empty file")
    return text


def _field_counts(lines: list[str], delimiter: str) -> set[int]:
    """Fields per line with this delimiter ({-1} when the csv module cannot read them)."""
    try:
        return {len(r) for r in csv.reader(lines, delimiter=delimiter, skipinitialspace=True)}
    except csv.Error:  # a field over the csv module's limit: _records reports it, with its line
        return {-1}


def sniff_delimiter(text: str, src: str = "CSV") -> str:
    """The candidate in DELIMITERS that splits the first lines into equal field counts > 1;
    else the one giving the header most fields; else ','. DataError (naming ``src``) when two
    candidates both split every line evenly (``a,b;y``: two columns, or two others?)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:SNIFF_LINES]
    even = {}
    for d in DELIMITERS:
        counts = _field_counts(lines, d)
        if len(counts) == 1 and (n := counts.pop()) > 1:
            even[d] = n
    if len(even) > 1:
        found = " and ".join(f"{d!r} ({n} columns)" for d, n in even.items())
        raise _fail(src, f"cannot tell the delimiter: {found} both split every line evenly; "
                         "give the delimiter")
    if even:
        return next(iter(even))
    header = lines[:1]
    fields = {d: max(_field_counts(header, d)) for d in DELIMITERS}
    d = max(DELIMITERS, key=lambda c: fields[c])  # max keeps the first on ties
    return d if fields[d] > 1 else ","


def _records(text: str, delimiter: str, src: str):
    """Yield (start_line, cells) per record, cells stripped of surrounding spaces."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True, strict=True)
    prev = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise _fail(src, _csv_problem(e), line=reader.line_num) from None
        yield prev + 1, [c.strip() for c in cells]
        prev = reader.line_num


def _csv_problem(e: csv.Error) -> str:
    """The csv module's complaint in the words of this module."""
    text = str(e)
    if "field larger than field limit" in text:
        return (f"a field longer than {csv.field_size_limit():,} characters (is this a CSV "
                "file? an unclosed quote?)")
    if "new-line character seen in unquoted field" in text:
        return "a carriage return (CR) inside a field (binary junk, or an old Mac line end?)"
    return f"unreadable CSV ({text})"


def _resolve_target(target, names: list[str], src: str) -> int:
    if target is None:
        return len(names) - 1
    if isinstance(target, bool) or not isinstance(target, (int, np.integer, str)):
        raise ConfigError(f"target must be a column name or index, got {target!r}")
    if isinstance(target, str):
        if target.strip() not in names:
            raise _fail(src, f"no column named {_clip(target)} (columns: {_names(names)})")
        return names.index(target.strip())
    idx = int(target)
    if not -len(names) <= idx < len(names):
        raise _fail(src, f"target index {idx} out of range for {len(names)} columns")
    return idx % len(names)


def _label_name(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _targets(cells, lines, tname, task, src):
    """Target texts -> (Y, task, class_names)."""
    problems = [_cell_problem(c) for c in cells]
    numeric = [p is None for p in problems]
    for c, p, ln in zip(cells, problems, lines, strict=True):
        if p in ("blank cell", "not a finite number", "number out of range") or (
            p is not None and task == "regression"
        ):
            raise _fail(src, p, line=ln, column=tname, text=c)
    if all(numeric):
        values = np.array([float(c) for c in cells])
        distinct = np.unique(values)
        if task is None:
            few_ints = (len(distinct) <= MAX_INFERRED_CLASSES
                        and all(float(v).is_integer() for v in distinct))
            task = "classification" if few_ints else "regression"
        if task == "regression":
            return values.reshape(-1, 1), "regression", ()
        labels = np.searchsorted(distinct, values)
        names = tuple(_label_name(v) for v in distinct)
    else:
        if task is None and any(numeric):
            # mixed: cite the first cell of the rarer kind
            odd = sum(numeric) < len(numeric) / 2
            i = numeric.index(True) if odd else numeric.index(False)
            raise _fail(src, "mixed numbers and text in the target column (pass "
                             "task='multiclass' or 'binary' to read it as class labels)",
                        line=lines[i], column=tname, text=cells[i])
        names = tuple(sorted(set(cells)))
        index = {c: i for i, c in enumerate(names)}
        labels = np.array([index[c] for c in cells], dtype=np.int64)
    k = len(names)
    if k < 2:
        raise _fail(src, f"target {_clip(tname)} has one class: need at least 2",
                    text=names[0])
    if k > MAX_CLASSES:
        raise _fail(src, f"target {_clip(tname)} has {k} classes, over the limit of "
                         f"{MAX_CLASSES}")
    if task == "binary" and k != 2:
        raise _fail(src, f"task 'binary' needs 2 classes, target {_clip(tname)} has {k} "
                         f"({_names(names[:5])}{', ...' if k > 5 else ''})")
    if task == "multiclass":
        return one_hot(np.asarray(labels, dtype=np.int64), k), "multiclass", names
    Y, inferred = class_targets(labels, k)
    return Y, inferred, names


def load_csv(path: str | os.PathLike, target: str | int | None = None, task: str | None = None,
             delimiter: str | None = None, *, max_bytes: int = MAX_CSV_BYTES,
             name: str | None = None) -> Dataset:
    """Read a CSV with a header row into a Dataset.

    target: column name or 0-based index (None = last column); the other columns are the
    numeric features. task: None (inferred: a numeric target with <= MAX_INFERRED_CLASSES
    distinct integer values, or any text labels -> classification; else regression),
    "regression", "binary", "multiclass" or "classification" (binary or multiclass by count).
    delimiter: None = sniffed among , ; tab |. max_bytes: size limit (MAX_CSV_BYTES).
    name: the Dataset's name (default: the file's stem).
    """
    src = str(path)
    if task not in _TASKS:
        raise ConfigError(f"task must be one of regression, binary, multiclass, "
                          f"classification or None, got {task!r}")
    if delimiter is not None and (len(delimiter) != 1 or delimiter in "\"\r\n '"):
        raise ConfigError(f"delimiter must be one character such as , ; | or tab, "
                          f"got {delimiter!r}")
    text = _read_text(Path(path), src, max_bytes, delimiter)
    delim = delimiter if delimiter is not None else sniff_delimiter(text, src)
    records = _records(text, delim, src)

    line, header = next(records)
    if not header or header == [""]:
        raise _fail(src, "the first line is blank: it must be the header row", line=line)
    for j, h in enumerate(header):
        if h == "":
            raise _fail(src, "blank column name in the header", line=line, column=j + 1)
        if h in header[:j]:
            raise _fail(src, f"duplicate column name (also column {header.index(h) + 1})",
                        line=line, column=h)
    if len(header) < 2:
        raise _fail(src, f"only one column (delimiter {delim!r}); need at least one feature "
                         "and a target", line=line, column=header[0])
    n_cols = len(header)
    t = _resolve_target(target, header, src)
    features = [j for j in range(n_cols) if j != t]
    tname = header[t]

    rows: list[list[float]] = []
    t_cells: list[str] = []
    t_lines: list[int] = []
    blank_at = None
    for line, cells in records:
        if len(cells) == 0 or (len(cells) == 1 and cells[0] == ""):
            blank_at = blank_at or line
            continue
        if blank_at is not None:
            raise _fail(src, f"blank line in the middle of the data (data goes on at line "
                             f"{line})", line=blank_at)
        if len(cells) != n_cols:
            kind = "short row" if len(cells) < n_cols else "long row"
            raise _fail(src, f"{kind}: {len(cells)} fields, expected {n_cols} "
                             f"({_names(header)})", line=line)
        values = []
        for j in features:
            problem = _cell_problem(cells[j])
            if problem is not None:
                raise _fail(src, problem, line=line, column=header[j], text=cells[j])
            values.append(float(cells[j]))
        if task == "regression" and (problem := _cell_problem(cells[t])) is not None:
            raise _fail(src, problem, line=line, column=tname, text=cells[t])
        rows.append(values)
        t_cells.append(cells[t])
        t_lines.append(line)
    if not rows:
        raise _fail(src, "header only: no data rows")

    X = np.array(rows, dtype=np.float64)
    Y, task, class_names = _targets(t_cells, t_lines, tname, task, src)
    return Dataset(
        name=name or Path(path).stem,
        X=X,
        Y=Y,
        task=task,
        feature_names=tuple(header[j] for j in features),
        target_name=tname,
        class_names=class_names,
        bounds=cloud_bounds(X),
        description=f"{len(X)} rows from {Path(path).name}",
        source=src,
    )
