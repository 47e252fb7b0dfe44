"""A cheap first look at a table before the passes: rho_i = ||E_i|| / sigma_max(E) from the data.

Theorem 7 speaks of the rows with rho_i > rho, and Theorem 4 of pairs of them; trained tables have small
rho_i (the MiniLM token table's largest is 0.059), so a --rho that selects no row is common and should be
said before the passes, with a value that does select rows.  One streamed pass accumulates the d x d
Gram E^T E (sigma_max^2 is its top eigenvalue) and the row norms; it costs n d (d + 1) multiply-adds,
a fraction of a pass with a sketch (n k d).  For the checks the norms go to a temporary row file, so
memory does not grow with n.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np

from ..tables import TableError, check_finite
from . import rows
from .metrics import QUANTILES

#: a suggested rho keeps this share of the rows, and at least KEEP_ROWS of them
KEEP_SHARE = 0.01
KEEP_ROWS = 100


def suggest(below: float, rho_max: float) -> float:
    """A rho that selects the top KEEP_SHARE of the rows (at least KEEP_ROWS, at most all but one):
    ``below``, the rho_i just below them, rounded down to three significant digits."""
    if below <= 0:
        return rho_max / 2
    digits = 2 - math.floor(math.log10(below))
    return math.floor(below * 10**digits) / 10**digits


def kept_rows(n: int) -> int:
    """How many rows a suggested rho keeps."""
    return min(n - 1, max(KEEP_ROWS, math.ceil(KEEP_SHARE * n)))


@dataclass
class NormPass:
    """What ``norms_on_disk`` read: the float64 Gram, every ||E_i|| in a temporary row file (``norm_i``),
    the largest ||E_i|| and the sum of ||E_i||^2 (summed block by block)."""

    gram: np.ndarray
    norms: rows.RowArrays
    largest: float
    sum_sq: float


@contextlib.contextmanager
def norms_on_disk(table, backend, block_rows: int, *, float64: bool = False, update=None):
    """One pass over ``table`` (blocks of ``block_rows`` rows on ``backend``) yielding a ``NormPass``; the
    row file is removed on exit, so memory and the files outlive nothing n long.  Products in float64
    when ``float64`` or the table needs it, else float32 products accumulated in float64.
    ``update(rows_done)`` after each block."""
    xp = backend.xp
    dtype = xp.float64 if float64 or getattr(table, "needs_float64", False) else xp.float32
    gram = np.zeros((table.d, table.d))
    largest = sum_sq = 0.0
    with rows.row_arrays(None, table.n, ("norm_i",)) as arrays:
        for start in range(0, table.n, block_rows):
            stop = min(table.n, start + block_rows)
            block = table.block(start, stop, xp).astype(dtype, copy=False)
            gram += backend.to_host(block.T @ block).astype(np.float64)
            block_norms = backend.to_host(xp.sqrt((block.astype(xp.float64) ** 2).sum(axis=1)))
            check_finite(block_norms, f"rows {start}..{stop - 1}", getattr(table, "name", "E"))
            arrays.write(start, {"norm_i": block_norms})
            largest = max(largest, float(block_norms.max()))
            sum_sq += float((block_norms**2).sum())
            if update is not None:
                update(stop)
        yield NormPass(gram, arrays, largest, sum_sq)


def row_scale(table, backend, block_rows: int, rho: float) -> dict:
    """rho_i from one pass (``norms_on_disk``: memory does not grow with n).  Returns the quantiles of rho_i
    (nonzero rows), how many rows ``rho`` selects, and a suggested rho (``suggest``), all exact."""
    n = table.n
    with norms_on_disk(table, backend, block_rows) as scanned:
        if scanned.largest == 0:  # said here as the first pass would say it, before anything else is read
            raise TableError("every row of the table is zero: there is nothing to compress")
        sigma = math.sqrt(float(np.linalg.eigvalsh(scanned.gram)[-1]))

        def rho_i(cols):
            return cols["norm_i"] / sigma

        arrays = scanned.norms
        keep, qs = kept_rows(n), list(QUANTILES.values())
        (m, found), (_, below) = rows.order_statistics(arrays, [
            rows.Query(rho_i, lambda count: rows.quantile_ranks(count, qs), lambda c: c["norm_i"] > 0, ("norm_i",)),
            rows.Query(rho_i, lambda count: [n - 1 - keep] if keep > 0 else [], None, ("norm_i",))])
        selected = sum(int((rho_i(c) > rho).sum()) for _, _, c in arrays.chunks(("norm_i",)))
    return {"rho_i": dict(zip(QUANTILES, rows.quantile_values(m, qs, found))), "rho": rho, "selected_rows": selected,
            "rows": n, "suggested_rho": suggest(below[0].value if below else 0.0, scanned.largest / sigma)}


def note(scan: dict) -> str | None:
    """One line before the passes when ``rho`` selects no row (None when it selects some)."""
    if scan["selected_rows"]:
        return None
    q = scan["rho_i"]
    return (f"--rho {scan['rho']:g} selects no row: the largest rho_i = ||E_i|| / sigma_max of this table is "
            f"{q['max']:.3g} (p99 {q['p99']:.3g}, median {q['p50']:.3g}); try --rho {scan['suggested_rho']:g}, "
            f"which keeps at least {kept_rows(scan['rows']):,} rows (the "
            f"top {KEEP_SHARE:.0%}, at least {KEEP_ROWS})")
