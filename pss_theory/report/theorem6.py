"""Theorem 6's sentences: the verdict per family, the terminal header and lines, the report's conclusions."""
from __future__ import annotations

import math

from ..tables import table_label
from .claim_tables import comparison_text


def verdict(family: str, records: list[dict], th: dict, k: int, eps: float, delta: float) -> str:
    """One plain sentence on what the measurements say about Theorem 6 for this family."""
    worst = max(r["eps_macro_norm"] for r in records)
    parts = [f"{family}: at k = {k} the worst distortion over {len(records)} trials is {worst:.3g}"]
    if th.get("prediction") is not None:
        parts.append(f"(Marchenko-Pastur predicts {th['prediction']:.3g})")
    gives = "certifies" if th["constants_proven"] else "gives, with this project's convention constants (no certificate),"
    stated, proved = th["theorem6_eps"], th["theorem6_eps_norm_proof"]
    if math.isinf(stated) or stated >= 1:
        parts.append(f"; Theorem 6 {gives} no eps < 1 at this k, as stated or as proved (the calculator's sufficient "
                     f"k for eps = {eps:g} is 10^{th['theorem6_log10_k']:.1f} as stated, "
                     f"10^{th['theorem6_log10_k_proof']:.1f} as proved), so the sketch does far better than the theorem "
                     "can promise")
    elif math.isinf(proved):
        parts.append(f"; Theorem 6 as stated {gives} eps = {stated:.3g} here, but the net argument its proof cites "
                     "supports no eps < 1 at this k (1 - sqrt(1 - 4 eps_JLT) needs eps_JLT < 1/4)")
    else:
        parts.append(f"; the proof of Theorem 6 {gives} eps = {proved:.3g} here ({proved / worst:.1f}x the worst "
                     f"measured; {stated:.3g} as stated)")
    if th["theorem6_k_proof"] > records[0]["n"]:
        parts.append(f"; for eps = {eps:g} the calculator's sufficient k exceeds n = {records[0]['n']:,}, so it "
                     "certifies no compression")
    return " ".join(parts).replace(" ;", ";") + "."


def header(summary):
    return (f"Theorem 6 (Macro PSS) on table {table_label(summary['table'])}, n = {summary['n']:,}, d = {summary['d']}, "
            f"{summary['trials']} trial(s) per cell, backend {summary['environment']['device']}")


def text(summary):
    several = len(summary["k"]) > 1
    return ([f"claims at every k (those above are at k = {summary['k'][-1]:,}):\n"
             + comparison_text(summary["per_k"])] if several else []) + [f"fit {fam}: eps_macro ~ C (d/k)^a with a = {fit['a']:.3f} [{fit['a_lo']:.3f}, {fit['a_hi']:.3f}], "
            f"C = {fit['C']:.3f} [{fit['C_lo']:.3f}, {fit['C_hi']:.3f}] (theory: a = 1/2)"
            for fam, fit in (summary.get("fit") or {}).items() if fit["a"] is not None]


def conclusions(summary):
    lines = ["**Theorem 6.** " + " ".join(summary["verdict"])]
    for fam, fit in (summary.get("fit") or {}).items():
        if fit.get("a") is not None:
            lines.append(f"- {fam}: eps_macro ~ C (d/k)^a with a = {fit['a']:.3f} (95% CI {fit['a_lo']:.3f} to "
                         f"{fit['a_hi']:.3f}), C = {fit['C']:.3f} ({fit['C_lo']:.3f} to {fit['C_hi']:.3f}); the "
                         "Marchenko-Pastur law for Gaussian S is a = 1/2, C = 1.")
    return lines

