"""Sharper predictions than the union-bound calculators: the singular values of a Gaussian S Q
(Marchenko-Pastur edges, the Davidson-Szarek tail), the subspace-embedding sizes of CountSketch and
SRHT."""
from __future__ import annotations

import math

from .. import validate as V
from .sources import cites


def _dk_t(d, k, t):
    return V.positive("d", d), V.positive("k", k), V.nonnegative("t", t)


@cites("davidson_szarek2001", "vershynin2012")
def mp_edges(d, k, t=0.0) -> tuple[float, float]:
    """Interval for the singular values of S Q, S (k x n) iid N(0, 1/k), Q (n x d) orthonormal.

    S Q is a k x d matrix of iid N(0, 1/k), so (Davidson & Szarek 2001, Thm II.13; Vershynin 2012,
    Cor. 5.35) with probability >= 1 - 2 exp(-t^2/2) all its singular values lie in
    [1 - sqrt(d/k) - t/sqrt(k), 1 + sqrt(d/k) + t/sqrt(k)].  t = 0 gives the Marchenko-Pastur edges
    (the typical values as d, k grow).  The lower edge is clipped at 0.
    """
    d, k, t = _dk_t(d, k, t)
    a = math.sqrt(d / k) + t / math.sqrt(k)
    return max(0.0, 1.0 - a), 1.0 + a


@cites("davidson_szarek2001", "vershynin2012")
def mp_eps_norm(d, k, t=0.0) -> float:
    """Predicted eps_macro in norm form, max(hi - 1, 1 - lo) = sqrt(d/k) + t/sqrt(k) (``mp_edges``)."""
    lo, hi = mp_edges(d, k, t)
    return max(hi - 1.0, 1.0 - lo)


@cites("davidson_szarek2001", "vershynin2012")
def mp_eps_inner(d, k, t=0.0) -> float:
    """Predicted eps_macro in inner-product form, max(hi^2 - 1, 1 - lo^2) = 2a + a^2, a = mp_eps_norm."""
    lo, hi = mp_edges(d, k, t)
    return max(hi * hi - 1.0, 1.0 - lo * lo)


@cites("davidson_szarek2001", "vershynin2012")
def davidson_szarek_t(delta) -> float:
    """t with 2 exp(-t^2/2) = delta, i.e. sqrt(2 ln(2/delta)): ``mp_edges(d, k, t)`` then holds w.p. 1 - delta."""
    delta = V.open_unit("delta", delta)
    return math.sqrt(2.0 * (math.log(2.0) - math.log(delta)))  # ln 2 - ln delta: 2 / delta overflows below 1e-308


@cites("nelson_nguyen2013", "woodruff2014", "this_module")
def countsketch_subspace_k(d, eps, delta) -> float:
    """k = (d^2 + d)/(delta eps^2): CountSketch is then a subspace embedding in inner-product form.

    Nelson & Nguyen 2013 (the s = 1 case; also Woodruff 2014, Sec. 2.1, as O(d^2/(delta eps^2))),
    re-derived here: for Q (n x d) orthonormal, each entry of G = (SQ)^T SQ - I has variance
    <= (||q_a||^2 ||q_b||^2 + <q_a, q_b>^2)/k = (1 + [a = b])/k (see ``log_jlt_k``, countsketch), so
    E ||G||_F^2 <= (d^2 + d)/k and Markov gives P(||G||_2 > eps) <= P(||G||_F > eps) <= delta.
    Certifies every singular value sigma of S Q with sigma^2 in [1 - eps, 1 + eps]: eps_macro_inner
    <= eps (norm form: eps_macro_norm <= 1 - sqrt(1 - eps)).
    """
    d = V.positive("d", d)
    eps = V.open_unit("eps", eps)
    delta = V.open_unit("delta", delta)
    return (d * d + d) / (delta * eps * eps)


