"""``rademacher``: S_ij = +-1/sqrt(k) with equal probability (Achlioptas 2003).

JLT bound: per vector P(| ||Sv||^2 - ||v||^2 | > eps ||v||^2) <= 2 exp(-k (eps^2/2 - eps^3/3)/2)
(Achlioptas 2003, Thm 1.1), so k = ln(2 f^2/delta) / ((eps^2/2 - eps^3/3)/2).
"""
from __future__ import annotations

from .. import rng
from ..theory import tails
from .dense import ChernoffFamily, DenseSketch


class Rademacher(DenseSketch):
    family = "rademacher"
    entries_per_word = 64

    def _transform(self, xp, words, count, out=None):
        s = rng.signs(xp, words, count)
        if out is None:
            return s
        out[...] = s
        return out


FAMILY = ChernoffFamily(name="rademacher", operator=Rademacher, sources=("achlioptas2003",),
                        formula="k = ln(2 f^2/delta) / r, r = (eps^2/2 - eps^3/3)/2",
                        rate_of_eps=tails.rate_achlioptas_published)
