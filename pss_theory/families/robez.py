"""ROBE-Z (Desai, Chou & Shrivastava) as a parameter sharing setup: one hashed array of m floats.

The table E (n x d) is cut, row by row, into chunks of Z consecutive columns; chunk b = floor(j / Z)
of row i is stored at a hashed offset of a single memory of m floats, without wrap-around:

    loc(i, j) = h(i, floor(j / Z)) mod (m - Z + 1) + (j mod Z),
    h(a, b)   = (a R3 + b R2 + R1) mod P,

with the constants of the authors' GPU code (``P``, ``R1``, ``R2``, ``R3`` below).  Compression is n d / m.
Those constants are fixed, so with ``signed=False`` (the paper's variant) ``seed`` plays no part in the
locations, and two RobeZ objects with the same (n, d, m, Z) are identical whatever their seed.  (A review
reports that in the authors' code the constants are the first draws of a generator seeded with 1024,
that all tables share one memory at cumulative offsets, and that their CPU path hashes differently; see
erratum 10 of paper_appendix.md: not re-checked here.  This PSS hashes one table into its own memory.)

Exact integer arithmetic.  ``a`` and ``b`` are reduced mod P first (which leaves h unchanged mod P),
so a, b < P < 2^31 and a R3 + b R2 + R1 < P (R3 + R2) + R1 < 5.5e18 < 2^63 - 1 = 9.2e18: the sum is
exact in int64 for every row id a < 2^63 (without the reduction, a R3 would overflow int64 once
a >= 2^63 / R3 ~ 1.06e10 rows).  The same int64 operations run on numpy and CuPy, so both give the
same locations bit for bit.

Compress is the adjoint of the read (M = A vec(E) for the 0/1 (or +-1) m x nd matrix A with one
nonzero a column): every entry is *added* into its slot.  The read-back is therefore a **sum**, not
an average:

    Mhat_ij = s_ij * M[loc(i, j)] = E_ij + sum over (i', j') != (i, j) with loc(i', j') = loc(i, j)
                                           of s_ij s_i'j' E_i'j'

(s = 1 when unsigned).  Unsigned, the error is the sum of the colliding entries: on a table whose
entries have mean mu it is biased by about mu (n d - 1) / m ~ mu * compression per entry.  With
``signed=True`` each chunk (i, b) carries a sign s(i, b) = +-1, a pure function of (seed, i, b)
drawn from the Philox stream ``rng.Stream(key, rng.TAG_SKETCH_SIGNS)`` (``key = rng.sketch_key(seed, trial)``): bit (b mod 64) of word
i * W + floor(b / 64), W = ceil(ceil(d / Z) / 64) (so for d / Z <= 64, s(i, b) is bit b of word i).
Distinct chunks get independent signs and a chunk never collides with itself (its Z entries sit in
Z distinct slots), so E[Mhat_i] = E_i: the signed read-back is unbiased.
"""
from __future__ import annotations

import math

import numpy as np

from .. import rng
from .. import validate as V
from ..errors import InputError
from .family import Family, Param
from .operator import StreamedPSS

# Constants of the paper's ROBE-Z code (universal_memory_allocation, branch paddingidx_sparse).
P = 2038074743
R1 = 634329019
R2 = 1825252241
R3 = 871205356
assert P * (R2 + R3) + R1 < 2**63 - 1  # the int64 bound stated in the module docstring

DEFAULT_COMPRESSION = 1000
DENSE_LIMIT = 1 << 24  # entries of the explicit m x nd matrix ``to_dense`` will build (tests only)
MAX_M = 2**53  # beyond this m is not even an exact float; 8 m bytes would be 64 PiB


def chunk_hash(xp, rows, chunks, modulus: int | None = None):
    """h(a, b) = (a R3 + b R2 + R1) mod P for every (row a, chunk b), optionally reduced mod ``modulus``.

    rows: 1-D integer array (length r); chunks: 1-D integer array (length c).  Returns int64 (r, c).
    """
    a = xp.asarray(rows, dtype=xp.int64) % P  # < 2^31
    b = xp.asarray(chunks, dtype=xp.int64) % P
    h = (a * R3)[:, None] + (b * R2 + R1)[None, :]  # < P (R3 + R2) + R1 < 2^63
    xp.remainder(h, P, out=h)
    if modulus is not None:
        xp.remainder(h, int(modulus), out=h)
    return h


