"""E.1 read off: the section's claims on our records and on the paper's numbers, and our statistics."""
from __future__ import annotations

import math

import numpy as np

from ..claims import Claim, statement_fields
from .grid import Grid
from .layout import views_from_records
from .paper import MODES, PAPER_D, views_from_paper

# ---- thresholds of the claims (stated in each claim's text) ----
GROWS = 2.0  # "grows": time at the largest size / time at the smallest >= 2
FLAT = 1.5  # "flat" / "largely unchanged": max / min <= 1.5
FASTER = 1.1  # "faster": at least 10% less time
ABOUT_2X = 2.25  # the paper's own ratio 0.27 / 0.12; "about 2x" = within [1.5, 3.0]
ABOUT_TOL = 1.0 / 3.0
TARGET = 1.2  # our target: ROBE-Z forward within 1.2x of the plain lookup

# the claims by name; CLAIM_NAMES is their order in the claims table
PLAIN_DENSE_GROWS = "plain dense backward grows with n"
PLAIN_SPARSE_FLAT = "plain sparse backward flat in n"
FORWARD_ABOUT_2X = "ROBE-Z forward about 2x the plain lookup"
FORWARD_TARGET = "target: ROBE-Z forward within 1.2x of the plain lookup"
COMPRESSION_FASTER_FORWARD = "higher compression, faster forward"
COMPRESSION_FASTER_DENSE_BACKWARD = "higher compression, faster dense backward"
DENSE_BACKWARD_GROWS_WITH_M = "ROBE-Z dense backward grows with m"
SPARSE_BACKWARD_FLAT = "ROBE-Z sparse backward flat across n and compression"
Z_FASTER_FORWARD = "larger Z, faster forward"
Z_DENSE_BACKWARD_FLAT = "Z leaves dense backward largely unchanged"
Z_SPARSE_BACKWARD_FLAT = "Z leaves sparse backward largely unchanged"
DENSE_BEATS_SPARSE = "dense beats sparse gradients at the highest compression"
CLAIM_NAMES = (
    PLAIN_DENSE_GROWS,
    PLAIN_SPARSE_FLAT,
    FORWARD_ABOUT_2X,
    FORWARD_TARGET,
    COMPRESSION_FASTER_FORWARD,
    COMPRESSION_FASTER_DENSE_BACKWARD,
    DENSE_BACKWARD_GROWS_WITH_M,
    SPARSE_BACKWARD_FLAT,
    Z_FASTER_FORWARD,
    Z_DENSE_BACKWARD_FLAT,
    Z_SPARSE_BACKWARD_FLAT,
    DENSE_BEATS_SPARSE,
)


def _ratio_ends(series: dict, key_fn=lambda k: k):
    """time at the largest key / time at the smallest key (None if fewer than two points)."""
    if len(series) < 2:
        return None, None
    keys = sorted(series, key=key_fn)
    return series[keys[-1]] / series[keys[0]], (keys[0], keys[-1])


def _spread(values) -> float | None:
    values = [v for v in values if v is not None]
    return max(values) / min(values) if len(values) >= 2 and min(values) > 0 else None


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return float(np.median(values)) if values else None


def _by_row(table: dict) -> dict:
    rows: dict = {}
    for (r, c), t in table.items():
        rows.setdefault(r, {})[c] = t
    return rows


