"""Theorem 4: pair inner products and norms of read-back rows (appendix D).

For a Micro(eps, delta, rho)-PSS and rows i, j with rho_i, rho_j > rho:
|<Mhat_i, Mhat_j> - <E_i, E_j>| <= (eps^2 + 2 eps) ||E_i|| ||E_j||, and ||Mhat_i|| = (1 +- eps) ||E_i|| (Eq. 25).
With the measured per-row eps_i the same algebra gives pi_ij <= eps_i eps_j + eps_i + eps_j for every
pair, whatever the sketch: a violation there would be a bug in the measurement, not in the theorem.

One cell: Theorem 7's two passes (eps_i and Eq. 25 on every row), then the sampled pairs and, with
``top``, every pair among the R rows of largest rho_i.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import rng, theory, validate
from ..claims import Claim, comparison_row, headline
from ..errors import InputError
from ..measure import metrics
from ..measure import rows as rowfiles
from ..measure.metrics import quantiles
from ..progress import step
from ..records import flatten
from ..report.theorem4 import verdict
from ..summary import Summary
from .base import Plan, option
from .common import OnePssCheck, TableOptions, check_fits, family_help, plan_one_pss, pss_list
from .theorem7 import (
    cell_rows_folder,
    eq25_ratio,
    log_edges,
    log_histogram,
    nonzero_rows,
    passes,
    quantiles_of,
    theory_of,
)


@dataclass
class Options(TableOptions):
    """``family``: a PSS, a list, or ``all`` (one cell each); pairs are drawn among rows with rho_i > ``rho``;
    ``top``: also every pair among the R rows of largest rho_i."""

    family: object = option(None, family_help("PSS", sketches_only=False), pss_list,
                            default_factory=lambda: ["gaussian"])
    rho: float = option(0.01, "pairs are drawn among rows with rho_i > rho, in (0, 1]",
                        lambda t: validate.unit_closed_right("rho", t))
    pairs: int = option(1_000_000, "sampled pairs", lambda t: validate.count("pairs", t))
    top: int | None = option(None, "also every pair among the R rows of largest rho_i", lambda t: validate.count("top", t))


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


def top_pairs(pss, M, table, top: rowfiles.TopRows, R: int, eps_th: float, tol: float) -> dict:
    """Every pair among the R rows of largest rho_i (R (R - 1) / 2 pairs) through two R x R Grams; ``top``
    holds at least R rows by rho_i, with their eps_i."""
    order = np.argsort(top.row[:R])
    idx, e = top.row[:R][order], top.payload["eps_i"][:R][order]
    mhat, rows = read_rows(pss, M, table, idx)
    norms = np.linalg.norm(rows, axis=1)
    pi = np.abs(mhat @ mhat.T - rows @ rows.T) / np.outer(norms, norms)
    iu = np.triu_indices(R, 1)
    return {**pair_stats(pi[iu], e[iu[0]], e[iu[1]], eps_th, tol), "rows": int(R)}


def pair_claims(st: dict, eps: float, k_ok: bool, label: str, family: str, key: str) -> list[Claim]:
    kw = {"family": family}
    if k_ok is None:
        promise = "not promised: this PSS is not of the form S E, so Theorem 7 (and with it Theorem 4) says nothing"
    else:
        promise = ("promised: k meets Theorem 7's sufficient k (with Part A's factor 2)" if k_ok else
                   "not promised at this k: it is below Theorem 7's sufficient k (with Part A's factor 2)")
    none = st["pairs"] == 0  # fewer than two rows with rho_i > rho: no pair to measure
    return [
        Claim(f"{label}: pi_ij <= eps_i eps_j + eps_i + eps_j with measured eps_i (violations among {st['pairs']:,}; "
              "a consistency check: any is a bug)", None if none else float(st["per_row_violations"]), 0.0,
              holds=st["per_row_violations"] == 0, id=f"theorem4.{key}.per_row",
              note=f"{st['exact_pairs']:,} pairs of two exactly read rows excluded from ratios", **kw),
        Claim(f"{label}: max pi_ij <= eps^2 + 2 eps = {st['theorem_bound']:.4g} for the theorem's eps = {eps:g}",
              st["pi"]["max"], st["theorem_bound"], promised=bool(k_ok), id=f"theorem4.{key}.theorem",
              note=f"{promise}; {st['theorem_violations']:,} pairs exceed it", **kw),
        Claim(f"{label}: tightness, median pi_ij / (eps_i eps_j + eps_i + eps_j)", st["ratio"]["p50"], 1.0,
              id=f"theorem4.{key}.tightness",
              note=f"p99 {st['ratio']['p99']:.3g}, max {st['ratio']['max']:.3g}" if st["ratio"]["max"] is not None else "",
              **kw),
    ]


def scan_block(c: dict, eps: float, rho: float, tol: float, top: int | None) -> dict:
    """Eq. 25's counts and extremes, the rows with rho_i > rho, the top rows by rho_i and the extremes of
    the Eq. 25 ratio (for its histogram) of one block of rows: a partial summary that
    ``rows.merge_partials`` combines with those of the other blocks, in any order."""
    nz = c["rho_i"] > 0
    dev = np.abs(c["norm_ratio_i"][nz] - 1)
    sel = c["rho_i"] > rho
    dev_sel = np.abs(c["norm_ratio_i"][sel] - 1)
    ratio = eq25_ratio(c)[nz]
    return {"zero_rows": int((~nz).sum()), "eligible": int(sel.sum()),
            "eq25_violations": int((dev > c["eps_i"][nz] * (1 + tol) + 1e-15).sum()),
            "eq25_selected_above_eps": int((dev_sel > eps).sum()),
            "rho": rowfiles.Extremes().add(c["rho_i"]), "selected": rowfiles.Extremes().add(dev_sel),
            "eq25": rowfiles.Extremes().add(ratio[np.isfinite(ratio) & (ratio > 0)]),
            "top": rowfiles.TopRows(top or 0).add(c["rho_i"], c["row"], eps_i=c["eps_i"]) if top else
            rowfiles.TopRows(0)}


def scan(arrays: rowfiles.RowArrays, eps: float, rho: float, tol: float, top: int | None) -> dict:
    """``scan_block`` of every chunk of the files, merged: one read."""
    return rowfiles.fold(arrays, ("rho_i", "eps_i", "norm_ratio_i"), lambda c: scan_block(c, eps, rho, tol, top))


def eq25_stats(arrays: rowfiles.RowArrays, s: dict) -> dict:
    """| ||Mhat_i|| / ||E_i|| - 1 | on every nonzero row against its own eps_i (it holds by the triangle
    inequality: a consistency check), and on the rows with rho_i > rho against the theorem's eps (Eq. 25).
    ``s`` is ``scan``'s; the ratio's quantiles are exact."""
    q = quantiles_of(arrays, {"ratio": (eq25_ratio, nonzero_rows, ("rho_i", "eps_i", "norm_ratio_i"))})
    return {"eq25_violations": s["eq25_violations"], "eq25_ratio": q["ratio"], "eq25_rows": arrays.n - s["zero_rows"],
            "eq25_selected_rows": s["selected"].count,
            "eq25_selected_max": s["selected"].max if s["selected"].count else None,
            "eq25_selected_above_eps": s["eq25_selected_above_eps"]}


def eq25_claims(st25: dict, zero_rows: int, eps: float, rho: float, k_ok: bool, family: str) -> list[Claim]:
    viol = st25["eq25_violations"]
    return [
        Claim(f"Eq. 25 with measured eps_i: | ||Mhat_i|| / ||E_i|| - 1 | <= eps_i on every row (violations among "
              f"{st25['eq25_rows']:,}; a consistency check: the triangle inequality)", float(viol), 0.0,
              holds=viol == 0, id="theorem4.eq25.per_row", family=family,
              note=f"{zero_rows} all-zero rows excluded"),
        Claim(f"Eq. 25: max over the {st25['eq25_selected_rows']:,} rows with rho_i > {rho:g} of "
              f"| ||Mhat_i|| / ||E_i|| - 1 | <= the theorem's eps = {eps:g}", st25["eq25_selected_max"], eps,
              promised=bool(k_ok), id="theorem4.eq25.theorem", family=family,
              note=("promised" if k_ok else "not promised at this k" if k_ok is not None else "not promised: not S E") + f"; {st25['eq25_selected_above_eps']:,} rows "
              "exceed it"),
    ]


def histograms(pair_ratio: np.ndarray, arrays: rowfiles.RowArrays, s: dict, pi: np.ndarray) -> dict:
    """For the figure: the sampled pairs' pi_ij (against eps^2 + 2 eps), their ratio to the per-row bound,
    and Eq. 25's norm error over eps_i on every row (counted over the files: ``s`` is ``scan``'s)."""
    eq25 = None
    if s["eq25"].count:
        h = rowfiles.Histogram(log_edges(s["eq25"].min, s["eq25"].max))
        for _, _, c in arrays.chunks(("rho_i", "eps_i", "norm_ratio_i")):
            ratio = eq25_ratio(c)[c["rho_i"] > 0]
            h.add(ratio[np.isfinite(ratio) & (ratio > 0)])
        eq25 = {"edges": h.edges, "counts": h.counts}
    return {"pi": log_histogram(pi), "pair_ratio": log_histogram(pair_ratio), "eq25_ratio": eq25}


def rows_for_pairs(pairs: int) -> int:
    """How many rows to read back for ``pairs`` sampled pairs: each row in about 10 pairs."""
    return max(2, int(math.ceil(pairs / 5)))


class Theorem4(OnePssCheck):
    name = "theorem4"
    theorem = 4
    order = 3
    title = "Theorem 4 (pairs)"
    description = "Theorem 4: pair inner products of read-back rows."
    examples = (
        ("--n 2e5 --d 64 --k 512", "1e6 sampled pairs of a generated table against eps^2 + 2 eps"),
        ("--table emb.npy --rho 0.03 --top 1000", "your table: sampled pairs and every pair of its 1,000 largest rows"),
    )
    Options = Options
    record_columns = ("sampled.pairs", "sampled.per_row_violations", "eq25_violations", "eq25_rows", "rho_max",
                      "rho_scan.selected_rows")
    scales = {
        "smoke": dict(n=4096, d=8, k=64, pairs=20000, top=40),
        "default": dict(n=200_000, d=64, k=512, pairs=10**6, top=1000),
        "paper": dict(n=10**8, d=128, k=1024, pairs=10**6, top=2000),
    }

    def plan(self, o: Options) -> Plan:
        validate.positive_int("pairs", o.pairs)
        if o.top is not None and validate.positive_int("top", o.top) < 2:
            raise InputError("--top needs at least 2 rows")
        plan = plan_one_pss(self, o, pairs=o.pairs, top=o.top)
        d = plan.table.d
        # per sampled pair: two int64 ids, the error and the bounds (~6 float64); per row read: Mhat_i and E_i
        check_fits(f"--pairs {o.pairs:,}", 48.0 * o.pairs + 16.0 * d * rows_for_pairs(o.pairs), plan.backend, "--pairs")
        if o.top is not None:
            check_fits(f"--top {o.top:,} (three {o.top:,} x {o.top:,} matrices)", 24.0 * o.top**2, plan.backend, "--top")
        # pair errors are differences of nearly equal inner products: float32 partial products made
        # counts and ratio minima depend on --block-rows; in float64 they agree to rounding
        plan.state["pss"] = {family: pss.with_dtype("float64") if pss.linear else pss
                             for family, pss in plan.state["pss"].items()}
        # once, before any work: an input the calculators cannot take fails here, and measure and
        # summarize read it from the plan
        plan.state["theory"] = theory_of(plan)
        return plan

    def measure(self, plan, cell, progress):
        """Both passes (eps_i and Eq. 25 on every row), then the sampled and top-R pairs."""
        o, table = plan.options, plan.table
        family = cell["family"]
        pss = plan.state["pss"][family]
        with rowfiles.row_arrays(cell_rows_folder(plan, family), table.n, metrics.row_fields(pss)) as arrays:
            pss, comp, _, _, _, rho_scan = passes(pss, table, arrays, rho=o.rho, block_rows=o.block_rows,
                                                  progress=progress, coherence_pairs=0, pool=plan.pool, say=plan.say)
            tol = rounding_allowance(pss.dtype)
            sc = scan(arrays, o.eps, o.rho, tol, o.top)
            eligible = sc["eligible"]
            # at most the rows that qualify; with fewer than two there is no pair and the pair claims are n/a
            top_rows = None if o.top is None or eligible < 2 else min(o.top, eligible)
            with step(progress, "pairs"):
                positions = sample_positions(eligible, rows_for_pairs(o.pairs), o.seed)
                rows = rowfiles.rows_at(arrays, lambda c: c["rho_i"] > o.rho, ("rho_i",), positions)
                mhat, e = read_rows(pss, comp.M, table, rows)
                a, b = sample_pairs(rows.size, o.pairs, o.seed)
                pi = pair_errors(mhat, e, a, b)
                eps_rows = arrays.gather("eps_i", rows)
                s = pair_stats(pi, eps_rows[a], eps_rows[b], o.eps, tol)
            ratio = s.pop("_ratio")
            s |= {"rows_read": int(rows.size), "eligible_rows": int(eligible)}
            st25 = eq25_stats(arrays, sc)
            top = None
            if top_rows is not None:
                with step(progress, "top pairs"):
                    top = top_pairs(pss, comp.M, table, sc["top"], top_rows, o.eps, tol)
                top.pop("_ratio")
            eps_i = quantiles_of(arrays, {"eps_i": ("eps_i", None, ())})["eps_i"]
            measured = {"sampled": s, **st25, "top_pairs": top, "zero_rows": sc["zero_rows"],
                        "rho_max": sc["rho"].max, "eps_i": eps_i, "hist": histograms(ratio, arrays, sc, pi),
                        "rho_scan": rho_scan}
        return {**flatten(measured), "pss": repr(pss)}

    def summarize(self, plan, records, seconds) -> Summary:
        o = plan.options
        claims, stats, hists, verdicts, scans = [], {}, {}, [], []
        for family, r, m in self.cells_of(plan, records):
            claims_f, stats[family], hists[family], verdict_f = self._family(plan, family, r, m)
            claims += claims_f
            verdicts.append(verdict_f)
            scans.append(m["rho_scan"])  # of the same table in every cell: the first cell's is reported
        dicts = [c.as_dict() for c in claims]
        rows = [comparison_row(
            family=f, k=r["k"], compression=r["compression"], eps_i_p50=stats[f]["eps_i"]["p50"],
            eps_i_p99=stats[f]["eps_i"]["p99"], eps_i_max=stats[f]["eps_i"]["max"], rho_i_max=stats[f]["rho_max"],
            pairs=stats[f]["pairs"], pi_max=stats[f]["pi"]["max"], theorem4_bound=o.eps**2 + 2 * o.eps,
            theorem7_k_proof=plan.state["theory"][f]["theorem7_k_proof"],
            **headline(dicts, f, "theorem4.sampled.theorem")) for f, r in zip(o.family, records)]
        return self.common(plan, k=[r["k"] for r in records if r["k"]], family=o.family,
                           seconds=sum(r["seconds"] for r in records), claims=claims, stats=stats,
                           params={r["family"]: r["params"] for r in records}, eps=o.eps, delta=o.delta, rho=o.rho,
                           rho_scan=scans[0],
                           theory=plan.state["theory"], histograms=hists, verdict=verdicts,
                           sources={"desai2022": theory.SOURCES["desai2022"]},
                           pss={r["family"]: r["pss"] for r in records},
                           cells=[{key: r[key] for key in self.record_key} for r in records], comparison=rows)

    def _family(self, plan, family, r, m):
        """One family's claims, stats, histograms and verdict."""
        o, kk = plan.options, r["k"]
        th = plan.state["theory"][family]
        # None: not of the form S E, Theorem 7 says nothing; else whether k meets its sufficient k (as proved)
        k_ok = None if th["theorem7_k_proof"] is None else kk >= th["theorem7_k_proof"]
        s, top = m["sampled"], m["top_pairs"]
        st25 = {key: value for key, value in m.items() if key.startswith("eq25_")}
        claims = (pair_claims(s, o.eps, k_ok, "sampled pairs", family, "sampled")
                  + eq25_claims(st25, m["zero_rows"], o.eps, o.rho, k_ok, family))
        if top is not None:
            rows = top["rows"]
            label = f"all pairs of the top {rows} rows by rho" + (
                f" (--top {o.top} capped at the {rows} rows with rho_i > {o.rho:g})" if rows < o.top else "")
            claims += pair_claims(top, o.eps, k_ok, label, family, "top")
        verdict_f = verdict(family, kk, s, st25["eq25_violations"], m["rho_max"], o.rho, k_ok)
        stats = {"pairs": s["pairs"], "pair_ratio": s["ratio"], "pi": s["pi"], "rows_read": s["rows_read"],
                 "eligible_rows": s["eligible_rows"], "per_row_violations": s["per_row_violations"],
                 "theorem_violations": s["theorem_violations"], "exact_pairs": s["exact_pairs"], **st25, "top": top,
                 "zero_rows": m["zero_rows"], "rho_max": m["rho_max"], "eps_i": m["eps_i"]}
        return claims, stats, m["hist"], verdict_f

CHECK = Theorem4()
