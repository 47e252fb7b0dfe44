"""python -m verify: run every registered check, draw every figure, rewrite the measured parts of
paper_appendix.md.

Scales: ``smoke`` (seconds, for tests), ``default`` (a few minutes on 2 cores), ``paper`` (the
paper's sizes, n up to 1e8 at d = 128: meant for a GPU).  ``--table PATH`` runs the whole report on
a user's own table.  Every check is planned (all its inputs checked) before the first one runs; each
writes its own folder under --out and reuses its records when rerun with the same options, so an
interrupted report resumes.

Only the repository's own run (default scale, synthetic tables, seed 0) rewrites the repository's
paper_appendix.md and figures/, as does an explicit --appendix; any other run writes its appendix and
figures under --out, so that a smoke run or a user's table never replaces the repository's numbers.
What it writes records the exact command that produced it.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
import time

from pss_theory import checks, families, report, validate
from pss_theory.errors import InputError
from pss_theory.measure import cluster
from pss_theory.records import jsonable, write_json
from pss_theory.tables import registry

from . import appendix, cli, runner

SCALES = ("smoke", "default", "paper")
EXAMPLES = (
    ("", "the repository's own run (a few minutes): rewrites paper_appendix.md and figures/"),
    ("--scale smoke", "seconds; writes results/paper_appendix.md and results/figures/"),
    ("--table emb.npy --out results/mine", "every check on your table, written under results/mine/"),
    ("--scale paper --device gpu", "the paper's sizes, n up to 1e8, on a GPU"),
)
REPOSITORY_APPENDIX = "paper_appendix.md"


def parser():
    epilog = (cli.examples_text("python -m verify", EXAMPLES) + "\n\none check alone: python -m verify.CHECK (or "
              f"pss-theory CHECK), CHECK one of {', '.join(checks.CHECKS)}; each has --help")
    p = cli.Parser(prog="python -m verify", description=__doc__.splitlines()[0], epilog=epilog,
                   formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", choices=SCALES, default="default", help="how large to run (default: default)")
    p.add_argument("--table", default=None, help="run on this table instead of synthetic ones: "
                   + registry.sources_text())
    p.add_argument("--key", default=None, help=registry.key_help())
    p.add_argument("--family", default=None, help="families for Theorems 6, 7 and 4: a comma list or all (Theorem 6 "
                   "takes the sketches among them; default: each check's scale)")
    p.add_argument("--seed", type=cli.argtype(validate.seed_text, "seed"), default=0)
    p.add_argument("--device", choices=("cpu", "gpu", "auto"), default="cpu")
    p.add_argument("--out", default="results", help="folder for each check's results, and for the appendix and "
                   "figures of any run but the repository's own (default results)")
    p.add_argument("--figures", default=None, help="folder for the figures (default: figures for the repository's "
                   "own run or with --appendix, else OUT/figures)")
    p.add_argument("--appendix", default=None, help="update this appendix in place (default: paper_appendix.md for "
                   "the repository's own run, else OUT/paper_appendix.md, made from paper_appendix.md)")
    p.add_argument("--dask", type=cli.argtype(validate.dask_address, "dask"), default=None,
                   help="run the checks' cells (or a cell's row spans) on Dask: local, local:N or tcp://host:port; "
                        "one cluster for the whole report")
    p.add_argument("--yes", action="store_true", help="run checks estimated at over an hour on a 2-core CPU "
                   "(--scale paper; each check refuses them otherwise, before any work)")
    p.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    p.add_argument("--json", action="store_true", help="print the combined report as JSON")
    return p


def step_options(check, args) -> dict:
    """The options of one check at the report's scale, with the user's table, seed and device."""
    values = dict(check.scales[args.scale])
    if check.on_user_table and "table" in {f.name for f in runner.option_fields(check)}:
        if args.table:
            # the scale's sizes are for its synthetic tables: a user's table has its own n and d, and k
            # goes back to its default of 8 d
            values = {k: v for k, v in values.items() if k not in ("n", "d", "k")}
            values["table"] = args.table
            if args.key:
                values["key"] = args.key
    fields = {f.name: f for f in runner.option_fields(check)}
    if args.family and "family" in fields:
        values["family"] = check_families(fields["family"].metadata["parse"], args.family)
    if args.seed:
        values["seed"] = args.seed
    if args.device != "cpu":
        values["device"] = args.device
    if args.yes and "yes" in fields:
        values["yes"] = True
    return values


def check_families(parse, text: str) -> str:
    """--family for one check: as given if the check takes all of them, else the sketches S among them
    (Theorem 6 measures S; ROBE-Z is not of that form), or as given when none is, for the check to refuse."""
    try:
        parse(text)
        return text
    except InputError:
        kept = [str(s) for s in families.specs(text) if s.family in families.SKETCHES]
        return ",".join(kept) or text


def _arg_text(value) -> str:
    """An option value as a command line takes it: 1e6 for round large counts, comma lists, %g floats."""
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, int) and value >= 100_000:
        exponent = int(math.log10(value))
        mantissa, rest = divmod(value, 10**exponent)
        if rest == 0:
            return f"{mantissa}e{exponent}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def command_line(check, values: dict) -> str:
    """The command that reproduces one check's numbers, from the options it ran with."""
    words = [f"python -m verify.{check.name}"]
    for name, value in values.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            words.append(flag)
        elif value not in (None, False):
            words += [flag, _arg_text(value)]
    return " ".join(words)


