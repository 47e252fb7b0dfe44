"""Theorem 6's sentences: its claims (statements, bounds and how each is judged), the verdict per family, the
terminal header and lines, the report's conclusions."""
from __future__ import annotations

import math

import numpy as np

from ..claims import Claim, literal, rate_claim
from ..tables import table_label
from .arithmetic import arithmetic_line, why_float64
from .claim_tables import comparison_text

#: the check whose sentences these are
CHECK_NAME = "theorem6"


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


def arithmetic(summary) -> str:
    """The precision of each family's products over its trials (float64 where any trial needed it)."""
    st = summary["stats"]
    dtypes, reasons = {}, {}
    for f in summary["family"]:
        cells = [(t, c) for g, t, c in zip(st["family"], st["dtype"], st["condition"]) if g == f]
        dtypes[f] = "float64" if any(t == "float64" for t, _ in cells) else cells[0][0]
        reasons[f] = why_float64(max(math.inf if c is None else c for _, c in cells))
    return arithmetic_line(dtypes, reasons)


def text(summary):
    several = len(summary["k"]) > 1
    return [arithmetic(summary)] + ([f"claims at every k (those above are at k = {summary['k'][-1]:,}):\n"
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


def per_trial_claim(family: str, cid: str, what: str, values: np.ndarray, bound: float, delta: float) -> Claim:
    """A bound that holds for each draw of S with probability 1 - delta, judged on T trials: the number of
    trials above it against delta (95% Clopper-Pearson), not the max over trials against the bound (the
    max of 8 trials exceeds a tight level-delta bound with probability 1 - (1 - delta)^8).  A bound of
    1 or more certifies nothing (no distortion below 1): vacuous."""
    t = len(values)
    if not math.isfinite(bound) or bound >= 1.0:
        return Claim("{family}: " + literal(what) + ", max over {trials} trials (a bound >= 1 certifies nothing)",
                     float(values.max()), bound, vacuous_at=1.0, id=cid, family=family,
                     values={"family": family, "trials": t})
    above = int((values > bound).sum())
    return rate_claim("{family}: " + literal(what) + " = {level:.4g}: trials above it", above, t, delta, id=cid,
                      family=family, note=f"max over trials {values.max():.4g}", values={"family": family, "level": bound})


def claims_at(family: str, records: list[dict], th: dict, k: int, eps: float, delta: float) -> list[Claim]:
    """Claims for one family at one k from its trial records."""
    norm = np.array([r["eps_macro_norm"] for r in records])
    inner = np.array([r["eps_macro_inner"] for r in records])
    convention = "" if th["constants_proven"] else " (with this project's convention constants: not a certificate)"
    out = [
        per_trial_claim(family, "theorem6.norm.stated", f"eps_macro norm form (Eq. 4) <= Theorem 6's eps as stated "
                        f"(eps_JLT for f = 9^d){convention}", norm, th["theorem6_eps"], delta),
        per_trial_claim(family, "theorem6.norm.proof", "eps_macro norm form (Eq. 4) <= what the net argument "
                        f"supports, 1 - sqrt(1 - 4 eps_JLT){convention}", norm, th["theorem6_eps_norm_proof"], delta),
        per_trial_claim(family, "theorem6.inner.proof", "eps_macro inner-product form (Eq. 5) <= 4 eps_JLT, what the "
                        f"net argument supports{convention}", inner, th["theorem6_eps_inner"], delta),
    ]
    for cid, key, how in (("theorem6.k.stated", "theorem6_k", "as stated"),
                          ("theorem6.k.proof", "theorem6_k_proof", "as the proof supports")):
        req = th[key]
        note = ("a union-bound calculator's sufficient k, not a lower bound"
                + (f"; it exceeds n = {records[0]['n']:,}: the calculator certifies no compression"
                   if req > records[0]["n"] else ""))
        log10 = th["theorem6_log10_k" if key == "theorem6_k" else "theorem6_log10_k_proof"]
        out.append(Claim("{family}: k >= the calculator's sufficient k for eps = {eps:g}, delta = {delta:g} ({how}: "
                         "10^{log10_k:.1f})", float(k), req, relation=">=", promised=k >= req, id=cid, family=family,
                         note=note, values={"family": family, "eps": eps, "delta": delta, "how": how, "log10_k": log10}))
    if th.get("prediction") is not None:
        out.append(Claim("{family}: eps_macro norm form, median ~ {prediction} (a prediction, within 10%)",
                         float(np.median(norm)), th["prediction"], relation="~", id="theorem6.norm.mp", family=family,
                         values={"family": family, "prediction": th["prediction_name"]}))
    if th.get("prediction_delta") is not None:
        out.append(per_trial_claim(family, "theorem6.norm.davidson_szarek", "eps_macro norm form <= Davidson-Szarek "
                                   "bound at delta (Gaussian S)", norm, th["prediction_delta"], delta))
    if th.get("prediction_inner") is not None:
        out.append(per_trial_claim(family, "theorem6.inner.subspace", f"eps_macro inner-product form <= "
                                   f"{th['prediction_name']}", inner, th["prediction_inner"], delta))
    out.append(rate_claim("{family}: failure rate P(eps_macro > {eps:g}), trials above eps", int((norm > eps).sum()),
                          len(records), delta, promised=k >= th["theorem6_k_proof"], id="theorem6.failure_rate",
                          family=family, note=("promised only when k meets the proof's sufficient k"
                                               if k < th["theorem6_k_proof"] else ""),
                          values={"family": family, "eps": eps}))
    return out
