"""ROBE-Z as a PSS: the paper's hash reproduced exactly, compress as the adjoint of the read, signs."""
import math

import numpy as np
import pytest

from pss_theory import metrics
from pss_theory.errors import InputError
from pss_theory.families.robez import R1, R2, R3, P, RobeZ, chunk_hash
from pss_theory.tables import ArrayTable


def direct_location(i: int, j: int, m: int, Z: int) -> int:
    """The formula, one entry at a time, in Python integers (no overflow possible)."""
    h = (i * 871205356 + (j // Z) * 1825252241 + 634329019) % 2038074743
    return h % (m - Z + 1) + j % Z


def test_constants_are_the_papers():
    assert (P, R1, R2, R3) == (2038074743, 634329019, 1825252241, 871205356)
    assert P * (R2 + R3) + R1 < 2**63 - 1


@pytest.mark.parametrize("n,d,m,Z", [(7, 5, 23, 1), (9, 8, 40, 3), (11, 16, 64, 16), (5, 6, 6, 6), (13, 10, 97, 4)])
def test_locations_match_direct_formula(n, d, m, Z):
    pss = RobeZ(n=n, d=d, m=m, Z=Z)
    locs = pss.locations(range(0, n))
    assert locs.dtype == np.int64 and locs.shape == (n, d)
    want = np.array([[direct_location(i, j, m, Z) for j in range(d)] for i in range(n)])
    np.testing.assert_array_equal(locs, want)
    assert locs.min() >= 0 and locs.max() < m
    # arbitrary (unsorted, repeated) index arrays give the same rows
    idx = np.array([n - 1, 0, 2, 2])
    np.testing.assert_array_equal(pss.locations(idx), want[idx])


def test_hash_exact_for_huge_row_ids():
    rows = np.array([0, 1, P - 1, P, P + 12345, 2**40 + 17, 2**62 + 3], dtype=np.int64)
    chunks = np.array([0, 1, 3, 1000], dtype=np.int64)
    got = chunk_hash(np, rows, chunks)
    want = [[(int(a) * R3 + int(b) * R2 + R1) % P for b in chunks] for a in rows]
    np.testing.assert_array_equal(got, np.array(want, dtype=np.int64))


def test_unsigned_hash_ignores_seed():
    a = RobeZ(n=50, d=8, m=100, Z=4, seed=1).locations(range(0, 50))
    b = RobeZ(n=50, d=8, m=100, Z=4, seed=99).locations(range(0, 50))
    np.testing.assert_array_equal(a, b)


def test_signs_pure_function_of_seed_row_chunk():
    pss = RobeZ(n=40, d=12, m=60, Z=4, signed=True, seed=7)
    full = pss.chunk_signs(range(0, 40))
    assert set(np.unique(full)) <= {-1.0, 1.0} and (full == -1).any() and (full == 1).any()
    idx = np.array([39, 3, 3, 17])
    np.testing.assert_array_equal(pss.chunk_signs(idx), full[idx])
    np.testing.assert_array_equal(pss.chunk_signs(range(10, 20)), full[10:20])
    other = RobeZ(n=40, d=12, m=60, Z=4, signed=True, seed=8).chunk_signs(range(0, 40))
    assert (other != full).any()
    # the same bits as rng.signs (bit b of Philox word i of the stream TAG_SKETCH_SIGNS)
    from pss_theory import rng as prng

    words = prng.Stream(prng.sketch_key(7), prng.TAG_SKETCH_SIGNS).rows(0, 40, 1)
    np.testing.assert_array_equal(full, prng.signs(np, words, 3))
    wide = RobeZ(n=5, d=130, m=400, Z=1, signed=True, seed=7)  # 130 chunks: two words a row
    np.testing.assert_array_equal(wide.chunk_signs(range(0, 5)),
                                  prng.signs(np, prng.Stream(wide.key, prng.TAG_SKETCH_SIGNS).rows(0, 5, 3), 130))
    # every entry of a chunk carries the chunk's sign
    np.testing.assert_array_equal(pss.signs(range(0, 40)), np.repeat(full, 4, axis=1))


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("Z", [1, 3, 8])
def test_adjoint(signed, Z, rng):
    n, d, m = 37, 8, 29
    pss = RobeZ(n=n, d=d, m=m, Z=Z, signed=signed, seed=3, dtype=np.float64)
    E = rng.standard_normal((n, d))
    mem = rng.standard_normal(m)
    lhs = float(mem @ pss.compress(E, block_rows=10))
    rhs = float((pss.decompress(mem, range(0, n)) * E).sum())
    assert math.isclose(lhs, rhs, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("signed", [False, True])
def test_read_back_equals_AtA_against_dense_reference(signed, rng):
    n, d, m, Z = 15, 6, 20, 2
    pss = RobeZ(n=n, d=d, m=m, Z=Z, signed=signed, seed=11, dtype=np.float64)
    A = pss.to_dense()
    assert A.shape == (m, n * d) and (np.abs(A).sum(axis=0) == 1).all()  # one +-1 per column
    E = rng.standard_normal((n, d))
    M = pss.compress(E, block_rows=4)
    np.testing.assert_allclose(M, A @ E.ravel(), rtol=1e-12, atol=1e-12)
    mhat = pss.decompress(M, range(0, n))
    np.testing.assert_allclose(mhat.ravel(), A.T @ A @ E.ravel(), rtol=1e-12, atol=1e-12)
    # the read-back is E_ij plus the (signed) sum of the entries colliding with it
    locs = pss.locations(range(0, n))
    i, j = 4, 3
    s = pss.signs(range(0, n)) if signed else np.ones((n, d))
    coll = (locs == locs[i, j])
    assert math.isclose(mhat[i, j], float(s[i, j]) * float((s * E)[coll].sum()), rel_tol=1e-12)


def test_read_back_without_collisions_is_exact(rng):
    # m large enough that this tiny table has no collisions: decompress(compress(E)) = E
    n, d, Z = 4, 4, 2
    pss = RobeZ(n=n, d=d, m=10_000, Z=Z)
    locs = pss.locations(range(0, n)).ravel()
    assert np.unique(locs).size == locs.size
    E = rng.standard_normal((n, d))
    np.testing.assert_allclose(pss.decompress(pss.compress(E), range(0, n)), E, rtol=1e-6)


def test_signed_unbiased_unsigned_biased():
    """Mean of Mhat - E over seeds: ~0 signed (within 5 standard errors), ~(collisions x mean entry) unsigned.

    Positive entries make the unsigned read-back biased upward: each slot holds ~ n d / m entries.
    """
    n, d, m, Z, seeds = 40, 8, 64, 4, 300
    E = np.random.default_rng(0).uniform(0.5, 1.5, size=(n, d))
    errs = []
    for s in range(seeds):
        pss = RobeZ(n=n, d=d, m=m, Z=Z, signed=True, seed=s, dtype=np.float64)
        errs.append((pss.decompress(pss.compress(E), range(0, n)) - E).mean())
    errs = np.array(errs)
    se = errs.std(ddof=1) / math.sqrt(seeds)
    assert abs(errs.mean()) <= 5 * se, (errs.mean(), se)
    pss = RobeZ(n=n, d=d, m=m, Z=Z)
    bias = float((pss.decompress(pss.compress(E), range(0, n)) - E).mean())
    # each entry collides with about (n d - 1) / m ~ 5 others of mean 1 (only the chunk-level hash is random)
    assert bias > 2.0 and bias > 50 * se


def test_metrics_pipeline_reports_bias():
    n, d = 400, 8
    E = np.abs(np.random.default_rng(1).standard_normal((n, d))).astype(np.float32) + 0.1
    for signed in (False, True):
        pss = RobeZ(n=n, d=d, compression=10, Z=4, signed=signed, seed=5)
        comp = metrics.compress(pss, ArrayTable(E))
        assert comp.M.shape == (pss.m,)
        spec = metrics.spectrum(comp)
        mi = metrics.micro(pss, ArrayTable(E), comp, spec)
        assert mi.c is None and mi.bias.shape == (d,)
        direct = (pss.decompress(comp.M, range(0, n)) - E.astype(np.float64)).mean(axis=0)
        np.testing.assert_allclose(mi.bias, direct, rtol=1e-9, atol=1e-9)
        if not signed:
            assert mi.bias.min() > 1.0  # ~ 9 positive colliders per entry


def test_params_and_compression():
    pss = RobeZ(n=1000, d=16, compression=100, Z=8)
    assert pss.m == 160 and pss.params() == {"m": 160, "Z": 8, "compression": 100.0, "signed": False}
    assert pss.nbytes == 0 and pss.family == "robez"
    assert RobeZ(n=1000, d=64).m == 64 and RobeZ(n=1000, d=64).Z == 32  # defaults: compression 1000, Z = 32
    assert RobeZ(n=1000, d=16, m=33, Z=1).compression == pytest.approx(16000 / 33)
    assert "robez" in repr(pss)


@pytest.mark.parametrize("kwargs,match", [
    ({"Z": 0}, "Z must be an integer >= 1"),
    ({"Z": 17}, "Z = 17 > d = 16"),
    ({}, "Z = 32 > d = 16"),
    ({"m": 4, "Z": 8}, "m = 4 < Z = 8"),
    ({"compression": 0, "Z": 8}, "compression must be > 0"),
    ({"compression": -3, "Z": 8}, "compression must be > 0"),
    ({"compression": 1e4, "Z": 8}, "fewer than Z = 8"),
    ({"m": 100, "compression": 10, "Z": 8}, "not both"),
    ({"Z": 2.5}, "Z must be an integer"),
])
def test_validation(kwargs, match):
    with pytest.raises(InputError, match=match):
        RobeZ(n=1000, d=16, **kwargs)


def test_bad_memory_and_indices():
    pss = RobeZ(n=10, d=4, m=8, Z=2)
    with pytest.raises(InputError, match="vector of m = 8"):
        pss.decompress(np.zeros(9), range(0, 10))
    with pytest.raises(InputError):
        pss.decompress(np.zeros(8), np.array([10]))
    with pytest.raises(InputError, match="d = 4"):
        pss.zeros_accumulator(5)


def test_gpu_locations_and_signs_identical(cupy):
    for signed in (False, True):
        kw = dict(n=100_000, d=128, compression=100, Z=8, signed=signed, seed=42)
        cpu, gpu = RobeZ(**kw), RobeZ(device="gpu", **kw)
        idx = np.random.default_rng(0).integers(0, kw["n"], 5000)
        np.testing.assert_array_equal(cpu.locations(idx), cupy.asnumpy(gpu.locations(cupy.asarray(idx))))
        np.testing.assert_array_equal(cpu.locations(range(0, 3000)), cupy.asnumpy(gpu.locations(range(0, 3000))))
        if signed:
            np.testing.assert_array_equal(cpu.chunk_signs(idx), cupy.asnumpy(gpu.chunk_signs(cupy.asarray(idx))))
        E = np.random.default_rng(1).standard_normal((kw["n"], kw["d"])).astype(np.float32)
        mc, mg = cpu.compress(E), gpu.compress(E)
        np.testing.assert_allclose(mc, cupy.asnumpy(mg), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(cpu.decompress(mc, idx), cupy.asnumpy(gpu.decompress(mg, cupy.asarray(idx))),
                                   rtol=1e-9, atol=1e-9)
