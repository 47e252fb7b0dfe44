"""Tables in files: .npy (memory-mapped), .npz and .safetensors, each checked against its format before it
is read."""
from __future__ import annotations

import json
import math
import os
import stat
import zipfile
import zlib

import numpy as np

from ..backend import get_backend
from .arrays import BF16, ArrayTable, BFloat16Table
from .checks import TableError

SAFETENSORS_MAX_HEADER = 100_000_000  # the limit of the safetensors format itself (HeaderTooLarge)


GIB = float(1 << 30)


_SAFETENSORS_DTYPES = {"BF16": BF16, "F16": np.float16, "F32": np.float32, "F64": np.float64, "I8": np.int8,
                       "I16": np.int16, "I32": np.int32, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_}


def _int_list(x) -> bool:
    return isinstance(x, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in x)


def _safetensors_entries(path: str, header) -> dict:
    """The tensor entries of a parsed header, each checked to have the documented form: an object with a
    string ``dtype``, a ``shape`` of non-negative integers and ``data_offsets`` [begin, end] of integers."""
    if not isinstance(header, dict):
        raise TableError(f"{path}: the safetensors header is a JSON {type(header).__name__}; expected an object "
                         "mapping each tensor name to {dtype, shape, data_offsets}")
    entries = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict):
            problem = f"is a JSON {type(info).__name__}"
        elif missing := sorted({"dtype", "shape", "data_offsets"} - set(info)):
            problem = f"is missing {', '.join(missing)}"
        elif not isinstance(info["dtype"], str):
            problem = f"has dtype {info['dtype']!r}"
        elif not _int_list(info["shape"]) or any(s < 0 for s in info["shape"]):
            problem = f"has shape {info['shape']!r}"
        elif not _int_list(info["data_offsets"]) or len(info["data_offsets"]) != 2:
            problem = f"has data_offsets {info['data_offsets']!r}"
        else:
            entries[name] = info
            continue
        raise TableError(f"{path}: safetensors entry {name!r} {problem}; expected a string dtype, a shape of "
                         "non-negative integers and data_offsets [begin, end] of two integers")
    return entries


def _read_safetensors(path: str, key: str | None) -> np.ndarray:
    """The named tensor, memory-mapped, after its header entry is checked against the format: the header
    at most ``SAFETENSORS_MAX_HEADER`` bytes (refused before it is read), and the tensor's bytes
    inside the data region, which starts after the header."""
    file_size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise TableError(f"{path}: not a safetensors file (too short)")
        size = int.from_bytes(head, "little")
        if size > SAFETENSORS_MAX_HEADER:
            raise TableError(f"{path}: declares a safetensors header of {size:,} bytes; the format allows at most "
                             f"{SAFETENSORS_MAX_HEADER:,} (not a safetensors file, or a corrupt one)")
        if size <= 0 or size > file_size - 8:
            raise TableError(f"{path}: not a safetensors file (bad header length)")
        raw = fh.read(size)
    try:
        header = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError; nesting too deep
        raise TableError(f"{path}: malformed safetensors header ({type(exc).__name__}: {str(exc)[:120]})") from None
    tensors = _safetensors_entries(path, header)
    name = _pick(path, key, list(tensors))
    info = tensors[name]
    if info["dtype"] not in _SAFETENSORS_DTYPES:
        raise TableError(f"{path}: tensor {name!r} has dtype {info['dtype']}; expected one of {', '.join(_SAFETENSORS_DTYPES)}")
    dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]])
    begin, end = info["data_offsets"]
    shape = tuple(info["shape"])
    nbytes = dtype.itemsize * math.prod(shape)
    region = file_size - 8 - size
    if not (0 <= begin and end == begin + nbytes and end <= region):
        raise TableError(f"{path}: tensor {name!r} has data_offsets [{begin}, {end}] for {nbytes:,} bytes of "
                         f"{dtype} {list(shape)}; expected 0 <= begin, end = begin + {nbytes:,} and end <= {region:,} "
                         "(offsets count from the end of the header; the file may be truncated)")
    return np.memmap(path, dtype=dtype, mode="r", offset=8 + size + begin, shape=shape)


def _pick(path: str, key: str | None, names: list[str]) -> str:
    if key is not None:
        if key not in names:
            raise TableError(f"{path}: no array named {key!r}; it holds {', '.join(names) or 'nothing'}")
        return key
    if len(names) != 1:
        raise TableError(f"{path}: holds {len(names)} arrays ({', '.join(names)}); name one with key=")
    return names[0]


def _check_npz_member_fits(path: str, z, name: str) -> None:
    """TableError when the member's .npy header declares more bytes than the memory free now: an .npz
    member is decompressed whole, so it is refused before it is read."""
    member = name if name in z.zip.namelist() else name + ".npy"
    with z.zip.open(member) as fh:
        version = np.lib.format.read_magic(fh)
        # 3.0 differs from 2.0 only in the encoding of the header text, which for a float array is ASCII
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(fh)
    need = math.prod(shape) * dtype.itemsize
    free = get_backend("cpu").available_bytes()
    if need > free:
        raise TableError(f"{path}: array {name!r} ({dtype}, shape {shape}) needs {need / GIB:,.1f} GiB, but an .npz "
                         f"member is read whole into memory and about {free / GIB:,.1f} GiB is free: "
                         "save it as a .npy file (memory-mapped, read block by block)")


def _read_npz(path: str, key: str | None) -> np.ndarray:
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        npy = magic == b"\x93NUMPY"
        raise TableError(f"{path} is not a zip archive, so not an .npz"
                         + ("; its bytes are a .npy array: name it .npy" if npy else ""))
    try:
        with np.load(path, allow_pickle=False) as z:
            name = _pick(path, key, list(z.files))
            _check_npz_member_fits(path, z, name)
            return z[name]
    except (zipfile.BadZipFile, zlib.error) as exc:
        raise TableError(f"{path}: corrupt or truncated .npz ({exc}); expected a zip archive of .npy arrays") from None


def _regular_file(path: str) -> None:
    """FileNotFoundError or TableError unless ``path`` is a regular file: a FIFO or a device named x.npy is
    refused, not waited on."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"table file not found: {path}")
    if os.path.isdir(path):
        raise TableError(f"table path is a directory, not a file: {path}")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise TableError(f"table path is not a regular file (a FIFO, socket or device?): {path}")


def _opened(path, read) -> ArrayTable:
    """The table ``read()`` returns for the regular file ``path``; what the readers raise on a file they
    cannot parse becomes a TableError naming it."""
    path = os.fspath(path)
    _regular_file(path)
    try:
        array = read(path)
    except TableError:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise TableError(f"cannot read table {path}: {exc}") from None
    table = BFloat16Table if array.dtype == BF16 else ArrayTable
    return table(array, name=os.path.basename(path))


def load_npy(path) -> ArrayTable:
    """A .npy file, memory-mapped: rows are read block by block, never all at once."""
    return _opened(path, lambda p: np.load(p, mmap_mode="r", allow_pickle=False))


def load_npz(path, key: str | None = None) -> ArrayTable:
    """The array ``key`` of an .npz file (the only one when None), read whole into memory."""
    return _opened(path, lambda p: _read_npz(p, key))


def load_safetensors(path, key: str | None = None) -> ArrayTable:
    """The tensor ``key`` of a .safetensors file (the only one when None), memory-mapped."""
    return _opened(path, lambda p: _read_safetensors(p, key))
