"""The container: a zip of ``manifest.json`` and ``.npy`` arrays that cannot carry code.

Writing: ``write_archive(fileobj, manifest, arrays)``. Reading: ``Archive(path)`` checks the
member list (names against an allowlist, sizes, no duplicates, no encryption) before reading
anything, parses the manifest strictly, and ``archive.array(name, ...)`` checks each ``.npy``
header (magic, version, dtype in an allowlist, shape) against the member's declared size before
the data is read with ``allow_pickle=False``. Every problem raises SessionFileError, one line.

JSON: non-finite floats are written as ``{"$float": "nan" | "inf" | "-inf"}`` (plain JSON);
the reader refuses the non-standard ``NaN``/``Infinity`` tokens.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Mapping

import numpy as np

from nnviz.errors import SessionFileError
from nnviz.inputfile import NotRegularFile, open_regular

MANIFEST = "manifest.json"
#: member names other than the manifest: lower-case words joined by '/', ending in .npy
ARRAY_NAME = re.compile(r"[a-z][a-z0-9_]*(?:/[a-z0-9_]+)*\.npy\Z")
MAX_MANIFEST_BYTES = 8 * 2**20
MAX_MEMBER_BYTES = 1 * 2**30
MAX_TOTAL_BYTES = 2 * 2**30
MAX_MEMBERS = 20_000
MAX_NPY_HEADER = 4096
#: dtypes an array may have (little-endian, no objects, no structures)
ALLOWED_DTYPES = {
    np.dtype("<f8"): "float64",
    np.dtype("<f4"): "float32",
    np.dtype("<i8"): "int64",
    np.dtype("<u4"): "uint32",
    np.dtype("|b1"): "bool",
}
_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


# ---------------------------------------------------------------------------- JSON
def to_json_value(obj):
    """Plain JSON values: tuples -> lists, numpy scalars -> Python, non-finite floats tagged."""
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        if math.isfinite(x):
            return x
        return {"$float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping):
        return {str(k): to_json_value(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json_value(v) for v in obj]
    raise TypeError(f"cannot write {type(obj).__name__} to a session manifest")


def dumps(obj) -> bytes:
    return json.dumps(to_json_value(obj), allow_nan=False, indent=1).encode("utf-8")


def _reject_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


def _object_hook(d: dict):
    if len(d) == 1 and "$float" in d:
        tag = d["$float"]
        if tag not in _SPECIAL:
            raise ValueError(f"bad $float value {tag!r}")
        return _SPECIAL[tag]
    return d


def loads(data: bytes, what: str = "manifest"):
    """Strict JSON (no NaN tokens); raises SessionFileError."""
    try:
        return json.loads(
            data.decode("utf-8"), parse_constant=_reject_constant, object_hook=_object_hook
        )
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise SessionFileError(f"{what} is not valid JSON: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


# ---------------------------------------------------------------------------- writing
def write_archive(fileobj, manifest: dict, arrays: Mapping[str, np.ndarray]) -> None:
    """Write the zip: the manifest first, then each array as ``.npy`` (no pickles)."""
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(MANIFEST, dumps(manifest))
        for name, a in arrays.items():
            if not ARRAY_NAME.match(name):
                raise ValueError(f"bad array member name {name!r}")
            a = np.ascontiguousarray(a)
            if a.dtype.newbyteorder("<") in ALLOWED_DTYPES and a.dtype.byteorder == ">":
                a = a.astype(a.dtype.newbyteorder("<"))
            if a.dtype not in ALLOWED_DTYPES:
                raise ValueError(f"array {name!r} has dtype {a.dtype}, which is not allowed")
            with zf.open(name, "w", force_zip64=a.nbytes > 2**31) as f:
                np.lib.format.write_array(f, a, allow_pickle=False)


# ---------------------------------------------------------------------------- reading
class Archive:
    """A checked, open session zip. Use as a context manager; ``manifest`` is the parsed JSON."""

    def __init__(self, path, label: str | None = None, names: re.Pattern = ARRAY_NAME,
                 manifest: bool = True):
        self.label = label or str(path)
        self._names, self._want_manifest = names, manifest
        try:  # a regular file only: a FIFO would block, /dev/zero never end
            self._file = open_regular(path)
        except FileNotFoundError:
            raise SessionFileError(f"{self.label}: no such file") from None
        except NotRegularFile as exc:
            if exc.strerror.startswith("a folder"):
                raise SessionFileError(f"{self.label}: is a folder, not a session file") from None
            raise SessionFileError(f"{self.label}: is {exc.strerror}") from None
        except OSError as exc:
            raise SessionFileError(f"{self.label}: cannot read: {exc.strerror or exc}") from None
        try:
            self._zip = zipfile.ZipFile(self._file, "r")
        except OSError as exc:
            self._file.close()
            raise SessionFileError(f"{self.label}: cannot read: {exc.strerror or exc}") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            self._file.close()
            raise SessionFileError(f"{self.label}: not an nnviz file (not a zip archive)") from None
        try:
            self.members = self._check_members()
            self.manifest = self._read_manifest() if manifest else {}
        except BaseException:
            self.close()
            raise

    def fail(self, problem: str) -> SessionFileError:
        return SessionFileError(f"{self.label}: {problem}")

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise self.fail(f"too many members ({len(infos)})")
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if not (name == MANIFEST and self._want_manifest) and not self._names.match(name):
                raise self.fail(f"unexpected member name {name[:80]!r}")
            if name in members:
                raise self.fail(f"duplicate member {name!r}")
            if info.flag_bits & 0x1:
                raise self.fail(f"member {name!r} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.fail(f"member {name!r} uses an unsupported compression")
            limit = MAX_MANIFEST_BYTES if name == MANIFEST else MAX_MEMBER_BYTES
            if info.file_size > limit:
                raise self.fail(f"member {name!r} is too large ({info.file_size} bytes)")
            total += info.file_size
            members[name] = info
        if total > MAX_TOTAL_BYTES:
            raise self.fail(f"contents too large ({total} bytes)")
        if self._want_manifest and MANIFEST not in members:
            raise self.fail("not an nnviz file (no manifest.json)")
        return members

    def _read_bytes(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self._zip.open(info) as f:
                data = f.read(info.file_size + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise self.fail(f"member {info.filename!r} is damaged: {_short(exc)}") from None
        except Exception as exc:  # zlib.error and friends from a corrupted stream
            raise self.fail(f"member {info.filename!r} is damaged: {_short(exc)}") from None
        if len(data) != info.file_size:
            raise self.fail(f"member {info.filename!r} is truncated")
        return data

    def _read_manifest(self) -> dict:
        manifest = loads(self._read_bytes(self.members[MANIFEST]), f"{self.label}: manifest")
        if not isinstance(manifest, dict):
            raise self.fail("the manifest is not a JSON object")
        return manifest

    def has(self, name: str) -> bool:
        return name in self.members

    def array(self, name, shape: tuple | None = None, dtype: str | None = None,
              ndim: int | None = None, max_items: int | None = None,
              text: bool = False) -> np.ndarray:
        """The array stored as ``name``, checked before its data is read.

        shape: the exact shape required (None entries: any length); dtype: a name from
        ALLOWED_DTYPES' values; ndim / max_items: limits when the shape is not known;
        text: a little-endian unicode string array is expected instead.
        """
        if not isinstance(name, str) or not self._names.match(name):
            raise self.fail(f"bad array reference {str(name)[:80]!r}")
        info = self.members.get(name)
        if info is None:
            raise self.fail(f"missing array {name!r}")
        arr_shape, arr_dtype, header_len = self._npy_header(info)
        where = f"array {name!r}"
        if text:
            if arr_dtype.kind != "U" or arr_dtype.byteorder == ">":
                raise self.fail(f"{where} must be a text array")
        elif arr_dtype not in ALLOWED_DTYPES:
            raise self.fail(f"{where} has a forbidden dtype {arr_dtype.str!r}")
        elif dtype is not None and ALLOWED_DTYPES[arr_dtype] != dtype:
            raise self.fail(f"{where} must be {dtype}, not {ALLOWED_DTYPES[arr_dtype]}")
        if shape is not None:
            ok = len(arr_shape) == len(shape) and all(
                want is None or want == got for want, got in zip(shape, arr_shape)
            )
            if not ok:
                want = tuple("*" if s is None else s for s in shape)
                raise self.fail(f"{where} has shape {arr_shape}, expected {want}")
        if ndim is not None and len(arr_shape) != ndim:
            raise self.fail(f"{where} must have {ndim} dimension(s), not {len(arr_shape)}")
        items = math.prod(arr_shape)
        if max_items is not None and items > max_items:
            raise self.fail(f"{where} is too large ({items} values)")
        if header_len + items * arr_dtype.itemsize != info.file_size:
            raise self.fail(f"{where}: its header does not match its size")
        try:
            with self._zip.open(info) as f:
                a = np.lib.format.read_array(f, allow_pickle=False,
                                             max_header_size=MAX_NPY_HEADER)
                f.read(1)  # reach the end of the member: the zip's CRC check runs
        except Exception as exc:
            raise self.fail(f"{where} is damaged: {_short(exc)}") from None
        if a.shape != arr_shape or a.dtype != arr_dtype:
            raise self.fail(f"{where} does not match its header")
        return np.ascontiguousarray(a)

    def _npy_header(self, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype, int]:
        """(shape, dtype, header length) from the first bytes of a ``.npy`` member."""
        name = info.filename
        try:
            with self._zip.open(info) as f:
                head = f.read(12)
                if len(head) < 10 or head[:6] != b"\x93NUMPY":
                    raise self.fail(f"array {name!r} is not a .npy array")
                major = head[6]
                if major == 1:
                    total = 10 + int.from_bytes(head[8:10], "little")
                elif major == 2 and len(head) == 12:
                    total = 12 + int.from_bytes(head[8:12], "little")
                else:
                    raise self.fail(f"array {name!r} has an unsupported .npy version")
                if total > MAX_NPY_HEADER or total > info.file_size:
                    raise self.fail(f"array {name!r} has a bad .npy header")
                head += f.read(total - len(head))
        except SessionFileError:
            raise
        except Exception as exc:
            raise self.fail(f"array {name!r} is damaged: {_short(exc)}") from None
        bio = io.BytesIO(head)
        try:
            version = np.lib.format.read_magic(bio)
            reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                      else np.lib.format.read_array_header_2_0)
            shape, _fortran, dtype = reader(bio, max_header_size=MAX_NPY_HEADER)
        except Exception as exc:
            raise self.fail(f"array {name!r} has a bad .npy header: {_short(exc)}") from None
        if not all(isinstance(s, int) and s >= 0 for s in shape):
            raise self.fail(f"array {name!r} has a bad shape")
        return tuple(shape), dtype, total
