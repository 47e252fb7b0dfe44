"""Theorem 4: pair inner products and norms of read-back rows (appendix D).

For a Micro(eps, delta, rho)-PSS and rows i, j with rho_i, rho_j > rho:
|<Mhat_i, Mhat_j> - <E_i, E_j>| <= (eps^2 + 2 eps) ||E_i|| ||E_j||, and ||Mhat_i|| = (1 +- eps) ||E_i|| (Eq. 25).
With the measured per-row eps_i the same algebra gives pi_ij <= eps_i eps_j + eps_i + eps_j for every
pair, whatever the sketch: a violation there would be a bug in the measurement, not in the theorem.
"""
from __future__ import annotations

import math

import numpy as np

from . import metrics, rng
from .claims import Claim
from .metrics import quantiles
from .theorem7 import log_histogram

REL_TOL = 1e-9  # rounding allowance when checking an inequality that holds exactly in real arithmetic


def sample_rows(eligible: np.ndarray, m: int, seed: int) -> np.ndarray:
    """m of the eligible row ids, uniformly without replacement (Philox stream TAG_SAMPLE), sorted."""
    if m >= eligible.size:
        return np.sort(eligible)
    pick = rng.sample_without_replacement(rng.Stream(seed, rng.TAG_SAMPLE), eligible.size, m)
    return np.sort(eligible[pick])


def sample_pairs(m: int, pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``pairs`` ordered pairs (a, b), a != b, uniform over [0, m)^2 off the diagonal."""
    w = rng.Stream(seed, rng.TAG_SAMPLE + 1).words(0, pairs)
    hi, lo = rng.uniform32_halves(np, w)
    a = rng.bounded(np, hi, m)
    b = rng.bounded(np, lo, m - 1)
    b = b + (b >= a)  # skip the diagonal
    return a, b


def read_rows(pss, M, table, idx: np.ndarray):
    """(Mhat_idx, E_idx) on the host in float64."""
    xp = pss.xp
    mhat = pss.backend.to_host(pss.decompress(M, xp.asarray(idx))).astype(np.float64)
    rows = pss.backend.to_host(table.rows(xp.asarray(idx), xp)).astype(np.float64)
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


def pair_stats(pi: np.ndarray, eps_a: np.ndarray, eps_b: np.ndarray, eps_th: float) -> dict:
    """Compare pi_ij with the per-row bound and with the theorem's eps^2 + 2 eps."""
    per_row = eps_a * eps_b + eps_a + eps_b
    exact = per_row == 0  # both rows read back exactly (CountSketch rows without collisions)
    ratio = pi[~exact] / per_row[~exact]
    th_bound = eps_th**2 + 2 * eps_th
    return {
        "pairs": int(pi.size),
        "exact_pairs": int(exact.sum()),
        "exact_pair_errors": int((pi[exact] > 1e-12).sum()),
        "per_row_violations": int((ratio > 1 + REL_TOL).sum()) + int((pi[exact] > 1e-12).sum()),
        "theorem_violations": int((pi > th_bound).sum()),
        "theorem_bound": th_bound,
        "pi": quantiles(pi),
        "ratio": quantiles(ratio),
        "_ratio": ratio,
    }


def top_pairs(pss, M, table, rho: np.ndarray, micro_eps: np.ndarray, R: int, eps_th: float) -> dict:
    """Every pair among the R rows of largest rho_i (R (R - 1) / 2 pairs) through two R x R Grams."""
    idx = np.sort(np.argsort(rho)[::-1][:R])
    mhat, rows = read_rows(pss, M, table, idx)
    norms = np.linalg.norm(rows, axis=1)
    pi = np.abs(mhat @ mhat.T - rows @ rows.T) / np.outer(norms, norms)
    iu = np.triu_indices(R, 1)
    e = micro_eps[idx]
    return pair_stats(pi[iu], e[iu[0]], e[iu[1]], eps_th)


def claims(st: dict, eps: float, k_ok: bool, label: str) -> list[Claim]:
    out = [
        Claim(f"{label}: pi_ij <= eps_i eps_j + eps_i + eps_j with measured eps_i (violations among {st['pairs']:,}; "
              "any is a bug)", float(st["per_row_violations"]), 0.0, holds=st["per_row_violations"] == 0,
              note=f"{st['exact_pairs']:,} pairs of two exactly read rows excluded from ratios"),
        Claim(f"{label}: max pi_ij <= eps^2 + 2 eps = {st['theorem_bound']:.4g} for the theorem's eps = {eps:g}",
              st["pi"]["max"], st["theorem_bound"],
              note=("promised: k meets Theorem 7's requirement" if k_ok else
                    "not promised at this k (Theorem 7's requirement is not met)")
              + f"; {st['theorem_violations']:,} pairs exceed it"),
        Claim(f"{label}: tightness, median pi_ij / (eps_i eps_j + eps_i + eps_j)", st["ratio"]["p50"], 1.0,
              note=f"p99 {st['ratio']['p99']:.3g}, max {st['ratio']['max']:.3g}" if st["ratio"]["max"] is not None else ""),
    ]
    return out


def eq25_claim(mi: metrics.Micro) -> tuple[Claim, dict]:
    """| ||Mhat_i|| / ||E_i|| - 1 | <= eps_i on every nonzero row (triangle inequality)."""
    nz = mi.rho > 0
    dev = np.abs(mi.norm_ratio[nz] - 1)
    viol = int((dev > mi.eps[nz] * (1 + REL_TOL) + 1e-15).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = dev / mi.eps[nz]
    c = Claim(f"Eq. 25: | ||Mhat_i|| / ||E_i|| - 1 | <= eps_i on every row (violations among {int(nz.sum()):,})",
              float(viol), 0.0, holds=viol == 0, note=f"{mi.zero_rows} all-zero rows excluded")
    return c, {"eq25_violations": viol, "eq25_ratio": quantiles(ratio)}


def histograms(pair_ratio: np.ndarray, mi: metrics.Micro) -> dict:
    nz = mi.rho > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        eq25 = np.abs(mi.norm_ratio[nz] - 1) / mi.eps[nz]
    return {"pair_ratio": log_histogram(pair_ratio), "eq25_ratio": log_histogram(eq25)}


def eligible_rows(rho: np.ndarray, threshold: float) -> np.ndarray:
    return np.flatnonzero(rho > threshold)


def rows_for_pairs(pairs: int) -> int:
    """How many rows to read back for ``pairs`` sampled pairs: each row in about 10 pairs."""
    return max(2, int(math.ceil(pairs / 5)))
