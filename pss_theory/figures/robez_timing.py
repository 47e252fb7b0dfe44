"""The E.1 timing study's figures (records of verify.robez_timing), the paper's numbers beside ours."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from ..e1 import paper
from ..records import unflatten
from .layout import finish, save

#: the check whose figures these are
CHECK_NAME = "robez_timing"


def _timing_series(records: list[dict], select, xkey: str, pass_: str):
    """{x: (p25, p50, p75)} of ``pass_`` over the records that ``select`` accepts, sorted by x."""
    pts = {}
    for r in records:
        if r.get(f"{pass_}_ms") and select(r):
            q = r[f"{pass_}_ms"]
            pts[r[xkey]] = (q["p25"], q["p50"], q["p75"])
    xs = sorted(pts)
    return xs, np.array([pts[x] for x in xs]).reshape(-1, 3)


def _timing_axes(title: str):
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.6), sharex=True)
    fig.suptitle(title, fontsize=11)
    return fig, axes


def _timing_footer(summary: dict) -> str:
    g = summary.get("grid", {})
    env = summary.get("environment", {})
    return (f"{env.get('device', summary.get('backend'))}; batch {g.get('batch')}, d {g.get('d')}; "
            f"n = paper's n / {g.get('scale')}; median of up to {g.get('repeats')} iterations, bars p25-p75; "
            f"seed {summary.get('seed')}")


def _errbar(ax, xs, q, **kw):
    if not len(xs):
        return
    ax.errorbar(xs, q[:, 1], yerr=[q[:, 1] - q[:, 0], q[:, 2] - q[:, 1]], capsize=2, ms=4, **kw)


PANELS = [(i, j, pass_, mode) for i, pass_ in enumerate(("forward", "backward"))
          for j, mode in enumerate(("dense", "sparse"))]


#: the paper's numbers: hollow markers on dotted lines, in the colour of our series they stand beside
PAPER_STYLE = {"mfc": "white", "ls": ":", "lw": 1.2, "ms": 5}


def _compression_colors(comps) -> dict:
    cmap = plt.get_cmap("viridis")
    return {c: cmap(0.9 * i / max(1, len(comps) - 1)) for i, c in enumerate(comps)}


def _robez_lines(ax, records, comps, pass_, mode, x: str, fixed: dict) -> None:
    """One line per compression: ROBE-Z time against ``x`` with the ``fixed`` fields held."""
    colors = _compression_colors(comps)
    for c in comps:
        match = {"kind": "robez", "mode": mode, "compression": c, **fixed}
        xs, q = _timing_series(records, lambda r, match=match: all(r[k] == v for k, v in match.items()), x, pass_)
        _errbar(ax, xs, q, fmt="o-", color=colors[c], label=f"ROBE-Z {c:g}x")


def _paper_line(ax, xs, values, **kw) -> None:
    """The paper's numbers at our x positions (None where its table has no entry)."""
    pts = [(x, v) for x, v in zip(xs, values) if v is not None]
    if pts:
        ax.plot(*zip(*pts), **PAPER_STYLE, **kw)


