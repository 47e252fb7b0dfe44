"""Theorem 7's statistics of the per-row files pass 2 writes (``rows.RowArrays``): exact quantiles, the
rho deciles, the worst rows, the counts the claims use and the figures' histograms, each from a few
reads of the files (``row_summaries.fold``, ``order_stats.order_statistics``), so memory does not grow with n."""
from __future__ import annotations

import math

import numpy as np

from . import metrics, order_stats, row_summaries
from . import rows as rowfiles

HIST_BINS = 60


def log_edges(lo: float, hi: float, bins: int = HIST_BINS) -> np.ndarray:
    """Log-spaced bin edges from the smallest to the largest positive value (one bin wide if they are equal)."""
    return np.geomspace(lo, hi if hi > lo else lo * 1.0001, bins + 1)


def log_histogram(x, bins: int = HIST_BINS) -> dict | None:
    """Counts of the positive finite entries of x over log-spaced bins (for figures)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if x.size == 0:
        return None
    edges = log_edges(x.min(), x.max(), bins)
    return {"edges": edges, "counts": np.histogram(x, edges)[0]}


def nonzero_rows(cols):
    return cols["rho_i"] > 0


def decile_sizes(m: int) -> list[int]:
    """The sizes of the nonempty parts ``numpy.array_split`` makes of m items in 10 (without the m items)."""
    return [size for size in [m // 10 + 1] * (m % 10) + [m // 10] * (10 - m % 10) if size]


def by_rho_decile(arrays: rowfiles.RowArrays) -> list[dict]:
    """Rows split into ten groups by rank of rho_i (zero rows left out; ties in rho_i broken by row index, as
    ``numpy.array_split`` of the sorted rows): rho range, median and max eps_i, median eta_i.  Exact."""
    def bounds_of(m):
        sizes = decile_sizes(m)
        starts = np.cumsum([0] + sizes[:-1])
        return [int(r) for a, size in zip(starts, sizes) for r in (a, a + size - 1)]

    m, bounds = order_stats.rank_bounds(arrays, order_stats.Query("rho_i", bounds_of, nonzero_rows, ("rho_i",)))
    groups = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    sizes = decile_sizes(m)

    def member(lo, hi):
        return lambda c: (c["rho_i"] > 0) & lo.at_or_after(c["rho_i"], c["row"]) & hi.at_or_before(c["rho_i"], c["row"])

    queries = []
    for (lo, hi), size in zip(groups, sizes):
        where = member(lo, hi)
        queries += [order_stats.Query("eps_i", lambda c, s=size: order_stats.median_ranks(s) + [s - 1], where, ("rho_i",)),
                    order_stats.Query("eta_i", lambda c, s=size: order_stats.median_ranks(s), where, ("rho_i",))]
    found = order_stats.order_statistics(arrays, queries)
    out = []
    for g, ((lo, hi), size) in enumerate(zip(groups, sizes)):
        (_, eps), (_, eta) = found[2 * g], found[2 * g + 1]
        out.append({"rows": int(size), "rho_min": lo.value, "rho_max": hi.value,
                    "eps_median": order_stats.median_value(eps[:2]), "eps_max": eps[2].value,
                    "eta_median": order_stats.median_value(eta)})
    return out


def worst_rows(top: row_summaries.TopRows) -> list[dict]:
    """The rows of largest eps_i (ties: the smaller row first)."""
    return [{"row": int(r), "eps_i": float(e), "rho_i": float(rho), "eta_i": float(eta)}
            for r, e, rho, eta in zip(top.row, top.value, top.payload.get("rho_i", []), top.payload.get("eta_i", []))]


def quantiles_of(arrays: rowfiles.RowArrays, columns: dict) -> dict:
    """``metrics.quantiles`` of each column (label -> (file or function, where, needs)), from the files, exact."""
    qs = list(metrics.QUANTILES.values())
    queries = [order_stats.Query(col, lambda m: order_stats.quantile_ranks(m, qs) if m else [], where, needs)
               for col, where, needs in columns.values()]
    out = {}
    for label, (count, found) in zip(columns, order_stats.order_statistics(arrays, queries)):
        out[label] = ({k: None for k in metrics.QUANTILES} if count == 0 else
                      dict(zip(metrics.QUANTILES, order_stats.quantile_values(count, qs, found))))
    return out


def eq25_ratio(cols):
    """| ||Mhat_i|| / ||E_i|| - 1 | / eps_i, how much of eps_i Eq. 25's norm deviation uses (nan, inf where
    eps_i is 0 or undefined)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(cols["norm_ratio_i"] - 1) / cols["eps_i"]


