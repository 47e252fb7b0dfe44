"""``gaussian``: S_ij ~ N(0, 1/k) (Dasgupta & Gupta 2003; Box-Muller draws, see ``rng.normals``).

JLT bound: k = ln(2 f^2/delta) / r, r = (eps - ln(1 + eps))/2, the chi-square Chernoff bound of
Dasgupta & Gupta 2003, Lemma 2.2 (before their simplification to eps^2/2 - eps^3/3).
"""
from __future__ import annotations

from .. import rng
from ..theory import tails
from .dense import ChernoffFamily, DenseSketch


class Gaussian(DenseSketch):
    family = "gaussian"
    entries_per_word = 2

    def _transform(self, xp, words, count, out=None):
        return rng.normals(xp, words, count, out=out)


FAMILY = ChernoffFamily(name="gaussian", operator=Gaussian, sources=("dasgupta_gupta2003",),
                        formula="k = ln(2 f^2/delta) / r, r = (eps - ln(1 + eps))/2", rate_of_eps=tails.rate_gaussian,
                        gaussian_entries=True, column_norm_variance=2.0)
