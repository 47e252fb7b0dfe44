"""The theory of the sparse-sign distribution (``families.sparse_sign``, its presets ``osnap`` and
``countsketch``): s nonzeros +-1/sqrt(s) per column, one in each of s row blocks.

JLT bounds.  The second-moment (Chebyshev) bound holds for every s: the block construction has
Var <S x, S y> <= 2/k for unit x, y (Thorup & Zhang 2012), so k = f (f + 1)/(eps^2 delta).  Sparse JL
(Kane & Nelson 2014; Cohen, Jayram & Nelson 2018) gives k = C eps^-2 ln(1/delta'), s = C' eps^-1
ln(1/delta') but **no explicit C, C'**: a preset with ``sparse_jl`` also takes the smaller of the two with
this project's convention C = ``OSNAP_C_ROWS`` = 4, C' = ``OSNAP_C_SPARSITY`` = 4 (C = 4 matches the dense
Gaussian constant as eps -> 0; C' = 4 makes each block 1/eps rows), delta' = delta/f^2 (f^2 norm events), so
with L = ln(f^2/delta): k = 4 L / eps^2, certified only if s >= 4 L / eps.
"""
from __future__ import annotations

import math

from .. import validate as V
from ..errors import InputError
from . import predictions, tails
from .row_laws import SignedSumLaw
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


def log_jlt_k(eps: float, delta: float, log_f: float, s: int | None, c_rows: float, c_sparsity: float,
              sparse_jl: bool) -> float:
    """ln of a sufficient k: the Chebyshev bound f (f + 1)/(eps^2 delta) (``tails.log_k_chebyshev``), or with
    ``sparse_jl`` the smaller of it and c_rows L / eps^2 where s is unknown (None) or s >= c_sparsity L / eps."""
    best = tails.log_k_chebyshev(eps, delta, log_f)
    L = jl_log_terms(delta, log_f)
    if sparse_jl and (s is None or s >= c_sparsity * L / eps):
        best = min(best, math.log(c_rows) + math.log(L) - 2.0 * math.log(eps))
    return best


def eps_jlt(k: float, delta: float, log_f: float, s: int | None, c_rows: float, c_sparsity: float,
            sparse_jl: bool, name: str) -> float:
    """The smallest eps ``log_jlt_k`` certifies at k; with a given s the sparse-JL branch also needs
    eps >= c_sparsity L / s, and s <= k (InputError naming the family ``name`` otherwise)."""
    log_eps = chebyshev_eps(k, delta, log_f)
    if sparse_jl:
        L = jl_log_terms(delta, log_f)
        log_eps_kn = 0.5 * (math.log(c_rows) + math.log(L) - math.log(k))
        if s is not None:
            if s > k:
                raise InputError(f"{name} needs s <= k, got s = {s} > k = {k!r}")
            log_eps_kn = max(log_eps_kn, math.log(c_sparsity * L / s))
        log_eps = min(log_eps, log_eps_kn)
    return tails.eps_from_log(log_eps)


def macro_prediction(k: int, d: int, delta: float) -> dict:
    """The CountSketch subspace embedding (``predictions.countsketch_subspace_eps``), inner-product form."""
    return {"prediction": None, "prediction_inner": predictions.countsketch_subspace_eps(k, d, delta),
            "prediction_name": "CountSketch subspace embedding sqrt((d^2+d)/(delta k))"}


def eta_law() -> tuple[float, float]:
    """(a, b) of ``Family.eta_law``: each of the s blocks (k/s rows) makes two columns collide with probability
    s/k, with a random sign and weight 1/s: E <S e_i, S e_j>^2 = s (s/k) / s^2 = 1/k; and ||S e_i||^2 = 1
    exactly."""
    return 1.0, 0.0


def row_law(k: int, s: int) -> SignedSumLaw:
    """||S e_i||^2 = 1; each of the s nonzeros of s_i (weight 1/s each way: 1/s^2 on V) meets row j's
    nonzero in its block with probability 1 / (block size) <= 1 / floor(k / s), the smallest block."""
    return SignedSumLaw(k, p=1.0 / (k // s), weight=1.0 / s**2, slots=s)
