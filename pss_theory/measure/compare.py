"""What the compare check measures of any read-back Mhat (a fitted method, ``pss_theory.methods``) against E.

One pass over E gives, for every row, eps_i = ||Mhat_i - E_i|| / ||E_i|| and rho_i = ||E_i|| / sigma_max(E)
(row files: memory independent of n) and the Gram Mhat^T Mhat.  From them:

- eps_i quantiles over all nonzero rows and over the rows with rho_i > rho (exact, ``row_stats.quantiles_of``),
  and the fraction of rows with eps_i <= eps;
- the macro distortion: the generalized eigenvalues lambda of (Mhat^T Mhat, E^T E) give
  sup_x | ||Mhat x|| / ||E x|| - 1 | = max |sqrt(lambda) - 1| (Theorem 6's eps_macro in the norm form, Eq. 4,
  defined for any n x d read-back, not only for S E);
- pi_ij = |<Mhat_i, Mhat_j> - <E_i, E_j>| / (||E_i|| ||E_j||) (Theorem 4's pair error) on sampled pairs of
  rows and on every pair among the R rows of largest rho_i.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ..backend import get_backend, matmul
from . import metrics, passes, row_summaries
from . import rows as rowfiles
from .pairs import pair_errors, rows_for_pairs, sample_pairs, sample_positions
from .row_stats import quantiles_of

FIELDS = ("eps_i", "rho_i")


@dataclass(frozen=True)
class TableStats:
    """What every cell compares against, from one pass: E^T E, sigma_max(E), and the nonzero rows."""

    gram: np.ndarray
    sigma_max: float
    nonzero_rows: int

    @classmethod
    def of(cls, table, block_rows: int) -> TableStats:
        gram, norms = passes.run(passes.TableBlocks(table, get_backend("cpu"), block_rows),
                                 [passes.Gram(), passes.RowNorms()])
        sigma = float(np.sqrt(max(np.linalg.eigvalsh(gram.total).max(), 0.0)))
        return cls(gram.total, sigma, table.n - norms.zero_rows)


class ReadBackErrors(passes.Accumulator):
    """Each block's rows read back from ``fitted``: eps_i and rho_i to the row files, Mhat^T Mhat, the rows
    within ``eps``, and the R rows of largest rho_i."""

    span_fields = ("fitted", "sigma_max", "eps", "rho", "top")

    def __init__(self, fitted, sigma_max: float, eps: float, rho: float, top: int, sink):
        self.fitted, self.sigma_max, self.eps, self.rho, self.top, self.sink = fitted, sigma_max, eps, rho, top, sink
        self.gram, self.within, self.scope, self.largest = None, 0, 0, row_summaries.TopRows(max(top, 1))

    def open(self, source, start, stop):
        return {"start": start, "out": {name: np.empty(stop - start) for name in FIELDS}, "gram": None, "within": 0,
                "scope": 0, "largest": row_summaries.TopRows(max(self.top, 1))}

    def add(self, state, b0, b1, block, b64, norms):
        mhat = self.fitted.read(range(b0, b1))
        at = slice(b0 - state["start"], b1 - state["start"])
        part = matmul(mhat.T, mhat)
        state["gram"] = part if state["gram"] is None else state["gram"] + part
        err = np.linalg.norm(mhat - b64, axis=1)
        nz = norms > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            eps_i = np.where(nz, err / np.where(nz, norms, 1.0), np.nan)
        state["out"]["eps_i"][at], state["out"]["rho_i"][at] = eps_i, norms / self.sigma_max
        state["within"] += int((eps_i[nz] <= self.eps).sum())
        state["scope"] += int((norms / self.sigma_max > self.rho).sum())
        state["largest"].add(norms, np.arange(b0, b1))

    def close(self, state):
        return state

    def merge(self, part, start, stop):
        self.sink(start, part["out"])
        self.gram = part["gram"] if self.gram is None else self.gram + part["gram"]
        self.within += part["within"]
        self.scope += part["scope"]
        self.largest = self.largest.merge(part["largest"])


def macro_distortion(gram_hat: np.ndarray, gram: np.ndarray) -> float:
    """max |sqrt(lambda) - 1| over the generalized eigenvalues of (Mhat^T Mhat, E^T E)."""
    lam = scipy.linalg.eigh(gram_hat, gram, eigvals_only=True)
    return float(np.abs(np.sqrt(np.maximum(lam, 0.0)) - 1.0).max())


def _pair_quantiles(fitted, table, idx: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict:
    mhat = fitted.read(idx)
    e = np.asarray(table.rows(idx, np), dtype=np.float64)
    norms = np.linalg.norm(e, axis=1)
    ok = (norms[a] > 0) & (norms[b] > 0)
    return {"pairs": int(ok.sum()), **metrics.quantiles(pair_errors(mhat, e, a[ok], b[ok]))}


def evaluate(fitted, table, stats: TableStats, *, eps: float, rho: float, pairs: int, top: int, seed: int,
             block_rows: int) -> dict:
    """The measured part of one cell (see the module docstring)."""
    with rowfiles.row_arrays(None, table.n, FIELDS) as arrays:
        acc = ReadBackErrors(fitted, stats.sigma_max, eps, rho, top, arrays.write)
        passes.run(passes.TableBlocks(table, get_backend("cpu"), block_rows), [acc])
        q = quantiles_of(arrays, {"all": ("eps_i", lambda c: c["rho_i"] > 0, ("rho_i",)),
                                  "scope": ("eps_i", lambda c: c["rho_i"] > rho, ("rho_i",))})
    rows = np.sort(sample_positions(table.n, rows_for_pairs(pairs), seed))
    a, b = sample_pairs(rows.size, pairs, seed)
    R = min(top, table.n)
    best = np.sort(acc.largest.row[:R])
    ta, tb = np.triu_indices(best.size, 1)
    return {"eps_i": q["all"], "eps_i_scope": q["scope"], "scope_rows": acc.scope,
            "within_eps": acc.within / stats.nonzero_rows if stats.nonzero_rows else None,
            "eps_macro": macro_distortion(acc.gram, stats.gram),
            "pairs_sampled": _pair_quantiles(fitted, table, rows, a, b),
            "pairs_top": _pair_quantiles(fitted, table, best, ta, tb) if best.size >= 2 else None}
