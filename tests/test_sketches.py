import numpy as np
import pytest
from conftest import CASE_PARAMS, FAMILY_CASES
from hypothesis import given
from hypothesis import strategies as st

import pss_theory as p
from pss_theory import families
from pss_theory.errors import InputError
from pss_theory.families.srht import _hadamard, fwht
from pss_theory.tables import tiles


def test_case_parameters_name_registered_families_and_their_parameters():
    """conftest.CASE_PARAMS may only set parameters a registered family takes: a stale entry would test nothing."""
    assert set(CASE_PARAMS) <= set(families.SKETCHES)
    for name, params in CASE_PARAMS.items():
        assert p.sketch(name, k=16, n=64, **params).family == name  # an unknown keyword raises TypeError


def test_a_distribution_is_a_checked_value_that_samples_its_operator(family):
    """Equal values are equal and hash alike, cannot be changed, and draw the same S for the same key; the
    trial in the key draws another S; the draw is the one the public ``sketch`` makes."""
    own = {k: v for k, v in FAMILY_CASES[family].items() if any(prm.name == k for prm in families.get(family).params)}
    dist = families.Distribution.of(family, k=16, n=64, d=4, **own)
    assert dist == families.Distribution.of(family, k=16, n=64, d=4, **own) and len({dist, dist}) == 1
    with pytest.raises(AttributeError):
        dist.k = 32
    S = dist.sample((7, 0)).to_dense()
    np.testing.assert_array_equal(S, dist.sample(7).to_dense())
    np.testing.assert_array_equal(S, p.sketch(family, k=16, n=64, seed=7, **own).to_dense())
    assert not np.array_equal(S, dist.sample((7, 1)).to_dense())


@pytest.mark.parametrize("make_it, match", [
    (lambda: families.Distribution.of("osnap", k=16, n=64, s=0), "s"),
    (lambda: families.Distribution.of("osnap", k=16, n=64, z=3), "has no parameter 'z'"),
    (lambda: families.Distribution.of("gaussian", k=8, n=64, d=16), "k = 8 < d = 16"),
    (lambda: families.Distribution.of("gaussian", k=None, n=64), "needs a sketch size k"),
    (lambda: families.Distribution.of("gaussian", k=0, n=64), "k must be a positive integer"),
    (lambda: families.Distribution.of("nope", k=8, n=64), "unknown sketch family"),
])
def test_a_distribution_is_refused_when_made_not_when_sampled(make_it, match):
    with pytest.raises(InputError, match=match):
        make_it()


def test_robez_is_a_distribution_without_k():
    dist = families.Distribution.of("robez", k=None, n=1000, d=8, compression=10)
    drawn = dist.sample(3)
    assert not drawn.linear
    assert repr(drawn) == repr(families.make("robez", k=None, n=1000, d=8, compression=10, seed=3))


def make(family, k, n, seed=0, **kw):
    return p.sketch(family, k=k, n=n, seed=seed, dtype=np.float64, **{**FAMILY_CASES[family], **kw})


