"""What the dense families share: every entry of S drawn independently, column j of U being row j
of the stream (seed, TAG_SKETCH) so that it regenerates alone, and a JLT bound from a per-vector
tail rate r(eps) through the union bound (``theory.tails``):

    k = ln(2 f^2 / delta) / r(eps)

(f^2 norm events by polarization; see ``theory.jlt``); their predictions and laws are ``theory.dense``.
"""
from __future__ import annotations

import math

from .. import backend, rng
from ..theory import dense, tails
from .family import Family
from .operator import Sketch


class DenseSketch(Sketch):
    """Families whose unscaled column j is ``transform(words of column j)``."""

    entries_per_word: int  # draws one 64-bit word makes: 2 (32-bit halves) or 64 (bits)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.stream = rng.Stream(self.key, rng.TAG_SKETCH)
        self.words_per_column = -(-self.k // self.entries_per_word)
        self.scale = 1.0 / math.sqrt(self.k)
        self._last = None
        self._buffer = None

    @property
    def nbytes(self) -> int:
        """No parameters; while streaming, one reused generation buffer of U (at most ~64 MiB)."""
        return 0 if self._buffer is None else int(self._buffer.nbytes)

    def _transform(self, xp, words, count, out=None):
        raise NotImplementedError

    def _unscaled_range(self, start: int, stop: int):
        """U[:, start:stop], generated on all cores.  The last range is kept, because a streamed
        read-back asks for the same block twice (decompress, then column norms)."""
        if self._last is not None and self._last[0] == (start, stop):
            return self._last[1]
        b = stop - start
        if self._buffer is None or self._buffer.shape[0] < b:
            self._buffer = self.xp.empty((b, self.k), dtype=self.xp.float32)  # reused: no page faults per block
        out = self._buffer[:b]
        rng.fill_rows(self.stream, start, stop, self.words_per_column, self._transform, out, self.xp)
        u = out.T.astype(self.dtype, copy=False)
        self._last = ((start, stop), u)
        return u

    def column_sq_norms(self, idx):
        u = self._unscaled(self._check_idx(idx))
        return self.xp.einsum("ij,ij->j", u, u).astype(self.xp.float64) * self.scale**2

    def _partial(self, start: int, block):
        return backend.matmul(self._unscaled_range(start, start + block.shape[0]), block)

    def _unscaled_columns(self, idx):
        xp = self.xp
        words = self.stream.rows_at(idx, self.words_per_column, xp)
        return self._transform(xp, words, self.k).T.astype(self.dtype, copy=False)

    def block_bytes(self, d, rows):
        return 2.0 * 4 * self.k * rows  # the generated columns, and the cached block


class ChernoffFamily(Family):
    """A dense family whose JLT bound is the union bound over a per-vector tail rate ``rate(eps, p)``."""

    rate_of_eps = None  # a family whose rate needs no parameter gives it here as a function of eps
    gaussian_entries = False  # iid N(0, 1/k): the Davidson-Szarek tail applies (a Gaussian result)
    column_norm_variance = 0.0  # k Var ||S e_i||^2: 2 for Gaussian entries (chi^2_k / k), 0 for +-1/sqrt(k)

    def rate(self, eps: float, p: dict) -> float:
        return self.rate_of_eps(eps)

    def log_jlt_k(self, eps, delta, log_f, p):
        return tails.chernoff_log_k(eps, delta, log_f, lambda e: self.rate(e, p))

    def eps_jlt(self, k, delta, log_f, p):
        return tails.chernoff_eps(k, delta, log_f, lambda e: self.rate(e, p))

    def macro_prediction(self, dist, delta):
        return dense.macro_prediction(dist.k, dist.d, delta, self.gaussian_entries)

    def eta_law(self, dist):
        return dense.eta_law(self.column_norm_variance)

    def row_law(self, dist):
        return dense.gaussian_row_law(dist.k) if self.gaussian_entries else dense.sign_row_law(dist.k)
