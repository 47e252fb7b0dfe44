"""Figures drawn from records and summaries only: nothing here measures or bounds anything.

Every figure is laid out the same way: legends outside the axes, to their right, so that they hide
no data, no bound and no note; notes (a vacuous bound, a value off the chart) in red and the footer
(sizes, family, the table's name, seed) below the axes; log axes with decimal tick labels (0.6, not
6 x 10^-1); several families told apart by marker and a small horizontal offset as well as colour;
compression n / k as a second axis over every k axis.  The E.1 figures draw the paper's own numbers
(``e1.paper``, its Tables 5-17) beside ours.
"""
from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "pss-theory"
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import ScaledTranslation  # noqa: E402

from . import families  # noqa: E402
from .e1 import paper  # noqa: E402
from .records import write_atomic  # noqa: E402
from .tables import table_label  # noqa: E402

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_HEIGHT = 0.16  # inches per line of notes or footer (7-8 pt text)
NOTE = {"fontsize": 8, "color": "firebrick"}
FOOTER = {"fontsize": 7, "color": "0.35"}


def style(family: str) -> dict:
    """Colour and marker of a family (marker by its place in the registry, so overlapping lines of
    several families stay apart even where their colours are close)."""
    names = list(families.ALL)
    marker = MARKERS[names.index(family) % len(MARKERS)] if family in names else "o"
    return {"color": families.get(family).color, "marker": marker}


def dodge(xs, i: int, count: int, step: float = 0.025):
    """``xs`` shifted by a small factor for the i-th of ``count`` series on a log axis, so that points and
    error bars at the same x stay visible side by side."""
    return np.asarray(xs, dtype=float) * (1 + step * (i - (count - 1) / 2))


def footer_text(summary: dict, extra: str = "") -> str:
    fam = summary.get("family")
    fam = ", ".join(fam) if isinstance(fam, list) else fam
    k = summary.get("k")
    ktext = "" if k is None else f"k = {k[0]}..{k[-1]}, " if isinstance(k, list) else f"k = {k}, "
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


def _hist_edges(h: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(h["edges"], dtype=float), np.asarray(h["counts"], dtype=float)


def theorem7_eps_vs_rho(summary: dict, stem: str) -> list[str]:
    """Density of (rho_i, eps_i) over all rows, with the guarantee eps_JLT(k) / rho_i, sqrt(srank/k) / rho_i,
    and the theorem's thresholds: Micro(eps, delta, rho) promises eps_i <= eps on the rows with rho_i >= rho."""
    h = summary["histograms"]["eps_vs_rho"]
    xe, ye = np.asarray(h["x_edges"]), np.asarray(h["y_edges"])
    counts = np.asarray(h["counts"], dtype=float)
    fig, ax = plt.subplots(figsize=(9, 5.2))
    masked = np.ma.masked_where(counts.T == 0, counts.T)
    mesh = ax.pcolormesh(xe, ye, masked, norm=matplotlib.colors.LogNorm(), cmap="viridis", shading="flat")
    fig.colorbar(mesh, ax=ax, label="rows per bin", pad=0.02)
    eps, rho = summary["eps"], summary["rho"]
    x_hi = max(xe[-1], rho * 1.5)
    x = np.geomspace(xe[0], x_hi, 200)
    s, notes = summary["stats"], []
    if s.get("eta_pred"):  # a sketch of size k; ROBE-Z has no k
        ax.plot(x, s["eta_pred"] / x, "--", color="darkorange", lw=1.6, label="empirical law sqrt(srank/k) / rho_i")
    g = summary["theory"].get("eps_jlt")
    if g is not None and math.isfinite(g):
        ax.plot(x, g / x, "r-", lw=1.6, label="guarantee eps_JLT(k) / rho_i (Theorem 7 as stated)")
    else:
        notes.append("Theorem 7 guarantee vacuous at this k (eps_JLT >= 1 for f = 9^d + n): no guarantee line")
    ax.axhline(eps, color="white", ls="-", lw=2.6, zorder=4)
    ax.axhline(eps, color="crimson", ls=":", lw=1.6, zorder=5, label=f"the theorem's eps = {eps:g}")
    ax.axvline(rho, color="white", ls="-", lw=2.6, zorder=4)
    ax.axvline(rho, color="k", ls="-.", lw=1.4, zorder=5,
               label=f"the theorem's rho = {rho:g}: rows right of it are promised eps_i <= eps")
    if rho > xe[-1]:
        notes.append(f"no row has rho_i >= rho = {rho:g} (largest rho_i {xe[-1]:.3g}): the theorem promises nothing here")
    curve = (summary.get("certificate") or {}).get("curve")
    if curve:
        ax.plot(curve["rho"], curve["eps_cert"], "m-", lw=1.6, zorder=6,
                label=f"per-row {summary['certificate']['kind']} eps_cert_i (rows with rho_i > {rho:g})")
    ax.set_xlim(xe[0], x_hi)
    ax.set_ylim(min(ye[0], eps / 1.5), max(ye[-1], eps * 1.5))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rho_i = ||E_i|| / sigma_max(E)")
    ax.set_ylabel("eps_i = ||Mhat_i - E_i|| / ||E_i||")
    ax.set_title("Theorem 7: per-row error against rho_i, all rows", fontsize=11)
    finish(fig, footer_text(summary), notes)
    return save(fig, stem)


def theorem7_proof_steps(summary: dict, stem: str) -> list[str]:
    """Distributions of eta_i and ||c_i|| over all rows against 2 eps_JLT(k) (Part A)."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for name, label, c in (("eta", "eta_i = ||Mhat_i - E_i|| / sigma", "C0"), ("c", "||c_i|| (proof's cross term)", "C3")):
        h = summary["histograms"].get(name)
        if h is None:
            continue
        edges, counts = _hist_edges(h)
        ax.stairs(counts, edges, color=c, label=label, lw=1.5)
    notes = []
    g = summary["theory"].get("eps_jlt")
    if g is not None and math.isfinite(g):
        ax.axvline(g, color="k", ls=":", label="eps_JLT(k), f = 9^d + n (statement)")
        ax.axvline(2 * g, color="k", ls="--", label="2 eps_JLT(k) (what Part A proves)")
    else:
        notes.append("eps_JLT(k) >= 1 at this k: Part A's bound is vacuous (no line drawn)")
    if summary["stats"].get("eta_pred"):
        ax.axvline(summary["stats"]["eta_pred"], color="C2", ls="-.", label="sqrt(srank / k)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("value (dimensionless)")
    ax.set_ylabel("rows per bin")
    ax.set_title("Theorem 7, proof steps: eta_i <= ||c_i|| <= 2 eps_JLT", fontsize=11)
    finish(fig, footer_text(summary), notes)
    return save(fig, stem)


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


# ---- E.1 timing study (records of verify.robez_timing) ----

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