def block_for(family, b):
    return 8 * max(1, b // 8) if family == "srht" else b


shapes = st.tuples(st.sampled_from(sorted(FAMILY_CASES)), st.integers(3, 40), st.integers(1, 70), st.integers(1, 6),
                   st.integers(0, 2**32), st.integers(1, 80))


@given(shapes)
def test_apply_columns_decompress_match_dense(args):
    family, k, n, d, seed, b = args
    if family == "srht":
        k = min(k, 1 << max(0, (n - 1).bit_length()))
    S = make(family, k, n, seed)
    D = S.to_dense()
    assert D.shape == (k, n)
    E = np.random.default_rng(seed % 1000).standard_normal((n, d))
    M = S.apply(E, block_rows=block_for(family, b))
    np.testing.assert_allclose(M, D @ E, rtol=1e-5, atol=1e-5)
    idx = np.random.default_rng(1).integers(0, n, size=7)
    np.testing.assert_array_equal(S.columns(idx), D[:, idx])
    np.testing.assert_allclose(S.decompress(M, idx), D[:, idx].T @ M, rtol=1e-10, atol=1e-12)


def unit_entries(family) -> bool:
    """Whether the family's unscaled entries lie in {-1, 0, 1}, read off a small dense S (no second list
    of families to keep in step with the registry)."""
    S = make(family, 16, 64, seed=1)
    return set(np.unique(S.to_dense() / S.scale)) <= {-1.0, 0.0, 1.0}


def test_unit_entries_are_read_off_the_sketch():
    assert not unit_entries("gaussian") and all(unit_entries(f) for f in ("rademacher", "countsketch", "srht"))


def test_block_size_independence(family, monkeypatch):
    """Blocks only set how many rows are read at once; tiles (here 32 rows, 8 for SRHT's pieces) fix every
    partial sum, so M is the same to the bit for real-valued E, not only for integer-valued E."""
    monkeypatch.setattr(tiles, "TILE_FLOATS", 32 * 4)
    n, d, k = 200, 4, 16
    S = make(family, k, n, seed=7)
    E = np.random.default_rng(0).standard_normal((n, d))
    results = [S.apply(E, block_rows=block_for(family, b)) for b in (8, 24, 64, 200 if family != "srht" else 256)]
    for M in results[1:]:
        assert np.array_equal(M, results[0])


def test_same_seed_same_sketch_other_seed_other_sketch(family):
    a, b, c = make(family, 8, 50, 1).to_dense(), make(family, 8, 50, 1).to_dense(), make(family, 8, 50, 2).to_dense()
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_countsketch_one_signed_entry_per_column():
    D = make("countsketch", 16, 500, 3).to_dense()
    assert np.all((D != 0).sum(axis=0) == 1)
    assert set(np.unique(D[D != 0])) == {-1.0, 1.0}


@given(k=st.integers(2, 40), s=st.integers(1, 8), seed=st.integers(0, 1000))
def test_osnap_s_distinct_rows_per_column(k, s, seed):
    s = min(s, k)
    D = make("osnap", k, 60, seed, s=s).to_dense()
    assert np.all((D != 0).sum(axis=0) == s)
    np.testing.assert_allclose(np.abs(D[D != 0]), 1 / np.sqrt(s))


@pytest.mark.parametrize("n", [1, 5, 37, 64, 100])
def test_srht_with_k_equal_N_is_orthogonal(n):
    N = 1 << max(0, (n - 1).bit_length())
    S = make("srht", N, n, 4, block=min(8, N))
    D = S.to_dense()
    np.testing.assert_allclose(D.T @ D, np.eye(n), atol=1e-12)


def test_fwht_equals_dense_hadamard():
    X = np.random.default_rng(0).standard_normal((512, 3))
    for stage in (2, 4, 16):
        np.testing.assert_allclose(fwht(np, X, stage=stage), _hadamard(512) @ X, atol=1e-9)


def test_expected_gram_is_identity(family):
    """E[S^T S] = I: averaged over 400 seeds, diagonal near 1 and off-diagonal near 0.

    Each entry of S^T S has variance at most ~2/k per seed (~1/k for +-1 entries), so the average
    over T seeds has standard deviation <= sqrt(2 / (k T)); we allow 6 of those.
    """
    k, n, T = 16, 12, 400
    G = sum(make(family, k, n, seed).to_dense().T @ make(family, k, n, seed).to_dense() for seed in range(T)) / T
    tol = 6 * np.sqrt(2 / (k * T))
    assert np.abs(G - np.eye(n)).max() < tol


def test_a_distribution_s_bound_params_are_those_of_its_draw(family):
    """The theory parameters a distribution gives its bounds are the ones its operator was drawn with (osnap's
    s, achlioptas' density, srht's N), as the drawn operator states them."""
    fam = families.get(family)
    for n, own in ((12, {}), (1000, {"density": 0.5} if family == "achlioptas" else {"s": 8} if family == "osnap" else {})):
        dist = families.Distribution.of(family, k=8, n=n, d=3, **own)
        drawn = dist.sample(0).params()
        assert dist.bound_params() == {k: v for k, v in fam.theory_params(**drawn).items() if k in fam.theory_keys}


def test_eta_law_is_the_mean_square_read_back_error(family):
    """E ||Mhat_i - E_i||^2 = (a (||E||_F^2 - ||E_i||^2) + b ||E_i||^2) / k with the distribution's (a, b)
    (``Family.eta_law``, an equality): the mean over 600 seeds is within 6 standard errors on every row."""
    k, n, T = 8, 12, 600
    E = np.random.default_rng(5).standard_normal((n, 3))
    own = {name: v for name, v in FAMILY_CASES[family].items() if any(prm.name == name for prm in families.get(family).params)}
    a, b = families.Distribution.of(family, k=k, n=n, d=3, **own).eta_law()
    row_sq = (E**2).sum(axis=1)
    law = (a * (row_sq.sum() - row_sq) + b * row_sq) / k
    err = np.empty((T, n))
    for seed in range(T):
        S = make(family, k, n, seed).to_dense()
        err[seed] = ((S.T @ (S @ E) - E) ** 2).sum(axis=1)
    se = err.std(axis=0, ddof=1) / np.sqrt(T)
    assert (np.abs(err.mean(axis=0) - law) <= 6 * se + 1e-12).all(), (err.mean(axis=0), law)


def test_gaussian_entries_mean_and_variance():
    """Entries of sqrt(k) S are N(0, 1): a chi-square test on the variance and a z-test on the mean."""
    from scipy import stats

    k, n = 256, 2000
    z = make("gaussian", k, n, 5).to_dense().ravel() * np.sqrt(k)
    N = z.size
    assert abs(z.mean()) * np.sqrt(N) < 5
    chi2 = (z**2).sum()
    assert stats.chi2.sf(chi2, N) > 1e-5 and stats.chi2.cdf(chi2, N) > 1e-5
    assert stats.kstest(z, "norm").pvalue > 1e-4


def test_achlioptas_density():
    S = make("achlioptas", 64, 3000, 2, density=0.1)
    D = S.to_dense()
    frac = (D != 0).mean()
    assert abs(frac - 0.1) < 5 * np.sqrt(0.1 * 0.9 / D.size)
    np.testing.assert_allclose(np.abs(D[D != 0]), 1 / np.sqrt(0.1 * 64))


def test_streams_a_generated_table_and_a_memmap(tmp_path):
    T = p.table("lowrank", n=300, d=8, seed=1)
    E = T.block(0, 300)
    path = tmp_path / "E.npy"
    np.save(path, E)
    S = p.sketch("gaussian", k=32, n=300, seed=2)
    ref = S.apply(E)
    np.testing.assert_allclose(S.apply(T, block_rows=64), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(S.apply(p.load_table(path), block_rows=50), ref, rtol=1e-5, atol=1e-5)


def test_repr_names_parameters_and_small_state():
    S = p.sketch("srht", k=64, n=10**6, seed=9)
    r = repr(S)
    assert "srht" in r and "k=64" in r and "n=1000000" in r and "seed=9" in r and f"holds={64 * 8} bytes" in r
    assert S.nbytes <= 8 * S.k


@pytest.mark.parametrize("call, match", [
    (lambda: p.sketch("fourier", k=4, n=10), "gaussian, rademacher"),
    (lambda: p.sketch("gaussian", k=0, n=10), "k must be"),
    (lambda: p.sketch("gaussian", k=4, n=-1), "n must be"),
    (lambda: p.sketch("osnap", k=4, n=10, s=5), "s <= k"),
    (lambda: p.sketch("srht", k=33, n=32), "k <= 32"),
    (lambda: p.sketch("countsketch", k=4, n=10).columns(np.array([10])), r"\[0, 10\)"),
    (lambda: p.sketch("countsketch", k=4, n=10).apply(np.ones((9, 2))), "9 rows"),
    (lambda: p.sketch("gaussian", k=4, n=10).decompress(np.ones((5, 2)), [0]), "k = 4"),
    (lambda: p.sketch("gaussian", k=4, n=10, device="quantum"), "cpu, gpu, auto"),
])
def test_bad_input_is_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_gpu_matches_cpu(family, cupy):
    cpu = p.sketch(family, k=64, n=3000, seed=3, **FAMILY_CASES[family])
    gpu = p.sketch(family, k=64, n=3000, seed=3, device="gpu", **FAMILY_CASES[family])
    idx = np.arange(0, 3000, 7)
    c, g = cpu.columns(idx), cupy.asnumpy(gpu.columns(idx))
    if unit_entries(family):
        assert np.array_equal(c, g)
    else:
        np.testing.assert_allclose(c, g, rtol=2e-6, atol=2e-6)
    E = p.table("gaussian", n=3000, d=16, seed=1)
    np.testing.assert_allclose(cupy.asnumpy(gpu.apply(E)), cpu.apply(E), rtol=1e-4, atol=1e-3)


def test_gpu_integer_draws_identical(cupy):
    from pss_theory import rng

    s = rng.Stream(123, 1)
    assert np.array_equal(cupy.asnumpy(s.words(5, 1001, cupy)), s.words(5, 1001))
    idx = np.array([9, 4, 100000, 5])
    assert np.array_equal(cupy.asnumpy(s.rows_at(cupy.asarray(idx), 3, cupy)), s.rows_at(idx, 3))
