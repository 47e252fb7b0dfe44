"""Theorem 7 (Micro PSS), row by row: every proof step measured on every row of the table.

Claim (appendix C): if S is JLT(rho eps, delta, 9^d + n) then for every row with rho_i > rho,
|<Mhat_i, x> - <E_i, x>| <= eps ||E_i|| ||x|| for all x, i.e. eps_i <= eps.  The proof:
Part A extends the JLT guarantee to pairs (e_i, unit u in col(E)), giving ||c_i|| <= 2 eps_JLT
(the statement drops the 2); Part B bounds eta_i = ||Mhat_i - E_i|| / sigma <= ||c_i|| (Eq. 16-18)
and divides by rho_i (Eq. 19-24).
"""
from __future__ import annotations

import math

import numpy as np

from . import bounds, memory, metrics
from .claims import Claim
from .metrics import quantiles
from .sketches import sketch

HIST_BINS = 60


def log_histogram(x, bins: int = HIST_BINS) -> dict | None:
    """Counts of the positive finite entries of x over log-spaced bins (for figures)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if x.size == 0:
        return None
    lo, hi = x.min(), x.max()
    if hi <= lo:
        hi = lo * 1.0001
    edges = np.geomspace(lo, hi, bins + 1)
    counts, _ = np.histogram(x, edges)
    return {"edges": edges, "counts": counts}


def log_histogram2d(x, y, bins: int = HIST_BINS) -> dict | None:
    keep = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if not keep.any():
        return None
    x, y = x[keep], y[keep]
    xe = np.geomspace(x.min(), max(x.max(), x.min() * 1.0001), bins + 1)
    ye = np.geomspace(y.min(), max(y.max(), y.min() * 1.0001), bins + 1)
    counts, _, _ = np.histogram2d(x, y, [xe, ye])
    return {"x_edges": xe, "y_edges": ye, "counts": counts.astype(np.int64)}


def make_pss(family: str, k: int, n: int, seed: int, device, params: dict | None = None):
    """The PSS under test: a sketch S (M = S E) or, for ``robez``, the ROBE-Z hashed memory."""
    params = dict(params or {})
    if family == "robez":
        from .robez import RobeZ

        return RobeZ(n=n, seed=seed, device=device, **params)
    return sketch(family, k=k, n=n, seed=seed, device=device, **params)


def measure(pss, table, *, block_rows=None, progress=None, coherence_pairs: int = 1_000_000, seed: int = 0):
    """Both passes over the table; returns (Compressed, Spectrum, Micro, coherence or None).

    The block size is checked against free memory first (``memory.plan_block_rows``), and a pass that
    runs out of GPU memory is retried with halved blocks.  On an ill-conditioned table the passes run
    in float64 (``metrics.needs_float64``).
    """
    total = 2 * table.n
    rows = memory.plan_block_rows(pss, table.d, block_rows)

    def first(rows):
        if progress:
            progress(rows)

    def second(rows):
        if progress:
            progress(table.n + rows)

    pss, comp, spec = memory.first_pass(pss, table, rows, first)
    mi = memory.with_retry(lambda b: metrics.micro(pss, table, comp, spec, b, second), pss, rows)
    coh = metrics.coherence(pss, coherence_pairs, seed) if hasattr(pss, "columns") and coherence_pairs else None
    if progress:
        progress(total)
    return comp, spec, mi, coh


def by_rho_decile(mi: metrics.Micro) -> list[dict]:
    """Rows split into ten groups by rho_i (zero rows left out): rho range, median eps_i and eta_i."""
    keep = mi.rho > 0
    order = np.argsort(mi.rho[keep])
    rho, eps, eta = mi.rho[keep][order], mi.eps[keep][order], mi.eta[keep][order]
    out = []
    for part in np.array_split(np.arange(rho.size), 10):
        if part.size == 0:
            continue
        out.append({"rows": int(part.size), "rho_min": float(rho[part[0]]), "rho_max": float(rho[part[-1]]),
                    "eps_median": float(np.median(eps[part])), "eps_max": float(eps[part].max()),
                    "eta_median": float(np.median(eta[part]))})
    return out


def worst_rows(mi: metrics.Micro, count: int = 10) -> list[dict]:
    eps = np.where(np.isfinite(mi.eps), mi.eps, -np.inf)
    idx = np.argsort(eps)[::-1][:count]
    return [{"row": int(i), "eps_i": float(mi.eps[i]), "rho_i": float(mi.rho[i]), "eta_i": float(mi.eta[i])} for i in idx
            if np.isfinite(mi.eps[i])]


def statistics(comp, spec, mi: metrics.Micro, coh, k: int) -> dict:
    """The measured quantities by their notation names (DESIGN.md)."""
    nz = mi.rho > 0
    eta = mi.eta[nz]
    out = {
        "sigma_max": spec.sigma_max, "frobenius": spec.frobenius, "stable_rank": spec.stable_rank,
        "eta_mean": float(eta.mean()), "eta_rms": float(np.sqrt((eta**2).mean())),
        "eta_pred": math.sqrt(spec.stable_rank / k) if k else None,
        "eta_cv": float(eta.std() / eta.mean()) if eta.mean() > 0 else None,
        "eps_i": quantiles(mi.eps), "eta_i": quantiles(mi.eta), "rho_i": quantiles(mi.rho[nz]),
        "norm_ratio_i": quantiles(mi.norm_ratio),
        "zero_rows": mi.zero_rows, "exact_rows": mi.exact_rows, "rows": int(mi.rho.size),
        "condition": spec.condition, "dtype": comp.dtype,
        "bias_norm": float(np.linalg.norm(mi.bias)), "bias_max_abs": float(np.abs(mi.bias).max()),
        "by_rho_decile": by_rho_decile(mi), "worst_rows": worst_rows(mi),
    }
    if mi.c is not None:
        out["c_i"] = quantiles(mi.c[nz])
        out["part_b_violations"] = int((mi.eta > mi.c * (1 + 1e-9) + 1e-12).sum())
    if mi.col_sq_norm is not None:
        out["column_norm_deviation_max"] = float(np.abs(mi.col_sq_norm - 1).max())
    if coh is not None:
        out["column_inner_max"] = coh["max_abs_inner"]
        out["column_inner_pairs"] = coh["pairs"]
    return out


def histograms(mi: metrics.Micro) -> dict:
    out = {"eps_vs_rho": log_histogram2d(mi.rho, mi.eps), "eta": log_histogram(mi.eta)}
    if mi.c is not None:
        out["c"] = log_histogram(mi.c)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["eq25_ratio"] = log_histogram(np.abs(mi.norm_ratio - 1) / mi.eps)
    return out


def theory(family: str, k: int, n: int, d: int, eps: float, delta: float, rho: float, params: dict | None = None) -> dict:
    """Theorem 7's side at this k: the JLT accuracy for f = 9^d + n and the k the statement requires."""
    if family == "robez":
        return {"eps_jlt": None, "theorem7_k": None, "theorem7_k_proof": None}
    p = dict(params or {})
    log10 = math.log(10)
    return {
        "eps_jlt": bounds.theorem7_eps_jlt(k, delta, d, n, family, **p),
        "theorem7_k": bounds.theorem7_k(eps, delta, d, n, rho, family, **p),
        "theorem7_log10_k": bounds.theorem7_log_k(eps, delta, d, n, rho, family, **p) / log10,
        "theorem7_k_proof": bounds.theorem7_k(eps, delta, d, n, rho, family, part_a_factor=2.0, **p),
        "log_f": bounds.log_f_theorem7(d, n),
    }


