"""The theory of the SRHT (``families.srht``, S = P H_N D / sqrt(k) on N = the next power of two >= n).

JLT bound (derived here in the style of Ailon & Chazelle 2009).  Flattening: for unit x,
P(|(H D x)_i| > t) <= 2 exp(-N t^2/2) (Hoeffding 1963); union over N coordinates and the f^2
vectors at delta/2 gives N max_i (HDx)_i^2 <= mu = 2 ln(4 N f^2/delta).  Sampling k coordinates
(with or without replacement), multiplicative Chernoff for [0, mu]-bounded terms of mean 1: per
vector <= 2 exp(-eps^2 k/(3 mu)), union at delta/2.  Total: k = 6 eps^-2 ln(4 N f^2/delta) ln(4 f^2/delta).
"""
from __future__ import annotations

import math

from . import predictions, tails
from .row_laws import SRHTLaw

_LN4 = math.log(4.0)


def jl_log_terms(delta: float, log_f: float, N: float) -> tuple[float, float]:
    """(ln(4 N f^2/delta), ln(4 f^2/delta))."""
    log_4 = _LN4 + 2.0 * log_f - math.log(delta)
    return math.log(N) + log_4, log_4


def log_jlt_k(eps: float, delta: float, log_f: float, N: float) -> float:
    """ln k, k = 6 eps^-2 ln(4 N f^2/delta) ln(4 f^2/delta)."""
    log_n4, log_4 = jl_log_terms(delta, log_f, N)
    return math.log(6.0) + math.log(log_n4) + math.log(log_4) - 2.0 * math.log(eps)


def eps_jlt(k: float, delta: float, log_f: float, N: float) -> float:
    """The eps at which ``log_jlt_k`` gives k (inf above 1)."""
    log_n4, log_4 = jl_log_terms(delta, log_f, N)
    return tails.eps_from_log(0.5 * (math.log(6.0) + math.log(log_n4) + math.log(log_4) - math.log(k)))


def macro_prediction(k: int, n: int, d: int, delta: float) -> dict:
    """The SRHT subspace embedding (``predictions.srht_subspace_eps``), inner-product form."""
    return {"prediction": None, "prediction_inner": predictions.srht_subspace_eps(k, d, n, delta),
            "prediction_name": "SRHT subspace embedding"}


def eta_law(N: int, k: int) -> tuple[float, float]:
    """(a, b) of ``Family.eta_law``: <S e_i, S e_j> = (1/k) sum over the k sampled rows r of h_ri h_rj (signs
    aside); over all N rows these are N values +-1 summing to 0 (H is orthogonal), and k of them are drawn
    without replacement, so Var = k (N - k) / (N - 1) / k^2: a = (N - k) / (N - 1).  ||S e_i||^2 = 1 exactly.
    Gaussian-like laws without the finite-population factor overstate SRHT's error when k is near N."""
    return (N - k) / (N - 1) if N > 1 else 0.0, 0.0


def row_law(k: int, N: int) -> SRHTLaw:
    """Given the signs D, k (Mhat_i - E_i) is a sample without replacement of k of the N vectors
    D_i H_ri (H D E)_r - E_i, whose mean is 0 and mean square ||E||_F^2 - a_i: certified by
    ``certificates.srht_bounds`` (Hoeffding's comparison, a Bennett bound in Hilbert space, and the
    concentration of the rows of H D E)."""
    return SRHTLaw(k, N)
