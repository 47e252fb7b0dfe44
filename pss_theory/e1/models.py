"""The two timed models of E.1, a plain n x d table and ROBE-Z: forward pass, and backward pass with an SGD step."""
from __future__ import annotations

import numpy as np

from ..backend import Backend
from ..families.robez import RobeZ, chunk_hash

LR = 1e-3


def coalesce(backend: Backend, keys, vals, key_bound: int):
    """(unique keys, sums of vals per key): keys (K,) int64 in [0, key_bound), vals (K,) or (K, w) float.

    One sort of (key << bits | position) packed in one int64 when it fits (numpy's int64 sort is
    several times faster than its argsort), an argsort otherwise; then the segment sums as one product
    with the 0/1 CSR matrix whose row u holds the positions of the u-th unique key (measured several
    times faster on numpy than ``np.add.reduceat``).  The same code runs on numpy/SciPy and CuPy/cupyx.
    """
    xp = backend.xp
    K = int(keys.shape[0])
    pbits = max(1, (K - 1).bit_length())
    kbits = max(1, (int(key_bound) - 1).bit_length())
    if kbits + pbits <= 62:
        packed = (keys << pbits) | _constant(backend, "arange", K, xp.int64)
        packed = xp.sort(packed)
        order = packed & ((1 << pbits) - 1)
        skeys = packed >> pbits
    else:
        order = xp.argsort(keys)
        skeys = keys[order]
    first = xp.empty(K, dtype=bool)
    first[:1] = True
    xp.not_equal(skeys[1:], skeys[:-1], out=first[1:])
    starts = xp.flatnonzero(first)
    itype = xp.int32 if K < 2**31 else xp.int64  # cupyx sparse matrices take int32 indices
    indptr = xp.concatenate([starts, xp.asarray([K], dtype=starts.dtype)]).astype(itype)
    sel = backend.sparse.csr_matrix((_constant(backend, "ones", K, vals.dtype), order.astype(itype), indptr),
                                    shape=(int(starts.shape[0]), K))
    return skeys[starts], sel @ vals


_CONSTANTS: dict = {}


def _constant(backend: Backend, kind: str, size: int, dtype):
    """arange(size) or ones(size), built once per (backend, size, dtype) and reused (read-only)."""
    key = (backend.name, kind, size, np.dtype(dtype).str)
    if key not in _CONSTANTS:
        if len(_CONSTANTS) > 8:
            _CONSTANTS.clear()
        xp = backend.xp
        arr = xp.arange(size, dtype=dtype) if kind == "arange" else xp.ones(size, dtype=dtype)
        _CONSTANTS[key] = backend.read_only(arr)
    return _CONSTANTS[key]


def init_params(backend: Backend, shape, seed: int):
    """Uniform [0, 1) float32 parameters (their values do not affect the timings)."""
    return backend.uniform_float32(shape, seed)


class PlainModel:
    """The n x d float32 table; forward = row gather + sum of squares."""

    def __init__(self, backend: Backend, n: int, d: int, seed: int):
        self.backend, self.xp, self.n, self.d = backend, backend.xp, n, d
        self.params = init_params(backend, (n, d), seed)

    @property
    def nbytes(self) -> int:
        return int(self.params.nbytes)

    def forward(self, ids):
        r = self.xp.take(self.params, ids, axis=0)
        flat = r.reshape(-1)
        return self.xp.vdot(flat, flat), r

    def backward(self, ids, r, mode: str) -> None:
        xp = self.xp
        step = r * np.float32(-2.0 * LR)  # -LR * dL/dr
        if mode == "dense":
            grad = xp.zeros_like(self.params)  # the full-size buffer, zero-filled every iteration
            if self.backend.atomic_scatter_add:
                self.backend.scatter_add(grad, ids, step)
            else:
                uniq, sums = coalesce(self.backend, ids, step, self.n)
                grad[uniq] = sums  # = scatter-add into a zero buffer
            self.params += grad  # every parameter updated
        else:
            uniq, sums = coalesce(self.backend, ids, step, self.n)
            self.params[uniq] += sums  # touched rows only


class RobeZModel:
    """ROBE-Z's memory of m float32; forward = chunk hash + gather + sum of squares."""

    def __init__(self, backend: Backend, n: int, d: int, compression: float, Z: int, seed: int):
        self.backend, self.xp = backend, backend.xp
        self.pss = RobeZ(n=n, d=d, compression=compression, Z=Z, device=backend)
        self.m, self.Z = self.pss.m, Z
        self.chunks = self.xp.arange(self.pss.nchunks, dtype=self.xp.int64)
        self.params = init_params(backend, (self.m,), seed)

    @property
    def nbytes(self) -> int:
        return int(self.params.nbytes)

    def forward(self, ids):
        starts = chunk_hash(self.xp, ids, self.chunks, self.m - self.Z + 1)
        r = self.pss.gather(self.params, starts)
        flat = r.reshape(-1)
        return self.xp.vdot(flat, flat), (r, starts)

    def backward(self, ids, cache, mode: str) -> None:
        r, starts = cache
        step = (r * np.float32(-2.0 * LR)).reshape(-1)
        locs = self.pss.expand(starts).reshape(-1)
        if mode == "dense":
            self.params += self.backend.dense_sum(locs, step, self.m)  # the full-size gradient, every slot updated
        else:
            uniq, sums = coalesce(self.backend, locs, step, self.m)
            self.params[uniq] += sums.astype(self.params.dtype, copy=False)
