"""The theory side: what the theorems and sharper results promise, as calculators with sources.

- ``jlt``: the JLT(eps, delta, f) point counts of Theorems 6 and 7, a sufficient k per family and its inverse,
  and scikit-learn's JL rule (``jl_min_dim``) beside them;
- ``theorems``: Theorems 6 and 7 as stated and as their proofs support;
- ``predictions``: Marchenko-Pastur / Davidson-Szarek, CountSketch and SRHT subspace embeddings;
- ``tails``: the tail rates and union-bound arithmetic the family calculators share;
- ``dense``, ``sparse_sign``, ``srht``: each kind of distribution's JLT bounds, laws and predictions, which
  the families bind their parameters to;
- ``stats``: Clopper-Pearson intervals for failure rates;
- ``sources``: every reference by key.
"""
from .jlt import eps_jlt, jl_min_dim, jlt_k, log_f_theorem6, log_f_theorem7, log_jlt_k
from .predictions import (
    countsketch_subspace_eps,
    countsketch_subspace_k,
    davidson_szarek_t,
    mp_edges,
    mp_eps_inner,
    mp_eps_norm,
    srht_subspace_eps,
    srht_subspace_k,
    srht_tropp2011_fixed_k,
)
from .sources import SOURCES
from .stats import clopper_pearson
from .theorems import (
    THEOREM6_NET_FACTOR,
    THEOREM7_PART_A_FACTOR,
    theorem6_eps,
    theorem6_eps_proved,
    theorem6_k,
    theorem6_k_proved,
    theorem6_log_k,
    theorem7_eps,
    theorem7_eps_jlt,
    theorem7_k,
    theorem7_log_k,
)

__all__ = [
    "SOURCES", "THEOREM6_NET_FACTOR", "THEOREM7_PART_A_FACTOR",
    "log_f_theorem6", "log_f_theorem7", "log_jlt_k", "jlt_k", "eps_jlt", "jl_min_dim",
    "theorem6_log_k", "theorem6_k", "theorem6_eps", "theorem6_eps_proved", "theorem6_k_proved",
    "theorem7_log_k", "theorem7_k", "theorem7_eps_jlt", "theorem7_eps",
    "mp_edges", "mp_eps_norm", "mp_eps_inner", "davidson_szarek_t",
    "countsketch_subspace_k", "countsketch_subspace_eps",
    "srht_subspace_k", "srht_subspace_eps", "srht_tropp2011_fixed_k",
    "clopper_pearson",
]