def evaluate(v: dict, *, d: int) -> dict:
    """The measured value of every claim on a view (ours or the paper's), with a short detail."""
    out = {}
    pd, ps = v["plain"][("backward", "dense")], v["plain"][("backward", "sparse")]
    ratio, ends = _ratio_ends(pd)
    out[PLAIN_DENSE_GROWS] = (ratio, f"n {ends[0]:,} -> {ends[1]:,}" if ends else "fewer than two n")
    out[PLAIN_SPARSE_FLAT] = (_spread(ps.values()), f"over {len(ps)} n")

    # best ROBE-Z forward at each n (any study, mode, compression, Z) over the plain lookup at that n
    best: dict = {}
    for study in ("n_compression", "n_Z"):
        for m in MODES:
            for (n, _c), t in v[study][("forward", m)].items():
                best[n] = min(best.get(n, math.inf), t)
    plain_f = {}
    for m in MODES:
        for n, t in v["plain"][("forward", m)].items():
            plain_f.setdefault(n, []).append(t)
    # the paper's plain sparse lookup (0.12 ms) is its best; ours is the same code in both modes
    per_n = {n: best[n] / min(plain_f[n]) for n in sorted(best) if n in plain_f}
    fr = _median(per_n.values())
    detail = ", ".join(f"{n:,}: {r:.2f}" for n, r in per_n.items())
    out[FORWARD_ABOUT_2X] = (fr, detail)
    out[FORWARD_TARGET] = (fr, detail)
    out["forward_ratio_by_n"] = per_n

    nc = v["n_compression"]
    for name, key in ((COMPRESSION_FASTER_FORWARD, ("forward", "dense")),
                      (COMPRESSION_FASTER_DENSE_BACKWARD, ("backward", "dense"))):
        ratios = []
        for _n, row in _by_row(nc[key]).items():
            if len(row) >= 2:
                lo, hi = min(row), max(row)
                ratios.append(row[lo] / row[hi])
        out[name] = (_median(ratios), f"{len(ratios)} n with both ends")
    bd = nc[("backward", "dense")]
    if len(bd) >= 2:
        m_of = {k: k[0] * d / k[1] for k in bd}
        kmax, kmin = max(m_of, key=m_of.get), min(m_of, key=m_of.get)
        out[DENSE_BACKWARD_GROWS_WITH_M] = (bd[kmax] / bd[kmin],
                                            f"largest m = {m_of[kmax]:,.0f} (n {kmax[0]:,}, {kmax[1]:g}x), "
                                            f"smallest m = {m_of[kmin]:,.0f} (n {kmin[0]:,}, {kmin[1]:g}x)")
    else:
        out[DENSE_BACKWARD_GROWS_WITH_M] = (None, "fewer than two cells")
    bs = nc[("backward", "sparse")]
    out[SPARSE_BACKWARD_FLAT] = (_spread(bs.values()), f"over {len(bs)} cells")

    nz = v["n_Z"]
    ratios = []
    for _n, row in _by_row(nz[("forward", "dense")]).items():
        if len(row) >= 2:
            ratios.append(row[min(row)] / row[max(row)])
    out[Z_FASTER_FORWARD] = (_median(ratios), f"{len(ratios)} n")
    for name, m in ((Z_DENSE_BACKWARD_FLAT, "dense"), (Z_SPARSE_BACKWARD_FLAT, "sparse")):
        spreads = [_spread(row.values()) for row in _by_row(nz[("backward", m)]).values()]
        out[name] = (_median(spreads), f"{len([s for s in spreads if s])} n")

    ratios = []
    dense_rows, sparse_rows = _by_row(nc[("backward", "dense")]), _by_row(nc[("backward", "sparse")])
    for n, row in dense_rows.items():
        top = max(row)
        if n in sparse_rows and top in sparse_rows[n]:
            ratios.append(sparse_rows[n][top] / row[top])
    out[DENSE_BEATS_SPARSE] = (_median(ratios), f"{len(ratios)} n at the highest compression")
    return out


