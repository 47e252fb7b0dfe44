"""``osnap``: s nonzeros +-1/sqrt(s) per column of S, in distinct rows (Nelson & Nguyen 2013; Kane &
Nelson 2014, block construction).

The k rows are cut into s contiguous blocks, [floor(t k / s), floor((t + 1) k / s)) for t < s, and
column j has one nonzero in each block, so its s rows are always distinct.  Word t of column j
(stream (seed, TAG_SKETCH), row j) gives nonzero t: its row offset in block t is the high 32 bits
mapped to [0, block size) by multiply-shift, its sign the lowest bit.

JLT bound.  Sparse JL (Kane & Nelson 2014; Cohen, Jayram & Nelson 2018) gives the distributional JL
property with k = C eps^-2 ln(1/delta'), s = C' eps^-1 ln(1/delta') but **no explicit C, C'**.
Convention of this project (not published constants): C = ``c_rows`` = 4, C' = ``c_sparsity`` = 4
(C = 4 matches the dense Gaussian constant as eps -> 0; C' = 4 makes each block 1/eps rows),
delta' = delta/f^2 (f^2 norm events), so with L = ln(f^2/delta): k = 4 L / eps^2, certified only if
s >= 4 L / eps.  The Chebyshev bound of ``countsketch`` (k = f (f + 1)/(eps^2 delta)) holds for any s
(the block construction has the same Var <= 2/k), and the smaller applicable value is used.
"""
from __future__ import annotations

import math

from .. import rng
from .. import validate as V
from ..errors import InputError
from ..theory import certificates, predictions, tails
from ..theory.sources import cites
from .family import Family, Param
from .operator import Sketch

#: Convention for the sparse-JL constants (Kane & Nelson 2014 give none): k = C eps^-2 L, s = C' eps^-1 L.
OSNAP_C_ROWS = 4.0
OSNAP_C_SPARSITY = 4.0


class OSNAP(Sketch):
    family = "osnap"

    def __init__(self, *, s: int = 4, **kw):
        super().__init__(**kw)
        self.s = V.positive_int("s", s)
        if self.s > self.k:
            raise InputError(f"osnap needs s <= k (s distinct rows per column), got s = {self.s} > k = {self.k}")
        self.stream = rng.Stream(self.key, rng.TAG_SKETCH)
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


def chebyshev_eps(k: float, delta: float, log_f: float) -> float:
    """ln eps with k = f (f + 1)/(eps^2 delta): the second-moment bound (see ``countsketch``)."""
    return 0.5 * (log_f + tails.log_f_plus_1(log_f) - math.log(delta) - math.log(k))


def _L(delta: float, log_f: float) -> float:
    return 2.0 * log_f - math.log(delta)


@cites("kane_nelson2014", "this_module")
def osnap_required_s(eps, delta, log_f, c_sparsity=OSNAP_C_SPARSITY) -> float:
    """Column sparsity s that the sparse-JL convention above needs: c_sparsity ln(f^2/delta)/eps.

    Kane & Nelson 2014 give s = O(eps^-1 log(1/delta')) without a constant; c_sparsity = 4 is this
    project's convention.
    """
    eps = V.open_unit("eps", eps)
    delta = V.open_unit("delta", delta)
    log_f = V.nonnegative("log_f", log_f)
    c_sparsity = V.positive("c_sparsity", c_sparsity)
    return c_sparsity * _L(delta, log_f) / eps


class HashingFamily(Family):
    """What CountSketch and OSNAP share: the Chebyshev bound, the subspace-embedding prediction, the cost."""

    default_s = 4  # nonzeros per column when the operator's parameters do not say

    def macro_prediction(self, k, n, d, delta):
        return {"prediction": None, "prediction_inner": predictions.countsketch_subspace_eps(k, d, delta),
                "prediction_name": "CountSketch subspace embedding sqrt((d^2+d)/(delta k))"}

    def eta_law(self, pss):
        """Each of the s blocks (k/s rows) makes two columns collide with probability s/k, with a random
        sign and weight 1/s: E <S e_i, S e_j>^2 = s (s/k) / s^2 = 1/k; and ||S e_i||^2 = 1 exactly."""
        return 1.0, 0.0

    def row_law(self, k, s=None, **params):
        """||S e_i||^2 = 1; each of the s nonzeros of s_i (weight 1/s each way: 1/s^2 on V) meets row j's
        nonzero in its block with probability 1 / (block size) <= 1 / floor(k / s), the smallest block."""
        s = s or self.default_s
        return certificates.SignedSumLaw(k, p=1.0 / (k // s), weight=1.0 / s**2, slots=s)

    def block_bytes(self, pss, d, rows):
        return 8.0 * 3 * rows * pss.s + 8.0 * rows * pss.s * d


class OsnapFamily(HashingFamily):
    name = "osnap"
    operator = OSNAP
    params = (Param("s", lambda t: V.integer("s", t, minimum=1), "osnap: nonzeros per column (default 4)"),)
    theory_keys = ("s", "c_rows", "c_sparsity")
    sources = ("kane_nelson2014", "cohen_jayram_nelson2018", "thorup_zhang2012", "this_module")
    formula = ("k = min(C eps^-2 ln(f^2/delta) [if s >= C' eps^-1 ln(f^2/delta)], f (f + 1)/(eps^2 delta)), "
               "C = C' = 4 (convention)")
    color = "C4"
    constants_proven = False

    def theory_params(self, **params):
        super().theory_params(**params)
        s = params.get("s")
        return {"s": None if s is None else V.integer("s", s, minimum=1),
                "c_rows": V.positive("c_rows", params.get("c_rows", OSNAP_C_ROWS)),
                "c_sparsity": V.positive("c_sparsity", params.get("c_sparsity", OSNAP_C_SPARSITY))}

    def drawn_theory_params(self, pss, n):
        return self.theory_params(s=pss.s)

    def log_jlt_k(self, eps, delta, log_f, p):
        L = _L(delta, log_f)
        best = tails.log_k_chebyshev(eps, delta, log_f)
        if p["s"] is None or p["s"] >= p["c_sparsity"] * L / eps:
            best = min(best, math.log(p["c_rows"]) + math.log(L) - 2.0 * math.log(eps))
        return best

    def eps_jlt(self, k, delta, log_f, p):
        L = _L(delta, log_f)
        log_eps_kn = 0.5 * (math.log(p["c_rows"]) + math.log(L) - math.log(k))
        if p["s"] is not None:
            if p["s"] > k:
                raise InputError(f"osnap needs s <= k, got s = {p['s']} > k = {k!r}")
            log_eps_kn = max(log_eps_kn, math.log(p["c_sparsity"] * L / p["s"]))
        return tails.eps_from_log(min(chebyshev_eps(k, delta, log_f), log_eps_kn))


FAMILY = OsnapFamily()
