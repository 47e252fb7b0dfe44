"""The two passes of a per-row check (Theorems 7 and 4) with their guards: pass 1 with the rho scan on
its row norms, then pass 2 writing every row's results into row files, and the column coherence."""
from __future__ import annotations

from ..progress import stage, step
from . import memory, metrics
from . import rows as rowfiles
from .scan import norm_sink, row_scale
from .scan import note as rho_note


def passes(pss, table, arrays, *, rho: float, block_rows=None, progress=None, coherence_pairs: int = 1_000_000,
           seed: int = 0, pool=None, say=None):
    """Both passes over the table, pass 2 writing each block's per-row results into ``arrays`` (a
    ``rows.RowArrays`` of ``metrics.row_fields(pss)``); returns (the PSS the passes used, Compressed,
    Spectrum, the sum over rows of Mhat_i - E_i, coherence or None, the rho scan).  Later reads must use
    that PSS: it computes in float64 after a switch.

    The rho scan (``measure.scan.row_scale``: rho_i's quantiles and what ``rho`` selects) rides on pass 1, whose
    row norms go to a temporary row file; ``say(line)`` hears its note before pass 2 when ``rho``
    selects no row.  The block size is checked against free memory first (``memory.plan_block_rows``),
    and a pass that runs out of GPU memory is retried with halved blocks.  On an ill-conditioned table
    the passes run in float64 (``metrics.needs_float64``).  ``progress`` (``pss_theory.progress``) hears
    of three stages: pass 1 and pass 2 (n rows each) and the column coherence (one step).  With a ``pool``
    (``RunContext.pool``: --dask) the row spans of both passes run on its workers.
    """
    rows = memory.plan_block_rows(pss, table.d, block_rows)
    with rowfiles.row_arrays(None, table.n, ("norm_i",)) as norms:
        pss, comp, spec = memory.first_pass(pss, table, rows, stage(progress, "pass 1", table.n), pool,
                                            norm_sink(norms))
        rho_scan = row_scale(norms, spec.sigma_max, rho)
    note = rho_note(rho_scan)
    if note and say is not None:
        say(note)
    bias = memory.with_retry(lambda b: metrics.read_back(pss, table, comp, spec, arrays.write, b,
                                                         stage(progress, "pass 2", table.n), pool), pss, rows)
    coh = None
    if pss.has_columns and coherence_pairs:
        with step(progress, "coherence"):
            coh = metrics.coherence(pss, coherence_pairs, seed)
    return pss, comp, spec, bias, coh, rho_scan
