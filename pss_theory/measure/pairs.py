"""Theorem 4's measurements: pairs of rows sampled among those with rho_i > rho, their read-back
errors pi_ij against the per-row and the theorem's bounds, every pair of the top rows, and Eq. 25's
norm errors, from the row files pass 2 wrote and the rows read back again."""
from __future__ import annotations

import math

import numpy as np

from .. import rng
from ..backend import matmul
from . import row_summaries
from . import rows as rowfiles
from .metrics import quantiles
from .row_stats import eq25_ratio, log_edges, log_histogram, nonzero_rows, quantiles_of


def rounding_allowance(dtype) -> float:
    """Relative allowance for an inequality that holds exactly in real arithmetic, checked on numbers the
    passes computed in ``dtype`` (products of a few thousand terms: 64 units in the last place)."""
    return 64 * float(np.finfo(dtype).eps)


def sample_positions(eligible: int, m: int, seed: int) -> np.ndarray:
    """m of the positions 0..eligible-1 (among the eligible rows, in row order), uniformly without
    replacement (Philox stream TAG_SAMPLE), sorted."""
    if m >= eligible:
        return np.arange(eligible)
    return np.sort(rng.sample_without_replacement(rng.Stream(seed, rng.TAG_SAMPLE), eligible, m))


def _distinct_pair_keys(m: int, count: int, stream) -> np.ndarray:
    """``count`` distinct keys a m + b (a < b) of unordered pairs of [0, m), uniform without replacement:
    uniform draws off the diagonal kept in draw order with repeats dropped, drawing more until enough are
    distinct (each kept pair is uniform over those not yet kept).  Meant for count <= m (m - 1) / 4, where
    each round keeps most of what it draws."""
    keys = np.empty(0, dtype=np.int64)
    pos = 0
    while keys.size < count:
        draw = 2 * (count - keys.size) + 16
        hi, lo = rng.uniform32_halves(np, stream.words(pos, draw))
        pos += draw
        a = rng.bounded(np, hi, m)
        b = rng.bounded(np, lo, m - 1)
        b = b + (b >= a)  # skip the diagonal
        keys = np.concatenate([keys, np.minimum(a, b) * m + np.maximum(a, b)])
        _, first = np.unique(keys, return_index=True)
        keys = keys[np.sort(first)]
    return keys[:count]


