"""Compositional embeddings by the quotient-remainder trick (Shi et al. 2020): two small tables.

Row i reads Q[i // m] and R[i mod m] and combines them, by product (``combine=mult``: Mhat_i = Q[i // m] *
R[i mod m], entrywise) or by sum (``combine=add``).  Stored: (ceil(n / m) + m) d float32; m is the largest
remainder size with ceil(n / m) + m <= floor(budget / (4 d)), so the method reaches compressions up to
n / min_m (ceil(n / m) + m), about sqrt(n) / 2.

Fitted by alternating least squares, one pass of E per half-sweep: with R fixed the best Q solves, entry
by entry, Q[q, j] = sum_i E_ij R[r_i, j] / sum_i R[r_i, j]^2 over the rows of quotient q (for the sum:
Q[q] = the mean of E_i - R[r_i]), and likewise R with Q fixed.  Each pass also gives the relative squared
residual sum_i ||Mhat_i - E_i||^2 / ||E||_F^2 of the fit it starts from (``history``: after each half-sweep but
the last, whose residual the compare check measures).  R starts at 1 (product)
or 0 (sum), so the first half-sweep is the least-squares Q alone.
"""
from __future__ import annotations

import math

import numpy as np

from .. import validate as V
from ..backend import get_backend
from ..families import Param
from ..measure import passes
from .base import TABLE_ENTRY_BYTES, Fitted, Method, Unreachable, as_rows, group_sums

COMBINES = ("mult", "add")
SWEEPS = 4  # ALS sweeps (two passes each); the residual per pass is reported


def remainder_size(n: int, rows: int) -> int | None:
    """The largest m <= n with ceil(n / m) + m <= rows, or None when there is none."""
    if rows < 2:
        return None
    disc = rows * rows - 4 * n
    m = min(n, rows - 1, int((rows + math.isqrt(max(disc, 0))) // 2) + 1)
    while m >= 1 and -(-n // m) + m > rows:
        m -= 1
    return m if m >= 1 and -(-n // m) + m <= rows else None


def least_rows(n: int) -> int:
    """min over m of ceil(n / m) + m: the fewest rows the two tables can have."""
    s = math.isqrt(n)
    return min(-(-n // m) + m for m in range(max(1, s - 1), s + 3))


class Composed(Fitted):
    """Mhat_i = Q[i // m] (*|+) R[i mod m]."""

    def read(self, idx):
        rows = as_rows(idx)
        m = self.config["remainder"]
        q, r = self.arrays["Q"][rows // m].astype(np.float64), self.arrays["R"][rows % m].astype(np.float64)
        return q * r if self.config["combine"] == "mult" else q + r


class HalfSweep(passes.Accumulator):
    """One ALS half-step: the sums that update one table with the other fixed, and the residual before it."""

    span_fields = ("Q", "R", "m", "combine", "update")

    def __init__(self, Q, R, m, combine, update):
        self.Q, self.R, self.m, self.combine, self.update = Q, R, m, combine, update
        rows = Q.shape[0] if update == "Q" else R.shape[0]
        self.num, self.den, self.residual = np.zeros((rows, Q.shape[1])), np.zeros((rows, Q.shape[1])), 0.0

    def open(self, source, start, stop):
        return {"num": np.zeros_like(self.num), "den": np.zeros_like(self.den), "residual": 0.0}

    def add(self, state, b0, b1, block, b64, norms):
        rows = np.arange(b0, b1)
        qi, ri = rows // self.m, rows % self.m
        q, r = self.Q[qi], self.R[ri]
        state["residual"] += float((((q * r if self.combine == "mult" else q + r) - b64) ** 2).sum())
        own, other = (qi, r) if self.update == "Q" else (ri, q)
        rows_of = state["num"].shape[0]
        if self.combine == "mult":
            state["num"] += group_sums(own, b64 * other, rows_of)
            state["den"] += group_sums(own, other * other, rows_of)
        else:
            state["num"] += group_sums(own, b64 - other, rows_of)
            state["den"] += group_sums(own, np.ones_like(other), rows_of)

    def merge(self, part, start, stop):
        self.num += part["num"]
        self.den += part["den"]
        self.residual += part["residual"]

    def solution(self, old):
        """The updated table (rows with no weight keep their old values)."""
        return np.where(self.den > 0, self.num / np.where(self.den > 0, self.den, 1.0), old)


class QuotientRemainder(Method):
    name = "qr"
    params = (Param("combine", lambda t: V.one_of("combine", t, COMBINES), "qr: mult (product) or add (sum)"),)
    sources = ("shi2020",)
    rule = "the largest m with ceil(n / m) + m <= floor(budget / (4 d)) rows: Q (ceil(n / m) x d), R (m x d)"
    reads = 2 * SWEEPS

    def working_bytes(self, n, d, budget, block_rows):
        return 8.0 * budget  # Q, R and one half-sweep's sums and weights, in float64

    def fit(self, table, budget, seed, combine="mult", block_rows=1 << 16):
        n, d = table.n, table.d
        m = remainder_size(n, int(budget // (TABLE_ENTRY_BYTES * d)))
        if m is None:
            raise Unreachable("the two tables need at least min_m (ceil(n / m) + m) rows of d floats", 1.0,
                              n / least_rows(n))
        Q = np.zeros((-(-n // m), d))
        R = np.ones((m, d)) if combine == "mult" else np.zeros((m, d))
        source = passes.TableBlocks(table, get_backend("cpu"), block_rows)
        residuals = []
        for _ in range(SWEEPS):
            for update in ("Q", "R"):
                acc = HalfSweep(Q, R, m, combine, update)
                passes.run(source, [acc])
                residuals.append(acc.residual)
                if update == "Q":
                    Q = acc.solution(Q)
                else:
                    R = acc.solution(R)
        # the first pass starts from Mhat = 0 (Q = 0), so its residual is ||E||_F^2
        total = residuals[0]
        return Composed(self.name, n, d, {"Q": Q.astype(np.float32), "R": R.astype(np.float32)},
                        passes=2 * SWEEPS, history=[x / total if total else 0.0 for x in residuals[1:]],
                        config={"remainder": m, "combine": combine})


METHOD = QuotientRemainder()