def _positive(x):
    return x[np.isfinite(x) & (x > 0)]


def scan_block(c: dict, rho: float, eps: float, g: float | None) -> dict:
    """The counts, extremes, moments and top rows Theorem 7 reports, and the extremes its histograms need,
    of one block of rows (``c``: its per-row arrays and ``row``, their indices): a partial summary that
    ``row_summaries.merge_partials`` combines with those of the other blocks, in any order."""
    nz = c["rho_i"] > 0
    eta = c["eta_i"][nz]
    sel = c["rho_i"] > rho
    finite = np.isfinite(c["eps_i"])
    keep = np.isfinite(c["rho_i"]) & finite & (c["rho_i"] > 0) & (c["eps_i"] > 0)
    s = {"nonzero": int(nz.sum()), "exact_rows": int(((c["eta_i"] == 0) & nz).sum()),
         "selected": int(sel.sum()), "selected_within_eps": int((c["eps_i"][sel] <= eps).sum()),
         "eta_within_jlt": int((eta <= g).sum()) if g is not None else 0,
         "eta_within_2jlt": int((eta <= 2 * g).sum()) if g is not None else 0,
         "eta": row_summaries.Moments().add(eta), "eta_sq": row_summaries.Moments().add(eta**2),
         "eta_nz": row_summaries.Extremes().add(eta),
         "worst": row_summaries.TopRows(10).add(c["eps_i"][finite], c["row"][finite], rho_i=c["rho_i"][finite],
                                           eta_i=c["eta_i"][finite]),
         "x": row_summaries.Extremes().add(c["rho_i"][keep]), "y": row_summaries.Extremes().add(c["eps_i"][keep]),
         "eta_i": row_summaries.Extremes().add(_positive(c["eta_i"])), "eq25": row_summaries.Extremes().add(_positive(eq25_ratio(c))),
         "part_b_violations": 0, "col_dev": row_summaries.Extremes(), "c_i": row_summaries.Extremes()}
    if "c_i" in c:
        s["part_b_violations"] = int((c["eta_i"] > c["c_i"] * (1 + 1e-9) + 1e-12).sum())
        s["col_dev"].add(np.abs(c["col_sq_norm_i"] - 1))
        s["c_i"].add(_positive(c["c_i"]))
    return s


def scan(arrays: rowfiles.RowArrays, rho: float, eps: float, g: float | None) -> dict:
    """``scan_block`` of every chunk of the files, merged: one read."""
    return row_summaries.fold(arrays, arrays.names, lambda c: scan_block(c, rho, eps, g))


