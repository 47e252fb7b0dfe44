"""What every figure shares: family styles, the footer and notes, decimal log ticks, the compression
axis, the legend beside the axes, and atomic saving."""
from __future__ import annotations

import io
import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.transforms import ScaledTranslation

from .. import families
from ..records import write_atomic
from ..tables import table_label

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_HEIGHT = 0.16  # inches per line of notes or footer (7-8 pt text)
NOTE = {"fontsize": 8, "color": "firebrick"}
FOOTER = {"fontsize": 7, "color": "0.35"}


def style(family: str) -> dict:
    """Colour and marker of a family, both by its place in the registry: matplotlib's colour cycle C0, C1, ...
    and a marker of its own, so overlapping lines of several families stay apart even where their colours
    are close."""
    names = list(families.ALL)
    place = names.index(family) if family in names else len(names)
    return {"color": f"C{place % 10}", "marker": MARKERS[place % len(MARKERS)] if family in names else "o"}


def dodge(xs, i: int, count: int, step: float = 0.025):
    """``xs`` shifted by a small factor for the i-th of ``count`` series on a log axis, so that points and
    error bars at the same x stay visible side by side."""
    return np.asarray(xs, dtype=float) * (1 + step * (i - (count - 1) / 2))


def footer_text(summary: dict, extra: str = "") -> str:
    fam = summary.get("family")
    fam = ", ".join(fam) if isinstance(fam, list) else fam
    k = summary.get("k")
    ktext = "" if k is None or k == [] else f"k = {k[0]}..{k[-1]}, " if isinstance(k, list) else f"k = {k}, "
    n = summary.get("n")
    ntext = f"{n[0]:,}..{n[-1]:,}" if isinstance(n, list) else f"{n:,}"
    return (f"n = {ntext}, d = {summary.get('d')}, {ktext}family {fam}, table {table_label(summary.get('table', {}))}, "
            f"seed {summary.get('seed')}{extra}")


def decimal_ticks(ax) -> None:
    """Decimal labels (0.6, 20, 1e-05) on the log axes of ``ax``; the minor ticks 2 and 5 are labelled
    too when the axis spans at most two decades (else only the decades), so labels never crowd."""
    for axis, scale, lim in ((ax.xaxis, ax.get_xscale(), ax.get_xlim()), (ax.yaxis, ax.get_yscale(), ax.get_ylim())):
        if scale not in ("log", "functionlog"):  # functionlog: a secondary axis over a log axis
            continue
        lo, hi = sorted(v for v in lim)
        span = math.log10(hi / lo) if lo > 0 else 99
        keep = (2, 3, 5) if span <= 1 else (2, 5) if span <= 2 else ()
        axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:g}"))
        axis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _pos, keep=keep: f"{v:g}" if v > 0 and round(v / 10 ** math.floor(math.log10(v) + 1e-9)) in keep
            else ""))


def compression_axis(ax, n: int) -> None:
    """Compression n / k as a second x axis on top of a k axis."""
    top = ax.secondary_xaxis("top", functions=(lambda k: n / np.maximum(k, 1e-300), lambda c: n / np.maximum(c, 1e-300)))
    top.set_xlabel("compression n / k", fontsize=8)


def finish(fig, footer: str, notes=(), handles=None, labels=None, top: float = 0.88, wspace: float | None = None,
           hspace: float | None = None) -> None:
    """Lay a figure out: margins for the notes (red) and the footer below the x labels, one line each;
    decimal ticks on every log axis (its own and any secondary one, set after a first layout, when
    the limits are known); then the legend (``handles`` and ``labels``, else those of the axes) to
    the right of everything drawn, top-aligned with the axes, where it hides nothing."""
    h = fig.get_size_inches()[1]
    bottom = (0.62 + LINE_HEIGHT * (len(notes) + 1)) / h
    fig.subplots_adjust(left=0.1, right=0.95, top=top, bottom=bottom, wspace=wspace, hspace=hspace)
    for i, text in enumerate([footer, *notes]):
        offset = ScaledTranslation(0, 0.06 + LINE_HEIGHT * i, fig.dpi_scale_trans)
        fig.text(0.01, 0, text, transform=fig.transFigure + offset, **(FOOTER if i == 0 else NOTE))
    fig.draw_without_rendering()
    for ax in fig.axes:
        for each in (ax, *ax.child_axes):
            decimal_ticks(each)
    if handles is None:
        pairs = {label: handle for ax in fig.axes for handle, label in zip(*ax.get_legend_handles_labels())}
        labels, handles = list(pairs), list(pairs.values())
    if not handles:
        return
    renderer = fig.canvas.get_renderer()
    to_figure = fig.transFigure.inverted()
    right = max(to_figure.transform(ax.get_tightbbox(renderer).p1)[0] for ax in fig.axes)
    top_of_axes = max(ax.get_position().y1 for ax in fig.axes)
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(right + 0.01, top_of_axes), fontsize=7,
               borderaxespad=0.0)


def save(fig, stem: str) -> list[str]:
    """Write stem.png and stem.svg atomically (rendered in memory, then ``write_atomic``: no temporary
    name two runs could share); return their paths.  The saved area is the drawn one (``tight``), so
    a legend beside the axes is never cut off."""
    paths = []
    for ext in ("png", "svg"):
        path = f"{stem}.{ext}"
        buf = io.BytesIO()
        # no date and fixed element ids: a rerun with the same records writes the same bytes
        fig.savefig(buf, format=ext, dpi=130, bbox_inches="tight", pad_inches=0.1,
                    metadata={"Date": None} if ext == "svg" else None)
        write_atomic(path, buf.getvalue())
        paths.append(path)
    plt.close(fig)
    return paths


def _finite(values) -> np.ndarray:
    return np.array([np.nan if v is None or not math.isfinite(v) else v for v in values], dtype=float)


def _hist_edges(h: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(h["edges"], dtype=float), np.asarray(h["counts"], dtype=float)
