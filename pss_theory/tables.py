"""Embedding tables E (n x d): generated block by block from a seed, or loaded from a file.

A table is anything with ``n``, ``d`` and ``block(start, stop, xp)`` returning rows start..stop-1
as a float array on the backend of ``xp``.  Generated tables hold no rows: row i is a pure function
of (seed, i), so a 1e8 x 128 table streams through in blocks without a 51 GB array anywhere.

Tables as people hold them are taken as they are: any array exposing ``__dlpack__`` or ``__array__``
(torch, JAX, pandas; CuPy and other CUDA arrays stay on the GPU, ``backend.as_array``) becomes an
``ArrayTable``, and a SciPy sparse matrix of any format a ``SparseTable``, streamed by row blocks
that are densified one at a time.

``describe()`` identifies a table's content, not only its shape: records are keyed by it, so a run on
another table saved under the same name never reuses this one's numbers.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import numpy as np
import scipy.sparse

from . import rng, validate
from .backend import as_array, get_backend, move, to_host
from .errors import InputError

KINDS = ("gaussian", "lowrank", "zipf")
#: magnitudes float32 holds to its full 24-bit precision with room for the passes' sums and products:
#: its normal range is [1.2e-38, 3.4e38]; 1e-30 keeps products with entries of S (>= 1/sqrt(k), k < 2^53)
#: out of the subnormals, and 1e30 leaves 8 decades for sums over a block of rows and a column of S
FLOAT32_ACCURATE = (1e-30, 1e30)
SAFETENSORS_MAX_HEADER = 100_000_000  # the limit of the safetensors format itself (HeaderTooLarge)
GIB = float(1 << 30)


class TableError(InputError):
    """A table that cannot be used (wrong shape, type, or non-finite values)."""


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) <= 0:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_block(start, stop, n: int) -> None:
    """InputError unless rows start..stop-1 all exist: integers with 0 <= start <= stop <= n."""
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise InputError(f"block {name} must be an integer row id, got {value!r}")
    if not 0 <= start <= stop <= n:
        raise InputError(f"block({start}, {stop}) is outside the table: rows start..stop-1 need "
                         f"0 <= start <= stop <= n = {n}")


def check_rows(idx, n: int, xp=np):
    """``idx`` as an int64 array on ``xp``; InputError unless it is a 1-D integer array of ids in [0, n)
    (one min and one max over it: no copy of the rows)."""
    ids = xp.asarray(idx)
    if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
        raise InputError(f"row ids must be a 1-D integer array, got shape {ids.shape} dtype {ids.dtype}")
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= n):
        raise InputError(f"row ids must lie in [0, {n}), got values in [{int(ids.min())}, {int(ids.max())}]")
    return ids.astype(xp.int64, copy=False)


def beyond_float32(values, xp=np) -> bool:
    """Whether an entry of ``values`` has a magnitude float32 does not hold accurately
    (``FLOAT32_ACCURATE``): 0 < |x| < 1e-30 or |x| > 1e30 (Inf included; NaN is not, the passes report it)."""
    a = xp.abs(values)
    lo, hi = FLOAT32_ACCURATE
    return bool(((a > hi) | ((a < lo) & (a > 0))).any())


@dataclass(frozen=True)
class GeneratedTable:
    """A synthetic table defined by (kind, n, d, seed, params); see ``table``."""

    kind: str
    n: int
    d: int
    seed: int = 0
    rank: int = 0
    decay: float = 1.0
    noise: float = 0.1
    alpha: float = 0.5
    _basis: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: generated rows are float32 by construction
    needs_float64: ClassVar[bool] = False

    @property
    def name(self) -> str:
        return self.kind

    def describe(self) -> dict:
        out = {"kind": self.kind, "n": self.n, "d": self.d, "seed": self.seed}
        if self.kind != "gaussian":
            out.update(rank=self.rank, decay=self.decay, noise=self.noise)
        if self.kind == "zipf":
            out["alpha"] = self.alpha
        return out

    @staticmethod
    def _normals(stream, rows, count: int, xp):
        """Normals of the given rows of ``stream`` (a range runs on all CPU cores)."""
        width = (count + 1) // 2
        if isinstance(rows, range):
            out = xp.empty((len(rows), count), dtype=xp.float32)
            rng.fill_rows(stream, rows.start, rows.stop, width, rng.normals, out, xp)
            return out
        return rng.normals(xp, stream.rows_at(rows, width, xp), count)

    def _core(self, rows, xp):
        """Rows of the low-rank core G diag(s) V^T + noise * Z for the given row ids.

        The product is taken in float64 and rounded once, so a row's value does not depend on the
        block it is generated in.
        """
        g = self._normals(rng.Stream(self.seed, rng.TAG_TABLE), rows, self.rank, xp)
        out = (g.astype(xp.float64) @ xp.asarray(self._basis)).astype(xp.float32)
        out += xp.float32(self.noise) * self._normals(rng.Stream(self.seed, rng.TAG_TABLE_NOISE), rows, self.d, xp)
        return out

    def _rows(self, rows, xp):
        if self.kind == "gaussian":
            return self._normals(rng.Stream(self.seed, rng.TAG_TABLE), rows, self.d, xp)
        out = self._core(rows, xp)
        if self.kind == "zipf":
            ids = xp.arange(rows.start, rows.stop) if isinstance(rows, range) else xp.asarray(rows)
            target = (ids.astype(xp.float64) + 1.0) ** (-self.alpha)
            norms = xp.sqrt((out.astype(xp.float64) ** 2).sum(axis=1))
            out *= (target / norms).astype(xp.float32)[:, None]
        return out

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1 as float32 (InputError unless 0 <= start <= stop <= n)."""
        check_block(start, stop, self.n)
        return self._rows(range(start, stop), xp)

    def rows(self, idx, xp=np):
        """Rows at arbitrary ids (a 1-D integer array of ids in [0, n), else InputError)."""
        return self._rows(check_rows(idx, self.n, xp), xp)


