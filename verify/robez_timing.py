"""python -m verify.robez_timing: the E.1 timing study (Tables 5-17) of a plain table and ROBE-Z.

Forward (lookup of a batch of random ids + sum of squares) and backward (gradient + SGD step, dense or
sparse) over n, compression and chunk size Z, printed in the layout of the paper's tables with the
paper's numbers beside ours, and the section's observations checked as claims.  On a CPU the rows n
are the paper's divided by a power of two (64 by default); batch and d are the paper's.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from pss_theory import timing
from pss_theory.backend import get_backend
from pss_theory.experiment import run_cells
from pss_theory.records import RecordLog, environment, jsonable, write_json

from . import cli
from .report import claims_table

KEY = ("kind", "n", "d", "batch", "compression", "Z", "mode", "seed", "backend", "settings")


def _list(kind):
    def parse(text: str):
        items = [t.strip() for t in str(text).split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list, got {text!r}")
        try:
            return [kind(t) for t in items]
        except (ValueError, argparse.ArgumentTypeError) as exc:
            raise argparse.ArgumentTypeError(str(exc) or f"bad value in {text!r}") from None
    return parse


def _int(text: str) -> int:
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise ValueError(f"expected a whole number, got {text!r}") from None
    if value != int(value):
        raise ValueError(f"expected a whole number, got {text!r}")
    return int(value)


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"expected a number, got {text!r}") from None


def parser():
    p = cli.Parser(prog="python -m verify.robez_timing",
                   description="E.1: forward/backward times of a plain table and ROBE-Z (Tables 5-17).")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a small grid (CPU: about 30 s)")
    size.add_argument("--smoke", action="store_true", help="a tiny grid that runs in seconds (for tests)")
    p.add_argument("--device", choices=("cpu", "gpu", "auto"), default="cpu", help="where to time (default cpu)")
    p.add_argument("--out", default=None, help="folder for summary.json and records.jsonl (default results/robez_timing)")
    p.add_argument("--figures", default="figures", help="folder for the figures (default figures)")
    p.add_argument("--no-figures", action="store_true", help="draw no figures")
    p.add_argument("--quiet", action="store_true", help="no progress and no tables, only errors")
    p.add_argument("--json", action="store_true", help="print summary.json to stdout instead of the tables")
    p.add_argument("--seed", type=cli.seed, default=0, help="seed of the ids and parameters (default 0)")
    p.add_argument("--batch", type=cli.count, default=None, help="ids per batch (default 10240, as the paper)")
    p.add_argument("--d", type=cli.count, default=timing.PAPER_D, help="embedding dimension (default 128, as the paper)")
    p.add_argument("--repeats", type=cli.count, default=None,
                   help="timed iterations per cell, at most (default: CPU 10, quick 5; GPU 50, quick 20)")
    p.add_argument("--n", type=_list(_int), default=None,
                   help="rows, comma-separated: paper rows (4M..256M) divided by one power of two (default by device)")
    p.add_argument("--compression", type=_list(_float), default=None,
                   help="compressions n d / m, comma-separated (default 10,100,1000,10000)")
    p.add_argument("--Z", type=_list(_int), default=None, help="chunk sizes, comma-separated (default 1,2,4,8,16,32)")
    return p


def fmt_ms(x) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def cell_text(ours, paper) -> str:
    return f"{fmt_ms(ours)} ({fmt_ms(paper)})"


def table_text(t: dict) -> str:
    """One table in the paper's layout: each cell 'ours (paper)' in ms."""
    head = [t["row_label"]] + t["cols"]
    body = [[r["label"]] + [cell_text(o, p) for o, p in zip(r["ours"], r["paper"])] for r in t["rows"]]
    widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
    lines = [t["title"] + " -- ours (paper), p50 ms"]
    lines.append("  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(head)))
    for row in body:
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
    return "\n".join(lines)


def table_markdown(t: dict) -> str:
    rows = [f"**{t['title']}**, ours (paper), median ms per iteration", "",
            "| " + " | ".join([t["row_label"]] + t["cols"]) + " |", "|" + "---|" * (len(t["cols"]) + 1)]
    for r in t["rows"]:
        rows.append("| " + " | ".join([r["label"]] + [cell_text(o, p) for o, p in zip(r["ours"], r["paper"])]) + " |")
    return "\n".join(rows)


def verdict(summary: dict) -> str:
    claims = summary["claims"]
    held = sum(1 for c in claims if c["holds"])
    st = summary["stats"]
    g = summary["grid"]
    ratio = st["forward_ratio"]
    where = f"{summary['environment']['device']}"
    scale = f"n = the paper's / {g['scale']}" if g["scale"] > 1 else "the paper's n"
    text = (f"E.1 timing on {where} ({scale}, batch {g['batch']}, d {g['d']}): {held} of {len(claims)} claims hold. ")
    if ratio is not None:
        text += (f"Best ROBE-Z forward / plain lookup = {ratio:.2f} (median over n; paper "
                 f"{st['forward_ratio_paper']:.2f}; target <= {timing.TARGET:g}: "
                 f"{'met' if ratio <= timing.TARGET else 'not met'}).")
    by_c = st.get("forward_ratio_by_compression") or {}
    if by_c:
        text += (f" At Z = {g['z_fixed']}, ROBE-Z forward / plain lookup by compression (median over n): "
                 + ", ".join(f"{c}x {r:.2f}" for c, r in by_c.items() if r is not None) + ".")
    if summary["skipped"]:
        text += f" {len(summary['skipped'])} cell(s) skipped for memory."
    return text


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    backend = get_backend(args.device)
    device = backend.device
    size = "smoke" if args.smoke else "quick" if args.quick else "default"
    grid = timing.make_grid(device, size=size, batch=args.batch, d=args.d, repeats=args.repeats, n=args.n,
                            compressions=args.compression, Zs=args.Z)
    out = cli.check_out(args.out or os.path.join("results", "robez_timing"))
    figures = cli.check_out(args.figures) if args.figures and not args.no_figures else None
    todo, skipped = timing.plan(grid, backend, args.seed)
    t0 = time.perf_counter()
    log = RecordLog(os.path.join(cli.make_out(out), "records.jsonl"), KEY)
    progress = cli.Progress(len(todo), "robez_timing", not args.quiet and not args.json, unit="cells")
    bench = timing.Bench(backend, grid, args.seed)
    done = [0]

    def compute(cell):
        try:
            result = bench.measure(cell)
        except MemoryError:  # numpy's and CuPy's out-of-memory errors: the cell stays empty, as in the paper
            bench.release()
            result = {"forward_ms": None, "backward_ms": None, "iterations": 0,
                      "skipped": "out of memory while running"}
        done[0] += 1
        progress(done[0])
        return result

    try:
        records = run_cells(todo, compute, log, KEY)
    finally:
        bench.release()
    progress(len(todo))
    skipped += [r for r in records if r.get("forward_ms") is None]
    records = [r for r in records if r.get("forward_ms") is not None]
    claims, ours, paper = timing.claims(records, grid)
    tables = timing.layout(records, grid)
    summary = {
        "theorem": "E.1", "n": list(grid.n), "d": grid.d, "k": None, "family": "robez", "table": "random",
        "seed": args.seed, "backend": backend.name, "seconds": round(time.perf_counter() - t0, 3),
        "claims": [c.as_dict() for c in claims],
        "stats": timing.statistics(records, grid, ours, paper, skipped),
        "paper_claims": {name: paper[name][0] for name in timing.CLAIM_NAMES},
        "grid": grid.describe(), "batch": grid.batch, "scale": grid.scale,
        "skipped": [{k: c[k] for k in ("kind", "n", "compression", "Z", "mode", "skipped")} for c in skipped],
        "tables": tables, "tables_markdown": [table_markdown(t) for t in tables],
        "environment": environment(backend),
        "allocator": ("glibc malloc: heap below 64 MiB, no trim below 128 MiB (timing.steady_allocator)"
                      if bench.steady_allocator else "default"),
    }
    summary["verdict"] = verdict(summary)
    write_json(os.path.join(out, "summary.json"), summary)
    if figures:
        from pss_theory import plots

        cli.make_out(figures)
        summary["figures"] = (plots.robez_timing_vs_n(summary, records, os.path.join(figures, "robez_timing_vs_n"))
                              + plots.robez_timing_vs_z(summary, records, os.path.join(figures, "robez_timing_vs_z")))
        write_json(os.path.join(out, "summary.json"), summary)
    if args.json:
        print(json.dumps(jsonable(summary), indent=2, sort_keys=True))
        return 0
    if args.quiet:
        return 0
    print(f"E.1 timing study, backend {backend.describe()}, grid: n = {', '.join(f'{v:,}' for v in grid.n)} "
          f"(the paper's n / {grid.scale}), batch {grid.batch}, d {grid.d}, up to {grid.repeats} timed iterations "
          f"per cell after {grid.warmup} warm-up ({grid.budget_s:g} s budget per cell)")
    for t in tables:
        print()
        print(table_text(t))
    if skipped:
        print()
        print("skipped (memory): " + "; ".join(f"{c['kind']} n={c['n']:,} {c['mode']}"
                                               + (f" {c['compression']:g}x Z={c['Z']}" if c["kind"] == "robez" else "")
                                               + f" ({c['skipped']})" for c in skipped))
    print()
    print(claims_table(summary["claims"]))
    print(summary["verdict"])
    print(f"wrote {out}/summary.json and records.jsonl in {summary['seconds']:.1f} s"
          + (f"; figures in {figures}/" if figures else ""))
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
