"""Theorems 6 and 7 of the appendix as calculators: the sufficient k each states (and the k its proof
supports), and the accuracy each certifies at a given k."""
from __future__ import annotations

import math

from .. import validate as V
from .jlt import eps_jlt, get_family, log_f_theorem6, log_f_theorem7, log_jlt_k
from .sources import cites
from .tails import exp_or_inf

#: The 1/2-net argument turns JLT(eps) on the net into |<Sx, Sy> - <x, y>| <= 4 eps on the unit sphere.
THEOREM6_NET_FACTOR = 4.0
#: Theorem 7, Part A, case 3 proves 2 eps, not eps (the 2 is dropped in the text).
THEOREM7_PART_A_FACTOR = 2.0


def _with_n(family: str, n: float, params: dict) -> dict:
    """Theorem 7 knows n: hand it to a family whose bound takes n (srht pads it to N) unless the caller
    gave N (n itself cannot be a keyword of the theorem functions)."""
    if "n" in get_family(family).theory_keys and params.get("N") is None:
        return {**params, "n": n}
    return params


@cites("desai2022", "woodruff2014")
def theorem6_log_k(eps, delta, d, family, net="9", *, jlt_factor=1.0, **params) -> float:
    """ln of a sufficient k for Theorem 6: S must be JLT(eps / jlt_factor, delta, 9^d).

    ``jlt_factor=1`` is the theorem as stated.  The 1/2-net argument the proof cites (Woodruff 2014,
    p. 12) writes a unit y of the column space as sum_i c_i w^i (w^i net points, c_i <= 2^-i), so
    JLT(eps') on the net gives | ||S y||^2 - 1 | <= eps' (sum_i c_i)^2 <= 4 eps': the inner-product
    (Eq. 5) form of Macro(eps) is certified with ``jlt_factor=THEOREM6_NET_FACTOR`` (4).
    """
    jlt_factor = V.positive("jlt_factor", jlt_factor)
    eps = V.open_unit("eps", eps)
    return log_jlt_k(eps / jlt_factor, delta, log_f_theorem6(d, net), family, **params)


@cites("desai2022", "woodruff2014")
def theorem6_k(eps, delta, d, family, net="9", *, jlt_factor=1.0, **params) -> float:
    """A sufficient k for Theorem 6 (S JLT(eps / jlt_factor, delta, 9^d) => Macro(eps, delta)-PSS).

    exp of ``theorem6_log_k`` (inf on overflow); ``net`` as in ``log_f_theorem6``; ``params`` go to
    the family (srht needs n=...).
    """
    return exp_or_inf(theorem6_log_k(eps, delta, d, family, net, jlt_factor=jlt_factor, **params))


@cites("desai2022", "woodruff2014")
def theorem6_eps(k, delta, d, family, net="9", *, jlt_factor=1.0, **params) -> float:
    """The Macro eps Theorem 6 certifies at k: jlt_factor * eps_jlt(k, delta, 9^d) (inf if vacuous).

    With the default ``jlt_factor=1`` this is the JLT accuracy for f = 9^d, which the theorem (as
    stated) passes on unchanged; see ``theorem6_log_k`` for the factor 4 the net argument gives.
    """
    jlt_factor = V.positive("jlt_factor", jlt_factor)
    return jlt_factor * eps_jlt(k, delta, log_f_theorem6(d, net), family, **params)


@cites("desai2022", "woodruff2014", "this_module")
def theorem6_eps_proved(k, delta, d, family, net="9", *, form="norm", **params) -> float:
    """The Macro eps the proof of Theorem 6 supports at k (inf where nothing below 1 is certified).

    The 1/2-net argument (Woodruff 2014, p. 12) turns JLT(eps') on the net, eps' = eps_jlt(k, delta,
    9^d), into | s^2 - 1 | <= 4 eps' for every singular value s of S Q: ``form="inner"`` (Eq. 5)
    returns 4 eps'.  The norm form (Eq. 4) follows from it: s lies in [sqrt(1 - 4 eps'),
    sqrt(1 + 4 eps')], and the lower side binds since 1 - sqrt(1 - x) >= sqrt(1 + x) - 1, so
    ``form="norm"`` returns 1 - sqrt(1 - 4 eps'), finite only when 4 eps' < 1 (erratum 7).
    """
    if form not in ("norm", "inner"):
        raise ValueError(f"form must be 'norm' or 'inner', got {form!r}")
    inner = THEOREM6_NET_FACTOR * eps_jlt(k, delta, log_f_theorem6(d, net), family, **params)
    if form == "inner":
        return inner
    return 1.0 - math.sqrt(1.0 - inner) if inner < 1.0 else math.inf


