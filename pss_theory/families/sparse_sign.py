"""The sparse-sign distribution: s nonzeros +-1/sqrt(s) per column of S, in distinct rows (Nelson & Nguyen
2013; Kane & Nelson 2014, block construction).  ``osnap`` and ``countsketch`` (s = 1) are its presets,
each in its own module with the derivation of its JLT bound.

The k rows are cut into s contiguous blocks, [floor(t k / s), floor((t + 1) k / s)) for t < s, and
column j has one nonzero in each block, so its s rows are always distinct.  Word t of column j
(stream (seed, TAG_SKETCH), row j) gives nonzero t: its row offset in block t is the high 32 bits
mapped to [0, block size) by multiply-shift, its sign the lowest bit.

Its JLT bounds (the second-moment bound for every s, and the sparse-JL convention), laws and prediction are
``theory.sparse_sign``.
"""
from __future__ import annotations

import math

from .. import rng
from .. import validate as V
from ..errors import InputError
from ..theory import sparse_sign
from ..theory.sparse_sign import OSNAP_C_ROWS, OSNAP_C_SPARSITY
from .family import Family
from .operator import Sketch


class SparseSign(Sketch):
    """S with s nonzeros +-1/sqrt(s) per column, one in each of s row blocks.  ``family`` is the preset's
    name; ``fixed`` the parameters the preset sets, which its records do not repeat."""

    def __init__(self, *, s: int = 4, family: str = "osnap", fixed: tuple = (), **kw):
        super().__init__(**kw)
        self.family, self.fixed = family, tuple(fixed)
        self.s = V.positive_int("s", s)
        if self.s > self.k:
            raise InputError(f"{family} needs s <= k (s distinct rows per column), got s = {self.s} > k = {self.k}")
        self.stream = rng.Stream(self.key, rng.TAG_SKETCH)
        self.scale = 1.0 / math.sqrt(self.s)
        self.block_edges = [t * self.k // self.s for t in range(self.s + 1)]

    def params(self) -> dict:
        return {} if "s" in self.fixed else {"s": self.s}

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

    def nonzeros_of(self, idx):
        """(rows, signs) of the nonzeros of columns ``idx`` (a range or row ids), each (len(idx), s): the hash
        a hashing-trick method shares with this sketch."""
        if isinstance(idx, range):
            return self.nonzeros(self.stream.rows(idx.start, idx.stop, self.s, self.xp))
        return self.nonzeros(self.stream.rows_at(idx, self.s, self.xp))

    def _unscaled(self, idx):
        xp = self.xp
        rows, signs = self.nonzeros_of(idx)
        out = xp.zeros((self.k, rows.shape[0]), dtype=self.dtype)
        cols = xp.broadcast_to(xp.arange(rows.shape[0])[:, None], rows.shape)
        out[rows, cols] = signs
        return out

    def column_sq_norms(self, idx):
        _, signs = self.nonzeros_of(self._check_idx(idx))
        return (signs.astype(self.xp.float64) ** 2).sum(axis=1) * self.scale**2

    def _decompress(self, M, idx):
        rows, signs = self.nonzeros_of(idx)
        return (M[rows] * signs[..., None].astype(M.dtype)).sum(axis=1) * self.scale

    def block_bytes(self, d, rows):
        return 8.0 * 3 * rows * self.s + 8.0 * rows * self.s * d


class SparseSignFamily(Family):
    """The sparse-sign distribution as a preset: ``fixed`` sets parameters once for all (CountSketch: s = 1;
    its ``params`` then omit them), ``default_s`` is s where none is given, and ``sparse_jl`` says whether
    the Kane-Nelson branch (with this project's constants) joins the Chebyshev bound."""

    operator = SparseSign
    default_s = 4  # nonzeros per column when the operator's parameters do not say
    fixed: tuple = ()  # (name, value) pairs the preset sets
    sparse_jl = True
    theory_keys = ("s", "c_rows", "c_sparsity")

    def make(self, *, k=None, n, d=None, seed=0, trial=0, device="cpu", **params):
        for name, value in self.fixed:
            if params.pop(name, value) != value:
                raise InputError(f"{self.name} has {name} = {value} by definition; use osnap for another {name}")
        return super().make(k=k, n=n, d=d, seed=seed, trial=trial, device=device, family=self.name,
                            fixed=tuple(name for name, _ in self.fixed), **dict(self.fixed), **params)

    def s_of(self, dist) -> int:
        """s of the distribution: the preset's, the one given, or ``default_s``."""
        return dict(self.fixed).get("s", dist.param("s", self.default_s))

    def macro_prediction(self, dist, delta):
        return sparse_sign.macro_prediction(dist.k, dist.d, delta)

    def eta_law(self, dist):
        return sparse_sign.eta_law()

    def row_law(self, dist):
        return sparse_sign.row_law(dist.k, self.s_of(dist))

    def theory_params(self, **params):
        super().theory_params(**params)
        s = params.get("s", dict(self.fixed).get("s"))
        return {"s": None if s is None else V.integer("s", s, minimum=1),
                "c_rows": V.positive("c_rows", params.get("c_rows", OSNAP_C_ROWS)),
                "c_sparsity": V.positive("c_sparsity", params.get("c_sparsity", OSNAP_C_SPARSITY))}

    def bound_params(self, dist):
        """The distribution's theory parameters a caller may pass back (a preset's fixed ones are its own)."""
        given = {} if "s" in dict(self.fixed) else {"s": self.s_of(dist)}
        return {k: v for k, v in self.theory_params(**given).items() if k in self.theory_keys}

    def log_jlt_k(self, eps, delta, log_f, p):
        return sparse_sign.log_jlt_k(eps, delta, log_f, p["s"], p["c_rows"], p["c_sparsity"], self.sparse_jl)

    def eps_jlt(self, k, delta, log_f, p):
        return sparse_sign.eps_jlt(k, delta, log_f, p["s"], p["c_rows"], p["c_sparsity"], self.sparse_jl, self.name)
