"""``countsketch``: one +-1 per column of S (Charikar, Chen & Farach-Colton 2002; Clarkson & Woodruff
2013), the sparse-sign distribution (``families.sparse_sign``) with s = 1.

JLT bound: Var <S x, S y> = (||x||^2 ||y||^2 + <x, y>^2 - 2 sum_i x_i^2 y_i^2)/k <= 2/k for unit
x, y (Thorup & Zhang 2012; Charikar et al. 2004), so Chebyshev gives failure <= 2/(k eps^2) per
pair; union over the f (f + 1)/2 pairs (v1 = v2 included): k = f (f + 1)/(eps^2 delta).  (Going
through polarization instead gives 2 f^2/(eps^2 delta), a factor ~2 worse.)  Vacuous for f = 9^d:
computed in logs.  Every constant is proven, so the sparse-JL branch (unproven constants) is off.
"""
from __future__ import annotations

from .sparse_sign import SparseSignFamily

FAMILY = SparseSignFamily(name="countsketch", fixed=(("s", 1),), sparse_jl=False, theory_keys=(),
                          sources=("thorup_zhang2012", "charikar2004", "this_module"),
                          formula="k = f (f + 1) / (eps^2 delta)")