def _finish_timing(fig, axes, summary: dict, stem: str, xlabel: str, paper_label: str, notes=()) -> list[str]:
    """Scales, titles, grids and labels shared by the E.1 figures, one legend beside the panels (ours,
    then the paper's style), then save."""
    for i, j, pass_, mode in PANELS:
        ax = axes[i, j]
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{pass_}, {mode} gradients", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        if i == 1:
            ax.set_xlabel(xlabel)
        if j == 0:
            ax.set_ylabel("ms per iteration (median)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles += [Line2D([], [], color="0.3", marker="o", ls="-"), Line2D([], [], color="0.3", marker="o", **PAPER_STYLE)]
    labels += ["ours: filled markers, solid", paper_label]
    finish(fig, _timing_footer(summary), notes, handles, labels, top=0.9, wspace=0.25, hspace=0.3)
    return save(fig, stem)


def robez_timing_vs_n(summary: dict, records: list[dict], stem: str) -> list[str]:
    """Forward and backward time against n, dense and sparse gradients: the plain table and ROBE-Z per
    compression at the fixed Z (Tables 5-9), with the paper's numbers at the n they stand for."""
    g = summary["grid"]
    z = g["z_fixed"]
    to_paper = dict(zip(g["n"], g["paper_n"]))
    views = paper.views_from_paper()
    colors = _compression_colors(g["compressions"])
    fig, axes = _timing_axes(f"E.1: time per iteration against n (ROBE-Z at Z = {z}; plain table in black)")
    for i, j, pass_, mode in PANELS:
        ax = axes[i, j]
        xs, q = _timing_series(records, lambda r, m=mode: r["kind"] == "plain" and r["mode"] == m, "n", pass_)
        _errbar(ax, xs, q, fmt="s--", color="k", label="plain n x d table")
        _robez_lines(ax, records, g["compressions"], pass_, mode, "n", {"Z": z})
        ns = [n for n in g["n"] if n in to_paper]
        _paper_line(ax, ns, [views["plain"][(pass_, mode)].get(to_paper[n]) for n in ns], color="k", marker="s")
        if z == paper.FIXED_Z:
            for c in g["compressions"]:
                _paper_line(ax, ns, [views["n_compression"][(pass_, mode)].get((to_paper[n], c)) for n in ns],
                            color=colors[c], marker="o")
    notes = [] if z == paper.FIXED_Z else [f"the paper's ROBE-Z times against n are at Z = {paper.FIXED_Z}, not "
                                           f"{z}: only its plain table is drawn"]
    return _finish_timing(fig, axes, summary, stem, "rows n (ours; the paper's n is this times "
                          f"{g['scale']})", "paper, Tables 5-9: hollow, dotted", notes)


def robez_timing_vs_z(summary: dict, records: list[dict], stem: str) -> list[str]:
    """Forward and backward time against the chunk size Z per compression at the fixed n (Tables 14-17),
    with the plain table's time at that n as a horizontal line, and the paper's numbers (its n = 64M)."""
    g = summary["grid"]
    n = g["n_fixed"]
    views = paper.views_from_paper()
    colors = _compression_colors(g["compressions"])
    fig, axes = _timing_axes(f"E.1: time per iteration against chunk size Z at n = {n:,} (plain table: black)")
    for i, j, pass_, mode in PANELS:
        ax = axes[i, j]
        _robez_lines(ax, records, g["compressions"], pass_, mode, "Z", {"n": n})
        plain = [r[f"{pass_}_ms"]["p50"] for r in records
                 if r["kind"] == "plain" and r["mode"] == mode and r["n"] == n and r.get(f"{pass_}_ms")]
        if plain:
            ax.axhline(plain[0], color="k", ls="--", lw=1.2, label="plain table")
        for c in g["compressions"]:
            _paper_line(ax, g["Zs"], [views["Z_compression"][(pass_, mode)].get((zz, c)) for zz in g["Zs"]],
                        color=colors[c], marker="o")
        paper_plain = views["plain"][(pass_, mode)].get(paper.FIXED_N_PAPER)
        if paper_plain is not None:
            ax.axhline(paper_plain, color="k", **{k: v for k, v in PAPER_STYLE.items() if k in ("ls", "lw")})
    return _finish_timing(fig, axes, summary, stem, "chunk size Z",
                          f"paper, Tables 14-17 (its n = {paper.FIXED_N_PAPER >> 20}M): hollow, dotted")


def draw(summary: dict, records: list[dict], folder: str) -> list[str]:
    """The timing study's two figures in ``folder``, from the records that were timed; their paths."""
    timed = [r for r in map(unflatten, records) if r.get("forward_ms") is not None]
    return (robez_timing_vs_n(summary, timed, f"{folder}/robez_timing_vs_n")
            + robez_timing_vs_z(summary, timed, f"{folder}/robez_timing_vs_z"))
