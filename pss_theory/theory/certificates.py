"""Per-row certificates: a bound B_i on ||Mhat_i - E_i|| for every row in scope at once, before S is drawn.

For a sketch S (k x n) with columns s_j = S e_j, the read-back error of row i is

    Mhat_i - E_i = (q_i - 1) E_i + sum_{j != i} <s_i, s_j> E_j,        q_i = ||s_i||^2.

Conditioned on what makes row i's column (and, for hashing sketches, the hash), the sum is either a
Gaussian vector (Gaussian S) or a Rademacher sum of vectors (+-1 entries, sparse sign sketches), and
its size is set by statistics of E that one pass gives: the eigenvalues of the Gram G = E^T E (trace
||E||_F^2, Frobenius norm ||G||_F, largest sigma^2) and the row masses a_j = ||E_j||^2.  Each row
gets delta / m of the failure probability (m rows in scope: rho_i > rho), split between the events
below; the union bound makes B_i hold for all m rows together with probability >= 1 - delta.

Laws (the derivations are written out in paper_appendix.md, "Beyond the paper: per-row certificates"):

- ``GaussianLaw`` (S_rj ~ N(0, 1/k)): q ~ chi^2_k / k exactly (two-sided quantiles from scipy), and
  independently of q the sum is sqrt(q / k) Sigma_i^{1/2} g with Sigma_i = G - E_i^T E_i, g ~ N(0, I_d).
  The quadratic form g^T Sigma_i g is bounded by Laurent & Massart (2000, Lemma 1) with trace
  ||E||_F^2 - a_i, ||a||_2 <= ||G||_F and ||a||_inf <= sigma^2 (Weyl: Sigma_i <= G), or by the Chernoff
  bound with the exact moment generating function of g^T G g >= g^T Sigma_i g, whichever is smaller.
- ``SignedSumLaw`` (Rademacher, Achlioptas, CountSketch, OSNAP): conditioned on the supports (and the
  hash) the sum is sum_l eps_l v_l with independent signs eps_l, V = sum_l ||v_l||^2 a sum of weighted
  Bernoulli variables (Chernoff bound with its exact moment generating function), and
  ||sum eps_l v_l|| <= sqrt(V) + min(sqrt(2 V x), sqrt(8 L^2 x)) with probability >= 1 - e^-x: bounded
  differences (McDiarmid 1989; Boucheron, Lugosi & Massart 2013, Thm 6.2) or convex Lipschitz
  functions of independent bounded variables (ibid., Thm 6.10), L^2 the largest eigenvalue of
  sum_l v_l v_l^T.  E||.|| <= sqrt(E||.||^2) = sqrt(V).  CountSketch and OSNAP also have ``hashing_bounds``: the
  heavy rows' collided terms by their exact law and the light rows' by the joint Chernoff bound given them, the
  tails summed over the heavy law instead of split between the two in advance.

- ``SRHTLaw``: given the signs, a sample without replacement of the rows of H D E (``srht_bounds``).

A bound with a constant that is not proven (a law with ``proven`` False) is a ``prediction``, never a
``certificate``.  Choosing the smallest of several valid bounds, or the best
split of delta / m, is a function of E only, so it keeps the guarantee.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from .. import validate as V
from .cert_tails import (
    bennett_radius,
    bernoulli_mass_chernoff,
    bernoulli_terms,
    collided_sign_laws,
    gaussian_form_chernoff,
    gaussian_form_tail,
    gaussian_tail_floor,
    heavy_light_quantile,
    light_below,
    light_masses,
    lower_lookup,
    matrix_chernoff_top,
    matrix_cumulant_top,
    signed_sum_chernoff,
    survival_edges,
)
from .row_laws import GaussianLaw, SignedSumLaw, SRHTLaw
from .sources import cites

#: the fractions of a row's delta / m given to the tail of the sum (the rest to the column's norm or V);
#: the best is taken per row (a function of E only)
SPLITS = (0.5, 0.7, 0.85, 0.95)
#: row masses are rounded up to bins of this relative width for the moment generating function (an
#: upper bound: the function grows with each mass), so one evaluation costs O(bins), not O(n)
MASS_BIN = 1e-2
#: the rows at or above these fractions of the largest row mass are the heavy rows whose collided terms
#: ``hashing_bounds`` takes by their exact law (each fraction a candidate bound)
HEAVY_FRACTIONS = (0.1, 0.03, 0.01, 0.003, 0.001, 3e-4, 1e-4)
#: row masses ``gaussian_bounds`` bisects at (at most): a row uses the grid point at or above its own
GRID_POINTS = 256


@dataclass(frozen=True)
class TableStats:
    """What one pass over E gives: the Gram's eigenvalues and every row's squared norm ||E_j||^2."""

    n: int
    d: int
    gram_eigenvalues: np.ndarray  # ascending, clipped at 0
    row_sq: np.ndarray | None  # a_j = ||E_j||^2, n entries (None when built from summaries)
    masses: tuple = field(default=None, repr=False)  # (values, counts): a_j rounded up to MASS_BIN bins
    frobenius_sq: float = 0.0  # sum_j a_j = ||E||_F^2
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # tails that depend on E only

    @classmethod
    def from_gram(cls, gram, row_norms) -> TableStats:
        a = np.asarray(row_norms, dtype=np.float64) ** 2
        pos = a[a > 0]
        top = float(pos.max()) if pos.size else 0.0
        return cls.from_summaries(gram, a.size, float(a.sum()), top, mass_bins(pos, top), a)

    @classmethod
    def from_summaries(cls, gram, n: int, frobenius_sq: float, top: float, bins: dict, row_sq=None) -> TableStats:
        """From what a read of the rows can merge chunk by chunk: sum_j a_j, max_j a_j and the counts of
        ``mass_bins`` (row_sq, the n-long a_j, only where it is at hand: ``scope`` needs it)."""
        ev = np.clip(np.linalg.eigvalsh(np.asarray(gram, dtype=np.float64)), 0.0, None)
        values = np.array(sorted(bins), dtype=np.float64)
        counts = np.array([bins[v] for v in sorted(bins)], dtype=np.float64)
        masses = (top * np.exp(values * math.log1p(MASS_BIN)) * (1 + 1e-12), counts)
        return cls(n, ev.size, ev, row_sq, masses, frobenius_sq)

    @property
    def gram_frobenius(self) -> float:
        """||E^T E||_F = sqrt(sum of squared Gram eigenvalues)."""
        return float(np.sqrt((self.gram_eigenvalues**2).sum()))

    @property
    def sigma_sq(self) -> float:
        return float(self.gram_eigenvalues[-1])

    @property
    def rho(self) -> np.ndarray:
        return np.sqrt(self.row_sq / self.sigma_sq)

    def scope(self, rho: float) -> np.ndarray:
        """Rows with rho_i > rho (Theorem 7's rows), as indices."""
        return np.flatnonzero(self.rho > rho)


@dataclass
class Certificate:
    """B_i for the rows in scope, eps_cert_i = B_i / ||E_i||, and what kind of guarantee it is."""

    family: str
    k: int
    delta: float
    rho: float
    rows: np.ndarray
    bound: np.ndarray
    eps: np.ndarray
    kind: str  # "certificate", "prediction" or "n/a"
    sources: tuple
    note: str = ""

    @property
    def m(self) -> int:
        return int(self.rows.size)

    @property
    def eps_max(self) -> float | None:
        return float(self.eps.max()) if self.eps.size else None

    def per_row(self, n: int) -> np.ndarray:
        """eps_cert_i for all n rows: NaN outside the rows in scope."""
        out = np.full(n, np.nan)
        out[self.rows] = self.eps
        return out


@cites("laurent_massart2000", "chernoff1952", "this_module")
def gaussian_bounds(st: TableStats, law: GaussianLaw, a: np.ndarray, delta_row: float, a_points: int = GRID_POINTS,
                    grid: np.ndarray | None = None) -> np.ndarray:
    """B_i for Gaussian S: the smallest B with P(||Mhat_i - E_i|| > B) <= delta_row by this bound:

    ||Mhat_i - E_i|| <= |q - 1| ||E_i|| + sqrt(q / k) sqrt(Q), q ~ chi^2_k / k independent of
    Q = g^T Sigma_i g <= g^T G g, so P(> B) <= sum_c P(q in bin c) P(Q >= k ((B - D_c ||E_i||)_+ / sqrt(q_c+))^2)
    + P(q outside the bins), with D_c = max |q - 1| over bin c and q_c+ its top (an upper Riemann sum over
    the exact chi^2_k law; P(Q >= .) from ``gaussian_form_tail``).  B is found by bisection (the sum falls
    as B grows) on a grid of row masses; a row uses the grid point at or above its own ||E_i||^2, which
    only enlarges the bound.  ``grid`` (``mass_grid`` of all the rows in scope) lets the rows be bounded
    a chunk at a time with the same numbers.

    The upper sum never falls below the mass outside the bins (``gaussian_tail_floor``, ~1.1e-16: 1 - c_L
    cannot be smaller in float64): for a budget ``delta_row`` below it no B is certified and B_i is inf
    (vacuous), never the bisection's starting value."""
    k = law.k
    if "gaussian_form_tail" not in st.cache:
        st.cache["gaussian_form_tail"] = gaussian_form_tail(st.gram_eigenvalues)
    tq, phi = st.cache["gaussian_form_tail"]
    levels = survival_edges()
    qe = stats.chi2.ppf(levels, k) / k
    mass = np.diff(levels)
    outside = levels[0] + 1.0 - levels[-1]
    dev = np.maximum(np.abs(qe[:-1] - 1.0), np.abs(qe[1:] - 1.0))
    if grid is None:
        grid = mass_grid(a.size, a.min(), a.max(), a, a_points)
    root_a = np.sqrt(grid)[:, None]

    def tail(B):
        room = np.clip(B[:, None] - dev[None, :] * root_a, 0.0, None)
        return (mass[None, :] * lower_lookup(tq, phi, k * room**2 / qe[None, 1:])).sum(axis=1) + outside

    lo = np.zeros(grid.size)
    hi = np.sqrt(grid) * (qe[-1] + 1.0) + np.sqrt(qe[-1] / k * tq[-1])
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        ok = tail(mid) <= delta_row
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    hi = np.where(tail(hi) <= delta_row, hi, np.inf)
    return hi[np.searchsorted(grid, a * (1 - 1e-12))]


def vacuous_note(bad: int, m: int, delta_row: float) -> str:
    """What to say when ``bad`` of the ``m`` B_i are inf: which budget the bound could not reach ("" when none)."""
    if not bad:
        return ""
    return (f"vacuous (B_i = inf) on {bad:,} of {m:,} rows: the budget delta / m = {delta_row:.3g} is below "
            f"the smallest tail the bound resolves ({gaussian_tail_floor():.2g}); a larger delta or fewer rows in "
            "scope (a larger rho) give finite bounds")


@cites("boucheron2013", "hsu_kakade_zhang2012", "tropp2012", "chernoff1952", "this_module")
def signed_sum_bounds(st: TableStats, law: SignedSumLaw, a: np.ndarray, delta_row: float) -> np.ndarray:
    """B_i for a sketch whose error is a Rademacher sum given supports and hash: with probability
    >= 1 - delta_row, ||Mhat_i - E_i|| <= |q - 1|_max ||E_i|| + R_i with R_i the smallest of:

    - the sum's norm given V: sqrt(V_hi) + min(sqrt(2 V_hi x), sqrt(8 L^2 x)), L^2 <= min(V_hi, slots_hi weight
      sigma^2), x = ln(1 / (f delta_row)), with V <= V_hi by Chernoff (``bernoulli_mass_chernoff``) once the
      heaviest rows are set aside (``light_masses``);
    - the joint Chernoff bound on its square over signs and supports (``signed_sum_chernoff``) with
      lambda_max(C) <= L, L the smaller of V_hi and the matrix Chernoff bound (``matrix_chernoff_top``) for
      C = weight sum_{slots} sum_j B_j E_j^T E_j, E C <= weight p slots G; where every slot meets every row
      (dense signs) C <= G / k is fixed and the Gaussian form's Chernoff bound applies with all of delta_row;
    - for hashing sketches whose slots do not meet every row, also ``hashing_bounds`` (the heavy rows' collisions by
      their exact law).  It is the smaller one wherever collisions are common; where they are rare (k far above
      n), the first, whose V has an unbounded Chernoff parameter, is.

    The rest of delta_row bounds the column's nonzero count (two-sided, exact binomial quantiles), the heavy
    rows and V or L; choosing the smallest bound, and the best split f, is a function of E only."""
    best = np.full(a.shape, np.inf)
    if law.p >= 1.0:  # the dense-sign bound spends all of delta_row, whatever the split
        every = float(law.k if law.slots is None else law.slots)
        dense = np.sqrt(gaussian_form_chernoff(law.weight * every * st.gram_eigenvalues, math.log(1.0 / delta_row)))
    for f in SPLITS:
        rest = (1.0 - f) * delta_row
        if law.density is None:
            diag, slots, dv = 0.0, float(law.slots), rest
        elif law.density >= 1.0:
            diag, slots, dv = 0.0, float(law.k), 0.0
        else:
            dq = rest / 4.0
            n_hi = stats.binom.ppf(1.0 - dq, law.k, law.density)
            n_lo = stats.binom.ppf(dq, law.k, law.density)
            c2 = 1.0 / (law.density * law.k)
            diag, slots, dv = max(c2 * n_hi - 1.0, 1.0 - c2 * n_lo), float(n_hi), rest / 2.0
        x = math.log(1.0 / (f * delta_row))
        if law.p >= 1.0:
            v = law.weight * slots * (st.frobenius_sq - a)  # every slot meets every row: V is fixed
            joint = dense
        else:
            light, _ = light_masses(st.masses, dv / 2.0 / (slots * law.p))
            v_hi, theta = bernoulli_mass_chernoff(light, law.p, law.weight, slots, math.log(2.0 / dv))
            v = v_hi - own_terms(law, slots, theta, a, light) / theta
            joint = joint_bound(st, law, a, slots, light, dv / 2.0, x, v_hi)
        lip = np.minimum(v, slots * law.weight * st.sigma_sq)
        b = np.sqrt(v) + np.minimum(np.sqrt(2.0 * v * x), np.sqrt(8.0 * lip * x))
        best = np.minimum(best, diag * np.sqrt(a) + np.minimum(b, joint))
    if law.density is None and law.p < 1.0:
        best = np.minimum(best, hashing_bounds(st, law, a, delta_row))
    return best


#: the share of delta_row that ``hashing_bounds`` gives the matrix Chernoff bound on the light rows' lambda_max
LAMBDA_SHARE = 0.1
#: a heavy bin's count of collisions is followed until its tail is below this times delta_row
COUNT_TAIL = 1e-4


@cites("tropp2012", "hsu_kakade_zhang2012", "chernoff1952", "this_module")
def hashing_bounds(st: TableStats, law: SignedSumLaw, a: np.ndarray, delta_row: float) -> np.ndarray:
    """B_i for a hashing sketch (CountSketch, OSNAP: q = 1, ``slots`` nonzeros per column, each meeting row j's with
    probability p < 1): ||Mhat_i - E_i|| <= B_i with probability >= 1 - delta_row, the same B for every row.  Given the
    hashes the error is sum_l eps_l v_l over the collided terms (v = sqrt(weight) E_j, signs independent); B is the
    smallest over the heavy thresholds tau in {inf} and ``HEAVY_FRACTIONS`` x the top mass of:

    - the rows j with a_j >= tau (heavy) add y, and (W, |S|) over their collided terms has the law of
      ``collided_sign_laws`` (S = sum eps_l ||v_l||, which bounds ||y||'s moments);
    - the light rows (a_j < tau) add a Rademacher sum independent of y, with lambda_max(C) <= L, the smaller of two
      matrix Chernoff bounds (``matrix_chernoff_top``: E C <= weight p slots G, each term at most weight max light
      a_j; ``matrix_cumulant_top``: the light rows' own Bernoulli cumulants) at probability ``LAMBDA_SHARE``
      delta_row (all of delta_row goes to the sum where no row is light);
    - ``heavy_light_quantile`` adds the light sum's Chernoff tail given the heavy terms over their law with the rest.

    Two simplifications only make B larger, by Jensen's inequality (E f(y + eps v) >= f(y) for the convex
    f = e^{theta ||.||^2}, so a further independent signed term never lowers a moment used here, nor does it lower C):
    row i's own mass is left in the heavy law and in the light rows' moment generating function, though it cannot
    meet itself; and p = 1 / floor(k / s) is the collision probability of the smallest block, where a larger block
    thins the collisions.  Choosing the smallest tau is a function of E only."""
    slots, top = float(law.slots), float(st.masses[0].max())
    taus = [math.inf] + [frac * top for frac in HEAVY_FRACTIONS]
    h, pmfs, beyonds = collided_sign_laws(st.masses, law.p, law.weight, slots, taus, COUNT_TAIL * delta_row)
    best = math.inf
    x = math.log(1.0 / (LAMBDA_SHARE * delta_row))
    for tau, pmf, beyond in zip(taus, pmfs, beyonds):
        light = light_below(st.masses, tau)
        if light is None:  # every row is heavy: no light sum, no lambda_max to bound
            best = min(best, heavy_light_quantile(h, pmf, beyond, None, law.p, law.weight, slots, 0.0, delta_row))
            continue
        L = min(light_top(st, law, slots, light, x), matrix_cumulant_top(light, law.p, law.weight, slots, st.gram_eigenvalues, x))
        best = min(best, heavy_light_quantile(h, pmf, beyond, light, law.p, law.weight, slots, L,
                                              (1.0 - LAMBDA_SHARE) * delta_row))
    return np.full(np.shape(a), best)


def joint_bound(st: TableStats, law: SignedSumLaw, a: np.ndarray, slots: float, masses, d_top: float, x: float,
                v_hi: float = math.inf) -> np.ndarray:
    """sqrt(t) of ``signed_sum_chernoff`` over the rows of ``masses``,
    lambda_max(C) bounded by the smaller of ``v_hi`` (an upper bound on V, which already spent its probability)
    and the matrix Chernoff bound at probability ``d_top``, row i's own term taken out where it is surely among
    ``masses``."""
    top = light_top(st, law, slots, masses, math.log(1.0 / d_top))
    t, theta, s = signed_sum_chernoff(masses, law.p, law.weight, slots, min(v_hi, top), x)
    return np.sqrt(np.clip(t - own_terms(law, slots, s, a, masses) / theta, 0.0, None))


def light_top(st: TableStats, law: SignedSumLaw, slots: float, masses, x: float) -> float:
    """``matrix_chernoff_top`` for C = weight sum_{slots} sum_j B_j E_j^T E_j over the rows of ``masses``: E C <= weight
    p slots G, each term's top eigenvalue at most weight max a_j; fails with probability <= e^-x."""
    return matrix_chernoff_top(law.weight * law.p * slots * st.sigma_sq, law.weight * float(masses[0].max()), st.d, x)


def own_terms(law: SignedSumLaw, slots: float, s: float, a: np.ndarray, masses) -> np.ndarray:
    """slots ln E e^{s weight a_i B}: row i's own share of ln E e^{s V} over ``masses``, taken only where row i
    is surely among them (its mass well below their largest bin), else 0."""
    inside = a * (1.0 + 2.0 * MASS_BIN) < masses[0].max()
    return np.where(inside, slots * bernoulli_terms(law.p, law.weight, s, np.where(inside, a, 0.0)), 0.0)


@cites("this_module")
def certify(st: TableStats, law, family: str, k: int, delta: float, rho: float, rows: np.ndarray | None = None,
            masses: np.ndarray | None = None) -> Certificate:
    """The certificate of ``family`` (its ``row_law``) at k for the rows with rho_i > rho (or ``rows``):
    B_i holds for all of them together with probability >= 1 - delta (union over those rows only).
    ``masses``: the ||E_i||^2 of ``rows``, for a ``st`` made from summaries (no row_sq)."""
    delta = V.open_unit("delta", delta)
    rows = st.scope(rho) if rows is None else np.asarray(rows, dtype=np.int64)
    if law is None:
        return Certificate(family, k, delta, rho, rows, np.full(rows.size, np.nan), np.full(rows.size, np.nan), "n/a",
                           (), "not of the form S E: there is no column S e_i to condition on")
    if rows.size == 0:
        empty = np.zeros(0)
        return Certificate(family, k, delta, rho, rows, empty, empty, "certificate" if law.proven else "prediction",
                           law.sources, "no row has rho_i > rho")
    a = st.row_sq[rows] if masses is None else np.asarray(masses, dtype=np.float64)
    bound = row_bounds(st, law, a, delta / rows.size)
    note = "; ".join(part for part in (law.reason, vacuous_note(int((~np.isfinite(bound)).sum()), rows.size, delta / rows.size)) if part)
    return Certificate(family, k, delta, rho, rows, bound, bound / np.sqrt(a),
                       "certificate" if law.proven else "prediction", law.sources, note)


def row_bounds(st: TableStats, law, a: np.ndarray, delta_row: float, grid: np.ndarray | None = None) -> np.ndarray:
    """B_i of the rows with squared norms ``a``, each failing with probability <= delta_row (``grid``: see
    ``gaussian_bounds``)."""
    if isinstance(law, GaussianLaw):
        return gaussian_bounds(st, law, a, delta_row, grid=grid)
    if isinstance(law, SRHTLaw):
        return srht_bounds(st, law, a, delta_row)
    return signed_sum_bounds(st, law, a, delta_row)


@cites("hoeffding1963", "pinelis1994", "boucheron2013", "this_module")
def srht_bounds(st: TableStats, law: SRHTLaw, a: np.ndarray, delta_row: float) -> np.ndarray:
    """B_i for the SRHT S = P H_N D / sqrt(k) (``families.srht``: P takes k of the N rows without replacement):
    ||Mhat_i - E_i|| <= B_i with probability >= 1 - delta_row.

    - Given D, write y_r = (H D E)_r (E padded with zero rows to N).  Then Mhat_i = (1/k) sum_{r in P} D_i H_ri y_r,
      and over all N rows the vectors c_r = D_i H_ri y_r - E_i have mean 0 (H^T H = N I) and mean square
      v_i = ||E||_F^2 - a_i exactly, whatever D (||c_r + E_i|| = ||y_r||, sum_r ||y_r||^2 = N ||E||_F^2).  So
      k (Mhat_i - E_i) is the sum of k of the c_r drawn without replacement, independently of D.
    - Hoeffding (1963, Theorem 4) with the convex f = cosh(lambda ||.||) puts that sum's E f below the same for k
      independent draws with replacement, which ``bennett_radius`` bounds (b^2 = k v_i): given D,
      P(k ||Mhat_i - E_i|| >= r) <= 2 exp(-(b^2 / M^2) h(r M / b^2)) if every ||c_r|| <= M.
    - ||c_r|| <= ||y_r|| + ||E_i||, and ||y_r|| is convex and sigma-Lipschitz in the signs D with E||y_r|| <= ||E||_F:
      Boucheron, Lugosi & Massart (2013, Thm 6.10; signs rescaled to [0, 1], so the Lipschitz constant doubles)
      and a union over the N rows give max_r ||y_r|| <= ||E||_F + sigma sqrt(8 ln(2 N / delta_row)) with
      probability >= 1 - delta_row / 2.

    Half of delta_row goes to each event: B_i = bennett_radius(k v_i, M_i, ln(4 / delta_row)) / k with
    M_i = ||E||_F + sigma sqrt(8 ln(2 N / delta_row)) + ||E_i||.  The finite-population factor (N - k) / (N - 1)
    of the variance is not used."""
    a = np.asarray(a, dtype=np.float64)
    if a.size and st.frobenius_sq < a.max() * (1.0 - 1e-12):
        raise AssertionError(f"||E||_F^2 = {st.frobenius_sq:g} is below a row's mass {a.max():g}: the table's "
                             "statistics are inconsistent, and B_i would be 0")
    frobenius = math.sqrt(st.frobenius_sq)
    M = frobenius + math.sqrt(st.sigma_sq * 8.0 * math.log(2.0 * law.N / delta_row)) + np.sqrt(a)
    return bennett_radius(law.k * np.clip(st.frobenius_sq - a, 0.0, None), M, math.log(4.0 / delta_row)) / law.k


def mass_grid(m: int, a_min: float, a_max: float, few=None, points: int = GRID_POINTS) -> np.ndarray:
    """The row masses ``gaussian_bounds`` bisects at for m rows in scope with a in [a_min, a_max]: their
    distinct values when m <= points (``few``: those m values), else ``points`` geometric steps."""
    grid = np.unique(few) if m <= points else np.geomspace(a_min, a_max, points)
    grid[-1] = a_max
    return grid


def mass_bins(a: np.ndarray, top: float) -> dict:
    """{bin: count} of positive row masses a_j in bins of relative width MASS_BIN below ``top`` = max_j a_j
    (``TableStats.masses``): counts of chunks add."""
    if a.size == 0:
        return {}
    values, counts = np.unique(np.ceil(np.log(a / top) / math.log1p(MASS_BIN)), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))


@cites("desai2022", "this_module")
def pair_eps(eps_i, eps_j):
    """Theorem 4 from row certificates: |<Mhat_i, Mhat_j> - <E_i, E_j>| <= pair_eps ||E_i|| ||E_j||.

    With Mhat_i = E_i + a_i, ||a_i|| <= eps_i ||E_i||: <Mhat_i, Mhat_j> - <E_i, E_j> = <a_i, E_j> +
    <E_i, a_j> + <a_i, a_j>, so by Cauchy-Schwarz the bound is eps_i + eps_j + eps_i eps_j (eps^2 + 2 eps
    of Theorem 4 when eps_i = eps_j = eps), on the same event as the rows' certificates."""
    eps_i, eps_j = np.asarray(eps_i), np.asarray(eps_j)
    return eps_i + eps_j + eps_i * eps_j
