"""The same bits whatever BLAS's thread count: a Dask worker runs one thread, this process all cores.

BLAS reads its thread count once, at load, so each case runs in two fresh interpreters, one with
OPENBLAS_NUM_THREADS=1 and one with 2, and compares what they print.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from pss_theory.backend import PANEL, matmul

#: products whose plain ``a @ b`` differs between 1 and 2 OpenBLAS threads (measured with 0.3.31): a
#: tall inner dimension with few columns, inner dimensions just past one K-block, a matrix-vector product
SHAPES = [(3000, 3000, 8, "float32", True), (4252, 2532, 3, "float64", False), (63, 3036, 256, "float32", True),
          (3490, 266, 1, "float64", False), (6124, 412, 2, "float64", False)]

PRODUCTS = f"""
import hashlib, numpy as np
from pss_theory.backend import matmul
rng = np.random.default_rng(0)
for m, inner, n, dtype, transposed in {SHAPES!r}:
    a = rng.standard_normal((inner, m)).astype(dtype).T if transposed else rng.standard_normal((m, inner)).astype(dtype)
    b = rng.standard_normal((inner, n)).astype(dtype)
    g = b.astype(np.float64)
    print(hashlib.sha256(matmul(a, b).tobytes() + matmul(g.T, g).tobytes()).hexdigest())
"""

CHECKS = """
import json
from pss_theory import checks
runs = {"theorem6": dict(n=3000, d=8, sweep=True, k_points=3, trials=2, family=["gaussian", "countsketch"]),
        "theorem7": dict(n=3000, d=8, k=300, family=["gaussian", "srht", "robez"], coherence_pairs=1000),
        "theorem4": dict(n=3000, d=1, k=64, family=["rademacher"])}
print(json.dumps({name: checks.run_check(name, **o).stats for name, o in runs.items()}, sort_keys=True, default=repr))
"""


def run_with_threads(script: str, threads: int) -> str:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_products_are_the_same_to_the_bit_on_one_thread_and_two():
    assert run_with_threads(PRODUCTS, 1) == run_with_threads(PRODUCTS, 2)


@pytest.mark.parametrize("m, inner, n", [(7, 0, 3), (5, 1, 1), (1, 700, 1), (1, 513, 9), (40, 256, 1),
                                         (40, 257, 6), (33, 3 * PANEL + 5, 17)])
def test_the_panelled_product_is_the_product(m, inner, n):
    rng = np.random.default_rng(m + inner + n)
    a, b = rng.standard_normal((m, inner)), rng.standard_normal((inner, n))
    out = matmul(a, b)
    assert out.shape == (m, n) and out.flags.c_contiguous
    np.testing.assert_allclose(out, a @ b, rtol=1e-12, atol=1e-12 * np.sqrt(max(inner, 1)))
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    np.testing.assert_allclose(matmul(a32, b32), a @ b, rtol=1e-5, atol=1e-5 * np.sqrt(max(inner, 1)))


def test_within_one_panel_it_is_blas_own_product():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((300, PANEL)), rng.standard_normal((PANEL, 7))
    assert np.array_equal(matmul(a, b), a @ b)


def test_checks_are_the_same_to_the_bit_on_one_thread_and_two():
    """Theorem 6's sweep, Theorem 7's rows and Theorem 4's pairs at shapes where BLAS's own products differ
    between thread counts (k = 300 over 3000-row tiles, d = 8; d = 1)."""
    one, two = (json.loads(run_with_threads(CHECKS, t)) for t in (1, 2))
    assert one.keys() == two.keys() and all(one[name] for name in one)
    for name in one:
        assert one[name] == two[name], name
