"""``achlioptas``: S_ij = +-1/sqrt(density k) with probability density/2 each, else 0.

density 1/3 is Achlioptas' sparse +-sqrt(3/k) matrix, and the parameter follows scikit-learn's
SparseRandomProjection (density = 1/sqrt(n) is its "auto").

JLT bound: for density in [1/3, 1], Achlioptas 2003, Thm 1.1 (his proof uses only E r^2 = 1,
E r^{2m} <= (2m - 1)!! and E Q^4 <= 3, true there): k = ln(2 f^2/delta) / ((eps^2/2 - eps^3/3)/2).
For density < 1/3 the rate is min(that, r_up, r_lo) with the moment-method rates derived in
``theory.tails.rate_moment_upper`` / ``rate_moment_lower`` (tau = 1/(3 density), E Q^4 <=
1/density); for small eps they give k ~ 2 (1 - density) L2 / (density eps^2), the binomial truth at
v = e_i (k must grow like 1/density).
"""
from __future__ import annotations

import math

from .. import rng
from .. import validate as V
from ..errors import InputError
from ..theory import certificates, tails
from .dense import ChernoffFamily, DenseSketch
from .family import Param


class Achlioptas(DenseSketch):
    """Entry from one 32-bit half-word: nonzero iff its low 31 bits < density 2^31, sign = its top bit."""

    family = "achlioptas"
    entries_per_word = 2

    def __init__(self, *, density: float | None = 1 / 3, **kw):
        super().__init__(**kw)
        if density is None or density == "auto":
            density = 1.0 / math.sqrt(self.n)
        density = float(density)
        if not 0.0 < density <= 1.0:
            raise InputError(f"density must lie in (0, 1], got {density}")
        self.density = density
        self.threshold = int(round(density * 2**31))
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


class AchlioptasFamily(ChernoffFamily):
    name = "achlioptas"
    operator = Achlioptas
    params = (Param("density", lambda t: V.unit_closed_right("density", t), "achlioptas: density in (0, 1] (default 1/3)"),)
    theory_keys = ("density",)
    sources = ("achlioptas2003", "this_module")
    formula = ("k = ln(2 f^2/delta) / r, r = (eps^2/2 - eps^3/3)/2 for density >= 1/3; "
               "r = min(that, moment-method rates) below 1/3")

    def theory_params(self, **params):
        super().theory_params(**params)
        return {"density": V.unit_closed_right("density", params.get("density", 1.0 / 3.0))}

    def drawn_theory_params(self, pss, n):
        return {"density": pss.density}

    def rate(self, eps, p):
        return tails.rate_achlioptas(eps, p["density"])

    def row_law(self, k, density=1.0 / 3.0, **params):
        """Entries +-c, c^2 = 1/(density k), nonzero with probability density: given the N nonzeros of
        s_i, each meets row j's entry with probability density, adding c^4 a_j to V."""
        return certificates.SignedSumLaw(k, p=density, weight=1.0 / (density * k) ** 2, density=density)

    def eta_law(self, pss):
        """||S e_i||^2 = Binomial(k, q) / (q k): k Var = (1 - q) / q for density q."""
        return 1.0, (1.0 - pss.density) / pss.density


FAMILY = AchlioptasFamily()
