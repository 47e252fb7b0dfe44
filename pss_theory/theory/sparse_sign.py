"""The sparse-sign distribution's JLT arithmetic (``families.sparse_sign``, its presets ``osnap`` and
``countsketch``): the second-moment (Chebyshev) bound that holds for every s, and the sparse-JL convention.

Sparse JL (Kane & Nelson 2014; Cohen, Jayram & Nelson 2018) gives k = C eps^-2 ln(1/delta'),
s = C' eps^-1 ln(1/delta') but **no explicit C, C'**: this project's convention is C = ``OSNAP_C_ROWS`` = 4,
C' = ``OSNAP_C_SPARSITY`` = 4 (C = 4 matches the dense Gaussian constant as eps -> 0; C' = 4 makes each block
1/eps rows), delta' = delta/f^2 (f^2 norm events), so with L = ln(f^2/delta): k = 4 L / eps^2, certified
only if s >= 4 L / eps.
"""
from __future__ import annotations

import math

from .. import validate as V
from . import tails
from .sources import cites

#: Convention for the sparse-JL constants (Kane & Nelson 2014 give none): k = C eps^-2 L, s = C' eps^-1 L.
OSNAP_C_ROWS = 4.0
OSNAP_C_SPARSITY = 4.0


def chebyshev_eps(k: float, delta: float, log_f: float) -> float:
    """ln eps with k = f (f + 1)/(eps^2 delta): the second-moment bound (see ``countsketch``)."""
    return 0.5 * (log_f + tails.log_f_plus_1(log_f) - math.log(delta) - math.log(k))


def jl_log_terms(delta: float, log_f: float) -> float:
    """L = ln(f^2/delta), the log of the sparse-JL failure budget per norm event."""
    return 2.0 * log_f - math.log(delta)


@cites("kane_nelson2014", "this_module")
def osnap_required_s(eps, delta, log_f, c_sparsity=OSNAP_C_SPARSITY) -> float:
    """Column sparsity s that the sparse-JL convention above needs: c_sparsity ln(f^2/delta)/eps.

    Kane & Nelson 2014 give s = O(eps^-1 log(1/delta')) without a constant; c_sparsity = 4 is this
    project's convention.
    """
    eps = V.open_unit("eps", eps)
    delta = V.open_unit("delta", delta)
    log_f = V.nonnegative("log_f", log_f)
    c_sparsity = V.positive("c_sparsity", c_sparsity)
    return c_sparsity * jl_log_terms(delta, log_f) / eps
