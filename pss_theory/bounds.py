"""The theory side: sufficient sketch sizes, the accuracy they certify, and sharper predictions.

Everything here is pure arithmetic (math, numpy, scipy); nothing prints. Each public function cites
its source through ``fn.source`` (the key of its main source in ``SOURCES``) and ``fn.sources`` (all
keys it relies on); ``FAMILY_SOURCE`` / ``FAMILY_SOURCES`` do the same for the JLT bound of each
sketch family, and ``FAMILY_FORMULA`` states that bound in one line.

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

The rate r(eps) is the family's norm-preservation tail bound (see ``_rate``).  CountSketch, OSNAP
and SRHT have their own derivations (see ``log_jlt_k``).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

__all__ = [
    "FAMILIES", "SOURCES", "FAMILY_SOURCE", "FAMILY_SOURCES", "FAMILY_FORMULA",
    "OSNAP_C_ROWS", "OSNAP_C_SPARSITY", "THEOREM6_NET_FACTOR", "THEOREM7_PART_A_FACTOR",
    "log_f_theorem6", "log_f_theorem7",
    "log_jlt_k", "jlt_k", "eps_jlt", "osnap_required_s",
    "theorem6_log_k", "theorem6_k", "theorem6_eps",
    "theorem7_log_k", "theorem7_k", "theorem7_eps_jlt", "theorem7_eps",
    "mp_edges", "mp_eps_norm", "mp_eps_inner", "davidson_szarek_t",
    "countsketch_subspace_k", "countsketch_subspace_eps",
    "srht_subspace_k", "srht_subspace_eps", "srht_tropp2011_fixed_k",
    "sklearn_min_dim", "clopper_pearson",
]

FAMILIES = ("gaussian", "rademacher", "achlioptas", "countsketch", "osnap", "srht")

SOURCES = {
    "desai2022": "A. Desai and A. Shrivastava. The trade-offs of model size in large recommendation models: "
                 "a 10000x compressed criteo-tb DLRM model (100 GB parameters to mere 10 MB). NeurIPS 2022; "
                 "arXiv:2207.10731 (appendix: Theorems 4, 6, 7).",
    "robe2021": "A. Desai, L. Chou and A. Shrivastava. Random Offset Block Embedding (ROBE) for compressed "
                "embedding tables in deep learning recommendation systems. MLSys 2022; arXiv:2108.02191.",
    "achlioptas2003": "D. Achlioptas. Database-friendly random projections: Johnson-Lindenstrauss with binary "
                      "coins. J. Comput. Syst. Sci. 66(4):671-687, 2003 (Theorem 1.1 and its proof).",
    "dasgupta_gupta2003": "S. Dasgupta and A. Gupta. An elementary proof of a theorem of Johnson and "
                          "Lindenstrauss. Random Struct. Algorithms 22(1):60-65, 2003 (Lemma 2.2).",
    "davidson_szarek2001": "K. R. Davidson and S. J. Szarek. Local operator theory, random matrices and Banach "
                           "spaces. Handbook of the Geometry of Banach Spaces, vol. 1, 317-366, 2001 "
                           "(Theorem II.13).",
    "vershynin2012": "R. Vershynin. Introduction to the non-asymptotic analysis of random matrices. In "
                     "Compressed Sensing: Theory and Applications, CUP, 2012, 210-268 (Corollary 5.35).",
    "vershynin2018": "R. Vershynin. High-Dimensional Probability. CUP, 2018 (Corollary 4.2.13: an "
                     "eps-net of the unit sphere of R^d with at most (1 + 2/eps)^d points).",
    "woodruff2014": "D. P. Woodruff. Sketching as a tool for numerical linear algebra. Found. Trends Theor. "
                    "Comput. Sci. 10(1-2):1-157, 2014 (Section 2.1: the JLT(eps, delta, f) definition, "
                    "gamma-nets of size (1 + 4/gamma)^d, JLT on a 1/2-net => subspace embedding, "
                    "CountSketch; the appendix's reference [20]).",
    "nelson_nguyen2013": "J. Nelson and H. L. Nguyen. OSNAP: faster numerical linear algebra algorithms via "
                         "sparser subspace embeddings. FOCS 2013, 117-126 (s = 1: m >= (d^2 + d)/(eps^2 "
                         "delta)).",
    "kane_nelson2014": "D. M. Kane and J. Nelson. Sparser Johnson-Lindenstrauss transforms. J. ACM 61(1):4, "
                       "2014 (k = O(eps^-2 log(1/delta)), s = O(eps^-1 log(1/delta)); constants not explicit).",
    "cohen_jayram_nelson2018": "M. B. Cohen, T. S. Jayram and J. Nelson. Simple analyses of the sparse "
                               "Johnson-Lindenstrauss transform. SOSA 2018, 15:1-15:9 (constants not "
                               "explicit).",
    "charikar2004": "M. Charikar, K. Chen and M. Farach-Colton. Finding frequent items in data streams. "
                    "Theor. Comput. Sci. 312(1):3-15, 2004 (ICALP 2002): CountSketch.",
    "thorup_zhang2012": "M. Thorup and Y. Zhang. Tabulation-based 5-independent hashing with applications to "
                        "linear probing and second moment estimation. SIAM J. Comput. 41(2):293-331, 2012 "
                        "(variance of the CountSketch second-moment estimator).",
    "ailon_chazelle2009": "N. Ailon and B. Chazelle. The fast Johnson-Lindenstrauss transform and approximate "
                          "nearest neighbors. SIAM J. Comput. 39(1):302-322, 2009.",
    "tropp2011": "J. A. Tropp. Improved analysis of the subsampled randomized Hadamard transform. Adv. Adapt. "
                 "Data Anal. 3(1-2):115-126, 2011 (Theorem 3.1; Lemma 3.3 row norms; Lemma 3.4 matrix "
                 "Chernoff without replacement).",
    "boutsidis_gittens2013": "C. Boutsidis and A. Gittens. Improved matrix algorithms via the subsampled "
                             "randomized Hadamard transform. SIAM J. Matrix Anal. Appl. 34(3):1301-1340, 2013 "
                             "(Lemma 4.1: the eps-version of Tropp's theorem).",
    "hoeffding1963": "W. Hoeffding. Probability inequalities for sums of bounded random variables. J. Amer. "
                     "Statist. Assoc. 58(301):13-30, 1963 (Theorems 1-2; Section 6: sampling without "
                     "replacement).",
    "clopper_pearson1934": "C. J. Clopper and E. S. Pearson. The use of confidence or fiducial limits "
                           "illustrated in the case of the binomial. Biometrika 26(4):404-413, 1934.",
    "sklearn": "F. Pedregosa et al. Scikit-learn: machine learning in Python. JMLR 12:2825-2830, 2011 "
               "(sklearn.random_projection.johnson_lindenstrauss_min_dim).",
    "this_module": "Derived in pss_theory.bounds; the derivation is in the docstring of the function.",
}

FAMILY_SOURCE = {
    "gaussian": "dasgupta_gupta2003",
    "rademacher": "achlioptas2003",
    "achlioptas": "achlioptas2003",
    "countsketch": "thorup_zhang2012",
    "osnap": "kane_nelson2014",
    "srht": "ailon_chazelle2009",
}

FAMILY_SOURCES = {
    "gaussian": ("dasgupta_gupta2003",),
    "rademacher": ("achlioptas2003",),
    "achlioptas": ("achlioptas2003", "this_module"),
    "countsketch": ("thorup_zhang2012", "charikar2004", "this_module"),
    "osnap": ("kane_nelson2014", "cohen_jayram_nelson2018", "thorup_zhang2012", "this_module"),
    "srht": ("ailon_chazelle2009", "hoeffding1963", "this_module"),
}

FAMILY_FORMULA = {
    "gaussian": "k = ln(2 f^2/delta) / r, r = (eps - ln(1 + eps))/2",
    "rademacher": "k = ln(2 f^2/delta) / r, r = (eps^2/2 - eps^3/3)/2",
    "achlioptas": "k = ln(2 f^2/delta) / r, r = (eps^2/2 - eps^3/3)/2 for density >= 1/3; "
                  "r = min(that, moment-method rates) below 1/3",
    "countsketch": "k = f (f + 1) / (eps^2 delta)",
    "osnap": "k = min(C eps^-2 ln(f^2/delta) [if s >= C' eps^-1 ln(f^2/delta)], f (f + 1)/(eps^2 delta)), "
             "C = C' = 4 (convention)",
    "srht": "k = 6 eps^-2 ln(4 N f^2/delta) ln(4 f^2/delta)",
}

#: Convention for the sparse-JL constants (Kane & Nelson 2014 give none): k = C eps^-2 L, s = C' eps^-1 L.
OSNAP_C_ROWS = 4.0
OSNAP_C_SPARSITY = 4.0
#: The 1/2-net argument turns JLT(eps) on the net into |<Sx, Sy> - <x, y>| <= 4 eps on the unit sphere.
THEOREM6_NET_FACTOR = 4.0
#: Theorem 7, Part A, case 3 proves 2 eps, not eps (the 2 is dropped in the text).
THEOREM7_PART_A_FACTOR = 2.0

_LN2 = math.log(2.0)
_LN4 = math.log(4.0)
_NETS = {"9": math.log(9.0), "5": math.log(5.0)}
_CHERNOFF_FAMILIES = ("gaussian", "rademacher", "achlioptas")


def _cites(*keys):
    """Attach ``source`` (main key) and ``sources`` (all keys) to a function; keys must be in SOURCES."""
    for key in keys:
        if key not in SOURCES:
            raise KeyError(f"unknown source key {key!r}")

    def mark(fn):
        fn.source = keys[0]
        fn.sources = tuple(keys)
        return fn

    return mark


# ----------------------------------------------------------------------------------------------------
# argument checks


def _real(name, x) -> float:
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be a real number, got {x!r}")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {x!r}") from None
    if math.isnan(v):
        raise ValueError(f"{name} must be a real number, got nan")
    return v


def _open_unit(name, x) -> float:
    v = _real(name, x)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {x!r}")
    return v


def _positive(name, x) -> float:
    v = _real(name, x)
    if not (v > 0.0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a positive finite number, got {x!r}")
    return v


def _nonnegative(name, x) -> float:
    v = _real(name, x)
    if not (v >= 0.0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a non-negative finite number, got {x!r}")
    return v


def _integer(name, x, minimum=0) -> int:
    v = _real(name, x)
    if not (math.isfinite(v) and v == int(v) and v >= minimum):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(v)


def _family(family) -> str:
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"unknown sketch family {family!r}: valid families are {', '.join(FAMILIES)}")
    return family


_ACCEPTED = {
    "gaussian": (),
    "rademacher": (),
    "achlioptas": ("density",),
    "countsketch": (),
    "osnap": ("s", "c_rows", "c_sparsity"),
    "srht": ("n", "N"),
}


def _params(family, params: dict) -> dict:
    """Validate the family's parameters and fill in defaults."""
    family = _family(family)
    unknown = sorted(set(params) - set(_ACCEPTED[family]))
    if unknown:
        accepted = ", ".join(_ACCEPTED[family]) or "none"
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for family {family!r}; accepted: {accepted}")
    if family == "achlioptas":
        density = _real("density", params.get("density", 1.0 / 3.0))
        if not 0.0 < density <= 1.0:
            raise ValueError(f"density must lie in (0, 1], got {params.get('density')!r}")
        return {"density": density}
    if family == "osnap":
        s = params.get("s")
        return {
            "s": None if s is None else _integer("s", s, minimum=1),
            "c_rows": _positive("c_rows", params.get("c_rows", OSNAP_C_ROWS)),
            "c_sparsity": _positive("c_sparsity", params.get("c_sparsity", OSNAP_C_SPARSITY)),
        }
    if family == "srht":
        if params.get("n") is None and params.get("N") is None:
            raise ValueError("family 'srht' needs the ambient dimension: pass n=... (or N=..., the padded "
                             "power of two the Hadamard transform acts on)")
        n = None if params.get("n") is None else _positive("n", params["n"])
        N = None if params.get("N") is None else _positive("N", params["N"])
        if n is not None and N is not None and N < n:
            raise ValueError(f"srht: the padded dimension N = {params['N']!r} is smaller than n = {params['n']!r}")
        return {"N": N if N is not None else _hadamard_dim(n)}
    return {}


