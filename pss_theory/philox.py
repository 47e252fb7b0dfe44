"""Philox4x64-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11) as
integer array operations on numpy or CuPy: the rounds numpy's ``np.random.Philox`` runs in C, so the
words are bit-identical (tests/test_rng.py).  A leaf: it imports nothing (the array module, numpy or CuPy,
is passed in), so ``backend`` and ``rng`` both build on it without importing each other's way round.
"""
from __future__ import annotations

MASK64 = (1 << 64) - 1
_PHILOX_M = (0xD2E7470EE14C6C93, 0xCA5A826395121157)
_PHILOX_W = (0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B)


def _mulhilo(xp, a, b: int):
    """(high, low) 64-bit halves of the 128-bit product a * b, with 32-bit limbs only."""
    m32 = xp.uint64(0xFFFFFFFF)
    s32 = xp.uint64(32)
    a_lo, a_hi = a & m32, a >> s32
    b_lo, b_hi = xp.uint64(b & 0xFFFFFFFF), xp.uint64(b >> 32)
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    cross = (lo_lo >> s32) + (hi_lo & m32) + lo_hi
    hi = a_hi * b_hi + (hi_lo >> s32) + (cross >> s32)
    return hi, a * xp.uint64(b)


def philox_blocks(xp, counters, key: tuple[int, int]):
    """Philox4x64-10 of each 64-bit counter (the upper 192 counter bits zero): shape (..., 4) uint64."""
    c0 = xp.asarray(counters, dtype=xp.uint64)
    c1 = xp.zeros_like(c0)
    c2 = xp.zeros_like(c0)
    c3 = xp.zeros_like(c0)
    k0, k1 = key
    for r in range(10):
        if r:
            k0 = (k0 + _PHILOX_W[0]) & MASK64
            k1 = (k1 + _PHILOX_W[1]) & MASK64
        hi0, lo0 = _mulhilo(xp, c0, _PHILOX_M[0])
        hi1, lo1 = _mulhilo(xp, c2, _PHILOX_M[1])
        c0, c1, c2, c3 = hi1 ^ c1 ^ xp.uint64(k0), lo1, hi0 ^ c3 ^ xp.uint64(k1), lo0
    return xp.stack([c0, c1, c2, c3], axis=-1)
