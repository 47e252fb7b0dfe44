"""Hashing families: s nonzeros per column of S.

- ``osnap`` (Nelson & Nguyen 2013; Kane & Nelson 2014, block construction): the k rows are cut into
  s contiguous blocks, [floor(t k / s), floor((t + 1) k / s)) for t < s, and column j has one
  nonzero +-1/sqrt(s) in each block, so its s rows are always distinct.
- ``countsketch`` (Charikar, Chen & Farach-Colton 2002; Clarkson & Woodruff 2013): osnap with s = 1.

Word t of column j (stream (seed, TAG_SKETCH), row j) gives nonzero t: its row offset in block t is
the high 32 bits mapped to [0, block size) by multiply-shift, its sign the lowest bit.
"""
from __future__ import annotations

import math

from .. import rng
from ..errors import InputError
from ..pss import positive_int
from .base import Sketch


class OSNAP(Sketch):
    family = "osnap"

    def __init__(self, *, s: int = 4, **kw):
        super().__init__(**kw)
        self.s = positive_int("s", s)
        if self.s > self.k:
            raise InputError(f"osnap needs s <= k (s distinct rows per column), got s = {self.s} > k = {self.k}")
        self.stream = rng.Stream(self.seed, rng.TAG_SKETCH)
        self.scale = 1.0 / math.sqrt(self.s)
        self.block_edges = [t * self.k // self.s for t in range(self.s + 1)]

    def params(self) -> dict:
        return {"s": self.s}

    def default_block_rows(self) -> int:
        # each block adds a dense k x d partial product into M: blocks of at least 4k rows keep that
        # traffic below the table's own
        return min(self.n, max(1 << 16, 4 * self.k))

    def nonzeros(self, words):
        """(rows, signs) of the nonzeros, each shaped like ``words`` (b x s)."""
        xp = self.xp
        hi, lo = rng.uniform32_halves(xp, words)
        rows = xp.empty(words.shape, dtype=xp.int64)
        for t in range(self.s):
            lo_edge, hi_edge = self.block_edges[t], self.block_edges[t + 1]
            rows[:, t] = lo_edge + rng.bounded(xp, hi[:, t], hi_edge - lo_edge)
        signs = xp.float32(1.0) - xp.float32(2.0) * (lo & xp.uint64(1)).astype(xp.float32)
        return rows, signs.astype(self.dtype)

    def _partial(self, start: int, block):
        xp = self.xp
        b = block.shape[0]
        rows, signs = self.nonzeros(self.stream.rows(start, start + b, self.s, xp))
        # int32 indices: what cupyx.scipy.sparse requires, and enough for k, b * s < 2^31
        indptr = xp.arange(0, b * self.s + 1, self.s, dtype=xp.int32)
        U = self.backend.sparse.csc_matrix((signs.ravel(), rows.ravel().astype(xp.int32), indptr), shape=(self.k, b))
        return U @ block

    def _nonzeros_of(self, idx):
        if isinstance(idx, range):
            return self.nonzeros(self.stream.rows(idx.start, idx.stop, self.s, self.xp))
        return self.nonzeros(self.stream.rows_at(idx, self.s, self.xp))

    def _unscaled(self, idx):
        xp = self.xp
        rows, signs = self._nonzeros_of(idx)
        out = xp.zeros((self.k, rows.shape[0]), dtype=self.dtype)
        cols = xp.broadcast_to(xp.arange(rows.shape[0])[:, None], rows.shape)
        out[rows, cols] = signs
        return out

    def column_sq_norms(self, idx):
        _, signs = self._nonzeros_of(self._check_idx(idx))
        return (signs.astype(self.xp.float64) ** 2).sum(axis=1) * self.scale**2

    def _decompress(self, M, idx):
        rows, signs = self._nonzeros_of(idx)
        return (M[rows] * signs[..., None].astype(M.dtype)).sum(axis=1) * self.scale


class CountSketch(OSNAP):
    family = "countsketch"

    def __init__(self, **kw):
        if kw.pop("s", 1) != 1:
            raise InputError("countsketch has exactly one nonzero per column; use osnap for s > 1")
        super().__init__(s=1, **kw)

    def params(self) -> dict:
        return {}