def _hadamard_dim(n: float) -> int:
    """The next power of two >= n: the dimension a Walsh-Hadamard transform of R^n acts on (as in
    pss_theory.sketches.srht)."""
    return 1 << max(0, (math.ceil(n) - 1).bit_length())


# ----------------------------------------------------------------------------------------------------
# point counts


@_cites("woodruff2014", "vershynin2018", "desai2022")
def log_f_theorem6(d, net="9") -> float:
    """ln f for Theorem 6: f = 9^d points of a 1/2-net of the unit sphere of a d-dim subspace.

    ``net="9"``: the paper's 9^d, which is (1 + 4/gamma)^d at gamma = 1/2 (Woodruff 2014, Sec. 2.1;
    the appendix's "lemma 5 from [20]").
    ``net="5"``: 5^d = (1 + 2/gamma)^d, the common volumetric bound (Vershynin 2018, Cor. 4.2.13).
    Both are valid upper bounds on the net size; 5^d gives smaller sufficient k.
    """
    d = _positive("d", d)
    key = str(net)
    if key not in _NETS:
        raise ValueError(f"net must be '9' (the paper's 9^d) or '5' (5^d), got {net!r}")
    return d * _NETS[key]


@_cites("desai2022", "woodruff2014")
def log_f_theorem7(d, n, net="9") -> float:
    """ln f for Theorem 7: f = 9^d + n (the net plus the n one-hot vectors e_i), via logaddexp.

    ``net`` as in ``log_f_theorem6`` (``"5"`` gives ln(5^d + n)).
    """
    n = _positive("n", n)
    return float(np.logaddexp(log_f_theorem6(d, net), math.log(n)))


