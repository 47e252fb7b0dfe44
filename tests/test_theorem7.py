"""Theorem 7 as a check, through its public Result: eps_i and eta_i on every row against the dense read-back
of the same S, and the theory at k against the theory functions."""
import numpy as np
import pytest

import pss_theory as p
from pss_theory import theory

N, D, K = 3000, 6, 128


@pytest.fixture(scope="module")
def result():
    return p.run_check("theorem7", n=N, d=D, k=K, family="gaussian,countsketch", seed=3, coherence_pairs=1000)


def test_per_row_quantiles_are_those_of_the_dense_read_back(result):
    E = np.asarray(p.table("zipf", n=N, d=D, seed=3).block(0, N), dtype=np.float64)
    sigma = np.linalg.norm(E, 2)
    for family in ("gaussian", "countsketch"):
        S = p.sketch(family, k=K, n=N, seed=3, dtype=np.float64).to_dense()
        err = np.linalg.norm(S.T @ (S @ E) - E, axis=1)
        norms = np.linalg.norm(E, axis=1)
        st = result["stats"][family]
        # the check's products are float32: quantiles agree to float32 rounding of the read-back
        for name, values in (("eps_i", err / norms), ("eta_i", err / sigma), ("rho_i", norms / sigma)):
            for q, level in (("p50", 0.5), ("max", 1.0)):
                assert st[name][q] == pytest.approx(np.quantile(values, level), rel=2e-3), (family, name, q)
        assert st["sigma_max"] == pytest.approx(sigma, rel=1e-6)


def test_the_theory_at_k_is_the_theory_functions(result):
    eps, delta, rho = result["eps"], result["delta"], result["rho"]
    for family in ("gaussian", "countsketch"):
        th = result["theory"][family]
        assert th["log_f"] == pytest.approx(theory.log_f_theorem7(D, N))
        assert th["theorem7_k"] == pytest.approx(theory.theorem7_k(eps, delta, D, N, rho, family))
        assert th["theorem7_k_proof"] == pytest.approx(theory.theorem7_k(eps, delta, D, N, rho, family, part_a_factor=2.0))
        jlt = theory.theorem7_eps_jlt(K, delta, D, N, family)
        assert th["eps_jlt"] == (None if not np.isfinite(jlt) else pytest.approx(jlt))
