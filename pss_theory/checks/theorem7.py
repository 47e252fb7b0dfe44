"""Theorem 7 (Micro PSS), row by row: every proof step measured on every row of the table.

Claim (appendix C): if S is JLT(rho eps, delta, 9^d + n) then for every row with rho_i > rho,
|<Mhat_i, x> - <E_i, x>| <= eps ||E_i|| ||x|| for all x, i.e. eps_i <= eps.  The proof:
Part A extends the JLT guarantee to pairs (e_i, unit u in col(E)), giving ||c_i|| <= 2 eps_JLT
(the statement drops the 2); Part B bounds eta_i = ||Mhat_i - E_i|| / sigma <= ||c_i|| (Eq. 16-18)
and divides by rho_i (Eq. 19-24).

One cell: both passes over the table for one PSS (any family, ROBE-Z included: quantities that need
columns of S are n/a there).  The record holds the statistics, the selections the claims count and
the histograms; the claims and the verdict are made from the record alone.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from .. import families, theory, validate
from ..claims import Claim, comparison_row, headline
from ..measure import memory, metrics
from ..measure import rows as rowfiles
from ..measure.scan import norm_sink, row_scale
from ..measure.scan import note as rho_note
from ..progress import stage, step
from ..records import flatten
from ..report.theorem7 import verdict
from ..summary import Summary
from ..theory import certificates
from .base import Plan, option
from .common import OnePssCheck, TableOptions, check_fits, family_help, plan_one_pss, pss_list

HIST_BINS = 60
CERT_CURVE_POINTS = 200  # rows of the eps_cert_i-vs-rho_i curve, evenly spaced in rho_i order
SAVED_ROWS = ("eps_i", "rho_i", "eps_cert_i")  # the arrays of --save-rows


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


@dataclass
class Options(TableOptions):
    """``family``: a PSS (a sketch family or robez), a list, or ``all`` (one cell each); ``rho`` of
    Micro(eps, delta, rho)."""

    family: object = option(None, family_help("PSS", sketches_only=False), pss_list,
                            default_factory=lambda: ["gaussian"])
    rho: float = option(0.1, "rho of Micro(eps, delta, rho), in (0, 1]", lambda t: validate.unit_closed_right("rho", t))
    coherence_pairs: int = option(1_000_000, "pairs of columns of S sampled for max |<S e_i, S e_j>|",
                                  lambda t: validate.count("coherence_pairs", t))
    save_rows: bool = option(False, "write rows.npz (eps_i, rho_i, eps_cert_i) in --out", flag=True)


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
    (``Plan.pool``: --dask) the row spans of both passes run on its workers.
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

    m, bounds = rowfiles.rank_bounds(arrays, rowfiles.Query("rho_i", bounds_of, nonzero_rows, ("rho_i",)))
    groups = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    sizes = decile_sizes(m)

    def member(lo, hi):
        return lambda c: (c["rho_i"] > 0) & lo.at_or_after(c["rho_i"], c["row"]) & hi.at_or_before(c["rho_i"], c["row"])

    queries = []
    for (lo, hi), size in zip(groups, sizes):
        where = member(lo, hi)
        queries += [rowfiles.Query("eps_i", lambda c, s=size: rowfiles.median_ranks(s) + [s - 1], where, ("rho_i",)),
                    rowfiles.Query("eta_i", lambda c, s=size: rowfiles.median_ranks(s), where, ("rho_i",))]
    found = rowfiles.order_statistics(arrays, queries)
    out = []
    for g, ((lo, hi), size) in enumerate(zip(groups, sizes)):
        (_, eps), (_, eta) = found[2 * g], found[2 * g + 1]
        out.append({"rows": int(size), "rho_min": lo.value, "rho_max": hi.value,
                    "eps_median": rowfiles.median_value(eps[:2]), "eps_max": eps[2].value,
                    "eta_median": rowfiles.median_value(eta)})
    return out


def worst_rows(top: rowfiles.TopRows) -> list[dict]:
    """The rows of largest eps_i (ties: the smaller row first)."""
    return [{"row": int(r), "eps_i": float(e), "rho_i": float(rho), "eta_i": float(eta)}
            for r, e, rho, eta in zip(top.row, top.value, top.payload.get("rho_i", []), top.payload.get("eta_i", []))]


def quantiles_of(arrays: rowfiles.RowArrays, columns: dict) -> dict:
    """``metrics.quantiles`` of each column (label -> (file or function, where, needs)), from the files, exact."""
    qs = list(metrics.QUANTILES.values())
    queries = [rowfiles.Query(col, lambda m: rowfiles.quantile_ranks(m, qs) if m else [], where, needs)
               for col, where, needs in columns.values()]
    out = {}
    for label, (count, found) in zip(columns, rowfiles.order_statistics(arrays, queries)):
        out[label] = ({k: None for k in metrics.QUANTILES} if count == 0 else
                      dict(zip(metrics.QUANTILES, rowfiles.quantile_values(count, qs, found))))
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
    ``rows.merge_partials`` combines with those of the other blocks, in any order."""
    nz = c["rho_i"] > 0
    eta = c["eta_i"][nz]
    sel = c["rho_i"] > rho
    finite = np.isfinite(c["eps_i"])
    keep = np.isfinite(c["rho_i"]) & finite & (c["rho_i"] > 0) & (c["eps_i"] > 0)
    s = {"nonzero": int(nz.sum()), "exact_rows": int(((c["eta_i"] == 0) & nz).sum()),
         "selected": int(sel.sum()), "selected_within_eps": int((c["eps_i"][sel] <= eps).sum()),
         "eta_within_jlt": int((eta <= g).sum()) if g is not None else 0,
         "eta_within_2jlt": int((eta <= 2 * g).sum()) if g is not None else 0,
         "eta": rowfiles.Moments().add(eta), "eta_sq": rowfiles.Moments().add(eta**2),
         "eta_nz": rowfiles.Extremes().add(eta),
         "worst": rowfiles.TopRows(10).add(c["eps_i"][finite], c["row"][finite], rho_i=c["rho_i"][finite],
                                           eta_i=c["eta_i"][finite]),
         "x": rowfiles.Extremes().add(c["rho_i"][keep]), "y": rowfiles.Extremes().add(c["eps_i"][keep]),
         "eta_i": rowfiles.Extremes().add(_positive(c["eta_i"])), "eq25": rowfiles.Extremes().add(_positive(eq25_ratio(c))),
         "part_b_violations": 0, "col_dev": rowfiles.Extremes(), "c_i": rowfiles.Extremes()}
    if "c_i" in c:
        s["part_b_violations"] = int((c["eta_i"] > c["c_i"] * (1 + 1e-9) + 1e-12).sum())
        s["col_dev"].add(np.abs(c["col_sq_norm_i"] - 1))
        s["c_i"].add(_positive(c["c_i"]))
    return s