@cites("nelson_nguyen2013", "woodruff2014", "this_module")
def countsketch_subspace_eps(k, d, delta) -> float:
    """Inverse of ``countsketch_subspace_k``: sqrt((d^2 + d)/(delta k)) (inner-product form), inf if >= 1."""
    k = V.positive("k", k)
    d = V.positive("d", d)
    delta = V.open_unit("delta", delta)
    eps = math.sqrt((d * d + d) / (delta * k))
    return eps if eps < 1.0 else math.inf


def _srht_B(d: float, N: float, delta: float) -> float:
    """(sqrt(d) + sqrt(8 ln(2N/delta)))^2: N times Tropp's bound on the squared row norms of H D Q at delta/2."""
    return (math.sqrt(d) + math.sqrt(8.0 * math.log(2.0 * N / delta))) ** 2


@cites("tropp2011", "boutsidis_gittens2013", "this_module")
def srht_subspace_k(d, n, eps, delta) -> float:
    """k = 3 eps^-2 (sqrt(d) + sqrt(8 ln(2n/delta)))^2 ln(4d/delta): SRHT subspace embedding, eps-version.

    Tropp 2011, Thm 3.1 is for a fixed distortion only (singular values in [0.40, 1.48], see
    ``srht_tropp2011_fixed_k``); this is the eps-version built from the same two lemmas (as in
    Boutsidis & Gittens 2013, Lemma 4.1), constants derived here:
    (1) Tropp 2011, Lemma 3.3 at delta/2: every row of H D Q has squared norm <= B/n,
        B = (sqrt(d) + sqrt(8 ln(2n/delta)))^2;
    (2) Tropp 2011, Lemma 3.4 (matrix Chernoff, sampling k of n rows without replacement), with
        e^-eps/(1-eps)^(1-eps) <= e^(-eps^2/2) and e^eps/(1+eps)^(1+eps) <= e^(-eps^2/3) (eps <= 1):
        P(some eigenvalue of (SQ)^T SQ outside [1 - eps, 1 + eps]) <= 2 d exp(-eps^2 k/(3B)) <= delta/2.
    Certifies sigma^2 in [1 - eps, 1 + eps] for all singular values sigma of S Q (inner-product form,
    eps_macro_inner <= eps).  ``n`` is rounded up to the next power of two N, the dimension the
    Hadamard transform acts on, and used in place of n above; a value above N means the bound is
    vacuous at that n (k rows are sampled without replacement from N).
    """
    d = V.positive("d", d)
    n = V.next_pow2(V.positive("n", n))
    eps = V.open_unit("eps", eps)
    delta = V.open_unit("delta", delta)
    return 3.0 * _srht_B(d, n, delta) * math.log(4.0 * d / delta) / (eps * eps)


@cites("tropp2011", "boutsidis_gittens2013", "this_module")
def srht_subspace_eps(k, d, n, delta) -> float:
    """Inverse of ``srht_subspace_k``: sqrt(3 B ln(4d/delta)/k) (inner-product form), inf if >= 1 or k > N
    (N: n rounded up to a power of two)."""
    k = V.positive("k", k)
    d = V.positive("d", d)
    n = V.next_pow2(V.positive("n", n))
    delta = V.open_unit("delta", delta)
    if k > n:
        return math.inf
    eps = math.sqrt(3.0 * _srht_B(d, n, delta) * math.log(4.0 * d / delta) / k)
    return eps if eps < 1.0 else math.inf


@cites("tropp2011")
def srht_tropp2011_fixed_k(d, n) -> float:
    """Tropp 2011, Thm 3.1: k >= 4 (sqrt(d) + sqrt(8 ln(d n)))^2 ln(d) (and k <= n) gives, except with
    probability O(1/d), singular values of S Q in [0.40, 1.48]: a fixed distortion, not an eps (d >= 2).
    n is rounded up to the next power of two (the Hadamard dimension)."""
    d = V.positive("d", d)
    n = V.next_pow2(V.positive("n", n))
    if d < 2:
        raise ValueError(f"Tropp's Theorem 3.1 needs d >= 2 (its bound has a factor ln d), got d = {d!r}")
    return 4.0 * (math.sqrt(d) + math.sqrt(8.0 * math.log(d * n))) ** 2 * math.log(d)