def claims(family: str, mi: metrics.Micro, st: dict, th: dict, k: int, eps: float, delta: float, rho: float) -> list[Claim]:
    n = mi.rho.size
    out = []
    g = th.get("eps_jlt")
    if mi.c is not None:
        cmax = st["c_i"]["max"]
        out.append(Claim("Part A: max_i ||c_i|| <= eps_JLT(k) for f = 9^d + n (as the theorem states)", cmax, g))
        out.append(Claim("Part A: max_i ||c_i|| <= 2 eps_JLT(k) (what the proof derives)", cmax, 2 * g if g is not None else None))
        out.append(Claim(f"Part B (Eq. 16-18): eta_i <= ||c_i|| on every row (violations among {n:,}; a consistency "
                         "check: it holds because ||R|| = sigma)",
                         float(st["part_b_violations"]), 0.0, holds=st["part_b_violations"] == 0))
    if mi.col_sq_norm is not None:
        out.append(Claim("JLT on {e_i}: max_i | ||S e_i||^2 - 1 | <= eps_JLT(k)", st["column_norm_deviation_max"], g))
    if st.get("column_inner_max") is not None:
        out.append(Claim(f"JLT on {{e_i}}: max |<S e_i, S e_j>| over {st['column_inner_pairs']:,} sampled pairs <= eps_JLT(k)",
                         st["column_inner_max"], g))
    sel = mi.rho > rho
    frac_sel = float(sel.mean())
    within = float((mi.eps[sel] <= eps).mean()) if sel.any() else None
    if th.get("theorem7_k") is not None:
        req = th["theorem7_k"]
        note = f"requires 10^{th['theorem7_log10_k']:.1f}; with Part A's factor 2: {th['theorem7_k_proof']:.3g}"
        if req > n:
            note += f"; more than n = {n:,}: the theorem allows no compression here"
        out.append(Claim(f"statement: k >= k required for Micro(eps = {eps:g}, delta = {delta:g}, rho = {rho:g})",
                         float(k), req, relation=">=", note=note))
        promised = k >= req
    else:
        promised = False
    if th.get("theorem7_k") is None:
        note = "ROBE-Z is not of the form S E: Theorem 7 promises nothing for it; measured for comparison"
    elif promised:
        note = "the theorem promises all of them (w.p. 1 - delta)"
    else:
        note = "not promised at this k: the requirement above is not met"
    out.append(Claim(f"statement: rows with rho_i > {rho:g} ({frac_sel:.3%} of rows) that have eps_i <= {eps:g}",
                     within, 1.0, relation=">=", note=note))
    if g is not None:
        # eps_i <= eps_JLT / rho_i  <=>  eta_i = eps_i rho_i <= eps_JLT: the guarantee is one number for all rows
        eta = mi.eta[mi.rho > 0]
        within = float((eta <= g).mean())
        out.append(Claim("per-row guarantee at this k: eps_i <= eps_JLT(k) / rho_i, i.e. max_i eta_i <= eps_JLT(k)",
                         float(eta.max()), g, note=f"{within:.2%} of rows within; median slack "
                         f"{g / float(np.median(eta)):.3g}" if math.isfinite(g) else "vacuous: eps_JLT(k) >= 1"))
    if st.get("eta_pred"):
        out.append(Claim("beyond the paper: RMS eta_i ~ sqrt(srank / k) (within 10%)", st["eta_rms"], st["eta_pred"],
                         relation="~"))
        out.append(Claim("beyond the paper: mean eta_i ~ sqrt(srank / k) (within 10%)", st["eta_mean"], st["eta_pred"],
                         relation="~", note=f"spread across rows: coefficient of variation {st['eta_cv']:.3g}"))
    return out