def scan(arrays: rowfiles.RowArrays, rho: float, eps: float, g: float | None) -> dict:
    """``scan_block`` of every chunk of the files, merged: one read."""
    return rowfiles.fold(arrays, arrays.names, lambda c: scan_block(c, rho, eps, g))


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
    (_, mid), = rowfiles.order_statistics(arrays, [rowfiles.Query("eta_i", rowfiles.median_ranks, nonzero_rows, ("rho_i",))])
    out = {"selected_fraction": s["selected"] / arrays.n,
           "selected_within_eps": s["selected_within_eps"] / s["selected"] if s["selected"] else None,
           "eta_max": s["eta_nz"].max, "eta_p50": rowfiles.median_value(mid)}
    if g is not None:
        out["eta_within_jlt"] = s["eta_within_jlt"] / m
        out["eta_within_2jlt"] = s["eta_within_2jlt"] / m
    return out


def histograms(arrays: rowfiles.RowArrays, s: dict) -> dict:
    """The log histograms of the figures (60 bins from the smallest to the largest positive value), counted
    exactly over fixed edges in one more read of the files."""
    hist = {}
    if s["x"].count:
        hist["eps_vs_rho"] = rowfiles.Histogram(log_edges(s["x"].min, s["x"].max), log_edges(s["y"].min, s["y"].max))
    for name in ("eta_i", "c_i", "eq25"):
        if s[name].count:
            hist[name] = rowfiles.Histogram(log_edges(s[name].min, s[name].max))
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


def _hist_dict(h: rowfiles.Histogram | None) -> dict | None:
    return None if h is None else {"edges": h.edges, "counts": h.counts}


def cell_rows_folder(plan: Plan, family: str) -> str | None:
    """Where one cell's row files go: <rows_folder>/<family>, so cells never share files (None: a temporary
    folder)."""
    return None if plan.rows_folder is None else os.path.join(plan.rows_folder, family)


