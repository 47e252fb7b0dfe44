"""Dense families: every entry of S drawn independently.

- ``gaussian``: S_ij ~ N(0, 1/k) (Dasgupta & Gupta 2003; Box-Muller draws, see ``rng.normals``).
- ``rademacher``: S_ij = +-1/sqrt(k) with equal probability (Achlioptas 2003).
- ``achlioptas``: S_ij = +-1/sqrt(density k) with probability density/2 each, else 0; density 1/3 is
  Achlioptas' sparse +-sqrt(3/k) matrix, and the parameter follows scikit-learn's
  SparseRandomProjection (density = 1/sqrt(n) is its "auto").

Column j of U is row j of the stream (seed, TAG_SKETCH), so it regenerates alone.
"""
from __future__ import annotations

import math

from .. import rng
from ..errors import InputError
from .base import Sketch


class DenseSketch(Sketch):
    """Families whose unscaled column j is ``transform(words of column j)``."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.stream = rng.Stream(self.seed, rng.TAG_SKETCH)
        self._last = None
        self._buffer = None

    words_per_column: int

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
        return self._unscaled_range(start, start + block.shape[0]) @ block

    def _unscaled_columns(self, idx):
        xp = self.xp
        words = self.stream.rows_at(idx, self.words_per_column, xp)
        return self._transform(xp, words, self.k).T.astype(self.dtype, copy=False)


class Gaussian(DenseSketch):
    family = "gaussian"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.words_per_column = (self.k + 1) // 2
        self.scale = 1.0 / math.sqrt(self.k)

    def _transform(self, xp, words, count, out=None):
        return rng.normals(xp, words, count, out=out)


class Rademacher(DenseSketch):
    family = "rademacher"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.words_per_column = (self.k + 63) // 64
        self.scale = 1.0 / math.sqrt(self.k)

    def _transform(self, xp, words, count, out=None):
        s = rng.signs(xp, words, count)
        if out is None:
            return s
        out[...] = s
        return out


class Achlioptas(DenseSketch):
    """Entry from one 32-bit half-word: nonzero iff its low 31 bits < density 2^31, sign = its top bit."""

    family = "achlioptas"

    def __init__(self, *, density: float | None = 1 / 3, **kw):
        super().__init__(**kw)
        if density is None or density == "auto":
            density = 1.0 / math.sqrt(self.n)
        density = float(density)
        if not 0.0 < density <= 1.0:
            raise InputError(f"density must lie in (0, 1], got {density}")
        self.density = density
        self.threshold = int(round(density * 2**31))
        self.words_per_column = (self.k + 1) // 2
        self.scale = 1.0 / math.sqrt(density * self.k)

    def params(self) -> dict:
        return {"density": self.density}

    def _transform(self, xp, words, count, out=None):
        hi, lo = rng.uniform32_halves(xp, words)
        half = xp.concatenate([lo, hi], axis=-1)[..., :count]
        nonzero = (half & xp.uint64(0x7FFFFFFF)) < xp.uint64(self.threshold)
        sign = xp.float32(1.0) - xp.float32(2.0) * (half >> xp.uint64(31)).astype(xp.float32)
        if out is None:
            out = xp.empty(half.shape, dtype=xp.float32)
        xp.multiply(sign, nonzero, out=out)
        return out
