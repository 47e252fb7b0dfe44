import numpy as np
import pytest
from conftest import FAMILY_CASES
from hypothesis import given
from hypothesis import strategies as st

import pss_theory as p
from pss_theory import metrics as mt
from pss_theory.measure import rows
from pss_theory.tables import TableError


def setup(family, n=120, d=5, k=48, seed=0, table_seed=1, kind="lowrank"):
    S = p.sketch(family, k=k, n=n, seed=seed, dtype=np.float64, **FAMILY_CASES[family])
    E = p.table(kind, n=n, d=d, seed=table_seed, rank=d).block(0, n).astype(np.float64)
    return S, E


def dense_reference(S, E):
    D = S.to_dense()
    M = D @ E
    Q, R = np.linalg.qr(E)
    sv = np.linalg.svd(D @ Q, compute_uv=False)
    Mhat = D.T @ M
    C = (D @ Q).T @ D - Q.T  # column i is c_i
    sigma = np.linalg.svd(E, compute_uv=False)[0]
    return dict(M=M, sv=sv, Mhat=Mhat, err=np.linalg.norm(Mhat - E, axis=1), c=np.linalg.norm(C, axis=0),
                sigma=sigma, col=(D**2).sum(axis=0))


def test_macro_and_micro_match_dense_reference(family):
    S, E = setup(family)
    ref = dense_reference(S, E)
    comp = mt.compress(S, E, block_rows=16 if family == "srht" else 13)
    spec = mt.spectrum(comp)
    np.testing.assert_allclose(comp.M, ref["M"], atol=1e-10)
    np.testing.assert_allclose(spec.sigma_max, ref["sigma"], rtol=1e-10)
    em = mt.eps_macro(comp, spec=spec)
    np.testing.assert_allclose(em["singular_values"], ref["sv"], rtol=1e-9)
    assert em["eps_macro_norm"] == pytest.approx(np.abs(ref["sv"] - 1).max(), rel=1e-9)
    assert em["eps_macro_inner"] == pytest.approx(np.abs(ref["sv"] ** 2 - 1).max(), rel=1e-9)
    mi = mt.micro(S, E, comp, spec, block_rows=32 if family == "srht" else 17)
    np.testing.assert_allclose(mi.err, ref["err"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(mi.c, ref["c"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(mi.col_sq_norm, ref["col"], rtol=1e-12)
    norms = np.linalg.norm(E, axis=1)
    np.testing.assert_allclose(mi.eps, ref["err"] / norms, rtol=1e-8)
    np.testing.assert_allclose(mi.rho, norms / ref["sigma"], rtol=1e-10)
    np.testing.assert_allclose(mi.norm_ratio, np.linalg.norm(ref["Mhat"], axis=1) / norms, rtol=1e-8)


@pytest.mark.parametrize("family", ["gaussian", "countsketch", "srht"])
def test_exact_sups_are_never_exceeded_by_random_search(family, rng):
    S, E = setup(family, n=64, d=4, k=16)
    comp = mt.compress(S, E)
    spec = mt.spectrum(comp)
    em, mi = mt.eps_macro(comp, spec=spec), mt.micro(S, E, comp, spec)
    X = rng.standard_normal((4, 20000))
    ratio = np.linalg.norm(np.asarray(comp.M) @ X, axis=0) / np.linalg.norm(E @ X, axis=0)
    assert np.abs(ratio - 1).max() <= em["eps_macro_norm"] * (1 + 1e-9)
    assert np.abs(ratio - 1).max() >= 0.9 * em["eps_macro_norm"]  # the search gets close: the sup is attained
    Mhat = S.decompress(comp.M, np.arange(64))
    Xu = X / np.linalg.norm(X, axis=0)
    pss = np.abs((Mhat - E) @ Xu) / np.linalg.norm(E, axis=1)[:, None]  # |<Mhat_i - E_i, x>| / ||E_i|| ||x||
    assert np.all(pss.max(axis=1) <= mi.eps * (1 + 1e-9))


@given(family=st.sampled_from(sorted(FAMILY_CASES)), seed=st.integers(0, 10**6), a_seed=st.integers(0, 10**6))
def test_eps_macro_depends_on_the_column_space_only(family, seed, a_seed):
    S, E = setup(family, n=80, d=4, k=32, seed=seed)
    A = np.random.default_rng(a_seed).standard_normal((4, 4)) + 3 * np.eye(4)
    e1 = mt.eps_macro(mt.compress(S, E))["eps_macro_norm"]
    e2 = mt.eps_macro(mt.compress(S, E @ A))["eps_macro_norm"]
    assert e2 == pytest.approx(e1, rel=1e-6, abs=1e-9)


@given(family=st.sampled_from(sorted(FAMILY_CASES)), seed=st.integers(0, 10**6), kind=st.sampled_from(["gaussian", "lowrank", "zipf"]))
def test_part_b_and_eq25_hold_for_every_row(family, seed, kind):
    """eta_i <= ||c_i|| (Eq. 16-18) and | ||Mhat_i|| / ||E_i|| - 1 | <= eps_i (triangle inequality)."""
    S, E = setup(family, n=90, d=6, k=24, seed=seed, kind=kind)
    comp = mt.compress(S, E)
    spec = mt.spectrum(comp)
    mi = mt.micro(S, E, comp, spec)
    assert np.all(mi.eta <= mi.c * (1 + 1e-9) + 1e-12)
    assert np.all(np.abs(mi.norm_ratio - 1) <= mi.eps * (1 + 1e-9) + 1e-12)


def test_gaussian_macro_distortion_at_marchenko_pastur_edges():
    """S Q is a k x d Gaussian matrix: its extreme singular values sit at 1 +- sqrt(d/k) (Davidson-Szarek)."""
    n, d, k = 20000, 32, 2048
    E = p.table("gaussian", n=n, d=d, seed=3)
    hi, lo = [], []
    for seed in range(4):
        sv = mt.eps_macro(mt.compress(p.sketch("gaussian", k=k, n=n, seed=seed), E))["singular_values"]
        hi.append(sv.max() - 1)
        lo.append(1 - sv.min())
    edge = np.sqrt(d / k)
    assert 1 + np.mean(hi) == pytest.approx(1 + edge, rel=0.05)
    assert 1 - np.mean(lo) == pytest.approx(1 - edge, rel=0.05)
    # Davidson-Szarek: each edge within sqrt(d/k) + t/sqrt(k) with probability >= 1 - 2 exp(-t^2 / 2)
    t = np.sqrt(2 * np.log(2 / 1e-3))
    assert max(hi + lo) <= edge + t / np.sqrt(k)
    # and not far inside it: finite-size (Tracy-Widom) corrections are O(k^-1/2 d^-1/6) < 0.3 sqrt(d/k) here
    assert min(hi + lo) >= 0.7 * edge


@pytest.mark.parametrize("kind, statistic", [("gaussian", np.mean), ("zipf", lambda x: np.sqrt(np.mean(x**2)))])
def test_gaussian_eta_is_sqrt_stable_rank_over_k(kind, statistic):
    """E ||Mhat_i - E_i||^2 = (||E||_F^2 + ||E_i||^2) / k for Gaussian S, so RMS eta ~ sqrt(srank / k).

    The mean is that too when the error spreads over many directions (iid table); on a table of low
    stable rank (zipf) the mean sits a few percent lower (Jensen), so there we check the RMS.
    """
    n, d, k = 20000, 16, 512
    E = p.table(kind, n=n, d=d, seed=2)
    stats, pred = [], None
    for seed in range(3):
        S = p.sketch("gaussian", k=k, n=n, seed=seed)
        comp = mt.compress(S, E)
        spec = mt.spectrum(comp)
        stats.append(statistic(mt.micro(S, E, comp, spec).eta))
        pred = np.sqrt(spec.stable_rank / k)
    assert np.mean(stats) == pytest.approx(pred, rel=0.05)


def test_streamed_equals_in_memory():
    n, d = 500, 8
    T = p.table("zipf", n=n, d=d, seed=5)
    S = p.sketch("gaussian", k=64, n=n, seed=1)
    a = mt.compress(S, T, block_rows=64)
    b = mt.compress(S, T.block(0, n), block_rows=500)
    np.testing.assert_allclose(np.asarray(a.M), np.asarray(b.M), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.gram, b.gram, rtol=1e-12)
    ma, mb = mt.micro(S, T, a, mt.spectrum(a), block_rows=100), mt.micro(S, T.block(0, n), b, mt.spectrum(b))
    np.testing.assert_allclose(ma.eps, mb.eps, rtol=1e-4)


def test_rank_deficient_and_zero_tables_are_reported():
    S = p.sketch("gaussian", k=16, n=40, seed=0)
    E = np.ones((40, 3))
    with pytest.raises(mt.RankDeficientError, match="rank 1 < d = 3"):
        mt.spectrum(mt.compress(S, E))
    with pytest.raises(TableError, match="every row"):
        mt.spectrum(mt.compress(S, np.zeros((40, 3))))


def test_zero_rows_are_counted_not_divided():
    S = p.sketch("countsketch", k=64, n=100, seed=0)
    E = p.table("gaussian", n=100, d=3, seed=0).block(0, 100).astype(np.float64)
    E[[3, 50]] = 0
    comp = mt.compress(S, E)
    mi = mt.micro(S, E, comp, mt.spectrum(comp))
    assert comp.zero_rows == 2 and mi.zero_rows == 2
    assert np.isnan(mi.eps[[3, 50]]).all() and np.isfinite(np.delete(mi.eps, [3, 50])).all()
    assert mi.exact_rows > 0  # with k = 64 >> n / k, many CountSketch rows collide with no other


def test_coherence_counts_its_pairs():
    S = p.sketch("gaussian", k=256, n=5000, seed=0)
    c = mt.coherence(S, pairs=10_000)
    assert c["pairs"] >= 10_000 and c["columns"] * (c["columns"] - 1) // 2 == c["pairs"]
    D = S.columns(np.arange(5000))
    assert 0 < c["max_abs_inner"] < 6 * np.sqrt(np.log(c["pairs"]) / 256) + 0.1
    assert c["max_abs_inner"] <= np.abs(np.triu(D.T @ D, 1)).max() + 1e-6


@pytest.mark.parametrize("family", ["gaussian", "rademacher"])
def test_ill_conditioned_tables_are_measured_in_float64(family):
    """float32 products lose ~1e-8 cond(E) relative; the checks switch to float64 above cond 1e3."""
    from pss_theory.measure import macro, row_passes

    n, d, k = 4000, 8, 512
    base = p.table("gaussian", n=n, d=d, seed=3).block(0, n).astype(np.float64)
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((d, d)))[0]
    E = base @ np.diag(np.logspace(0, -5, d)) @ Q  # cond(E) ~ 1e5, small directions mixed into every column
    S64 = p.sketch(family, k=k, n=n, seed=1, dtype=np.float64)
    exact = mt.eps_macro(mt.compress(S64, E))["eps_macro_norm"]
    got = macro.trial(family, k, 1, 0, p.tables.ArrayTable(E))
    assert got["dtype"] == "float64" and got["condition"] > 1e4
    assert got["eps_macro_norm"] == pytest.approx(exact, rel=1e-7)
    fast = mt.eps_macro(mt.compress(p.sketch(family, k=k, n=n, seed=1), E))["eps_macro_norm"]
    assert abs(fast / exact - 1) > 1e-6  # what the float32 products alone would have reported
    S = p.sketch(family, k=k, n=n, seed=1)
    with rows.row_arrays(None, n, mt.row_fields(S)) as arrays:
        _, comp, spec, _, _, _ = row_passes.passes(S, p.tables.ArrayTable(E), arrays, rho=0.1, coherence_pairs=0)
        c = np.load(arrays.path("c_i"))
    assert comp.dtype == "float64"
    ref = mt.micro(S64, E, mt.compress(S64, E), spec)
    np.testing.assert_allclose(c, ref.c, rtol=1e-6)
    well = macro.trial(family, k, 1, 0, p.tables.ArrayTable(base))
    assert well["dtype"] == "float32"  # well-conditioned tables keep the fast path


def test_eps_macro_counts_zero_singular_values_when_k_below_d():
    S = p.sketch("gaussian", k=3, n=200, seed=0, dtype=np.float64)
    E = p.table("gaussian", n=200, d=6, seed=1).block(0, 200)
    em = mt.eps_macro(mt.compress(S, E))
    assert em["singular_values"].size == 6 and em["lambda_min"] == 0.0 and em["eps_macro_norm"] == 1.0


def test_measurements_on_every_device_match_the_dense_reference(family, device):
    """The same streamed passes on each backend against a float64 dense reference computed on the CPU
    (float32 products: rtol 1e-3 on per-row errors, 1e-4 on eps_macro)."""
    n, d, k = 3000, 6, 128
    T = p.table("zipf", n=n, d=d, seed=1)
    E = T.block(0, n).astype(np.float64)
    S = p.sketch(family, k=k, n=n, seed=2, device=device, **FAMILY_CASES[family])
    comp = mt.compress(S, T)
    spec = mt.spectrum(comp)
    mi = mt.micro(S, T, comp, spec)
    ref = dense_reference(p.sketch(family, k=k, n=n, seed=2, dtype=np.float64, **FAMILY_CASES[family]), E)
    assert mt.eps_macro(comp, spec=spec)["eps_macro_norm"] == pytest.approx(np.abs(ref["sv"] - 1).max(), rel=1e-4)
    np.testing.assert_allclose(mi.eps, ref["err"] / np.linalg.norm(E, axis=1), rtol=1e-3)
    np.testing.assert_allclose(mi.c, ref["c"], rtol=1e-3, atol=1e-6)


def test_documented_api_eps_macro_of_S_and_E():
    """metrics.eps_macro(S, E) makes its own pass and agrees with eps_macro(compress(S, E)); micro(S, E) too."""
    S, E = setup("gaussian")
    comp = mt.compress(S, E)
    np.testing.assert_array_equal(mt.eps_macro(S, E)["singular_values"], mt.eps_macro(comp)["singular_values"])
    np.testing.assert_array_equal(mt.micro(S, E).eps, mt.micro(S, E, comp).eps)
    with pytest.raises(p.errors.InputError, match="takes no table"):
        mt.eps_macro(comp, E)