def certificate_record(pss, comp, spec, arrays: rowfiles.RowArrays, family: str, delta: float, rho: float) -> dict:
    """The per-row certificate (``theory.certificates``) beside the measured eps_i, from the row files: writes
    eps_cert_i (NaN outside the rows with rho_i > rho) into ``arrays`` and returns the record part ({"kind":
    "n/a"} for a PSS that is not S E).  ||E_i||^2 = (rho_i sigma_max)^2; one read gives the table's row
    masses, a second their bins, a third bounds the rows in scope a chunk at a time."""
    law = families.get(family).row_law(pss.k, **pss.params()) if pss.linear else None
    scope = {"m": 0, "frob": 0.0, "top": rowfiles.Extremes(), "a": rowfiles.Extremes(), "few": []}
    for _, _, c in arrays.chunks(("rho_i",)):
        a = (c["rho_i"] * spec.sigma_max) ** 2
        sel = a[c["rho_i"] > rho]
        scope["m"] += sel.size
        scope["frob"] += float(a.sum())
        scope["top"].add(a[a > 0])
        scope["a"].add(sel)
        if scope["m"] <= certificates.GRID_POINTS:
            scope["few"].append(sel)
    m = scope["m"]
    if law is None or m == 0:
        for start, stop, _ in arrays.chunks(()):
            arrays.write(start, {"eps_cert_i": np.full(stop - start, np.nan)})
        return {"kind": "n/a"} if law is None else {"kind": "certificate" if law.proven else "prediction", "m": 0}
    top, bins = scope["top"].max, {}
    for _, _, c in arrays.chunks(("rho_i",)):
        a = (c["rho_i"] * spec.sigma_max) ** 2
        for b, count in certificates.mass_bins(a[a > 0], top).items():
            bins[b] = bins.get(b, 0) + count
    st = certificates.TableStats.from_summaries(comp.gram, arrays.n, scope["frob"], top, bins)
    grid = certificates.mass_grid(m, scope["a"].min, scope["a"].max, np.concatenate(scope["few"]) if m <= certificates.GRID_POINTS else None)

    def eps_cert(rho_i):
        a = (rho_i * spec.sigma_max) ** 2
        return certificates.row_bounds(st, law, a, delta / m, grid) / np.sqrt(a)

    ratio, violations, below = rowfiles.Extremes(), 0, 0
    for start, stop, c in arrays.chunks(("rho_i", "eps_i")):
        sel = c["rho_i"] > rho
        cert = eps_cert(c["rho_i"][sel])
        out = np.full(stop - start, np.nan)
        out[sel] = cert
        arrays.write(start, {"eps_cert_i": out})
        r = c["eps_i"][sel] / cert
        ratio.add(r)
        violations += int((r > 1).sum())
        below += int((cert < 1).sum())
    picks = np.unique(np.linspace(0, m - 1, min(m, CERT_CURVE_POINTS)).astype(int)).tolist()
    ((_, found),) = rowfiles.order_statistics(arrays, [rowfiles.Query("rho_i", lambda _: picks, lambda c: c["rho_i"] > rho,
                                                                        ("rho_i",))])
    curve_rho = np.array([f.value for f in found])
    q = quantiles_of(arrays, {"eps_cert": ("eps_cert_i", None, ())})["eps_cert"]
    return {"kind": "certificate" if law.proven else "prediction", "m": m, "sources": list(law.sources),
            "note": law.reason, "ratio_max": ratio.max, "violations": violations, "eps_cert": q,
            "below_one": below / m, "curve": {"rho": curve_rho.tolist(), "eps_cert": eps_cert(curve_rho).tolist()}}


def theory_at(family: str, k: int, n: int, d: int, eps: float, delta: float, rho: float, params: dict | None = None) -> dict:
    """Theorem 7's side at this k: the JLT accuracy for f = 9^d + n and the k the statement requires."""
    if not families.get(family).linear:
        return {"eps_jlt": None, "theorem7_k": None, "theorem7_k_proof": None}
    p = dict(params or {})
    log10 = math.log(10)
    return {
        "eps_jlt": theory.theorem7_eps_jlt(k, delta, d, n, family, **p),
        "theorem7_k": theory.theorem7_k(eps, delta, d, n, rho, family, **p),
        "theorem7_log10_k": theory.theorem7_log_k(eps, delta, d, n, rho, family, **p) / log10,
        "theorem7_k_proof": theory.theorem7_k(eps, delta, d, n, rho, family, part_a_factor=2.0, **p),
        "log_f": theory.log_f_theorem7(d, n),
    }


