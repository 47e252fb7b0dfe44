"""What every parameter sharing setup (PSS) shares: a table of n rows streamed in row blocks.

A PSS stores a table E (n x d) as some memory ``M`` built in one pass (``accumulate`` per block,
then ``finish``) and reads rows back with ``decompress(M, idx)``.  Linear sketches (M = S E, see
``sketches``) and ROBE-Z's hashed array (``robez``) are both PSS; the metrics of Theorems 4 and 7
need nothing more than this protocol.
"""
from __future__ import annotations

import numpy as np

from .backend import Backend, get_backend
from .errors import InputError
from .tables import as_table


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    if int(value) <= 0:
        raise InputError(f"{name} must be a positive integer, got {value}")
    return int(value)


class StreamedPSS:
    """n rows, a seed, a backend, a compute dtype, and the row-block streaming they share."""

    family = "abstract"

    def __init__(self, *, n: int, seed: int = 0, device: str | Backend = "cpu", dtype=np.float32):
        from .rng import _check_seed

        self.n = positive_int("n", n)
        self.seed = _check_seed(seed)
        self.backend = get_backend(device)
        self.xp = self.backend.xp
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise InputError(f"dtype must be float32 or float64, got {self.dtype}")

    def params(self) -> dict:
        """Family parameters beyond (n, seed), for records and repr."""
        return {}

    def default_block_rows(self) -> int:
        return min(self.n, 1 << 16)

    def block_starts(self, block_rows: int):
        """Row blocks (start, stop) covering 0..n-1."""
        return [(s, min(self.n, s + block_rows)) for s in range(0, self.n, block_rows)]

    @property
    def nbytes(self) -> int:
        """Bytes the object holds (parameters only)."""
        return 0

    def describe(self) -> dict:
        return {"family": self.family, "n": self.n, "seed": self.seed, **self.params()}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in self.describe().items() if k not in ("family", "n", "seed"))
        return (f"{type(self).__name__}(family={self.family!r}, n={self.n}, seed={self.seed}{extra}, "
                f"device={self.backend.device!r}, holds={self.nbytes} bytes)")

    def _check_idx(self, idx):
        """A validated int64 index array, or a ``range`` of consecutive rows (kept as a range)."""
        xp = self.xp
        if isinstance(idx, range):
            if idx.step != 1 or not 0 <= idx.start <= idx.stop <= self.n:
                raise InputError(f"a row range must be consecutive within [0, {self.n}), got {idx}")
            return idx
        idx = xp.asarray(idx)
        if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise InputError(f"indices must be a 1-D integer array, got shape {idx.shape} dtype {idx.dtype}")
        if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= self.n):
            raise InputError(f"indices must lie in [0, {self.n}), got values in [{int(idx.min())}, {int(idx.max())}]")
        return idx.astype(xp.int64)

    def blocks(self, E, block_rows: int | None = None):
        """Yield (start, stop, E[start:stop] on the backend in ``dtype``) over the rows of E."""
        table = as_table(E)
        if table.n != self.n:
            raise InputError(f"E has {table.n} rows but this {self.family} PSS has n = {self.n}")
        for start, stop in self.block_starts(block_rows or self.default_block_rows()):
            yield start, stop, table.block(start, stop, self.xp).astype(self.dtype, copy=False)

    # ---- what a PSS provides ----
    def zeros_accumulator(self, d: int):
        raise NotImplementedError

    def accumulate(self, acc, start: int, block) -> None:
        raise NotImplementedError

    def finish(self, acc):
        return acc

    def decompress(self, M, idx):
        raise NotImplementedError
