"""ROBE-Z (Desai et al. 2022) as a method at a memory budget: one hashed array of m floats, chunks of Z.

The locations and signs are those of the ``robez`` family (``families.robez``: its module docstring has the
hash).  Two ways to fill the memory, one pass each with O(m) memory:

- ``fit=sketch``: M[l] = the sum of s_ij E_ij over the entries hashed to slot l (the family's ``compress``:
  what a PSS stores before any training);
- ``fit=lsq``: M[l] = their mean, the least-squares solution of min_M sum_ij (s_ij M[loc(i, j)] - E_ij)^2
  (each entry reads one slot, so each slot's entries alone set it): the best training could do for
  reconstruction with that hash.

Memory: m float32 and one seed; m = floor((budget - 8) / 4), at least Z and at most n d.
"""
from __future__ import annotations

import numpy as np

from .. import families
from .. import validate as V
from ..backend import get_backend
from ..families import Param
from ..measure import passes
from .base import SEED_BYTES, TABLE_ENTRY_BYTES, Fitted, Method, Unreachable, as_rows

FITS = ("lsq", "sketch")


class HashedMemory(Fitted):
    """The memory ``M`` read through the ROBE-Z operator ``op``."""

    op: object = None

    def read(self, idx):
        return self.op.decompress(self.arrays["M"], as_rows(idx)).astype(np.float64)


class SlotSums(passes.Accumulator):
    """The signed sum of the entries hashed to each slot (float64) and, with ``counts``, how many there are."""

    span_fields = ("op", "count")

    def __init__(self, op, counts: bool):
        self.op, self.count = op, counts
        self.sums, self.counts = np.zeros(op.m), np.zeros(op.m)

    def open(self, source, start, stop):
        return {"sums": np.zeros(self.op.m), "counts": np.zeros(self.op.m)}

    def add(self, state, b0, b1, block, b64, norms):
        self.op.accumulate(state["sums"], b0, b64)
        if self.count:  # the least-squares fit only: hashing the block's locations a second time
            self.op.backend.scatter_add(state["counts"], self.op.locations(range(b0, b1)).ravel(), np.ones(b64.size))

    def merge(self, part, start, stop):
        self.sums += part["sums"]
        self.counts += part["counts"]


class RobeZMethod(Method):
    name = "robez"
    params = (Param("Z", lambda t: V.integer("Z", V.real("Z", t), minimum=1), "robez: chunk size Z (default min(32, d))"),
              Param("signed", bool, "robez: a sign per chunk (unbiased read-back)", flag=True),
              Param("fit", lambda t: V.one_of("fit", t, FITS), "robez: lsq (slot means) or sketch (sums)"))
    sources = ("desai2022", "robe2021")
    rule = "m = floor((budget - 8) / 4) floats (Z <= m <= n d)"

    def working_bytes(self, n, d, budget, block_rows):
        return 5.0 * budget  # float64 sums and counts of the m slots, and the float32 memory

    def fit(self, table, budget, seed, Z=None, signed=False, fit="lsq", block_rows=1 << 16):
        n, d = table.n, table.d
        Z = min(32, d) if Z is None else Z
        m = min(n * d, int((budget - SEED_BYTES) // TABLE_ENTRY_BYTES))
        if m < Z:
            raise Unreachable(f"fewer than Z = {Z} floats fit", 1.0, TABLE_ENTRY_BYTES * n * d / (TABLE_ENTRY_BYTES * Z + SEED_BYTES))
        op = families.Distribution.of("robez", k=None, n=n, d=d, Z=Z, signed=bool(signed), compression=n * d / m).sample(seed)
        acc = SlotSums(op, counts=fit == "lsq")
        passes.run(passes.TableBlocks(table, get_backend("cpu"), block_rows), [acc])
        M = acc.sums if fit == "sketch" else acc.sums / np.maximum(acc.counts, 1)
        fitted = HashedMemory(self.name, n, d, {"M": M.astype(np.float32)}, seeds=1, passes=1,
                              config={"m": op.m, "Z": Z, "signed": bool(signed), "fit": fit})
        fitted.op = op
        return fitted


METHOD = RobeZMethod()
