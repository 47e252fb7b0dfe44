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
from ..theory import dense, tails
from .dense import ChernoffFamily, DenseSketch
from .family import Param


def density_of(density, n: int) -> float:
    """The density drawn: as given, or 1/sqrt(n) for None or "auto" (scikit-learn's "auto")."""
    if density is None or density == "auto":
        density = 1.0 / math.sqrt(n)
    density = float(density)
    if not 0.0 < density <= 1.0:
        raise InputError(f"density must lie in (0, 1], got {density}")
    return density


class Achlioptas(DenseSketch):
    """Entry from one 32-bit half-word: nonzero iff its low 31 bits < density 2^31, sign = its top bit."""

    family = "achlioptas"
    entries_per_word = 2

    def __init__(self, *, density: float | None = 1 / 3, **kw):
        super().__init__(**kw)
        self.density = density = density_of(density, self.n)
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

    def bound_params(self, dist):
        return {"density": density_of(dist.param("density", 1.0 / 3.0), dist.n)}

    def rate(self, eps, p):
        return tails.rate_achlioptas(eps, p["density"])

    def row_law(self, dist):
        return dense.sign_row_law(dist.k, self.bound_params(dist)["density"])

    def eta_law(self, dist):
        q = self.bound_params(dist)["density"]
        return dense.eta_law((1.0 - q) / q)


FAMILY = AchlioptasFamily()
