"""A researcher's workflow (issue 14): one seed convention, families compared in one table, sweeps
over chosen k, rho read from the data, results that load in one line."""
import numpy as np
import pytest

import pss_theory as pss
from pss_theory import metrics
from pss_theory.errors import InputError


@pytest.fixture(scope="module")
def small():
    return pss.table("zipf", n=600, d=6, seed=2).block(0, 600).astype(np.float64)


# ---- seeds ----

def test_python_seed_draws_the_sketch_the_command_draws(small):
    """seed=5 in Python and --seed 5 in a check give the same S: the check's trial 0 is pss.sketch's draw."""
    s = pss.run_check("theorem6", table=small, family="gaussian", k=24, trials=1, seed=5)
    S = pss.sketch("gaussian", k=24, E=small, seed=5)
    assert s.stats["eps_macro_norm"][0] == pytest.approx(metrics.eps_macro(S, small)["eps_macro_norm"], rel=1e-6)


def test_a_generator_becomes_one_uint64_seed():
    S = pss.sketch("countsketch", k=8, n=50, seed=np.random.default_rng(7))
    drawn = int(np.random.default_rng(7).integers(2**64, dtype=np.uint64))
    assert S.seed == drawn
    np.testing.assert_array_equal(S.to_dense(), pss.sketch("countsketch", k=8, n=50, seed=drawn).to_dense())
    assert pss.table("gaussian", n=5, d=2, seed=np.random.default_rng(7)).seed == drawn


def test_seed_none_is_fresh_and_reported(small):
    a, b = pss.sketch("gaussian", k=8, n=50, seed=None), pss.sketch("gaussian", k=8, n=50, seed=None)
    assert a.seed != b.seed
    np.testing.assert_array_equal(a.to_dense(), pss.sketch("gaussian", k=8, n=50, seed=a.seed).to_dense())
    s = pss.run_check("theorem6", table=small, family="gaussian", k=24, trials=1, seed=None)
    again = pss.run_check("theorem6", table=small, family="gaussian", k=24, trials=1, seed=s.seed)
    assert isinstance(s.seed, int) and again.stats["eps_macro_norm"] == s.stats["eps_macro_norm"]


def test_n_is_read_off_the_table(small):
    assert pss.sketch("gaussian", k=8, E=small).n == small.shape[0]
    with pytest.raises(InputError, match="not both"):
        pss.sketch("gaussian", k=8, n=600, E=small)
    with pytest.raises(InputError, match="give n"):
        pss.sketch("gaussian", k=8)
    with pytest.raises(InputError, match="seed must be"):
        pss.sketch("gaussian", k=8, n=10, seed=-1)
