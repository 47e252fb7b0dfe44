"""Norm-preservation tail rates r(eps) (one vector fails with probability <= 2 exp(-k r(eps))) and
the union-bound arithmetic every JLT calculator shares, in logs so that f = 9^d never overflows.

The family modules (``pss_theory.families``) pick their rate and turn it into a sufficient k and its
inverse with ``chernoff_log_k`` / ``chernoff_eps``; CountSketch and OSNAP use ``log_k_chebyshev``.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize

_LN2 = math.log(2.0)


def _x_minus_log1p(x: float) -> float:
    """x - ln(1 + x) without cancellation for small x (series sum_{j>=2} (-x)^j / j)."""
    if abs(x) < 0.05:
        return sum((-x) ** j / j for j in range(2, 22))
    return x - math.log1p(x)


def rate_gaussian(eps: float) -> float:
    """Chernoff bound for chi^2_k / k (Dasgupta & Gupta 2003, Lemma 2.2 with beta = 1 +- eps):
    P(upper) <= exp(-k (eps - ln(1 + eps))/2), P(lower) <= exp(-k (-eps - ln(1 - eps))/2); the upper
    exponent is the smaller, so both tails together are <= 2 exp(-k (eps - ln(1 + eps))/2)."""
    return 0.5 * _x_minus_log1p(eps)


def rate_achlioptas_published(eps: float) -> float:
    """Achlioptas 2003, Thm 1.1 proof: each tail <= exp(-k (eps^2/2 - eps^3/3)/2)."""
    return 0.5 * (eps * eps / 2.0 - eps ** 3 / 3.0)


def rate_moment_upper(eps: float, tau: float) -> float:
    """Upper tail of ||S v||^2 for S_ij = r/sqrt(k), r = +-1/sqrt(s) w.p. s/2 each (s <= 1/3), tau = 1/(3s).

    E r^{2j} = s^{1-j} <= (2j - 1)!! tau^{j-1}; expanding E Q^{2m} (Q = sum_i r_i v_i, ||v|| = 1)
    multinomially, each term carries tau to a power <= m - 1, so E Q^{2m} <= tau^{m-1} (2m - 1)!! and
    E exp(lam Q^2) <= M(lam) = 1 + ((1 - 2 lam tau)^{-1/2} - 1)/tau.  Chernoff:
    r_up = sup_lam lam (1 + eps) - ln M(lam).  With w = 1 + u = (1 - 2 lam tau)^{-1/2} the optimum solves
    tau u^3 + 3 tau u^2 + (3 tau - 1 - eps) u - eps tau = 0 (u in (0, 1)); then
    lam = u (2 + u) / (2 tau (1 + u)^2), M = 1 + lam + h, h = u^2 (3 + 2u) / (2 tau (1 + u)^2), and
    r_up = lam eps + (lam - ln(1 + lam)) - ln(1 + h/(1 + lam)), which has no cancellation for small eps.
    tau = 1 gives the Gaussian rate; for small eps r_up ~ eps^2 s / (2 (1 - s)), the binomial truth at
    v = e_i.
    """
    if tau == 1.0:
        return rate_gaussian(eps)
    u = optimize.brentq(lambda u: ((tau * u + 3.0 * tau) * u + (3.0 * tau - 1.0 - eps)) * u - eps * tau,
                        0.0, 1.0, xtol=1e-300, rtol=1e-15, maxiter=500)
    w2 = (1.0 + u) ** 2
    lam = u * (2.0 + u) / (2.0 * tau * w2)
    h = u * u * (3.0 + 2.0 * u) / (2.0 * tau * w2)
    return lam * eps + _x_minus_log1p(lam) - math.log1p(h / (1.0 + lam))


def rate_moment_lower(eps: float, fourth: float) -> float:
    """Lower tail via e^{-x} <= 1 - x + x^2/2 (Achlioptas' argument, optimized over lam):
    E exp(-lam Q^2) <= 1 - lam + lam^2 E[Q^4]/2, E Q^4 = 3 + (1/s - 3) ||v||_4^4 <= max(3, 1/s) = fourth.
    r_lo = sup_lam -lam (1 - eps) - ln(1 - lam + a lam^2), a = fourth/2; the optimum is the positive root
    of (1 - eps) a lam^2 + (2a - 1 + eps) lam - eps = 0.  Evaluated as
    lam eps + (y - ln(1 + y)) - a lam^2 with y = -lam + a lam^2 (no cancellation for small eps)."""
    a = fourth / 2.0
    b = 2.0 * a - 1.0 + eps
    c = (1.0 - eps) * a
    lam = 2.0 * eps / (b + math.sqrt(b * b + 4.0 * c * eps))
    y = -lam + a * lam * lam
    return lam * eps + _x_minus_log1p(y) - a * lam * lam


def rate_achlioptas(eps: float, density: float) -> float:
    """Rate for S_ij = +-1/sqrt(density k) w.p. density/2 each, else 0.

    density in [1/3, 1]: Achlioptas' bound.  His proof uses only E r^2 = 1, E r^{2m} <= (2m - 1)!!
    (true for density >= 1/3: E r^{2m} = density^{1-m} <= 3^{m-1}) and E Q^4 <= 3, so it covers every
    density in [1/3, 1] (density 1 = Rademacher, 1/3 = his sparse case).
    density < 1/3: those moment bounds fail; use the moment-method rates above (rigorous, derived here)
    and keep min with Achlioptas' rate so that k is continuous and monotone in density.
    """
    rate = rate_achlioptas_published(eps)
    if density >= 1.0 / 3.0:
        return rate
    tau = 1.0 / (3.0 * density)
    return min(rate, rate_moment_upper(eps, tau), rate_moment_lower(eps, 1.0 / density))


def log_events(log_f: float, delta: float) -> float:
    """ln(2 f^2 / delta): f^2 norm events (see module docstring), two tails each."""
    return _LN2 + 2.0 * log_f - math.log(delta)


def log_f_plus_1(log_f: float) -> float:
    return float(np.logaddexp(log_f, 0.0))


def log_k_chebyshev(eps: float, delta: float, log_f: float) -> float:
    """ln(f (f + 1) / (eps^2 delta)): second-moment bound for CountSketch / OSNAP (see log_jlt_k)."""
    return log_f + log_f_plus_1(log_f) - 2.0 * math.log(eps) - math.log(delta)


def exp_or_inf(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def eps_from_log(log_eps: float) -> float:
    return math.inf if log_eps >= 0.0 else math.exp(log_eps)


#: below this eps a rate (~ eps^2) underflows a float; ln r is continued as ln r(EPS_TINY) + 2 ln(eps / EPS_TINY)
EPS_TINY = 1e-100


def chernoff_log_k(eps: float, delta: float, log_f: float, rate) -> float:
    """ln k with k = ln(2 f^2 / delta) / r(eps): the union bound over f^2 norm events, two tails each.

    Every rate here behaves as c eps^2 (1 + O(eps)) for small eps, so below ``EPS_TINY`` (where eps^2
    underflows) ln r is taken from that law, relative error O(EPS_TINY): an eps of 1e-300 gets a finite
    ln k instead of a math domain error."""
    if eps < EPS_TINY:
        log_rate = math.log(rate(EPS_TINY)) + 2.0 * (math.log(eps) - math.log(EPS_TINY))
    else:
        log_rate = math.log(rate(eps))
    return math.log(log_events(log_f, delta)) - log_rate


def chernoff_eps(k: float, delta: float, log_f: float, rate) -> float:
    """The smallest eps with k >= ln(2 f^2/delta) / r(eps) (inverse of ``chernoff_log_k``), inf if none < 1."""
    target = log_events(log_f, delta) / k  # need r(eps) >= target
    if rate(1.0) <= target:
        return math.inf
    # r(eps) <= eps^2/4 for every family here, so r(sqrt(target)) <= target/4 < target.  Solve in
    # x = ln eps, where ln r is nearly linear (slope ~2): few iterations, relative accuracy ~1e-15.
    log_target = math.log(target)
    x = optimize.brentq(lambda x: math.log(rate(math.exp(x))) - log_target,
                        0.5 * log_target, 0.0, xtol=1e-15, rtol=1e-15, maxiter=200)
    return math.exp(x)
