"""The tail bounds the per-row certificates combine (``theory.certificates``), each a function of E's
statistics and a failure probability: Laurent & Massart's bound and the Chernoff bound with the exact
moment generating function for Gaussian quadratic forms, the Chernoff bound for a weighted sum of
Bernoulli row masses with its heavy rows set aside, and an upper bound on the whole tail of g^T G g
on a grid (an upper Riemann sum over the exact chi^2_1 law of its top term).
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, stats

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
    values, counts = masses
    top = float(values.max())

    def log_mgf(theta):
        return slots * float((counts * np.log1p(p * np.expm1(theta * weight * values))).sum())

    upper = 60.0 / (weight * top)
    res = optimize.minimize_scalar(lambda u: (log_mgf(upper * u) + x) / (upper * u), bounds=(1e-9, 1.0),
                                   method="bounded", options={"xatol": 1e-7})
    theta = upper * float(res.x)
    return (log_mgf(theta) + x) / theta, theta


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
