"""The tail bounds the per-row certificates combine (``theory.certificates``), each a function of E's
statistics and a failure probability: Laurent & Massart's bound and the Chernoff bound with the exact
moment generating function for Gaussian quadratic forms, the Chernoff bound for a weighted sum of
Bernoulli row masses with its heavy rows set aside, the matrix Chernoff bound on the top eigenvalue of
the collided rows' Gram, the joint Chernoff bound on a Rademacher sum's squared norm over its signs and
its supports, and an upper bound on the whole tail of g^T G g on a grid (an upper Riemann sum over the
exact chi^2_1 law of its top term).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

from .sources import cites


@cites("laurent_massart2000")
def laurent_massart(trace, fro, top, x):
    """t with P(sum a_j g_j^2 >= t) <= e^-x: t = sum a + 2 ||a||_2 sqrt(x) + 2 ||a||_inf x (Lemma 1)."""
    return trace + 2.0 * fro * np.sqrt(x) + 2.0 * top * x


def _chernoff_quantile(log_mgf, x: float, upper: float) -> float:
    """min over theta in (0, upper) of (log E e^{theta Z} + x) / theta: P(Z >= that) <= e^-x for every
    theta (Chernoff), so any theta the search returns gives a valid bound."""
    def value(u):
        theta = upper * u
        return (log_mgf(theta) + x) / theta

    res = optimize.minimize_scalar(value, bounds=(1e-9, 1 - 1e-9), method="bounded", options={"xatol": 1e-6})
    return float(min(res.fun, value(0.5)))


@cites("chernoff1952")
def gaussian_form_chernoff(eigenvalues, x: float) -> float:
    """t with P(g^T G g >= t) <= e^-x, from E e^{theta g^T G g} = prod (1 - 2 theta lambda_j)^{-1/2}."""
    lam = np.asarray(eigenvalues, dtype=np.float64)
    lam = lam[lam > 0]
    return _chernoff_quantile(lambda th: -0.5 * np.log1p(-2.0 * th * lam).sum(), x, 0.5 / lam.max())


@cites("chernoff1952")
def bernoulli_mass_chernoff(masses, p: float, weight: float, slots: float, x: float):
    """(t, theta) with P(V >= t) <= e^-x for V = weight sum_{slots} sum_j a_j B_j, B_j ~ Bernoulli(p)
    independent: log E e^{theta V} = slots sum_j ln(1 + p (e^{theta weight a_j} - 1))."""
    top = float(masses[0].max())

    def log_mgf(theta):
        return bernoulli_log_mgf(masses, p, weight, slots, theta)

    upper = 60.0 / (weight * top)
    res = optimize.minimize_scalar(lambda u: (log_mgf(upper * u) + x) / (upper * u), bounds=(1e-9, 1.0),
                                   method="bounded", options={"xatol": 1e-7})
    theta = upper * float(res.x)
    return (log_mgf(theta) + x) / theta, theta


def bernoulli_terms(p: float, weight: float, s: float, values) -> np.ndarray:
    """ln E e^{s weight a B} = ln(1 - p + p e^{s weight a}) for B ~ Bernoulli(p), elementwise in a (no overflow)."""
    return np.logaddexp(math.log1p(-p), math.log(p) + s * weight * np.asarray(values, dtype=np.float64))


def bernoulli_log_mgf(masses, p: float, weight: float, slots: float, s: float) -> float:
    """ln E e^{s V} for V = weight sum_{slots} sum_j a_j B_j, B_j ~ Bernoulli(p) independent (``masses``:
    (values, counts) of the a_j)."""
    values, counts = masses
    return slots * float((counts * bernoulli_terms(p, weight, s, values)).sum())


@cites("tropp2012")
def matrix_chernoff_top(mu: float, R: float, dim: int, x: float) -> float:
    """L with P(lambda_max(Y) >= L) <= e^-x for Y = sum_k X_k, independent PSD dim x dim X_k with
    lambda_max(X_k) <= R and lambda_max(E Y) <= mu:

        P(lambda_max(Y) >= (1 + u) mu) <= dim [e^u / (1 + u)^(1 + u)]^(mu / R)

    (Tropp 2012, Theorem 1.1; its proof bounds P(lambda_max >= t) by dim exp(-theta t + (e^{theta R} - 1) mu / R),
    which grows with mu, so an upper bound on lambda_max(E Y) may stand for it), solved for u."""
    need = x + math.log(dim)

    def excess(u):
        return mu / R * ((1.0 + u) * math.log1p(u) - u) - need

    hi = 1.0
    while excess(hi) < 0:
        hi *= 2.0
    return mu * (1.0 + optimize.brentq(excess, 0.0, hi, xtol=1e-10, rtol=1e-12))


@cites("hsu_kakade_zhang2012", "chernoff1952")
def signed_sum_chernoff(masses, p: float, weight: float, slots: float, L: float, x: float, h_sq: float = 0.0):
    """(t, theta, s) with P(||h + sum_l eps_l v_l||^2 >= t and lambda_max(C) <= L) <= e^-x, where given the supports
    the eps_l are independent signs, C = sum_l v_l v_l^T, V = tr C = weight sum_{slots} sum_j a_j B_j and h is
    independent of them with ||h||^2 <= ``h_sq``:

        E[e^{theta ||h + sum eps_l v_l||^2} | supports, h] <= det(I - 2 theta C)^{-1/2} e^{theta h^T (I - 2 theta C)^{-1} h}
                                                          <= exp(theta h_sq / (1 - 2 theta L) + s V),
        s = -ln(1 - 2 theta L) / (2 L),

    on lambda_max(C) <= L, for 0 < theta < 1 / (2 L).  The first step writes e^{theta ||y||^2} = E_w e^{sqrt(2 theta)
    <w, y>} with w ~ N(0, I_d), bounds E cosh(c) <= e^{c^2 / 2} (the argument of Hsu, Kakade & Zhang 2012, Thm 1) and
    integrates the Gaussian w; the second holds because -ln(1 - 2 theta mu) / 2 is convex in the eigenvalue mu and 0
    at 0, so at most mu / L times its value at L.  With V's exact moment generating function (``bernoulli_log_mgf``),
    Chernoff gives t = h_sq / (1 - 2 theta L) + (ln E e^{s V} + x) / theta, minimised over theta (every theta is
    valid).  The caller subtracts a row's own term (``bernoulli_terms`` at s, over theta) where it is surely among
    ``masses``."""
    def value(u):
        theta = u / (2.0 * L)
        s = -math.log1p(-u) / (2.0 * L)
        return h_sq / (1.0 - u) + (bernoulli_log_mgf(masses, p, weight, slots, s) + x) / theta

    grid = np.linspace(0.05, 0.95, 19)
    u0 = float(grid[np.argmin([value(u) for u in grid])])
    res = optimize.minimize_scalar(value, bounds=(max(u0 - 0.05, 1e-6), min(u0 + 0.05, 1 - 1e-6)), method="bounded",
                                   options={"xatol": 1e-7})
    u = float(res.x) if res.fun < value(u0) else u0
    return value(u), u / (2.0 * L), -math.log1p(-u) / (2.0 * L)


@cites("this_module")
def collided_norm_quantiles(masses, p: float, weight: float, slots: float, taus, deltas, points: int = 4096) -> np.ndarray:
    """w[j, l] with P(W_j > w[j, l]) <= deltas[l] for W_j = sum_{slots} sum_{a_m >= taus[j]} B_m sqrt(weight a_m),
    B_m ~ Bernoulli(p) independent (``masses``: (values, counts) of the a_m, rounded up).

    The exact law of W_j, up to rounding each term up to a grid of step h = 16 sqrt(weight max a) / points, by
    convolution bin by bin from the heaviest down (the count of terms from a bin of c rows is Binomial(c slots, p));
    the heavy sets are nested, so one sweep gives every tau.  What lies beyond the grid, or beyond a binomial's
    last resolved count (tail < 1e-20), counts as exceeding every w; w is inf where the grid's end exceeds delta."""
    values, counts = masses
    order = np.argsort(values)[::-1]
    h = 16.0 * math.sqrt(weight * float(values[order[0]])) / points
    order = order[values[order] >= min(taus)]  # the lighter bins are in no W_j
    values, counts = values[order], counts[order]
    norms = np.sqrt(weight * values)
    steps = np.ceil(norms / h).astype(np.int64)
    trials = np.rint(counts * slots)
    last = np.minimum(trials, np.floor(trials * p + 20.0 * np.sqrt(trials * p) + 30.0))
    ks = np.arange(int(last.max()) + 1)
    laws = np.where(ks[None, :] <= last[:, None], stats.binom.pmf(ks[None, :], trials[:, None], p), 0.0)
    unresolved = stats.binom.sf(last, trials, p)
    pmf = np.zeros(points + 1)
    pmf[0] = 1.0
    beyond, b = 0.0, 0
    out = np.full((len(taus), len(deltas)), np.inf)
    for j, tau in sorted(enumerate(taus), key=lambda jt: -jt[1]):
        while b < values.size and values[b] >= tau:
            beyond += float(unresolved[b])
            new = np.zeros_like(pmf)
            for kk, wk in zip(ks[: int(last[b]) + 1], laws[b, : int(last[b]) + 1]):
                shift = int(kk * steps[b])
                if shift > points:
                    beyond += wk * float(pmf.sum())
                    continue
                new[shift:] += wk * pmf[: points + 1 - shift]
                beyond += wk * float(pmf[points + 1 - shift:].sum())
            pmf, b = new, b + 1
        above = np.cumsum(pmf[::-1])[::-1] - pmf + beyond  # P(W > grid point i)
        for m, delta in enumerate(deltas):
            ok = np.flatnonzero(above <= delta)
            if ok.size:
                out[j, m] = ok[0] * h
    return out