# ----------------------------------------------------------------------------------------------------
# norm-preservation tail rates r(eps): one vector fails with probability <= 2 exp(-k r(eps))


def _x_minus_log1p(x: float) -> float:
    """x - ln(1 + x) without cancellation for small x (series sum_{j>=2} (-x)^j / j)."""
    if abs(x) < 0.05:
        return sum((-x) ** j / j for j in range(2, 22))
    return x - math.log1p(x)


def _rate_gaussian(eps: float) -> float:
    """Chernoff bound for chi^2_k / k (Dasgupta & Gupta 2003, Lemma 2.2 with beta = 1 +- eps):
    P(upper) <= exp(-k (eps - ln(1 + eps))/2), P(lower) <= exp(-k (-eps - ln(1 - eps))/2); the upper
    exponent is the smaller, so both tails together are <= 2 exp(-k (eps - ln(1 + eps))/2)."""
    return 0.5 * _x_minus_log1p(eps)


def _rate_achlioptas_published(eps: float) -> float:
    """Achlioptas 2003, Thm 1.1 proof: each tail <= exp(-k (eps^2/2 - eps^3/3)/2)."""
    return 0.5 * (eps * eps / 2.0 - eps ** 3 / 3.0)


def _rate_moment_upper(eps: float, tau: float) -> float:
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
        return _rate_gaussian(eps)
    u = optimize.brentq(lambda u: ((tau * u + 3.0 * tau) * u + (3.0 * tau - 1.0 - eps)) * u - eps * tau,
                        0.0, 1.0, xtol=1e-300, rtol=1e-15, maxiter=500)
    w2 = (1.0 + u) ** 2
    lam = u * (2.0 + u) / (2.0 * tau * w2)
    h = u * u * (3.0 + 2.0 * u) / (2.0 * tau * w2)
    return lam * eps + _x_minus_log1p(lam) - math.log1p(h / (1.0 + lam))


