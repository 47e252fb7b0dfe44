"""The protocol every sketch family follows, and the streaming loop they share.

S (k x n) is never stored.  A family defines S as ``scale * U`` where U has simple entries
(N(0,1), +-1, {+-1, 0}) that are pure functions of (seed, row, column), and implements two kernels:

- ``_partial(start, E_block)``: U[:, start:start+b] @ E_block (k x d), for one row block of E;
- ``_unscaled_columns(idx)``: U[:, idx] as a dense k x len(idx) array.

``apply`` accumulates the partial products in float64 over row blocks and multiplies by ``scale``
once at the end: with integer-valued E and +-1 entries every sum is exact, so M is bitwise
independent of the block size; with general E it differs only by rounding.
"""
from __future__ import annotations

import copy

import numpy as np

from ..backend import Backend
from ..errors import InputError
from ..pss import StreamedPSS, positive_int
from ..tables import check_finite


class Sketch(StreamedPSS):
    """A k x n JLT matrix S defined by (family, k, n, seed, params); see module docstring."""

    block_budget_bytes = 1 << 26  # the largest dense k x b piece of U generated at once

    def __init__(self, *, k: int, n: int, seed: int = 0, device: str | Backend = "cpu", dtype=np.float32):
        super().__init__(n=n, seed=seed, device=device, dtype=dtype)
        self.k = positive_int("k", k)

    # ---- what a family provides ----
    scale: float = 1.0

    def _partial(self, start: int, block):
        raise NotImplementedError

    def _unscaled_columns(self, idx):
        raise NotImplementedError

    def with_dtype(self, dtype) -> Sketch:
        """The same S (same draws) computing in ``dtype``."""
        new = copy.copy(self)
        new.dtype = np.dtype(dtype)
        for cache in ("_last", "_buffer"):
            if hasattr(new, cache):
                setattr(new, cache, None)
        return new

    def default_block_rows(self) -> int:
        return int(max(256, min(self.n, self.block_budget_bytes // (4 * self.k))))

    def describe(self) -> dict:
        return {"family": self.family, "k": self.k, "n": self.n, "seed": self.seed, **self.params()}

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in self.params().items())
        return (f"{type(self).__name__}(family={self.family!r}, k={self.k}, n={self.n}, seed={self.seed}{extra}, "
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
        """M = S E (k x d, float64 on the backend), streamed over row blocks of E.

        A NaN or Inf anywhere in E makes M non-finite (every column of S has a nonzero), which is
        reported as a TableError.
        """
        M = None
        for start, _, block in self.blocks(E, block_rows):
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
        """
        M = self.xp.asarray(M)
        if M.ndim != 2 or M.shape[0] != self.k:
            raise InputError(f"M must be a k x d matrix with k = {self.k}, got shape {M.shape}")
        idx = self._check_idx(idx)
        return self._decompress(M, idx)

    def _decompress(self, M, idx):
        # the product runs in the sketch's dtype (float32 by default, like apply) and returns float64
        cols = self._unscaled(idx)
        return (cols.T @ M.astype(cols.dtype, copy=False)).astype(self.xp.float64) * self.scale

    def to_dense(self):
        """The whole S as a k x n array: for tests at small n only."""
        if self.k * self.n > 50_000_000:
            raise InputError(f"to_dense() would build a {self.k} x {self.n} array; it is meant for small n")
        return self.columns(range(0, self.n))
