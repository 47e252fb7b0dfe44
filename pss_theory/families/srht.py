"""Subsampled randomized Hadamard transform, streamed (Ailon & Chazelle 2009; Tropp 2011).

S = sqrt(N / k) P (H_N / sqrt(N)) D = P H_N D / sqrt(k), restricted to the first n columns, where
N is the next power of two >= n, D = diag(+-1) random signs, H_N the Sylvester-Hadamard matrix
(entries (-1)^popcount(r & i)) and P picks k of its N rows uniformly without replacement
(Floyd's algorithm, ``rng.sample_without_replacement``).  E[S^T S] = I, and with k = N, S^T S = I exactly.

Streaming: with N = N1 * B (B a power of two) and row index i = i1 B + i2, H_N = H_N1 (x) H_B, so
output row r = r1 B + r2 of P H D E is sum over blocks i1 of (-1)^popcount(r1 & i1) (H_B (D E)_i1)[r2].
Each row block of B rows needs one length-B Hadamard transform (done as Kronecker stages of
H_16 by matrix products) plus a signed gather of k rows: O(n d log B + (n / B) k d) time and
O(B d + k d) memory.

Its JLT bound, laws and prediction are ``theory.srht``; the theory takes ``n`` (rounded up to N) or ``N`` directly.
"""
from __future__ import annotations

import math

import numpy as np

from .. import rng
from .. import validate as V
from ..errors import InputError
from ..theory import srht
from .family import Family
from .operator import Sketch


def parity(xp, x):
    """popcount(x) mod 2 for non-negative int64 x, elementwise."""
    x = x.astype(xp.uint64)
    for shift in (32, 16, 8, 4, 2, 1):
        x = x ^ (x >> xp.uint64(shift))
    return (x & xp.uint64(1)).astype(xp.int64)


def _hadamard(m: int) -> np.ndarray:
    i = np.arange(m)
    return (1 - 2 * parity(np, i[:, None] & i[None, :])).astype(np.float64)