def statistics(arrays: rowfiles.RowArrays, s: dict, spec, comp, bias: np.ndarray, coh, k: int,
               law: tuple[float, float] | None) -> dict:
    """The measured quantities by their notation names (docs/design.md).  ``eta_pred`` is sqrt(srank / k);
    ``eta_rms_law`` the family's own law for the RMS of eta_i (``Family.eta_law``), None without one.
    ``c_i`` covers every row, all-zero rows included: c_i = (S Q)^T S e_i is defined for them too.
    ``s`` is ``scan``'s; quantiles, deciles and worst rows are exact, means and deviations exact to rounding."""
    m = s["nonzero"]
    eta = s["eta"]
    columns = {"eps_i": ("eps_i", None, ()), "eta_i": ("eta_i", None, ()),
               "rho_i": ("rho_i", nonzero_rows, ("rho_i",)), "norm_ratio_i": ("norm_ratio_i", None, ())}
    if "c_i" in arrays.names:
        columns["c_i"] = ("c_i", None, ())
    q = quantiles_of(arrays, columns)
    bias = bias / arrays.n
    out = {
        "sigma_max": spec.sigma_max, "frobenius": spec.frobenius, "stable_rank": spec.stable_rank,
        "eta_mean": eta.mean, "eta_rms": float(np.sqrt(s["eta_sq"].mean)),
        "eta_pred": math.sqrt(spec.stable_rank / k) if k else None,
        "eta_rms_law": math.sqrt(spec.stable_rank / k * (law[0] * (1 - 1 / m) + law[1] / m)) if k and law else None,
        "eta_cv": eta.std / eta.mean if eta.mean > 0 else None,
        "eps_i": q["eps_i"], "eta_i": q["eta_i"], "rho_i": q["rho_i"], "norm_ratio_i": q["norm_ratio_i"],
        "zero_rows": arrays.n - m, "exact_rows": s["exact_rows"], "rows": arrays.n,
        "condition": spec.condition, "dtype": comp.dtype,
        "bias_norm": float(np.linalg.norm(bias)), "bias_max_abs": float(np.abs(bias).max()),
        "by_rho_decile": by_rho_decile(arrays), "worst_rows": worst_rows(s["worst"]),
    }
    if "c_i" in q:
        out["c_i"] = q["c_i"]
        out["part_b_violations"] = s["part_b_violations"]
        out["column_norm_deviation_max"] = s["col_dev"].max
    if coh is not None:
        out["column_inner_max"] = coh["max_abs_inner"]
        out["column_inner_pairs"] = coh["pairs"]
    return out


def selection(arrays: rowfiles.RowArrays, s: dict, g: float | None) -> dict:
    """What the statement's claims count: rows with rho_i > rho and how many of them have eps_i <= eps;
    eta_i over the nonzero rows against the per-row guarantee eps_JLT(k) (eps_i <= g / rho_i <=> eta_i <= g).
    ``s`` is ``scan``'s (made with the same rho, eps and g); the median is exact."""
    m = s["nonzero"]
    (_, mid), = order_stats.order_statistics(arrays, [order_stats.Query("eta_i", order_stats.median_ranks, nonzero_rows, ("rho_i",))])
    out = {"selected_fraction": s["selected"] / arrays.n,
           "selected_within_eps": s["selected_within_eps"] / s["selected"] if s["selected"] else None,
           "eta_max": s["eta_nz"].max, "eta_p50": order_stats.median_value(mid)}
    if g is not None:
        out["eta_within_jlt"] = s["eta_within_jlt"] / m
        out["eta_within_2jlt"] = s["eta_within_2jlt"] / m
    return out


def histograms(arrays: rowfiles.RowArrays, s: dict) -> dict:
    """The log histograms of the figures (60 bins from the smallest to the largest positive value), counted
    exactly over fixed edges in one more read of the files."""
    hist = {}
    if s["x"].count:
        hist["eps_vs_rho"] = row_summaries.Histogram(log_edges(s["x"].min, s["x"].max), log_edges(s["y"].min, s["y"].max))
    for name in ("eta_i", "c_i", "eq25"):
        if s[name].count:
            hist[name] = row_summaries.Histogram(log_edges(s[name].min, s[name].max))
    for _, _, c in arrays.chunks(arrays.names):
        if "eps_vs_rho" in hist:
            keep = np.isfinite(c["rho_i"]) & np.isfinite(c["eps_i"]) & (c["rho_i"] > 0) & (c["eps_i"] > 0)
            hist["eps_vs_rho"].add(c["rho_i"][keep], c["eps_i"][keep])
        for name, x in (("eta_i", "eta_i"), ("c_i", "c_i"), ("eq25", None)):
            if name in hist:
                hist[name].add(_positive(eq25_ratio(c) if x is None else c[x]))
    h2 = hist.get("eps_vs_rho")
    out = {"eps_vs_rho": None if h2 is None else {"x_edges": h2.edges, "y_edges": h2.y_edges, "counts": h2.counts},
           "eta": _hist_dict(hist.get("eta_i"))}
    if "c_i" in arrays.names:
        out["c"] = _hist_dict(hist.get("c_i"))
    out["eq25_ratio"] = _hist_dict(hist.get("eq25"))
    return out


def _hist_dict(h: row_summaries.Histogram | None) -> dict | None:
    return None if h is None else {"edges": h.edges, "counts": h.counts}