class RobeZ(StreamedPSS):
    """ROBE-Z's hashed memory of m floats as a PSS (see the module docstring for the formulas).

    Exactly one of ``m`` (memory size in floats) and ``compression`` (n d / m, m = round(n d /
    compression)) may be given; neither means compression 1000.  ``Z`` is the chunk size (1 <= Z <= d).
    Z <= m <= 2^53 (``MAX_M``), else InputError; whether m floats fit in memory is the memory planner's
    question.
    """

    family = "robez"
    has_columns = False  # no S: a row's memory slots are hashed, not a column of a matrix
    linear = False  # linear in E, but not of the form S E with S k x n: Theorem 6 has nothing to measure

    def __init__(self, *, n: int, d: int, m: int | None = None, compression: float | None = None, Z: int = 32,
                 signed: bool = False, seed=0, trial: int = 0, device="cpu", dtype=np.float32):
        super().__init__(n=n, seed=seed, trial=trial, device=device, dtype=dtype)
        self.d = V.positive_int("d", d)
        Z = V.integer("chunk size Z", Z, minimum=1)
        if Z > self.d:
            raise InputError(f"chunk size Z = {Z} > d = {self.d}: a chunk cannot be longer than a row")
        self.Z = Z
        if m is not None and compression is not None:
            raise InputError("give either m (memory size) or compression (n d / m), not both")
        nd = self.n * self.d
        if m is not None:
            m = V.integer("memory size m", m, minimum=1)
        else:
            c = DEFAULT_COMPRESSION if compression is None else compression
            if isinstance(c, bool) or not isinstance(c, (int, float, np.integer, np.floating)) or not math.isfinite(c):
                raise InputError(f"compression must be a positive number, got {c!r}")
            if c <= 0:
                raise InputError(f"compression must be > 0, got {c:g}")
            slots = nd / float(c)
            if not slots <= MAX_M:  # also inf, from a compression below nd / 1.8e308
                raise InputError(f"compression {c:g} gives m = n d / compression = {slots:.3g} memory slots for "
                                 f"n d = {nd:,} entries; m can be at most 2^53: use a compression >= "
                                 f"{nd / MAX_M:.3g}")
            m = int(round(slots))
            if m < Z:
                raise InputError(f"compression {c:g} gives m = round(n d / compression) = {m} memory slots for "
                                 f"n d = {nd:,} entries, fewer than Z = {Z}: use a compression <= {nd / Z:g}")
        if m < Z:
            raise InputError(f"memory size m = {m} < Z = {Z}: a chunk of Z floats must fit in memory")
        if m > MAX_M:
            raise InputError(f"memory size m = {m:.3g} floats is more than 2^53: use an m of at most {MAX_M}")
        self.m = m
        self.signed = bool(signed)
        self.nchunks = -(-self.d // self.Z)
        self._sign_width = -(-self.nchunks // 64)

    def memory_floats(self, d: int) -> int:
        return self.m

    # ---- description ----
    @property
    def compression(self) -> float:
        """n d / m, the compression actually achieved (m is rounded)."""
        return self.n * self.d / self.m

    def params(self) -> dict:
        return {"m": self.m, "Z": self.Z, "compression": self.compression, "signed": self.signed}

    # ---- hashing ----
    def _rows(self, idx):
        idx = self._check_idx(idx)
        if isinstance(idx, range):
            return self.xp.arange(idx.start, idx.stop, dtype=self.xp.int64)
        return idx

    def chunk_starts(self, idx):
        """(len(idx), ceil(d / Z)) int64: the memory offset of each chunk of the given rows."""
        rows = self._rows(idx)
        return chunk_hash(self.xp, rows, self.xp.arange(self.nchunks, dtype=self.xp.int64), self.m - self.Z + 1)

    def expand(self, starts):
        """Chunk starts (r, c) -> element locations (r, d): start of chunk floor(j/Z) plus j mod Z."""
        xp = self.xp
        r, c, Z = starts.shape[0], starts.shape[1], self.Z
        if 1 < Z <= 8:
            # a broadcast (r, c, 1) + (Z,) has an inner loop of length Z: slow for small Z
            locs = xp.empty((r, c, Z), dtype=xp.int64)
            for k in range(Z):
                xp.add(starts, k, out=locs[:, :, k])
            locs = locs.reshape(r, c * Z)
        else:
            locs = (starts[:, :, None] + xp.arange(Z, dtype=xp.int64)).reshape(r, c * Z)
        return locs if locs.shape[1] == self.d else locs[:, : self.d]

    def locations(self, idx):
        """(len(idx), d) int64: loc(i, j) = h(i, floor(j/Z)) mod (m - Z + 1) + (j mod Z)."""
        return self.expand(self.chunk_starts(idx))

    def chunk_signs(self, idx):
        """(len(idx), ceil(d / Z)) +-1 in float32 (all ones when unsigned): s(i, b) of the module docstring."""
        xp = self.xp
        idx = self._check_idx(idx)
        count = len(idx) if isinstance(idx, range) else int(idx.shape[0])
        if not self.signed:
            return xp.ones((count, self.nchunks), dtype=xp.float32)
        stream = rng.Stream(self.key, rng.TAG_SKETCH_SIGNS)
        if isinstance(idx, range):
            words = stream.rows(idx.start, idx.stop, self._sign_width, xp)
        else:
            words = stream.rows_at(idx, self._sign_width, xp)
        # bit b of the row = bit (b mod 64) of its word floor(b / 64): what rng.signs reads (little-endian),
        # written with shifts because cupy.unpackbits has no axis argument
        b = xp.arange(self.nchunks, dtype=xp.int64)
        bits = (words[:, b // 64] >> (b % 64).astype(xp.uint64)) & xp.uint64(1)
        return bits.astype(xp.float32) * xp.float32(2.0) - xp.float32(1.0)

    def signs(self, idx):
        """(len(idx), d) +-1: the sign of every entry (that of its chunk); None when unsigned."""
        if not self.signed:
            return None
        s = self.chunk_signs(idx)
        return self.xp.repeat(s, self.Z, axis=1)[:, : self.d]

    # ---- the read ----
    def gather(self, memory, starts):
        """memory at the locations of chunk starts (r, c): (r, d), in memory's dtype, no signs applied.

        Each chunk is one window of Z consecutive floats (``Backend.gather_windows``).
        """
        out = self.backend.gather_windows(memory, starts, self.Z).reshape(starts.shape[0], -1)
        return out if out.shape[1] == self.d else out[:, : self.d]

    # ---- the PSS protocol ----
    def zeros_accumulator(self, d: int):
        if d != self.d:
            raise InputError(f"the table has d = {d} columns but this ROBE-Z PSS was built for d = {self.d}")
        return self.xp.zeros(self.m, dtype=self.xp.float64)

    def accumulate(self, acc, start: int, block) -> None:
        """acc += A vec(E_block): each entry (times its sign) added into its slot."""
        xp = self.xp
        if block.ndim != 2 or block.shape[1] != self.d:
            raise InputError(f"a block must have shape (rows, {self.d}), got {tuple(block.shape)}")
        rows = range(start, start + block.shape[0])
        locs = self.locations(rows).ravel()
        w = block.astype(xp.float64)
        if self.signed:
            w = w * self.signs(rows)
        self.backend.scatter_add(acc, locs, w.ravel())

    def finish(self, acc):
        return acc

    def compress(self, E, block_rows: int | None = None):
        """M = A vec(E): the memory of m floats (float64) after one streamed pass over E."""
        acc = None
        for start, _stop, block in self.tiles(E, block_rows):
            if acc is None:
                acc = self.zeros_accumulator(block.shape[1])
            self.accumulate(acc, start, block)
        return self.finish(acc)

    def decompress(self, memory, idx):
        """Mhat for the rows idx: (len(idx), d) = memory[loc(i, j)] (times s_ij when signed); ``memory``
        must be a real vector of m floats."""
        xp = self.xp
        memory = self._real(xp.asarray(memory), "ROBE-Z memory")
        if memory.ndim != 1 or memory.shape[0] != self.m:
            raise InputError(f"ROBE-Z memory must be a vector of m = {self.m} floats, got shape {tuple(memory.shape)}")
        idx = self._check_idx(idx)
        out = self.gather(memory, self.chunk_starts(idx))
        if self.signed:
            out = out * self.signs(idx).astype(out.dtype)
        return out

    def to_dense(self):
        """The m x (n d) matrix A with M = A vec(E) (row-major vec), on the host; for tests at tiny sizes."""
        if self.m * self.n * self.d > DENSE_LIMIT:
            raise InputError(f"to_dense would build {self.m} x {self.n * self.d} entries (limit {DENSE_LIMIT:,})")
        locs = self.backend.to_host(self.locations(range(0, self.n))).ravel()
        A = np.zeros((self.m, self.n * self.d))
        sg = self.signs(range(0, self.n))
        A[locs, np.arange(self.n * self.d)] = 1.0 if sg is None else self.backend.to_host(sg).ravel()
        return A


class RobeZFamily(Family):
    """ROBE-Z as a PSS that declares what it lacks: no columns S e_i and no M = S E, so Theorem 6 and
    the JLT calculators do not apply (``linear`` and ``has_columns`` are False)."""

    name = "robez"
    operator = RobeZ
    params = (
        Param("Z", lambda t: V.integer("Z", V.real("Z", t), minimum=1), "robez: chunk size Z (default min(32, d))"),
        Param("compression", lambda t: V.positive("compression", t), "robez: n d / m (default 1000)"),
        Param("signed", bool, "robez: add a sign hash (unbiased read-back)", flag=True),
    )
    sources = ("robe2021",)

    def make(self, *, k=None, n, d, seed=0, trial=0, device="cpu", **params):
        params.setdefault("Z", min(32, d))  # the paper's chunk size, or the whole row when d < 32
        return RobeZ(n=n, d=d, seed=seed, trial=trial, device=device, **params)

    def check_k(self, k, n, d):
        """ROBE-Z has no k: its size is m (or the compression n d / m)."""


FAMILY = RobeZFamily()
