"""A cheap first look at a table before the passes: rho_i = ||E_i|| / sigma_max(E) from the data.

Theorem 7 speaks of the rows with rho_i > rho, and Theorem 4 of pairs of them; trained tables have small
rho_i (the MiniLM token table's largest is 0.059), so a --rho that selects no row is common and should be
said before the passes, with a value that does select rows.  One streamed pass accumulates the d x d
Gram E^T E (sigma_max^2 is its top eigenvalue) and the row norms; it costs n d (d + 1) multiply-adds,
a fraction of a pass with a sketch (n k d).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..tables import TableError, check_finite
from .metrics import quantiles

#: a suggested rho keeps this share of the rows, and at least KEEP_ROWS of them
KEEP_SHARE = 0.01
KEEP_ROWS = 100


@dataclass
class RowScale:
    """rho_i of every row (host float64) and sigma_max of the table."""

    rho: np.ndarray
    sigma_max: float

    def selected(self, rho: float) -> int:
        """Rows with rho_i > rho (the rows Theorem 7's statement speaks of)."""
        return int((self.rho > rho).sum())

    def suggest(self) -> float:
        """A rho that selects the top KEEP_SHARE of the rows (at least KEEP_ROWS, at most all but one):
        the rho_i just below them, rounded down to three significant digits."""
        n = self.rho.size
        keep = min(n - 1, max(KEEP_ROWS, math.ceil(KEEP_SHARE * n)))
        below = float(np.partition(self.rho, n - 1 - keep)[n - 1 - keep]) if keep > 0 else 0.0
        if below <= 0:
            return float(self.rho.max()) / 2
        digits = 2 - math.floor(math.log10(below))
        return math.floor(below * 10**digits) / 10**digits

    def summary(self, rho: float) -> dict:
        """The quantiles of rho_i (nonzero rows), how many rows ``rho`` selects, and a suggested rho."""
        nz = self.rho[self.rho > 0]
        return {"rho_i": quantiles(nz), "rho": rho, "selected_rows": self.selected(rho), "rows": int(self.rho.size),
                "suggested_rho": self.suggest()}


def gram_and_norms(table, backend, block_rows: int, *, float64: bool = False, update=None):
    """One pass over ``table`` (blocks of ``block_rows`` rows on ``backend``): the float64 Gram E^T E and
    every ||E_i|| (host).  Products in float64 when ``float64`` or the table needs it, else float32
    products accumulated in float64.  ``update(rows_done)`` after each block."""
    xp = backend.xp
    dtype = xp.float64 if float64 or getattr(table, "needs_float64", False) else xp.float32
    gram = np.zeros((table.d, table.d))
    norms = np.empty(table.n)
    for start in range(0, table.n, block_rows):
        stop = min(table.n, start + block_rows)
        block = table.block(start, stop, xp).astype(dtype, copy=False)
        gram += backend.to_host(block.T @ block).astype(np.float64)
        norms[start:stop] = backend.to_host(xp.sqrt((block.astype(xp.float64) ** 2).sum(axis=1)))
        check_finite(norms[start:stop], f"rows {start}..{stop - 1}", getattr(table, "name", "E"))
        if update is not None:
            update(stop)
    return gram, norms


def row_scale(table, backend, block_rows: int) -> RowScale:
    """rho_i from one pass (``gram_and_norms``)."""
    gram, norms = gram_and_norms(table, backend, block_rows)
    if not norms.any():  # said here as the first pass would say it, before anything else is read
        raise TableError("every row of the table is zero: there is nothing to compress")
    sigma = math.sqrt(float(np.linalg.eigvalsh(gram)[-1]))
    return RowScale(norms / sigma, sigma)


def note(scan: dict) -> str | None:
    """One line before the passes when ``rho`` selects no row (None when it selects some)."""
    if scan["selected_rows"]:
        return None
    q = scan["rho_i"]
    return (f"--rho {scan['rho']:g} selects no row: the largest rho_i = ||E_i|| / sigma_max of this table is "
            f"{q['max']:.3g} (p99 {q['p99']:.3g}, median {q['p50']:.3g}); try --rho {scan['suggested_rho']:g}, "
            f"which keeps at least {min(scan['rows'] - 1, max(KEEP_ROWS, math.ceil(KEEP_SHARE * scan['rows']))):,} rows (the "
            f"top {KEEP_SHARE:.0%}, at least {KEEP_ROWS})")
