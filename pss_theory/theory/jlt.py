"""JLT(eps, delta, f): point counts of Theorems 6 and 7, a sufficient k per family, and its inverse.

Pure arithmetic; nothing prints.  Each public function cites its source through ``fn.source`` (the
key of its main source in ``SOURCES``) and ``fn.sources`` (all keys); each family's own bound, with
its sources and a one-line formula, is in its module under ``pss_theory.families`` (``Family.log_jlt_k``).

Conventions
-----------
- ``JLT(eps, delta, f)`` is the appendix's Eq. 6 (the JLT definition of Woodruff 2014, Sec. 2.1): for each *fixed* set V of
  f points, with probability >= 1 - delta, |<S v1, S v2> - <v1, v2>| <= eps ||v1|| ||v2|| for all
  v1, v2 in V (pairs with v1 = v2 included, i.e. squared norms too).
- The point counts of Theorems 6 and 7 (f = 9^d and 9^d + n) overflow floats, so every function that
  involves f takes or returns ``log_f = ln f`` (natural log); sufficient sizes come as ``log_jlt_k``
  (ln k, always finite) and ``jlt_k = exp(log_jlt_k)`` (``math.inf`` when that overflows).
- ``jlt_k`` returns a real number: any integer k >= it suffices (round up).
- ``eps_jlt`` returns ``math.inf`` when no eps in (0, 1) is certified at that k (the bound is vacuous);
  inf, rather than nan, keeps comparisons such as ``measured <= bound`` meaningful (always true).

How the JLT bounds are derived (one derivation for all "tail-bound" families)
------------------------------------------------------------------------------
Polarization: for unit u1, u2, <u1, u2> = (||u1 + u2||^2 - ||u1 - u2||^2) / 4 and, by the
parallelogram law, ||u1 + u2||^2 + ||u1 - u2||^2 = 4. So if S keeps the squared norm of u1 + u2 and
of u1 - u2 within a factor (1 +- eps), then |<S u1, S u2> - <u1, u2>| <= eps (4 / 4) = eps: the
inner-product accuracy eps needs squared-norm accuracy eps on those vectors, constant 1.  Scaling
extends this to v_i = ||v_i|| u_i.  For f points there are f(f - 1)/2 unordered pairs of distinct
points, 2 vectors each, plus the f points themselves (v1 = v2: a squared-norm event on u1), so
N = f(f - 1) + f = f^2 norm events.  If every vector fails with probability <= 2 exp(-k r(eps)), the
union bound gives failure <= 2 f^2 exp(-k r(eps)) <= delta as soon as

    k >= ln(2 f^2 / delta) / r(eps),   i.e.   ln k = ln(ln 2 + 2 ln f + ln(1/delta)) - ln r(eps).

The rate r(eps) is the family's norm-preservation tail bound (``theory.tails``).  CountSketch, OSNAP
and SRHT have their own derivations (in their family modules).
"""
from __future__ import annotations

import math

import numpy as np

from .. import validate as V
from .sources import cites
from .tails import exp_or_inf

_NETS = {"9": math.log(9.0), "5": math.log(5.0)}


@cites("woodruff2014", "vershynin2018", "desai2022")
def log_f_theorem6(d, net="9") -> float:
    """ln f for Theorem 6: f = 9^d points of a 1/2-net of the unit sphere of a d-dim subspace.

    ``net="9"``: the paper's 9^d, which is (1 + 4/gamma)^d at gamma = 1/2 (Woodruff 2014, Sec. 2.1;
    the appendix's "lemma 5 from [20]").
    ``net="5"``: 5^d = (1 + 2/gamma)^d, the common volumetric bound (Vershynin 2018, Cor. 4.2.13).
    Both are valid upper bounds on the net size; 5^d gives smaller sufficient k.
    """
    d = V.positive("d", d)
    key = str(net)
    if key not in _NETS:
        raise ValueError(f"net must be '9' (the paper's 9^d) or '5' (5^d), got {net!r}")
    return d * _NETS[key]


@cites("desai2022", "woodruff2014")
def log_f_theorem7(d, n, net="9") -> float:
    """ln f for Theorem 7: f = 9^d + n (the net plus the n one-hot vectors e_i), via logaddexp.

    ``net`` as in ``log_f_theorem6`` (``"5"`` gives ln(5^d + n)).
    """
    n = V.positive("n", n)
    return float(np.logaddexp(log_f_theorem6(d, net), math.log(n)))


