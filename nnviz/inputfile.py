"""Opening a file a person named, safely: only regular files, and never more than a cap.

A FIFO blocks ``open`` until a writer comes (forever, if none does); a character device such
as /dev/zero or /dev/urandom reports size 0 and never ends. ``open_regular`` opens with
O_NONBLOCK (so a FIFO cannot block it), checks the opened file itself with fstat (no race
with a rename between a check and the open) and refuses anything but a regular file;
``read_capped`` reads at most ``max_bytes + 1`` bytes, so a file larger than it claims, or
growing while read, is refused instead of read to the end.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

#: bytes read at a time from a file larger than it says
CHUNK = 4 * 2**20

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """The path names a folder, FIFO, device or socket: ``strerror`` says which."""


def kind_of(mode: int) -> str:
    """'a folder', 'a FIFO (named pipe)', ... for an ``st_mode`` that is not a regular file."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """``path`` opened for binary reading; NotRegularFile (an OSError) unless it is a
    regular file (symbolic links followed), other OSErrors as ``open`` raises them."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"{kind_of(mode)}, not a regular file",
                                 str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_at_most(f: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of the open file ``f``: what fstat says it holds, plus one byte,
    in one read (``f.read(limit)`` would allocate the whole limit at once), then in CHUNK
    pieces if it holds more than it says (a /proc file reports 0; a file may grow)."""
    size = os.fstat(f.fileno()).st_size
    data = f.read(min(size + 1, limit))
    if len(data) <= size or len(data) >= limit:
        return data
    parts, total = [data], len(data)
    while total < limit:
        part = f.read(min(limit - total, CHUNK))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def read_capped(path: str | os.PathLike, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of the regular file ``path`` (more than
    ``max_bytes`` back means: over the cap). OSError / NotRegularFile as ``open_regular``."""
    with open_regular(path) as f:
        return read_at_most(f, max_bytes + 1)