def fwht(xp, X, stage: int = 16):
    """H_B X for X of shape (B, d), B a power of two, in Sylvester order.

    Write a row index in base-``stage`` digits: H_B is the Kronecker product of one H_m per digit, so
    each stage multiplies by H_m along one digit (a batched matrix product over the higher digits):
    log_stage(B) passes over the block instead of the log_2(B) of a butterfly loop.
    """
    B, d = X.shape
    left = B
    out = X
    while left > 1:
        m = min(stage, left)
        left //= m
        # index = (a, j, c) with j the digit this stage transforms; a = higher digits, c = lower ones
        H = xp.asarray(_hadamard(m), dtype=X.dtype)
        out = xp.matmul(H, out.reshape(B // (m * left), m, left * d)).reshape(B, d)
    return out


class SRHT(Sketch):
    family = "srht"

    def __init__(self, *, block: int = 1 << 14, **kw):
        super().__init__(**kw)
        self.N = V.next_pow2(self.n)
        if self.k > self.N:
            raise InputError(f"srht samples k rows of the {self.N}-row Hadamard transform without replacement: "
                             f"need k <= {self.N} (the next power of two >= n), got k = {self.k}")
        if block <= 0 or block & (block - 1):
            raise InputError(f"srht block must be a power of two, got {block}")
        self.B = min(block, self.N)
        self.scale = 1.0 / math.sqrt(self.k)
        self.rows = rng.sample_without_replacement(rng.Stream(self.key, rng.TAG_SKETCH_ROWS), self.N, self.k)
        self._rows_dev = self.xp.asarray(self.rows)
        self._local = self._rows_dev % self.B  # r2 of each sampled row r = r1 B + r2
        self.sign_stream = rng.Stream(self.key, rng.TAG_SKETCH_SIGNS)

    def params(self) -> dict:
        return {"N": self.N}

    @property
    def nbytes(self) -> int:
        return int(self.rows.nbytes)

    def default_block_rows(self) -> int:
        return self.B

    @property
    def block_multiple(self) -> int:
        return self.B

    def signs(self, start: int, stop: int):
        """D[start:stop] as +-1 (lowest bit of one word per row)."""
        w = self.sign_stream.words(start, stop - start, self.xp)
        return self.xp.float32(1.0) - self.xp.float32(2.0) * (w & self.xp.uint64(1)).astype(self.xp.float32)

    def _signs_at(self, idx):
        w = self.sign_stream.rows_at(idx, 1, self.xp)[:, 0]
        return self.xp.float32(1.0) - self.xp.float32(2.0) * (w & self.xp.uint64(1)).astype(self.xp.float32)

    def _block_sign(self, i1: int):
        """(-1)^popcount(r1 & i1) for each sampled row r = r1 B + r2: the H_N1 factor of block i1."""
        return 1 - 2 * parity(self.xp, (self._rows_dev // self.B) & i1)

    def _partial(self, start: int, block):
        xp = self.xp
        out = xp.zeros((self.k, block.shape[1]), dtype=xp.float64)
        for s in range(start, start + block.shape[0], self.B):
            piece = block[s - start : s - start + self.B]
            X = piece * self.signs(s, s + piece.shape[0]).astype(block.dtype)[:, None]
            if X.shape[0] < self.B:  # the last block of a table whose n is not a multiple of B
                X = xp.concatenate([X, xp.zeros((self.B - X.shape[0], X.shape[1]), dtype=X.dtype)])
            Y = fwht(xp, X)
            out += self._block_sign(s // self.B).astype(X.dtype)[:, None] * Y[self._local]
        return out

    def _decompress(self, M, idx):
        """S[:, idx]^T M; for a range, the adjoint of the streamed product, block by block:
        scatter the k rows of M into a length-B block, one Hadamard transform, then D."""
        if not isinstance(idx, range):
            return super()._decompress(M, idx)
        xp = self.xp
        out = xp.empty((len(idx), M.shape[1]), dtype=M.dtype)
        local = self._local
        s = idx.start
        while s < idx.stop:
            i1 = s // self.B
            Z = xp.zeros((self.B, M.shape[1]), dtype=M.dtype)
            self.backend.scatter_add(Z, local, self._block_sign(i1)[:, None].astype(M.dtype) * M)
            Y = fwht(xp, Z)
            e = min(idx.stop, (i1 + 1) * self.B)
            out[s - idx.start : e - idx.start] = Y[s - i1 * self.B : e - i1 * self.B] * self.signs(s, e).astype(M.dtype)[:, None]
            s = e
        return out * self.scale

    def column_sq_norms(self, idx):
        """Exactly 1: every entry of S is +-1/sqrt(k), so ||S e_i||^2 = k / k."""
        idx = self._check_idx(idx)
        return self.xp.ones(len(idx), dtype=self.xp.float64)

    def _unscaled_range(self, start: int, stop: int):
        xp = self.xp
        h = 1 - 2 * parity(xp, self._rows_dev[:, None] & xp.arange(start, stop, dtype=xp.int64)[None, :])
        return (h * self.signs(start, stop)[None, :]).astype(self.dtype)

    def _unscaled_columns(self, idx):
        xp = self.xp
        h = 1 - 2 * parity(xp, self._rows_dev[:, None] & idx[None, :])
        return (h * self._signs_at(idx)[None, :]).astype(self.dtype)

    def block_bytes(self, d, rows):
        return 3.0 * 8 * self.B * d + 8.0 * self.k * d


class SrhtFamily(Family):
    name = "srht"
    operator = SRHT
    theory_keys = ("n", "N")
    sources = ("ailon_chazelle2009", "hoeffding1963", "this_module")
    formula = "k = 6 eps^-2 ln(4 N f^2/delta) ln(4 f^2/delta)"

    def check_k(self, k, n, d):
        super().check_k(k, n, d)
        if k > V.next_pow2(n):
            raise InputError(f"srht needs k <= {V.next_pow2(n)} (next power of two >= n), got k = {k}")

    def theory_params(self, **params):
        super().theory_params(**params)
        if params.get("n") is None and params.get("N") is None:
            raise InputError("family 'srht' needs the ambient dimension: pass n=... (or N=..., the padded "
                             "power of two the Hadamard transform acts on)")
        n = None if params.get("n") is None else V.positive("n", params["n"])
        N = None if params.get("N") is None else V.positive("N", params["N"])
        if n is not None and N is not None and N < n:
            raise InputError(f"srht: the padded dimension N = {params['N']!r} is smaller than n = {params['n']!r}")
        return {"N": N if N is not None else V.next_pow2(n)}

    def bound_params(self, dist):
        return {"N": V.next_pow2(dist.n)}

    def log_jlt_k(self, eps, delta, log_f, p):
        return srht.log_jlt_k(eps, delta, log_f, p["N"])

    def eps_jlt(self, k, delta, log_f, p):
        return srht.eps_jlt(k, delta, log_f, p["N"])

    def macro_prediction(self, dist, delta):
        return srht.macro_prediction(dist.k, dist.n, dist.d, delta)

    def eta_law(self, dist):
        return srht.eta_law(V.next_pow2(dist.n), dist.k)

    def row_law(self, dist):
        return srht.row_law(dist.k, V.next_pow2(dist.n))


FAMILY = SrhtFamily()
