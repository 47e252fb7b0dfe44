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


def bernoulli_log_mgf(masses, p: float, weight: float, slots: float, s):
    """ln E e^{s V} for V = weight sum_{slots} sum_j a_j B_j, B_j ~ Bernoulli(p) independent (``masses``:
    (values, counts) of the a_j); a float for a scalar s, an array of the same shape for an array of s."""
    values, counts = masses
    out = slots * (bernoulli_terms(p, weight, np.asarray(s, dtype=np.float64)[..., None], values) @ counts)
    return float(out) if np.ndim(s) == 0 else out


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


@cites("tropp2012")
def matrix_cumulant_top(masses, p: float, weight: float, slots: float, eigenvalues, x: float) -> float:
    """L with P(lambda_max(C) >= L) <= e^-x for C = weight sum_{slots} sum_j B_j E_j E_j^T, B_j ~ Bernoulli(p)
    independent, the a_j = ||E_j||^2 in ``masses`` (rounded up) and sum_j E_j E_j^T <= G (``eigenvalues``: G's).

    Tropp (2012, Theorem 3.6, the master bound from Lieb's theorem): P(lambda_max(C) >= t) <= inf_theta e^{-theta t}
    tr exp(sum log E e^{theta X}).  A term X = B weight E_j E_j^T is rank one, so log E e^{theta X} =
    (l(a_j) / a_j) E_j E_j^T with l(a) = ln(1 - p + p e^{theta weight a}) >= theta weight p a (Jensen); split it as
    theta weight p E_j E_j^T + (l(a_j) / a_j - theta weight p) E_j E_j^T <= theta weight p E_j E_j^T + (l(a_j) -
    theta weight p a_j) I, the excess growing with a_j (so rounding a_j up is safe).  Summed, with tr exp monotone:

        P(lambda_max(C) >= t) <= exp(-theta t + psi(theta)) sum_k exp(theta weight p slots lambda_k(G)),
        psi(theta) = slots sum_j (l(a_j) - theta weight p a_j),

    minimised over theta on a grid (every theta is valid).  Unlike ``matrix_chernoff_top`` it pays for the light
    rows' own sizes, not for each as large as the largest, and for G's spectrum, not for dim copies of its top."""
    values, counts = masses
    mu = weight * p * slots * np.asarray(eigenvalues, dtype=np.float64)
    linear = weight * p * slots * float((values * counts).sum())
    theta = np.geomspace(1e-3, 1e3, 300) / (weight * float(values.max()))
    psi = bernoulli_log_mgf(masses, p, weight, slots, theta) - theta * linear
    spectrum = np.log(np.exp(theta[:, None] * (mu[None, :] - mu.max())).sum(axis=1))
    return float((mu.max() + (x + psi + spectrum) / theta).min())


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


#: |S|'s grid in ``collided_sign_laws``: up to ``SIGN_RANGE`` times the largest collided norm, in ``SIGN_POINTS`` steps
SIGN_RANGE = 8.0
SIGN_POINTS = 1024
#: the groups of collided sets in ``collided_sign_laws``, by W = sum of their norms in steps of SIGN_RANGE max r / W_GROUPS
W_GROUPS = 64
#: ``collided_sign_laws`` stops where the heavy rows' expected count of collided terms passes this: a heavier share
#: of the sum is better bounded as light, and the convolution's cost grows with the count
MAX_COLLISIONS = 256.0


def _collide(pmf: np.ndarray, kw: int, ks: int):
    """One more collided norm, kw steps of W's groups and ks steps of |S|'s grid (both at least 1, ks at most the
    grid's size over SIGN_RANGE), with a random sign: the group moves up by kw (the last group takes every W beyond),
    |S| -> |S| + ks or ||S| - ks| (each with probability 1/2, as S's law is symmetric).  Returns the new law and the
    mass pushed past |S|'s grid."""
    G, P = pmf.shape[0] - 1, pmf.shape[1] - 1
    moved = np.zeros_like(pmf)
    moved[kw:] = pmf[: G + 1 - kw]
    moved[G] += pmf[G + 1 - kw:].sum(axis=0)
    new = np.zeros_like(pmf)
    new[:, ks:] += 0.5 * moved[:, : P + 1 - ks]
    new[:, : P + 1 - ks] += 0.5 * moved[:, ks:]
    new[:, 1: ks + 1] += 0.5 * moved[:, ks - 1:: -1]
    return new, 0.5 * float(moved[:, P + 1 - ks:].sum())


