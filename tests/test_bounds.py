"""Tests for pss_theory.theory and the families' JLT hooks: monotonicity, inverses, overflow safety, known
values, bad input."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pss_theory import families
from pss_theory import theory as B
from pss_theory.theory import tails
from pss_theory.theory.sparse_sign import osnap_required_s

# (family, params) pairs covering every branch of log_jlt_k
CASES = [
    ("gaussian", {}),
    ("rademacher", {}),
    ("achlioptas", {}),
    ("achlioptas", {"density": 1.0}),
    ("achlioptas", {"density": 0.05}),
    ("countsketch", {}),
    ("osnap", {}),
    ("osnap", {"s": 16}),
    ("srht", {"n": 2**20}),
    ("srht", {"N": 2**30}),
]
IDS = [f"{f}-{'-'.join(f'{k}{v:g}' for k, v in p.items())}" for f, p in CASES]

eps_st = st.floats(0.01, 0.99)
delta_st = st.floats(1e-9, 0.5)
log_f_st = st.floats(0.0, 3000.0)
D_1024, N_1E9 = 1024, 1e9


def _t7(params):
    """Theorem 7 takes n positionally and hands it to srht itself: drop an srht ``n`` parameter."""
    return {k: v for k, v in params.items() if k != "n"}


def _sorted_pair(a, b):
    return (a, b) if a <= b else (b, a)


# ---------------------------------------------------------------------------------------------------
# catalogue


def test_families_and_sources():
    assert {"gaussian", "rademacher", "achlioptas", "countsketch", "osnap", "srht"} <= set(families.SKETCHES)
    for key in ("achlioptas2003", "dasgupta_gupta2003", "davidson_szarek2001", "nelson_nguyen2013",
                "tropp2011", "woodruff2014", "kane_nelson2014", "desai2022", "robe2021"):
        assert key in B.SOURCES and B.SOURCES[key]
    assert "2207.10731" in B.SOURCES["desai2022"] and "2108.02191" in B.SOURCES["robe2021"]
    for fam in families.SKETCHES.values():
        assert fam.source in B.SOURCES
        assert all(key in B.SOURCES for key in fam.sources)
        assert fam.formula
    for name in B.__all__:
        obj = getattr(B, name)
        if callable(obj):
            assert obj.source in B.SOURCES, name
            assert obj.__doc__, name


def test_log_f():
    assert B.log_f_theorem6(1) == pytest.approx(math.log(9))
    assert B.log_f_theorem6(3, net="5") == pytest.approx(3 * math.log(5))
    assert B.log_f_theorem7(2, 19) == pytest.approx(math.log(81 + 19))
    assert B.log_f_theorem7(2, 19, net="5") == pytest.approx(math.log(25 + 19))
    big = B.log_f_theorem7(D_1024, N_1E9)
    assert math.isfinite(big) and big == pytest.approx(D_1024 * math.log(9))
    assert B.log_f_theorem7(1, 1e9) == pytest.approx(math.log(9 + 1e9))


# ---------------------------------------------------------------------------------------------------
# formulas at known values


def test_closed_forms():
    lf, eps, delta = math.log(1000), 0.3, 0.01
    L2 = math.log(2 * 1000**2 / delta)
    assert B.jlt_k(eps, delta, lf, "rademacher") == pytest.approx(L2 / ((eps**2 / 2 - eps**3 / 3) / 2))
    assert B.jlt_k(eps, delta, lf, "achlioptas") == B.jlt_k(eps, delta, lf, "rademacher")
    assert B.jlt_k(eps, delta, lf, "gaussian") == pytest.approx(L2 / ((eps - math.log1p(eps)) / 2))
    assert B.jlt_k(eps, delta, lf, "countsketch") == pytest.approx(1000 * 1001 / (eps**2 * delta))
    L = math.log(1000**2 / delta)
    assert B.jlt_k(eps, delta, lf, "osnap") == pytest.approx(4 * L / eps**2)
    assert osnap_required_s(eps, delta, lf) == pytest.approx(4 * L / eps)
    N = 2**20
    srht = 6 / eps**2 * math.log(4 * N * 1000**2 / delta) * math.log(4 * 1000**2 / delta)
    assert B.jlt_k(eps, delta, lf, "srht", n=N) == pytest.approx(srht)
    assert B.countsketch_subspace_k(32, 0.5, 0.1) == pytest.approx((32**2 + 32) / (0.1 * 0.25))
    Bsr = (math.sqrt(32) + math.sqrt(8 * math.log(2 * N / 0.1))) ** 2
    assert B.srht_subspace_k(32, N, 0.5, 0.1) == pytest.approx(3 * Bsr * math.log(4 * 32 / 0.1) / 0.25)
    assert B.srht_tropp2011_fixed_k(32, N) == pytest.approx(4 * (math.sqrt(32) + math.sqrt(8 * math.log(32 * N))) ** 2
                                                           * math.log(32))


def test_gaussian_gt_chernoff_is_sharper_than_achlioptas():
    for eps in (0.01, 0.3, 0.9):
        assert B.jlt_k(eps, 0.1, 10.0, "gaussian") < B.jlt_k(eps, 0.1, 10.0, "rademacher")


@pytest.mark.parametrize("eps", [0.05, 0.3, 0.8])
def test_gaussian_bound_holds_against_exact_chi_square(eps):
    """f^2 events, each |chi2_k/k - 1| > eps, exact probability, must total <= delta at the certified k."""
    f, delta = 50, 0.01
    k = math.ceil(B.jlt_k(eps, delta, math.log(f), "gaussian"))
    p = stats.chi2.sf(k * (1 + eps), k) + stats.chi2.cdf(k * (1 - eps), k)
    assert f * f * p <= delta


@pytest.mark.parametrize("density", [1.0, 1 / 3, 0.1, 0.01])
@pytest.mark.parametrize("eps", [0.1, 0.5])
def test_achlioptas_bound_holds_on_one_hot_vectors(density, eps):
    """At v = e_i, ||S v||^2 = Binomial(k, density)/(k density) exactly: check the per-event budget."""
    f, delta = 20, 0.05
    k = math.ceil(B.jlt_k(eps, delta, math.log(f), "achlioptas", density=density))
    mean = k * density
    p = stats.binom.sf(math.floor(mean * (1 + eps)), k, density) + stats.binom.cdf(math.ceil(mean * (1 - eps)) - 1,
                                                                                  k, density)
    assert f * f * p <= delta


@pytest.mark.parametrize("eps", [0.1, 0.5])
def test_rademacher_bound_holds_on_two_sparse_vector(eps):
    """v = (e1 + e2)/sqrt 2: ||S v||^2 = 2 Binomial(k, 1/2)/k exactly."""
    f, delta = 20, 0.05
    k = math.ceil(B.jlt_k(eps, delta, math.log(f), "rademacher"))
    p = stats.binom.sf(math.floor(k * (1 + eps) / 2), k, 0.5) + stats.binom.cdf(math.ceil(k * (1 - eps) / 2) - 1, k, 0.5)
    assert f * f * p <= delta


def test_sparse_moment_rates():
    eps = 0.2
    # the moment-method rates reduce to Gaussian / are at least Achlioptas' at density 1/3
    assert tails.rate_moment_upper(eps, 1.0) == pytest.approx((eps - math.log1p(eps)) / 2)
    assert tails.rate_moment_lower(eps, 3.0) >= tails.rate_achlioptas_published(eps)
    assert tails.rate_moment_upper(eps, 1.0 + 1e-9) == pytest.approx((eps - math.log1p(eps)) / 2, rel=1e-6)
    # small eps: rate ~ eps^2 s / (2 (1 - s)), the binomial variance at v = e_i
    for s in (0.1, 0.01):
        r = tails.rate_achlioptas(1e-3, s)
        assert r == pytest.approx(1e-6 * s / (2 * (1 - s)), rel=5e-3)
    # k is continuous at density 1/3 and grows as density shrinks
    k13 = B.jlt_k(eps, 0.1, 5.0, "achlioptas", density=1 / 3)
    assert B.jlt_k(eps, 0.1, 5.0, "achlioptas", density=1 / 3 - 1e-12) == pytest.approx(k13)
    ks = [B.jlt_k(eps, 0.1, 5.0, "achlioptas", density=s) for s in (1.0, 0.5, 1 / 3, 0.2, 0.1, 0.01, 0.001)]
    assert all(a <= b for a, b in zip(ks, ks[1:]))


def test_x_minus_log1p_is_stable():
    for x in (1e-12, 1e-6, 0.01, 0.049, 0.051, 0.5):
        series = sum((-x) ** j / j for j in range(2, 60))
        assert tails._x_minus_log1p(x) == pytest.approx(series, rel=1e-12)


def test_mp_edges_known_values():
    assert B.mp_edges(32, 2048) == pytest.approx((0.875, 1.125))
    assert B.mp_eps_norm(32, 2048) == pytest.approx(0.125)
    assert B.mp_eps_inner(32, 2048) == pytest.approx(1.125**2 - 1)
    t = B.davidson_szarek_t(0.05)
    assert t == pytest.approx(math.sqrt(2 * math.log(40)))
    assert 2 * math.exp(-t * t / 2) == pytest.approx(0.05)
    lo, hi = B.mp_edges(32, 2048, t)
    assert hi - 1 == pytest.approx(0.125 + t / math.sqrt(2048)) and 1 - lo == pytest.approx(hi - 1)
    assert B.mp_edges(100, 10)[0] == 0.0  # clipped


def test_clopper_pearson_known_values():
    lo, hi = B.clopper_pearson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.025**0.1) and hi == pytest.approx(0.3085, abs=1e-4)
    lo, hi = B.clopper_pearson(10, 10)
    assert hi == 1.0 and lo == pytest.approx(0.025**0.1)
    assert B.clopper_pearson(5, 10) == pytest.approx((0.187086, 0.812914), abs=1e-6)
    lo, hi = B.clopper_pearson(0, 100, confidence=0.9)
    assert hi == pytest.approx(1 - 0.05**0.01)


def test_jl_min_dim_has_scikit_learns_documented_values():
    assert B.jl_min_dim(1e6, 0.5) == 663
    assert B.jl_min_dim(1e6, 0.1) == 11841
    assert B.jl_min_dim(1e6, 0.01) == 1112658
    np.testing.assert_array_equal(B.jl_min_dim(1e6, [0.5, 0.1, 0.01]), [663, 11841, 1112658])
    np.testing.assert_array_equal(B.jl_min_dim([1e4, 1e5, 1e6], 0.1), [7894, 9868, 11841])
    grid = B.jl_min_dim(np.array([[1e4], [1e6]]), np.array([0.5, 0.1]))  # broadcast: 2 x 2
    assert grid.shape == (2, 2) and grid.dtype == np.int64 and grid[1, 0] == 663
    assert B.jl_min_dim(1000, 0.3) == int(4 * math.log(1000) / (0.3**2 / 2 - 0.3**3 / 3))


@pytest.mark.parametrize("n, eps", [(1e6, 0.0), (1e6, 1.0), (1e6, [0.5, 1.5]), (0, 0.5), ([10, -1], 0.5)])
def test_jl_min_dim_refuses_what_scikit_learn_refuses(n, eps):
    with pytest.raises(ValueError, match="The JL bound is defined for"):
        B.jl_min_dim(n, eps)


@given(n=st.integers(2, 10**9), eps=st.floats(0.01, 0.99))
def test_jl_min_dim_matches_sklearn(n, eps):
    rp = pytest.importorskip("sklearn.random_projection")
    assert B.jl_min_dim(n, eps) == rp.johnson_lindenstrauss_min_dim(n, eps=eps)


# ---------------------------------------------------------------------------------------------------
# monotonicity


@pytest.mark.parametrize("family,params", CASES, ids=IDS)
@settings(max_examples=15)
@given(e1=eps_st, e2=eps_st, delta=delta_st, log_f=log_f_st)
def test_k_decreasing_in_eps(family, params, e1, e2, delta, log_f):
    lo, hi = _sorted_pair(e1, e2)
    assert B.log_jlt_k(lo, delta, log_f, family, **params) >= B.log_jlt_k(hi, delta, log_f, family, **params) - 1e-12


@pytest.mark.parametrize("family,params", CASES, ids=IDS)
@settings(max_examples=15)
@given(eps=eps_st, d1=delta_st, d2=delta_st, log_f=log_f_st)
def test_k_decreasing_in_delta(family, params, eps, d1, d2, log_f):
    lo, hi = _sorted_pair(d1, d2)
    assert B.log_jlt_k(eps, lo, log_f, family, **params) >= B.log_jlt_k(eps, hi, log_f, family, **params) - 1e-12


@pytest.mark.parametrize("family,params", CASES, ids=IDS)
@settings(max_examples=15)
@given(eps=eps_st, delta=delta_st, f1=log_f_st, f2=log_f_st)
def test_k_increasing_in_log_f(family, params, eps, delta, f1, f2):
    lo, hi = _sorted_pair(f1, f2)
    assert B.log_jlt_k(eps, delta, lo, family, **params) <= B.log_jlt_k(eps, delta, hi, family, **params) + 1e-12


@pytest.mark.parametrize("family,params", CASES, ids=IDS)
@settings(max_examples=15)
@given(eps=eps_st, delta=delta_st, d1=st.integers(1, 1024), d2=st.integers(1, 1024),
       n1=st.floats(1, 1e12), n2=st.floats(1, 1e12))
def test_theorem_k_increasing_in_d_and_n(family, params, eps, delta, d1, d2, n1, n2):
    dl, dh = sorted((d1, d2))
    nl, nh = sorted((n1, n2))
    assert B.theorem6_log_k(eps, delta, dl, family, **params) <= B.theorem6_log_k(eps, delta, dh, family, **params) + 1e-12
    t7 = lambda d, n: B.theorem7_log_k(eps, delta, d, n, 0.5, family, **_t7(params))  # noqa: E731
    assert t7(dl, nl) <= t7(dh, nl) + 1e-12
    assert t7(dl, nl) <= t7(dl, nh) + 1e-12


@given(n1=st.floats(1, 1e12), n2=st.floats(1, 1e12), eps=eps_st)
def test_srht_k_increasing_in_n(n1, n2, eps):
    lo, hi = _sorted_pair(n1, n2)
    assert B.log_jlt_k(eps, 0.05, 100.0, "srht", n=lo) <= B.log_jlt_k(eps, 0.05, 100.0, "srht", n=hi) + 1e-12
    assert B.srht_subspace_k(16, lo, eps, 0.05) <= B.srht_subspace_k(16, hi, eps, 0.05)


@given(d1=st.integers(1, 4096), d2=st.integers(1, 4096), e1=eps_st, e2=eps_st, delta=delta_st)
def test_subspace_k_monotone(d1, d2, e1, e2, delta):
    dl, dh = sorted((d1, d2))
    el, eh = _sorted_pair(e1, e2)
    for fn in (B.countsketch_subspace_k, lambda d, e, dl_: B.srht_subspace_k(d, 2**30, e, dl_)):
        assert fn(dl, eh, delta) <= fn(dh, eh, delta)
        assert fn(dl, el, delta) >= fn(dl, eh, delta)


@pytest.mark.parametrize("family,params", CASES, ids=IDS)
@settings(max_examples=15)
@given(k1=st.floats(1, 1e12), k2=st.floats(1, 1e12), delta=delta_st, log_f=st.floats(0, 100))
def test_eps_jlt_decreasing_in_k(family, params, k1, k2, delta, log_f):
    lo, hi = _sorted_pair(k1, k2)
    if family == "osnap" and params.get("s", 0) > lo:
        return
    assert B.eps_jlt(lo, delta, log_f, family, **params) >= B.eps_jlt(hi, delta, log_f, family, **params) * (1 - 1e-12)


# ---------------------------------------------------------------------------------------------------
# inverses


@pytest.mark.parametrize("family,params", CASES, ids=IDS)
@settings(max_examples=15)
@given(eps=st.floats(0.02, 0.98), delta=delta_st, log_f=st.floats(0.0, 40.0))
def test_eps_jlt_inverts_jlt_k(family, params, eps, delta, log_f):
    k = B.jlt_k(eps, delta, log_f, family, **params)
    assert math.isfinite(k)
    if family == "osnap" and params.get("s", 0) > k:
        return
    assert B.eps_jlt(k, delta, log_f, family, **params) == pytest.approx(eps, rel=1e-6)


@pytest.mark.parametrize("family,params", [c for c in CASES if c[0] != "countsketch"],
                         ids=[i for i, c in zip(IDS, CASES) if c[0] != "countsketch"])
def test_round_trip_at_theorem_scale(family, params):
    if family == "osnap" and params.get("s"):
        return  # vacuous at this scale (tested below)
    for eps in (0.05, 0.5, 0.95):
        k = B.theorem7_k(eps, 0.05, 128, 1e8, 1.0, family, **_t7(params))
        assert math.isfinite(k)
        assert B.theorem7_eps_jlt(k, 0.05, 128, 1e8, family, **_t7(params)) == pytest.approx(eps, rel=1e-6)
        k6 = B.theorem6_k(eps, 0.05, 128, family, **params)
        assert B.theorem6_eps(k6, 0.05, 128, family, **params) == pytest.approx(eps, rel=1e-6)


@given(eps=st.floats(0.01, 0.99), d=st.integers(1, 2048), delta=delta_st)
def test_subspace_inverses(eps, d, delta):
    k = B.countsketch_subspace_k(d, eps, delta)
    assert B.countsketch_subspace_eps(k, d, delta) == pytest.approx(eps, rel=1e-9)
    n = 2**40
    k = B.srht_subspace_k(d, n, eps, delta)
    assert B.srht_subspace_eps(k, d, n, delta) == pytest.approx(eps, rel=1e-9)


def test_eps_jlt_inf_where_vacuous():
    lf7 = B.log_f_theorem7(128, 1e8)
    assert B.eps_jlt(1e9, 0.05, lf7, "countsketch") == math.inf
    assert B.eps_jlt(1e9, 0.05, lf7, "osnap", s=8) == math.inf
    assert B.theorem7_eps_jlt(1e12, 0.05, 128, 1e8, "countsketch") == math.inf
    assert B.theorem7_eps(1e12, 0.05, 128, 1e8, 0.5, "countsketch") == math.inf
    for fam, params in CASES:
        assert B.eps_jlt(10, 0.05, 1000.0, fam, **({} if fam == "osnap" else params)) == math.inf
    assert B.countsketch_subspace_eps(100, 32, 0.1) == math.inf
    assert B.srht_subspace_eps(100, 32, 2**20, 0.1) == math.inf
    assert B.srht_subspace_eps(2**21, 32, 2**20, 0.1) == math.inf  # k > n


# ---------------------------------------------------------------------------------------------------
# overflow safety at d = 1024, n = 1e9


@pytest.mark.parametrize("family,params", CASES, ids=IDS)
def test_finite_logs_at_full_scale(family, params):
    lf = B.log_f_theorem7(D_1024, N_1E9)
    assert math.isfinite(B.log_jlt_k(0.1, 1e-3, lf, family, **params))
    assert math.isfinite(B.theorem6_log_k(0.1, 1e-3, D_1024, family, **params))
    p7 = _t7(params)
    assert math.isfinite(B.theorem7_log_k(0.1, 1e-3, D_1024, N_1E9, 0.1, family, **p7))
    k = B.theorem7_k(0.1, 1e-3, D_1024, N_1E9, 0.1, family, **p7)
    assert k > 0
    eps = B.theorem7_eps_jlt(1e12, 1e-3, D_1024, N_1E9, family, **p7)
    assert eps == math.inf or 0 < eps < 1


def test_countsketch_overflows_to_inf():
    lf = B.log_f_theorem6(D_1024)
    log_k = B.log_jlt_k(0.5, 0.05, lf, "countsketch")
    assert log_k == pytest.approx(2 * lf + math.log(1 / (0.25 * 0.05)), rel=1e-12)
    assert B.jlt_k(0.5, 0.05, lf, "countsketch") == math.inf
    assert B.theorem6_k(0.5, 0.05, D_1024, "countsketch") == math.inf


# ---------------------------------------------------------------------------------------------------
# theorem wrappers


def test_theorem_wrappers():
    eps, delta, d, n = 0.3, 0.05, 16, 1e6
    assert B.theorem6_k(eps, delta, d, "gaussian") == pytest.approx(B.jlt_k(eps, delta, d * math.log(9), "gaussian"))
    assert B.theorem6_k(eps, delta, d, "gaussian", net="5") < B.theorem6_k(eps, delta, d, "gaussian")
    assert B.theorem6_k(eps, delta, d, "gaussian", jlt_factor=4) == pytest.approx(
        B.jlt_k(eps / 4, delta, d * math.log(9), "gaussian"))
    lf7 = math.log(9.0**d + n)
    assert B.theorem7_k(eps, delta, d, n, 0.5, "rademacher") == pytest.approx(B.jlt_k(0.15, delta, lf7, "rademacher"))
    assert B.theorem7_k(eps, delta, d, n, 0.5, "rademacher", part_a_factor=2) == pytest.approx(
        B.jlt_k(0.075, delta, lf7, "rademacher"))
    # srht gets n from the theorem unless given
    assert B.theorem7_k(eps, delta, d, n, 1.0, "srht") == pytest.approx(B.jlt_k(eps, delta, lf7, "srht", n=n))
    assert B.theorem7_k(eps, delta, d, n, 1.0, "srht", N=2**20) == pytest.approx(B.jlt_k(eps, delta, lf7, "srht", N=2**20))
    # srht pads n to the Hadamard dimension, like pss_theory.families.srht
    assert B.jlt_k(eps, delta, 5.0, "srht", n=1000) == B.jlt_k(eps, delta, 5.0, "srht", N=1024)
    assert B.srht_subspace_k(8, 1000, eps, delta) == B.srht_subspace_k(8, 1024, eps, delta)
    assert B.theorem7_k(eps, delta, d, 1000, 1.0, "srht") == B.theorem7_k(eps, delta, d, 1000, 1.0, "srht", N=1024)
    k = B.theorem7_k(eps, delta, d, n, 0.5, "gaussian", part_a_factor=2)
    assert B.theorem7_eps(k, delta, d, n, 0.5, "gaussian", part_a_factor=2) == pytest.approx(eps, rel=1e-6)
    k6 = B.theorem6_k(eps, delta, d, "achlioptas", jlt_factor=4, density=0.1)
    assert B.theorem6_eps(k6, delta, d, "achlioptas", jlt_factor=4, density=0.1) == pytest.approx(eps, rel=1e-6)


# ---------------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("call", [
    lambda: B.jlt_k(0.0, 0.1, 1.0, "gaussian"),
    lambda: B.jlt_k(1.0, 0.1, 1.0, "gaussian"),
    lambda: B.jlt_k(-0.2, 0.1, 1.0, "gaussian"),
    lambda: B.jlt_k(float("nan"), 0.1, 1.0, "gaussian"),
    lambda: B.jlt_k("abc", 0.1, 1.0, "gaussian"),
    lambda: B.jlt_k(0.1, 0.0, 1.0, "gaussian"),
    lambda: B.jlt_k(0.1, 1.5, 1.0, "gaussian"),
    lambda: B.jlt_k(0.1, 0.1, -1.0, "gaussian"),
    lambda: B.jlt_k(0.1, 0.1, float("inf"), "gaussian"),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "gaussian", density=0.5),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "achlioptas", density=0.0),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "achlioptas", density=1.5),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "osnap", s=0),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "osnap", s=2.5),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "srht"),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "srht", n=-4),
    lambda: B.jlt_k(0.1, 0.1, 1.0, "srht", n=100, N=64),
    lambda: B.eps_jlt(0, 0.1, 1.0, "gaussian"),
    lambda: B.eps_jlt(-5, 0.1, 1.0, "gaussian"),
    lambda: B.eps_jlt(10, 0.1, 1.0, "osnap", s=16),
    lambda: B.log_f_theorem6(0),
    lambda: B.log_f_theorem6(-3),
    lambda: B.log_f_theorem6(4, net="7"),
    lambda: B.log_f_theorem7(4, 0),
    lambda: B.theorem6_k(0.1, 0.1, 0, "gaussian"),
    lambda: B.theorem7_k(0.1, 0.1, 4, 100, 0.0, "gaussian"),
    lambda: B.theorem7_k(0.1, 0.1, 4, 100, 1.5, "gaussian"),
    lambda: B.theorem7_k(0.1, 0.1, 4, -100, 0.5, "gaussian"),
    lambda: B.theorem7_eps_jlt(0, 0.1, 4, 100, "gaussian"),
    lambda: B.mp_edges(0, 10),
    lambda: B.mp_edges(10, 0),
    lambda: B.mp_edges(10, 100, t=-1),
    lambda: B.davidson_szarek_t(0),
    lambda: B.countsketch_subspace_k(0, 0.1, 0.1),
    lambda: B.countsketch_subspace_eps(-1, 4, 0.1),
    lambda: B.srht_subspace_k(4, 0, 0.1, 0.1),
    lambda: B.srht_tropp2011_fixed_k(1, 1024),
    lambda: B.jl_min_dim(0, 0.1),
    lambda: B.jl_min_dim(100, 1.0),
    lambda: B.clopper_pearson(11, 10),
    lambda: B.clopper_pearson(-1, 10),
    lambda: B.clopper_pearson(0, 0),
    lambda: B.clopper_pearson(1.5, 10),
    lambda: B.clopper_pearson(1, 10, confidence=1.0),
])
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_unknown_family_message_lists_valid_ones():
    with pytest.raises(ValueError) as err:
        B.jlt_k(0.1, 0.1, 1.0, "fourier")
    for fam in families.SKETCHES:
        assert fam in str(err.value)
    with pytest.raises(ValueError, match="gaussian"):
        B.theorem6_k(0.1, 0.1, 8, "robez")
    with pytest.raises(ValueError, match="accepted: density"):
        B.jlt_k(0.1, 0.1, 1.0, "achlioptas", s=3)


def test_numpy_scalars_accepted():
    assert B.jlt_k(np.float64(0.2), np.float32(0.1), np.float64(3.0), "gaussian") == pytest.approx(
        B.jlt_k(0.2, 0.1, 3.0, "gaussian"), rel=1e-6)
    assert B.clopper_pearson(np.int64(0), np.int64(10))[1] == pytest.approx(0.3085, abs=1e-4)