@cites("desai2022", "woodruff2014", "this_module")
def theorem6_k_proved(eps, delta, d, family, net="9", *, form="norm", **params) -> float:
    """A sufficient k for Macro(eps) as the proof supports it (inverse of ``theorem6_eps_proved``):
    JLT(eps / 4) for the inner-product form; JLT(eps (2 - eps) / 4) for the norm form, since
    1 - sqrt(1 - 4 eps') <= eps exactly when eps' <= eps (2 - eps) / 4."""
    eps = V.open_unit("eps", eps)
    factor = THEOREM6_NET_FACTOR if form == "inner" else THEOREM6_NET_FACTOR / (2.0 - eps)
    return theorem6_k(eps, delta, d, family, net, jlt_factor=factor, **params)


@cites("desai2022", "woodruff2014")
def theorem7_log_k(eps, delta, d, n, rho, family, net="9", *, part_a_factor=1.0, **params) -> float:
    """ln of a sufficient k for Theorem 7: S JLT(rho eps / part_a_factor, delta, 9^d + n).

    ``part_a_factor=1``: the theorem as stated.  Part A, case 3 of the proof (e_i against a unit
    vector of the column space, written as a sum of net points of norms <= 2^-i) proves 2 eps, not
    eps; ``part_a_factor=THEOREM7_PART_A_FACTOR`` (2) is the requirement the proof supports.
    ``rho`` in (0, 1] (rho_i = ||E_i|| / sigma <= 1).  For srht the theorem's n is passed on (padded
    to the next power of two); give ``N=...`` to use another Hadamard dimension (N >= n).
    """
    rho = V.real("rho", rho)
    if not 0.0 < rho <= 1.0:
        raise ValueError(f"rho must lie in (0, 1] (rho_i = ||E_i|| / sigma_max <= 1), got {rho!r}")
    part_a_factor = V.positive("part_a_factor", part_a_factor)
    eps = V.open_unit("eps", eps)
    log_f = log_f_theorem7(d, n, net)
    return log_jlt_k(rho * eps / part_a_factor, delta, log_f, family, **_with_n(family, n, params))


@cites("desai2022", "woodruff2014")
def theorem7_k(eps, delta, d, n, rho, family, net="9", *, part_a_factor=1.0, **params) -> float:
    """A sufficient k for Theorem 7 (JLT(rho eps, delta, 9^d + n) => Micro(eps, delta, rho)-PSS).

    exp of ``theorem7_log_k`` (inf on overflow); see there for ``part_a_factor``.
    """
    return exp_or_inf(theorem7_log_k(eps, delta, d, n, rho, family, net, part_a_factor=part_a_factor, **params))


@cites("desai2022", "woodruff2014")
def theorem7_eps_jlt(k, delta, d, n, family, net="9", **params) -> float:
    """The JLT accuracy certified at k for f = 9^d + n: eps_jlt(k, delta, ln(9^d + n)) (inf if vacuous).

    Theorem 7 then gives the micro bound eta_i <= this (Eq. 16-18), i.e. Micro(this/rho, delta, rho)
    as stated, or Micro(2 this/rho, ...) with Part A's factor 2 (see ``theorem7_eps``).
    """
    return eps_jlt(k, delta, log_f_theorem7(d, n, net), family, **_with_n(family, n, params))


@cites("desai2022", "woodruff2014")
def theorem7_eps(k, delta, d, n, rho, family, net="9", *, part_a_factor=1.0, **params) -> float:
    """The Micro eps Theorem 7 certifies at k for rows with rho_i > rho: part_a_factor eps_jlt / rho."""
    rho = V.real("rho", rho)
    if not 0.0 < rho <= 1.0:
        raise ValueError(f"rho must lie in (0, 1], got {rho!r}")
    part_a_factor = V.positive("part_a_factor", part_a_factor)
    return part_a_factor * theorem7_eps_jlt(k, delta, d, n, family, net, **params) / rho
