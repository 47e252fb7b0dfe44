"""The one command for every registered check: ``python -m verify.<name>``.

Flags come from the fields of the check's ``Options`` (``option(default, help, parse)``), plus the
family parameters for checks that test one PSS, plus ``--out``, ``--figures``, ``--no-figures``,
``--dask`` (where the cells run: every check, nothing of its own to add), ``--quiet`` and ``--json``.
The run: parse, ``plan`` (every input checked), check that the output folders and the files in them
can be written, lock ``--out`` against a second run, measure the cells
through the one loop (records appended as each cell finishes, so an interrupted run resumes; cells
already recorded for the same table content and options are reused, and the run says so), write
``summary.json`` atomically, draw the figures, print.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys

from pss_theory import checks, families, report, validate
from pss_theory import figures as pss_figures
from pss_theory.records import RecordLog, jsonable, write_json

from . import cli


def _default(f: dataclasses.Field):
    return f.default_factory() if f.default is dataclasses.MISSING else f.default


def _default_text(value) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def option_fields(check) -> list[dataclasses.Field]:
    """The fields of the check's Options that are command-line flags."""
    return [f for f in dataclasses.fields(check.Options) if f.metadata.get("help")]


def shared_params(check) -> dict[str, list]:
    """Each parameter name of the families ``check`` takes, with the ``Param``s of that name: one flag
    per name however many families share it."""
    out: dict[str, list] = {}
    for fam in (families.SKETCHES if check.sketches_only else families.ALL).values():
        for prm in fam.params:
            out.setdefault(prm.name, []).append(prm)
    return out


def parser(check) -> cli.Parser:
    prog = f"python -m verify.{check.name}"
    p = cli.Parser(prog=prog, description=check.description, epilog=cli.examples_text(prog, check.examples),
                   formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in option_fields(check):
        flag = "--" + f.name.replace("_", "-")
        default = _default(f)
        help_text = f.metadata["help"] + ("" if default in (None, False) else f" (default {_default_text(default)})")
        if f.metadata["flag"]:
            p.add_argument(flag, dest=f.name, action="store_true", default=argparse.SUPPRESS, help=help_text)
        else:
            p.add_argument(flag, dest=f.name, type=cli.argtype(f.metadata["parse"], f.name), default=argparse.SUPPRESS,
                           help=help_text)
    if check.family_params:
        for name, prms in shared_params(check).items():
            # a shorthand for one family's parameter: the specs route it, and refuse it when two listed
            # families take a parameter of this name (--family a:NAME=1,b:NAME=2 says which is which)
            help_text = "; ".join(prm.help for prm in prms) + f" (or --family FAMILY:{name}=VALUE)"
            if all(prm.flag for prm in prms):
                p.add_argument(f"--{name}", dest=f"param_{name}", action="store_true", default=argparse.SUPPRESS,
                               help=help_text)
            else:
                # one family's parameter is checked as it is parsed; a name several share, by the family it reaches
                parse = cli.argtype(prms[0].parse, name) if len(prms) == 1 else str
                p.add_argument(f"--{name}", dest=f"param_{name}", type=parse, default=argparse.SUPPRESS, help=help_text)
    p.add_argument("--out", default=None, help=f"folder for summary.json and records.jsonl (default results/{check.name})")
    p.add_argument("--figures", default=check.figures_default,
                   help="folder for the figures" + (f" (default {check.figures_default})" if check.figures_default
                                                    else " (default: none)"))
    p.add_argument("--no-figures", action="store_true", help="draw no figures")
    p.add_argument("--dask", type=cli.argtype(validate.dask_address, "dask"), default=None,
                   help="run the cells (or one cell's row spans) on Dask: local, local:N (N worker processes) or a "
                        "scheduler address tcp://host:port (needs the [dask] extra)")
    p.add_argument("--quiet", action="store_true", help="no progress and no table: only warnings and errors")
    p.add_argument("--json", action="store_true", help="print summary.json to stdout instead of the table")
    return p


def options_from(check, args: argparse.Namespace):
    """Typed options from parsed flags: the flags given, the Options defaults for the rest."""
    values = {f.name: getattr(args, f.name) for f in option_fields(check) if hasattr(args, f.name)}
    params = {k[len("param_"):]: v for k, v in vars(args).items() if k.startswith("param_")}
    if params:
        values["params"] = params
    return check.options(**values)


def execute(check, plan, *, out: str, figures: str | None, quiet: bool, dask=None):
    """Run a planned check and write its results; returns (Summary, records).  Shared by the command and
    the report.

    The files it replaces are checked before any work; ``out`` is locked for the whole run (a second
    run on it fails at once); warnings go to stderr whatever ``quiet`` says; unless ``quiet``, one line on
    stderr says how many cells are reused from records.jsonl (their key holds the table's content fingerprint and every option).  ``dask``: where
    the cells run (``checks.run``).
    """
    cli.check_files(out, ("summary.json", "records.jsonl"))
    with cli.writing(out):
        log = RecordLog(os.path.join(out, "records.jsonl"), check.record_key)
        cluster_note = (f"{check.name}: its cells run one at a time in this process, not on the Dask cluster: "
                        "timings taken side by side on shared cores would time each other"
                        if dask is not None and not check.on_cluster else None)
        if cluster_note:  # a warning, said with --quiet too
            print(cluster_note, file=sys.stderr, flush=True)
        reused = sum(log.done(cell) and check.valid_record(log.latest(cell)) for cell in plan.cells)
        if reused and not quiet:
            print(f"reusing {reused} of {len(plan.cells)} cells from {log.path} (same table content and options)",
                  file=sys.stderr, flush=True)
        check.configure_process(plan)
        plan.context.rows_folder = os.path.join(out, "rows")
        with cli.StageBars(check.name, not quiet) as progress:
            plan.context.warn = progress.say
            summary, records = checks.run(check, plan, log, progress, dask=dask)
        check.release_process(plan)
        if figures:
            made = not os.path.exists(figures)
            cli.make_out(figures)
            summary.extra["figures"] = pss_figures.draw(check.name, summary, records, figures)
            if made and not summary.extra["figures"]:
                os.rmdir(figures)  # this run draws nothing (e.g. Theorem 6 without --sweep): leave no empty folder
        outputs = check.write_outputs(plan, out)
        if outputs:  # a run that writes nothing more has the same summary as run_check's
            summary.extra["outputs"] = outputs
        write_json(os.path.join(out, "summary.json"), summary.to_dict())
    return summary, records


def main(name: str, argv=None) -> int:
    check = checks.get(name)
    args = parser(check).parse_args(argv)
    plan = check.plan(options_from(check, args))
    out = cli.check_out(args.out or os.path.join("results", check.name))
    figures = None if args.no_figures else args.figures
    if figures:
        cli.check_out(figures, "--figures")
    summary, _ = execute(check, plan, out=out, figures=figures, quiet=args.quiet or args.json, dask=args.dask)
    if args.json:
        print(json.dumps(jsonable(summary.to_dict()), indent=2, sort_keys=True))
    elif not args.quiet:
        print(report.screen(summary, check.title, out, figures))
    return 0
