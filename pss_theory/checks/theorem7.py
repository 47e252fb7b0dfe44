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
from dataclasses import dataclass, field

import numpy as np

from .. import families, theory, validate
from ..claims import comparison_row, headline
from ..measure import metrics
from ..measure import rows as rowfiles
from ..measure.row_certificate import certificate_record
from ..measure.row_passes import passes
from ..measure.row_stats import histograms, scan, selection, statistics
from ..records import columns, flatten, rows
from ..report.theorem7 import certificate_claims, claims_of, verdict
from .base import Plan, option
from .common import OnePssCheck, OnePssResult, TableOptions, check_fits, family_help, plan_one_pss, pss_list

SAVED_ROWS = ("eps_i", "rho_i", "eps_cert_i")  # the arrays of --save-rows


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


def cell_rows_folder(plan: Plan, family: str) -> str | None:
    """Where one cell's row files go: <rows_folder>/<family>, so cells never share files (None: a temporary
    folder)."""
    return None if plan.context.rows_folder is None else os.path.join(plan.context.rows_folder, family)


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
    for family, pss in plan.state.pss.items():
        params = pss.distribution.bound_params() if pss.linear else None
        out[family] = theory_at(family, pss.k if pss.linear else 0, t.n, t.d, o.eps, o.delta, o.rho, params)
    return out


@dataclass(kw_only=True)
class Result(OnePssResult):
    """What ``theorem7`` reports: a one-PSS result and each family's per-row certificate."""

    certificate: dict = field(default_factory=dict)  # family -> its certificate record (None without one)


def record_form(measured: dict) -> dict:
    """What a cell measured, as its record holds it: the tables ``by_rho_decile`` and ``worst_rows`` as
    columns (one list per field), the 2-D histogram's counts row-major in one list and the certificate's
    source keys in one comma-separated string, so that every column of records.jsonl is a number, a
    string or a list of numbers.  ``summary_form`` is the inverse."""
    out = {**measured, "by_rho_decile": columns(measured["by_rho_decile"]),
           "worst_rows": columns(measured["worst_rows"])}
    h2 = measured["hist"]["eps_vs_rho"]
    if h2 is not None:
        out["hist"] = {**measured["hist"], "eps_vs_rho": {**h2, "counts": np.ravel(h2["counts"])}}
    cert = measured["certificate"]
    if cert is not None and "sources" in cert:
        out["certificate"] = {**cert, "sources": ",".join(cert["sources"])}
    return out


def summary_form(m: dict) -> dict:
    """A record's measured part (unflattened) with its tables as rows and the 2-D counts as a matrix."""
    out = {**m, "by_rho_decile": rows(m.get("by_rho_decile", {})), "worst_rows": rows(m.get("worst_rows", {}))}
    h2 = m["hist"]["eps_vs_rho"]
    if h2 is not None:
        shape = (len(h2["x_edges"]) - 1, len(h2["y_edges"]) - 1)
        out["hist"] = {**m["hist"], "eps_vs_rho": {**h2, "counts": np.reshape(h2["counts"], shape).tolist()}}
    cert = m.get("certificate")
    if cert is not None and "sources" in cert:
        out["certificate"] = {**cert, "sources": cert["sources"].split(",") if cert["sources"] else []}
    return out


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
    Result = Result
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
        for pss in plan.state.pss.values():
            if pss.has_columns:
                m = min(pss.n, metrics.coherence_columns(o.coherence_pairs))
                check_fits(f"--coherence-pairs {o.coherence_pairs:,} ({m:,} columns of S held at once)",
                           8.0 * m * pss.k, plan.backend, "--coherence-pairs")
        # once, before any work: an input the calculators cannot take fails here, and measure and
        # summarize read it from the plan
        plan.state.theory = theory_of(plan)
        return plan

    def measure(self, plan, cell, progress):
        o, table, family = plan.options, plan.table, cell["family"]
        pss = plan.state.pss[family]
        g = plan.state.theory[family].get("eps_jlt")
        folder = cell_rows_folder(plan, family)
        with rowfiles.row_arrays(folder, table.n, metrics.row_fields(pss) + ("eps_cert_i",)) as arrays:
            _, comp, spec, bias, coh, rho_scan = passes(pss, table, arrays, rho=o.rho, block_rows=o.block_rows,
                                                        progress=progress, coherence_pairs=o.coherence_pairs,
                                                        seed=o.seed, pool=plan.context.pool, say=plan.context.say)
            s = scan(arrays, o.rho, o.eps, g)
            law = pss.distribution.eta_law()
            cert = certificate_record(pss, comp, spec, arrays, family, o.delta, o.rho)
            measured = {**statistics(arrays, s, spec, comp, bias, coh, cell["k"] or 0, law),
                        **selection(arrays, s, g), "certificate": cert, "hist": histograms(arrays, s),
                        "rho_scan": rho_scan}
        return {**flatten(record_form(measured)), "pss": repr(pss)}

    def summarize(self, plan, records, seconds) -> Result:
        o = plan.options
        claims, stats, hists, certs, verdicts, compared, scans = [], {}, {}, {}, [], [], []
        for family, r, m in self.cells_of(plan, records):
            kk, th = r["k"] or 0, plan.state.theory[family]
            m = summary_form(m)
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
            th = plan.state.theory[family]
            compared.append(comparison_row(
                family=family, k=r["k"], compression=r["compression"], eps_i_p50=m["eps_i"]["p50"],
                eps_i_p99=m["eps_i"]["p99"], eps_i_max=m["eps_i"]["max"], rho_i_max=m["rho_i"]["max"],
                selected_fraction=m["selected_fraction"], eps_jlt=th.get("eps_jlt"),
                theorem7_k_proof=th.get("theorem7_k_proof"), **headline(dicts, family, "theorem7.statement")))
        return self.common(
            plan, k=[r["k"] for r in records if r["k"]], family=o.family, seconds=sum(r["seconds"] for r in records),
            claims=claims, stats=stats, params={r["family"]: r["params"] for r in records}, eps=o.eps,
            delta=o.delta, rho=o.rho, rho_scan=scans[0], theory=plan.state.theory, histograms=hists,
            certificate=certs, verdict=verdicts,
            sources={key: theory.SOURCES[key] for key in ("desai2022", "woodruff2014")},
            pss={r["family"]: r["pss"] for r in records}, cells=[{key: r[key] for key in self.record_key} for r in records],
            comparison=compared)

    def write_outputs(self, plan, folder):
        """rows.npz (rows_<family>.npz with several families) with eps_i, rho_i and eps_cert_i (NaN outside the
        rows in scope), copied from the cells' row files, when --save-rows measured them in this run (a run
        that reuses its record has no per-row files to write)."""
        if not plan.options.save_rows or plan.context.rows_folder is None:
            return []
        out = []
        for cell in plan.context.measured:
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