def _rate_moment_lower(eps: float, fourth: float) -> float:
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


def _rate_achlioptas(eps: float, density: float) -> float:
    """Rate for S_ij = +-1/sqrt(density k) w.p. density/2 each, else 0.

    density in [1/3, 1]: Achlioptas' bound.  His proof uses only E r^2 = 1, E r^{2m} <= (2m - 1)!!
    (true for density >= 1/3: E r^{2m} = density^{1-m} <= 3^{m-1}) and E Q^4 <= 3, so it covers every
    density in [1/3, 1] (density 1 = Rademacher, 1/3 = his sparse case).
    density < 1/3: those moment bounds fail; use the moment-method rates above (rigorous, derived here)
    and keep min with Achlioptas' rate so that k is continuous and monotone in density.
    """
    rate = _rate_achlioptas_published(eps)
    if density >= 1.0 / 3.0:
        return rate
    tau = 1.0 / (3.0 * density)
    return min(rate, _rate_moment_upper(eps, tau), _rate_moment_lower(eps, 1.0 / density))


def _rate(family: str, eps: float, p: dict) -> float:
    if family == "gaussian":
        return _rate_gaussian(eps)
    if family == "rademacher":
        return _rate_achlioptas_published(eps)
    return _rate_achlioptas(eps, p["density"])


# ----------------------------------------------------------------------------------------------------
# JLT(eps, delta, f): sufficient k and its inverse


def _log_events(log_f: float, delta: float) -> float:
    """ln(2 f^2 / delta): f^2 norm events (see module docstring), two tails each."""
    return _LN2 + 2.0 * log_f - math.log(delta)


def _log_f_plus_1(log_f: float) -> float:
    return float(np.logaddexp(log_f, 0.0))


def _log_k_chebyshev(eps: float, delta: float, log_f: float) -> float:
    """ln(f (f + 1) / (eps^2 delta)): second-moment bound for CountSketch / OSNAP (see log_jlt_k)."""
    return log_f + _log_f_plus_1(log_f) - 2.0 * math.log(eps) - math.log(delta)


def _osnap_L(delta: float, log_f: float) -> float:
    return 2.0 * log_f - math.log(delta)


def _log_k(eps: float, delta: float, log_f: float, family: str, p: dict) -> float:
    if family in _CHERNOFF_FAMILIES:
        return math.log(_log_events(log_f, delta)) - math.log(_rate(family, eps, p))
    if family == "countsketch":
        return _log_k_chebyshev(eps, delta, log_f)
    if family == "osnap":
        L = _osnap_L(delta, log_f)
        best = _log_k_chebyshev(eps, delta, log_f)
        if p["s"] is None or p["s"] >= p["c_sparsity"] * L / eps:
            best = min(best, math.log(p["c_rows"]) + math.log(L) - 2.0 * math.log(eps))
        return best
    # srht
    log_n4 = math.log(p["N"]) + _LN4 + 2.0 * log_f - math.log(delta)
    log_4 = _LN4 + 2.0 * log_f - math.log(delta)
    return math.log(6.0) + math.log(log_n4) + math.log(log_4) - 2.0 * math.log(eps)


@_cites("achlioptas2003", "dasgupta_gupta2003", "thorup_zhang2012", "kane_nelson2014", "ailon_chazelle2009",
        "this_module")
