"""Theorem 7's sentences: its claims, the verdict per family, the terminal header, deciles and worst rows, the
report's conclusions."""
from __future__ import annotations

import math

from ..claims import Claim
from ..summary import per_family
from ..tables import table_label
from .arithmetic import arithmetic_line, why_float64
from .claim_tables import fmt
from .rho_scan import rho_line

#: the check whose sentences these are
CHECK_NAME = "theorem7"


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
    stats = summary["stats"]
    lines = [rho_line(summary), arithmetic_line({f: stats[f]["dtype"] for f in summary["family"]},
                                                {f: why_float64(stats[f]["condition"]) for f in summary["family"]})]
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
    out.append(Claim("Part B (Eq. 16-18): eta_i <= ||c_i|| on every row (violations among {rows:,}; a consistency "
                     "check: it holds because ||R|| = sigma)", None if violations is None else float(violations),
                     0.0, holds=violations == 0, id="theorem7.partB", values={"rows": n}, **kw))
    out.append(Claim("Part A, case 2 (JLT on {{e_i}}): max_i | ||S e_i||^2 - 1 | <= eps_JLT(k)",
                     st.get("column_norm_deviation_max"), g, id="theorem7.case2.norms", **kw))
    out.append(Claim("Part A, case 2 (JLT on {{e_i}}): max |<S e_i, S e_j>| over {pairs:,} "
                     "sampled pairs <= eps_JLT(k)", st.get("column_inner_max"), g, id="theorem7.case2.pairs",
                     values={"pairs": st.get("column_inner_pairs", 0)}, **kw))
    req, req_proof = th.get("theorem7_k"), th.get("theorem7_k_proof")
    promised = req_proof is not None and k >= req_proof
    for cid, bound, how in (("theorem7.k.stated", req, "as stated"), ("theorem7.k.proof", req_proof,
                                                                      "with Part A's factor 2")):
        note = "a union-bound calculator's sufficient k, not a lower bound"
        if bound is None:
            note = "no sketch size: this PSS is not of the form S E"
        elif bound > n:
            note += f"; it exceeds n = {n:,}: the calculator certifies no compression here"
        out.append(Claim("k >= the calculator's sufficient k for Micro(eps = {eps:g}, delta = {delta:g}, "
                         "rho = {rho:g}) ({how})", float(k) if bound is not None else None, bound, relation=">=",
                         promised=bound is not None and k >= bound, id=cid, note=note,
                         values={"eps": eps, "delta": delta, "rho": rho, "how": how}, **kw))
    if not sel["selected_fraction"]:
        note = f"no row has rho_i > {rho:g} (the largest rho_i is {st['rho_i']['max']:.3g}): lower --rho"
    elif req is None:
        note = "this PSS is not of the form S E: Theorem 7 promises nothing for it; measured for comparison"
    elif promised:
        note = "promised for all of them (w.p. 1 - delta): k meets the sufficient k with Part A's factor 2"
    else:
        note = "not promised at this k: k is below the calculator's sufficient k with Part A's factor 2"
    out.append(Claim("statement: rows with rho_i > {rho:g} ({selected_fraction:.3%} of rows) that have "
                     "eps_i <= {eps:g}", sel["selected_within_eps"], 1.0, relation=">=", promised=promised,
                     id="theorem7.statement", note=note,
                     values={"rho": rho, "selected_fraction": sel["selected_fraction"], "eps": eps}, **kw))
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
        out.append(Claim("per-row guarantee at this k: eps_i <= " + how.split(",")[0] + " / rho_i, i.e. max_i eta_i <= "
                         + how, sel["eta_max"], bound, vacuous_at=1.0, id=cid, note=note, **kw))
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
    return [Claim("beyond the paper: per-row {kind}, eps_i <= eps_cert_i on all {rows:,} rows with rho_i > "
                  "{rho:g} (w.p. >= 1 - delta; max eps_i / eps_cert_i shown)", cert["ratio_max"], 1.0,
                  promised=kind == "certificate", id="theorem7.certificate", family=family,
                  values={"kind": kind, "rows": cert["m"], "rho": o.rho},
                  note=f"eps_cert_i from {cert['eps_cert']['min']:.3g} to {cert['eps_cert']['max']:.3g} (median "
                       f"{cert['eps_cert']['p50']:.3g}); {cert['below_one']:.1%} of these rows certified below 1; "
                       f"Theorem 7's bound on the same rows at this k (2 eps_JLT / rho): {t7}")]
