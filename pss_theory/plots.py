"""Figures drawn from records and summaries only: nothing here measures or bounds anything."""
from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "pss-theory"
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import families  # noqa: E402
from .records import write_atomic  # noqa: E402


def _footer(fig, summary: dict, extra: str = "") -> None:
    fam = summary.get("family")
    fam = ", ".join(fam) if isinstance(fam, list) else fam
    table = summary.get("table", {})
    tname = table.get("kind", "?") if isinstance(table, dict) else table
    k = summary.get("k")
    ktext = f"k = {k[0]}..{k[-1]}" if isinstance(k, list) else f"k = {k}"
    fig.text(0.01, 0.01, f"n = {summary.get('n'):,}, d = {summary.get('d')}, {ktext}, family: {fam}, table: {tname}, "
             f"seed = {summary.get('seed')}{extra}", fontsize=7, color="0.35")


def save(fig, stem: str) -> list[str]:
    """Write stem.png and stem.svg atomically (rendered in memory, then ``write_atomic``: no temporary
    name two runs could share); return their paths."""
    paths = []
    for ext in ("png", "svg"):
        path = f"{stem}.{ext}"
        buf = io.BytesIO()
        # no date and fixed element ids: a rerun with the same records writes the same bytes
        fig.savefig(buf, format=ext, dpi=130, metadata={"Date": None} if ext == "svg" else None)
        write_atomic(path, buf.getvalue())
        paths.append(path)
    plt.close(fig)
    return paths


def theorem6_eps_vs_k(summary: dict, records: list[dict], stem: str) -> list[str]:
    """eps_macro against k per family: median and range over trials, the Theorem 6 bound, Marchenko-Pastur."""
    fig, ax = plt.subplots(figsize=(7, 4.8))
    vacuous = []
    for fam, curve in summary["curves"].items():
        ks = curve["k"]
        vals = [[r["eps_macro_norm"] for r in records if r["family"] == fam and r["k"] == k] for k in ks]
        med = np.array([np.median(v) for v in vals])
        lo = med - np.array([min(v) for v in vals])
        hi = np.array([max(v) for v in vals]) - med
        c = families.get(fam).color
        ax.errorbar(ks, med, yerr=[lo, hi], fmt="o-", color=c, ms=4, capsize=3, label=f"{fam}: measured (median, range)")
        th = np.array([np.nan if v is None or not math.isfinite(v) else v for v in curve["theorem6_eps"]], dtype=float)
        if np.isfinite(th).any():
            ax.plot(ks, th, "--", color=c, label=f"{fam}: Theorem 6 eps as stated")
        else:
            vacuous.append(fam)
        if curve.get("prediction") and curve["prediction"][0] is not None:
            ax.plot(ks, curve["prediction"], ":", color="k", lw=1.5, label="Marchenko-Pastur sqrt(d/k)" if fam == next(
                f for f, cv in summary["curves"].items() if cv.get("prediction") and cv["prediction"][0] is not None) else None)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sketch size k (rows of S)")
    ax.set_ylabel("eps_macro = max_x | ||SEx|| / ||Ex|| - 1 |")
    ax.set_title("Theorem 6: worst-case distortion over all x, measured exactly")
    if vacuous:
        ax.text(0.02, 0.03, f"Theorem 6 bound vacuous (no eps < 1) at every k shown for: {', '.join(vacuous)}",
                transform=ax.transAxes, fontsize=8, color="firebrick")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    fig.subplots_adjust(bottom=0.16)
    _footer(fig, summary, f", {summary.get('trials')} trials per point")
    return save(fig, stem)


