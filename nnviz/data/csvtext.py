"""A CSV file's text to checked rows, strictly, and the one-line messages that name the place.

``read_rows`` reads a regular file only (a FIFO or /dev/zero is refused at once), at most
max_bytes + 1 bytes of it, as UTF-8 (BOM optional), sniffs the delimiter (, ; tab or |) unless
given, and checks the header; ``data_rows`` yields the data rows, each full width, blank lines
only at the end. Every problem raises DataError with one line: source, 1-based line, column
name and the offending text (quoted text clipped to QUOTE_CHARS, column lists to QUOTE_NAMES
names). What the columns mean (numbers, classes, the target) is ``nnviz.data.csvload``'s.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import os
import re
from pathlib import Path

from nnviz.errors import DataError
from nnviz.inputfile import NotRegularFile, open_regular, read_at_most

#: Delimiters tried when sniffing, in order of preference.
DELIMITERS = (",", ";", "\t", "|")
#: Lines looked at when sniffing the delimiter.
SNIFF_LINES = 20
#: Characters of a cell or column name quoted in a message; names listed in a message.
QUOTE_CHARS = 60
QUOTE_NAMES = 10

_LINE_END = re.compile(r"\r\n|\r|\n")
#: every line boundary str.splitlines knows
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def clip(text, limit: int = QUOTE_CHARS):
    """A quoted value shortened for a message: its first ``limit`` characters and its length."""
    if isinstance(text, (str, bytes)) and len(text) > limit:
        return f"{text[:limit]!r}... ({len(text)} characters)"
    return repr(text)


def name_list(names) -> str:
    """Column names for a message: the first QUOTE_NAMES (each clipped), then how many."""
    shown = [n if len(n) <= QUOTE_CHARS else n[:QUOTE_CHARS] + "..." for n in names]
    if len(shown) > QUOTE_NAMES:
        return ", ".join(shown[:QUOTE_NAMES]) + f", ... ({len(shown)} columns)"
    return ", ".join(shown)


def _message(src: str, problem: str, line=None, column=None, text=None) -> str:
    where = src if line is None else f"{src}: line {line}"
    if column is not None:
        where += f", column {clip(column)}"
    msg = f"{where}: {problem}"
    if text is not None:
        msg += f": {clip(text)}"
    return msg


def fail(src: str, problem: str, line=None, column=None, text=None) -> DataError:
    return DataError(_message(src, problem, line, column, text))


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
                raise fail(src, f"file is {_size(size)}, over the limit of "
                                 f"{_size(max_bytes)} (pass max_bytes= to raise it)")
            raw = read_at_most(f, max_bytes + 1)
    except NotRegularFile as e:
        raise fail(src, f"is {e.strerror}") from None
    except OSError as e:
        raise fail(src, f"cannot read file ({e.strerror or e})") from None
    if len(raw) > max_bytes:
        raise fail(src, f"file is over the limit of {_size(max_bytes)} (it grew while read)")
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        pos = skip + e.start
        line = raw[:pos].count(b"\n") + 1
        column = _bad_byte_column(raw[skip:], e.start, delimiter)
        raise fail(src, "not UTF-8 text (save the file as UTF-8)", line=line, column=column,
                    text=raw[pos:pos + 1]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise fail(src, "NUL byte in text (is this a binary file?)", line=line)
    if text.strip() == "":
        raise fail(src, "empty file")
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
    lines = (ln for ln in _lines(text, _LINE_BREAK, keep_ends=False) if ln.strip())
    lines = list(itertools.islice(lines, SNIFF_LINES))
    even = {}
    for d in DELIMITERS:
        counts = _field_counts(lines, d)
        if len(counts) == 1 and (n := counts.pop()) > 1:
            even[d] = n
    if len(even) > 1:
        found = " and ".join(f"{d!r} ({n} columns)" for d, n in even.items())
        raise fail(src, f"cannot tell the delimiter: {found} both split every line evenly; "
                         "give the delimiter")
    if even:
        return next(iter(even))
    header = lines[:1]
    fields = {d: max(_field_counts(header, d)) for d in DELIMITERS}
    d = max(DELIMITERS, key=lambda c: fields[c])  # max keeps the first on ties
    return d if fields[d] > 1 else ","


def _lines(text: str, ends=_LINE_END, keep_ends: bool = True):
    """The lines of ``text`` one at a time, cut at each match of ``ends``: by default with
    their ends (\\r\\n, \\r or \\n), as ``open(newline="")`` gives them (io.StringIO would first
    copy the whole text at 4 bytes a character: 240 MB for a 60 MB file); with
    ``_LINE_BREAK`` and keep_ends=False, ``text.splitlines()`` (the sniffer needs only the
    first few)."""
    pos = 0
    for m in ends.finditer(text):
        yield text[pos:m.end() if keep_ends else m.start()]
        pos = m.end()
    if pos < len(text):
        yield text[pos:]


def _records(text: str, delimiter: str, src: str):
    """Yield (start_line, cells) per record, cells stripped of surrounding spaces."""
    reader = csv.reader(_lines(text), delimiter=delimiter, skipinitialspace=True, strict=True)
    prev = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise fail(src, _csv_problem(e), line=reader.line_num) from None
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


def _header(records, delim: str, src: str) -> list[str]:
    """The header row, checked: no blank or duplicate names, at least two columns."""
    line, header = next(records)
    if not header or header == [""]:
        raise fail(src, "the first line is blank: it must be the header row", line=line)
    for j, h in enumerate(header):
        if h == "":
            raise fail(src, "blank column name in the header", line=line, column=j + 1)
        if h in header[:j]:
            raise fail(src, f"duplicate column name (also column {header.index(h) + 1})",
                        line=line, column=h)
    if len(header) < 2:
        raise fail(src, f"only one column (delimiter {delim!r}); need at least one feature "
                         "and a target", line=line, column=header[0])
    return header


def data_rows(records, header: list[str], src: str):
    """Yield (line, cells) per data row: blank lines only at the end, every row full width."""
    n_cols = len(header)
    blank_at = None
    for line, cells in records:
        if len(cells) == 0 or (len(cells) == 1 and cells[0] == ""):
            blank_at = blank_at or line
            continue
        if blank_at is not None:
            raise fail(src, f"blank line in the middle of the data (data goes on at line "
                             f"{line})", line=blank_at)
        if len(cells) != n_cols:
            kind = "short row" if len(cells) < n_cols else "long row"
            raise fail(src, f"{kind}: {len(cells)} fields, expected {n_cols} "
                             f"({name_list(header)})", line=line)
        yield line, cells


def read_rows(path: str | os.PathLike, src: str, max_bytes: int, delimiter: str | None):
    """(delimiter, header, records) of the CSV file at ``path``: ``records`` yields
    (start_line, cells) after the header, for ``data_rows``."""
    text = _read_text(Path(path), src, max_bytes, delimiter)
    delim = delimiter if delimiter is not None else sniff_delimiter(text, src)
    records = _records(text, delim, src)
    return delim, _header(records, delim, src), records