def log_jlt_k(eps, delta, log_f, family, **params) -> float:
    """ln of a sufficient k for S (k x n) of ``family`` to be JLT(eps, delta, f), f = exp(log_f).

    Never overflows (f = 9^1024 is fine).  Per family (L2 = ln(2 f^2/delta), see the module docstring
    for the polarization / union-bound step that makes every f-point statement a statement about f^2
    squared norms):

    - ``gaussian`` (S_ij ~ N(0, 1/k)): k = L2 / r, r = (eps - ln(1 + eps))/2, the chi-square Chernoff
      bound of Dasgupta & Gupta 2003, Lemma 2.2 (before their simplification to eps^2/2 - eps^3/3).
    - ``rademacher`` (+-1/sqrt(k)) and ``achlioptas`` (``density``, default 1/3; entries
      +-1/sqrt(density k) w.p. density/2, sklearn's SparseRandomProjection convention): per vector
      P(| ||Sv||^2 - ||v||^2 | > eps ||v||^2) <= 2 exp(-k (eps^2/2 - eps^3/3)/2) (Achlioptas 2003,
      Thm 1.1; valid for density in [1/3, 1]), so k = L2 / ((eps^2/2 - eps^3/3)/2) = 4 L2 / (eps^2 -
      2 eps^3/3).  For density < 1/3 the rate is min(that, r_up, r_lo) with the moment-method rates
      derived in ``_rate_moment_upper`` / ``_rate_moment_lower`` (tau = 1/(3 density), E Q^4 <=
      1/density); for small eps they give k ~ 2 (1 - density) L2 / (density eps^2), the binomial truth
      at v = e_i (k must grow like 1/density).
    - ``countsketch``: Var <S x, S y> = (||x||^2 ||y||^2 + <x, y>^2 - 2 sum_i x_i^2 y_i^2)/k <= 2/k for
      unit x, y (Thorup & Zhang 2012; Charikar et al. 2004), so Chebyshev gives failure <= 2/(k eps^2)
      per pair; union over the f (f + 1)/2 pairs (v1 = v2 included): k = f (f + 1)/(eps^2 delta).
      (Going through polarization instead gives 2 f^2/(eps^2 delta), a factor ~2 worse.)  Vacuous for
      f = 9^d: use the log.
    - ``osnap`` (``s`` nonzeros per column, block construction; ``s=None``: s chosen as required):
      sparse JL (Kane & Nelson 2014; Cohen, Jayram & Nelson 2018) gives the distributional JL property
      with k = C eps^-2 ln(1/delta'), s = C' eps^-1 ln(1/delta') but no explicit C, C'.  Convention:
      C = ``c_rows`` = 4, C' = ``c_sparsity`` = 4 (C = 4 matches the dense Gaussian constant as eps -> 0;
      C' = 4 makes each block 1/eps rows), delta' = delta/f^2 (f^2 norm events), so with
      L = ln(f^2/delta): k = 4 L / eps^2, certified only if s >= 4 L / eps.  The Chebyshev bound of
      ``countsketch`` holds for any s (the block construction has the same Var <= 2/k), and the
      smaller of the two applicable values is returned.
    - ``srht`` (``n``: ambient dimension, rounded up to the power of two N the Hadamard transform acts
      on; or ``N`` given directly; S = sqrt(N/k) P H D with P sampling k of the N rows):
      derived here in the style of Ailon & Chazelle 2009.  Flattening: for unit x,
      P(|(H D x)_i| > t) <= 2 exp(-N t^2/2) (Hoeffding 1963); union over N coordinates and the f^2
      vectors at delta/2 gives N max_i (HDx)_i^2 <= mu = 2 ln(4 N f^2/delta).  Sampling k coordinates
      (with or without replacement), multiplicative Chernoff for [0, mu]-bounded terms of mean 1:
      per vector <= 2 exp(-eps^2 k/(3 mu)), union at delta/2.  Total:
      k = 6 eps^-2 ln(4 N f^2/delta) ln(4 f^2/delta).

    Raises ValueError for eps, delta outside (0, 1), log_f < 0, an unknown family or parameter.
    """
    eps = _open_unit("eps", eps)
    delta = _open_unit("delta", delta)
    log_f = _nonnegative("log_f", log_f)
    p = _params(family, params)
    return _log_k(eps, delta, log_f, family, p)


@_cites("achlioptas2003", "dasgupta_gupta2003", "thorup_zhang2012", "kane_nelson2014", "ailon_chazelle2009",
        "this_module")
def jlt_k(eps, delta, log_f, family, **params) -> float:
    """A sufficient k for JLT(eps, delta, f): exp(``log_jlt_k``), ``math.inf`` when that overflows.

    A real number; any integer k >= it suffices.  Formulas and sources: see ``log_jlt_k``.
    """
    return _exp(log_jlt_k(eps, delta, log_f, family, **params))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _eps_chernoff(k: float, delta: float, log_f: float, family: str, p: dict) -> float:
    target = _log_events(log_f, delta) / k  # need r(eps) >= target
    if _rate(family, 1.0, p) <= target:
        return math.inf
    # r(eps) <= eps^2/4 for every family here, so r(sqrt(target)) <= target/4 < target.  Solve in
    # x = ln eps, where ln r is nearly linear (slope ~2): few iterations, relative accuracy ~1e-15.
    log_target = math.log(target)
    x = optimize.brentq(lambda x: math.log(_rate(family, math.exp(x), p)) - log_target,
                        0.5 * log_target, 0.0, xtol=1e-15, rtol=1e-15, maxiter=200)
    return math.exp(x)


def _eps_from_log(log_eps: float) -> float:
    return math.inf if log_eps >= 0.0 else math.exp(log_eps)


def _eps(k: float, delta: float, log_f: float, family: str, p: dict) -> float:
    if family in _CHERNOFF_FAMILIES:
        return _eps_chernoff(k, delta, log_f, family, p)
    log_k = math.log(k)
    # Chebyshev (countsketch, and a fallback for osnap): k = f (f + 1)/(eps^2 delta)
    log_eps_cheb = 0.5 * (log_f + _log_f_plus_1(log_f) - math.log(delta) - log_k)
    if family == "countsketch":
        return _eps_from_log(log_eps_cheb)
    if family == "osnap":
        L = _osnap_L(delta, log_f)
        log_eps_kn = 0.5 * (math.log(p["c_rows"]) + math.log(L) - log_k)
        if p["s"] is not None:
            if p["s"] > k:
                raise ValueError(f"osnap needs s <= k, got s = {p['s']} > k = {k!r}")
            log_eps_kn = max(log_eps_kn, math.log(p["c_sparsity"] * L / p["s"]))
        return _eps_from_log(min(log_eps_cheb, log_eps_kn))
    # srht: k = 6 eps^-2 A B
    log_n4 = math.log(p["N"]) + _LN4 + 2.0 * log_f - math.log(delta)
    log_4 = _LN4 + 2.0 * log_f - math.log(delta)
    return _eps_from_log(0.5 * (math.log(6.0) + math.log(log_n4) + math.log(log_4) - log_k))


