"""Theorem 6 as a check, through its public Result: every trial's eps_macro against a dense computation of
the same draw, and the theory columns against the theory functions."""
import numpy as np
import pytest

import pss_theory as p
from pss_theory import theory

N, D, K, TRIALS = 2000, 6, 64, 3


@pytest.fixture(scope="module")
def result():
    return p.run_check("theorem6", n=N, d=D, k=K, trials=TRIALS, family="gaussian,countsketch,srht", seed=5)


def test_each_trial_is_the_singular_values_of_its_own_draw(result):
    """eps_macro (norm form) = max |sigma(S Q) - 1| and lambda = sigma^2, for S = trial t of --seed 5."""
    E = np.asarray(p.table("zipf", n=N, d=D, seed=5).block(0, N), dtype=np.float64)
    Q, _ = np.linalg.qr(E)
    st = result["stats"]
    for family, trial, eps, lo, hi in zip(st["family"], st["trial"], st["eps_macro_norm"], st["lambda_min"],
                                          st["lambda_max"]):
        S = p.sketch(family, k=K, n=N, seed=5, trial=trial, dtype=np.float64).to_dense()
        sv = np.linalg.svd(S @ Q, compute_uv=False)
        assert eps == pytest.approx(np.abs(sv - 1).max(), rel=1e-4)
        assert (lo, hi) == pytest.approx((sv.min() ** 2, sv.max() ** 2), rel=1e-4)
    assert sorted(zip(st["family"], st["trial"])) == sorted((f, t) for f in ("gaussian", "countsketch", "srht")
                                                            for t in range(TRIALS))


def test_the_theory_columns_are_the_theory_functions(result):
    o_eps, delta = result["eps"], result["delta"]
    for row in result["per_k"]:
        f = row["family"]
        extra = {"n": N} if f == "srht" else {}
        stated = theory.theorem6_eps(K, delta, D, f, **extra)
        assert row["theorem6_eps"] == ("inf" if stated == float("inf") else pytest.approx(stated))
        assert row["theorem6_k_proof"] == pytest.approx(theory.theorem6_k_proved(o_eps, delta, D, f, **extra))
        measured = [e for fam, e in zip(result["stats"]["family"], result["stats"]["eps_macro_norm"]) if fam == f]
        assert row["eps_macro_max"] == max(measured) and row["eps_macro_p50"] == pytest.approx(np.median(measured))
