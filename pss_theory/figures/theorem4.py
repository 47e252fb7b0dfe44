"""Theorem 4's figure: the sampled and top pairs against their bounds."""
from __future__ import annotations

import matplotlib.pyplot as plt

from ..summary import per_family
from .layout import _hist_edges, finish, footer_text, save

#: the check whose figures these are
CHECK_NAME = "theorem4"


def theorem4_pairs(summary: dict, stem: str) -> list[str]:
    """pi_ij of the sampled pairs against the theorem's eps^2 + 2 eps, pi_ij / (per-row bound), and
    | ||Mhat_i|| / ||E_i|| - 1 | / eps_i for every row (Eq. 25)."""
    hists, eps = summary["histograms"], summary["eps"]
    panels = [("pi", "Theorem 4: pair error pi_ij", "pi_ij = |<Mhat_i, Mhat_j> - <E_i, E_j>| / (||E_i|| ||E_j||)",
               eps**2 + 2 * eps, f"eps^2 + 2 eps = {eps**2 + 2 * eps:g} (eps = {eps:g})"),
              ("pair_ratio", "pair error / per-row bound", "pi_ij / (eps_i eps_j + eps_i + eps_j)", 1.0,
               "per-row bound (ratio 1)"),
              ("eq25_ratio", "Eq. 25: norm error / eps_i, all rows", "| ||Mhat_i|| / ||E_i|| - 1 | / eps_i", 1.0,
               "Eq. 25 bound (ratio 1)")]
    panels = [p for p in panels if hists.get(p[0]) is not None]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 1.6, 4.4), squeeze=False)
    for ax, (name, title, xlabel, bound, label) in zip(axes[0], panels):
        edges, counts = _hist_edges(hists[name])
        ax.stairs(counts, edges, color="C0", lw=1.5, label="measured (count per bin)")
        ax.axvline(bound, color="firebrick", ls="--", lw=1.4, label=label)
        ax.set_xlim(min(edges[0], bound / 2), max(edges[-1], bound * 2))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_title(title, fontsize=10)
    axes[0][0].set_ylabel("count per bin")
    finish(fig, footer_text(summary, f", {summary['stats'].get('pairs', 0):,} pairs"), wspace=0.35)
    return save(fig, stem)


def draw(summary: dict, records: list[dict], folder: str) -> list[str]:
    """Theorem 4's figure for each family in ``folder`` (named by family when there are several); paths."""
    out = []
    for family in summary["family"]:
        tag = "" if len(summary["family"]) == 1 else f"_{family}"
        out += theorem4_pairs(per_family(summary, family), f"{folder}/theorem4_pairs{tag}")
    return out