def claims(records: list[dict], grid: Grid) -> tuple[list[Claim], dict, dict]:
    """(claims on our records, our evaluation, the paper's evaluation) with thresholds in the claim text."""
    ours = evaluate(views_from_records(records, grid), d=grid.d)
    paper = evaluate(views_from_paper(), d=PAPER_D)
    zlo, zhi = min(grid.Zs), max(grid.Zs)
    clo, chi = min(grid.compressions), max(grid.compressions)
    values = {"grows": GROWS, "flat": FLAT, "about_low": ABOUT_2X * (1 - ABOUT_TOL), "about_high": ABOUT_2X * (1 + ABOUT_TOL),
              "about": ABOUT_2X, "target": TARGET, "clo": clo, "chi": chi, "z_fixed": grid.z_fixed, "faster": FASTER,
              "zlo": zlo, "zhi": zhi, "compression_fixed": grid.compression_fixed}
    spec = {
        PLAIN_DENSE_GROWS: (
            "plain table, dense gradients: backward time grows with n (largest / smallest n >= {grows:g})",
            ">=", GROWS),
        PLAIN_SPARSE_FLAT: (
            "plain table, sparse gradients: backward time flat in n (max / min over n <= {flat:g})", "<=", FLAT),
        FORWARD_ABOUT_2X: (
            "ROBE-Z forward costs about 2x the plain lookup (best ROBE-Z forward / plain forward at the same n, "
            "median over n; 'about' = within [{about_low:g}, {about_high:g}], "
            "the paper's 0.27/0.12 = {about:g} +- 1/3)", "~", ABOUT_2X),
        FORWARD_TARGET: (
            "target (ours, not the paper's): best ROBE-Z forward within {target:g}x of the plain lookup "
            "(same ratio as above)", "<=", TARGET),
        COMPRESSION_FASTER_FORWARD: (
            "higher compression, faster forward (time at {clo:g}x / {chi:g}x, Z = {z_fixed}, median over n "
            ">= {faster:g})", ">=", FASTER),
        COMPRESSION_FASTER_DENSE_BACKWARD: (
            "higher compression, faster dense backward (time at {clo:g}x / {chi:g}x, Z = {z_fixed}, median "
            "over n >= {faster:g})", ">=", FASTER),
        DENSE_BACKWARD_GROWS_WITH_M: (
            "ROBE-Z dense backward grows with m = n d / compression (time at the largest / smallest m of the n x "
            "compression grid >= {grows:g})", ">=", GROWS),
        SPARSE_BACKWARD_FLAT: (
            "ROBE-Z sparse backward flat across n and compression (max / min over the n x compression grid "
            "<= {flat:g})", "<=", FLAT),
        Z_FASTER_FORWARD: (
            "larger Z, faster forward (time at Z = {zlo} / Z = {zhi}, {compression_fixed:g}x, median over n "
            ">= {faster:g})", ">=", FASTER),
        Z_DENSE_BACKWARD_FLAT: (
            "Z leaves dense backward largely unchanged (max / min over Z, {compression_fixed:g}x, median over "
            "n <= {flat:g})", "<=", FLAT),
        Z_SPARSE_BACKWARD_FLAT: (
            "Z leaves sparse backward largely unchanged (max / min over Z, {compression_fixed:g}x, median "
            "over n <= {flat:g})", "<=", FLAT),
        DENSE_BEATS_SPARSE: (
            "dense beats sparse gradients at the highest compression (sparse / dense backward at {chi:g}x, "
            "Z = {z_fixed}, median over n > 1)", ">=", 1.0),
    }
    out = []
    for name in CLAIM_NAMES:
        text, rel, bound = spec[name]
        value, detail = ours[name]
        pval, _pdetail = paper[name]
        strict = name == DENSE_BEATS_SPARSE  # "beats": above 1, not at 1
        pholds = Claim("", pval, bound, relation=rel, tolerance=ABOUT_TOL).holds
        if strict and pval is not None:
            pholds = pval > 1.0
        ptext = "paper: -" if pval is None else f"paper: {pval:.3g} ({'holds' if pholds else 'does not hold'})"
        holds = value > 1.0 if strict and value is not None else None
        out.append(Claim(text, value, bound, relation=rel, holds=holds, tolerance=ABOUT_TOL,
                         note=f"{ptext}; ours: {detail}", id=f"e1.{name}", family="robez",
                         values={key: values[key] for key in statement_fields(text)}))
    return out, ours, paper


def statistics(records: list[dict], grid: Grid, ours: dict, paper: dict, skipped: list[dict]) -> dict:
    """The measured quantities by name (for scripts): forward ratios, the best forward, cell counts."""
    v = views_from_records(records, grid)
    plain_fwd = {n: min(v["plain"][("forward", m)].get(n, math.inf) for m in MODES) for n in grid.n}
    best = {}
    for r in records:
        if r.get("kind") == "robez" and r.get("forward_ms"):
            t = r["forward_ms"]["p50"]
            if t < best.get(r["n"], {"ms": math.inf})["ms"]:
                best[r["n"]] = {"ms": t, "compression": r["compression"], "Z": r["Z"], "mode": r["mode"]}
    z_fixed_ratio, by_comp = {}, {}
    for (n, c), t in sorted(v["n_compression"][("forward", "dense")].items()):
        if math.isfinite(plain_fwd.get(n, math.inf)):
            z_fixed_ratio[f"{n}/{c:g}x"] = t / plain_fwd[n]
            by_comp.setdefault(c, []).append(t / plain_fwd[n])
    return {
        "forward_ratio": ours[FORWARD_ABOUT_2X][0],
        "forward_ratio_paper": paper[FORWARD_ABOUT_2X][0],
        "forward_ratio_by_n": {str(n): r for n, r in ours["forward_ratio_by_n"].items()},
        "forward_ratio_z_fixed_dense": z_fixed_ratio,
        # ROBE-Z at Z = z_fixed over the plain lookup, median over n, per compression: at high compression
        # the memory is small enough to stay in cache, at 10x it is not
        "forward_ratio_by_compression": {f"{c:g}": _median(r) for c, r in sorted(by_comp.items())},
        "plain_forward_ms": {str(n): (t if math.isfinite(t) else None) for n, t in plain_fwd.items()},
        "best_robez_forward": {str(n): b for n, b in sorted(best.items())},
        "claims_measured": {name: ours[name][0] for name in CLAIM_NAMES},
        "claims_paper": {name: paper[name][0] for name in CLAIM_NAMES},
        "cells_measured": len(records),
        "cells_skipped": len(skipped),
        "iterations_total": int(sum(r.get("iterations", 0) for r in records)),
    }
