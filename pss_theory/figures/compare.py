"""The compare check's figure: median eps_i and the macro distortion against compression, one line per method."""
from __future__ import annotations

import matplotlib.pyplot as plt

from .layout import MARKERS, finish, footer_text, save

#: the check whose figures these are
CHECK_NAME = "compare"

PAPER_COMPRESSION = 10_000  # the paper's Criteo-TB model


def distortion(summary: dict, stem: str) -> list[str]:
    """Two panels over the compression each method reached (log axes): the median eps_i over all rows, and
    eps_macro = max |sqrt(lambda) - 1| of (Mhat^T Mhat, E^T E); the paper's 10000x marked."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    notes = []
    for i, method in enumerate(summary["method"]):
        cells = [c for c in summary["cells"] if c["method"] == method and c["reached"]]
        style = {"color": f"C{i % 10}", "marker": MARKERS[i % len(MARKERS)], "ms": 4, "lw": 1.2, "label": method}
        x = [c["compression_reached"] for c in cells]
        axes[0].plot(x, [c["eps_i"]["p50"] for c in cells], **style)
        axes[1].plot(x, [c["eps_macro"] for c in cells], **style)
    for ax, label in zip(axes, ("median eps_i = ||Mhat_i - E_i|| / ||E_i||", "eps_macro (generalized eigenvalues)")):
        ax.axvline(PAPER_COMPRESSION, color="0.5", ls=":", lw=1)
        ax.text(PAPER_COMPRESSION, 1.0, " paper: 10000x", transform=ax.get_xaxis_transform(), fontsize=7,
                color="0.4", va="top")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("compression 4 n d / bytes (reached)")
        ax.set_ylabel(label, fontsize=9)
    for comp in summary["compression"]:
        missing = [c["method"] for c in summary["cells"] if c["compression"] == comp and not c["reached"]]
        if missing:
            notes.append(f"n/a at {comp:g}x (the budget is not met): {', '.join(missing)}")
    fig.suptitle("PSS methods at equal memory", fontsize=11)
    finish(fig, footer_text(summary), notes, wspace=0.3)
    return save(fig, stem)


def draw(summary: dict, records: list[dict], folder: str) -> list[str]:
    """The comparison's figure in ``folder``; its paths."""
    return distortion(summary, f"{folder}/compare_distortion")
