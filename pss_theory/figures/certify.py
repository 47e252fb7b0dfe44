"""The per-row certificates' figure: the worst measured/bound ratio per seed."""
from __future__ import annotations

import matplotlib.pyplot as plt

from .layout import finish, footer_text, save, style

#: the check whose figures these are
CHECK_NAME = "certify"


def certify_ratios(summary: dict, stem: str) -> list[str]:
    """Per family, the worst measured/bound ratio per seed (quantiles over seeds): below 1 the certificate held."""
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    names = summary["family"]  # the run's order (summary.json sorts the keys of stats)
    for x, fam in enumerate(names):
        s = summary["stats"][fam]
        q = s["max_ratio"]
        c = style(fam)["color"]
        ax.plot([x, x], [q["min"], q["max"]], color=c, lw=1)
        ax.plot([x, x], [q["p10"], q["p90"]], color=c, lw=6, solid_capstyle="butt")
        ax.plot(x, q["p50"], "wo", ms=4)
        ax.plot(x, s["ratio_quantile"], "k_", ms=14)
    ax.axhline(1.0, color="firebrick", lw=1, label="bound B_i (ratio 1)")
    ax.plot([], [], "k_", ms=14, label="1 - delta quantile over seeds")
    ax.set_xticks(range(len(names)), [f"{f}\n({summary['stats'][f]['kind']})" for f in names], fontsize=8)
    ax.set_ylabel("max over rows in scope of ||Mhat_i - E_i|| / B_i", fontsize=9)
    ax.set_title("Per-row certificates: worst ratio per seed (range, 10-90%, median)", fontsize=10)
    finish(fig, footer_text(summary, f", {summary['seeds']} seeds, delta = {summary['delta']:g}, rho = {summary['rho']:g}"),
           top=0.9)
    return save(fig, stem)


def draw(summary: dict, records: list[dict], folder: str) -> list[str]:
    """The certificates' figure in ``folder``; its paths."""
    return certify_ratios(summary, f"{folder}/certify_ratios")
