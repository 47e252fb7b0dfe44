"""The planner's sentences: the header and the table of k (or eps) per family and guarantee."""
from __future__ import annotations

from ..tables import table_label
from .claim_tables import fmt

#: the check whose sentences these are
CHECK_NAME = "plan"


def header(summary):
    st = summary["stats"]
    mode = f"eps = {summary['eps']:g}" if summary["eps"] is not None else f"k = {summary['k'][0]:,}"
    return (f"Planner on table {table_label(summary['table'])}: n = {summary['n']:,}, d = {summary['d']}, stable rank "
            f"{st['stable_rank']:.4g}, {st['rows_in_scope']:,} rows with rho_i > {summary['rho']:g} (largest rho_i "
            f"{st['rho_max']:.3g}); {mode}, delta = {summary['delta']:g}")


def text(summary):
    fams = summary["families"]
    if summary["eps"] is None:
        lines = ["family       kind         Thm 6 eps (stated / proof)   Thm 7 eps (stated / proof)   "
                 "certified eps_i (max / median over rows in scope)"]
        def eps(x):
            return "vacuous" if x is None or x >= 1 else fmt(x)

        for f in fams:
            lines.append(f"{f['family']:<12} {f['certificate_kind']:<12} {eps(f['theorem6_eps']):>10} / "
                         f"{eps(f['theorem6_eps_proof']):<14} {eps(f['theorem7_eps']):>10} / "
                         f"{eps(f['theorem7_eps_proof']):<14} {fmt(f['certificate_eps_max'])} / "
                         f"{fmt(f['certificate_eps_median'])}")
        lines.append("(vacuous: the theorem certifies no eps below 1 at this k; certified eps_i of 1 or more is "
                     "vacuous for that row)")
        return lines
    lines = ["family       kind         guarantee            k needed      n / k     first k with eps < 1"]
    for f in fams:
        for key, label in (("theorem6", "Theorem 6"), ("theorem6_proof", "Theorem 6 (proof)"),
                           ("theorem7", "Theorem 7"), ("theorem7_proof", "Theorem 7 (proof)"),
                           ("certificate", "per-row " + f["certificate_kind"])):
            k = f[f"k_{key}"]
            comp = f[f"compression_{key}"]
            first = f[f"k_nonvacuous_{key}"]
            lines.append(f"{f['family']:<12} {f['certificate_kind']:<12} {label:<20} {fmt(k) if k else 'unreachable':>11}"
                         f"  {fmt(comp) if comp else '-':>9}  {fmt(first) if first else 'unreachable':>11}")
    jl = summary.get("sklearn_jl_k")
    if jl is not None:
        lines.append(f"{'any':<12} {'-':<12} {'scikit-learn JL rule':<20} {fmt(jl):>11}  {fmt(summary['n'] / jl):>9}  "
                     f"{'-':>11}  (johnson_lindenstrauss_min_dim(n, eps): distances among the n rows, no delta; "
                     "not one of the guarantees above)")
    lines.append(f"(n / k below 1: the guarantee needs more rows than the table has, i.e. no compression; unreachable: "
                 f"no k up to {summary['k_max']:.0e} (SRHT: up to the padded n), or no row in scope)")
    return lines

