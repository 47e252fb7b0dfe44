import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from pss_theory import philox, rng
from pss_theory.errors import InputError


@given(seed=st.integers(0, 2**64 - 1), tag=st.integers(0, 100), start=st.integers(0, 10**12), count=st.integers(1, 40))
def test_numpy_philox_equals_integer_array_philox(seed, tag, start, count):
    """numpy's C Philox (CPU path) and the portable integer-op Philox (GPU path) give the same words."""
    s = rng.Stream(seed, tag)
    first, last = start // 4, (start + count - 1) // 4
    blocks = philox.philox_blocks(np, np.arange(first, last + 1, dtype=np.uint64), s.key).ravel()
    assert np.array_equal(s.words(start, count), blocks[start - 4 * first : start - 4 * first + count])


def test_philox_known_answer():
    """Random123's published known-answer vector for Philox4x64-10 with a zero counter and key."""
    got = philox.philox_blocks(np, np.zeros(1, dtype=np.uint64), (0, 0))[0]
    expected = [0x16554D9ECA36314C, 0xDB20FE9D672D0FDC, 0xD7E772CEE186176B, 0x7E68B68AEC7BA23B]
    assert [int(x) for x in got] == expected


@given(idx=st.lists(st.integers(0, 500), min_size=0, max_size=30), width=st.integers(1, 9))
def test_rows_at_matches_contiguous_rows(idx, width):
    s = rng.Stream(5, 1)
    full = s.rows(0, 501, width)
    assert np.array_equal(s.rows_at(np.array(idx, dtype=np.int64), width), full[idx])


def test_streams_differ_by_seed_and_tag():
    a = rng.Stream(1, 1).words(0, 64)
    assert not np.array_equal(a, rng.Stream(2, 1).words(0, 64))
    assert not np.array_equal(a, rng.Stream(1, 2).words(0, 64))


def test_normals_are_standard_normal():
    out = np.empty((4096, 256), dtype=np.float32)
    rng.fill_rows(rng.Stream(11, 1), 0, 4096, 128, rng.normals, out)
    z = out.ravel().astype(np.float64)
    # Kolmogorov-Smirnov against N(0, 1) on 1M draws, plus mean and variance at 5 sigma
    assert stats.kstest(z[:1_000_000], "norm").pvalue > 1e-4
    assert abs(z.mean()) < 5 / np.sqrt(z.size)
    assert abs(z.var() - 1) < 5 * np.sqrt(2 / z.size)
    # cos and sin halves of a row are uncorrelated
    assert abs(np.corrcoef(out[:, :128].ravel(), out[:, 128:].ravel())[0, 1]) < 5 / np.sqrt(out.size / 2)


def test_fill_rows_is_independent_of_chunking():
    s = rng.Stream(3, 1)
    a = np.empty((1000, 7), dtype=np.float32)
    rng.fill_rows(s, 10, 1010, 4, rng.normals, a)
    b = rng.normals(np, s.rows(10, 1010, 4), 7)
    assert np.array_equal(a, b)


def test_signs_are_fair_bits():
    x = rng.signs(np, rng.Stream(4, 1).rows(0, 2000, 2), 128)
    assert set(np.unique(x)) == {-1.0, 1.0}
    assert abs(x.mean()) < 5 / np.sqrt(x.size)


def test_bounded_is_uniform():
    hi, _ = rng.uniform32_halves(np, rng.Stream(9, 1).words(0, 200_000))
    counts = np.bincount(rng.bounded(np, hi, 10), minlength=10)
    assert counts.size == 10 and stats.chisquare(counts).pvalue > 1e-4  # size 10: no value outside [0, 10)


@pytest.mark.parametrize("m", [1, 3, 10, 1000, 2**31 + 7])
def test_bounded_is_multiply_shift_at_every_boundary(m):
    """floor(u m / 2^32) steps from j - 1 to j exactly at u = ceil(j 2^32 / m): each value j in [0, m)
    takes the ceil(j 2^32 / m) .. ceil((j + 1) 2^32 / m) - 1 inputs, floor or ceil of 2^32 / m of them."""
    j = np.unique(np.linspace(0, m - 1, 50).astype(np.int64))
    first = np.array([-(-(int(v) << 32) // m) for v in j], dtype=np.uint64)  # ceil(j 2^32 / m), exact in ints
    assert np.array_equal(rng.bounded(np, first, m), j)
    assert np.array_equal(rng.bounded(np, first[j > 0] - np.uint64(1), m), j[j > 0] - 1)
    assert rng.bounded(np, np.array([2**32 - 1], dtype=np.uint64), m)[0] == m - 1


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, "3", True])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        rng.Stream(seed, 1)


def test_sample_without_replacement_is_uniform_and_distinct():
    counts = np.zeros(20)
    for seed in range(600):
        pick = rng.sample_without_replacement(rng.Stream(seed, 3), 20, 5)
        assert len(set(pick.tolist())) == 5 and pick.min() >= 0 and pick.max() < 20
        counts[pick] += 1
    assert stats.chisquare(counts).pvalue > 1e-4  # each value chosen with probability 5/20
    assert sorted(rng.sample_without_replacement(rng.Stream(1, 3), 10, 10).tolist()) == list(range(10))


def test_draws_on_every_device_follow_their_definition(device):
    """Words, signs and Box-Muller normals on ``device`` against their definitions evaluated on the CPU in
    float64 (integer draws identical; normals within float32 rounding of log/cos/sin)."""
    xp = device.xp
    s = rng.Stream(5, 1)
    w = s.rows(0, 300, 33)
    assert np.array_equal(device.to_host(s.rows(0, 300, 33, xp)), w)
    idx = np.array([299, 0, 17, 17])
    assert np.array_equal(device.to_host(s.rows_at(xp.asarray(idx), 33, xp)), w[idx])
    bits = (w[:, :, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
    signs = 2.0 * bits.reshape(300, -1)[:, :2000] - 1.0
    assert np.array_equal(device.to_host(rng.signs(xp, xp.asarray(w), 2000)), signs)
    hi, lo = (w >> np.uint64(32)).astype(np.float64), (w & np.uint64(0xFFFFFFFF)).astype(np.float64)
    r = np.sqrt(-2.0 * np.log((hi + 0.5) * 2.0**-32))
    theta = 2.0 * np.pi * lo * 2.0**-32
    normals = np.concatenate([r * np.cos(theta), r * np.sin(theta)], axis=1)[:, :65]
    np.testing.assert_allclose(device.to_host(rng.normals(xp, xp.asarray(w), 65)), normals, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", [-1, 2**64, 1.0, True, None])
def test_a_stream_takes_only_an_integer_key_word(seed):
    """A Stream's key is one validated integer (validate.seed_integer, which validate.seed also ends in):
    the library never turns a missing seed into a random one below the entry points."""
    with pytest.raises(InputError, match=r"seed must be an integer in \[0, 2\*\*64\), got "):
        rng.Stream(seed, 1)
