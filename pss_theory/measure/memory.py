"""A memory guard: estimate a run's peak before allocating, shrink blocks to fit, or refuse clearly.

The estimate counts what the code holds (numbers below), not what Python or BLAS add around it, so
it keeps a 20 % margin below what the machine says is available.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError
from . import metrics, order_stats, rows

GIB = float(1 << 30)
MIN_BLOCK = 256
MARGIN = 0.8


def fixed_bytes(pss, d: int, row_arrays: int) -> float:
    """Held for the whole run: the compressed memory M twice, the Gram, and one chunk of each per-row
    array read back from disk plus the rows a selection collects (``rows``: nothing n long)."""
    return 2 * 8.0 * pss.memory_floats(d) + 8.0 * d * d + 8.0 * rows.CHUNK_ROWS * row_arrays + 16.0 * order_stats.COLLECT


def block_bytes(pss, d: int, rows: int) -> float:
    """Per block of ``rows`` rows read: that block and the one before it (a tile they share holds a view of
    both) in float32; per tile (``pss.tile_rows``, what the arithmetic runs on): its rows in float32 and five
    float64 copies, plus what the operator allocates."""
    tile = pss.tile_rows(d)
    return 2 * rows * d * 4 + tile * d * (4 + 5 * 8) + pss.block_bytes(d, tile)


def plan_block_rows(pss, d: int, block_rows: int | None, row_arrays: int = 10) -> int:
    """The block size to use: the requested (or default) one, halved until the estimate fits.

    A requested size beyond the table is priced as the table (n rows, rounded up to the PSS's
    ``block_multiple``): no block ever holds more rows than that.
    """
    avail = MARGIN * pss.backend.available_bytes()
    fixed = fixed_bytes(pss, d, row_arrays)
    step = pss.block_multiple
    rows = min(block_rows, -(-pss.n // step) * step) if block_rows else pss.default_block_rows()
    while fixed + block_bytes(pss, d, rows) > avail and rows // 2 >= max(MIN_BLOCK, step) and not block_rows:
        rows //= 2
    need = fixed + block_bytes(pss, d, rows)
    if need > avail:
        raise InputError(
            f"this run needs about {need / GIB:.1f} GiB ({fixed / GIB:.1f} GiB for n = {pss.n:,} rows and the k x d "
            f"memory, {block_bytes(pss, d, rows) / GIB:.2f} GiB per block of {rows:,} rows) but about "
            f"{avail / GIB:.1f} GiB is free on the {pss.backend.device}: use a smaller --n, --k or --block-rows")
    return rows


def with_retry(run, pss, block_rows: int):
    """``run(block_rows)``, retried with halved blocks after an out-of-memory error on a GPU."""
    rows = block_rows
    while True:
        try:
            return run(rows)
        except pss.backend.out_of_memory_errors:
            pss.backend.free_pool()
            step = pss.block_multiple
            smaller = rows // 2 // step * step
            if smaller < max(MIN_BLOCK, step):
                raise InputError(f"out of memory on the {pss.backend.device} even with blocks of {rows:,} rows: "
                                 "use a smaller --n or --k") from None
            rows = smaller


def first_pass(pss, table, rows: int, progress=None, pool=None, norms=None):
    """Pass 1 with the guards: ``metrics.compress`` retried on out-of-memory, run in float64 from the
    start when the table has entries float32 does not hold (``table.needs_float64``: 1e-50 would become
    0 and 1e50 Inf), and redone in float64 when the table is too ill-conditioned for float32 products
    (``metrics.needs_float64``).

    Returns (pss, Compressed, Spectrum); the PSS returned is the one the later passes must use.  ``pool``:
    where the row spans run; ``norms``: the sink of every ||E_i|| (``metrics.compress``; a redone pass
    writes them again, as the float64 pass reads them).
    """
    if pss.dtype == np.float32 and getattr(table, "needs_float64", False):
        pss = pss.with_dtype("float64")
    comp = with_retry(lambda b: metrics.compress(pss, table, b, progress, pool, norms), pss, rows)
    spec = metrics.spectrum(comp)
    if metrics.needs_float64(pss, spec):
        pss = pss.with_dtype("float64")
        comp = with_retry(lambda b: metrics.compress(pss, table, b, progress, pool, norms), pss, rows)
        spec = metrics.spectrum(comp)  # of E itself now, not of E rounded to float32
    return pss, comp, spec