@cites("this_module")
def collided_sign_laws(masses, p: float, weight: float, slots: float, taus, count_tail: float):
    """(h, pmf, beyond): for each tau in ``taus`` the joint law of (group, |S|) with S = sum_l eps_l r_l over the
    collided terms l of the rows with a_m >= tau: each of the slots x count trials of a mass bin collides with
    probability p independently and then adds r = sqrt(weight a_m) with a random sign eps_l.  The group is W = sum_l r_l
    in ``W_GROUPS`` steps (any function of the collided set will do: it only says which sets share a Chernoff theta).

    The r are rounded up to |S|'s grid of step h = ``SIGN_RANGE`` max r / ``SIGN_POINTS`` (E e^{c S^2} only grows
    with each r, so the rounded law is an upper bound for what it is used for); pmf[j] is (W_GROUPS + 1) x
    (SIGN_POINTS + 1), indexed by (group, |S| / h).  Runs of bins with the same rounded r are one Binomial(trials, p)
    count, followed until its upper tail is below ``count_tail``.  beyond[j] is what lies past |S|'s grid or past a
    count's last resolved value: counted as failure by the caller (1 for the taus past ``MAX_COLLISIONS``).  The heavy
    sets are nested, so one sweep from the heaviest gives every tau."""
    values, counts = masses
    order = np.argsort(values)[::-1]
    values, counts = values[order], counts[order]
    top = math.sqrt(weight * float(values[0]))
    h, group = SIGN_RANGE * top / SIGN_POINTS, SIGN_RANGE * top / W_GROUPS
    norms = np.sqrt(weight * values)
    steps, group_steps = np.ceil(norms / h).astype(np.int64), np.ceil(norms / group).astype(np.int64)
    pmf = np.zeros((W_GROUPS + 1, SIGN_POINTS + 1))
    pmf[0, 0] = 1.0
    beyond, b, expected = 0.0, 0, 0.0
    pmfs, beyonds = np.zeros((len(taus),) + pmf.shape), np.ones(len(taus))
    for j, tau in sorted(enumerate(taus), key=lambda jt: -jt[1]):
        expected += slots * p * float(counts[b:][values[b:] >= tau].sum())
        if expected > MAX_COLLISIONS:
            break
        while b < values.size and values[b] >= tau:
            run = b + int(np.searchsorted(-steps[b:], -steps[b], side="right"))
            run = min(run, b + int(np.searchsorted(-values[b:], -tau, side="right")))
            trials = float(np.rint(counts[b:run].sum() * slots))
            last = int(min(trials, stats.binom.isf(count_tail, trials, p)))
            ks = np.arange(last + 1)
            beyond += float(stats.binom.sf(last, trials, p))
            new, cur = np.zeros_like(pmf), pmf
            for kk, wk, above in zip(ks, stats.binom.pmf(ks, trials, p), stats.binom.sf(ks, trials, p)):
                new += wk * cur
                if kk < last:
                    cur, lost = _collide(cur, int(group_steps[b]), int(steps[b]))
                    beyond += float(above) * lost
            pmf, b = new, run
        pmfs[j], beyonds[j] = pmf, beyond
    return h, pmfs, beyonds


#: the values of u = 2 theta L at which ``heavy_light_quantile`` evaluates its Chernoff bounds (any u in (0, 1) is valid)
SHIFT_U = np.linspace(0.02, 0.98, 25)


@cites("hsu_kakade_zhang2012", "chernoff1952", "this_module")
def heavy_light_quantile(h: float, pmf: np.ndarray, beyond: float, light, p: float, weight: float, slots: float, L: float,
                         delta: float) -> float:
    """r with P(||y + sum_l eps_l v_l|| >= r, lambda_max(C) <= L) <= delta, where y = sum of the heavy collided
    +-v_m (||v_m|| = r_m) is independent of the light sum sum_l eps_l v_l (``signed_sum_chernoff``'s, over the rows
    of ``light``), and (W, |S|) has the law ``pmf`` on the grid h (``collided_sign_laws``) with ``beyond`` lost.

    - Given the heavy terms (their signs too), ``signed_sum_chernoff``'s moment bound with h_sq = ||y||^2 gives, for
      theta = u / (2 L), E[e^{theta ||y + sum||^2}; lambda_max(C) <= L | y] <= exp(theta ||y||^2 / (1 - u) + ln E e^{s V}).
    - Over the heavy signs, E e^{c ||sum eps_m v_m||^2} <= E e^{c (sum eps_m r_m)^2} = E e^{c S^2} for c >= 0: expand
      both in powers; every monomial's expectation over the signs is 0 or 1 and |<v_m, v_m'>| <= r_m r_m'.
    - theta may depend on the collided set (not on the signs): for each W grid value w, Chernoff's bound is summed over
      the collided sets with that W, P(... and W = w) <= min_u e^{-theta t} E e^{s V} E[e^{theta S^2 / (1 - u)}; W = w],
      at most P(W = w).

    Summed over w, with ``beyond``; t is found by bisection (inf where beyond alone exceeds delta)."""
    if beyond >= delta:
        return math.inf
    mass = pmf.sum(axis=1)
    rows, cols = np.flatnonzero(mass > 0), np.flatnonzero(pmf.sum(axis=0) > 0)[-1] + 1  # past cols the law is 0
    sq = (np.arange(cols) * h) ** 2
    top_sq = sq[-1]
    if light is None:  # no light rows: the heavy sum is all there is, and theta is free
        theta = np.geomspace(1e-4, 1e2, SHIFT_U.size) / max(top_sq, h * h)
        factor, mgf = theta, np.zeros(theta.size)
    else:
        u = SHIFT_U
        theta, factor = u / (2.0 * L), u / (2.0 * L) / (1.0 - u)
        mgf = bernoulli_log_mgf(light, p, weight, slots, -np.log1p(-u) / (2.0 * L))
    with np.errstate(divide="ignore"):
        exponent = np.log(pmf[rows, :cols])[:, None, :] + factor[None, :, None] * sq[None, None, :]
    top = exponent.max(axis=2)
    log_phi = top + np.log(np.exp(exponent - top[:, :, None]).sum(axis=2))  # ln E[e^{factor S^2}; group]
    shift, mass = log_phi + mgf[None, :], mass[rows]

    def tail(t):
        return beyond + float(np.minimum(mass, np.exp(np.minimum(0.0, (shift - theta[None, :] * t).min(axis=1)))).sum())

    hi = top_sq + h * h + (0.0 if light is None else 2.0 * L)
    while tail(hi) > delta:
        hi *= 2.0
    lo = 0.0
    while hi - lo > 1e-9 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if tail(mid) > delta else (lo, mid)
    return math.sqrt(hi)


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
