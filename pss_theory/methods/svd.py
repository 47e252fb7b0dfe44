"""Truncated SVD (Eckart & Young 1936): the best rank-r approximation E ~ (E V_r) V_r^T.

Stored: U_r Sigma_r = E V_r (n x r) and V_r (d x r), r (n + d) float32, with r = floor(budget / (4 (n + d)))
(at most d).  It exists only while r >= 1 fits: at compression above n d / (n + d) (about d) there is no
rank-1 factor in the budget, and the method reports where it stops.  Fitted in two passes: the Gram E^T E
(float64), whose top r eigenvectors are V_r, then E V_r.  It holds its own n x r factor, which is its memory.
"""
from __future__ import annotations

import numpy as np

from ..backend import get_backend
from ..measure import passes
from .base import TABLE_ENTRY_BYTES, Fitted, Method, Unreachable, as_rows


class LowRank(Fitted):
    """Mhat_i = (U Sigma)_i V^T."""

    def read(self, idx):
        return self.arrays["US"][as_rows(idx)].astype(np.float64) @ self.arrays["V"].T.astype(np.float64)


class Project(passes.Accumulator):
    """Rows of E V, written into the n x r factor in row order."""

    span_fields = ("V",)

    def __init__(self, V, out):
        self.V, self.out = V, out

    def add(self, state, b0, b1, block, b64, norms):
        state.append((b0, b64 @ self.V))

    def open(self, source, start, stop):
        return []

    def merge(self, part, start, stop):
        for b0, rows in part:
            self.out[b0 : b0 + rows.shape[0]] = rows


class TruncatedSVD(Method):
    name = "svd"
    sources = ("eckart_young1936",)
    rule = "rank r = floor(budget / (4 (n + d))), at most d: E V_r (n x r) and V_r (d x r)"
    reads = 2

    def working_bytes(self, n, d, budget, block_rows):
        return budget + 8.0 * block_rows * d  # the float32 factor (at most the budget) and a block's projection

    def fit(self, table, budget, seed, block_rows=1 << 16):
        n, d = table.n, table.d
        r = min(d, int(budget // (TABLE_ENTRY_BYTES * (n + d))))
        if r < 1:
            raise Unreachable("no rank-1 factor (n + d floats) fits", 1.0, n * d / (n + d))
        source = passes.TableBlocks(table, get_backend("cpu"), block_rows)
        gram = passes.Gram()
        passes.run(source, [gram])
        w, vecs = np.linalg.eigh(gram.total)
        V = vecs[:, np.argsort(w)[::-1][:r]]
        US = np.empty((n, r), dtype=np.float32)  # what it stores, written row block by row block
        passes.run(source, [Project(V, US)], max_span_rows=block_rows)  # each block written as it is read
        return LowRank(self.name, n, d, {"US": US, "V": V.astype(np.float32)}, passes=2,
                       config={"rank": r})


METHOD = TruncatedSVD()