def own_run(args) -> bool:
    """Whether this is the repository's own run, the one whose numbers paper_appendix.md and figures/ hold:
    the default scale on the synthetic tables with seed 0 (on any device)."""
    return args.scale == "default" and args.table is None and not args.seed


def destinations(args) -> tuple[str, str, str]:
    """(the appendix read, the appendix written, the figures folder) of this run (module docstring)."""
    if args.appendix or own_run(args):
        path = args.appendix or REPOSITORY_APPENDIX
        return path, path, args.figures or "figures"
    return REPOSITORY_APPENDIX, os.path.join(args.out, "paper_appendix.md"), args.figures or os.path.join(args.out,
                                                                                                      "figures")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    command = shlex.join(["python", "-m", "verify", *argv])
    template, args.appendix, args.figures = destinations(args)
    reported = [check for check in checks.CHECKS.values() if check.in_report]
    text, unplaced = appendix.check(template, [check.name for check in reported] + ["summary"],
                                    in_place=args.appendix == template)
    for name in unplaced:  # a warning, said with --quiet too
        print(appendix.missing_note(template, name), file=sys.stderr, flush=True)
    cli.check_out(args.out)
    cli.check_out(args.figures, "--figures")
    if args.appendix != template:
        cli.check_files(args.out, ("paper_appendix.md",))
    steps = []
    for check in reported:
        values = step_options(check, args)
        steps.append((check, values, check.plan(check.options(**values))))
        cli.check_files(os.path.join(args.out, check.name), ("summary.json", "records.jsonl"))
    t0 = time.perf_counter()
    results = []
    with cluster.session(args.dask) as pool:
        for i, (check, values, plan) in enumerate(steps, 1):
            if not args.quiet:
                print(f"[{i}/{len(steps)}] {check.title}: {command_line(check, values)}", file=sys.stderr, flush=True)
            summary, _ = runner.execute(check, plan, out=os.path.join(args.out, check.name), figures=args.figures,
                                        quiet=args.quiet, dask=pool and pool.executor)  # one cluster for every check
            results.append((check, summary))
    rendered = {check.name: report.block(s, command_line(check, values), args.appendix)
                for (check, values, _), (_, s) in zip(steps, results)}
    rendered["summary"] = f"Report: `{command}`\n\n" + report.conclusions([s for _, s in results])
    cli.make_out(os.path.dirname(os.path.abspath(args.appendix)))
    appendix.write(args.appendix, text, rendered)
    written = {"command": command, "scale": args.scale, "seconds": round(time.perf_counter() - t0, 3),
               "appendix": args.appendix, "unplaced": unplaced,
               "claims": {check.name: s.claims for check, s in results},
               "figures": [f for _, s in results for f in s.get("figures", [])]}
    write_json(os.path.join(args.out, "report.json"), written)
    if args.json:
        print(json.dumps(jsonable(written), indent=2, sort_keys=True))
    elif not args.quiet:
        print(report.claims_screen([(check.title, s) for check, s in results]))
        print(f"figures in {args.figures}/, results in {args.out}/, {args.appendix} updated "
              f"({written['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
