"""``countsketch``: one +-1 per column of S (Charikar, Chen & Farach-Colton 2002; Clarkson & Woodruff
2013), i.e. ``osnap`` with s = 1.

JLT bound: Var <S x, S y> = (||x||^2 ||y||^2 + <x, y>^2 - 2 sum_i x_i^2 y_i^2)/k <= 2/k for unit
x, y (Thorup & Zhang 2012; Charikar et al. 2004), so Chebyshev gives failure <= 2/(k eps^2) per
pair; union over the f (f + 1)/2 pairs (v1 = v2 included): k = f (f + 1)/(eps^2 delta).  (Going
through polarization instead gives 2 f^2/(eps^2 delta), a factor ~2 worse.)  Vacuous for f = 9^d:
computed in logs.
"""
from __future__ import annotations

from ..errors import InputError
from ..theory import tails
from .osnap import OSNAP, HashingFamily, chebyshev_eps


class CountSketch(OSNAP):
    family = "countsketch"

    def __init__(self, **kw):
        if kw.pop("s", 1) != 1:
            raise InputError("countsketch has exactly one nonzero per column; use osnap for s > 1")
        super().__init__(s=1, **kw)

    def params(self) -> dict:
        return {}


class CountSketchFamily(HashingFamily):
    name = "countsketch"
    operator = CountSketch
    default_s = 1
    sources = ("thorup_zhang2012", "charikar2004", "this_module")
    formula = "k = f (f + 1) / (eps^2 delta)"
    color = "C3"

    def log_jlt_k(self, eps, delta, log_f, p):
        return tails.log_k_chebyshev(eps, delta, log_f)

    def eps_jlt(self, k, delta, log_f, p):
        return tails.eps_from_log(chebyshev_eps(k, delta, log_f))


FAMILY = CountSketchFamily()
