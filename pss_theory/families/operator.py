"""The *operator* every parameter sharing setup (PSS) shares, sampled by a ``Family`` (``families.family``).

``StreamedPSS``: a table of n rows streamed in row blocks, a memory ``M`` built in one pass
(``accumulate`` per block, then ``finish``) and rows read back with ``decompress(M, idx)``.  ``Sketch`` is
the linear case M = S E with S (k x n) never stored: ``S = scale * U`` where U has simple entries (N(0,1),
+-1, {+-1, 0}) that are pure functions of (seed, row, column), and a family implements two kernels,
``_partial(start, E_block)`` = U[:, start:start+b] @ E_block and ``_unscaled_columns(idx)``.

``apply`` accumulates the partial products in float64, one fixed row tile at a time (``tiles``,
``tables.tiles``), and multiplies by ``scale`` once at the end: the tiles, not the blocks read, fix every
sum, so M is the same to the bit whatever the block size.

Capabilities are declared, not guessed: ``has_columns`` (S e_i exists) and ``linear`` (M = S E).
"""
from __future__ import annotations

import copy

import numpy as np

from .. import rng
from .. import validate as V
from ..backend import Backend, get_backend, matmul
from ..errors import InputError
from ..tables import TableError, as_table, beyond_float32, check_finite
from ..tables import tiles as T


class StreamedPSS:
    """n rows, a seed, a backend, a compute dtype, and the row-block streaming they share.

    ``seed`` is what the caller passed, made an integer by ``validate.seed`` (None and a Generator
    become the integer drawn, kept in ``self.seed`` so that the draw can be repeated); every stream of
    the operator is keyed by ``self.key = rng.sketch_key(seed, trial)``, the key a check uses for
    trial ``trial`` of ``--seed seed``.
    """

    family = "abstract"
    #: capabilities a check may require (``Check.requires``): columns S e_i exist; M = S E is linear in E
    has_columns = False
    linear = False
    block_multiple = 1  # streamed blocks must be a multiple of this many rows

    def __init__(self, *, n: int, seed=0, trial: int = 0, device: str | Backend = "cpu", dtype=np.float32):
        self.n = V.positive_int("n", n)
        self.seed = V.seed(seed)
        self.trial = V.integer("trial", trial)
        self.key = rng.sketch_key(self.seed, self.trial)
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

    def tile_rows(self, d: int) -> int:
        """Rows per tile for a table of d columns (``tables.tiles``): fixed by the PSS and d, never by the
        blocks read, so every sum over rows is taken in the same pieces."""
        return T.tile_rows(self.default_block_rows(), d, self.block_multiple)

    def tile_starts(self, d: int):
        """The tiles (start, stop) covering 0..n-1 for a table of d columns."""
        return T.tile_starts(self.n, self.tile_rows(d))

    def memory_floats(self, d: int) -> int:
        """Floats of the compressed memory M for a table of d columns."""
        raise NotImplementedError

    def block_bytes(self, d: int, rows: int) -> float:
        """Bytes the operator itself allocates per streamed block of ``rows`` rows (beyond the table's): the
        memory guard's cost model."""
        return 8.0 * rows * d * 2

    @property
    def nbytes(self) -> int:
        """Bytes the object holds (parameters only)."""
        return 0

    def describe(self) -> dict:
        return {"family": self.family, "n": self.n, "seed": self.seed, "trial": self.trial, **self.params()}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in self.describe().items() if k not in ("family", "n", "seed", "trial"))
        return (f"{type(self).__name__}(family={self.family!r}, n={self.n}, seed={self.seed}{self._trial_text()}{extra}, "
                f"device={self.backend.device!r}, holds={self.nbytes} bytes)")

    def _trial_text(self) -> str:
        return f", trial={self.trial}" if self.trial else ""

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

    def with_dtype(self, dtype) -> StreamedPSS:
        """The same PSS (same draws) computing in ``dtype`` (float32 or float64)."""
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise InputError(f"dtype must be float32 or float64, got {dtype}")
        new = copy.copy(self)
        new.dtype = dtype
        for cache in ("_last", "_buffer"):
            if hasattr(new, cache):
                setattr(new, cache, None)
        return new

    def tiles(self, E, block_rows: int | None = None, span: tuple[int, int] | None = None):
        """Yield (start, stop, E[start:stop] on the backend in ``dtype``) for each tile of the rows of E
        (``tile_starts``; only those of rows ``span`` = (start, stop) when given, a task's share of a pass,
        whose start is a tile's), read ``block_rows`` rows at a time (None: one tile).

        ``block_rows`` must be a positive integer.  A float32 PSS refuses a table with entries float32
        does not hold accurately (``tables.beyond_float32``, e.g. 1e-50 or 1e50 in a float64 table)
        rather than round them to 0 or Inf: the table says so through ``needs_float64`` (a scan of a
        float64 table, once per table object: a bare array is wrapped anew at each call), and
        ``with_dtype("float64")`` computes on it exactly.
        """
        table = as_table(E)
        if table.n != self.n:
            raise InputError(f"E has {table.n} rows but this {self.family} PSS has n = {self.n}")
        if block_rows is not None:
            V.positive_int("block_rows", block_rows)
        if self.dtype == np.float32 and getattr(table, "needs_float64", False):
            raise TableError(f"table {getattr(table, 'name', 'E')} has entries beyond float32's accurate range "
                             "(|x| > 1e30 or 0 < |x| < 1e-30), which float32 would round to Inf or 0: compute in "
                             "float64 (pss.with_dtype('float64')), as the checks do")
        tile = self.tile_rows(table.d)
        yield from T.read_tiles(lambda a, b: table.block(a, b, self.xp).astype(self.dtype, copy=False),
                                span or (0, self.n), block_rows or tile, tile, self.xp)

    @staticmethod
    def _real(M, what: str):
        """InputError unless ``M`` holds real numbers (a complex M would lose its imaginary part silently)."""
        if M.dtype.kind not in "fiu":
            raise InputError(f"{what} must hold real numbers, got dtype {M.dtype}")
        return M

    # ---- what a PSS provides ----
    def zeros_accumulator(self, d: int):
        raise NotImplementedError

    def accumulate(self, acc, start: int, block) -> None:
        raise NotImplementedError

    def finish(self, acc):
        return acc

    def decompress(self, M, idx):
        raise NotImplementedError


