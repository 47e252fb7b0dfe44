import numpy as np
from conftest import FAMILY_CASES
from hypothesis import given
from hypothesis import strategies as st

import pss_theory as p
from pss_theory import metrics
from pss_theory.measure import pairs, row_summaries


@given(family=st.sampled_from(sorted(FAMILY_CASES)), seed=st.integers(0, 10**6),
       kind=st.sampled_from(["gaussian", "lowrank", "zipf"]), k=st.integers(8, 64))
def test_every_pair_meets_the_per_row_bound(family, seed, kind, k):
    """pi_ij <= eps_i eps_j + eps_i + eps_j follows from the PSS inequality with the measured eps_i."""
    n, d = 64, 5
    E = p.table(kind, n=n, d=d, seed=seed % 97, rank=d)
    S = p.sketch(family, k=k, n=n, seed=seed, dtype=np.float64, **FAMILY_CASES[family])
    comp = metrics.compress(S, E)
    mi = metrics.micro(S, E, comp, metrics.spectrum(comp))
    rows = np.arange(n)
    mhat, e = pairs.read_rows(S, comp.M, E, rows)
    a, b = np.triu_indices(n, 1)
    tol = pairs.rounding_allowance(np.float64)
    st_ = pairs.pair_stats(pairs.pair_errors(mhat, e, a, b), mi.eps[a], mi.eps[b], 0.5, tol)
    assert st_["per_row_violations"] == 0
    best = row_summaries.TopRows(10).add(mi.rho, rows, eps_i=mi.eps)
    top = pairs.top_pairs(S, comp.M, E, best, 10, 0.5, tol)
    assert top["per_row_violations"] == 0 and top["pairs"] == 45


def test_pair_errors_match_a_direct_computation(rng):
    mhat, e = rng.standard_normal((30, 4)), rng.standard_normal((30, 4))
    a, b = pairs.sample_pairs(30, 500, seed=1)
    assert np.all(a != b) and a.max() < 30 and b.max() < 30
    direct = [abs(mhat[i] @ mhat[j] - e[i] @ e[j]) / (np.linalg.norm(e[i]) * np.linalg.norm(e[j])) for i, j in zip(a, b)]
    np.testing.assert_allclose(pairs.pair_errors(mhat, e, a, b, chunk=7), direct, rtol=1e-12)


def test_sampled_pairs_are_distinct_and_uniform():
    """Without replacement: no pair twice; over many seeds each of the 10 pairs of 5 rows is drawn
    equally often (3 of 10 per seed)."""
    counts = np.zeros((5, 5))
    for seed in range(20_000):
        a, b = pairs.sample_pairs(5, 3, seed=seed)
        assert len(set(zip(a.tolist(), b.tolist()))) == 3 and np.all(a < b)
        np.add.at(counts, (a, b), 1)
    upper = counts[np.triu_indices(5, 1)]
    assert upper.sum() == 60_000 and np.abs(upper / 6000 - 1).max() < 0.05
    a, b = pairs.sample_pairs(2000, 100_000, seed=1)
    assert np.unique(a * 2000 + b).size == 100_000
    a, b = pairs.sample_pairs(5, 50, seed=1)  # more than exist: all of them
    assert a.size == 10
    counts = np.zeros((5, 5))
    for seed in range(4000):  # more than half of all pairs: the pairs left out are drawn (7 of 10 kept)
        a, b = pairs.sample_pairs(5, 7, seed=seed)
        assert len(set(zip(a.tolist(), b.tolist()))) == 7
        np.add.at(counts, (a, b), 1)
    assert np.abs(counts[np.triu_indices(5, 1)] / 2800 - 1).max() < 0.05
    a, b = pairs.sample_pairs(1000, 499_000, seed=2)  # nearly all: fast, not a crowded rejection loop
    assert np.unique(a * 1000 + b).size == 499_000


def test_exactly_read_rows_are_counted_not_divided():
    """CountSketch with k >> n: most rows collide with none and read back exactly (eps_i = 0)."""
    E = p.table("gaussian", n=40, d=3, seed=0)
    S = p.sketch("countsketch", k=4096, n=40, seed=1, dtype=np.float64)
    comp = metrics.compress(S, E)
    mi = metrics.micro(S, E, comp, metrics.spectrum(comp))
    mhat, e = pairs.read_rows(S, comp.M, E, np.arange(40))
    a, b = np.triu_indices(40, 1)
    st_ = pairs.pair_stats(pairs.pair_errors(mhat, e, a, b), mi.eps[a], mi.eps[b], 0.5,
                              pairs.rounding_allowance(np.float64))
    assert st_["exact_pairs"] > 0 and st_["exact_pair_errors"] == 0 and st_["per_row_violations"] == 0
    assert np.isfinite(st_["_ratio"]).all()


def test_float64_table_with_a_float32_sketch_has_no_false_violations():
    """A float64 table read back by a float32 CountSketch: rows without collisions are exact, and the pair
    check compares them in the precision the passes used (it counted thousands of "bug" violations)."""
    E = np.random.default_rng(0).standard_normal((3000, 8))
    s = p.run_check("theorem4", table=E, family="countsketch", k=1000, rho=0.001, pairs=20_000, top=200)
    st = s.stats["countsketch"]
    assert st["exact_pairs"] > 0
    assert st["per_row_violations"] == 0 and st["top"]["per_row_violations"] == 0


def test_pairs_read_back_to_rounding_are_not_violations():
    """Two rows read back to rounding (eps ~ 1e-16) give pi and a per-row bound that are both rounding
    errors; their ratio may exceed 1 without the inequality failing.  A real excess still counts."""
    tol = pairs.rounding_allowance(np.float64)
    pi = np.array([3e-16, 0.5, 2e-15, 1e-3])
    eps = np.array([1e-16, 0.1, 0.0, 0.0])
    st_ = pairs.pair_stats(pi, eps, eps, 0.5, tol)
    assert st_["per_row_violations"] == 2  # 0.5 > 0.21, and 1e-3 on a pair both read back exactly
    assert st_["exact_pair_errors"] == 1