def table(kind: str, *, n: int, d: int, seed: int = 0, rank: int | None = None, decay: float = 1.0,
          noise: float = 0.1, alpha: float = 0.5) -> GeneratedTable:
    """A synthetic n x d table, generated block by block from ``seed`` (None, an int or a
    ``numpy.random.Generator``: ``validate.seed``; the integer used is ``table.seed``).

    - ``gaussian``: iid N(0, 1) entries.
    - ``lowrank``: E_i = g_i diag(s) V^T + noise z_i with g_i, z_i iid N(0, I), V (d x rank) orthonormal
      from the seed, s_j = (j + 1)^-decay; default rank = max(1, d // 4).
    - ``zipf``: the ``lowrank`` row directions rescaled so that ||E_i|| = (i + 1)^-alpha: row norms follow
      a Zipf law over row ids, as in trained tables whose frequent (low) ids carry large norms.
    """
    if kind not in KINDS:
        raise InputError(f"unknown table kind {kind!r}: expected one of {', '.join(KINDS)} or a .npy/.npz/.safetensors path")
    n, d = _positive_int("n", n), _positive_int("d", d)
    seed = validate.seed(seed)
    if kind == "gaussian":
        return GeneratedTable(kind, n, d, seed)
    rank = max(1, d // 4) if rank is None else _positive_int("rank", rank)
    if rank > d:
        raise InputError(f"rank must be at most d = {d}, got {rank}")
    if not (np.isfinite(noise) and noise >= 0 and np.isfinite(decay) and decay >= 0 and np.isfinite(alpha) and alpha >= 0):
        raise InputError("noise, decay and alpha must be finite and non-negative")
    gauss = rng.normals(np, rng.Stream(seed, rng.TAG_TABLE_BASIS).rows(0, d, (rank + 1) // 2), rank).astype(np.float64)
    v, _ = np.linalg.qr(gauss)
    s = (np.arange(1, rank + 1, dtype=np.float64)) ** (-decay)
    basis = s[:, None] * v.T  # diag(s) V^T, rank x d
    return GeneratedTable(kind, n, d, seed, rank, float(decay), float(noise), float(alpha), basis)


@dataclass(frozen=True)
class ArrayTable:
    """An in-memory or memory-mapped 2-D float array (shape and dtype checked when wrapped).

    Its content is read whole at most twice beyond the passes, each time in chunks of ``CHUNK_BYTES``
    and once per object: for the ``fingerprint`` (every table) and for ``needs_float64`` (float64
    tables only).
    """

    array: np.ndarray
    name: str = "array"
    CHUNK_BYTES: ClassVar[int] = 1 << 26

    def __post_init__(self):
        a = self.array
        if getattr(a, "ndim", None) != 2:
            raise TableError(f"table must be a 2-D array (n rows x d columns), got shape {getattr(a, 'shape', None)}")
        if not np.issubdtype(a.dtype, np.floating):
            raise TableError(f"table must hold real floating-point values, got dtype {a.dtype}")
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise TableError(f"table is empty: shape {a.shape}")

    def __getstate__(self):
        """A file mapped whole (a .npy table) pickles as where it is mapped from, not as its rows: a task in
        another process maps it again and reads only its own blocks.  Any other array pickles as its data."""
        state = dict(self.__dict__)
        a = self.array
        if isinstance(a, np.memmap) and a.filename and a.base is getattr(a, "_mmap", None):
            order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
            state["array"] = ("memmap", a.filename, a.dtype.str, a.offset, a.shape, order)
        return state

    def __setstate__(self, state):
        if isinstance(state["array"], tuple):
            _, filename, dtype, offset, shape, order = state["array"]
            state["array"] = np.memmap(filename, dtype=dtype, mode="r", offset=offset, shape=shape, order=order)
        self.__dict__.update(state)

    @property
    def n(self) -> int:
        return self.array.shape[0]

    @property
    def d(self) -> int:
        return self.array.shape[1]

    def _chunks(self):
        """The rows in consecutive host chunks of about ``CHUNK_BYTES``, in order."""
        rows = max(1, self.CHUNK_BYTES // max(1, self.d * self.array.dtype.itemsize))
        for start in range(0, self.n, rows):
            yield np.ascontiguousarray(to_host(self._read(slice(start, start + rows))))

    def _read(self, rows):
        """Rows of the array (a slice, or sorted host row ids) as a numpy or CuPy array."""
        return self.array[rows]

    @cached_property
    def fingerprint(self) -> str:
        """blake2b (128-bit digest) of every byte of the array in C order: two arrays of the same shape
        and dtype have the same fingerprint exactly when their bytes are equal (two different ones
        collide with probability 2^-128).

        A full hash rather than size + mtime + sampled blocks, because records are reused on it and
        "nothing silently wrong" admits no table that differs only where no block was sampled.  Its
        cost is one extra streamed read, measured on a 2-core machine for a 1e6 x 128 float32 .npy
        (512 MB): 0.9 s from the page cache (1.5 s on its first read), against 35 s for the two
        passes of Theorem 7 on it at k = 1024.
        """
        digest = hashlib.blake2b(digest_size=16)
        for chunk in self._chunks():
            digest.update(chunk)
        return digest.hexdigest()

    @cached_property
    def needs_float64(self) -> bool:
        """Whether the passes must compute in float64 because an entry is beyond ``FLOAT32_ACCURATE``
        (``beyond_float32``): False at no cost for float32 and narrower tables, whose values float32
        holds exactly; for wider ones one chunked scan (0.7 s for 1e6 x 128 float64), stopped at the first
        chunk that has such an entry."""
        if self.array.dtype.itemsize <= 4:
            return False
        return any(beyond_float32(chunk) for chunk in self._chunks())

    def describe(self) -> dict:
        """What identifies the table: name, shape, dtype and the ``fingerprint`` of its content."""
        return {"kind": "file" if self.name != "array" else "array", "name": self.name, "n": self.n, "d": self.d,
                "dtype": str(self.array.dtype), "blake2b": self.fingerprint}

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1 (InputError unless 0 <= start <= stop <= n).  Not scanned for NaN/Inf here:
        that would be a second read of every row; the passes that read them check what they compute
        (``check_finite``)."""
        check_block(start, stop, self.n)
        return move(self._read(slice(start, stop)), xp)

    def rows(self, idx, xp=np):
        """Rows at arbitrary ids (a 1-D integer array of ids in [0, n), else InputError)."""
        host = check_rows(to_host(idx), self.n)
        rows = move(self._read(host), xp)
        check_finite(rows, "sampled rows", self.name, xp)
        return rows


def table_label(described) -> str:
    """A table as a reader names it, from its ``describe()`` (as summary.json holds it): a file's name,
    or the generated kind."""
    if not isinstance(described, dict):
        return str(described)
    return str(described.get("name") or described.get("kind", "?"))


def check_finite(values, where: str, name: str = "table", xp=np) -> None:
    """TableError when ``values`` (rows of a table, or anything computed from every entry of them) has
    NaN or Inf: a non-finite entry makes any sum over it non-finite."""
    if not bool(xp.isfinite(values).all()):
        raise TableError(f"table {name} has NaN or Inf values ({where})")


@dataclass(frozen=True)
class SparseTable:
    """A SciPy sparse matrix (held as CSR in canonical form: sorted indices, no duplicate or explicit
    zero entries), streamed by row blocks: ``block`` densifies rows start..stop-1 alone, so memory is
    that of the nonzeros plus one dense block, never n x d.  Made by ``sparse_table``."""

    matrix: object  # scipy.sparse.csr_array
    name: str = "sparse"
    CHUNK_ROWS: ClassVar[int] = 1 << 16

    @property
    def n(self) -> int:
        return self.matrix.shape[0]

    @property
    def d(self) -> int:
        return self.matrix.shape[1]

    @cached_property
    def fingerprint(self) -> str:
        """blake2b (128-bit digest) of the content without densifying: the row lengths, the column
        indices (int64) and the values, each hashed in row chunks into a digest of its own, then the
        three digests together.  Equal sparse contents (in canonical form) give equal fingerprints,
        whatever the index dtype or the chunking."""
        m = self.matrix
        parts = [hashlib.blake2b(digest_size=16) for _ in range(3)]
        for a in range(0, self.n, self.CHUNK_ROWS):
            b = min(self.n, a + self.CHUNK_ROWS)
            lo, hi = int(m.indptr[a]), int(m.indptr[b])
            parts[0].update(np.diff(m.indptr[a : b + 1]).astype(np.int64))
            parts[1].update(m.indices[lo:hi].astype(np.int64))
            parts[2].update(np.ascontiguousarray(m.data[lo:hi]))
        digest = hashlib.blake2b(digest_size=16)
        for part in parts:
            digest.update(part.digest())
        return digest.hexdigest()

    @cached_property
    def needs_float64(self) -> bool:
        """As ``ArrayTable.needs_float64``, read off the nonzeros alone."""
        return self.matrix.dtype.itemsize > 4 and beyond_float32(self.matrix.data)

    def describe(self) -> dict:
        """What identifies the table: name, shape, dtype, nonzeros and the ``fingerprint`` of its content."""
        return {"kind": "sparse", "name": self.name, "n": self.n, "d": self.d, "dtype": str(self.matrix.dtype),
                "nnz": int(self.matrix.nnz), "blake2b": self.fingerprint}

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1, densified (InputError unless 0 <= start <= stop <= n)."""
        check_block(start, stop, self.n)
        return move(self.matrix[start:stop].toarray(), xp)

    def rows(self, idx, xp=np):
        """Rows at arbitrary ids, densified (a 1-D integer array of ids in [0, n), else InputError)."""
        return move(self.matrix[check_rows(to_host(idx), self.n)].toarray(), xp)


def sparse_table(matrix, name: str = "sparse") -> SparseTable:
    """A ``SparseTable`` for a SciPy sparse matrix or array of any format (CSR, CSC, COO, ...), checked as
    every table is: 2-D, not empty, real floating point, and every stored value finite (one scan of
    the nonzeros, which are in memory already).  The matrix given is never modified: the CSR copy
    is put in canonical form."""
    if len(matrix.shape) != 2:
        raise TableError(f"table must be a 2-D array (n rows x d columns), got shape {matrix.shape}")
    if not np.issubdtype(matrix.dtype, np.floating):
        raise TableError(f"table must hold real floating-point values, got dtype {matrix.dtype}")
    if 0 in matrix.shape:
        raise TableError(f"table is empty: shape {matrix.shape}")
    csr = scipy.sparse.csr_array(matrix, copy=True)
    csr.sum_duplicates()
    csr.eliminate_zeros()
    check_finite(csr.data, "stored values", name)
    return SparseTable(csr, name)


def as_table(E):
    """A table object for what a user holds: a table already, a SciPy sparse matrix (``sparse_table``),
    or any array (ndarray or memmap, CuPy, or an object exposing ``__dlpack__`` or ``__array__``:
    torch, JAX, pandas) through ``backend.as_array``."""
    if hasattr(E, "block") and hasattr(E, "n") and hasattr(E, "d"):
        return E
    if _module_of(E) == "dask":
        _check_shape("dask array", E.shape, E.dtype)
        return DaskTable(E, name="dask array")
    if _module_of(E) == "zarr":
        return ZarrTable(E, name="zarr array", source=str(E.store_path))
    if scipy.sparse.issparse(E):
        return sparse_table(E)
    try:
        array = as_array(E)
    except (BufferError, RuntimeError, TypeError, ValueError) as exc:  # what producers raise on export
        raise TableError(f"cannot read a {type(E).__name__} as a table: {str(exc).strip().splitlines()[0]}") from None
    return ArrayTable(array)


_SAFETENSORS_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64}


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


def _load_safetensors(path: str, key: str | None) -> np.ndarray:
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
        raise TableError(f"{path}: tensor {name!r} has dtype {info['dtype']}; expected one of F16, F32, F64")
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


def _load_npz(path: str, key: str | None) -> np.ndarray:
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


def load_table(path: str, key: str | None = None) -> ArrayTable:
    """Load a table from .npy (memory-mapped), .npz or .safetensors (``key`` names the tensor of the
    last two).  Only regular files are opened: a FIFO or a device named x.npy is refused, not waited on."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"table file not found: {path}")
    if os.path.isdir(path):
        raise TableError(f"table path is a directory, expected a .npy, .npz or .safetensors file: {path}")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise TableError(f"table path is not a regular file (a FIFO, socket or device?): {path}; "
                         "expected a .npy, .npz or .safetensors file")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".npy":
            if key is not None:
                raise TableError(f"{path}: a .npy file holds one array; --key applies to .npz and .safetensors")
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        elif ext == ".npz":
            array = _load_npz(path, key)
        elif ext == ".safetensors":
            array = _load_safetensors(path, key)
        else:
            raise TableError(f"unsupported table file {path}: expected .npy, .npz or .safetensors")
    except TableError:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise TableError(f"cannot read table {path}: {exc}") from None
    return ArrayTable(array, name=os.path.basename(path))

# ---- tables read block by block from outside this process's memory: a zarr store, .npy shards, a Dask
# array.  Each pickles as what reopens it (a store, paths, a graph) and its fingerprint, never as its rows,
# so a Dask worker reads the rows of its own tasks; each is validated when made, before any work.

def _check_shape(where: str, shape, dtype) -> None:
    """TableError unless ``shape``/``dtype`` are those of a non-empty 2-D real floating-point table."""
    if len(shape) != 2:
        raise TableError(f"{where}: a table must be a 2-D array (n rows x d columns), got shape {tuple(shape)}")
    if not np.issubdtype(dtype, np.floating):
        raise TableError(f"{where}: a table must hold real floating-point values, got dtype {dtype}")
    if shape[0] == 0 or shape[1] == 0:
        raise TableError(f"{where}: the table is empty (shape {tuple(shape)})")


@dataclass(frozen=True, eq=False)
class ZarrTable(ArrayTable):
    """A 2-D zarr array: a local store (``x.zarr``) or any URL fsspec opens (``s3://bucket/x.zarr``); ``key``
    names the array inside a group.  Rows are read chunk by chunk from the store, never all at once."""

    source: str = ""
    key: str | None = None

    def __post_init__(self):
        _check_shape(self.name, self.array.shape, self.array.dtype)

    @classmethod
    def open(cls, source: str, key: str | None = None) -> ZarrTable:
        try:
            import zarr  # noqa: PLC0415  (optional dependency: the [dask] extra)
        except ImportError:
            raise InputError(f"{source}: reading a zarr store needs zarr, which is not installed: "
                             "pip install 'pss-theory[dask]'") from None
        try:
            node = zarr.open(source, mode="r")
        except FileNotFoundError:
            raise FileNotFoundError(f"zarr store not found: {source}") from None
        except Exception as exc:  # zarr and fsspec raise many kinds for a store they cannot read
            raise TableError(f"cannot open zarr store {source}: {type(exc).__name__}: {str(exc)[:160]}") from None
        if hasattr(node, "array_keys"):
            key = _pick(source, key, sorted(node.array_keys()))
            node = node[key]
        elif key is not None:
            raise TableError(f"{source}: a zarr array holds one array; --key applies to a zarr group")
        return cls(node, name=os.path.basename(source.rstrip("/")) or source, source=source, key=key)

    def _read(self, rows):
        return self.array[rows] if isinstance(rows, slice) else self.array.oindex[rows]

    def describe(self) -> dict:
        return {**super().describe(), "kind": "zarr", "name": self.source + (f"/{self.key}" if self.key else "")}


def _natural(name: str):
    """A sort key that puts part-2.npy before part-10.npy."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


class Shards:
    """The row-wise concatenation of memory-mapped .npy files, sliced like an array (rows only)."""

    ndim = 2

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.parts = [np.load(p, mmap_mode="r", allow_pickle=False) for p in paths]
        self.offsets = np.cumsum([0] + [p.shape[0] for p in self.parts])
        self.shape = (int(self.offsets[-1]), self.parts[0].shape[1])
        self.dtype = self.parts[0].dtype

    def __getitem__(self, rows):
        if isinstance(rows, slice):
            start, stop, _ = rows.indices(self.shape[0])
            pieces = [p[max(start - a, 0) : max(min(stop - a, p.shape[0]), 0)]
                      for p, a in zip(self.parts, self.offsets[:-1]) if a < stop and a + p.shape[0] > start]
            return np.concatenate(pieces) if len(pieces) != 1 else np.asarray(pieces[0])
        rows = np.asarray(rows, dtype=np.int64)
        part = np.searchsorted(self.offsets, rows, side="right") - 1
        out = np.empty((rows.size, self.shape[1]), dtype=self.dtype)
        for i in np.unique(part):
            at = part == i
            out[at] = self.parts[i][rows[at] - self.offsets[i]]
        return out

    def __reduce__(self):
        return Shards, (self.paths,)


@dataclass(frozen=True, eq=False)
class ShardTable(ArrayTable):
    """A folder of .npy files, each a block of rows of one table (in natural name order: part-2 before
    part-10), all of the same width and dtype; each is memory-mapped, none read whole."""

    @classmethod
    def open(cls, folder: str) -> ShardTable:
        names = sorted((f for f in os.listdir(folder) if f.lower().endswith(".npy")), key=_natural)
        if not names:
            raise TableError(f"table path is a directory with no .npy shards and no zarr metadata: {folder}; expected "
                             "a .npy, .npz or .safetensors file, a zarr store or a folder of .npy shards")
        paths = [os.path.join(folder, f) for f in names]
        for path in paths:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise TableError(f"table shard {path} is not a regular file")
        try:
            shards = Shards(paths)
        except (ValueError, OSError, EOFError) as exc:
            raise TableError(f"cannot read table shard in {folder}: {exc}") from None
        first = shards.parts[0]
        for path, part in zip(paths, shards.parts):
            _check_shape(path, part.shape, part.dtype)
            if part.shape[1] != first.shape[1]:
                raise TableError(f"{path} has {part.shape[1]} columns but {paths[0]} has {first.shape[1]}: the shards "
                                 "of a table must all have the same width d")
            if part.dtype != first.dtype:
                raise TableError(f"{path} has dtype {part.dtype} but {paths[0]} has {first.dtype}: the shards of a "
                                 "table must all have the same dtype")
        return cls(shards, name=os.path.basename(os.path.normpath(folder)))

    def describe(self) -> dict:
        return {**super().describe(), "kind": "shards", "shards": len(self.array.paths)}


@dataclass(frozen=True, eq=False)
class DaskTable(ArrayTable):
    """A 2-D Dask array (chunks of NumPy or CuPy arrays); a block is computed where it is read, with
    Dask's synchronous scheduler (inside a worker's task, no second scheduler is asked)."""

    def _read(self, rows):
        return self.array[rows].compute(scheduler="sync")

    def describe(self) -> dict:
        return {**super().describe(), "kind": "dask"}


def _is_zarr(path: str) -> bool:
    """A zarr store by its name (x.zarr) or by the metadata it holds (v3 zarr.json, v2 .zarray/.zgroup)."""
    return path.rstrip("/").lower().endswith(".zarr") or any(
        os.path.exists(os.path.join(path, meta)) for meta in ("zarr.json", ".zarray", ".zgroup"))


def _module_of(obj) -> str:
    return type(obj).__module__.partition(".")[0]


def resolve(spec, *, n: int | None = None, d: int | None = None, key: str | None = None, seed: int = 0,
            default_n: int = 10**6, default_d: int = 128):
    """The table a check runs on: a generated kind (``n`` x ``d``, defaults ``default_n`` x ``default_d``),
    a .npy/.npz/.safetensors path (``n``/``d``, when given, must match its shape), a zarr store (a path
    ending .zarr, a folder holding zarr metadata, or a URL such as s3://bucket/x.zarr), a folder of .npy
    shards, or an array or table object given directly (its shape is its own)."""
    if not isinstance(spec, (str, os.PathLike)):
        t = as_table(spec)
    elif "://" in os.fspath(spec) or _is_zarr(os.fspath(spec)):
        t = ZarrTable.open(os.fspath(spec), key)
    elif os.path.isdir(spec):
        if key is not None:
            raise TableError(f"{spec}: a folder of .npy shards holds one table; --key applies to .npz, .safetensors "
                             "and zarr groups")
        t = ShardTable.open(os.fspath(spec))
    elif spec in KINDS:
        return table(spec, n=n or default_n, d=d or default_d, seed=seed)
    elif os.path.splitext(os.fspath(spec))[1].lower() not in (".npy", ".npz", ".safetensors") and not os.path.exists(spec):
        raise InputError(f"unknown table {spec!r}: expected one of {', '.join(KINDS)} "
                         "or a path to a .npy, .npz or .safetensors file, a zarr store or a folder of .npy shards")
    else:
        t = load_table(spec, key=key)
    for name, given in (("n", n), ("d", d)):
        if given is not None and given != getattr(t, name):
            raise InputError(f"--{name} {given} conflicts with the table, which has {name} = {getattr(t, name)}")
    return t