class Sketch(StreamedPSS):
    """A k x n JLT matrix S defined by (family, k, n, seed, params); see module docstring."""

    block_budget_bytes = 1 << 26  # the largest dense k x b piece of U generated at once

    def __init__(self, *, k: int, n: int, seed=0, trial: int = 0, device: str | Backend = "cpu", dtype=np.float32):
        super().__init__(n=n, seed=seed, trial=trial, device=device, dtype=dtype)
        self.k = V.positive_int("k", k)

    has_columns = True
    linear = True

    # ---- what a family provides ----
    scale: float = 1.0

    def _partial(self, start: int, block):
        raise NotImplementedError

    def _unscaled_columns(self, idx):
        raise NotImplementedError

    def default_block_rows(self) -> int:
        return int(max(256, min(self.n, self.block_budget_bytes // (4 * self.k))))

    def memory_floats(self, d: int) -> int:
        return self.k * d

    def describe(self) -> dict:
        return {"family": self.family, "k": self.k, "n": self.n, "seed": self.seed, "trial": self.trial, **self.params()}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in self.params().items())
        return (f"{type(self).__name__}(family={self.family!r}, k={self.k}, n={self.n}, seed={self.seed}{self._trial_text()}{extra}, "
                f"device={self.backend.device!r}, holds={self.nbytes} bytes)")

    # ---- the protocol ----
    def _unscaled(self, idx):
        """U[:, idx] for a validated index array, or a ``range`` of consecutive columns."""
        if isinstance(idx, range):
            return self._unscaled_range(idx.start, idx.stop)
        return self._unscaled_columns(idx)

    def _unscaled_range(self, start: int, stop: int):
        return self._unscaled_columns(self.xp.arange(start, stop, dtype=self.xp.int64))

    def accumulate(self, M_acc, start: int, block) -> None:
        """M_acc += U[:, start:start+b] @ block (unscaled, float64 accumulator)."""
        M_acc += self._partial(start, block)

    def zeros_accumulator(self, d: int):
        return self.xp.zeros((self.k, d), dtype=self.xp.float64)

    def apply(self, E, block_rows: int | None = None):
        """M = S E (k x d, float64 on the backend), read in blocks of ``block_rows`` rows of E and summed one
        tile at a time in row order (``tiles``): the same bits whatever ``block_rows``.

        A NaN or Inf anywhere in E makes M non-finite (every column of S has a nonzero), which is
        reported as a TableError.
        """
        M = None
        for start, _, block in self.tiles(E, block_rows):
            if M is None:
                M = self.zeros_accumulator(block.shape[1])
            self.accumulate(M, start, block)
        check_finite(M, "found in M = S E", getattr(E, "name", "E"), self.xp)
        return self.finish(M)

    def finish(self, M_acc):
        """Scale an accumulated unscaled product into S E."""
        M_acc *= self.scale
        return M_acc

    def columns(self, idx):
        """S[:, idx] as a dense k x len(idx) array (in ``dtype``); ``idx`` an index array or a range."""
        idx = self._check_idx(idx)
        return self._unscaled(idx) * self.xp.asarray(self.scale, dtype=self.dtype)

    def column_sq_norms(self, idx):
        """||S e_i||^2 for i in idx (float64)."""
        u = self._unscaled(self._check_idx(idx)).astype(self.xp.float64)
        return (u * u).sum(axis=0) * self.scale**2

    def decompress(self, M, idx):
        """Mhat_idx = S[:, idx]^T M (len(idx) x d): rows read back from any k x d matrix M.

        ``idx`` is an index array or a ``range`` of consecutive rows (the fast path for streaming).
        M must be real; one whose entries float32 does not hold accurately (``tables.beyond_float32``)
        is read back in float64 whatever the sketch's dtype.
        """
        M = self._real(self.xp.asarray(M), "M")
        if M.ndim != 2 or M.shape[0] != self.k:
            raise InputError(f"M must be a k x d matrix with k = {self.k}, got shape {M.shape}")
        idx = self._check_idx(idx)
        if self.dtype == np.float32 and beyond_float32(M, self.xp):
            return self.with_dtype("float64")._decompress(M, idx)
        return self._decompress(M, idx)

    def _decompress(self, M, idx):
        # the product runs in the sketch's dtype (float32 by default, like apply) and returns float64
        cols = self._unscaled(idx)
        return matmul(cols.T, M.astype(cols.dtype, copy=False)).astype(self.xp.float64) * self.scale

    def to_dense(self):
        """The whole S as a k x n array: for tests at small n only."""
        if self.k * self.n > 50_000_000:
            raise InputError(f"to_dense() would build a {self.k} x {self.n} array; it is meant for small n")
        return self.columns(range(0, self.n))