def sample_pairs(m: int, pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``pairs`` distinct unordered pairs {a, b}, a < b, of [0, m), uniformly without replacement (all
    m (m - 1) / 2 of them when that is fewer), from the Philox stream TAG_SAMPLE + 1.

    Up to half of all pairs are drawn directly; above that, the pairs left out are drawn and the rest
    kept (the complement of a uniform sample is a uniform sample), so the draws never crowd a nearly
    full set.
    """
    total = m * (m - 1) // 2
    stream = rng.Stream(seed, rng.TAG_SAMPLE + 1)
    if pairs >= total:
        a, b = np.triu_indices(m, 1)
        return a.astype(np.int64), b.astype(np.int64)
    if 2 * pairs <= total:
        keys = _distinct_pair_keys(m, pairs, stream)
    else:
        a, b = np.triu_indices(m, 1)
        every = a.astype(np.int64) * m + b
        keys = every[~np.isin(every, _distinct_pair_keys(m, total - pairs, stream))]
    return keys // m, keys % m


def read_rows(pss, M, table, idx: np.ndarray):
    """(Mhat_idx, E_idx) on the host in float64, E_idx rounded to the PSS's compute dtype first: the passes
    saw E in that dtype, so a row read back exactly (a CountSketch row without collisions) compares equal
    to it instead of differing by the float64 -> float32 rounding."""
    xp = pss.xp
    mhat = pss.backend.to_host(pss.decompress(M, xp.asarray(idx))).astype(np.float64)
    rows = pss.backend.to_host(table.rows(xp.asarray(idx), xp).astype(pss.dtype)).astype(np.float64)
    return mhat, rows


def pair_errors(mhat, e, a, b, chunk: int = 1 << 16):
    """pi_ij = |<Mhat_i, Mhat_j> - <E_i, E_j>| / (||E_i|| ||E_j||) for the pairs (a[t], b[t]) of rows of
    ``mhat`` and ``e``, a chunk of pairs at a time so that memory stays O(chunk d)."""
    norms = np.linalg.norm(e, axis=1)
    out = np.empty(a.size)
    for s in range(0, a.size, chunk):
        i, j = a[s : s + chunk], b[s : s + chunk]
        num = np.abs(np.einsum("ij,ij->i", mhat[i], mhat[j]) - np.einsum("ij,ij->i", e[i], e[j]))
        out[s : s + chunk] = num / (norms[i] * norms[j])
    return out


def pair_stats(pi: np.ndarray, eps_a: np.ndarray, eps_b: np.ndarray, eps_th: float, tol: float) -> dict:
    """Compare pi_ij with the per-row bound eps_i eps_j + eps_i + eps_j (allowance ``tol``, see
    ``rounding_allowance``, both relative and absolute) and with the theorem's eps^2 + 2 eps."""
    per_row = eps_a * eps_b + eps_a + eps_b
    exact = per_row == 0  # both rows read back exactly (CountSketch rows without collisions)
    ratio = pi[~exact] / per_row[~exact]
    th_bound = eps_th**2 + 2 * eps_th
    # pi and per_row are both relative to ||E_i|| ||E_j||, so each carries an absolute rounding error of
    # order tol as well as a relative one: a pair of rows read back to rounding (eps ~ 1e-16) has a
    # ratio of two rounding errors, which may exceed 1 without any violation.
    violated = pi - per_row > tol * (1 + per_row)
    return {
        "pairs": int(pi.size),
        "exact_pairs": int(exact.sum()),
        "exact_pair_errors": int(violated[exact].sum()),
        "per_row_violations": int(violated.sum()),
        "theorem_violations": int((pi > th_bound).sum()),
        "theorem_bound": th_bound,
        "pi": quantiles(pi),
        "ratio": quantiles(ratio),
        "_ratio": ratio,
    }


def top_pairs(pss, M, table, top: row_summaries.TopRows, R: int, eps_th: float, tol: float) -> dict:
    """Every pair among the R rows of largest rho_i (R (R - 1) / 2 pairs) through two R x R Grams; ``top``
    holds at least R rows by rho_i, with their eps_i."""
    order = np.argsort(top.row[:R])
    idx, e = top.row[:R][order], top.payload["eps_i"][:R][order]
    mhat, rows = read_rows(pss, M, table, idx)
    norms = np.linalg.norm(rows, axis=1)
    pi = np.abs(matmul(mhat, mhat.T) - matmul(rows, rows.T)) / np.outer(norms, norms)
    iu = np.triu_indices(R, 1)
    return {**pair_stats(pi[iu], e[iu[0]], e[iu[1]], eps_th, tol), "rows": int(R)}


def scan_block(c: dict, eps: float, rho: float, tol: float, top: int | None) -> dict:
    """Eq. 25's counts and extremes, the rows with rho_i > rho, the top rows by rho_i and the extremes of
    the Eq. 25 ratio (for its histogram) of one block of rows: a partial summary that
    ``row_summaries.merge_partials`` combines with those of the other blocks, in any order."""
    nz = c["rho_i"] > 0
    dev = np.abs(c["norm_ratio_i"][nz] - 1)
    sel = c["rho_i"] > rho
    dev_sel = np.abs(c["norm_ratio_i"][sel] - 1)
    ratio = eq25_ratio(c)[nz]
    return {"zero_rows": int((~nz).sum()), "eligible": int(sel.sum()),
            "eq25_violations": int((dev > c["eps_i"][nz] * (1 + tol) + 1e-15).sum()),
            "eq25_selected_above_eps": int((dev_sel > eps).sum()),
            "rho": row_summaries.Extremes().add(c["rho_i"]), "selected": row_summaries.Extremes().add(dev_sel),
            "eq25": row_summaries.Extremes().add(ratio[np.isfinite(ratio) & (ratio > 0)]),
            "top": row_summaries.TopRows(top or 0).add(c["rho_i"], c["row"], eps_i=c["eps_i"]) if top else
            row_summaries.TopRows(0)}


def scan(arrays: rowfiles.RowArrays, eps: float, rho: float, tol: float, top: int | None) -> dict:
    """``scan_block`` of every chunk of the files, merged: one read."""
    return row_summaries.fold(arrays, ("rho_i", "eps_i", "norm_ratio_i"), lambda c: scan_block(c, eps, rho, tol, top))


def eq25_stats(arrays: rowfiles.RowArrays, s: dict) -> dict:
    """| ||Mhat_i|| / ||E_i|| - 1 | on every nonzero row against its own eps_i (it holds by the triangle
    inequality: a consistency check), and on the rows with rho_i > rho against the theorem's eps (Eq. 25).
    ``s`` is ``scan``'s; the ratio's quantiles are exact."""
    q = quantiles_of(arrays, {"ratio": (eq25_ratio, nonzero_rows, ("rho_i", "eps_i", "norm_ratio_i"))})
    return {"eq25_violations": s["eq25_violations"], "eq25_ratio": q["ratio"], "eq25_rows": arrays.n - s["zero_rows"],
            "eq25_selected_rows": s["selected"].count,
            "eq25_selected_max": s["selected"].max if s["selected"].count else None,
            "eq25_selected_above_eps": s["eq25_selected_above_eps"]}


def histograms(pair_ratio: np.ndarray, arrays: rowfiles.RowArrays, s: dict, pi: np.ndarray) -> dict:
    """For the figure: the sampled pairs' pi_ij (against eps^2 + 2 eps), their ratio to the per-row bound,
    and Eq. 25's norm error over eps_i on every row (counted over the files: ``s`` is ``scan``'s)."""
    eq25 = None
    if s["eq25"].count:
        h = row_summaries.Histogram(log_edges(s["eq25"].min, s["eq25"].max))
        for _, _, c in arrays.chunks(("rho_i", "eps_i", "norm_ratio_i")):
            ratio = eq25_ratio(c)[c["rho_i"] > 0]
            h.add(ratio[np.isfinite(ratio) & (ratio > 0)])
        eq25 = {"edges": h.edges, "counts": h.counts}
    return {"pi": log_histogram(pi), "pair_ratio": log_histogram(pair_ratio), "eq25_ratio": eq25}


def rows_for_pairs(pairs: int) -> int:
    """How many rows to read back for ``pairs`` sampled pairs: each row in about 10 pairs."""
    return max(2, int(math.ceil(pairs / 5)))