def failure_rate_vs_k(summary: dict, stem: str) -> list[str]:
    """Empirical P(eps_macro > eps) against k with Clopper-Pearson 95% bands and the delta line."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    kmin = min(min(fr["k"]) for fr in summary["failure_rate"].values())
    kmax = max(max(fr["k"]) for fr in summary["failure_rate"].values())
    right, off_chart = kmax * 1.5, []
    for fam, fr in summary["failure_rate"].items():
        c = families.get(fam).color
        ax.plot(fr["k"], fr["rate"], "o-", color=c, ms=4, label=f"{fam}: measured")
        ax.fill_between(fr["k"], fr["lo"], fr["hi"], color=c, alpha=0.15, label=f"{fam}: 95% Clopper-Pearson")
        req = fr.get("k_required")
        if req is not None and math.isfinite(req) and req <= 100 * kmax:
            ax.axvline(req, color=c, ls="--", lw=1, label=f"{fam}: sufficient k (calculator, as proved)")
            right = max(right, req * 1.5)
        else:
            off_chart.append(f"{fam}: 10^{math.log10(req):.1f}" if req is not None and math.isfinite(req) else f"{fam}: inf")
    ax.set_xlim(kmin / 1.5, right)
    if off_chart:
        fig.text(0.01, 0.045, "the calculator's sufficient k (as proved), off the chart: " + "; ".join(off_chart), fontsize=8,
                 color="firebrick")
    ax.axhline(summary["delta"], color="k", ls=":", label=f"delta = {summary['delta']:g}")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("sketch size k")
    ax.set_ylabel(f"P(eps_macro > {summary['eps']:g})  (fraction of trials)")
    ax.set_title("Theorem 6: how often a draw of S misses eps")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    fig.subplots_adjust(bottom=0.2)
    _footer(fig, summary, f", {summary.get('trials')} trials per point")
    return save(fig, stem)


def _hist_edges(h: dict) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(h["edges"], dtype=float), np.asarray(h["counts"], dtype=float)


def theorem7_eps_vs_rho(summary: dict, stem: str) -> list[str]:
    """Density of (rho_i, eps_i) over all rows, with the guarantee eps_JLT(k) / rho_i and sqrt(srank/k) / rho_i."""
    h = summary["histograms"]["eps_vs_rho"]
    xe, ye = np.asarray(h["x_edges"]), np.asarray(h["y_edges"])
    counts = np.asarray(h["counts"], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 5))
    masked = np.ma.masked_where(counts.T == 0, counts.T)
    mesh = ax.pcolormesh(xe, ye, masked, norm=matplotlib.colors.LogNorm(), cmap="viridis", shading="flat")
    fig.colorbar(mesh, ax=ax, label="rows per bin")
    x = np.geomspace(xe[0], xe[-1], 200)
    s = summary["stats"]
    if s.get("eta_pred"):  # a sketch of size k; ROBE-Z has no k
        ax.plot(x, s["eta_pred"] / x, "--", color="darkorange", lw=1.5, label="empirical law sqrt(srank/k) / rho_i")
    g = summary["theory"].get("eps_jlt")
    if g is not None and math.isfinite(g):
        ax.plot(x, g / x, "r-", lw=1.5, label="guarantee eps_JLT(k) / rho_i (Theorem 7 as stated)")
    else:
        ax.text(0.02, 0.03, "Theorem 7 guarantee vacuous at this k (eps_JLT >= 1 for f = 9^d + n)",
                transform=ax.transAxes, color="firebrick", fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rho_i = ||E_i|| / sigma_max(E)")
    ax.set_ylabel("eps_i = ||Mhat_i - E_i|| / ||E_i||")
    ax.set_title("Theorem 7: per-row error against rho_i, all rows")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper right")
    fig.subplots_adjust(bottom=0.15)
    _footer(fig, summary)
    return save(fig, stem)


def theorem7_proof_steps(summary: dict, stem: str) -> list[str]:
    """Distributions of eta_i and ||c_i|| over all rows against 2 eps_JLT(k) (Part A) ."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, label, c in (("eta", "eta_i = ||Mhat_i - E_i|| / sigma", "C0"), ("c", "||c_i|| (proof's cross term)", "C3")):
        h = summary["histograms"].get(name)
        if h is None:
            continue
        edges, counts = _hist_edges(h)
        ax.stairs(counts, edges, color=c, label=label, lw=1.5)
    g = summary["theory"].get("eps_jlt")
    if g is not None and math.isfinite(g):
        ax.axvline(g, color="k", ls=":", label="eps_JLT(k), f = 9^d + n (statement)")
        ax.axvline(2 * g, color="k", ls="--", label="2 eps_JLT(k) (what Part A proves)")
    else:
        ax.text(0.02, 0.9, "eps_JLT(k) >= 1 at this k: Part A's bound is vacuous", transform=ax.transAxes,
                color="firebrick", fontsize=8)
    if summary["stats"].get("eta_pred"):
        ax.axvline(summary["stats"]["eta_pred"], color="C2", ls="-.", label="sqrt(srank / k)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("value (dimensionless)")
    ax.set_ylabel("rows per bin")
    ax.set_title("Theorem 7, proof steps: eta_i <= ||c_i|| <= 2 eps_JLT")
    ax.legend(fontsize=7)
    fig.subplots_adjust(bottom=0.15)
    _footer(fig, summary)
    return save(fig, stem)


def theorem4_pairs(summary: dict, stem: str) -> list[str]:
    """pi_ij / bound for sampled pairs, and | ||Mhat_i|| / ||E_i|| - 1 | / eps_i for every row (Eq. 25)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, name, title, xlabel in (
        (axes[0], "pair_ratio", "Theorem 4: pair error / per-row bound", "pi_ij / (eps_i eps_j + eps_i + eps_j)"),
        (axes[1], "eq25_ratio", "Eq. 25: norm error / eps_i, all rows", "| ||Mhat_i|| / ||E_i|| - 1 | / eps_i"),
    ):
        h = summary["histograms"].get(name)
        if h is None:
            continue
        edges, counts = _hist_edges(h)
        ax.stairs(counts, edges, color="C0", lw=1.5)
        ax.axvline(1.0, color="firebrick", ls="--", label="bound (ratio 1)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("count per bin")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7)
    fig.subplots_adjust(bottom=0.2, wspace=0.3)
    _footer(fig, summary, f", {summary['stats'].get('pairs', 0):,} pairs")
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
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.2), sharex=True)
    fig.suptitle(title, fontsize=11)
    return fig, axes


def _timing_footer(fig, summary: dict) -> None:
    g = summary.get("grid", {})
    env = summary.get("environment", {})
    fig.text(0.01, 0.01, f"{env.get('device', summary.get('backend'))}; batch {g.get('batch')}, d {g.get('d')}; "
             f"n = paper's n / {g.get('scale')}; median of up to {g.get('repeats')} iterations, bars p25-p75; "
             f"seed {summary.get('seed')}", fontsize=7, color="0.35")


def _plain_ticks(ax, x: bool = False) -> None:
    """Numbers like 0.5, 2, 30 on a log axis instead of 5 x 10^-1."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:g}")
    minor = matplotlib.ticker.FuncFormatter(
        lambda v, _pos: f"{v:g}" if v > 0 and round(v / 10 ** math.floor(math.log10(v))) in (2, 5) else "")
    axes = [ax.yaxis] + ([ax.xaxis] if x else [])
    for a in axes:
        a.set_major_formatter(fmt)
        a.set_minor_formatter(minor)


def _errbar(ax, xs, q, **kw):
    if not len(xs):
        return
    ax.errorbar(xs, q[:, 1], yerr=[q[:, 1] - q[:, 0], q[:, 2] - q[:, 1]], capsize=2, ms=4, **kw)


PANELS = [(i, j, pass_, mode) for i, pass_ in enumerate(("forward", "backward"))
          for j, mode in enumerate(("dense", "sparse"))]


def _robez_lines(ax, records, comps, pass_, mode, x: str, fixed: dict) -> None:
    """One line per compression: ROBE-Z time against ``x`` with the ``fixed`` fields held."""
    cmap = plt.get_cmap("viridis")
    for c_i, c in enumerate(comps):
        match = {"kind": "robez", "mode": mode, "compression": c, **fixed}
        xs, q = _timing_series(records, lambda r, match=match: all(r[k] == v for k, v in match.items()), x, pass_)
        _errbar(ax, xs, q, fmt="o-", color=cmap(c_i / max(1, len(comps) - 1)), label=f"ROBE-Z {c:g}x")


def _finish_timing(fig, axes, summary: dict, stem: str, xlabel: str, x_ticks: bool) -> list[str]:
    """Scales, titles, grids and labels shared by the E.1 figures, then save."""
    for i, j, pass_, mode in PANELS:
        ax = axes[i, j]
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{pass_}, {mode} gradients", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        _plain_ticks(ax, x=x_ticks)
        if i == 1:
            ax.set_xlabel(xlabel)
        if j == 0:
            ax.set_ylabel("ms per iteration (median)")
    axes[0, 0].legend(fontsize=7)
    fig.subplots_adjust(bottom=0.12, hspace=0.25, wspace=0.2)
    _timing_footer(fig, summary)
    return save(fig, stem)


def robez_timing_vs_n(summary: dict, records: list[dict], stem: str) -> list[str]:
    """Forward and backward time against n, dense and sparse gradients: the plain table and ROBE-Z per
    compression at the fixed Z (Tables 5-9)."""
    g = summary["grid"]
    z = g["z_fixed"]
    fig, axes = _timing_axes(f"E.1: time per iteration against n (ROBE-Z at Z = {z}; plain table dashed)")
    for i, j, pass_, mode in PANELS:
        ax = axes[i, j]
        xs, q = _timing_series(records, lambda r, m=mode: r["kind"] == "plain" and r["mode"] == m, "n", pass_)
        _errbar(ax, xs, q, fmt="s--", color="k", label="plain n x d table")
        _robez_lines(ax, records, g["compressions"], pass_, mode, "n", {"Z": z})
    return _finish_timing(fig, axes, summary, stem, "rows n", x_ticks=False)


def robez_timing_vs_z(summary: dict, records: list[dict], stem: str) -> list[str]:
    """Forward and backward time against the chunk size Z per compression at the fixed n (Tables 14-17),
    with the plain table's time at that n as a horizontal line."""
    g = summary["grid"]
    n = g["n_fixed"]
    fig, axes = _timing_axes(f"E.1: time per iteration against chunk size Z at n = {n:,} (plain table: dotted line)")
    for i, j, pass_, mode in PANELS:
        ax = axes[i, j]
        _robez_lines(ax, records, g["compressions"], pass_, mode, "Z", {"n": n})
        plain = [r[f"{pass_}_ms"]["p50"] for r in records
                 if r["kind"] == "plain" and r["mode"] == mode and r["n"] == n and r.get(f"{pass_}_ms")]
        if plain:
            ax.axhline(plain[0], color="k", ls=":", label="plain table")
    return _finish_timing(fig, axes, summary, stem, "chunk size Z", x_ticks=True)