@_cites("achlioptas2003", "dasgupta_gupta2003", "thorup_zhang2012", "kane_nelson2014", "ailon_chazelle2009",
        "this_module")
def eps_jlt(k, delta, log_f, family, **params) -> float:
    """The smallest eps that ``jlt_k`` certifies at this k: the inverse of ``jlt_k`` in eps.

    Closed form for countsketch, osnap and srht; ``scipy.optimize.brentq`` on the tail rate for the
    gaussian / rademacher / achlioptas families (relative accuracy ~1e-15).  Returns ``math.inf``
    when no eps in (0, 1) is certified at this k (the bound is vacuous).  osnap with a given ``s``
    also needs eps >= c_sparsity L / s (see ``log_jlt_k``) and s <= k.
    """
    k = _positive("k", k)
    delta = _open_unit("delta", delta)
    log_f = _nonnegative("log_f", log_f)
    p = _params(family, params)
    return _eps(k, delta, log_f, family, p)


@_cites("kane_nelson2014", "this_module")
def osnap_required_s(eps, delta, log_f, c_sparsity=OSNAP_C_SPARSITY) -> float:
    """Column sparsity s that the sparse-JL convention of ``log_jlt_k`` needs: c_sparsity ln(f^2/delta)/eps.

    Kane & Nelson 2014 give s = O(eps^-1 log(1/delta')) without a constant; c_sparsity = 4 is this
    module's convention (see ``log_jlt_k``).
    """
    eps = _open_unit("eps", eps)
    delta = _open_unit("delta", delta)
    log_f = _nonnegative("log_f", log_f)
    c_sparsity = _positive("c_sparsity", c_sparsity)
    return c_sparsity * _osnap_L(delta, log_f) / eps


# ----------------------------------------------------------------------------------------------------
# Theorems 6 and 7


def _with_n(family: str, n: float, params: dict) -> dict:
    """Theorem 7 knows n: hand it to srht unless the caller gave N (n itself cannot be a keyword there)."""
    if family == "srht" and params.get("N") is None:
        return {**params, "n": n}
    return params


@_cites("desai2022", "woodruff2014")
def theorem6_log_k(eps, delta, d, family, net="9", *, jlt_factor=1.0, **params) -> float:
    """ln of a sufficient k for Theorem 6: S must be JLT(eps / jlt_factor, delta, 9^d).

    ``jlt_factor=1`` is the theorem as stated.  The 1/2-net argument the proof cites (Woodruff 2014,
    p. 12) writes a unit y of the column space as sum_i c_i w^i (w^i net points, c_i <= 2^-i), so
    JLT(eps') on the net gives | ||S y||^2 - 1 | <= eps' (sum_i c_i)^2 <= 4 eps': the inner-product
    (Eq. 5) form of Macro(eps) is certified with ``jlt_factor=THEOREM6_NET_FACTOR`` (4).
    """
    jlt_factor = _positive("jlt_factor", jlt_factor)
    eps = _open_unit("eps", eps)
    return log_jlt_k(eps / jlt_factor, delta, log_f_theorem6(d, net), family, **params)


@_cites("desai2022", "woodruff2014")
def theorem6_k(eps, delta, d, family, net="9", *, jlt_factor=1.0, **params) -> float:
    """A sufficient k for Theorem 6 (S JLT(eps / jlt_factor, delta, 9^d) => Macro(eps, delta)-PSS).

    exp of ``theorem6_log_k`` (inf on overflow); ``net`` as in ``log_f_theorem6``; ``params`` go to
    the family (srht needs n=...).
    """
    return _exp(theorem6_log_k(eps, delta, d, family, net, jlt_factor=jlt_factor, **params))


@_cites("desai2022", "woodruff2014")
def theorem6_eps(k, delta, d, family, net="9", *, jlt_factor=1.0, **params) -> float:
    """The Macro eps Theorem 6 certifies at k: jlt_factor * eps_jlt(k, delta, 9^d) (inf if vacuous).

    With the default ``jlt_factor=1`` this is the JLT accuracy for f = 9^d, which the theorem (as
    stated) passes on unchanged; see ``theorem6_log_k`` for the factor 4 the net argument gives.
    """
    jlt_factor = _positive("jlt_factor", jlt_factor)
    return jlt_factor * eps_jlt(k, delta, log_f_theorem6(d, net), family, **params)


