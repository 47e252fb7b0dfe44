"""The SRHT's JLT arithmetic (``families.srht`` derives the bound: flattening by Hoeffding, then
sampling by multiplicative Chernoff): k = 6 eps^-2 ln(4 N f^2/delta) ln(4 f^2/delta).
"""
from __future__ import annotations

import math

_LN4 = math.log(4.0)


def jl_log_terms(delta: float, log_f: float, N: float) -> tuple[float, float]:
    """(ln(4 N f^2/delta), ln(4 f^2/delta))."""
    log_4 = _LN4 + 2.0 * log_f - math.log(delta)
    return math.log(N) + log_4, log_4
