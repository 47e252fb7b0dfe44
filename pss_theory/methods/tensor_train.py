"""TT-Rec (Yin et al. 2021): the table as a tensor-train matrix, fitted by TT-SVD (Oseledets 2011).

Rows are padded with zeros to N = n1 n2 n3 >= n (n1, n2, n3 about n^(1/3)) and d is factored d = d1 d2 d3
(as evenly as its divisors allow); entry (i, j), with i = (i1 n2 + i2) n3 + i3 and j = (j1 d2 + j2) d3 + j3,
is read back as sum_{a, b} G1[i1 j1, a] G2[a, i2 j2, b] G3[b, i3 j3].  Stored: the three cores, r1 n1 d1 +
r1 r2 n2 d2 + r2 n3 d3 float32 for ranks r1 = min(r, n1 d1), r2 = min(r, n3 d3) (where TT-SVD is exact), r the
largest whose cores fit the budget.  It reaches far
higher compressions than the other factorizations (r = 1 needs only n1 d1 + n2 d2 + n3 d3 floats).

TT-SVD: the tensor E[i1, i2, i3, j1, j2, j3], permuted to (i1 j1, i2 j2, i3 j3), is unfolded as (n1 d1) x
rest; its top r left singular vectors are G1, and the projection onto them, unfolded as (r n2 d2) x (n3 d3),
gives G2 and G3 by a second truncated SVD.  Each SVD is of a Gram of at most (r n2 d2) x (r n2 d2) and
(n1 d1) x (n1 d1).  It holds the padded table in float64 (and one permuted copy): 16 N d bytes, which the
compare check checks before any work.
"""
from __future__ import annotations

import math

import numpy as np

from ..backend import get_backend
from ..measure import passes
from .base import TABLE_ENTRY_BYTES, Fitted, Method, Unreachable, as_rows

PAIRS_AT_ONCE = 256  # distinct (i1, i2) a read-back contracts at once: r1 d2 r2 floats each