@cites("achlioptas2003", "dasgupta_gupta2003", "thorup_zhang2012", "kane_nelson2014", "ailon_chazelle2009",
        "this_module")
def log_jlt_k(eps, delta, log_f, family, **params) -> float:
    """ln of a sufficient k for S (k x n) of ``family`` to be JLT(eps, delta, f), f = exp(log_f).

    Never overflows (f = 9^1024 is fine).  The formula, its derivation and its sources are the
    family's (``pss_theory.families.<family>``, ``Family.log_jlt_k``); ``params`` are the family's
    theory parameters (``Family.theory_params``).

    Raises ValueError for eps, delta outside (0, 1), log_f < 0, an unknown family or parameter.
    """
    eps = V.open_unit("eps", eps)
    delta = V.open_unit("delta", delta)
    log_f = V.nonnegative("log_f", log_f)
    fam = get_family(family)
    return fam.log_jlt_k(eps, delta, log_f, fam.theory_params(**params))


@cites("achlioptas2003", "dasgupta_gupta2003", "thorup_zhang2012", "kane_nelson2014", "ailon_chazelle2009",
        "this_module")
def jlt_k(eps, delta, log_f, family, **params) -> float:
    """A sufficient k for JLT(eps, delta, f): exp(``log_jlt_k``), ``math.inf`` when that overflows.

    A real number; any integer k >= it suffices.  Formulas and sources: see ``log_jlt_k``.
    """
    return exp_or_inf(log_jlt_k(eps, delta, log_f, family, **params))


@cites("achlioptas2003", "dasgupta_gupta2003", "thorup_zhang2012", "kane_nelson2014", "ailon_chazelle2009",
        "this_module")
def eps_jlt(k, delta, log_f, family, **params) -> float:
    """The smallest eps that ``jlt_k`` certifies at this k: the inverse of ``jlt_k`` in eps.

    Closed form for countsketch, osnap and srht; ``scipy.optimize.brentq`` on the tail rate for the
    gaussian / rademacher / achlioptas families (relative accuracy ~1e-15).  Returns ``math.inf``
    when no eps in (0, 1) is certified at this k (the bound is vacuous).  osnap with a given ``s``
    also needs eps >= c_sparsity L / s (see ``log_jlt_k``) and s <= k.
    """
    k = V.positive("k", k)
    delta = V.open_unit("delta", delta)
    log_f = V.nonnegative("log_f", log_f)
    fam = get_family(family)
    return fam.eps_jlt(k, delta, log_f, fam.theory_params(**params))


@cites("sklearn", "dasgupta_gupta2003")
def jl_min_dim(n_samples, eps=0.1):
    """scikit-learn's JL rule (``sklearn.random_projection.johnson_lindenstrauss_min_dim``, the same values):
    k >= 4 ln(n_samples) / (eps^2 / 2 - eps^3 / 3) (Dasgupta & Gupta 2003, Thm 2.1), truncated to an
    integer.  ``n_samples`` and ``eps`` broadcast (numpy int64 out); ValueError outside eps in (0, 1) or for
    n_samples <= 0, as scikit-learn raises.  It keeps the n_samples points' pairwise distances within
    1 +- eps with some probability; it is not Theorem 6's or 7's k, which this module computes."""
    eps = np.asarray(eps)
    n_samples = np.asarray(n_samples)
    if np.any(eps <= 0.0) or np.any(eps >= 1):
        raise ValueError(f"The JL bound is defined for eps in ]0, 1[, got {eps!r}")
    if np.any(n_samples <= 0):
        raise ValueError(f"The JL bound is defined for n_samples greater than zero, got {n_samples!r}")
    return (4 * np.log(n_samples) / (eps**2 / 2 - eps**3 / 3)).astype(np.int64)


#: the registry's lookup (name -> Family), handed over by ``pss_theory.families`` when it is imported: the
#: families build on this module's arithmetic, so this module cannot import them
_family_lookup = None


def use_family_lookup(lookup) -> None:
    """Called once by ``pss_theory.families``: how a family's name becomes its ``Family``."""
    global _family_lookup
    _family_lookup = lookup


def get_family(family):
    """The family object for a name (the registry lives in ``pss_theory.families``)."""
    if _family_lookup is None:
        raise RuntimeError("pss_theory.families has not handed theory.jlt its registry (import pss_theory)")
    return _family_lookup(family)
