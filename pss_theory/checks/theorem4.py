"""Theorem 4: pair inner products and norms of read-back rows (appendix D).

For a Micro(eps, delta, rho)-PSS and rows i, j with rho_i, rho_j > rho:
|<Mhat_i, Mhat_j> - <E_i, E_j>| <= (eps^2 + 2 eps) ||E_i|| ||E_j||, and ||Mhat_i|| = (1 +- eps) ||E_i|| (Eq. 25).
With the measured per-row eps_i the same algebra gives pi_ij <= eps_i eps_j + eps_i + eps_j for every
pair, whatever the sketch: a violation there would be a bug in the measurement, not in the theorem.

One cell: Theorem 7's two passes (eps_i and Eq. 25 on every row), then the sampled pairs and, with
``top``, every pair among the R rows of largest rho_i.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import theory, validate
from ..claims import comparison_row, headline
from ..errors import InputError
from ..measure import metrics
from ..measure import rows as rowfiles
from ..measure.pairs import (
    eq25_stats,
    histograms,
    pair_errors,
    pair_stats,
    read_rows,
    rounding_allowance,
    rows_for_pairs,
    sample_pairs,
    sample_positions,
    scan,
    top_pairs,
)
from ..measure.row_passes import passes
from ..measure.row_stats import quantiles_of
from ..progress import step
from ..records import flatten
from ..report.theorem4 import eq25_claims, pair_claims, verdict
from .base import Plan, option
from .common import OnePssCheck, OnePssResult, TableOptions, check_fits, family_help, plan_one_pss, pss_list
from .theorem7 import cell_rows_folder, theory_of


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
        plan.state.pss = {family: pss.with_dtype("float64") if pss.linear else pss
                             for family, pss in plan.state.pss.items()}
        # once, before any work: an input the calculators cannot take fails here, and measure and
        # summarize read it from the plan
        plan.state.theory = theory_of(plan)
        return plan

    def measure(self, plan, cell, progress):
        """Both passes (eps_i and Eq. 25 on every row), then the sampled and top-R pairs."""
        o, table = plan.options, plan.table
        family = cell["family"]
        pss = plan.state.pss[family]
        with rowfiles.row_arrays(cell_rows_folder(plan, family), table.n, metrics.row_fields(pss)) as arrays:
            pss, comp, _, _, _, rho_scan = passes(pss, table, arrays, rho=o.rho, block_rows=o.block_rows,
                                                  progress=progress, coherence_pairs=0, pool=plan.context.pool, say=plan.context.say)
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
            measured = {"sampled": s, **st25, "top_pairs": top, "zero_rows": sc["zero_rows"], "dtype": comp.dtype,
                        "rho_max": sc["rho"].max, "eps_i": eps_i, "hist": histograms(ratio, arrays, sc, pi),
                        "rho_scan": rho_scan}
        return {**flatten(measured), "pss": repr(pss)}

    def summarize(self, plan, records, seconds) -> OnePssResult:
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
            theorem7_k_proof=plan.state.theory[f]["theorem7_k_proof"],
            **headline(dicts, f, "theorem4.sampled.theorem")) for f, r in zip(o.family, records)]
        return self.common(plan, k=[r["k"] for r in records if r["k"]], family=o.family,
                           seconds=sum(r["seconds"] for r in records), claims=claims, stats=stats,
                           params={r["family"]: r["params"] for r in records}, eps=o.eps, delta=o.delta, rho=o.rho,
                           rho_scan=scans[0],
                           theory=plan.state.theory, histograms=hists, verdict=verdicts,
                           sources={"desai2022": theory.SOURCES["desai2022"]},
                           pss={r["family"]: r["pss"] for r in records},
                           cells=[{key: r[key] for key in self.record_key} for r in records], comparison=rows)

    def _family(self, plan, family, r, m):
        """One family's claims, stats, histograms and verdict."""
        o, kk = plan.options, r["k"]
        th = plan.state.theory[family]
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
                 "zero_rows": m["zero_rows"], "rho_max": m["rho_max"], "eps_i": m["eps_i"], "dtype": m["dtype"]}
        return claims, stats, m["hist"], verdict_f

CHECK = Theorem4()