@_cites("desai2022", "woodruff2014")
def theorem7_log_k(eps, delta, d, n, rho, family, net="9", *, part_a_factor=1.0, **params) -> float:
    """ln of a sufficient k for Theorem 7: S JLT(rho eps / part_a_factor, delta, 9^d + n).

    ``part_a_factor=1``: the theorem as stated.  Part A, case 3 of the proof (e_i against a unit
    vector of the column space, written as a sum of net points of norms <= 2^-i) proves 2 eps, not
    eps; ``part_a_factor=THEOREM7_PART_A_FACTOR`` (2) is the requirement the proof supports.
    ``rho`` in (0, 1] (rho_i = ||E_i|| / sigma <= 1).  For srht the theorem's n is passed on (padded
    to the next power of two); give ``N=...`` to use another Hadamard dimension (N >= n).
    """
    rho = _real("rho", rho)
    if not 0.0 < rho <= 1.0:
        raise ValueError(f"rho must lie in (0, 1] (rho_i = ||E_i|| / sigma_max <= 1), got {rho!r}")
    part_a_factor = _positive("part_a_factor", part_a_factor)
    eps = _open_unit("eps", eps)
    log_f = log_f_theorem7(d, n, net)
    return log_jlt_k(rho * eps / part_a_factor, delta, log_f, family, **_with_n(family, n, params))


@_cites("desai2022", "woodruff2014")
def theorem7_k(eps, delta, d, n, rho, family, net="9", *, part_a_factor=1.0, **params) -> float:
    """A sufficient k for Theorem 7 (JLT(rho eps, delta, 9^d + n) => Micro(eps, delta, rho)-PSS).

    exp of ``theorem7_log_k`` (inf on overflow); see there for ``part_a_factor``.
    """
    return _exp(theorem7_log_k(eps, delta, d, n, rho, family, net, part_a_factor=part_a_factor, **params))


@_cites("desai2022", "woodruff2014")
def theorem7_eps_jlt(k, delta, d, n, family, net="9", **params) -> float:
    """The JLT accuracy certified at k for f = 9^d + n: eps_jlt(k, delta, ln(9^d + n)) (inf if vacuous).

    Theorem 7 then gives the micro bound eta_i <= this (Eq. 16-18), i.e. Micro(this/rho, delta, rho)
    as stated, or Micro(2 this/rho, ...) with Part A's factor 2 (see ``theorem7_eps``).
    """
    return eps_jlt(k, delta, log_f_theorem7(d, n, net), family, **_with_n(family, n, params))


@_cites("desai2022", "woodruff2014")
def theorem7_eps(k, delta, d, n, rho, family, net="9", *, part_a_factor=1.0, **params) -> float:
    """The Micro eps Theorem 7 certifies at k for rows with rho_i > rho: part_a_factor eps_jlt / rho."""
    rho = _real("rho", rho)
    if not 0.0 < rho <= 1.0:
        raise ValueError(f"rho must lie in (0, 1], got {rho!r}")
    part_a_factor = _positive("part_a_factor", part_a_factor)
    return part_a_factor * theorem7_eps_jlt(k, delta, d, n, family, net, **params) / rho


# ----------------------------------------------------------------------------------------------------
# sharper predictions: Gaussian singular values, subspace embeddings


def _dk_t(d, k, t):
    return _positive("d", d), _positive("k", k), _nonnegative("t", t)


@_cites("davidson_szarek2001", "vershynin2012")
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


@_cites("davidson_szarek2001", "vershynin2012")
def mp_eps_norm(d, k, t=0.0) -> float:
    """Predicted eps_macro in norm form, max(hi - 1, 1 - lo) = sqrt(d/k) + t/sqrt(k) (``mp_edges``)."""
    lo, hi = mp_edges(d, k, t)
    return max(hi - 1.0, 1.0 - lo)


@_cites("davidson_szarek2001", "vershynin2012")
def mp_eps_inner(d, k, t=0.0) -> float:
    """Predicted eps_macro in inner-product form, max(hi^2 - 1, 1 - lo^2) = 2a + a^2, a = mp_eps_norm."""
    lo, hi = mp_edges(d, k, t)
    return max(hi * hi - 1.0, 1.0 - lo * lo)


@_cites("davidson_szarek2001", "vershynin2012")
def davidson_szarek_t(delta) -> float:
    """t with 2 exp(-t^2/2) = delta, i.e. sqrt(2 ln(2/delta)): ``mp_edges(d, k, t)`` then holds w.p. 1 - delta."""
    delta = _open_unit("delta", delta)
    return math.sqrt(2.0 * math.log(2.0 / delta))


@_cites("nelson_nguyen2013", "woodruff2014", "this_module")
def countsketch_subspace_k(d, eps, delta) -> float:
    """k = (d^2 + d)/(delta eps^2): CountSketch is then a subspace embedding in inner-product form.

    Nelson & Nguyen 2013 (the s = 1 case; also Woodruff 2014, Sec. 2.1, as O(d^2/(delta eps^2))),
    re-derived here: for Q (n x d) orthonormal, each entry of G = (SQ)^T SQ - I has variance
    <= (||q_a||^2 ||q_b||^2 + <q_a, q_b>^2)/k = (1 + [a = b])/k (see ``log_jlt_k``, countsketch), so
    E ||G||_F^2 <= (d^2 + d)/k and Markov gives P(||G||_2 > eps) <= P(||G||_F > eps) <= delta.
    Certifies every singular value sigma of S Q with sigma^2 in [1 - eps, 1 + eps]: eps_macro_inner
    <= eps (norm form: eps_macro_norm <= 1 - sqrt(1 - eps)).
    """
    d = _positive("d", d)
    eps = _open_unit("eps", eps)
    delta = _open_unit("delta", delta)
    return (d * d + d) / (delta * eps * eps)


