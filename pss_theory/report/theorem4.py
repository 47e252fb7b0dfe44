"""Theorem 4's sentences: its claims on pairs and Eq. 25, the terminal header and lines, the report's
conclusions."""
from __future__ import annotations

from ..claims import Claim
from ..summary import per_family
from ..tables import table_label
from .arithmetic import arithmetic_line
from .rho_scan import rho_line

#: the check whose sentences these are
CHECK_NAME = "theorem4"


def header(summary):
    what = (f"with {summary['pss'][summary['family'][0]]}" if len(summary["family"]) == 1 else
            f"for {len(summary['family'])} families ({', '.join(summary['family'])})")
    return f"Theorem 4 {what} on table {table_label(summary['table'])}, backend {summary['environment']['device']}"


#: why Theorem 4 multiplies in float64 for every sketch (checks.theorem4.plan)
PAIRS_IN_FLOAT64 = ("pair errors are differences of nearly equal inner products: in float32 their counts "
                    "and ratio minima depended on --block-rows")


def text(summary):
    dtypes = {f: summary["stats"][f]["dtype"] for f in summary["family"]}
    return [rho_line(summary), arithmetic_line(dtypes, {f: PAIRS_IN_FLOAT64 for f in dtypes})]


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


def pair_claims(st: dict, eps: float, k_ok: bool, label: str, family: str, key: str) -> list[Claim]:
    kw = {"family": family}
    if k_ok is None:
        promise = "not promised: this PSS is not of the form S E, so Theorem 7 (and with it Theorem 4) says nothing"
    else:
        promise = ("promised: k meets Theorem 7's sufficient k (with Part A's factor 2)" if k_ok else
                   "not promised at this k: it is below Theorem 7's sufficient k (with Part A's factor 2)")
    none = st["pairs"] == 0  # fewer than two rows with rho_i > rho: no pair to measure
    return [
        Claim("{label}: pi_ij <= eps_i eps_j + eps_i + eps_j with measured eps_i (violations among {pairs:,}; "
              "a consistency check: any is a bug)", None if none else float(st["per_row_violations"]), 0.0,
              holds=st["per_row_violations"] == 0, id=f"theorem4.{key}.per_row",
              note=f"{st['exact_pairs']:,} pairs of two exactly read rows excluded from ratios",
              values={"label": label, "pairs": st["pairs"]}, **kw),
        Claim("{label}: max pi_ij <= eps^2 + 2 eps = {theorem_bound:.4g} for the theorem's eps = {eps:g}",
              st["pi"]["max"], st["theorem_bound"], promised=bool(k_ok), id=f"theorem4.{key}.theorem",
              note=f"{promise}; {st['theorem_violations']:,} pairs exceed it",
              values={"label": label, "theorem_bound": st["theorem_bound"], "eps": eps}, **kw),
        Claim("{label}: tightness, median pi_ij / (eps_i eps_j + eps_i + eps_j)", st["ratio"]["p50"], 1.0,
              id=f"theorem4.{key}.tightness", values={"label": label},
              note=f"p99 {st['ratio']['p99']:.3g}, max {st['ratio']['max']:.3g}" if st["ratio"]["max"] is not None else "",
              **kw),
    ]


def eq25_claims(st25: dict, zero_rows: int, eps: float, rho: float, k_ok: bool, family: str) -> list[Claim]:
    viol = st25["eq25_violations"]
    return [
        Claim("Eq. 25 with measured eps_i: | ||Mhat_i|| / ||E_i|| - 1 | <= eps_i on every row (violations among "
              "{rows:,}; a consistency check: the triangle inequality)", float(viol), 0.0,
              holds=viol == 0, id="theorem4.eq25.per_row", family=family,
              note=f"{zero_rows} all-zero rows excluded", values={"rows": st25["eq25_rows"]}),
        Claim("Eq. 25: max over the {rows:,} rows with rho_i > {rho:g} of "
              "| ||Mhat_i|| / ||E_i|| - 1 | <= the theorem's eps = {eps:g}", st25["eq25_selected_max"], eps,
              promised=bool(k_ok), id="theorem4.eq25.theorem", family=family,
              values={"rows": st25["eq25_selected_rows"], "rho": rho, "eps": eps},
              note=("promised" if k_ok else "not promised at this k" if k_ok is not None else "not promised: not S E") + f"; {st25['eq25_selected_above_eps']:,} rows "
              "exceed it"),
    ]
