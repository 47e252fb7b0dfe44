"""CPU and GPU give the same draws and the same measurements (run with -m gpu on a CUDA machine).

Tolerances: integer draws (Philox words, signs, hash locations, sampled rows) must be identical;
float32 normals go through log/cos/sin, whose CUDA and numpy implementations may differ by a few
ulp, hence rtol 2e-6; measured quantities are sums over many rows in float32, hence rtol 1e-4.
"""
import numpy as np
import pytest

import pss_theory as p
from pss_theory import metrics, rng

pytestmark = pytest.mark.gpu


def host(a):
    import cupy

    return cupy.asnumpy(a)


@pytest.mark.parametrize("kind", ["gaussian", "lowrank", "zipf"])
def test_generated_tables_agree(kind):
    import cupy

    T = p.table(kind, n=5000, d=16, seed=3)
    np.testing.assert_allclose(host(T.block(100, 4100, cupy)), T.block(100, 4100), rtol=2e-6, atol=2e-6)
    idx = np.array([4999, 0, 17, 17])
    np.testing.assert_allclose(host(T.rows(cupy.asarray(idx), cupy)), T.rows(idx), rtol=2e-6, atol=2e-6)


def test_normals_and_signs_agree():
    import cupy

    w = rng.Stream(5, 1).rows(0, 300, 33)
    np.testing.assert_allclose(host(rng.normals(cupy, cupy.asarray(w), 65)), rng.normals(np, w, 65), rtol=2e-6, atol=2e-6)
    assert np.array_equal(host(rng.signs(cupy, cupy.asarray(w), 2000)), rng.signs(np, w, 2000))


@pytest.mark.parametrize("family", ["gaussian", "countsketch", "osnap", "srht"])
def test_measurements_agree(family):
    T = p.table("zipf", n=20000, d=16, seed=1)
    out = {}
    for device in ("cpu", "gpu"):
        S = p.sketch(family, k=256, n=T.n, seed=2, device=device)
        comp = metrics.compress(S, T)
        spec = metrics.spectrum(comp)
        mi = metrics.micro(S, T, comp, spec)
        out[device] = (metrics.eps_macro(comp, spec, S.xp)["eps_macro_norm"], mi.eps, mi.c)
    assert out["gpu"][0] == pytest.approx(out["cpu"][0], rel=1e-4)
    np.testing.assert_allclose(out["gpu"][1], out["cpu"][1], rtol=1e-3)
    np.testing.assert_allclose(out["gpu"][2], out["cpu"][2], rtol=1e-3)