@_cites("nelson_nguyen2013", "woodruff2014", "this_module")
def countsketch_subspace_eps(k, d, delta) -> float:
    """Inverse of ``countsketch_subspace_k``: sqrt((d^2 + d)/(delta k)) (inner-product form), inf if >= 1."""
    k = _positive("k", k)
    d = _positive("d", d)
    delta = _open_unit("delta", delta)
    eps = math.sqrt((d * d + d) / (delta * k))
    return eps if eps < 1.0 else math.inf


def _srht_B(d: float, N: float, delta: float) -> float:
    """(sqrt(d) + sqrt(8 ln(2N/delta)))^2: N times Tropp's bound on the squared row norms of H D Q at delta/2."""
    return (math.sqrt(d) + math.sqrt(8.0 * math.log(2.0 * N / delta))) ** 2


@_cites("tropp2011", "boutsidis_gittens2013", "this_module")
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
    d = _positive("d", d)
    n = _hadamard_dim(_positive("n", n))
    eps = _open_unit("eps", eps)
    delta = _open_unit("delta", delta)
    return 3.0 * _srht_B(d, n, delta) * math.log(4.0 * d / delta) / (eps * eps)


@_cites("tropp2011", "boutsidis_gittens2013", "this_module")
def srht_subspace_eps(k, d, n, delta) -> float:
    """Inverse of ``srht_subspace_k``: sqrt(3 B ln(4d/delta)/k) (inner-product form), inf if >= 1 or k > N
    (N: n rounded up to a power of two)."""
    k = _positive("k", k)
    d = _positive("d", d)
    n = _hadamard_dim(_positive("n", n))
    delta = _open_unit("delta", delta)
    if k > n:
        return math.inf
    eps = math.sqrt(3.0 * _srht_B(d, n, delta) * math.log(4.0 * d / delta) / k)
    return eps if eps < 1.0 else math.inf


@_cites("tropp2011")
def srht_tropp2011_fixed_k(d, n) -> float:
    """Tropp 2011, Thm 3.1: k >= 4 (sqrt(d) + sqrt(8 ln(d n)))^2 ln(d) (and k <= n) gives, except with
    probability O(1/d), singular values of S Q in [0.40, 1.48]: a fixed distortion, not an eps (d >= 2).
    n is rounded up to the next power of two (the Hadamard dimension)."""
    d = _positive("d", d)
    n = _hadamard_dim(_positive("n", n))
    if d < 2:
        raise ValueError(f"Tropp's Theorem 3.1 needs d >= 2 (its bound has a factor ln d), got d = {d!r}")
    return 4.0 * (math.sqrt(d) + math.sqrt(8.0 * math.log(d * n))) ** 2 * math.log(d)


# ----------------------------------------------------------------------------------------------------
# scikit-learn's JL dimension, confidence intervals


@_cites("sklearn", "dasgupta_gupta2003")
def sklearn_min_dim(n_samples, eps, exact=False):
    """scikit-learn's ``johnson_lindenstrauss_min_dim``: 4 ln(n_samples) / (eps^2/2 - eps^3/3).

    sklearn truncates to an integer (``astype(np.int64)``); this returns that int, or the float with
    ``exact=True``.  It is Dasgupta & Gupta's Theorem 2.1 (pairwise distances of n_samples points,
    success probability >= 1 - 1/n_samples), not this module's JLT(eps, delta, f).
    """
    n_samples = _positive("n_samples", n_samples)
    eps = _open_unit("eps", eps)
    value = 4.0 * math.log(n_samples) / (eps * eps / 2.0 - eps ** 3 / 3.0)
    return value if exact else int(value)


@_cites("clopper_pearson1934")
def clopper_pearson(failures, trials, confidence=0.95) -> tuple[float, float]:
    """Exact two-sided (Clopper & Pearson 1934) interval for a failure probability.

    lo = Beta(alpha/2; x, n - x + 1) quantile (0 when x = 0), hi = Beta(1 - alpha/2; x + 1, n - x)
    quantile (1 when x = n), alpha = 1 - confidence.  E.g. 0 failures in 10 trials: (0, 0.3085).
    """
    trials = _integer("trials", trials, minimum=1)
    failures = _integer("failures", failures, minimum=0)
    if failures > trials:
        raise ValueError(f"failures ({failures}) cannot exceed trials ({trials})")
    confidence = _open_unit("confidence", confidence)
    alpha = 1.0 - confidence
    lo = 0.0 if failures == 0 else float(stats.beta.ppf(alpha / 2.0, failures, trials - failures + 1))
    hi = 1.0 if failures == trials else float(stats.beta.ppf(1.0 - alpha / 2.0, failures + 1, trials - failures))
    return lo, hi
