"""A table that is a 2-D float array in memory or memory-mapped."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np

from ..backend import move, to_host
from .checks import TableError, as_float, beyond_float32, check_block, check_finite, check_rows, real_dtype


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
        if not self.accepts(a.dtype):
            raise TableError(f"table must hold real numbers (floating point, integer or boolean), got dtype {a.dtype}")
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise TableError(f"table is empty: shape {a.shape}")

    def __getstate__(self):
        """A file mapped whole (a .npy table) pickles as where it is mapped from, not as its rows: a task in
        another process maps it again and reads only its own blocks.  Any other array pickles as its data."""
        state = dict(self.__dict__)
        a = self.array
        if isinstance(a, np.memmap) and a.filename and a.base is getattr(a, "_mmap", None):
            order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
            state["array"] = ("memmap", a.filename, a.dtype, a.offset, a.shape, order)  # the dtype, fields too
        return state

    def __setstate__(self, state):
        if isinstance(state["array"], tuple):
            _, filename, dtype, offset, shape, order = state["array"]
            state["array"] = np.memmap(filename, dtype=dtype, mode="r", offset=offset, shape=shape, order=order)
        self.__dict__.update(state)

    @staticmethod
    def accepts(dtype) -> bool:
        """Whether an array of this dtype is a table of this class."""
        return real_dtype(dtype)

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
        """blake2b (128-bit digest) of the array's values in a canonical layout, C order and little-endian
        whatever the file's order or byte order: two arrays of the same shape and dtype have the same
        fingerprint exactly when their values are equal (two different ones collide with probability
        2^-128), so a big-endian or Fortran-order copy reuses the records of the original.

        A full hash rather than size + mtime + sampled blocks, because records are reused on it and
        "nothing silently wrong" admits no table that differs only where no block was sampled.  Its
        cost is one extra streamed read, measured on a 2-core machine for a 1e6 x 128 float32 .npy
        (512 MB): 0.9 s from the page cache (1.5 s on its first read), against 35 s for the two
        passes of Theorem 7 on it at k = 1024.
        """
        digest = hashlib.blake2b(digest_size=16)
        for chunk in self._chunks():
            digest.update(chunk.astype(chunk.dtype.newbyteorder("<"), copy=False))
        return digest.hexdigest()

    @cached_property
    def needs_float64(self) -> bool:
        """Whether the passes must compute in float64 because an entry is beyond ``FLOAT32_ACCURATE``
        (``beyond_float32``): False at no cost for float32 and narrower tables, whose values float32
        holds exactly; for wider ones one chunked scan (0.7 s for 1e6 x 128 float64), stopped at the first
        chunk that has such an entry."""
        if self.array.dtype.kind != "f" or self.array.dtype.itemsize <= 4:
            return False  # an integer is 0 or at least 1 and below 2^64 < 1e30: float32 holds its magnitude
        return any(beyond_float32(chunk) for chunk in self._chunks())

    def describe(self) -> dict:
        """What identifies the table: name, shape, dtype and the ``fingerprint`` of its content."""
        return {"kind": "file" if self.name != "array" else "array", "name": self.name, "n": self.n, "d": self.d,
                "dtype": self.dtype_name, "blake2b": self.fingerprint}

    @property
    def dtype_name(self) -> str:
        return self.array.dtype.name

    def block(self, start: int, stop: int, xp=np):
        """Rows start..stop-1 (InputError unless 0 <= start <= stop <= n).  Not scanned for NaN/Inf here:
        that would be a second read of every row; the passes that read them check what they compute
        (``check_finite``)."""
        check_block(start, stop, self.n)
        return move(as_float(self._read(slice(start, stop))), xp)

    def rows(self, idx, xp=np):
        """Rows at arbitrary ids (a 1-D integer array of ids in [0, n), else InputError)."""
        host = check_rows(to_host(idx), self.n)
        rows = move(as_float(self._read(host)), xp)
        check_finite(rows, "sampled rows", self.name, xp)
        return rows


#: the raw 16-bit words of a bfloat16 tensor (numpy has no bfloat16): one named field tags them apart
#: from a uint16 table
BF16 = np.dtype([("bfloat16", "<u2")])


class BFloat16Table(ArrayTable):
    """A table of bfloat16 values held as their raw words (``BF16``; a .safetensors ``BF16`` tensor, the
    dtype PyTorch checkpoints often store), read as float32 block by block.  The conversion is exact:
    a bfloat16 is the upper 16 bits of the float32 of the same value."""

    @staticmethod
    def accepts(dtype) -> bool:
        return dtype == BF16

    @property
    def dtype_name(self) -> str:
        return "bfloat16"

    def _read(self, rows):
        words = np.asarray(self.array[rows]["bfloat16"], dtype=np.uint32)
        return (words << np.uint32(16)).view(np.float32)