def light_below(masses, tau: float):
    """The mass bins with values below tau, as (values, counts), or None when there are none."""
    values, counts = masses
    below = values < tau
    return (values[below], counts[below]) if below.any() else None


def light_masses(masses, heavy_rows: float):
    """The masses left after the ``heavy_rows`` largest rows (whole rows, rounded down) are set aside:
    the chance that one of s_i's slots meets any of them is at most heavy_rows slots p (a union bound),
    so with that probability spent, V is a sum over the light rows only.  At least one row is kept."""
    values, counts = masses
    h = int(min(max(heavy_rows, 0.0), counts.sum() - 1))
    order = np.argsort(values)[::-1]
    v, c = values[order], counts[order].copy()
    drop = np.searchsorted(np.cumsum(c), h, side="right")
    removed = c[:drop].sum()
    c, v = c[drop:], v[drop:]
    c[0] -= h - removed
    keep = c > 0
    return (v[keep], c[keep]), h


def survival_edges(levels: int = 400, floor: float = 1e-16) -> np.ndarray:
    """Cumulative probabilities 0 < c_0 < ... < c_L < 1 dense in both tails: bin edges of an upper sum."""
    tail = np.geomspace(floor, 0.5, levels)
    return np.unique(np.concatenate([tail, 1.0 - tail[::-1]]))


