"""python -m verify: run every check, draw every figure, rewrite the measured parts of paper_appendix.md.

Scales: ``smoke`` (seconds, for tests), ``default`` (a few minutes on 2 cores), ``paper`` (the
paper's sizes, n up to 1e8 at d = 128: meant for a GPU).  ``--table PATH`` runs the whole report on
a user's own table.  Each step writes its own folder under --out and reuses it when rerun with the
same arguments, so an interrupted report resumes.
"""
from __future__ import annotations

import json
import os
import sys
import time

from pss_theory.records import jsonable, write_json

from . import appendix, cli, robez_timing, theorem4, theorem6, theorem7
from .report import fmt, holds_text

SCALES = {
    "smoke": {
        "theorem6": ["--n", "2048", "--d", "8", "--sweep", "--k-points", "3", "--trials", "4", "--eps", "0.5",
                     "--family", "gaussian,countsketch,srht"],
        "theorem7": ["--n", "4096", "--d", "8", "--k", "64", "--coherence-pairs", "10000"],
        "theorem4": ["--n", "4096", "--d", "8", "--k", "64", "--pairs", "20000", "--top", "40"],
        "robez_timing": ["--smoke"],
    },
    "default": {
        "theorem6": ["--n", "20000", "--d", "32", "--sweep", "--k-points", "6", "--trials", "8", "--eps", "0.3",
                     "--family", "gaussian,countsketch,srht"],
        "theorem7": ["--n", "1e6", "--d", "128", "--k", "1024"],
        "theorem4": ["--n", "2e5", "--d", "64", "--k", "512", "--pairs", "1e6", "--top", "1000"],
        "robez_timing": ["--quick"],
    },
    "paper": {
        "theorem6": ["--n", "1e6", "--d", "128", "--sweep", "--k-points", "6", "--trials", "10", "--eps", "0.3",
                     "--family", "gaussian,countsketch,srht"],
        "theorem7": ["--n", "1e8", "--d", "128", "--k", "1024"],
        "theorem4": ["--n", "1e8", "--d", "128", "--k", "1024", "--pairs", "1e6", "--top", "2000"],
        "robez_timing": [],
    },
}
STEPS = {"theorem6": theorem6, "theorem7": theorem7, "theorem4": theorem4, "robez_timing": robez_timing}
TITLES = {"theorem6": "Theorem 6 (Macro PSS)", "theorem7": "Theorem 7 (Micro PSS)", "theorem4": "Theorem 4 (pairs)",
          "robez_timing": "E.1 timing study"}


def parser():
    p = cli.Parser(prog="python -m verify", description=__doc__.splitlines()[0])
    p.add_argument("--scale", choices=tuple(SCALES), default="default", help="how large to run (default: default)")
    p.add_argument("--table", default=None, help="run on this .npy/.npz/.safetensors table instead of synthetic ones")
    p.add_argument("--key", default=None, help="array name inside a .npz or .safetensors table")
    p.add_argument("--seed", type=cli.seed, default=0)
    p.add_argument("--device", choices=("cpu", "gpu", "auto"), default="cpu")
    p.add_argument("--out", default="results", help="folder for each step's results (default results)")
    p.add_argument("--figures", default="figures", help="folder for the figures (default figures)")
    p.add_argument("--appendix", default="paper_appendix.md", help="the appendix to update (default paper_appendix.md)")
    p.add_argument("--quiet", action="store_true", help="print only errors")
    p.add_argument("--json", action="store_true", help="print the combined report as JSON")
    return p


def step_argv(name: str, args) -> list[str]:
    argv = list(SCALES[args.scale][name])
    if name != "robez_timing":
        if args.table:
            drop = {"--n", "--d"}
            argv = [a for i, a in enumerate(argv) if a not in drop and (i == 0 or argv[i - 1] not in drop)]
            argv += ["--table", args.table] + (["--key", args.key] if args.key else [])
            if name != "theorem6":
                argv = [a for i, a in enumerate(argv) if a != "--k" and (i == 0 or argv[i - 1] != "--k")]
        argv += ["--seed", str(args.seed)]
    return argv + ["--device", args.device, "--out", os.path.join(args.out, name), "--figures", args.figures, "--quiet"]


def screen(summaries: dict[str, dict]) -> str:
    """Each claim of each step, one line: measured against bound, holds or not."""
    lines = []
    for name, s in summaries.items():
        n = f"{s['n'][0]:,}..{s['n'][-1]:,}" if isinstance(s["n"], list) else f"{s['n']:,}"
        lines.append(f"{TITLES[name]}  (n = {n})")
        for c in s["claims"]:
            text = c["name"] if len(c["name"]) <= 78 else c["name"][:75] + "..."
            bound = "inf" if c.get("vacuous") or c["bound"] is None else fmt(c["bound"])
            lines.append(f"  {text:<78} {fmt(c['measured']):>10} {c.get('relation', '<='):>2} {bound:<10} {holds_text(c)}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    text = appendix.check(args.appendix, list(STEPS) + ["summary"])
    cli.check_out(args.out)
    cli.check_out(args.figures)
    t0 = time.perf_counter()
    summaries = {}
    for i, (name, module) in enumerate(STEPS.items(), 1):
        if not args.quiet:
            print(f"[{i}/{len(STEPS)}] {TITLES[name]}: python -m verify.{name} {' '.join(step_argv(name, args))}",
                  file=sys.stderr, flush=True)
        module.main(step_argv(name, args))
        with open(os.path.join(args.out, name, "summary.json"), encoding="utf-8") as fh:
            summaries[name] = json.load(fh)
    rendered = {name: appendix.render_theorem(s, f"python -m verify.{name} " + " ".join(SCALES[args.scale][name]),
                                              args.appendix, s.get("tables_markdown", []))
                for name, s in summaries.items()}
    rendered["summary"] = appendix.render_summary(summaries)
    appendix.write(args.appendix, text, rendered)
    report = {"scale": args.scale, "seconds": round(time.perf_counter() - t0, 3), "appendix": args.appendix,
              "claims": {name: s["claims"] for name, s in summaries.items()},
              "figures": [f for s in summaries.values() for f in s.get("figures", [])]}
    write_json(os.path.join(args.out, "report.json"), report)
    if args.json:
        print(json.dumps(jsonable(report), indent=2, sort_keys=True))
    elif not args.quiet:
        print(screen(summaries))
        print(f"figures in {args.figures}/, results in {args.out}/, {args.appendix} updated "
              f"({report['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