def theory_of(plan: Plan) -> dict[str, dict]:
    """``theory_at`` for each PSS a one-PSS plan drew, with the theory parameters of that draw, by family."""
    o, t = plan.options, plan.table
    out = {}
    for family, pss in plan.state["pss"].items():
        params = families.get(family).drawn_theory_params(pss, t.n) if pss.linear else None
        out[family] = theory_at(family, pss.k if pss.linear else 0, t.n, t.d, o.eps, o.delta, o.rho, params)
    return out


def claims_of(st: dict, sel: dict, th: dict, k: int, eps: float, delta: float, rho: float, family: str) -> list[Claim]:
    n = st["rows"]
    g = th.get("eps_jlt")
    g2 = 2 * g if g is not None else None
    kw = {"family": family}
    out = []
    # a PSS without columns of S (ROBE-Z) has no c_i, no ||S e_i|| and no eps_JLT: those claims are n/a
    cmax = st["c_i"]["max"] if "c_i" in st else None
    out.append(Claim("Part A, case 3: max_i ||c_i|| (all rows) <= eps_JLT(k) for f = 9^d + n (as the theorem "
                     "states)", cmax, g, id="theorem7.partA.stated", **kw))
    out.append(Claim("Part A, case 3: max_i ||c_i|| (all rows) <= 2 eps_JLT(k) (what the proof derives)", cmax, g2,
                     id="theorem7.partA.proof", **kw))
    violations = st.get("part_b_violations")
    out.append(Claim(f"Part B (Eq. 16-18): eta_i <= ||c_i|| on every row (violations among {n:,}; a consistency "
                     "check: it holds because ||R|| = sigma)", None if violations is None else float(violations),
                     0.0, holds=violations == 0, id="theorem7.partB", **kw))
    out.append(Claim("Part A, case 2 (JLT on {e_i}): max_i | ||S e_i||^2 - 1 | <= eps_JLT(k)",
                     st.get("column_norm_deviation_max"), g, id="theorem7.case2.norms", **kw))
    out.append(Claim(f"Part A, case 2 (JLT on {{e_i}}): max |<S e_i, S e_j>| over {st.get('column_inner_pairs', 0):,} "
                     "sampled pairs <= eps_JLT(k)", st.get("column_inner_max"), g, id="theorem7.case2.pairs", **kw))
    req, req_proof = th.get("theorem7_k"), th.get("theorem7_k_proof")
    promised = req_proof is not None and k >= req_proof
    for cid, bound, how in (("theorem7.k.stated", req, "as stated"), ("theorem7.k.proof", req_proof,
                                                                      "with Part A's factor 2")):
        note = "a union-bound calculator's sufficient k, not a lower bound"
        if bound is None:
            note = "no sketch size: this PSS is not of the form S E"
        elif bound > n:
            note += f"; it exceeds n = {n:,}: the calculator certifies no compression here"
        out.append(Claim(f"k >= the calculator's sufficient k for Micro(eps = {eps:g}, delta = {delta:g}, "
                         f"rho = {rho:g}) ({how})", float(k) if bound is not None else None, bound, relation=">=",
                         promised=bound is not None and k >= bound, id=cid, note=note, **kw))
    if not sel["selected_fraction"]:
        note = f"no row has rho_i > {rho:g} (the largest rho_i is {st['rho_i']['max']:.3g}): lower --rho"
    elif req is None:
        note = "this PSS is not of the form S E: Theorem 7 promises nothing for it; measured for comparison"
    elif promised:
        note = "promised for all of them (w.p. 1 - delta): k meets the sufficient k with Part A's factor 2"
    else:
        note = "not promised at this k: k is below the calculator's sufficient k with Part A's factor 2"
    out.append(Claim(f"statement: rows with rho_i > {rho:g} ({sel['selected_fraction']:.3%} of rows) that have "
                     f"eps_i <= {eps:g}", sel["selected_within_eps"], 1.0, relation=">=", promised=promised,
                     id="theorem7.statement", note=note, **kw))
    # eps_i <= eps_JLT / rho_i  <=>  eta_i = eps_i rho_i <= eps_JLT: the guarantee is one number for all rows
    for cid, bound, how in (("theorem7.per_row.stated", g, "eps_JLT(k), as stated"),
                            ("theorem7.per_row.proof", g2, "2 eps_JLT(k), as the proof derives")):
        within = sel.get("eta_within_jlt" if bound == g else "eta_within_2jlt")
        if bound is None:
            note = "no JLT accuracy for a PSS that is not of the form S E"
        elif math.isfinite(bound) and bound < 1:
            note = f"{within:.2%} of rows within; median slack {bound / sel['eta_p50']:.3g}"
        else:
            note = "vacuous: no eps_i < 1 certified for any row"
        out.append(Claim(f"per-row guarantee at this k: eps_i <= {how.split(',')[0]} / rho_i, i.e. max_i eta_i <= "
                         f"{how}", sel["eta_max"], bound, vacuous_at=1.0, id=cid, note=note, **kw))
    out.append(Claim("beyond the paper: RMS eta_i ~ the family's law sqrt((srank / k)(a + (b - a) / m)) (a "
                     "prediction, within 10%)", st["eta_rms"], st.get("eta_rms_law"), relation="~",
                     id="theorem7.eta_rms_law", note=f"mean eta_i {st['eta_mean']:.4g}; spread across rows: "
                     f"coefficient of variation {st['eta_cv']:.3g}" if st.get("eta_cv") is not None else "", **kw))
    return out


