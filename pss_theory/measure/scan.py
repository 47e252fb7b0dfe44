"""rho_i = ||E_i|| / sigma_max(E) from the data, said before the read-back pass.

Theorem 7 speaks of the rows with rho_i > rho, and Theorem 4 of pairs of them; trained tables have small
rho_i (the MiniLM token table's largest is 0.059), so a --rho that selects no row is common and should be
said before the work that reads every row back, with a value that does select rows.  The scan rides on
pass 1 (``passes.RowNorms`` writes every ||E_i|| to a temporary row file while M and the Gram are
accumulated; sigma_max^2 is the Gram's top eigenvalue), so it costs no read of its own, and memory does
not grow with n.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np

from . import order_stats, passes, rows
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


def norm_sink(arrays: rows.RowArrays):
    """``passes.RowNorms``'s sink writing into ``norm_i`` of ``arrays``."""
    return lambda start, values: arrays.write(start, {"norm_i": values})


@contextlib.contextmanager
def norms_on_disk(table, backend, block_rows: int, *, float64: bool = False, update=None):
    """One pass over ``table`` (``passes.run`` over blocks of ``block_rows`` rows on ``backend``) yielding a
    ``NormPass``; the row file is removed on exit, so memory and the files outlive nothing n long.  Blocks in
    float64 when ``float64`` or the table needs it, else rounded to float32 (as a float32 PSS reads them);
    products in float64.  ``update(rows_done)`` after each block."""
    dtype = "float64" if float64 or getattr(table, "needs_float64", False) else "float32"
    with rows.row_arrays(None, table.n, ("norm_i",)) as arrays:
        gram, norms = passes.run(passes.TableBlocks(table, backend, block_rows, dtype),
                                 [passes.Gram(), passes.RowNorms(norm_sink(arrays))], progress=update)
        yield NormPass(backend.to_host(gram.total), arrays, norms.largest, norms.sum_sq)


def row_scale(norms: rows.RowArrays, sigma: float, rho: float) -> dict:
    """rho_i = norm_i / ``sigma`` from a file of row norms (``norm_i``).  Returns the quantiles of rho_i
    (nonzero rows), how many rows ``rho`` selects, and a suggested rho (``suggest``), all exact."""
    n = norms.n

    def rho_i(cols):
        return cols["norm_i"] / sigma

    keep, qs = kept_rows(n), list(QUANTILES.values())
    (m, found), (_, below) = order_stats.order_statistics(norms, [
        order_stats.Query(rho_i, lambda count: order_stats.quantile_ranks(count, qs), lambda c: c["norm_i"] > 0, ("norm_i",)),
        order_stats.Query(rho_i, lambda count: [n - 1 - keep] if keep > 0 else [], None, ("norm_i",))])
    selected = sum(int((rho_i(c) > rho).sum()) for _, _, c in norms.chunks(("norm_i",)))
    q = dict(zip(QUANTILES, order_stats.quantile_values(m, qs, found)))
    return {"rho_i": q, "rho": rho, "selected_rows": selected, "rows": n,
            "suggested_rho": suggest(below[0].value if below else 0.0, q["max"])}


def note(scan: dict) -> str | None:
    """One line before the passes when ``rho`` selects no row (None when it selects some)."""
    if scan["selected_rows"]:
        return None
    q = scan["rho_i"]
    return (f"--rho {scan['rho']:g} selects no row: the largest rho_i = ||E_i|| / sigma_max of this table is "
            f"{q['max']:.3g} (p99 {q['p99']:.3g}, median {q['p50']:.3g}); try --rho {scan['suggested_rho']:g}, "
            f"which keeps at least {kept_rows(scan['rows']):,} rows (the "
            f"top {KEEP_SHARE:.0%}, at least {KEEP_ROWS})")
