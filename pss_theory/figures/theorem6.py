"""Theorem 6's figures: eps_macro against k, and the failure rate against k."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .layout import _finite, compression_axis, dodge, finish, footer_text, save, style

#: the check whose figures these are
CHECK_NAME = "theorem6"


def theorem6_eps_vs_k(summary: dict, records: list[dict], stem: str) -> list[str]:
    """eps_macro against k per family: median and range over trials, the Theorem 6 bound, Marchenko-Pastur."""
    fig, ax = plt.subplots(figsize=(9, 5))
    vacuous, curves = [], summary["curves"]
    predicted = False
    for i, (fam, curve) in enumerate(curves.items()):
        ks = curve["k"]
        vals = [[r["eps_macro_norm"] for r in records if r["family"] == fam and r["k"] == k] for k in ks]
        med = np.array([np.median(v) for v in vals])
        lo = med - np.array([min(v) for v in vals])
        hi = np.array([max(v) for v in vals]) - med
        st = style(fam)
        ax.errorbar(dodge(ks, i, len(curves)), med, yerr=[lo, hi], fmt="-", ms=5, capsize=3, lw=1.3, zorder=3 + i,
                    mfc="white" if i % 2 else st["color"], label=f"{fam}: measured (median, range)", **st)
        th = _finite(curve["theorem6_eps"])
        if np.isfinite(th).any():
            # markers too: a bound that is finite at one k only is one point, which a bare line would not show
            ax.plot(ks, th, "--", color=st["color"], lw=1.3, marker="_", ms=12, mew=2,
                    label=f"{fam}: Theorem 6 eps as stated")
        else:
            vacuous.append(fam)
        if curve.get("prediction") and curve["prediction"][0] is not None:
            ax.plot(ks, curve["prediction"], ":", color="k", lw=1.5, zorder=2,
                    label=None if predicted else "Marchenko-Pastur sqrt(d/k)")
            predicted = True
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sketch size k (rows of S)")
    ax.set_ylabel("eps_macro = max_x | ||SEx|| / ||Ex|| - 1 |")
    ax.set_title("Theorem 6: worst-case distortion over all x, measured exactly", fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    compression_axis(ax, summary["n"])
    notes = [f"Theorem 6 bound vacuous (no eps < 1) at every k shown for: {', '.join(vacuous)}"] if vacuous else []
    finish(fig, footer_text(summary, f", {summary.get('trials')} trials per point"), notes)
    return save(fig, stem)


def failure_rate_vs_k(summary: dict, stem: str) -> list[str]:
    """Empirical P(eps_macro > eps) against k with Clopper-Pearson 95% bands and the delta line."""
    fig, ax = plt.subplots(figsize=(9, 5))
    rates = summary["failure_rate"]
    kmin = min(min(fr["k"]) for fr in rates.values())
    kmax = max(max(fr["k"]) for fr in rates.values())
    right, off_chart = kmax * 1.5, []
    for i, (fam, fr) in enumerate(rates.items()):
        st = style(fam)
        ax.plot(dodge(fr["k"], i, len(rates)), fr["rate"], "-", ms=5, lw=1.3, zorder=3 + i,
                mfc="white" if i % 2 else st["color"], label=f"{fam}: measured", **st)
        ax.fill_between(fr["k"], fr["lo"], fr["hi"], color=st["color"], alpha=0.12, lw=0,
                        label=f"{fam}: 95% Clopper-Pearson")
        req = fr.get("k_required")
        if req is not None and math.isfinite(req) and req <= 100 * kmax:
            ax.axvline(req, color=st["color"], ls="--", lw=1.2, label=f"{fam}: sufficient k (calculator, as proved)")
            right = max(right, req * 1.5)
        else:
            off_chart.append(f"{fam}: 10^{math.log10(req):.1f}" if req is not None and math.isfinite(req) else f"{fam}: inf")
    ax.set_xlim(kmin / 1.5, right)
    ax.axhline(summary["delta"], color="k", ls=":", label=f"delta = {summary['delta']:g}")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("sketch size k")
    ax.set_ylabel(f"P(eps_macro > {summary['eps']:g})  (fraction of trials)")
    ax.set_title("Theorem 6: how often a draw of S misses eps", fontsize=11)
    ax.grid(True, alpha=0.3)
    compression_axis(ax, summary["n"])
    notes = ["the calculator's sufficient k (as proved), off the chart: " + "; ".join(off_chart)] if off_chart else []
    finish(fig, footer_text(summary, f", {summary.get('trials')} trials per point"), notes)
    return save(fig, stem)


def draw(summary: dict, records: list[dict], folder: str) -> list[str]:
    """Theorem 6's figures in ``folder`` when the run has curves over k (a sweep), else none; their paths."""
    if not summary.get("curves"):
        return []
    return (theorem6_eps_vs_k(summary, records, f"{folder}/theorem6_eps_vs_k")
            + failure_rate_vs_k(summary, f"{folder}/theorem6_failure_rate"))
