"""Theorem 4's sentences: the terminal header and lines, the report's conclusions."""
from __future__ import annotations

from ..summary import per_family
from ..tables import table_label
from .rho_scan import rho_line


def header(summary):
    what = (f"with {summary['pss'][summary['family'][0]]}" if len(summary["family"]) == 1 else
            f"for {len(summary['family'])} families ({', '.join(summary['family'])})")
    return f"Theorem 4 {what} on table {table_label(summary['table'])}, backend {summary['environment']['device']}"


def text(summary):
    return [rho_line(summary)]


def conclusions(summary):
    return [line for family in summary["family"] for line in family_conclusions(per_family(summary, family))]


def family_conclusions(summary):
    st = summary["stats"]
    lines = ["**Theorem 4.** " + summary["verdict"]]
    if st["pair_ratio"]["p50"] is not None:
        lines.append(f"- Tightness of the per-row bound eps_i eps_j + eps_i + eps_j: median ratio "
                     f"{st['pair_ratio']['p50']:.3g}, p99 {st['pair_ratio']['p99']:.3g}, max {st['pair_ratio']['max']:.3g}.")
    return lines



def verdict(family: str, k: int | None, sampled: dict, eq25_violations: int, rho_max: float, rho: float,
            k_ok: bool | None) -> str:
    """One family's sentence: the sampled pairs against the per-row bound, Eq. 25 and the theorem's
    eps^2 + 2 eps, said promised only where k meets Theorem 7's sufficient k (``k_ok``; None: not S E)."""
    s = sampled
    head = f"{family}, k = {k}" if k else family
    pairs_text = (f"max pi_ij {s['pi']['max']:.3g}, median pi_ij / per-row bound {s['ratio']['p50']:.3g}"
                  if s["pairs"] else f"no pair to measure: lower --rho (the largest rho_i is {rho_max:.3g})")
    return (f"{head}: {s['pairs']:,} pairs among {s['rows_read']:,} of the {s['eligible_rows']:,} "
            f"rows with rho_i > {rho:g}: {pairs_text}; per-row bound violations: {s['per_row_violations']}; Eq. 25 violations: "
            f"{eq25_violations}; the theorem's eps^2 + 2 eps = {s['theorem_bound']:.3g} is "
            + ("promised" if k_ok else "not promised at this k" if k_ok is not None else
               "not promised (not of the form S E)") + f" and exceeded by {s['theorem_violations']:,} pairs.")
