"""Theorem 7's sentences: the verdict per family, the terminal header, deciles and worst rows, the
report's conclusions."""
from __future__ import annotations

import math

from ..summary import per_family
from ..tables import table_label
from .claim_tables import fmt
from .rho_scan import rho_line


def verdict(family: str, st: dict, sel: dict, th: dict, k: int, eps: float, rho: float) -> str:
    n = st["rows"]
    head = f"{family}, k = {k}, all {n:,} rows" if k else f"{family}, all {n:,} rows"
    parts = [f"{head}: eps_i median {st['eps_i']['p50']:.3g}, max {st['eps_i']['max']:.3g}"
             + (f"; eta_i RMS {st['eta_rms']:.3g} vs the family's law {st['eta_rms_law']:.3g}"
                if st.get("eta_rms_law") else "")]
    g = th.get("eps_jlt")
    if g is not None:
        if math.isinf(g) or g >= 1:
            parts.append("Theorem 7 certifies nothing at this k (eps_JLT >= 1 for f = 9^d + n), although every row has a "
                         "finite, measurable error")
        else:
            parts.append(f"Theorem 7's per-row guarantee eps_JLT/rho_i = {g:.3g}/rho_i holds on "
                         f"{sel['eta_within_jlt']:.2%} of rows (2 eps_JLT/rho_i as the proof derives: "
                         f"{sel['eta_within_2jlt']:.2%})")
    if th.get("theorem7_k_proof") is not None and th["theorem7_k_proof"] > n:
        parts.append(f"for eps = {eps:g} and rho = {rho:g} the calculator's sufficient k "
                     f"({th['theorem7_k']:.3g} as stated, {th['theorem7_k_proof']:.3g} with Part A's factor 2) exceeds "
                     "n: it certifies no compression")
    if st.get("part_b_violations") == 0:
        parts.append("Part B (eta_i <= ||c_i||) holds on every row")
    return "; ".join(parts) + "."


def header(summary):
    what = (f"with {summary['pss'][summary['family'][0]]}" if len(summary["family"]) == 1 else
            f"for {len(summary['family'])} families ({', '.join(summary['family'])})")
    return (f"Theorem 7 (Micro PSS) {what} on table {table_label(summary['table'])}, all {summary['n']:,} rows, "
            f"backend {summary['environment']['device']}")


def text(summary):
    lines = [rho_line(summary)]
    for family in summary["family"]:
        st = summary["stats"][family]
        worst = ", ".join(f"row {w['row']} (eps_i {w['eps_i']:.3g}, rho_i {w['rho_i']:.2e})"
                          for w in st["worst_rows"][:3])
        bias = (f"bias, the mean over rows of Mhat_i - E_i: norm {st['bias_norm']:.3g}, "
                f"largest entry {st['bias_max_abs']:.3g}")
        if len(summary["family"]) == 1:
            lines += [decile_table(st["by_rho_decile"]), f"worst rows: {worst}", bias]
        else:  # several families: one line each (the deciles are in summary.json)
            lines.append(f"{family}: worst rows {worst}; {bias}")
    return lines


def conclusions(summary):
    return [line for family in summary["family"] for line in family_conclusions(per_family(summary, family))]


def family_conclusions(summary):
    st, th, n = summary["stats"], summary["theory"], summary["n"]
    lines = ["**Theorem 7.** " + summary["verdict"]]
    if st.get("eta_rms_law"):
        lines.append(f"- Empirical law: RMS eta_i = {st['eta_rms']:.4g} against the family's law "
                     f"{st['eta_rms_law']:.4g} (ratio {st['eta_rms'] / st['eta_rms_law']:.3f}; sqrt(srank/k) = "
                     f"{st['eta_pred']:.4g}); mean eta_i = {st['eta_mean']:.4g}; coefficient of variation of eta_i "
                     f"across rows {st['eta_cv']:.3g}. The per-row error is governed by the stable rank of E and "
                     "k, not by the 9^d + n of the theorem.")
    if th.get("theorem7_k") is not None:
        def verdict_k(k):
            return "more than n: the calculator certifies no compression" if k > n else "below n"
        lines.append(f"- The calculator's sufficient k for eps = {summary['eps']:g}, rho = {summary['rho']:g} is "
                     f"{fmt(th['theorem7_k'])} as stated ({verdict_k(th['theorem7_k'])}) and "
                     f"{fmt(th['theorem7_k_proof'])} with Part A's factor 2 ({verdict_k(th['theorem7_k_proof'])}); "
                     f"n = {n:,} rows. These are sufficient sizes from a union bound, not lower bounds.")
    if st.get("c_i"):
        g = th.get("eps_jlt")
        gtext = "vacuous (no eps < 1 is certified)" if g is None else fmt(g)
        lines.append(f"- Part A's cross term: max ||c_i|| = {st['c_i']['max']:.4g}; eps_JLT(k) for f = 9^d + n is "
                     f"{gtext}.")
    return lines


def decile_table(deciles: list[dict]) -> str:
    """Rows grouped by rho_i: the error is set by rho_i, as the proof's Eq. 19-20 says."""
    lines = ["rows by rho_i decile:   rows   rho_i from .. to        median eps_i   max eps_i   median eta_i"]
    for i, g in enumerate(deciles, 1):
        lines.append(f"  {i:>2}  {g['rows']:>16,}   {g['rho_min']:.3e} .. {g['rho_max']:.3e}   {g['eps_median']:>11.4g}"
                     f"   {g['eps_max']:>9.4g}   {g['eta_median']:>12.4g}")
    return "\n".join(lines)