def lower_lookup(grid: np.ndarray, values: np.ndarray, t) -> np.ndarray:
    """values at the largest grid point <= t (1 below the grid): for a decreasing tail function this is
    an upper bound at t."""
    pos = np.searchsorted(grid, t, side="right") - 1
    return np.where(pos >= 0, values[np.clip(pos, 0, None)], 1.0)


@cites("laurent_massart2000", "chernoff1952", "this_module")
def gaussian_form_tail(eigenvalues, grid_points: int = 3000, theta_points: int = 400):
    """(t grid, P-bound): an upper bound on P(g^T G g >= t) on a grid of t, decreasing in t.

    g^T G g = lambda_1 g_1^2 + R with R = sum_{j >= 2} lambda_j g_j^2 independent of g_1.  P(R >= r) is
    bounded by the smaller of Laurent-Massart (Lemma 1, solved for x) and the Chernoff bound with R's exact
    moment generating function (min over a grid of theta: each theta gives a valid bound).  Then
    P(Q >= t) <= sum_b P(g_1^2 in [u_b, u_b+1)) P(R >= t - lambda_1 u_b+1) + P(g_1^2 >= u_max), an upper
    Riemann sum over the exact chi^2_1 law of g_1^2; the Chernoff and Laurent-Massart bounds on Q itself
    are taken where smaller."""
    lam = np.sort(np.asarray(eigenvalues, dtype=np.float64)[np.asarray(eigenvalues) > 0])
    top, rest = lam[-1], lam[:-1]
    hi = lam.sum() + 2.0 * np.sqrt((lam**2).sum() * 80.0) + 2.0 * top * 80.0
    t = np.concatenate([[0.0], np.geomspace(lam.sum() * 1e-4, hi, grid_points)])

    def bound(weights, tt):
        if weights.size == 0:
            return (tt <= 0).astype(float)
        out = np.ones_like(tt)
        fro, big, tr = np.sqrt((weights**2).sum()), weights.max(), weights.sum()
        above = tt > tr
        # Laurent-Massart solved for x: tt = tr + 2 fro sqrt(x) + 2 big x
        z = (-fro + np.sqrt(fro**2 + 2.0 * big * np.clip(tt - tr, 0, None))) / (2.0 * big)
        out = np.where(above, np.minimum(out, np.exp(-(z**2))), out)
        theta = (0.5 / big) * np.linspace(1e-4, 1.0 - 1e-4, theta_points)
        log_mgf = -0.5 * np.log1p(-2.0 * theta[:, None] * weights[None, :]).sum(axis=1)
        chern = np.exp(np.min(log_mgf[:, None] - theta[:, None] * tt[None, :], axis=0))
        return np.minimum(out, chern)

    phi_rest = bound(rest, t)
    levels = np.concatenate([[0.0], survival_edges()])
    edges = stats.chi2.ppf(levels, 1)
    mass = np.diff(levels)
    conv = (mass[None, :] * lower_lookup(t, phi_rest, t[:, None] - top * edges[None, 1:])).sum(axis=1) + 1.0 - levels[-1]
    return t, np.minimum(np.minimum(conv, bound(lam, t)), 1.0)


