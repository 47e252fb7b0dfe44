"""The hashing trick (Weinberger et al. 2009): m buckets of d floats, row i stored in bucket h(i).

Read back, Mhat_i = s_i M[h(i)] with s_i = +-1 (``signed``) or 1.  The hash h and the signs are those of a
CountSketch of size m drawn for the same seed (``SparseSign.nonzeros_of``), so the signed sketch reading
*is* CountSketch: M = S E.  Two ways to fill the buckets from E, one pass each with O(m d) memory:

- ``fit=sketch``: M[b] = sum over i with h(i) = b of s_i E_i (M = S E; what Theorem 7 covers when signed);
- ``fit=lsq``: M[b] = the mean of s_i E_i over its rows, the least-squares solution of
  min_M sum_i ||s_i M[h(i)] - E_i||^2 (each bucket's rows alone set it): the best any training could
  do for reconstruction with that hash.

Memory: m d float32 and one seed; m = floor((budget - 8) / (4 d)), at most n.
"""
from __future__ import annotations

import numpy as np

from .. import families
from .. import validate as V
from ..backend import get_backend
from ..families import Param
from ..measure import passes
from .base import SEED_BYTES, TABLE_ENTRY_BYTES, Fitted, Method, Unreachable, as_rows, group_sums

FITS = ("lsq", "sketch")


class HashedRows(Fitted):
    """Buckets ``M`` and the hash: Mhat_i = s_i M[h(i)]."""

    hash: object = None
    signed: bool = False

    def read(self, idx):
        rows, signs = self.hash.nonzeros_of(as_rows(idx))
        out = self.arrays["M"][rows[:, 0]].astype(np.float64)
        return out * signs[:, :1].astype(np.float64) if self.signed else out


class BucketSums(passes.Accumulator):
    """sum over the rows of each bucket of s_i E_i (float64, m x d) and the rows per bucket."""

    span_fields = ("hash", "m", "signed")

    def __init__(self, hash, m: int, signed: bool):
        self.hash, self.m, self.signed = hash, m, signed
        self.sums, self.counts = None, np.zeros(m)

    def open(self, source, start, stop):
        return {"sums": None, "counts": np.zeros(self.m)}

    def add(self, state, b0, b1, block, b64, norms):
        rows, signs = self.hash.nonzeros_of(range(b0, b1))
        part = group_sums(rows[:, 0], b64, self.m, signs[:, 0].astype(np.float64) if self.signed else None)
        state["sums"] = part if state["sums"] is None else state["sums"] + part
        state["counts"] += np.bincount(rows[:, 0], minlength=self.m)

    def merge(self, part, start, stop):
        self.sums = part["sums"] if self.sums is None else self.sums + part["sums"]
        self.counts += part["counts"]


class HashingTrick(Method):
    name = "hashing"
    params = (Param("signed", bool, "hashing: a sign per row (signed read-back)", flag=True),
              Param("fit", lambda t: V.one_of("fit", t, FITS), "hashing: lsq (bucket means) or sketch (sums: M = S E)"))
    sources = ("weinberger2009", "charikar2004")
    rule = "m = floor((budget - 8) / (4 d)) buckets of d floats (at most n)"

    def working_bytes(self, n, d, budget, block_rows):
        return 3.0 * budget  # float64 bucket sums and the float32 buckets

    def fit(self, table, budget, seed, signed=False, fit="lsq", block_rows=1 << 16):
        n, d = table.n, table.d
        m = min(n, int((budget - SEED_BYTES) // (TABLE_ENTRY_BYTES * d)))
        if m < 1:
            raise Unreachable("not even one bucket of d floats fits", 1.0, TABLE_ENTRY_BYTES * n * d / (TABLE_ENTRY_BYTES * d + SEED_BYTES))
        h = families.Distribution.of("countsketch", k=m, n=n).sample(seed)
        acc = BucketSums(h, m, bool(signed))
        passes.run(passes.TableBlocks(table, get_backend("cpu"), block_rows), [acc])
        sums = acc.sums if acc.sums is not None else np.zeros((m, d))
        M = sums if fit == "sketch" else sums / np.maximum(acc.counts, 1)[:, None]
        fitted = HashedRows(self.name, n, d, {"M": M.astype(np.float32)}, seeds=1, passes=1,
                            config={"buckets": m, "signed": bool(signed), "fit": fit})
        fitted.hash, fitted.signed = h, bool(signed)
        return fitted


METHOD = HashingTrick()
