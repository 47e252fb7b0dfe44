"""Theorem 7's figures: eps_i against rho_i, and the proof's steps."""
from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from ..summary import per_family
from .layout import _hist_edges, finish, footer_text, save

#: the check whose figures these are
CHECK_NAME = "theorem7"


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


def draw(summary: dict, records: list[dict], folder: str) -> list[str]:
    """Theorem 7's two figures for each family in ``folder`` (named by family when there are several);
    their paths."""
    out = []
    for family in summary["family"]:
        view, tag = per_family(summary, family), "" if len(summary["family"]) == 1 else f"_{family}"
        out += (theorem7_eps_vs_rho(view, f"{folder}/theorem7_eps_vs_rho{tag}")
                + theorem7_proof_steps(view, f"{folder}/theorem7_proof_steps{tag}"))
    return out