def gaussian_tail_floor() -> float:
    """The smallest failure probability ``gaussian_bounds`` resolves: the chi^2 mass outside its bins."""
    levels = survival_edges()
    return float(levels[0] + 1.0 - levels[-1])


#: below this c = x M^2 / b^2, ``bennett_radius`` returns the Bernstein radius (Lambert's W loses c's digits there)
BENNETT_MIN_C = 1e-6


@cites("pinelis1994", "this_module")
def bennett_radius(b_sq, M, x: float):
    """The r at which 2 exp(-(b^2 / M^2) h(r M / b^2)) = 2 e^-x, h(u) = (1 + u) ln(1 + u) - u: with that
    probability at most, the sum S of independent mean-zero vectors X_t of a Hilbert space with ||X_t|| <= M and
    sum E||X_t||^2 <= b^2 has ||S|| >= r.  Arrays broadcast; r = 0 where b^2 = 0 (then every X_t is 0).

    Proof (the Hilbert-space case of Pinelis 1994, written out).  For fixed y and mean-zero X, phi(t) =
    cosh(lambda ||y + t X||) has phi'(0) of mean zero and phi''(t) <= lambda^2 ||X||^2 cosh(lambda ||y||) e^{lambda t ||X||}
    (the Hessian of cosh(lambda ||z||) is lambda^2 cosh(lambda ||z||) along z and lambda sinh(lambda ||z||) / ||z||
    <= lambda^2 cosh(lambda ||z||) across it), so Taylor's formula gives E cosh(lambda ||y + X||) <=
    cosh(lambda ||y||) (1 + E g(lambda ||X||)), g(u) = e^u - 1 - u.  As g(u) / u^2 grows, E g(lambda ||X||) <=
    (E||X||^2 / M^2) g(lambda M); conditioning on the earlier terms, E cosh(lambda ||S||) <= exp((b^2 / M^2) g(lambda M)).
    Markov's inequality with cosh(lambda r) >= e^{lambda r} / 2 at lambda = ln(1 + r M / b^2) / M gives the tail.
    h(u) = c is solved in closed form: u = exp(1 + W((c - 1) / e)) - 1, W the principal branch of Lambert's W.
    Below c = 1e-6 that form loses c's digits near the branch point, so the Bernstein radius
    M x / 3 + sqrt((M x / 3)^2 + 2 b^2 x) is returned instead: larger, and valid, as h(u) >= u^2 / (2 (1 + u / 3)).
    ``b_sq`` and ``M`` broadcast (M > 0 and both finite); ``x`` is a scalar.
    """
    b_sq, M = np.broadcast_arrays(np.asarray(b_sq, dtype=np.float64), np.asarray(M, dtype=np.float64))
    out = np.zeros(b_sq.shape)
    pos = b_sq > 0
    bp, mp = b_sq[pos], M[pos]
    c = x * mp**2 / bp
    lam = np.expm1(1.0 + special.lambertw((np.maximum(c, BENNETT_MIN_C) - 1.0) / math.e).real) * bp / mp
    bernstein = mp * x / 3.0 + np.sqrt((mp * x / 3.0) ** 2 + 2.0 * bp * x)
    out[pos] = np.where(c < BENNETT_MIN_C, bernstein, lam)
    return out