def verdict(family: str, mi, st: dict, th: dict, k: int, eps: float, rho: float) -> str:
    n = mi.rho.size
    parts = [f"{family}, k = {k}, all {n:,} rows: eps_i median {st['eps_i']['p50']:.3g}, max {st['eps_i']['max']:.3g}; "
             f"eta_i RMS {st['eta_rms']:.3g} vs sqrt(srank/k) = {st['eta_pred']:.3g}" if st.get("eta_pred") else
             f"{family}, all {n:,} rows: eps_i median {st['eps_i']['p50']:.3g}, max {st['eps_i']['max']:.3g}"]
    g = th.get("eps_jlt")
    if g is not None:
        if math.isinf(g):
            parts.append("Theorem 7 certifies nothing at this k (eps_JLT >= 1 for f = 9^d + n), although every row has a "
                         "finite, measurable error")
        else:
            parts.append(f"Theorem 7's per-row guarantee eps_JLT/rho_i = {g:.3g}/rho_i holds on "
                         f"{(mi.eps[mi.rho > 0] <= g / mi.rho[mi.rho > 0]).mean():.2%} of rows")
    if th.get("theorem7_k") is not None and th["theorem7_k"] > n:
        parts.append(f"for eps = {eps:g} and rho = {rho:g} the theorem needs k = {th['theorem7_k']:.3g} > n: no compression is allowed")
    if st.get("part_b_violations") == 0:
        parts.append("Part B (eta_i <= ||c_i||) holds on every row")
    return "; ".join(parts) + "."