def certificate_claims(cert: dict | None, th: dict, o, family: str) -> list[Claim]:
    """The per-row certificate against the measured eps_i on the rows with rho_i > rho."""
    if not cert or cert.get("kind") == "n/a" or not cert.get("m"):
        return []
    g = th.get("eps_jlt")
    t7 = "vacuous" if g is None or not math.isfinite(g) or 2 * g / o.rho >= 1 else f"{2 * g / o.rho:.3g}"
    kind = cert["kind"]
    return [Claim(f"beyond the paper: per-row {kind}, eps_i <= eps_cert_i on all {cert['m']:,} rows with rho_i > "
                  f"{o.rho:g} (w.p. >= 1 - delta; max eps_i / eps_cert_i shown)", cert["ratio_max"], 1.0,
                  promised=kind == "certificate", id="theorem7.certificate", family=family,
                  note=f"eps_cert_i from {cert['eps_cert']['min']:.3g} to {cert['eps_cert']['max']:.3g} (median "
                       f"{cert['eps_cert']['p50']:.3g}); {cert['below_one']:.1%} of these rows certified below 1; "
                       f"Theorem 7's bound on the same rows at this k (2 eps_JLT / rho): {t7}")]


class Theorem7(OnePssCheck):
    name = "theorem7"
    theorem = 7
    order = 2
    title = "Theorem 7 (Micro PSS)"
    description = "Theorem 7 (Micro PSS), row by row over all n rows."
    examples = (
        ("--n 1e6 --d 128 --k 1024", "every row of a generated 1e6 x 128 table, Gaussian S"),
        ("--table emb.npy --rho 0.03", "your table; a rho below its largest rho_i (trained tables have small ones)"),
        ("--family osnap --s 8 --k 4096", "another family with its own parameter"),
        ("--family robez --compression 100 --Z 32", "ROBE-Z, the PSS that is not S E"),
    )
    Options = Options
    record_columns = ("sigma_max", "stable_rank", "eta_rms", "eps_i.p50", "eps_i.max", "selected_fraction", "eta_max",
                      "rho_scan.selected_rows")
    scales = {
        "smoke": dict(n=4096, d=8, k=64, coherence_pairs=10000),
        "default": dict(n=10**6, d=128, k=1024),
        "paper": dict(n=10**8, d=128, k=1024),
    }

    def plan(self, o: Options) -> Plan:
        validate.positive_int("coherence_pairs", o.coherence_pairs)
        plan = plan_one_pss(self, o, coherence_pairs=o.coherence_pairs, save_rows=bool(o.save_rows))
        for pss in plan.state["pss"].values():
            if pss.has_columns:
                m = min(pss.n, metrics.coherence_columns(o.coherence_pairs))
                check_fits(f"--coherence-pairs {o.coherence_pairs:,} ({m:,} columns of S held at once)",
                           8.0 * m * pss.k, plan.backend, "--coherence-pairs")
        # once, before any work: an input the calculators cannot take fails here, and measure and
        # summarize read it from the plan
        plan.state["theory"] = theory_of(plan)
        return plan

    def measure(self, plan, cell, progress):
        o, table, family = plan.options, plan.table, cell["family"]
        pss = plan.state["pss"][family]
        g = plan.state["theory"][family].get("eps_jlt")
        folder = cell_rows_folder(plan, family)
        with rowfiles.row_arrays(folder, table.n, metrics.row_fields(pss) + ("eps_cert_i",)) as arrays:
            _, comp, spec, bias, coh, rho_scan = passes(pss, table, arrays, rho=o.rho, block_rows=o.block_rows,
                                                        progress=progress, coherence_pairs=o.coherence_pairs,
                                                        seed=o.seed, pool=plan.pool, say=plan.say)
            s = scan(arrays, o.rho, o.eps, g)
            law = families.get(family).eta_law(pss)
            cert = certificate_record(pss, comp, spec, arrays, family, o.delta, o.rho)
            measured = {**statistics(arrays, s, spec, comp, bias, coh, cell["k"] or 0, law),
                        **selection(arrays, s, g), "certificate": cert, "hist": histograms(arrays, s),
                        "rho_scan": rho_scan}
        return {**flatten(measured), "pss": repr(pss)}

    def summarize(self, plan, records, seconds) -> Summary:
        o = plan.options
        claims, stats, hists, certs, verdicts, rows, scans = [], {}, {}, {}, [], [], []
        for family, r, m in self.cells_of(plan, records):
            kk, th = r["k"] or 0, plan.state["theory"][family]
            hists[family] = m.pop("hist")
            certs[family] = m.pop("certificate", None)
            m.pop("pss")
            scans.append(m.pop("rho_scan"))  # of the same table in every cell: the first cell's is reported
            stats[family] = m
            claims += claims_of(m, m, th, kk, o.eps, o.delta, o.rho, family) + certificate_claims(certs[family], th, o,
                                                                                                  family)
            verdicts.append(verdict(family, m, m, th, kk, o.eps, o.rho))
        dicts = [c.as_dict() for c in claims]
        for family, r, m in self.cells_of(plan, records):
            th = plan.state["theory"][family]
            rows.append(comparison_row(
                family=family, k=r["k"], compression=r["compression"], eps_i_p50=m["eps_i"]["p50"],
                eps_i_p99=m["eps_i"]["p99"], eps_i_max=m["eps_i"]["max"], rho_i_max=m["rho_i"]["max"],
                selected_fraction=m["selected_fraction"], eps_jlt=th.get("eps_jlt"),
                theorem7_k_proof=th.get("theorem7_k_proof"), **headline(dicts, family, "theorem7.statement")))
        return self.common(
            plan, k=[r["k"] for r in records if r["k"]], family=o.family, seconds=sum(r["seconds"] for r in records),
            claims=claims, stats=stats, params={r["family"]: r["params"] for r in records}, eps=o.eps,
            delta=o.delta, rho=o.rho, rho_scan=scans[0], theory=plan.state["theory"], histograms=hists,
            certificate=certs, verdict=verdicts,
            sources={key: theory.SOURCES[key] for key in ("desai2022", "woodruff2014")},
            pss={r["family"]: r["pss"] for r in records}, cells=[{key: r[key] for key in self.record_key} for r in records],
            comparison=rows)

    def write_outputs(self, plan, folder):
        """rows.npz (rows_<family>.npz with several families) with eps_i, rho_i and eps_cert_i (NaN outside the
        rows in scope), copied from the cells' row files, when --save-rows measured them in this run (a run
        that reuses its record has no per-row files to write)."""
        if not plan.options.save_rows or plan.rows_folder is None:
            return []
        out = []
        for cell in plan.measured:
            family, rows = cell["family"], cell_rows_folder(plan, cell["family"])
            path = os.path.join(folder, "rows.npz" if len(plan.cells) == 1 else f"rows_{family}.npz")
            # np.savez copies each memory-mapped file in chunks: memory does not grow with n
            arrays = {name: np.load(os.path.join(rows, f"{name}.npy"), mmap_mode="r") for name in SAVED_ROWS}
            with open(path + ".partial", "wb") as f:
                np.savez(f, **arrays)
            os.replace(path + ".partial", path)
            out.append(path)
        return out

CHECK = Theorem7()
