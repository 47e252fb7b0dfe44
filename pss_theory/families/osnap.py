"""``osnap``: the sparse-sign distribution (``families.sparse_sign``) with s nonzeros per column, s given
(default 4) (Nelson & Nguyen 2013; Kane & Nelson 2014, block construction).

JLT bound: k = min(4 L / eps^2 if s >= 4 L / eps, f (f + 1)/(eps^2 delta)), L = ln(f^2/delta): the
sparse-JL branch with this project's constants (Kane & Nelson give none, so ``constants_proven`` is
False) and the Chebyshev bound that holds for any s (``sparse_sign``'s docstring derives both).
"""
from __future__ import annotations

from .. import validate as V
from .family import Param
from .sparse_sign import SparseSignFamily

FAMILY = SparseSignFamily(
    name="osnap", params=(Param("s", lambda t: V.integer("s", t, minimum=1), "osnap: nonzeros per column (default 4)"),),
    sources=("kane_nelson2014", "cohen_jayram_nelson2018", "thorup_zhang2012", "this_module"),
    formula="k = min(C eps^-2 ln(f^2/delta) [if s >= C' eps^-1 ln(f^2/delta)], f (f + 1)/(eps^2 delta)), "
            "C = C' = 4 (convention)", constants_proven=False)