def row_factors(n: int) -> tuple[int, int, int]:
    """(n1, n2, n3), each about n^(1/3), with n1 n2 n3 >= n."""
    n1 = max(1, round(n ** (1 / 3)))
    n2 = max(1, round(math.sqrt(n / n1)))
    return n1, n2, -(-n // (n1 * n2))


def column_factors(d: int) -> tuple[int, int, int]:
    """(d1, d2, d3) with d1 d2 d3 = d, the most even split: the smallest largest factor, then the largest
    smallest (d prime: 1, 1, d)."""
    splits = [(d1, d2, d // (d1 * d2)) for d1 in range(1, d + 1) if d % d1 == 0
              for d2 in range(d1, d // d1 + 1) if (d // d1) % d2 == 0 and d // (d1 * d2) >= d2]
    return min(splits, key=lambda s: (s[2], -s[0]))


def ranks(r: int, rows: tuple, cols: tuple) -> tuple[int, int]:
    """(r1, r2) for a target rank r: each capped where the TT-SVD is exact (r1 <= n1 d1, r2 <= n3 d3)."""
    return min(r, rows[0] * cols[0]), min(r, rows[2] * cols[2])


def core_floats(r: int, rows: tuple, cols: tuple) -> int:
    r1, r2 = ranks(r, rows, cols)
    return r1 * rows[0] * cols[0] + r1 * r2 * rows[1] * cols[1] + r2 * rows[2] * cols[2]


class TensorTrain(Fitted):
    """Mhat_i from the cores G1 (n1 d1 x r), G2 (r x n2 d2 x r), G3 (r x n3 d3)."""

    def read(self, idx):
        rows = as_rows(idx)
        (n1, n2, n3), (d1, d2, d3) = self.config["rows"], self.config["cols"]
        r1, r2 = self.config["ranks"]
        G1 = self.arrays["G1"].astype(np.float64).reshape(n1, d1, r1)
        G2 = self.arrays["G2"].astype(np.float64).reshape(r1, n2, d2 * r2)
        G3 = self.arrays["G3"].astype(np.float64).reshape(r2, n3 * d3)
        # rows sharing (i1, i2) share G1[i1] G2[i2]: one product per distinct pair (a block of consecutive rows
        # has about its length / n3 of them), then that pair's rows read their own slice of the product with G3
        pair, i3 = np.divmod(rows, n3)
        pairs, which = np.unique(pair, return_inverse=True)
        out = np.empty((rows.size, d1 * d2 * d3))
        for start in range(0, pairs.size, PAIRS_AT_ONCE):  # rows spread over many pairs (a sample) in chunks
            i1, i2 = np.divmod(pairs[start : start + PAIRS_AT_ONCE], n2)
            left = np.matmul(G1[i1], G2[:, i2].transpose(1, 0, 2)).reshape(i1.size, d1 * d2, r2)
            full = (left @ G3).reshape(i1.size, d1 * d2, n3, d3)  # every i3 of each pair
            mine = (which >= start) & (which < start + PAIRS_AT_ONCE)
            out[mine] = full[which[mine] - start, :, i3[mine], :].reshape(-1, d1 * d2 * d3)
        return out


class Collect(passes.Accumulator):
    """The table's rows, in row order, into an array it was handed."""

    def __init__(self, out):
        self.out = out

    def open(self, source, start, stop):
        return []

    def add(self, state, b0, b1, block, b64, norms):
        state.append((b0, b64))

    def merge(self, part, start, stop):
        for b0, rows in part:
            self.out[b0 : b0 + rows.shape[0]] = rows


def top_left_vectors(A: np.ndarray, r: int) -> np.ndarray:
    """The r leading left singular vectors of A: from the eigenvectors of A A^T when A is wide (the first
    unfolding, n1 d1 x N d / (n1 d1)), else from A's thin SVD."""
    if A.shape[0] <= A.shape[1]:
        w, vecs = np.linalg.eigh(A @ A.T)
        return vecs[:, np.argsort(w)[::-1][:r]]
    return np.linalg.svd(A, full_matrices=False)[0][:, :r]


class TTRec(Method):
    name = "tt"
    sources = ("yin2021", "oseledets2011")
    rule = "ranks r1 = min(r, n1 d1), r2 = min(r, n3 d3), the largest r whose cores fit the budget"

    def working_bytes(self, n, d, budget, block_rows):
        n1, n2, n3 = row_factors(n)
        return 16.0 * n1 * n2 * n3 * d + 2 * budget

    def fit(self, table, budget, seed, block_rows=1 << 16):
        n, d = table.n, table.d
        rows, cols = row_factors(n), column_factors(d)
        floats = int(budget // TABLE_ENTRY_BYTES)
        r_max = max(rows[0] * cols[0], rows[2] * cols[2])
        r = max((r for r in range(1, r_max + 1) if core_floats(r, rows, cols) <= floats), default=0)
        if r < 1:
            raise Unreachable("not even rank-1 cores fit", 1.0, TABLE_ENTRY_BYTES * n * d / (TABLE_ENTRY_BYTES *
                                                                                           core_floats(1, rows, cols)))
        (n1, n2, n3), (d1, d2, d3) = rows, cols
        full = np.zeros((n1 * n2 * n3, d))
        passes.run(passes.TableBlocks(table, get_backend("cpu"), block_rows), [Collect(full)], max_span_rows=block_rows)
        T = full.reshape(n1, n2, n3, d1, d2, d3).transpose(0, 3, 1, 4, 2, 5).reshape(n1 * d1, -1)
        del full
        r1, r2 = ranks(r, rows, cols)
        U1 = top_left_vectors(T, r1)
        C = (U1.T @ T).reshape(r1 * n2 * d2, n3 * d3)
        del T
        U2 = top_left_vectors(C, r2)
        G3 = U2.T @ C
        if U2.shape[1] < r2:  # C has rank below r2 (r1 n2 d2 < r2): zero slices keep the stored shapes
            G3 = np.pad(G3, ((0, r2 - U2.shape[1]), (0, 0)))
            U2 = np.pad(U2, ((0, 0), (0, r2 - U2.shape[1])))
        return TensorTrain(self.name, n, d, {"G1": U1.astype(np.float32), "G2": U2.astype(np.float32),
                                             "G3": G3.astype(np.float32)}, passes=1,
                           config={"ranks": [r1, r2], "rows": list(rows), "cols": list(cols)})


METHOD = TTRec()
