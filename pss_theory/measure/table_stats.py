"""What a per-row certificate needs to know of a table, from one pass: the Gram, the row-mass
summaries and the rows in scope (the planner's pass, and ``k="auto"``'s)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..theory import certificates
from . import scan

BLOCK_ROWS = 1 << 16


@dataclass(frozen=True)
class Scope:
    """The rows with rho_i > rho (indices, ascending) and their masses ||E_i||^2."""

    rows: np.ndarray
    masses: np.ndarray


def table_stats(table, backend, rho: float, update=None) -> tuple[certificates.TableStats, Scope, float]:
    """The one pass (``scan.norms_on_disk`` in float64), its row file read back once: the Gram and the
    row-mass summaries (``TableStats.from_summaries``), the rows in scope, and the largest rho_i.  Fewer than
    srank(E) / rho^2 <= d / rho^2 rows have rho_i > rho (their masses exceed rho^2 sigma^2 and add up
    to at most ||E||_F^2), so nothing held here grows with n."""
    with scan.norms_on_disk(table, backend, BLOCK_ROWS, float64=True, update=update) as scanned:
        top, bins, picked = scanned.largest * scanned.largest, {}, []  # max_i ||E_i||^2, as x * x rounds it
        sigma_sq = float(np.clip(np.linalg.eigvalsh(scanned.gram), 0.0, None)[-1])
        for start, _, c in scanned.norms.chunks(("norm_i",)):
            a = c["norm_i"] ** 2
            for b, count in certificates.mass_bins(a[a > 0], top).items():
                bins[b] = bins.get(b, 0) + count
            hit = np.flatnonzero(np.sqrt(a / sigma_sq) > rho)  # TableStats.scope's test, to the bit
            picked.append((start + hit, a[hit]))
    st = certificates.TableStats.from_summaries(scanned.gram, table.n, scanned.sum_sq, top, bins)
    scope = Scope(np.concatenate([r for r, _ in picked]), np.concatenate([m for _, m in picked]))
    return st, scope, math.sqrt(top / st.sigma_sq)
